"""A server killed mid-step and restarted: the phone carries on as the same participant, the
projector's live view comes back by itself, and nothing a phone was told was saved is lost."""

from __future__ import annotations

import re
import signal
from pathlib import Path

from playwright.sync_api import expect
from sqlmodel import Session, func, select

from tests.scenario import build_workshop
from tests.support import PHONE, PROJECTOR, Server, settled
from workshop.db import make_engine
from workshop.models import Ballot, Note, Participant

T = 20_000


def send_note(phone, text: str) -> None:  # type: ignore[no-untyped-def]
    phone.locator(".st-key-note_obstacle textarea").fill(text)
    phone.get_by_role("button", name="Отправить", exact=True).click()
    expect(phone.get_by_text("Отправлено — уже на экране")).to_be_visible(timeout=T)


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
        phone = browser.new_context(viewport=PHONE, locale="ru-RU", is_mobile=True).new_page()
        phone.goto(f"{server.base}/phone?p={built.tokens[0]}")
        send_note(phone, "До перезапуска: нет самовывоза")
        expect(projector.locator(".note-card").filter(has_text="До перезапуска")).to_be_visible(timeout=T)

        # The new server process has a new boot id: both pages notice and reload themselves.
        with phone.expect_event("load", timeout=T), projector.expect_event("load", timeout=T):
            server.stop(signal.SIGKILL)
            server.start()

        # The phone is still Анна, with her note; nobody joins again.
        expect(phone.get_by_text("Анна (Продажи)")).to_be_visible(timeout=T)
        expect(phone.locator(".note-card").filter(has_text="До перезапуска")).to_be_visible(timeout=T)
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
        context = browser.new_context(viewport=PHONE, locale="ru-RU", is_mobile=True)
        phone = context.new_page()
        phone.goto(f"{server.base}/join?code={built.code}")
        phone.locator(".st-key-join_name input").fill("Анна")
        phone.locator(".st-key-join_department input").fill("Продажи")
        phone.get_by_role("button", name="Войти").click()
        expect(phone.get_by_text("Вы в сессии, Анна!")).to_be_visible(timeout=T)
        first_url = phone.url

        # The tab is closed; later the QR code is scanned again on the same phone.
        phone.close()
        again = context.new_page()
        again.goto(f"{server.base}/join?code={built.code}")
        again.get_by_role("button", name="Продолжить как Анна").click()

        expect(again.get_by_text("Вы в сессии, Анна!")).to_be_visible(timeout=T)
        assert again.url.split("p=")[1].split("&")[0] == first_url.split("p=")[1].split("&")[0]
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
        start = projector.locator('[data-testid="stSidebar"]').get_by_role(
            "button", name="Начать: выбор трендов"
        )
        expect(start).to_be_visible(timeout=T)
        projector.wait_for_url("**controls=1**", timeout=T)
        assert built.key not in projector.url

        projector.reload()
        expect(start).to_be_visible(timeout=T)
        assert built.key not in projector.url

        # The room's link in the same browser shows no controls.
        room = context.new_page()
        room.goto(f"{server.base}/projector?{built.room_query}")
        expect(room.get_by_text("Участники: 1")).to_be_visible(timeout=T)
        settled(room)
        assert room.get_by_role("button", name="Начать: выбор трендов").count() == 0

        # Another browser asking for controls without the key gets neither controls nor the room.
        stranger = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
        stranger.goto(f"{server.base}/projector?w={built.code}&controls=1")
        expect(stranger.get_by_text("Открываем пульт ведущего")).to_be_visible(timeout=T)
        settled(stranger)
        assert stranger.get_by_role("button", name="Начать: выбор трендов").count() == 0
        assert stranger.get_by_text("Участники: 1").count() == 0
    finally:
        server.close()


def vote_for(phone, label: str) -> None:  # type: ignore[no-untyped-def]
    phone.locator('[data-testid="stRadio"] [role="radiogroup"] label').filter(has_text=label).click()
    phone.get_by_role("button", name=re.compile("Проголосовать|Изменить голос")).click()
    expect(phone.get_by_text("Голос принят").first).to_be_visible(timeout=T)


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
            phone = browser.new_context(viewport=PHONE, locale="ru-RU", is_mobile=True).new_page()
            phone.goto(f"{server.base}/phone?p={token}")
            phones.append(phone)
        vote_for(phones[0], "J1")
        vote_for(phones[1], "J2")

        with phones[2].expect_event("load", timeout=T):
            server.stop(signal.SIGKILL)
            server.start()

        for phone in phones:
            expect(phone.get_by_text("Голосуем за главный тренд")).to_be_visible(timeout=T)
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


def test_a_phone_offline_longer_than_the_session_timeout_comes_back_as_the_same_participant(
    tmp_path: Path, browser
) -> None:
    db_url = f"sqlite:///{tmp_path / 'offline.db'}"
    built = build_workshop(db_url, stop="obstacles_write", people=6)
    server = Server(db_url, tmp_path / "server.log", extra_args=["--server.disconnectedSessionTTL", "2"])
    server.start()
    try:
        context = browser.new_context(viewport=PHONE, locale="ru-RU", is_mobile=True)
        phone = context.new_page()
        phone.goto(f"{server.base}/phone?p={built.tokens[0]}")
        send_note(phone, "До того как телефон уснул")

        context.set_offline(True)
        phone.wait_for_timeout(6_000)  # three times the session timeout
        context.set_offline(False)

        expect(phone.get_by_text("Анна (Продажи)")).to_be_visible(timeout=T)
        send_note(phone, "После того как телефон проснулся")
    finally:
        server.close()

    engine = make_engine(db_url)
    with Session(engine) as session:
        people = session.exec(select(func.count()).select_from(Participant)).one()
        mine = session.exec(select(Note.text).where(Note.participant_id == built.participant_ids[0])).all()
    engine.dispose()
    assert people == 6
    assert {"До того как телефон уснул", "После того как телефон проснулся"} <= set(mine)
