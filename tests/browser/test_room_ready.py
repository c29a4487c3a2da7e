"""Made for the room: every projector screen in large type with its countdown, and axe-core
finding no serious or critical accessibility violations on it nor on the start, maps and control
screens. (The phones' light pages, at 360 px with 44 px tap targets and axe: test_phone_pages.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.scenario import build_workshop
from tests.support import PROJECTOR, Server, serious_axe_violations, settled
from tests.texts import ru

NARROW_PHONE = {"width": 360, "height": 740}
STOPS = [
    "lobby",
    "trends_pick",
    "trends_vote_open",
    "obstacles_write",
    "innovations_write",
    "innovations_vote_revealed",
    "presentation",
    "finished",
]
TIMED = {"trends_pick", "trends_vote_open", "obstacles_write", "innovations_write"}

SMALL_TEXT = """
() => [...document.querySelectorAll('.stMain p, .stMain li, .stMain .note-card, .stMain .roster-row')]
  .filter(el => el.getBoundingClientRect().height > 0 && el.innerText.trim())
  .filter(el => parseFloat(getComputedStyle(el).fontSize) < 28)
  .map(el => `${el.innerText.slice(0, 40)} (${getComputedStyle(el).fontSize})`)
"""


def settle(page: Page) -> None:
    """The page has run and stopped changing: what axe and the checks look at is what stays on
    screen (not a page dimmed by a run in progress)."""
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=30_000)
    settled(page, timeout_ms=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.fixture(scope="module")
def room(tmp_path_factory):  # type: ignore[no-untyped-def]
    folder: Path = tmp_path_factory.mktemp("room")
    db_url = f"sqlite:///{folder / 'room.db'}"
    built = {stop: build_workshop(db_url, stop=stop, people=6) for stop in STOPS}
    server = Server(db_url, folder / "server.log")
    server.start()
    yield server, built
    server.close()


@pytest.mark.parametrize("stop", STOPS)
def test_projector_screen_is_large_type_with_a_countdown_and_no_serious_axe_violations(
    room, screens, stop
) -> None:
    server, built = room
    projector = screens()
    projector.goto(f"{server.base}/projector?{built[stop].room_query}")
    settle(projector)

    small = projector.evaluate(SMALL_TEXT)
    timer = projector.locator('[role="timer"]').first.inner_text() if stop in TIMED else ""
    violations = serious_axe_violations(projector)
    projector.close()

    assert small == [], f"{stop}: body text under 28 px: {small}"
    if stop in TIMED:
        assert ":" in timer, f"{stop}: no countdown ({timer!r})"
    assert violations == [], f"{stop}: {violations}"


@pytest.mark.parametrize("path", ["/", "/maps", "/control?w={code}&k={key}"])
def test_start_maps_and_control_screens_have_no_serious_axe_violations(room, screens, path) -> None:
    server, built = room
    lobby = built["lobby"]
    page = screens(viewport=PROJECTOR if path in ("/", "/maps") else NARROW_PHONE)
    page.goto(server.base + path.format(code=lobby.code, key=lobby.key))
    settle(page)

    violations = serious_axe_violations(page)
    page.close()

    assert violations == []


def test_projector_chimes_once_when_time_is_up_and_offers_full_screen(tmp_path, browser) -> None:
    from sqlmodel import Session

    from workshop import services
    from workshop.db.engine import make_engine
    from workshop.db.models import Workshop

    db_url = f"sqlite:///{tmp_path / 'chime.db'}"
    built = build_workshop(db_url, stop="obstacles_write", people=6)
    with Session(make_engine(db_url)) as session:
        services.set_display(session=session, workshop_id=built.workshop_id, sound=True)
        # Paused with 3 s left: the countdown starts when the facilitator resumes, whatever the
        # time the pages took to open.
        workshop = session.get(Workshop, built.workshop_id)
        workshop.deadline, workshop.paused_remaining = None, 3.0
        session.add(workshop)
        session.commit()
    server = Server(db_url, tmp_path / "server.log")
    server.start()
    try:
        room = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
        room.goto(f"{server.base}/projector?{built.room_query}")
        settle(room)
        chair = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
        chair.goto(f"{server.base}/projector?w={built.code}&k={built.key}")
        settle(chair)
        fullscreen = room.get_by_role("button", name=ru("proj.fullscreen"))
        assert room.locator('[role="timer"]').first.get_attribute("data-state") == "paused"

        chair.locator('[data-testid="stSidebar"]').get_by_role(
            "button", name=ru("ctl.resume"), exact=True
        ).click()

        for page in (room, chair):
            page.wait_for_function("() => document.body.dataset.chimed === '1'", timeout=30_000)
            page.get_by_text(ru("timer.up")).first.wait_for(timeout=10_000)
        settled(room)
        chimes = room.evaluate("() => document.body.dataset.chimed")
        has_fullscreen = fullscreen.count()
    finally:
        server.close()

    assert chimes == "1"
    assert has_fullscreen == 1
