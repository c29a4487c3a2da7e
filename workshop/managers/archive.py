"""The managers' archive: an index of every workshop, searched, filtered and sorted in SQL.

The index (``ArchiveEntry`` and ``ArchiveDepartment``) is derived from the workshop's own rows.
An entry is rebuilt when its workshop's ``revision`` has moved on since it was indexed (every
change to a workshop goes through ``services._base._commit``, which bumps the revision) or when a
hand-off changes. ``list_archive`` brings stale entries up to date first, then answers from the
index alone: one indexed table, no joins over notes, so a list or a search over 10,000 workshops
stays well under the 300 ms the archive allows itself (``make bench``).

Search is case-insensitive for every alphabet: the index holds ``normalise``-d text (Unicode
case folding, ``ё`` as ``е``) and the query is normalised the same way, so ``LIKE`` compares
like with like on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, delete, or_, true
from sqlalchemy.orm import defer
from sqlmodel import Session, col, func, select

from workshop.db.engine import begin_write
from workshop.db.models import (
    ArchiveDepartment,
    ArchiveEntry,
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
from workshop.i18n import localized
from workshop.rules import steps
from workshop.services import LET_IN
from workshop.similarity import normalise

STATUSES = ("lobby", "running", "finished")
SORT_COLUMNS = (
    "created_at",
    "finished_at",
    "title",
    "product",
    "facilitator",
    "status",
    "map_id",
    "trend",
    "obstacle",
    "innovation",
    "participants",
    "handoff_status",
    "code",
)
PER_PAGE_MAX = 200
QUERY_MAX = 200
BATCH = 500


def status_of(step: str) -> str:
    if step == steps.FINISHED:
        return "finished"
    if step == steps.LOBBY:
        return "lobby"
    return "running"


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# --------------------------------------------------------------------------- the index


def stale_ids(session: Session) -> list[int]:
    """Workshops whose entry is missing or older than the workshop."""
    rows = session.exec(
        select(Workshop.id)
        .select_from(Workshop)
        .outerjoin(ArchiveEntry, col(ArchiveEntry.workshop_id) == Workshop.id)
        .where(or_(col(ArchiveEntry.workshop_id).is_(None), col(ArchiveEntry.revision) != Workshop.revision))
    ).all()
    return [r for r in rows if r is not None]


def refresh(session: Session, workshop_ids: Iterable[int] | None = None) -> int:
    """Rebuild the entries of ``workshop_ids`` (default: the stale ones); return how many."""
    ids = sorted(set(workshop_ids)) if workshop_ids is not None else stale_ids(session)
    if not ids:
        return 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        begin_write(session)
        _rebuild(session, chunk)
        session.commit()
    return len(ids)


@dataclass(frozen=True)
class _WorkshopRows:
    """The rows a batch of workshops' archive entries are derived from, each table read once."""

    map_of_version: dict[int, str]  # trend map version -> its map's id
    people: dict[int, list[Participant]]  # those let in, by workshop
    notes: dict[int, list[Note]]
    note_by_id: dict[int, Note]
    picked: dict[int, set[int]]  # the trends picked, by workshop
    trends: dict[int, Trend]  # every trend picked or chosen
    labels: dict[int, list[str]]  # poll option labels and details, by workshop
    handoffs: dict[int, Handoff]
    handoff_texts: dict[int, list[str]]  # what the hand-off's events say, by workshop


def _rebuild(session: Session, ids: Sequence[int]) -> None:
    workshops = session.exec(select(Workshop).where(col(Workshop.id).in_(ids))).all()
    rows = _workshop_rows(session, ids, workshops)
    session.execute(delete(ArchiveDepartment).where(col(ArchiveDepartment.workshop_id).in_(ids)))
    existing = {
        e.workshop_id: e
        for e in session.exec(select(ArchiveEntry).where(col(ArchiveEntry.workshop_id).in_(ids)))
    }
    for w in workshops:
        assert w.id is not None
        entry = existing.get(w.id) or _new_entry(w)
        _fill_entry(entry, w, rows)
        session.add(entry)
        _add_departments(session, w.id, rows.people[w.id])


def _workshop_rows(session: Session, ids: Sequence[int], workshops: Sequence[Workshop]) -> _WorkshopRows:
    version_ids = {w.trend_map_version_id for w in workshops}
    map_of_version = dict(
        session.exec(
            select(TrendMapVersion.id, TrendMapVersion.map_id).where(col(TrendMapVersion.id).in_(version_ids))
        ).all()
    )
    people = _participants(session, ids)
    notes, note_by_id = _notes(session, ids)
    picked = _picked_trends(session, ids)
    trends = _trends(session, picked, workshops)
    labels = _poll_labels(session, ids)
    handoffs = {
        h.workshop_id: h for h in session.exec(select(Handoff).where(col(Handoff.workshop_id).in_(ids))).all()
    }
    return _WorkshopRows(
        map_of_version=map_of_version,
        people=people,
        notes=notes,
        note_by_id=note_by_id,
        picked=picked,
        trends=trends,
        labels=labels,
        handoffs=handoffs,
        handoff_texts=_handoff_texts(session, handoffs),
    )


def _participants(session: Session, ids: Sequence[int]) -> dict[int, list[Participant]]:
    """Those let in, by workshop."""
    people: dict[int, list[Participant]] = defaultdict(list)
    took_part = select(Participant).where(
        col(Participant.workshop_id).in_(ids), Participant.admission == LET_IN
    )
    for p in session.exec(took_part).all():
        people[p.workshop_id].append(p)
    return people


def _notes(session: Session, ids: Sequence[int]) -> tuple[dict[int, list[Note]], dict[int, Note]]:
    """The notes by workshop, and by id."""
    notes: dict[int, list[Note]] = defaultdict(list)
    note_by_id: dict[int, Note] = {}
    for n in session.exec(select(Note).where(col(Note.workshop_id).in_(ids))).all():
        notes[n.workshop_id].append(n)
        note_by_id[n.id] = n  # type: ignore[index]
    return notes, note_by_id


def _picked_trends(session: Session, ids: Sequence[int]) -> dict[int, set[int]]:
    """The trends picked, by workshop."""
    picked: dict[int, set[int]] = defaultdict(set)
    for workshop_id, trend_id in session.exec(
        select(Pick.workshop_id, Pick.trend_id).where(col(Pick.workshop_id).in_(ids))
    ).all():
        picked[workshop_id].add(trend_id)
    return picked


def _trends(session: Session, picked: dict[int, set[int]], workshops: Sequence[Workshop]) -> dict[int, Trend]:
    """Every trend picked or chosen, by id."""
    trend_ids = {t for s in picked.values() for t in s} | {
        w.chosen_trend_id for w in workshops if w.chosen_trend_id
    }
    return (
        {t.id: t for t in session.exec(select(Trend).where(col(Trend.id).in_(trend_ids))).all()}
        if trend_ids
        else {}
    )


def _poll_labels(session: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    """Every poll option's label and detail, by workshop."""
    labels: dict[int, list[str]] = defaultdict(list)
    for workshop_id, label, detail in session.exec(
        select(Poll.workshop_id, PollOption.label, PollOption.detail)
        .join(PollOption, col(PollOption.poll_id) == Poll.id)
        .where(col(Poll.workshop_id).in_(ids))
    ).all():
        labels[workshop_id].extend((label, detail))
    return labels


def _handoff_texts(session: Session, handoffs: dict[int, Handoff]) -> dict[int, list[str]]:
    """Who wrote what in each hand-off's events, by workshop."""
    handoff_texts: dict[int, list[str]] = defaultdict(list)
    if handoffs:
        workshop_of = {h.id: h.workshop_id for h in handoffs.values()}
        for event in session.exec(
            select(HandoffEvent).where(col(HandoffEvent.handoff_id).in_(list(workshop_of)))
        ).all():
            handoff_texts[workshop_of[event.handoff_id]].extend((event.by_name, event.note, event.links))
    return handoff_texts


def _new_entry(w: Workshop) -> ArchiveEntry:
    assert w.id is not None
    return ArchiveEntry(
        workshop_id=w.id,
        code=w.code,
        created_at=w.created_at,
        title=w.title,
        product=w.product,
        status=status_of(w.step),
        map_id="",
    )


def _fill_entry(entry: ArchiveEntry, w: Workshop, rows: _WorkshopRows) -> None:
    assert w.id is not None
    handoff = rows.handoffs.get(w.id)
    entry.revision = w.revision
    entry.code = w.code
    entry.created_at = w.created_at
    entry.finished_at = w.finished_at
    entry.title = w.title
    entry.product = w.product
    entry.facilitator = w.facilitator_name
    entry.status = status_of(w.step)
    entry.map_id = rows.map_of_version.get(w.trend_map_version_id, "")
    entry.trend = _trend_title(w, rows.trends)
    entry.obstacle = _chosen_note_text(w.chosen_obstacle_id, rows.note_by_id)
    entry.innovation = _chosen_note_text(w.chosen_innovation_id, rows.note_by_id)
    entry.participants = len(rows.people[w.id])
    entry.handoff_status = handoff.status if handoff else ""
    # one line per text: a phrase never matches across two fields
    entry.search_text = "\n".join(dict.fromkeys(normalise(s) for s in _search_texts(w, rows) if s))


def _trend_title(w: Workshop, trends: dict[int, Trend]) -> str:
    """The chosen trend as ``code · title``, or ""."""
    chosen_trend = trends.get(w.chosen_trend_id) if w.chosen_trend_id else None
    if chosen_trend is None:
        return ""
    return f"{chosen_trend.code} · {localized(chosen_trend, 'title', w.lang)}"[:140]


def _chosen_note_text(note_id: int | None, note_by_id: dict[int, Note]) -> str:
    """The text of the chosen obstacle or innovation, or ""."""
    note = note_by_id.get(note_id) if note_id else None
    return note.text if note else ""


def _search_texts(w: Workshop, rows: _WorkshopRows) -> list[str]:
    """Everything a search finds the workshop by: its facts, people, trends, notes, polls, hand-off."""
    assert w.id is not None
    texts: list[str] = [w.code, w.title, w.product, w.facilitator_name]
    for p in rows.people[w.id]:
        texts.extend((p.name, p.department))
    for tid in rows.picked[w.id] | ({w.chosen_trend_id} if w.chosen_trend_id else set()):
        t = rows.trends.get(tid)
        if t is not None:
            texts.extend((t.code, t.title_ru, t.title_en))
    for n in rows.notes[w.id]:
        texts.extend((n.text, n.rationale))
        if n.original_text != n.text:
            texts.append(n.original_text)
    texts.extend(rows.labels[w.id])
    handoff = rows.handoffs.get(w.id)
    if handoff is not None:
        texts.extend((handoff.assignee_name, handoff.assignee_email, handoff.assignee_role))
        texts.extend(rows.handoff_texts[w.id])
    return texts


def _add_departments(session: Session, workshop_id: int, people: list[Participant]) -> None:
    """The workshop's departments, each by its most used spelling, with how many took part."""
    departments: dict[str, list[str]] = defaultdict(list)
    for p in people:
        departments[normalise(p.department)].append(p.department)
    for key, names in departments.items():
        name = Counter(names).most_common(1)[0][0]
        session.add(ArchiveDepartment(workshop_id=workshop_id, key=key, name=name, participants=len(names)))


# --------------------------------------------------------------------------- the list


@dataclass(frozen=True)
class ArchiveQuery:
    text: str = ""
    date_from: date | None = None
    date_to: date | None = None
    map_id: str = ""
    status: str = ""
    department: str = ""
    handoff_status: str = ""
    sort: str = "created_at"
    descending: bool = True
    page: int = 0
    per_page: int = 50


@dataclass(frozen=True)
class ArchivePage:
    rows: list[ArchiveEntry]
    total: int
    page: int
    pages: int


def terms_of(text: str) -> list[str]:
    """The query's words, normalised; quotes keep a phrase together."""
    text = normalise(text[:QUERY_MAX])
    found = (normalise((a or b).replace('"', " ")) for a, b in re.findall(r'"([^"]+)"|(\S+)', text))
    return [term for term in found if term]


def _contains(dialect: str, term: str):  # type: ignore[no-untyped-def]
    """``search_text`` holds ``term``. Both are case-folded already, so a plain substring test
    does: ``instr`` on SQLite (its ``LIKE`` folds ASCII case per character and is several times
    slower on Cyrillic), ``strpos`` on PostgreSQL, ``LIKE`` elsewhere."""
    if dialect == "sqlite":
        return func.instr(ArchiveEntry.search_text, term) > 0
    if dialect == "postgresql":
        return func.strpos(ArchiveEntry.search_text, term) > 0
    return col(ArchiveEntry.search_text).like(_like_pattern(term), escape="\\")


def _conditions(query: ArchiveQuery, dialect: str) -> list:
    where: list = []
    for term in terms_of(query.text):
        where.append(_contains(dialect, term))
    if query.date_from:
        where.append(ArchiveEntry.created_at >= datetime.combine(query.date_from, time.min, tzinfo=UTC))
    if query.date_to:
        end = datetime.combine(query.date_to, time.min, tzinfo=UTC) + timedelta(days=1)
        where.append(ArchiveEntry.created_at < end)
    if query.map_id:
        where.append(ArchiveEntry.map_id == query.map_id)
    if query.status:
        where.append(ArchiveEntry.status == query.status)
    if query.handoff_status:
        if query.handoff_status == "none":
            where.append(ArchiveEntry.handoff_status == "")
        else:
            where.append(ArchiveEntry.handoff_status == query.handoff_status)
    if query.department:
        where.append(
            col(ArchiveEntry.workshop_id).in_(
                select(ArchiveDepartment.workshop_id).where(
                    ArchiveDepartment.key == normalise(query.department)
                )
            )
        )
    return where


def list_archive(*, session: Session, query: ArchiveQuery, refresh_stale: bool = True) -> ArchivePage:
    """One page of the archive for ``query``; stale entries are brought up to date first.

    One query finds the matching ids in order (their number is the total); a second loads only
    the page's entries, without their search text: a late page never sorts whole entries."""
    if refresh_stale:
        refresh(session)
    if query.sort not in SORT_COLUMNS:
        raise ValueError(f"cannot sort by {query.sort!r}")
    per_page = max(1, min(PER_PAGE_MAX, query.per_page))
    dialect = session.get_bind().dialect.name
    column = col(getattr(ArchiveEntry, query.sort))
    tiebreak = col(ArchiveEntry.workshop_id)
    # Empty values last either way, on every database.
    if query.descending:
        order = (column.desc().nulls_last(), tiebreak.desc())
    else:
        order = (column.asc().nulls_last(), tiebreak.asc())
    ids = list(
        session.exec(
            select(ArchiveEntry.workshop_id)
            .where(and_(true(), *_conditions(query, dialect)))
            .order_by(*order)
        ).all()
    )
    total = len(ids)
    pages = max(1, -(-total // per_page))
    page = max(0, min(query.page, pages - 1))
    shown = ids[page * per_page : (page + 1) * per_page]
    entries = (
        {
            e.workshop_id: e
            for e in session.exec(
                select(ArchiveEntry)
                .options(defer(ArchiveEntry.search_text))  # type: ignore[arg-type]
                .where(col(ArchiveEntry.workshop_id).in_(shown))
            ).all()
        }
        if shown
        else {}
    )
    return ArchivePage(rows=[entries[i] for i in shown], total=total, page=page, pages=pages)


def departments(*, session: Session) -> list[str]:
    """Every department that took part, by its most used spelling, alphabetically."""
    rows = session.exec(
        select(ArchiveDepartment.key, ArchiveDepartment.name, func.count()).group_by(
            ArchiveDepartment.key, ArchiveDepartment.name
        )
    ).all()
    best: dict[str, tuple[int, str]] = {}
    for key, name, count in rows:
        if key not in best or count > best[key][0]:
            best[key] = (count, name)
    return sorted((name for _count, name in best.values()), key=normalise)


def map_ids(*, session: Session) -> list[str]:
    return list(session.exec(select(ArchiveEntry.map_id).distinct().order_by(ArchiveEntry.map_id)).all())
