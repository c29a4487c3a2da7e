"""A whole workshop in real Chromium: a projector with the facilitator's controls and six phones
(390x844, the participants' light pages) through all five steps — a phone reloading mid-step, a
tie and its runoff, duplicate notes merged, hostile text shown literally — then the saved result
checked in the database."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect
from sqlmodel import Session, func, select

from tests import phones as ph
from tests.support import ARTIFACTS, PROJECTOR
from tests.texts import ru
from workshop.db.engine import make_engine
from workshop.db.models import (
    Ballot,
    Note,
    Participant,
    Pick,
    Poll,
    StepLog,
    Trend,
    Workshop,
)
from workshop.maps.store import load_builtin_maps

PEOPLE = [
    ("Анна", "Продажи"),
    ("Борис", "Маркетинг"),
    ("Вера", "Сервис"),
    ("Глеб", "Логистика"),
    ("Дина", "ИТ"),
    ("Егор", "Финансы"),
]
HOSTILE = "<script>alert(1)</script> **жирный** <b>тег</b>"
T = 15_000
# The built-in map the workshop runs on, by the title the start page lists it under.
JOURNEY_MAP = next(m["title"]["ru"] for m in load_builtin_maps() if m["id"] == "customer-journey-2017")


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def sidebar_click(projector: Page, name: str) -> None:
    sidebar = projector.locator('[data-testid="stSidebar"]')
    button = sidebar.get_by_role("button", name=name, exact=True)
    expect(button).to_be_enabled(timeout=T)
    button.click()


def picked(n: int) -> str:
    """The phone's count of its picks: ``n`` of the 4–5 trends each person picks."""
    return ru("phone.picked_n", n=n, low=4, high=5)


def tick(phone: Page, index: int, count_text: str) -> None:
    """Tap the ``index``-th trend on the phone's list (it saves at once) and see the count."""
    phone.locator("li.trend input[type='checkbox']").nth(index).click()
    expect(phone.locator("#pick-status")).to_contain_text(count_text, timeout=T)


def vote(phone: Page, option_text: str) -> None:
    expect(phone.get_by_text(ru("phone.choose_one"))).to_be_visible(timeout=T)
    # The option that is this text, or this trend code ("J1 · …"; not "J10 · …").
    ph.vote(phone, re.compile(rf"^\s*{re.escape(option_text)}( ·|\s*$)"))


def tidy_tick(sidebar, text: str) -> None:  # type: ignore[no-untyped-def]
    """Tick the note whose whole text is ``text`` in the facilitator's tidy-up list."""
    item = sidebar.locator(".tidy-item").filter(
        has=sidebar.page.locator(".tidy-text", has_text=re.compile(f"^{re.escape(text)}$"))
    )
    item.locator(".tidy-pick input").check()


def chosen(projector: Page, text: str) -> None:
    """The revealed vote marks ``text``'s row as the one chosen."""
    expect(projector.locator(".result.winner .result-label")).to_contain_text(text, timeout=T)


def voted_count(projector: Page, n: int, total: int = 6) -> None:
    expect(projector.locator(".big-number")).to_have_text(f"{n} / {total}", timeout=T)


def test_a_whole_workshop_runs_from_lobby_to_saved_result(server, browser) -> None:
    projector_ctx = browser.new_context(viewport=PROJECTOR, locale="ru-RU")
    projector = projector_ctx.new_page()

    # Step 1: the facilitator creates the workshop; the projector shows the QR code and code.
    projector.goto(server.base + "/")
    projector.locator(".st-key-ws_title input").fill("Инновации в доставке")
    projector.locator(".st-key-ws_product input").fill("Доставка продуктов за 2 часа")
    projector.get_by_role("combobox", name=ru("field.trend_map")).click()
    projector.get_by_role("option", name=JOURNEY_MAP).click()
    projector.get_by_role("button", name=ru("start.create_button")).click()
    # The facilitator's screen opens; the key moves out of the address bar into the browser's
    # memory. This facilitator runs everything from one screen: the room's view with the controls.
    projector.wait_for_url(re.compile(r".*/control\?.*controls=1.*"), timeout=T)
    query = parse_qs(urlsplit(projector.url).query)
    code = query["w"][0]
    assert "k" not in query
    projector.get_by_role("link", name=ru("ctl.one_screen")).click()
    projector.wait_for_url(re.compile(r".*/projector\?.*controls=1.*"), timeout=T)
    expect(projector.locator(".join-code")).to_have_text(code, timeout=T)
    expect(projector.locator(".qr img")).to_be_visible()
    join_url = projector.locator(".join-url").inner_text()
    assert join_url.endswith(f"/join?code={code}")

    # Six phones join by the join link with a name and a department.
    phones: list[Page] = []
    for name, department in PEOPLE:
        phone = ph.new_phone(browser)
        ph.join(phone, server.base, code, name, department)
        assert "p=" not in phone.url  # the token is in the phone's cookie, not in its address
        expect(phone.get_by_text(ru("phone.lobby", name=name))).to_be_visible(timeout=T)
        expect(ph.who(phone)).to_have_text(f"Инновации в доставке · {name} ({department})")
        phones.append(phone)
    expect(projector.get_by_text(ru("proj.roster", n=6))).to_be_visible(timeout=T)
    for name, department in PEOPLE:
        expect(projector.locator(".roster-row").filter(has_text=name)).to_contain_text(department)
    shot(projector, "01_projector_lobby")
    shot(phones[0], "01_phone_lobby")

    # Step 2: everyone picks four trends; phone 3 reloads in the middle and is still Вера.
    sidebar_click(projector, ru("ctl.start"))
    expect(projector.get_by_text(ru("proj.pick_title", low=4, high=5))).to_be_visible(timeout=T)
    for i, phone in enumerate(phones):
        expect(phone.get_by_text(ru("phone.pick_title", low=4, high=5))).to_be_visible(timeout=T)
        boxes = phone.locator("li.trend input[type='checkbox']")
        # Everyone picks J1 and J2; the rest vary, so J1 and J2 lead the merged ballot.
        for n, index in enumerate((0, 1, 2 + i % 3, 5 + i % 3), 1):
            tick(phone, index, picked(n))
            if i == 2 and n == 2:
                phone.reload()
                ph.ready(phone)
                expect(ph.who(phone)).to_contain_text("Вера (Сервис)", timeout=T)
                expect(phone.locator("#pick-status")).to_contain_text(picked(2), timeout=T)
                expect(boxes.nth(0)).to_be_checked()
                expect(boxes.nth(1)).to_be_checked()
        # A sixth tap is refused with a message: at most five; the box is unticked again.
        if i == 0:
            boxes.nth(9).click()
            expect(phone.locator("#pick-status")).to_contain_text(picked(5), timeout=T)
            boxes.nth(8).click()
            expect(phone.locator("#pick-status")).to_contain_text(ru("error.pick_max", high=5), timeout=T)
            expect(boxes.nth(8)).not_to_be_checked()
            boxes.nth(9).click()
            expect(phone.locator("#pick-status")).to_contain_text(picked(4), timeout=T)
    expect(projector.get_by_text(ru("proj.pick_progress", n=6, total=6, picks=24))).to_be_visible(timeout=T)
    shot(projector, "02_projector_trend_map")
    shot(phones[0], "02_phone_pick")

    # The picks merge into one ballot; a 3:3 tie starts a runoff.
    sidebar_click(projector, ru("ctl.next.trends_pick"))
    expect(projector.get_by_text(ru("proj.vote_title.trend"))).to_be_visible(timeout=T)
    expect(projector.locator(".ballot-option").filter(has_text="J1").locator(".chip")).to_have_text(
        "×6", timeout=T
    )
    sidebar_click(projector, ru("ctl.open_vote"))
    for i, phone in enumerate(phones):
        vote(phone, "J1" if i < 3 else "J2")
        voted_count(projector, i + 1)
    shot(projector, "03_projector_vote_secret")
    shot(phones[0], "03_phone_vote")
    # The count's caption follows the vote; nothing before it names a trend while the vote is secret.
    expect(projector.locator(".ballot-status")).to_have_text(ru("proj.vote_open"), timeout=T)
    assert "J1 ·" not in projector.locator(".stMain").inner_text().split(ru("proj.vote_open"))[0]
    sidebar_click(projector, ru("ctl.close_vote"))
    expect(projector.locator(".ballot-status")).to_have_text(ru("proj.vote_closed"), timeout=T)
    sidebar_click(projector, ru("ctl.reveal"))
    expect(projector.get_by_text(ru("proj.tie"))).to_be_visible(timeout=T)
    sidebar_click(projector, ru("ctl.runoff"))
    expect(projector.get_by_text(ru("proj.runoff", round=2))).to_be_visible(timeout=T)
    for i, phone in enumerate(phones):
        expect(phone.get_by_text(ru("phone.runoff", round=2))).to_be_visible(timeout=T)
        vote(phone, "J2" if i < 4 else "J1")
    voted_count(projector, 6)
    sidebar_click(projector, ru("ctl.close_vote"))
    sidebar_click(projector, ru("ctl.reveal"))
    chosen(projector, "J2")
    shot(projector, "04_projector_trend_result")

    # Step 3: obstacle notes arrive on the wall; duplicates are merged before the vote.
    sidebar_click(projector, ru("ctl.next.trends_vote"))
    obstacles = {
        0: ["Дорого для семьи", "Долго ждать курьера"],
        1: ["Дорого", "Нет доверия к свежести"],
        2: ["Неудобное приложение", HOSTILE],
        3: ["Нет доверия к свежести продуктов"],
        4: ["Долгая доставка в выходные"],
        5: ["Курьеры опаздывают"],
    }
    for i, phone in enumerate(phones):
        expect(phone.get_by_text(ru("phone.obstacle_title", low=3, high=4))).to_be_visible(timeout=T)
        expect(phone.get_by_label(ru("phone.obstacle_label"))).to_be_visible()
        for text in obstacles[i]:
            ph.write(phone, text)
    expect(projector.get_by_text(ru("wall.count.obstacle", n=9))).to_be_visible(timeout=T)
    hostile_card = projector.locator(".note-card").filter(has_text="<script>")
    expect(hostile_card).to_have_text(HOSTILE)
    assert projector.locator(".note-card b").count() == 0
    # Its author's phone shows it as the same characters: no element made from it.
    mine = phones[2].locator(".note-card[data-note]").filter(has_text="<script>")
    expect(mine).to_contain_text(HOSTILE)
    assert mine.locator("script, b, strong, em, a, img").count() == 0
    assert mine.evaluate("card => card.firstChild.textContent.trim()") == HOSTILE
    shot(projector, "05_projector_wall")
    shot(phones[2], "05_phone_obstacles")

    sidebar = projector.locator('[data-testid="stSidebar"]')
    # The tidy-up list: tick the two notes that say the same thing, merge with one click; the
    # note kept is the first ticked, «Дорого для семьи»; «Дорого» merges into it.
    tidy_tick(sidebar, "Дорого для семьи")
    tidy_tick(sidebar, "Дорого")
    sidebar.get_by_role("button", name=ru("ctl.merge_n", n=2)).click()
    expect(projector.locator(".note-card").filter(has_text="Дорого для семьи")).to_contain_text(
        f"+1 {ru('wall.similar')}", timeout=T
    )
    expect(projector.get_by_text(ru("wall.count.obstacle", n=8))).to_be_visible(timeout=T)

    sidebar_click(projector, ru("ctl.next.obstacles_write"))
    sidebar_click(projector, ru("ctl.open_vote"))
    for phone in phones:
        vote(phone, "Дорого для семьи")
    voted_count(projector, 6)
    sidebar_click(projector, ru("ctl.close_vote"))
    sidebar_click(projector, ru("ctl.reveal"))
    chosen(projector, "Дорого для семьи")

    # Step 4: the template holds the trend and the obstacle; phones propose innovations.
    sidebar_click(projector, ru("ctl.next.obstacles_vote"))
    ideas = [
        ("Экономные наборы «Я хочу сделать» с рецептами", "рецепты ведут к покупке, набор дешевле"),
        ("Подписка на семейную корзину со скидкой", "регулярность снижает цену"),
    ]
    for i, phone in enumerate(phones[:4]):
        expect(phone.get_by_text(ru("phone.innovation_title"))).to_be_visible(timeout=T)
        idea, why = ideas[i % 2]
        expect(phone.locator('[data-part="obstacle"]')).to_contain_text("Дорого для семьи")
        ph.write(phone, f"{idea} {i}", why)
    expect(projector.get_by_text(ru("wall.count.innovation", n=4))).to_be_visible(timeout=T)
    shot(projector, "06_projector_template")
    shot(phones[0], "06_phone_innovation")
    sidebar_click(projector, ru("ctl.next.innovations_write"))
    sidebar_click(projector, ru("ctl.open_vote"))
    for phone in phones:
        vote(phone, ideas[1][0] + " 1")
    sidebar_click(projector, ru("ctl.close_vote"))
    sidebar_click(projector, ru("ctl.reveal"))
    chosen(projector, f"{ideas[1][0]} 1")

    # Step 5: the presentation; the facilitator confirms the method's check and finishes.
    sidebar_click(projector, ru("ctl.next.innovations_vote"))
    expect(projector.get_by_text(ru("why.trend"))).to_be_visible(timeout=T)
    sidebar.get_by_text(ru("ctl.agree")).click()
    sidebar_click(projector, ru("ctl.finish"))
    expect(projector.get_by_text(ru("ctl.finished")).first).to_be_visible(timeout=T)
    expect(phones[0].get_by_text(ru("phone.thanks"))).to_be_visible(timeout=T)
    shot(projector, "07_projector_presentation")
    shot(phones[0], "07_phone_result")

    # The saved record: every note, pick, ballot and timing.
    engine = make_engine(server.db_url)
    with Session(engine) as session:
        workshop = session.exec(select(Workshop).where(Workshop.code == code)).one()
        assert workshop.step == "finished" and workshop.finished_at is not None
        assert workshop.agreement_confirmed
        trend = session.get(Trend, workshop.chosen_trend_id)
        assert trend is not None and trend.code == "J2"
        obstacle = session.get(Note, workshop.chosen_obstacle_id)
        assert obstacle is not None and obstacle.text == "Дорого для семьи"
        innovation = session.get(Note, workshop.chosen_innovation_id)
        assert innovation is not None and innovation.text == f"{ideas[1][0]} 1"
        assert innovation.rationale == ideas[1][1]

        def count(model, *where):  # type: ignore[no-untyped-def]
            return session.exec(select(func.count()).select_from(model).where(*where)).one()

        assert count(Participant, Participant.workshop_id == workshop.id) == 6
        assert count(Pick, Pick.workshop_id == workshop.id) == 24
        assert count(Note, Note.workshop_id == workshop.id, Note.kind == "obstacle") == 9
        merged = session.exec(select(Note).where(Note.text == "Дорого")).one()
        assert merged.merged_into_id == obstacle.id
        hostile = session.exec(select(Note).where(Note.text == HOSTILE)).one()
        assert hostile.original_text == HOSTILE
        trend_polls = session.exec(
            select(Poll).where(Poll.workshop_id == workshop.id, Poll.subject == "trend")
        ).all()
        assert [p.round for p in trend_polls] == [1, 2]
        assert trend_polls[0].tie and trend_polls[1].decided_by == "vote"
        ballots = count(Ballot, Ballot.poll_id.in_([p.id for p in trend_polls]))
        assert ballots == 12
        events = session.exec(select(StepLog.event).where(StepLog.workshop_id == workshop.id)).all()
        assert events.count("entered") == 8
        assert "runoff" in events and "merged" in events
    engine.dispose()
