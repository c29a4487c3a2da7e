"""Fixtures for the domain tests: an in-memory database, the built-in maps, a joined group.

The browser tests have their own conftest in tests/browser/; nothing here touches a server.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from workshop import services
from workshop.db.engine import create_tables, make_engine
from workshop.db.models import Participant, Workshop
from workshop.maps.store import install_builtin_maps, latest_versions

BUILTIN_MAP = "customer-journey-2017"
DEPARTMENTS = ("Sales", "Marketing", "Service", "Finance", "Logistics", "IT", "Legal", "HR")


@dataclass
class Group:
    """A workshop with its facilitator key and the people who joined it (with their tokens)."""

    workshop: Workshop
    key: str
    participants: list[Participant]
    tokens: list[str]

    @property
    def ids(self) -> list[int]:
        return [p.id for p in self.participants]


# The service tests run on an in-memory SQLite database, or on the server that
# TEST_DATABASE_URL names (make test runs them again on a PostgreSQL it starts itself).
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


def empty_database_url(tmp_path, name: str = "test.db") -> str:  # type: ignore[no-untyped-def]
    """A database of the test's own: an SQLite file, or the PostgreSQL of TEST_DATABASE_URL with
    an empty schema."""
    if TEST_DATABASE_URL:
        engine = make_engine(TEST_DATABASE_URL)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        engine.dispose()
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path / name}"


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = make_engine(TEST_DATABASE_URL or "sqlite://")
    if TEST_DATABASE_URL:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    create_tables(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture
def builtin_version(session: Session) -> int:
    """Install the built-in maps; the id of the latest version of the customer journey map."""
    install_builtin_maps(session=session)
    for trend_map, version in latest_versions(session=session):
        if trend_map.id == BUILTIN_MAP:
            assert version.id is not None
            return version.id
    raise AssertionError(f"built-in map {BUILTIN_MAP!r} was not installed")


@pytest.fixture
def workshop_factory(session: Session, builtin_version: int) -> Callable[..., Group]:
    """``make(n, departments=None, **settings)``: a new workshop in the lobby with ``n`` joined."""

    def make(n: int = 5, departments: Sequence[str] | None = None, **settings: int) -> Group:
        workshop, key = services.create_workshop(
            session=session,
            title="Delivery innovation",
            product="Same-day delivery",
            map_version_id=builtin_version,
            settings=services.Settings(**settings),
            facilitator_name="Yulia",
        )
        departments = (
            list(departments)
            if departments is not None
            else [DEPARTMENTS[i % len(DEPARTMENTS)] for i in range(n)]
        )
        assert len(departments) == n
        participants, tokens = [], []
        for i, department in enumerate(departments):
            participant, token = services.join(
                session=session, code=workshop.code, name=f"Person {i + 1}", department=department
            )
            participants.append(participant)
            tokens.append(token)
        return Group(workshop=workshop, key=key, participants=participants, tokens=tokens)

    return make


@pytest.fixture
def group(workshop_factory: Callable[..., Group]) -> Group:
    """The method's group: five people from five departments, default settings."""
    return workshop_factory(5)


@pytest.fixture(autouse=True)
def fresh_guessing_limits() -> Iterator[None]:
    """Each test's database counts its own misses; what this process remembers of waiting
    clients is forgotten between tests."""
    from workshop.access.guessing import forget_waits

    forget_waits()
    yield
    forget_waits()
