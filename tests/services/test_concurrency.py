"""Many writers at once on one SQLite file: WAL, busy_timeout and BEGIN IMMEDIATE hold, every
row arrives, and one participant voting from two tabs at once still has one ballot."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import text
from sqlmodel import Session, func, select

from tests.scenario import build_workshop
from workshop import services
from workshop.db.engine import make_engine
from workshop.db.models import Ballot, Note
from workshop.services import Settings


def run_together(jobs: list[Callable[[], None]]) -> list[BaseException]:
    """Start every job at the same moment on its own thread; return what they raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def wrap(job: Callable[[], None]) -> None:
        barrier.wait()
        try:
            job()
        except BaseException as err:  # noqa: BLE001 - collected and asserted on
            errors.append(err)

    threads = [threading.Thread(target=wrap, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_sqlite_runs_in_wal_with_a_busy_timeout_and_foreign_keys(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")

    with engine.connect() as connection:
        journal = connection.execute(text("PRAGMA journal_mode")).scalar()
        timeout = connection.execute(text("PRAGMA busy_timeout")).scalar()
        keys = connection.execute(text("PRAGMA foreign_keys")).scalar()
    engine.dispose()

    assert (journal, timeout, keys) == ("wal", 30000, 1)


def test_twenty_threads_writing_notes_and_ballots_lose_nothing_and_never_lock(tmp_path) -> None:
    db_url = f"sqlite:///{tmp_path / 'many.db'}"
    notes_built = build_workshop(db_url, stop="obstacles_write", people=6, settings=Settings(notes_max=8))
    votes_built = [build_workshop(db_url, stop="trends_vote_open", people=7) for _ in range(2)]
    engine = make_engine(db_url)

    def write_notes(participant_id: int, n: int) -> Callable[[], None]:
        def job() -> None:
            for k in range(n):
                with Session(engine) as session:
                    services.add_note(session=session, participant_id=participant_id, text=f"note {k}")

        return job

    def vote(built, participant_id: int) -> Callable[[], None]:  # type: ignore[no-untyped-def]
        def job() -> None:
            for option in built.option_ids[:3]:  # cast, then change twice
                with Session(engine) as session:
                    services.cast_ballot(
                        session=session,
                        participant_id=participant_id,
                        poll_id=built.poll_id,
                        marks={option: 1},
                    )

        return job

    jobs = [write_notes(pid, 7) for pid in notes_built.participant_ids[:6]]
    jobs += [vote(b, pid) for b in votes_built for pid in b.participant_ids]

    errors = run_together(jobs)

    with Session(engine) as session:
        notes = session.exec(
            select(func.count()).select_from(Note).where(Note.workshop_id == notes_built.workshop_id)
        ).one()
        ballots = {
            b.poll_id: session.exec(
                select(func.count()).select_from(Ballot).where(Ballot.poll_id == b.poll_id)
            ).one()
            for b in votes_built
        }
    engine.dispose()
    assert len(jobs) == 20
    assert errors == []
    assert notes == 6 + 6 * 7  # the scenario's six, then seven from each of six writers
    assert ballots == {b.poll_id: 7 for b in votes_built}


def test_one_participant_voting_from_two_tabs_at_once_has_one_ballot(tmp_path) -> None:
    db_url = f"sqlite:///{tmp_path / 'tabs.db'}"
    built = build_workshop(db_url, stop="trends_vote_open", people=6)
    engine = make_engine(db_url)
    first, second = built.option_ids[:2]

    def tab(option: int) -> Callable[[], None]:
        def job() -> None:
            with Session(engine) as session:
                services.cast_ballot(
                    session=session,
                    participant_id=built.participant_ids[0],
                    poll_id=built.poll_id,
                    marks={option: 1},
                )

        return job

    errors = run_together([tab(first), tab(second)] * 4)

    with Session(engine) as session:
        ballots = session.exec(select(Ballot).where(Ballot.poll_id == built.poll_id)).all()
        marks = services.ballot_of(
            session=session, poll_id=built.poll_id, participant_id=built.participant_ids[0]
        )
    engine.dispose()
    assert errors == []
    assert len(ballots) == 1
    assert len(marks) == 1 and set(marks) <= {first, second}
