"""Schema migrations: a new database gets the whole schema, an older one is upgraded in place with
its workshops intact, and the migrations describe exactly the tables the code uses."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel, select

from tests.conftest import TEST_DATABASE_URL
from workshop.db.engine import MIGRATIONS, make_engine, upgrade
from workshop.db.models import Participant, Trend, Workshop

# The newest migration: a new database and an upgraded one both end here.
HEAD = "0007"


def fresh_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    if TEST_DATABASE_URL:
        engine = make_engine(TEST_DATABASE_URL)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        engine.dispose()
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path / 'migrate.db'}"


def upgrade_to(engine, revision: str) -> None:  # type: ignore[no-untyped-def]
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_a_new_database_gets_exactly_the_schema_the_code_uses(tmp_path) -> None:
    engine = make_engine(fresh_url(tmp_path))

    upgrade(engine)

    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    assert differences == []
    assert version == HEAD


def test_an_older_database_with_workshops_is_upgraded_and_keeps_them(tmp_path) -> None:
    engine = make_engine(fresh_url(tmp_path))
    upgrade_to(engine, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO trendmap (id, title_ru, title_en, description_ru, description_en, source,"
                " year, builtin) VALUES ('old-map', 'Старая карта', 'Old map', '', '', 'Команда',"
                " 2017, false)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO trendmapversion (id, map_id, version, created_at) VALUES (1, 'old-map', 1, :t)"
            ),
            {"t": "2025-01-01 10:00:00"},
        )
        connection.execute(
            text(
                "INSERT INTO trend (id, version_id, code, position, category, category_ru, category_en,"
                " title_ru, title_en, description_ru, description_en)"
                " VALUES (1, 1, 'M1', 0, 'c1', 'Раздел', 'Section', 'Тренд', 'Trend', 'Описание',"
                " 'Description')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO workshop (id, code, title, product, facilitator_name, facilitator_key_hash,"
                " trend_map_version_id, lang, picks_min, picks_max, notes_min, notes_max, ideas_max,"
                " votes_per_person, cap_per_option, pick_minutes, write_minutes, vote_minutes, step,"
                " agreement_confirmed, show_authors, join_base_url, revision, created_at)"
                " VALUES (1, 'OLD234', 'Старая сессия', 'Доставка', '', :h, 1, 'ru', 4, 5, 3, 4, 3, 1, 1,"
                " 7, 10, 3, 'finished', true, false, '', 42, :t)"
            ),
            {"h": "0" * 64, "t": "2025-01-01 10:00:00"},
        )
        # Rows that point at the workshop: a migration that rebuilds its table must keep them.
        connection.execute(
            text(
                "INSERT INTO participant (id, workshop_id, name, department, token_hash, joined_at,"
                " last_seen_at) VALUES (1, 1, 'Анна', 'Продажи', :h, :t, :t)"
            ),
            {"h": "1" * 64, "t": "2025-01-01 10:00:00"},
        )

    upgrade(engine)

    with Session(engine) as session:
        workshop = session.exec(select(Workshop).where(Workshop.code == "OLD234")).one()
        trend = session.get(Trend, 1)
        assert (workshop.title, workshop.step, workshop.revision, workshop.sound) == (
            "Старая сессия",
            "finished",
            42,
            False,
        )
        assert trend is not None and (trend.title_ru, trend.source) == ("Тренд", "")
        anna = session.get(Participant, 1)
        assert anna is not None and (anna.name, anna.workshop_id, workshop.day_id) == ("Анна", 1, None)
    with engine.connect() as connection:
        assert "sound" in {c["name"] for c in inspect(connection).get_columns("workshop")}
        if connection.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # on again
    engine.dispose()


def test_a_database_made_before_migrations_is_recognised_and_upgraded(tmp_path) -> None:
    engine = make_engine(fresh_url(tmp_path))
    SQLModel.metadata.create_all(engine)

    upgrade(engine)
    upgrade(engine)  # a second start changes nothing

    with engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    assert version == HEAD
