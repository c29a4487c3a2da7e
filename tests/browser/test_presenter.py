"""The facilitator and the room apart: the start page leads to the facilitator's own screen, the
room's view opens from there with one click, no projector screen ever carries a key, a token or
a secret link, the controls sharing a projected screen leave a full group's work in sight, and
every control does its work on the first click."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from tests.conftest import empty_database_url
from tests.scenario import STOPS, Built, build_workshop
from tests.support import ARTIFACTS, PROJECTOR, Server, settled
from tests.texts import ru
from workshop import services
from workshop.db.engine import make_engine
from workshop.db.models import Note, Participant, Poll, StepLog, Workshop

T = 15_000
NOTES = [
    "Слишком дорого для семьи с детьми",
    "Долго ждать курьера вечером",
    "Нет доверия к свежести продуктов",
    "Неудобное приложение, сложно найти товар",
    "Курьеры опаздывают и не звонят",
    "Нет доставки за город",
    "Минимальная сумма заказа слишком высокая",
]
IDEAS = [
    "Семейная подписка со скидкой на доставку",
    "Наборы с рецептами дешевле магазина",
    "Доставка в пункт выдачи у дома за полцены",
]


# Whether an element stays where it is for a few frames: nothing moves under the pointer.
STILL = """
async (el) => {
  const at = () => { const r = el.getBoundingClientRect(); return [r.x, r.y, r.width, r.height].join(); };
  const first = at();
  for (let i = 0; i < 6; i++) await new Promise((done) => requestAnimationFrame(done));
  return at() === first;
}
"""


def click_once(page: Page, locator) -> None:  # type: ignore[no-untyped-def]
    """One click, on a target that has stopped moving — as a person clicks."""
    expect(locator).to_be_enabled(timeout=T)
    settled(page)
    assert locator.evaluate(STILL), "the control moved under the pointer"
    locator.click()


def no_error(page: Page) -> None:
    settled(page)
    alerts = page.locator('[data-testid="stAlertContentError"]')
    assert alerts.count() == 0, alerts.all_inner_texts()


def secrets_of(built: Built) -> list[str]:
    return [built.key, built.room, *built.tokens]


def test_the_start_page_leads_to_the_facilitators_screen_and_the_room_opens_from_there(
    server, browser
) -> None:
    chair = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
    chair.goto(server.base + "/")

    chair.locator(".st-key-ws_title input").fill("Доставка за час")
    chair.locator(".st-key-ws_product input").fill("Доставка продуктов")
    create = chair.get_by_role("button", name=ru("start.create_button"))
    box = create.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PROJECTOR["height"]  # no scrolling to find it
    create.click()

    chair.wait_for_url(re.compile(r".*/control\?.*controls=1.*"), timeout=T)
    room_link = chair.get_by_role("link", name=ru("ctl.open_room"))
    expect(room_link).to_be_visible(timeout=T)
    href = room_link.get_attribute("href")
    assert href is not None and "r=" in href and "k=" not in href
    room = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
    room.goto(href)
    expect(room.locator(".join-code")).to_be_visible(timeout=T)
    room.wait_for_url(re.compile(r".*room=1.*"), timeout=T)  # its key left the address bar too
    assert "r=" not in room.url
    expect(room.get_by_role("button", name=ru("ctl.start"))).to_have_count(0)


@pytest.fixture(scope="module")
def every_step(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, Built]]]:
    folder: Path = tmp_path_factory.mktemp("steps")
    db_url = empty_database_url(folder, "steps.db")
    built = {stop: build_workshop(db_url, stop=stop, people=6) for stop in STOPS}
    server = Server(db_url, folder / "server.log")
    server.start()
    yield server, built
    server.close()


@pytest.mark.parametrize("stop", STOPS)
def test_no_projector_screen_carries_a_key_a_token_or_a_secret_link(every_step, screens, stop) -> None:
    server, built = every_step
    workshop = built[stop]
    seen = []
    for query in (workshop.room_query, f"w={workshop.code}&k={workshop.key}"):
        page = screens()
        page.goto(f"{server.base}/projector?{query}")
        expect(page.locator('[role="timer"]').first).to_be_attached(timeout=T)
        settled(page)
        seen.append((page.url, page.content()))
        page.close()

    for url, dom in seen:
        for secret in secrets_of(workshop):
            assert secret not in dom and secret not in url, stop
        assert "/control?" not in dom, stop


def full_workshop(db_url: str) -> tuple[Built, int]:
    """Seven people, every note and idea the defaults allow: 28 obstacles, then 21 ideas."""
    built = build_workshop(
        db_url, stop="obstacles_write", people=6, settings=services.Settings(write_minutes=60)
    )
    engine = make_engine(db_url)
    with Session(engine) as session:
        seventh, _ = services.join(session=session, code=built.code, name="Жанна", department="Продажи")
        people = [*built.participant_ids, seventh.id]
        written = session.exec(select(Note.participant_id).where(Note.workshop_id == built.workshop_id)).all()
        k = 0
        for pid in people:
            for _ in range(4 - list(written).count(pid)):
                services.add_note(session=session, participant_id=pid, text=f"{NOTES[k % 7]} ({k})")
                k += 1
    engine.dispose()
    return built, 7


def on_screen(page: Page, selector: str) -> list[int]:
    """How many of ``selector`` there are, and how many lie wholly inside the 1920x1080 screen."""
    return page.evaluate(
        """(selector) => {
            const all = [...document.querySelectorAll(selector)];
            const inside = all.filter((el) => {
                const r = el.getBoundingClientRect();
                const inView = r.bottom <= window.innerHeight && r.right <= window.innerWidth;
                return r.height > 0 && r.top >= 0 && inView;
            });
            return [all.length, inside.length];
        }""",
        selector,
    )


def test_with_the_controls_open_a_full_groups_notes_ideas_and_options_are_all_in_sight(
    server, browser
) -> None:
    built, people = full_workshop(server.db_url)
    chair = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
    chair.goto(f"{server.base}/projector?w={built.code}&k={built.key}")
    sidebar = chair.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_role("button", name=ru("ctl.next.obstacles_write"))).to_be_visible(timeout=T)

    expect(chair.locator(".note-card")).to_have_count(28, timeout=T)
    settled(chair)
    notes = on_screen(chair, ".note-wall .note-card")
    chair.screenshot(path=str(ARTIFACTS / "controls_open_full_notes.png"))
    click_once(chair, sidebar.get_by_role("button", name=ru("ctl.next.obstacles_write")))
    expect(chair.locator(".ballot-option")).to_have_count(28, timeout=T)
    settled(chair)
    options = on_screen(chair, ".ballot-option")

    engine = make_engine(server.db_url)
    with Session(engine) as session:
        wid = built.workshop_id
        poll = services.current_poll(session=session, workshop=session.get(Workshop, wid))
        first = services.options_of(session=session, poll_id=poll.id)[0].id
        services.open_poll(session=session, workshop_id=wid, poll_id=poll.id)
        ids = [p.id for p in services.roster(session=session, workshop_id=wid)]
        for pid in ids:
            services.cast_ballot(session=session, participant_id=pid, poll_id=poll.id, marks={first: 1})
        services.close_poll(session=session, workshop_id=wid, poll_id=poll.id)
        services.advance(session=session, workshop_id=wid)
        for i, pid in enumerate(ids):
            for j in range(3):
                services.add_note(
                    session=session,
                    participant_id=pid,
                    text=f"{IDEAS[(i + j) % 3]} {i}{j}",
                    rationale="потому что",
                )
    engine.dispose()
    chair.reload()
    expect(chair.locator(".note-card")).to_have_count(3 * people, timeout=T)
    settled(chair)
    ideas = on_screen(chair, ".note-wall .note-card")
    chair.screenshot(path=str(ARTIFACTS / "controls_open_full_ideas.png"))

    assert notes == [28, 28]
    assert options == [28, 28]
    assert ideas == [21, 21]


def locked(engine, workshop_id: int) -> bool:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        return bool(workshop and workshop.locked)


def admission(engine, name: str) -> str | None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.exec(select(Participant.admission).where(Participant.name == name)).first()


def test_every_control_works_on_the_first_click(server, browser) -> None:
    built = build_workshop(server.db_url, stop="obstacles_write", people=6)
    chair = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
    chair.goto(f"{server.base}/projector?w={built.code}&k={built.key}")
    sidebar = chair.locator('[data-testid="stSidebar"]')
    tidy = sidebar.locator('[data-part="tidy"]')
    expect(tidy.locator(".tidy-item")).to_have_count(6, timeout=T)

    def item(text: str):  # type: ignore[no-untyped-def]
        return tidy.locator(".tidy-item").filter(
            has=chair.locator(".tidy-text", has_text=re.compile(f"^{re.escape(text)}$"))
        )

    # Merge: tick two, one click.
    click_once(chair, item("Дорого для семьи").locator(".tidy-pick input"))
    click_once(chair, item("Дорого").locator(".tidy-pick input"))
    click_once(chair, tidy.get_by_role("button", name=ru("ctl.merge_n", n=2)))
    expect(chair.locator(".note-card").filter(has_text="Дорого для семьи")).to_contain_text("+1", timeout=T)
    no_error(chair)
    # Fix a typo: one click to open, one to save.
    click_once(chair, item("Курьеры опаздывают").locator(".tidy-edit"))
    item("Курьеры опаздывают").locator("textarea").fill("Курьеры опаздывают на час")
    click_once(chair, item("Курьеры опаздывают").get_by_role("button", name=ru("ctl.edit_save")))
    expect(chair.locator(".note-card").filter(has_text="Курьеры опаздывают на час")).to_be_visible(timeout=T)
    no_error(chair)
    # Lock the room: one click; a late joiner waits, one click lets her in.
    click_once(chair, sidebar.get_by_text(ru("ctl.lock")))
    engine = make_engine(server.db_url)
    # The switch shows at once; the room is locked once the server has run the click.
    deadline = time.monotonic() + T / 1000
    while not locked(engine, built.workshop_id):
        assert time.monotonic() < deadline, "the room was not locked"
        chair.wait_for_timeout(50)
    with Session(engine) as session:
        services.join(session=session, code=built.code, name="Поздняя", department="ИТ")
    engine.dispose()
    chair.reload()  # the join came through another door than this server: read it
    waiting = sidebar.locator(".waiting-item")
    expect(waiting.filter(has_text="Поздняя")).to_be_visible(timeout=T)
    click_once(chair, sidebar.get_by_role("button", name=ru("ctl.let_in")))
    # She is in once the server has run the click (her name is on no list of this step's screen
    # then: the door's list was the one place it showed).
    engine = make_engine(server.db_url)
    deadline = time.monotonic() + T / 1000
    while admission(engine, "Поздняя") != services.LET_IN:
        assert time.monotonic() < deadline, f"not let in: {admission(engine, 'Поздняя')}"
        chair.wait_for_timeout(50)
    engine.dispose()
    # The door's list empties when the live data says she is in; on a busy machine that can be
    # after the page's run has settled, and the controls below it move up then: wait for it.
    expect(waiting).to_have_count(0, timeout=T)
    no_error(chair)
    # The vote, a tie and the facilitator's decision: one click each.
    click_once(chair, sidebar.get_by_role("button", name=ru("ctl.next.obstacles_write")))
    click_once(chair, sidebar.get_by_role("button", name=ru("ctl.open_vote")))
    expect(sidebar.get_by_role("button", name=ru("ctl.close_vote"))).to_be_visible(timeout=T)
    engine = make_engine(server.db_url)
    with Session(engine) as session:
        poll = session.exec(
            select(Poll).where(Poll.workshop_id == built.workshop_id, Poll.status == "open")
        ).one()
        options = [o.id for o in services.options_of(session=session, poll_id=poll.id)]
        for i, pid in enumerate(built.participant_ids):
            services.cast_ballot(
                session=session, participant_id=pid, poll_id=poll.id, marks={options[i % 2]: 1}
            )
        poll_id = poll.id
    engine.dispose()
    click_once(chair, sidebar.get_by_role("button", name=ru("ctl.close_vote")))
    click_once(chair, sidebar.get_by_role("button", name=ru("ctl.reveal")))
    decide = sidebar.locator('[class*="st-key-decide_"] button').first
    click_once(chair, decide)
    expect(chair.locator(".result.winner")).to_have_count(1, timeout=T)
    no_error(chair)
    engine = make_engine(server.db_url)
    with Session(engine) as session:
        poll = session.get(Poll, poll_id)
        notes = {n.text: n for n in session.exec(select(Note).where(Note.workshop_id == built.workshop_id))}
        assert poll is not None and poll.decided_by == "facilitator"
        assert notes["Дорого"].merged_into_id == notes["Дорого для семьи"].id
        assert "Курьеры опаздывают на час" in notes
    engine.dispose()


@pytest.mark.parametrize("attempt", range(3))
def test_finishing_says_saved_and_nothing_else(server, browser, attempt) -> None:
    built = build_workshop(server.db_url, stop="presentation", people=6)
    chair = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
    chair.goto(f"{server.base}/projector?w={built.code}&k={built.key}")
    sidebar = chair.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text(ru("ctl.agree"))).to_be_visible(timeout=T)

    sidebar.get_by_text(ru("ctl.agree")).click()
    click_once(chair, sidebar.get_by_role("button", name=ru("ctl.finish")))

    expect(chair.get_by_text(ru("proj.finished")).first).to_be_visible(timeout=T)
    no_error(chair)


def test_a_suggested_merge_is_accepted_with_one_click_and_another_turned_down_with_one(
    server, browser
) -> None:
    built = build_workshop(server.db_url, stop="obstacles_write", people=6)
    engine = make_engine(server.db_url)
    with Session(engine) as session:
        late = [
            "Нет парковки у пункта выдачи",
            "Негде припарковаться у пункта выдачи",
            "<b>Дорого</b> **очень**",
        ]
        for pid, text in zip(built.participant_ids, late, strict=False):
            services.add_note(session=session, participant_id=pid, text=text)
    chair = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
    chair.goto(f"{server.base}/projector?w={built.code}&k={built.key}")
    sidebar = chair.locator('[data-testid="stSidebar"]')
    offered = sidebar.locator(".tidy-suggested .suggest-item")
    price = offered.filter(has_text="Дорого для семьи")
    parking = offered.filter(has_text="парковки")

    # The price notes in other words are offered as one merge, their texts as typed.
    expect(price.locator(".suggest-text")).to_have_text(
        ["Дорого для семьи", "Дорого", "<b>Дорого</b> **очень**"], timeout=T
    )
    assert price.locator("b, strong, em").count() == 0
    expect(parking.locator(".suggest-text")).to_have_text(
        ["Нет парковки у пункта выдачи", "Негде припарковаться у пункта выдачи"]
    )
    chair.screenshot(path=str(ARTIFACTS / "suggested_merges_facilitator.png"))
    click_once(chair, price.get_by_role("button", name=ru("ctl.suggest_merge")))
    expect(chair.locator(".note-card").filter(has_text="Дорого для семьи")).to_contain_text("+2", timeout=T)
    expect(price).to_have_count(0, timeout=T)
    no_error(chair)

    # Turned down: gone at once, and still gone for a screen opened afresh.
    click_once(chair, parking.get_by_role("button", name=ru("ctl.suggest_dismiss")))
    expect(parking).to_have_count(0, timeout=T)
    no_error(chair)
    chair.reload()
    expect(sidebar.locator('[data-part="tidy"] .tidy-item').first).to_be_visible(timeout=T)
    settled(chair)
    expect(parking).to_have_count(0)

    with Session(engine) as session:
        notes = {n.text: n for n in session.exec(select(Note).where(Note.workshop_id == built.workshop_id))}
        kept = notes["Дорого для семьи"].id
        assert notes["Дорого"].merged_into_id == kept
        assert notes["<b>Дорого</b> **очень**"].merged_into_id == kept
        assert notes["Нет парковки у пункта выдачи"].merged_into_id is None
        dismissed = session.exec(select(StepLog.detail).where(StepLog.event == "dismissed")).all()
        pair = sorted(notes[text].id for text in late[:2])
        assert dismissed == [f"{pair[0]}-{pair[1]}"]
    engine.dispose()
