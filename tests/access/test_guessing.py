"""Guessing limits kept in the database: five misses and the client waits, whatever it asks next,
from a new session or another process; other clients are not held up; addresses are not stored."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from tests.conftest import empty_database_url
from workshop.access import guessing
from workshop.db.engine import create_tables, make_engine
from workshop.db.models import GuessMiss, utcnow

CLIENT = "203.0.113.7"


@pytest.fixture
def database(tmp_path):  # type: ignore[no-untyped-def]
    url = empty_database_url(tmp_path, "guess.db")
    engine = make_engine(url)
    create_tables(engine)
    yield url
    engine.dispose()


@contextlib.contextmanager
def session_of(url: str) -> Iterator[Session]:
    """A new engine each time: as another process of the app would open the same database."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def test_five_misses_make_the_client_wait_a_minute(database) -> None:
    now = utcnow()
    with session_of(database) as session:
        for i in range(5):
            assert guessing.wait_for(session=session, limit=guessing.CODES, client=CLIENT, now=now) == 0
            guessing.miss(
                session=session, limit=guessing.CODES, client=CLIENT, now=now + timedelta(seconds=i)
            )

        wait = guessing.wait_for(
            session=session, limit=guessing.CODES, client=CLIENT, now=now + timedelta(seconds=5)
        )

    assert 54 < wait <= 55


def test_the_wait_is_the_same_for_a_new_session_and_another_process(database) -> None:
    with session_of(database) as first:
        for _ in range(5):
            guessing.miss(session=first, limit=guessing.CODES, client=CLIENT)
    guessing.forget_waits()  # another process remembers nothing of its own

    with session_of(database) as other_process:
        wait = guessing.wait_for(session=other_process, limit=guessing.CODES, client=CLIENT)

    assert wait > 50


def test_the_client_may_try_again_once_the_window_has_passed(database) -> None:
    then = utcnow() - timedelta(seconds=61)
    with session_of(database) as session:
        for _ in range(5):
            guessing.miss(session=session, limit=guessing.CODES, client=CLIENT, now=then)

        assert guessing.wait_for(session=session, limit=guessing.CODES, client=CLIENT) == 0


def test_another_client_and_another_kind_of_guess_are_not_held_up(database) -> None:
    with session_of(database) as session:
        for _ in range(5):
            guessing.miss(session=session, limit=guessing.CODES, client=CLIENT)

        assert guessing.wait_for(session=session, limit=guessing.CODES, client="198.51.100.1") == 0
        assert guessing.wait_for(session=session, limit=guessing.MANAGER_PASSWORD, client=CLIENT) == 0


def test_the_managers_password_waits_five_minutes(database) -> None:
    with session_of(database) as session:
        for _ in range(5):
            guessing.miss(session=session, limit=guessing.MANAGER_PASSWORD, client=CLIENT)

        wait = guessing.wait_for(session=session, limit=guessing.MANAGER_PASSWORD, client=CLIENT)

    assert 290 < wait <= 300


@pytest.mark.parametrize("address", [None, "", "127.0.0.1", "::1"])
def test_clients_whose_address_is_unseen_share_one_count(address) -> None:
    assert guessing.client_of(address) == guessing.UNSEEN
    assert guessing.client_of("10.0.0.5") == "10.0.0.5"


def test_addresses_are_kept_only_as_keyed_hashes_and_old_misses_are_forgotten(database) -> None:
    with session_of(database) as session:
        guessing.miss(session=session, limit=guessing.CODES, client=CLIENT, now=utcnow() - timedelta(hours=1))
        guessing.miss(session=session, limit=guessing.CODES, client=CLIENT)

        rows = session.exec(select(GuessMiss)).all()

    assert len(rows) == 1  # the miss an hour old went when the new one came
    assert CLIENT not in rows[0].client and len(rows[0].client) == 64
