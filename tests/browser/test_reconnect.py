"""A server killed mid-step and restarted: the phone carries on as the same participant, the
projector's live view comes back by itself, and nothing a phone was told was saved is lost.

The projector is a Streamlit page: a new server process has a new boot id and the page reloads
itself (its Streamlit session died). A phone is a light page whose identity is its cookie: it
needs no reload — its event stream comes back, says hello, and the page asks for its screen once;
a reload, a dropped connection or a phone offline for a while is the same person."""

from __future__ import annotations

import re
import signal
from pathlib import Path

from playwright.sync_api import expect
from sqlmodel import Session, func, select

from tests.phones import (
    hellos,
    join,
    new_phone,
    open_phone,
    phone_context,
    ready,
    swaps,
    vote,
    who,
    write,
)
from tests.scenario import build_workshop
from tests.support import PROJECTOR, CuttableProxy, Server, settled
from tests.texts import ru
from workshop import services
from workshop.db.engine import make_engine
from workshop.db.models import Ballot, Note, Participant

T = 20_000


def send_note(phone, text: str) -> None:  # type: ignore[no-untyped-def]
    write(phone, text)  # typed, sent, and shown on the phone as sent


def screen_requests(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The addresses of the phone's requests for its step's part, from now on."""
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/phone/screen" in r.url else None)
    return asked


def test_phone_and_projector_carry_on_after_the_server_is_killed_and_restarted(
    tmp_path: Path, browser
) -> None:
    db_url = f"sqlite:///{tmp_path / 'restart.db'}"
    built = build_workshop(db_url, stop="obstacles_write", people=6)
    server = Server(db_url, tmp_path / "server.log")
    server.start()
    try:
        projector = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
        projector.goto(f"{server.base}/projector?{built.room_query}")
        phone = new_phone(browser)
        open_phone(phone, server.base, built.tokens[0])
        send_note(phone, "До перезапуска: нет самовывоза")
        expect(projector.locator(".note-card").filter(has_text="До перезапуска")).to_be_visible(timeout=T)
        phone.evaluate("window.__samePage = 1")
        swapped_before = swaps(phone)

        # The new server process has a new boot id: the projector reloads itself; the phone's
        # event stream comes back with it and the phone asks for its screen again, no reload.
        with projector.expect_event("load", timeout=T):
            server.stop(signal.SIGKILL)
            server.start()
        ready(phone, hellos=2)
        phone.wait_for_function("(n) => window.__swaps > n", arg=swapped_before, timeout=T)
        assert phone.evaluate("window.__samePage") == 1

        # The phone is still Анна, with her note, also after a reload; nobody joins again.
        for _ in range(2):
            expect(who(phone)).to_contain_text("Анна (Продажи)", timeout=T)
            expect(phone.locator(".note-card").filter(has_text="До перезапуска")).to_be_visible(timeout=T)
            phone.reload()
            ready(phone)
        send_note(phone, "После перезапуска: нет оплаты картой курьеру")
        expect(projector.locator(".note-card").filter(has_text="После перезапуска")).to_be_visible(timeout=T)
    finally:
        server.close()

    with Session(make_engine(db_url)) as session:
        assert session.exec(select(func.count()).select_from(Participant)).one() == 6
        texts = set(session.exec(select(Note.text)).all())
    assert {"До перезапуска: нет самовывоза", "После перезапуска: нет оплаты картой курьеру"} <= texts


def test_scanning_the_qr_code_again_offers_to_continue_instead_of_joining_twice(
    tmp_path: Path, browser
) -> None:
    db_url = f"sqlite:///{tmp_path / 'rescan.db'}"
    built = build_workshop(db_url, stop="lobby", people=0)
    server = Server(db_url, tmp_path / "server.log")
    server.start()
    try:
        context = phone_context(browser)
        phone = context.new_page()
        join(phone, server.base, built.code, "Анна", "Продажи")
        expect(phone.get_by_text(ru("phone.lobby", name="Анна"))).to_be_visible(timeout=T)
        first_url = phone.url
        # The token is in the phone's cookie, out of reach of the page's scripts.
        [cookie] = [c for c in context.cookies() if c["name"] == f"p_{built.code}"]
        assert cookie["httpOnly"] and cookie["value"] not in first_url

        # The tab is closed; later the QR code is scanned again on the same phone.
        phone.close()
        again = context.new_page()
        again.goto(f"{server.base}/join?code={built.code}")
        expect(again.locator("a#continue")).to_have_text(ru("join.continue", name="Анна"), timeout=T)
        again.locator("a#continue").click()

        ready(again)
        expect(again.get_by_text(ru("phone.lobby", name="Анна"))).to_be_visible(timeout=T)
        assert again.url == first_url
        assert [c["value"] for c in context.cookies() if c["name"] == f"p_{built.code}"] == [cookie["value"]]
    finally:
        server.close()

    with Session(make_engine(db_url)) as session:
        assert session.exec(select(func.count()).select_from(Participant)).one() == 1


def test_facilitator_key_leaves_the_address_bar_and_a_reload_keeps_the_controls(
    tmp_path: Path, browser
) -> None:
    db_url = f"sqlite:///{tmp_path / 'key.db'}"
    built = build_workshop(db_url, stop="lobby", people=1)
    server = Server(db_url, tmp_path / "server.log")
    server.start()
    try:
        context = browser.new_context(viewport=PROJECTOR, locale="ru-RU")
        projector = context.new_page()
        projector.goto(f"{server.base}/projector?w={built.code}&k={built.key}")
        start = projector.locator('[data-testid="stSidebar"]').get_by_role("button", name=ru("ctl.start"))
        expect(start).to_be_visible(timeout=T)
        projector.wait_for_url("**controls=1**", timeout=T)
        assert built.key not in projector.url

        projector.reload()
        expect(start).to_be_visible(timeout=T)
        assert built.key not in projector.url

        # The room's link in the same browser shows no controls.
        room = context.new_page()
        room.goto(f"{server.base}/projector?{built.room_query}")
        expect(room.get_by_text(ru("proj.roster", n=1))).to_be_visible(timeout=T)
        settled(room)
        assert room.get_by_role("button", name=ru("ctl.start")).count() == 0

        # Another browser asking for controls without the key gets neither controls nor the room.
        stranger = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
        stranger.goto(f"{server.base}/projector?w={built.code}&controls=1")
        expect(stranger.get_by_text(ru("proj.opening_controls"))).to_be_visible(timeout=T)
        settled(stranger)
        assert stranger.get_by_role("button", name=ru("ctl.start")).count() == 0
        assert stranger.get_by_text(ru("proj.roster", n=1)).count() == 0
    finally:
        server.close()


def vote_for(phone, label: str) -> None:  # type: ignore[no-untyped-def]
    vote(phone, re.compile(rf"^\s*{re.escape(label)} ·"))


def test_ballots_survive_a_server_killed_mid_vote_and_phones_vote_on_without_joining(
    tmp_path: Path, browser
) -> None:
    db_url = f"sqlite:///{tmp_path / 'vote-kill.db'}"
    built = build_workshop(db_url, stop="trends_vote_open", people=6)
    server = Server(db_url, tmp_path / "server.log")
    server.start()
    try:
        phones = []
        for token in built.tokens[:3]:
            phone = new_phone(browser)
            open_phone(phone, server.base, token)
            phones.append(phone)
        vote_for(phones[0], "J1")
        vote_for(phones[1], "J2")
        # The third has tapped an option and not sent it yet when the server goes.
        phones[2].locator("form.ballot label.option").filter(has_text=re.compile(r"^\s*J1 ·")).click()
        swapped_before = [swaps(phone) for phone in phones]

        server.stop(signal.SIGKILL)
        server.start()

        for phone, before in zip(phones, swapped_before, strict=True):
            ready(phone, hellos=2)  # the event stream is back, on the new process
            # ... and the page has fetched its step's part again from the new process
            phone.wait_for_function("(n) => window.__swaps > n", arg=before, timeout=T)
            expect(phone.get_by_text(ru("phone.vote_title.trend"))).to_be_visible(timeout=T)
        unsent = phones[2].locator("form.ballot label.option").filter(has=phones[2].locator(":checked"))
        expect(unsent).to_contain_text("J1")  # the tap not sent is still there after the swap
        expect(phones[1].locator("form.ballot input[type='radio']:checked")).to_have_count(1)
        checked = phones[1].locator("form.ballot label.option").filter(has=phones[1].locator(":checked"))
        expect(checked).to_contain_text("J2")
        vote_for(phones[2], "J1")
        vote_for(phones[1], "J1")  # changed after the restart
    finally:
        server.close()

    engine = make_engine(db_url)
    with Session(engine) as session:
        ballots = session.exec(select(Ballot).where(Ballot.poll_id == built.poll_id)).all()
        people = session.exec(select(func.count()).select_from(Participant)).one()
    engine.dispose()
    assert people == 6
    assert sorted(b.participant_id for b in ballots) == sorted(built.participant_ids[:3])
    log = (tmp_path / "server.log").read_text(errors="replace")
    assert not any(token in log for token in built.tokens)
    assert built.key not in log


def test_a_phone_offline_for_a_while_keeps_what_it_typed_and_comes_back_as_the_same_participant(
    tmp_path: Path, browser
) -> None:
    db_url = f"sqlite:///{tmp_path / 'offline.db'}"
    built = build_workshop(db_url, stop="obstacles_write", people=6)
    server = Server(db_url, tmp_path / "server.log")
    server.start()
    try:
        context = phone_context(browser)
        phone = context.new_page()
        open_phone(phone, server.base, built.tokens[0])
        send_note(phone, "До того как телефон уснул")

        # No network: a note sent now is not lost, the phone says why and keeps the text.
        context.set_offline(True)
        typed = "После того как телефон проснулся"
        phone.locator("textarea#note-text").fill(typed)
        phone.get_by_role("button", name=ru("phone.send"), exact=True).click()
        expect(phone.locator("p.flash.error").filter(has_text=ru("phone.offline"))).to_be_visible(timeout=T)
        expect(phone.locator("textarea#note-text")).to_have_value(typed)
        phone.wait_for_timeout(6_000)
        context.set_offline(False)

        # The event stream is open (it kept its connection, or came back by itself).
        phone.wait_for_function("() => window.__live && window.__live.readyState === 1", timeout=T)
        expect(who(phone)).to_contain_text("Анна (Продажи)", timeout=T)
        expect(phone.locator("textarea#note-text")).to_have_value(typed)
        phone.get_by_role("button", name=ru("phone.send"), exact=True).click()
        expect(phone.locator(".note-card[data-note]").filter(has_text=typed)).to_be_visible(timeout=T)
    finally:
        server.close()

    engine = make_engine(db_url)
    with Session(engine) as session:
        people = session.exec(select(func.count()).select_from(Participant)).one()
        mine = session.exec(select(Note.text).where(Note.participant_id == built.participant_ids[0])).all()
    engine.dispose()
    assert people == 6
    assert {"До того как телефон уснул", "После того как телефон проснулся"} <= set(mine)


def test_a_phone_whose_event_stream_dropped_asks_for_its_screen_once_and_shows_what_changed(
    tmp_path: Path, browser
) -> None:
    """The Wi-Fi drops every connection; meanwhile the workshop moved on (past this server's hub,
    so no event tells the phone). The stream comes back, and the page fetches its screen once —
    long before the 20 s safety net — without reloading."""
    db_url = f"sqlite:///{tmp_path / 'drop.db'}"
    built = build_workshop(db_url, stop="obstacles_write", people=6)
    server = Server(db_url, tmp_path / "server.log")
    server.start()
    wifi = CuttableProxy(server.port)
    try:
        phone = new_phone(browser)
        open_phone(phone, wifi.base, built.tokens[0])
        phone.locator("textarea#note-text").fill("Черновик, пока сеть лежала")
        phone.evaluate("window.__samePage = 1")
        asked = screen_requests(phone)

        engine = make_engine(db_url)
        with Session(engine) as session:
            services.advance(session=session, workshop_id=built.workshop_id)
        engine.dispose()
        assert wifi.cut() >= 1  # the page's event stream at least

        ready(phone, hellos=2, timeout=10_000)
        expect(phone.locator("main#screen")).to_have_attribute("data-step", "obstacles_vote", timeout=10_000)
        expect(phone.get_by_text(ru("phone.vote_title.obstacle"))).to_be_visible()
        phone.wait_for_timeout(2_000)
        assert [u for u in asked if "phase=" not in u] == [f"{wifi.base}/phone/screen?w={built.code}"]
        assert phone.evaluate("window.__samePage") == 1
        assert hellos(phone) == 2
    finally:
        wifi.close()
        server.close()
