"""Engine construction and table creation; nothing else."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine

from workshop.config import settings
from workshop.db import models  # noqa: F401  (registers the tables)

# Execution option a service sets on its session's connection before it writes.
WRITE_OPTION = "workshop_write"

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def database_url() -> str:
    """``DATABASE_URL`` if set, else an SQLite file under ``data/``."""
    url = settings().database_url
    if url:
        return url
    DEFAULT_DATA_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_DATA_DIR / 'workshop.db'}"


def _tune_sqlite(engine: Engine, *, memory: bool) -> None:
    """WAL, a busy timeout, foreign keys, and ``BEGIN IMMEDIATE`` for write transactions.

    pysqlite's own transaction handling is switched off (``isolation_level = None``) so that the
    ``begin`` event decides: a transaction begun for writing (``WRITE_OPTION``) takes the
    write lock up front and waits on
    ``busy_timeout`` instead of failing on a read-to-write lock upgrade.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        immediate = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        kwargs: dict = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if memory:
            kwargs["poolclass"] = StaticPool
        else:
            # Every Streamlit rerun runs in a thread of its own and holds a connection while it
            # draws; SQLite connections are cheap, so a busy workshop day never queues for one.
            kwargs.update(pool_size=20, max_overflow=60, pool_timeout=60)
        engine = create_engine(url, **kwargs)
        _tune_sqlite(engine, memory=memory)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    return engine


def create_tables(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)


def begin_write(session: Session) -> None:
    """Start ``session``'s transaction as a write transaction (``BEGIN IMMEDIATE`` on SQLite).

    Call it first in a service that writes. A read transaction the session still has open is
    ended first, so the write never has to upgrade a shared lock.
    """
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={"workshop_write": True})  # WRITE_OPTION, as a literal for typing


def database_key(session: Session) -> str:
    """Names the database ``session`` talks to, for per-database memos in a process.

    The engine's identity is part of it: two in-memory SQLite databases share one URL.
    """
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    return f"{engine.url}#{id(engine)}"


MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema (Alembic), keeping every row.

    A database made before migrations existed (tables but no version) is stamped with the
    revision its columns show, then upgraded from there."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        # SQLite changes a table's constraints by building a new table and dropping the old one;
        # with foreign keys enforced, dropping a table other rows point at fails. They are off
        # for the upgrade (outside any transaction, where SQLite honours the switch), checked
        # afterwards, and on again.
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.driver_connection if sqlite else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                tables = set(inspect(connection).get_table_names())
                if tables and "alembic_version" not in tables:
                    trend_columns = {c["name"] for c in inspect(connection).get_columns("trend")}
                    command.stamp(config, "head" if "source" in trend_columns else "0001")
                command.upgrade(config, "head")
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the upgrade left rows pointing at nothing: {broken[:5]}")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")
