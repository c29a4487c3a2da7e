"""Alembic environment: the app's SQLModel tables are the target; the connection comes from
workshop.db.engine.upgrade (or DATABASE_URL for the alembic command line)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from workshop.db.engine import (
    database_url,
    make_engine,
    models,  # noqa: F401  (registers the tables)
)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(database_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite changes tables by copying
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
