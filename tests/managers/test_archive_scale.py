"""The archive at scale: 300 generated workshops, every answer checked against the workshops' rows.

What each workshop should be found by, filtered by and sorted by is read here from the workshop's
own tables (workshop, participants, picks, notes, poll options, hand-off), never from the archive's
index, and compared with what ``archive.list_archive`` answers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import String, func, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bench.archive_data import TABLES, generate
from tests.conftest import TEST_DATABASE_URL, empty_database_url
from workshop import services
from workshop.db.engine import create_tables, make_engine
from workshop.db.models import (
    Ballot,
    BallotMark,
    Handoff,
    HandoffEvent,
    Note,
    Participant,
    Pick,
    Poll,
    PollOption,
    Trend,
    TrendMapVersion,
    Workshop,
)
from workshop.managers import archive
from workshop.managers.handoff import STATUSES as HANDOFF_STATUSES
from workshop.maps.store import install_builtin_maps
from workshop.rules import steps, voting

WORKSHOPS = 300
SEED = 7
NOW = datetime(2026, 6, 1, tzinfo=UTC)
PER_PAGE = 37  # pages of uneven length: the last one is short


def fold(value: str) -> str:
    """Case does not matter and ``ё`` is ``е``: how a person expects a search to compare."""
    return " ".join(value.casefold().replace("ё", "е").split())


@dataclass
class Facts:
    """What the archive should say about each workshop, read from the workshop's own rows."""

    workshops: dict[int, Workshop]
    texts: dict[int, list[str]]  # folded: everything a person could search a workshop by
    departments: dict[int, list[str]]
    map_of: dict[int, str]
    columns: dict[str, dict[int, Any]]  # the value of each sortable column

    def matching(self, query: str) -> set[int]:
        terms = fold(query).split()
        return {wid for wid, texts in self.texts.items() if all(any(t in x for x in texts) for t in terms)}

    def where(self, keep: Any) -> set[int]:
        return {wid for wid, w in self.workshops.items() if keep(w)}


def status_of(step: str) -> str:
    return {steps.LOBBY: "lobby", steps.FINISHED: "finished"}.get(step, "running")


def read_facts(session: Session) -> Facts:
    workshops = {w.id: w for w in session.exec(select(Workshop)).all()}
    map_of_version = dict(session.exec(select(TrendMapVersion.id, TrendMapVersion.map_id)).all())
    trends = {t.id: t for t in session.exec(select(Trend)).all()}
    notes = {n.id: n for n in session.exec(select(Note)).all()}
    texts: dict[int, list[str]] = defaultdict(list)
    departments: dict[int, list[str]] = defaultdict(list)
    for w in workshops.values():
        texts[w.id] += [w.code, w.title, w.product, w.facilitator_name]
        if w.chosen_trend_id:
            t = trends[w.chosen_trend_id]
            texts[w.id] += [t.code, t.title_ru, t.title_en]
    for p in session.exec(select(Participant)).all():
        texts[p.workshop_id] += [p.name, p.department]
        departments[p.workshop_id].append(p.department)
    for workshop_id, trend_id in session.exec(select(Pick.workshop_id, Pick.trend_id)).all():
        t = trends[trend_id]
        texts[workshop_id] += [t.code, t.title_ru, t.title_en]
    for n in notes.values():
        texts[n.workshop_id] += [n.text, n.original_text, n.rationale]
    for workshop_id, label, detail in session.exec(
        select(Poll.workshop_id, PollOption.label, PollOption.detail).join(
            PollOption, col(PollOption.poll_id) == Poll.id
        )
    ).all():
        texts[workshop_id] += [label, detail]
    handoffs = {h.id: h for h in session.exec(select(Handoff)).all()}
    for h in handoffs.values():
        texts[h.workshop_id] += [h.assignee_name, h.assignee_email, h.assignee_role]
    for e in session.exec(select(HandoffEvent)).all():
        texts[handoffs[e.handoff_id].workshop_id] += [e.by_name, e.note, e.links]
    handoff_status = {h.workshop_id: h.status for h in handoffs.values()}

    def trend_label(w: Workshop) -> str:
        if not w.chosen_trend_id:
            return ""
        t = trends[w.chosen_trend_id]
        return f"{t.code} · {t.title_en if w.lang == 'en' else t.title_ru}"

    people = Counter(p for p in session.exec(select(Participant.workshop_id)).all())
    ws = workshops.values()
    columns: dict[str, dict[int, Any]] = {
        "created_at": {w.id: w.created_at for w in ws},
        "finished_at": {w.id: w.finished_at for w in ws},
        "title": {w.id: w.title for w in ws},
        "product": {w.id: w.product for w in ws},
        "facilitator": {w.id: w.facilitator_name for w in ws},
        "status": {w.id: status_of(w.step) for w in ws},
        "map_id": {w.id: map_of_version[w.trend_map_version_id] for w in ws},
        "trend": {w.id: trend_label(w) for w in ws},
        "obstacle": {w.id: notes[w.chosen_obstacle_id].text if w.chosen_obstacle_id else "" for w in ws},
        "innovation": {
            w.id: notes[w.chosen_innovation_id].text if w.chosen_innovation_id else "" for w in ws
        },
        "participants": {w.id: people[w.id] for w in ws},
        "handoff_status": {w.id: handoff_status.get(w.id, "") for w in ws},
        "code": {w.id: w.code for w in ws},
    }
    return Facts(
        workshops=workshops,
        texts={wid: [fold(x) for x in texts[wid] if x] for wid in workshops},
        departments=departments,
        map_of=columns["map_id"],
        columns=columns,
    )


def listed(session: Session, query: archive.ArchiveQuery) -> list[int]:
    """Every workshop the archive lists for ``query``, page after page."""
    first = archive.list_archive(session=session, query=query)
    ids = [e.workshop_id for e in first.rows]
    for page in range(1, first.pages):
        ids += [
            e.workshop_id for e in archive.list_archive(session=session, query=replace(query, page=page)).rows
        ]
    assert len(ids) == first.total
    return ids


def found(session: Session, **query: Any) -> set[int]:
    ids = listed(session, archive.ArchiveQuery(per_page=archive.PER_PAGE_MAX, **query))
    assert len(ids) == len(set(ids)), "a workshop is listed twice"
    return set(ids)


@pytest.fixture
def facts(session: Session, builtin_version: int) -> Facts:
    """The generated workshops in the test's own database: for the tests that change them."""
    generate(session, WORKSHOPS, seed=SEED, now=NOW)
    return read_facts(session)


def _once_per_module_on_sqlite(fixture_name: str, config: pytest.Config) -> str:
    return "function" if TEST_DATABASE_URL else "module"


@pytest.fixture(scope=_once_per_module_on_sqlite)
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Facts]]:
    """The generated workshops built once for the tests that only read them. On PostgreSQL,
    whose one schema every other test empties, each test still builds its own."""
    url = empty_database_url(tmp_path_factory.mktemp("archive"), "archive.db")
    engine = make_engine(url)
    create_tables(engine)
    with Session(engine) as session:
        install_builtin_maps(session=session)
        generate(session, WORKSHOPS, seed=SEED, now=NOW)
        facts = read_facts(session)
    yield engine, facts
    engine.dispose()


@pytest.fixture
def reading(generated: tuple[Engine, Facts]) -> Iterator[tuple[Session, Facts]]:
    engine, facts = generated
    with Session(engine) as session:
        yield session, facts


# --------------------------------------------------------------------------- listing and search


def test_the_archive_lists_every_workshop_once(reading: tuple[Session, Facts]) -> None:
    session, facts = reading
    ids = listed(session, archive.ArchiveQuery(per_page=archive.PER_PAGE_MAX))

    assert len(ids) == WORKSHOPS
    assert set(ids) == set(facts.workshops)


SEARCHES = (
    ("доставк", "ДОСТАВК", "Доставк"),  # titles, products, notes
    ("расчёт", "РАСЧЕТ", "расчет"),  # ё typed as е, in capitals
    ("ещё", "ЕЩЕ"),
    ("алёна", "АЛЕНА"),  # a participant's name
    ("юрист", "ЮРИСТ"),  # a department
    ("подписк", "ПОДПИСК"),
)


def test_a_search_finds_exactly_the_workshops_whose_texts_contain_the_word_in_any_case(
    reading: tuple[Session, Facts],
) -> None:
    session, facts = reading
    for spellings in SEARCHES:
        expected = facts.matching(spellings[0])
        assert 0 < len(expected) < WORKSHOPS, f"{spellings[0]!r} does not tell workshops apart"

        for query in spellings:
            assert found(session, text=query) == expected, query


def test_a_search_with_several_words_finds_the_workshops_that_contain_them_all(
    reading: tuple[Session, Facts],
) -> None:
    session, facts = reading
    for query in ("дорого семь", "подписк ДОСТАВК", "алёна дорог"):
        expected = facts.matching(query)
        assert 0 < len(expected) < min(len(facts.matching(word)) for word in query.split()), query

        assert found(session, text=query) == expected, query
    for query in ("квазар", "дорого квазар"):  # a word nobody wrote
        page = archive.list_archive(session=session, query=archive.ArchiveQuery(text=query))

        assert (page.total, page.rows, page.pages) == (0, [], 1), query


# --------------------------------------------------------------------------- filters


def test_each_filter_gives_exactly_the_workshops_it_names(reading: tuple[Session, Facts]) -> None:
    session, facts = reading
    spring, summer = date(2025, 3, 1), date(2025, 8, 31)
    in_range = facts.where(lambda w: spring <= w.created_at.date() <= summer)
    cases: list[tuple[dict[str, Any], set[int]]] = [
        ({"date_from": spring, "date_to": summer}, in_range),
        ({"date_from": summer}, facts.where(lambda w: w.created_at.date() >= summer)),
        ({"date_to": spring}, facts.where(lambda w: w.created_at.date() <= spring)),
    ]
    for map_id in sorted(set(facts.map_of.values())):
        cases.append(({"map_id": map_id}, {wid for wid, m in facts.map_of.items() if m == map_id}))
    for status in archive.STATUSES:
        cases.append(({"status": status}, facts.where(lambda w, s=status: status_of(w.step) == s)))
    for spelling in ("ПРОДАЖИ", "отдел продаж", "It"):
        key = fold(spelling)
        cases.append(
            ({"department": spelling}, {w for w, ds in facts.departments.items() if key in map(fold, ds)})
        )
    handoffs = facts.columns["handoff_status"]
    for status in HANDOFF_STATUSES:
        cases.append(({"handoff_status": status}, {w for w, s in handoffs.items() if s == status}))
    cases.append(({"handoff_status": "none"}, {w for w, s in handoffs.items() if not s}))
    cases.append(
        (
            {"text": "дорог", "status": "finished", "date_from": spring, "date_to": summer},
            facts.matching("дорог") & in_range & facts.where(lambda w: w.step == steps.FINISHED),
        )
    )

    for query, expected in cases:
        assert found(session, **query) == expected, query
    assert all(len(expected) > 0 for query, expected in cases if "handoff_status" not in query)


# --------------------------------------------------------------------------- sorting


def text_order(session: Session, values: set[str]) -> dict[str, int]:
    """The rank of each text in the database's own order of text: by code point on SQLite, by
    the database's collation on PostgreSQL."""
    if session.get_bind().dialect.name == "postgresql":
        ordered = session.execute(
            text("SELECT v FROM unnest(CAST(:values AS text[])) AS v ORDER BY v"), {"values": sorted(values)}
        ).scalars()
    else:
        ordered = iter(sorted(values))
    return {v: i for i, v in enumerate(ordered)}


def sort_key(session: Session, values: dict[int, Any]) -> dict[int, tuple]:
    """Comparable keys of the values present (a missing value is placed apart: always last)."""
    present = [v for v in values.values() if v is not None]
    if present and isinstance(present[0], str):
        rank = text_order(session, set(present))
        return {wid: (1, rank[v]) for wid, v in values.items()}
    return {
        wid: (1, v.replace(tzinfo=None) if isinstance(v, datetime) else v)
        for wid, v in values.items()
        if v is not None
    }


def test_every_sort_column_orders_the_whole_archive_both_ways_across_pages(
    reading: tuple[Session, Facts],
) -> None:
    session, facts = reading
    for column in archive.SORT_COLUMNS:
        values = facts.columns[column]
        keys = sort_key(session, values)
        present = [wid for wid in facts.workshops if values[wid] is not None]
        missing = [wid for wid in facts.workshops if values[wid] is None]
        for descending in (False, True):
            # empty values (no finish date yet) come last both ways
            expected = sorted(present, key=lambda wid: (keys[wid], wid), reverse=descending)
            expected += sorted(missing, reverse=descending)

            pages = listed(
                session, archive.ArchiveQuery(sort=column, descending=descending, per_page=PER_PAGE)
            )

            assert pages == expected, (column, descending)


# --------------------------------------------------------------------------- changes after indexing


def test_a_note_fixed_after_indexing_is_found_by_its_new_text_at_the_next_list(
    session: Session, facts: Facts
) -> None:
    note = session.exec(
        select(Note)
        .join(Workshop, col(Workshop.id) == Note.workshop_id)
        .where(Workshop.step == steps.OBSTACLES_WRITE, Note.kind == "obstacle")
        .order_by(Note.id)
    ).first()
    assert note is not None, "the generated workshops have one writing obstacles now"
    assert found(session, text="подъезд") == set()

    services.edit_note(
        session=session, workshop_id=note.workshop_id, note_id=note.id, text="Курьер не находит подъезд"
    )

    assert found(session, text="ПОДЪЕЗД") == {note.workshop_id}


def test_a_workshop_changed_elsewhere_is_reindexed_at_the_next_list(session: Session, facts: Facts) -> None:
    workshop_id = min(facts.workshops)
    assert found(session, text="самокат") == set()

    session.execute(
        update(Workshop)
        .where(col(Workshop.id) == workshop_id)
        .values(title="Самокаты для курьеров", revision=Workshop.revision + 1)
    )
    session.commit()
    page = archive.list_archive(session=session, query=archive.ArchiveQuery(text="Самокат"))

    assert [(e.workshop_id, e.title) for e in page.rows] == [(workshop_id, "Самокаты для курьеров")]
    assert page.rows[0].revision == session.get(Workshop, workshop_id).revision


# --------------------------------------------------------------------------- the generated data


def test_generated_workshops_follow_the_settings_the_votes_and_the_length_limits(
    reading: tuple[Session, Facts],
) -> None:
    session, facts = reading
    polls = {p.id: p for p in session.exec(select(Poll)).all()}
    options: dict[int, list[int]] = defaultdict(list)
    option_rows = {o.id: o for o in session.exec(select(PollOption)).all()}
    for o in option_rows.values():
        options[o.poll_id].append(o.id)
    marks: dict[int, dict[int, int]] = defaultdict(dict)
    poll_of_ballot = dict(session.exec(select(Ballot.id, Ballot.poll_id)).all())
    for ballot_id, option_id, dots in session.exec(
        select(BallotMark.ballot_id, BallotMark.option_id, BallotMark.dots)
    ).all():
        marks[ballot_id][option_id] = dots
    tallies: dict[int, list[dict[int, int]]] = defaultdict(list)

    for ballot_id, poll_id in poll_of_ballot.items():
        poll = polls[poll_id]
        voting.validate_marks(
            marks[ballot_id],
            option_ids=options[poll_id],
            votes_per_person=poll.votes_per_person,
            cap_per_option=poll.cap_per_option,
        )
        tallies[poll_id].append(marks[ballot_id])
    last_round: dict[tuple[int, str], Poll] = {}
    for poll in polls.values():
        result = voting.decide(voting.tally(options[poll.id], tallies[poll.id]))
        if poll.decided_by == "vote":
            assert poll.winner_option_id == result.winner, poll
        if poll.decided_by == "facilitator":
            assert poll.tie and poll.winner_option_id in result.leaders, poll
        key = (poll.workshop_id, poll.subject)
        if key not in last_round or poll.round > last_round[key].round:
            last_round[key] = poll
    for w in facts.workshops.values():
        if w.step == steps.FINISHED:
            assert w.finished_at is not None and w.agreement_confirmed
            for subject, chosen in (
                ("trend", w.chosen_trend_id),
                ("obstacle", w.chosen_obstacle_id),
                ("innovation", w.chosen_innovation_id),
            ):
                winner = option_rows[last_round[(w.id, subject)].winner_option_id]
                assert chosen == (winner.trend_id or winner.note_id), (w.id, subject)
    kinds = Counter(status_of(w.step) for w in facts.workshops.values())
    assert kinds["finished"] > kinds["running"] > kinds["lobby"] > 0
    too_long = []
    for model in TABLES:
        table = model.__table__  # type: ignore[attr-defined]
        for column in table.columns:
            if isinstance(column.type, String) and column.type.length:
                longest = session.execute(select(func.max(func.length(column)))).scalar() or 0
                if longest > column.type.length:
                    too_long.append(f"{table.name}.{column.name}: {longest} > {column.type.length}")
    assert too_long == []


def test_the_same_seed_makes_the_same_workshops() -> None:
    def made(engine: Engine) -> list[tuple]:
        with Session(engine) as session:
            install_builtin_maps(session=session)
            generate(session, 40, seed=SEED, now=NOW)
            return list(
                session.execute(
                    select(Workshop.code, Workshop.title, Workshop.step, Workshop.created_at, Note.text)
                    .join(Note, col(Note.workshop_id) == Workshop.id)
                    .order_by(Note.id)
                ).all()
            )

    engines = [make_engine("sqlite://"), make_engine("sqlite://")]
    try:
        for engine in engines:
            create_tables(engine)
        first, second = (made(engine) for engine in engines)
    finally:
        for engine in engines:
            engine.dispose()

    assert first == second
    assert len(first) > 40
