"""Live tickets: signed, scoped to one workshop and one screen, running out, forged ones refused;
the signing key made once and shared by every process on the database."""

from __future__ import annotations

import time

import pytest
from sqlmodel import Session

from tests.conftest import empty_database_url
from workshop.access import tickets
from workshop.db.engine import create_tables, make_engine

SECRET = b"k" * 32


def a_ticket(**kwargs) -> str:  # type: ignore[no-untyped-def]
    fields = {"secret": SECRET, "code": "ABCDEF", "workshop_id": 7, "scope": tickets.ROOM, **kwargs}
    return tickets.issue(**fields)


def test_a_ticket_reads_back_as_what_it_was_issued_for() -> None:
    ticket = a_ticket(scope=tickets.PHONE, subject=42)

    read = tickets.read(secret=SECRET, ticket=ticket, code="ABCDEF")

    assert read is not None
    assert (read.code, read.workshop_id, read.scope, read.subject) == ("ABCDEF", 7, "phone", 42)
    assert not read.sees_board


@pytest.mark.parametrize("scope", [tickets.ROOM, tickets.FACILITATOR])
def test_the_big_screens_see_the_board(scope: str) -> None:
    read = tickets.read(secret=SECRET, ticket=a_ticket(scope=scope), code="ABCDEF")

    assert read is not None and read.sees_board


def _tampered(field: int, value: str) -> str:
    parts = a_ticket().split(".")
    parts[field] = value
    return ".".join(parts)


@pytest.mark.parametrize(
    ("ticket", "why"),
    [
        (None, "none"),
        ("", "empty"),
        ("garbage", "not a ticket"),
        ("a.b.c.d.e.f.g", "too many parts"),
        ("x" * 300, "too long"),
        (_tampered(0, "ZZZZZZ"), "another code, same signature"),
        (_tampered(1, "8"), "another workshop, same signature"),
        (_tampered(2, "facilitator"), "a higher scope, same signature"),
        (_tampered(3, "9"), "another participant, same signature"),
        (_tampered(4, str(int(time.time()) + 10**6)), "a longer life, same signature"),
        (_tampered(5, "A" * 24), "a made-up signature"),
        (a_ticket(secret=b"another server"), "signed by someone else"),
        (a_ticket(code="ZZZZZZ"), "a good ticket of another code"),
        (a_ticket(now=time.time() - tickets.TTL_S - 3601), "run out"),
    ],
)
def test_a_ticket_is_refused_when(ticket: str | None, why: str) -> None:
    assert tickets.read(secret=SECRET, ticket=ticket, code="ABCDEF") is None, why


def test_an_unknown_scope_is_never_issued() -> None:
    with pytest.raises(ValueError):
        a_ticket(scope="manager")


def test_every_process_on_one_database_signs_with_the_same_key(tmp_path) -> None:
    url = empty_database_url(tmp_path, "shared.db")
    first, second = make_engine(url), make_engine(url)
    create_tables(first)

    with Session(first) as a, Session(second) as b:
        key_a = tickets.server_secret(session=a)
        key_b = tickets.server_secret(session=b)
    third = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    create_tables(third)
    with Session(third) as c:
        key_c = tickets.server_secret(session=c)

    assert key_a == key_b and len(key_a) >= 32
    assert key_c != key_a
    for engine in (first, second, third):
        engine.dispose()


def test_a_page_run_within_the_hour_hands_out_the_same_ticket() -> None:
    """A page's live element keeps its stream open when a page run gives it the same ticket."""
    hour = 3600 * 500_000
    assert a_ticket(now=hour + 5) == a_ticket(now=hour + 3000)
