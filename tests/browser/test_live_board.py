"""The big screens patched live: the room's projector and the facilitator's projector follow
three phones (the phone pages' own requests, no browser) through joining, picking, voting and
writing notes without a single page run of their own, show participant text and map labels
literally, and run their layout anew only when the facilitator moves the workshop on."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.phones import HttpPhone, text_of
from tests.scenario import build_workshop
from tests.support import PROJECTOR, CuttableProxy, settled
from tests.texts import ru
from workshop import services
from workshop.db.engine import make_engine, upgrade
from workshop.maps.store import save_map, trends_of
from workshop.rules.security import room_key

T = 15_000
IMG = '<img src=x onerror="document.body.dataset.owned=1">'
HOSTILE_NAMES = [f"{IMG}Аня", "**Борис** [сайт](http://e.vil)", "<b>Вера</b>"]
HOSTILE_NOTE = f"{IMG} **жирный** [ссылка](http://e.vil) <script>alert(1)</script>"
MAP = {
    "id": "hostile-map",
    "title": {"ru": "Карта <b>с подвохом</b>", "en": "A map with <b>a catch</b>"},
    "description": {"ru": "Проверка", "en": "Check"},
    "source": "Тест",
    "year": 2026,
    "categories": [
        {"id": "a", "title": {"ru": "<i>Курсив</i> раздел", "en": "<i>Italic</i> section"}},
        {"id": "b", "title": {"ru": "Раздел Б", "en": "Section B"}},
    ],
    "trends": [
        {
            "code": "H1",
            "category": "a",
            "title": {"ru": IMG + "Тренд", "en": "T"},
            "description": {"ru": "о", "en": "a"},
        },
        {
            "code": "H2",
            "category": "a",
            "title": {"ru": "[клик](http://e.vil)", "en": "T"},
            "description": {"ru": "о", "en": "a"},
        },
        {
            "code": "H3",
            "category": "b",
            "title": {"ru": "**Жирный**", "en": "T"},
            "description": {"ru": "о", "en": "a"},
        },
        {
            "code": "H4",
            "category": "b",
            "title": {"ru": "Обычный", "en": "T"},
            "description": {"ru": "о", "en": "a"},
        },
    ],
}


class Reruns:
    """Counts what a page sends over Streamlit's websocket: every page run it asks for."""

    def __init__(self, page: Page) -> None:
        self.sent = 0
        page.on("websocket", lambda ws: ws.on("framesent", self._count))

    def _count(self, _frame) -> None:  # type: ignore[no-untyped-def]
        self.sent += 1


def join(base: str, code: str, name: str) -> HttpPhone:
    phone = HttpPhone(base)
    page = phone.join(code, name, "ИТ <b>")
    assert ru("phone.lobby", name=name) in text_of(page)
    return phone


def literal(page: Page, selector: str) -> list[str]:
    """The texts under ``selector``, after checking that no participant text became markup."""
    assert (
        page.locator(f"{selector} img, {selector} a, {selector} b, {selector} i, {selector} script").count()
        == 0
    )
    assert page.evaluate("document.body.dataset.owned") is None
    return page.locator(selector).all_text_contents()


def test_the_projectors_follow_phones_as_data_and_rerun_only_for_a_new_layout(server, browser) -> None:
    engine = make_engine(server.db_url)
    upgrade(engine)
    with Session(engine) as session:
        version = save_map(session=session, data=MAP)
        workshop, key = services.create_workshop(
            session=session,
            title="Живая стена",
            product="Доставка",
            map_version_id=version.id,
            settings=services.Settings(picks_min=1, picks_max=2, notes_max=4),
        )
        trend_ids = {t.code: t.id for t in trends_of(session=session, version_id=version.id)}
    code = workshop.code
    room = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
    chair = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
    room_runs, chair_runs = Reruns(room), Reruns(chair)
    room.goto(f"{server.base}/projector?w={code}&r={room_key(key, code)}")
    chair.goto(f"{server.base}/projector?w={code}&k={key}")
    for page in (room, chair):
        expect(page.get_by_text(ru("proj.roster_empty"))).to_be_visible(timeout=T)
    chair.wait_for_url(re.compile(r".*controls=1.*"), timeout=T)
    settled(room)
    before = (room_runs.sent, chair_runs.sent)

    # Three phones join: the roster fills in on both screens, names shown literally.
    phones = [join(server.base, code, name) for name in HOSTILE_NAMES]
    for page in (room, chair):
        expect(page.locator(".roster-row")).to_have_count(3, timeout=T)
        literal(page, ".roster")
        assert page.locator(".roster-row .name").all_text_contents() == HOSTILE_NAMES
        assert page.locator(".roster-row .dept").all_text_contents() == ["· ИТ <b>"] * 3
        expect(page.get_by_text(ru("proj.roster", n=3))).to_be_visible()
    # The room's projector did not run; the facilitator's ran at most once, when the first person
    # in made "start" possible.
    assert room_runs.sent == before[0]
    assert chair_runs.sent - before[1] <= 1

    # The facilitator starts step 2: a control, so the screens draw their new layout.
    chair.locator('[data-testid="stSidebar"]').get_by_role("button", name=ru("ctl.start")).click()
    for page in (room, chair):
        expect(page.locator(".metro-station")).to_have_count(4, timeout=T)
    settled(room)
    assert room_runs.sent - before[0] >= 1  # the room's projector ran once for the new step
    before = (room_runs.sent, chair_runs.sent)

    # Phones pick: the stations fill on both screens, no page runs; map labels stay literal.
    for phone, codes in zip(phones, (["H1", "H2"], ["H1"], ["H3"]), strict=True):
        for n, trend in enumerate(codes, 1):
            picked = ru("phone.picked_n", n=n, low=1, high=2)
            assert picked in text_of(phone.pick(trend_ids[trend]))
    for page in (room, chair):
        expect(page.locator('.metro-station[data-code="H1"] .metro-count')).to_have_text("2", timeout=T)
        expect(page.locator('.metro-station[data-code="H3"] .metro-count')).to_have_text("1", timeout=T)
        expect(page.get_by_text(ru("proj.pick_progress", n=3, total=3, picks=4))).to_be_visible(timeout=T)
        titles = literal(page, ".metro")
        assert IMG + "Тренд" in " ".join(titles) and "[клик](http://e.vil)" in " ".join(titles)
        assert "<i>Курсив</i> раздел" in page.locator(".metro-name").all_text_contents()
    # Likewise: the first complete pick made "next: the vote" possible.
    assert room_runs.sent == before[0]
    assert chair_runs.sent - before[1] <= 1

    # The vote on the trend: the ballot count is patched while phones vote.
    sidebar = chair.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("button", name=ru("ctl.next.trends_pick")).click()
    sidebar.get_by_role("button", name=ru("ctl.open_vote")).click()
    expect(room.locator(".big-number")).to_have_text("0 / 3", timeout=T)
    expect(sidebar.get_by_text(ru("ctl.ballots", n=0, total=3))).to_be_visible(timeout=T)
    settled(room)
    before = (room_runs.sent, chair_runs.sent)
    with Session(engine) as session:
        poll = services.current_poll(
            session=session, workshop=services.workshop_by_code(session=session, code=code)
        )
        first = services.options_of(session=session, poll_id=poll.id)[0].id
    for n, phone in enumerate(phones, 1):
        assert ru("phone.vote_saved") in text_of(phone.vote(poll.id, first))
        expect(room.locator(".big-number")).to_have_text(f"{n} / 3", timeout=T)
        expect(sidebar.get_by_text(ru("ctl.ballots", n=n, total=3))).to_be_visible(timeout=T)
    assert (room_runs.sent, chair_runs.sent) == before

    # Step 3: notes arrive on the wall and in the facilitator's tidy-up list as text.
    sidebar.get_by_role("button", name=ru("ctl.close_vote")).click()
    sidebar.get_by_role("button", name=ru("ctl.next.trends_vote")).click()
    expect(room.get_by_text(ru("wall.empty.obstacle"))).to_be_visible(timeout=T)
    settled(room)
    settled(chair)
    before = (room_runs.sent, chair_runs.sent)
    for phone, text in zip(phones, (HOSTILE_NOTE, "Дорого", "Долго"), strict=True):
        assert ru("phone.note_saved") in text_of(phone.note(text))
    expect(room.locator(".note-card")).to_have_count(3, timeout=T)
    expect(chair.locator(".tidy-item")).to_have_count(3, timeout=T)
    assert HOSTILE_NOTE in " ".join(literal(room, ".note-wall"))
    assert HOSTILE_NOTE in " ".join(literal(chair, ".tidy-list"))
    expect(room.get_by_text(ru("wall.count.obstacle", n=3))).to_be_visible()
    # The room's projector did not run at all; the facilitator's ran once, when the first note
    # made "next: the vote" possible.
    assert room_runs.sent == before[0]
    assert chair_runs.sent - before[1] <= 1
    for phone in phones:
        phone.client.close()
    engine.dispose()


def _outside_note(db_url: str, participant_id: int, text: str) -> None:
    """A note written past this server's hub (as another process on the same SQLite file would):
    no event reaches the screens, only the data changes."""
    engine = make_engine(db_url)
    with Session(engine) as session:
        services.add_note(session=session, participant_id=participant_id, text=text)
    engine.dispose()


def test_a_change_the_stream_never_announced_is_found_by_the_safety_net(server, browser) -> None:
    built = build_workshop(server.db_url, stop="obstacles_write", people=6)
    room = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
    room.goto(f"{server.base}/projector?{built.room_query}")
    expect(room.locator(".note-card")).to_have_count(6, timeout=T)

    _outside_note(server.db_url, built.participant_ids[1], "Мимо потока")

    # The slow poll runs every 20 s: the note is on the wall within one period.
    expect(room.locator(".note-card").filter(has_text="Мимо потока")).to_be_visible(timeout=30_000)


def test_a_screen_whose_connection_dropped_shows_what_changed_meanwhile(server, browser) -> None:
    built = build_workshop(server.db_url, stop="obstacles_write", people=6)
    wifi = CuttableProxy(server.port)
    room = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
    room.goto(f"{wifi.base}/projector?{built.room_query}")
    expect(room.locator(".note-card")).to_have_count(6, timeout=T)

    _outside_note(server.db_url, built.participant_ids[2], "Пока сеть лежала")
    assert wifi.cut() >= 2  # the page's websocket and its event stream at least

    # The stream connects again within seconds and starts with the current board: long before
    # the 20 s safety net would have found the note.
    try:
        expect(room.locator(".note-card").filter(has_text="Пока сеть лежала")).to_be_visible(timeout=10_000)
    finally:
        wifi.close()
