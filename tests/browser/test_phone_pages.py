"""The participants' light pages in Chromium, made for a phone in the room: every screen (join,
the lobby, picking, writing, a vote with one choice or with dots, the result) at 360x740 without
sideways scrolling, every visible tap target at least 44 px tall, axe-core finding no serious or
critical violations, in Russian and in English; and a note being typed when the facilitator's
timer runs out keeps its text, also after a reload."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.phones import flash, new_phone, open_phone, ready
from tests.scenario import build_workshop
from tests.support import ARTIFACTS, Server, serious_axe_violations
from workshop import services
from workshop.db.engine import make_engine
from workshop.db.models import Workshop
from workshop.i18n import t

T = 15_000
NARROW_PHONE = {"width": 360, "height": 740}
# Each screen a phone can show: the stop its workshop is built to (tests.scenario), the settings.
SCREENS = {
    "join": ("lobby", None),
    "join_again": ("lobby", None),
    "lobby": ("lobby", None),
    "pick": ("trends_pick", None),
    "vote_single": ("trends_vote_open", None),
    "vote_dots": ("trends_vote_open", services.Settings(votes_per_person=3, cap_per_option=2)),
    "write": ("obstacles_write", None),
    "write_idea": ("innovations_write", None),
    "vote_revealed": ("innovations_vote_revealed", None),
    "result": ("presentation", None),
    "finished": ("finished", None),
}
TIMED = {"pick", "vote_single", "vote_dots", "write", "write_idea"}
# What each screen must show, so that a broken screen does not pass for a small one.
EXPECTED = {
    "join": "form#join-form",
    "join_again": "a#continue",
    "lobby": "main#screen[data-step='lobby']",
    "pick": "li.trend input[type='checkbox']",
    "vote_single": "form.ballot input[type='radio']",
    "vote_dots": "form.ballot input[name^='dots_']",
    "write": "form.note-form textarea#note-text",
    "write_idea": "form.note-form input#note-why",
    "vote_revealed": "main#screen[data-step='innovations_vote']",
    "result": "main#screen[data-step='presentation']",
    "finished": "main#screen[data-step='finished']",
}

TAP_TARGETS = """
() => {
  const small = [];
  let checked = 0;
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && style.opacity !== '0';
  };
  const targets = new Set(document.querySelectorAll(
    'button, a[href], select, textarea, input:not([type=hidden]):not([type=checkbox]):not([type=radio])'));
  // A checkbox or a radio button is tapped through its label: the label is the target.
  for (const box of document.querySelectorAll('input[type=checkbox], input[type=radio]')) {
    const label = box.closest('label') || (box.id && document.querySelector(`label[for="${box.id}"]`));
    targets.add(label || box);
  }
  for (const el of targets) {
    if (!visible(el)) continue;
    checked += 1;
    const r = el.getBoundingClientRect();
    if (r.height < 44) {
      const name = (el.innerText || el.getAttribute('aria-label') || el.id || '').trim().slice(0, 40);
      small.push(`${el.tagName.toLowerCase()} "${name}" ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  return {small, checked};
}
"""


@pytest.fixture(scope="module")
def room(tmp_path_factory):  # type: ignore[no-untyped-def]
    folder: Path = tmp_path_factory.mktemp("phones")
    db_url = f"sqlite:///{folder / 'phones.db'}"
    built = {
        name: build_workshop(db_url, stop=stop, people=6, settings=settings)
        for name, (stop, settings) in SCREENS.items()
    }
    server = Server(db_url, folder / "server.log")
    server.start()
    yield server, built
    server.close()


def open_screen(page: Page, base: str, built, screen_name: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    if screen_name == "join":
        page.goto(f"{base}/join?code={built.code}&lang={lang}")
    elif screen_name == "join_again":
        open_phone(page, base, built.tokens[0], lang=lang)
        page.goto(f"{base}/join?code={built.code}&lang={lang}")
    else:
        open_phone(page, base, built.tokens[0], lang=lang)
    expect(page.locator(EXPECTED[screen_name]).first).to_be_attached(timeout=T)
    page.wait_for_function("() => document.readyState === 'complete' && document.fonts.status === 'loaded'")


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("screen_name", list(SCREENS))
def test_phone_screen_fits_360px_with_44px_tap_targets_and_no_serious_axe_violations(
    room, browser, screen_name, lang
) -> None:
    server, built = room
    phone = new_phone(browser, lang=lang, viewport=NARROW_PHONE)
    try:
        open_screen(phone, server.base, built[screen_name], screen_name, lang)
        assert phone.evaluate("document.documentElement.lang") == lang
        if screen_name in TIMED:
            expect(phone.locator("#countdown .clock")).to_have_text(re.compile(r"^\d+:\d\d$"))
        width = phone.evaluate("() => document.documentElement.scrollWidth")
        targets = phone.evaluate(TAP_TARGETS)
        ARTIFACTS.mkdir(exist_ok=True)
        phone.screenshot(path=str(ARTIFACTS / f"phone_360_{screen_name}_{lang}.png"), full_page=True)
        violations = serious_axe_violations(phone)
    finally:
        phone.context.close()

    assert width <= 360, f"{screen_name} ({lang}): {width - 360}px of sideways scrolling"
    assert targets["checked"] >= 1, f"{screen_name} ({lang}): no tap targets found"
    assert targets["small"] == [], f"{screen_name} ({lang}): tap targets under 44 px: {targets['small']}"
    assert violations == [], f"{screen_name} ({lang}): {violations}"


def _timer_runs_out_in(db_url: str, workshop_id: int, seconds: float) -> None:
    """The facilitator paused the timer with ``seconds`` left and resumes it now."""
    engine = make_engine(db_url)
    with Session(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        workshop.deadline, workshop.paused_remaining = None, seconds
        session.add(workshop)
        session.commit()
        services.change_timer(session=session, workshop_id=workshop_id, action="resume")
    engine.dispose()


@pytest.fixture
def timed_out(tmp_path):  # type: ignore[no-untyped-def]
    """A server and a workshop writing obstacles whose timer runs out 10 s from now."""
    db_url = f"sqlite:///{tmp_path / 'time-up.db'}"
    built = build_workshop(db_url, stop="obstacles_write", people=6)
    server = Server(db_url, tmp_path / "server.log")
    server.start()
    _timer_runs_out_in(db_url, built.workshop_id, 10.0)
    yield server, built
    server.close()


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_time_running_out_while_typing_keeps_the_typed_text_also_after_a_reload(
    timed_out, browser, lang
) -> None:
    server, built = timed_out
    typed = "Курьер не знает подъезд — и не звонит"
    phone = new_phone(browser, lang=lang)
    open_phone(phone, server.base, built.tokens[0], lang=lang)
    field = phone.locator("form.note-form textarea#note-text")
    expect(phone.locator("#countdown .clock")).to_have_text(re.compile(r"^0:\d\d$"))
    field.click()
    field.press_sequentially(typed[:12])
    field.press_sequentially(typed[12:])

    # The countdown reaches zero on the phone: its screen says so, the note is not sent, the text
    # stays in the field.
    time_up = phone.locator("p.flash.warning").filter(has_text=t("phone.time_up", lang))
    expect(time_up).to_be_visible(timeout=20_000)
    expect(phone.locator("#countdown .label")).to_have_text(t("timer.up", lang))
    expect(phone.locator("#countdown .clock")).to_have_text("0:00")
    expect(field).to_have_value(typed)
    expect(phone.get_by_role("button", name=t("phone.send", lang), exact=True)).to_be_disabled()

    # A reload (a locked phone, a tap on refresh): the same screen, the same text.
    phone.reload()
    ready(phone)
    expect(time_up).to_be_visible(timeout=T)
    expect(field).to_have_value(typed)
    phone.context.close()


def test_time_running_out_refreshes_the_phone_screen_once_not_over_and_over(timed_out, browser) -> None:
    """Each phone asks for its screen again once when its countdown reaches zero (and once per
    reload), not in a loop: a room of phones must not flood the server when time is up."""
    server, built = timed_out
    phone = new_phone(browser)
    asked: list[float] = []
    phone.on("request", lambda r: asked.append(time.monotonic()) if "/phone/screen" in r.url else None)
    open_phone(phone, server.base, built.tokens[0])
    expect(phone.locator("p.flash.warning").filter(has_text=t("phone.time_up", "ru"))).to_be_visible(
        timeout=20_000
    )
    phone.wait_for_timeout(3_000)
    after_time_up = len(asked)
    phone.reload()
    ready(phone)
    phone.wait_for_timeout(3_000)
    after_reload = len(asked) - after_time_up
    phone.context.close()

    assert after_time_up <= 2, f"{after_time_up} screen requests within 3 s of the time being up"
    assert after_reload <= 1, f"{after_reload} screen requests within 3 s of a reload once time was up"


@pytest.mark.parametrize(
    "asked", ["before_the_vote", "before_the_vote_answered_first", "while_the_vote_is_on_its_way"]
)
def test_a_refresh_drawn_before_a_vote_never_swaps_in_over_the_votes_answer(tmp_path, browser, asked) -> None:
    """A refresh (a stream back after a drop, a change) drawn by the server before the person's
    vote was stored, and answered after the vote, must not put back the ballot as it was: the
    person would see "vote counted" vanish and the ballot empty. The test holds the refresh's
    answer (drawn at once, before the vote) and the vote until the order it wants."""
    db_url = f"sqlite:///{tmp_path / 'refresh-race.db'}"
    built = build_workshop(db_url, stop="trends_vote_open", people=6)
    server = Server(db_url, tmp_path / "server.log")
    server.start()
    try:
        phone = new_phone(browser)
        open_phone(phone, server.base, built.tokens[0])
        phone.set_default_timeout(T)
        stale: list = []
        votes: list = []
        # The first of each is held; later ones (the refresh asked for again) go through.
        phone.route(
            "**/phone/screen?*",
            lambda route: route.continue_() if stale else stale.append((route, route.fetch())),
        )
        phone.route("**/phone/vote?*", lambda route: route.continue_() if votes else votes.append(route))
        ask_refresh = (
            "() => { htmx.ajax('GET', document.getElementById('live').dataset.screen,"
            " {target: '#screen', swap: 'outerHTML'}); }"
        )
        ballot = phone.locator("form.ballot")
        ballot.locator("label.option").first.click()
        if asked.startswith("before_the_vote"):
            with phone.expect_request("**/phone/screen?*"):
                phone.evaluate(ask_refresh)
        with phone.expect_request("**/phone/vote?*"):
            ballot.locator('button[type="submit"]').click()
        if asked == "while_the_vote_is_on_its_way":
            with phone.expect_request("**/phone/screen?*"):
                phone.evaluate(ask_refresh)

        deadline = time.monotonic() + T / 1000
        while not (stale and votes) and time.monotonic() < deadline:
            phone.wait_for_timeout(20)  # lets the route handlers run: a condition, polled
        route, drawn_before_the_vote = stale[0]
        vote_counted = flash(phone, "success", t("phone.vote_saved", "ru"), exact=True)
        if asked == "before_the_vote_answered_first":
            # The old drawing arrives while the vote is on its way: swapped in, it would leave the
            # vote's answer nowhere to go.
            with phone.expect_event("requestfinished", lambda r: "/phone/screen" in r.url):
                route.fulfill(response=drawn_before_the_vote)
            votes[0].continue_()
            expect(vote_counted).to_be_visible(timeout=T)
        else:
            votes[0].continue_()
            expect(vote_counted).to_be_visible(timeout=T)
            with phone.expect_event("requestfinished", lambda r: "/phone/screen" in r.url):
                route.fulfill(response=drawn_before_the_vote)

        # The old drawing is dropped (one asked for during the vote is asked for again, and is
        # drawn after it): the ballot shows the person's vote.
        expect(phone.locator("form.ballot[data-voted='1']")).to_be_attached(timeout=T)
        expect(phone.locator("form.ballot input[type='radio']:checked")).to_have_count(1)
        if asked.startswith("before_the_vote"):
            expect(vote_counted).to_be_visible()
        phone.context.close()
    finally:
        server.close()
