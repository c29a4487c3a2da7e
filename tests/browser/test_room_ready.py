"""Made for the room: every phone screen at 360 px without sideways scrolling and with tap
targets of 44 px, every projector screen in large type with its countdown, and axe-core finding
no serious or critical accessibility violations on any of them."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.scenario import build_workshop
from tests.support import PROJECTOR, ROOT, Server, settled

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
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

TAP_TARGETS = """
() => {
  const seen = [];
  let checked = 0;
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && style.opacity !== '0';
  };
  const targets = document.querySelectorAll(
    '.stMain button, .stMain textarea, .stMain input:not([type=checkbox]):not([type=radio]),'
    + ' .stMain [data-testid="stCheckbox"] label, .stMain [role="radiogroup"] label, .stMain a[href]');
  for (const el of targets) {
    if (!visible(el) || el.closest('[data-testid="stTooltipIcon"]')) continue;
    const r = el.getBoundingClientRect();
    checked += 1;
    if (r.height < 44 || r.width < 44) {
      const name = (el.innerText || el.getAttribute('aria-label') || '').slice(0, 40);
      seen.push(`${el.tagName.toLowerCase()} "${name}" ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  return {small: seen, checked};
}
"""

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


def serious_violations(page: Page) -> list[str]:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make test` (it installs node_modules with npm)")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .filter(v => v.impact === 'serious' || v.impact === 'critical')
             .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')}`)"""
    )
    return list(found)


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
def test_phone_screen_fits_360px_with_44px_tap_targets_and_no_serious_axe_violations(
    room, browser, stop
) -> None:
    server, built = room
    context = browser.new_context(viewport=NARROW_PHONE, locale="ru-RU", is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.goto(f"{server.base}/phone?p={built[stop].tokens[0]}")
    settle(phone)

    overflow = phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    targets = phone.evaluate(TAP_TARGETS)
    violations = serious_violations(phone)
    context.close()

    assert overflow <= 0, f"{stop}: {overflow}px of sideways scrolling"
    assert targets["checked"] >= 1, f"{stop}: no tap targets found"
    assert targets["small"] == [], f"{stop}: tap targets under 44 px: {targets['small']}"
    assert violations == [], f"{stop}: {violations}"


@pytest.mark.parametrize("stop", STOPS)
def test_projector_screen_is_large_type_with_a_countdown_and_no_serious_axe_violations(
    room, browser, stop
) -> None:
    server, built = room
    context = browser.new_context(viewport=PROJECTOR, locale="ru-RU")
    projector = context.new_page()
    projector.goto(f"{server.base}/projector?{built[stop].room_query}")
    settle(projector)

    small = projector.evaluate(SMALL_TEXT)
    timer = projector.locator('[role="timer"]').first.inner_text() if stop in TIMED else ""
    violations = serious_violations(projector)
    context.close()

    assert small == [], f"{stop}: body text under 28 px: {small}"
    if stop in TIMED:
        assert ":" in timer, f"{stop}: no countdown ({timer!r})"
    assert violations == [], f"{stop}: {violations}"


@pytest.mark.parametrize("path", ["/", "/join?code={code}", "/maps", "/control?w={code}&k={key}"])
def test_start_join_maps_and_control_screens_have_no_serious_axe_violations(room, browser, path) -> None:
    server, built = room
    lobby = built["lobby"]
    context = browser.new_context(
        viewport=PROJECTOR if path in ("/", "/maps") else NARROW_PHONE, locale="ru-RU"
    )
    page = context.new_page()
    page.goto(server.base + path.format(code=lobby.code, key=lobby.key))
    settle(page)

    violations = serious_violations(page)
    context.close()

    assert violations == []


def test_projector_chimes_once_when_time_is_up_and_offers_full_screen(tmp_path, browser) -> None:
    from sqlmodel import Session

    from workshop import services
    from workshop.db import make_engine
    from workshop.models import Workshop

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
        fullscreen = room.get_by_role("button", name="Во весь экран")
        assert room.locator('[role="timer"]').first.get_attribute("data-state") == "paused"

        chair.locator('[data-testid="stSidebar"]').get_by_role("button", name="Дальше", exact=True).click()

        for page in (room, chair):
            page.wait_for_function("() => document.body.dataset.chimed === '1'", timeout=30_000)
            page.get_by_text("Время вышло").first.wait_for(timeout=10_000)
        settled(room)
        chimes = room.evaluate("() => document.body.dataset.chimed")
        has_fullscreen = fullscreen.count()
    finally:
        server.close()

    assert chimes == "1"
    assert has_fullscreen == 1
