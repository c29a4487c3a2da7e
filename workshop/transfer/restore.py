"""``import_json``: a workshop file stored here as a new workshop, or refused whole.

The bytes are read into :mod:`workshop.transfer.schema`'s models first: every value has its type,
length, range or choice by then. What is checked here needs more than one value: references
between sections (a ballot's participant, a merge's note, a vote's winner), refs used twice, a
ballot against its vote's rules, the map as a whole, the settings together. Then the plan — the
rows to store, with references as indexes into its lists — is written in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from workshop.db.engine import begin_write
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
    StepLog,
    TrendMap,
    TrendMapVersion,
    Workshop,
)
from workshop.managers import archive
from workshop.maps.store import save_map, trends_of, validate_map
from workshop.rules.enums import Subject
from workshop.rules.errors import BallotInvalid, InvalidInput
from workshop.rules.security import hash_secret, new_join_code, new_secret
from workshop.rules.voting import validate_marks
from workshop.transfer.export import log_detail
from workshop.transfer.schema import (
    FLAGS,
    SETTINGS,
    TREND_TEXTS,
    WORKSHOP_TEXTS,
    BallotRow,
    HandoffPart,
    NoteRow,
    OptionRow,
    ParticipantRow,
    PickRow,
    PollRow,
    Ref,
    TrendMapPart,
    WorkshopFile,
    WorkshopPart,
    read,
    shown,
)

ARCHIVE_SUFFIX = "-archive"

T = TypeVar("T")


def import_json(*, session: Session, data: bytes) -> Workshop:
    """Store the workshop in ``data`` as a new workshop here; refuse a file with any problem.

    Every problem is an :class:`InvalidInput` with a ``transfer.*`` key and, where it helps,
    ``where`` naming the place in the file. Nothing is written unless the whole file is valid."""
    plan = _Reader(read(data)).plan()
    return _write(session, plan)


def _ref(value: str, where: str, known: Mapping[str, T]) -> T:
    if value not in known:
        raise InvalidInput("transfer.unknown_ref", where=where, ref=shown(value))
    return known[value]


def _new_ref(value: str, where: str, known: Mapping[str, Any]) -> str:
    if value in known:
        raise InvalidInput("transfer.duplicate_ref", where=where, ref=value)
    return value


# --------------------------------------------------------------------------- the plan


@dataclass
class _Note:
    participant: int  # index into the plan's participants
    row: dict[str, Any]
    merged_into: int | None  # index into the plan's notes


@dataclass
class _Option:
    trend: str | None  # trend code
    note: int | None
    row: dict[str, Any]


@dataclass
class _Ballot:
    participant: int
    row: dict[str, Any]
    marks: list[tuple[int, int]]  # (option index in its poll, dots)


@dataclass
class _Poll:
    row: dict[str, Any]
    winner: int | None
    options: list[_Option] = field(default_factory=list)
    option_refs: list[str] = field(default_factory=list)
    ballots: list[_Ballot] = field(default_factory=list)


@dataclass
class _Plan:
    """A checked file: rows to store, with references as indexes into the plan's lists."""

    map_document: dict[str, Any]
    trend_rows: list[tuple[str, ...]]  # the trends as the identity of the map version
    code: str
    workshop: dict[str, Any]
    chosen_trend: str | None
    chosen_obstacle: int | None
    chosen_innovation: int | None
    participants: list[dict[str, Any]]
    picks: list[tuple[int, str, datetime]]
    notes: list[_Note]
    note_refs: list[str]
    polls: list[_Poll]
    log: list[dict[str, Any]]
    handoff: dict[str, Any] | None
    handoff_events: list[dict[str, Any]]


def _at(where: str, i: int) -> str:
    return f"{where}[{i}]"


class _Reader:
    """Follows the references of a file the schema has read; the first problem is raised,
    naming its place."""

    def __init__(self, file: WorkshopFile) -> None:
        self.file = file
        self.trends: dict[str, str] = {}  # the map's trend codes, as references to themselves
        self.person: dict[str, int] = {}
        self.note_index: dict[str, int] = {}
        self.note_kinds: list[str] = []

    def plan(self) -> _Plan:
        f = self.file
        map_document, trend_rows = self._trend_map(f.trend_map)
        code, workshop = f.workshop.code, self._workshop(f.workshop, trend_count=len(trend_rows))
        participants = self._participants(f.participants)
        picks = self._picks(f.picks)
        notes, note_refs = self._notes(f.notes)
        polls = self._polls(f.polls)
        log = [row.model_dump() for row in f.step_log]
        handoff, events = self._handoff(f.handoff)
        chosen_obstacle, chosen_innovation = (
            self._chosen_note(getattr(f.workshop, f"chosen_{kind}"), f"workshop.chosen_{kind}", kind)
            for kind in (Subject.OBSTACLE, Subject.INNOVATION)
        )
        chosen_trend = f.workshop.chosen_trend
        return _Plan(
            map_document=map_document,
            trend_rows=trend_rows,
            code=code,
            workshop=workshop,
            chosen_trend=(
                None if chosen_trend is None else _ref(chosen_trend, "workshop.chosen_trend", self.trends)
            ),
            chosen_obstacle=chosen_obstacle,
            chosen_innovation=chosen_innovation,
            participants=participants,
            picks=picks,
            notes=notes,
            note_refs=note_refs,
            polls=polls,
            log=log,
            handoff=handoff,
            handoff_events=events,
        )

    # ----------------------------------------------------------------- the map

    def _trend_map(self, m: TrendMapPart) -> tuple[dict[str, Any], list[tuple[str, ...]]]:
        # stable: equal positions keep the file's order
        listed = sorted(enumerate(m.trends, 1), key=lambda entry: entry[1].position)
        categories: dict[str, dict[str, Any]] = {}
        trends, trend_rows = [], []
        for i, t in listed:
            title = {"ru": t.category_ru, "en": t.category_en}
            if categories.setdefault(t.category, {"id": t.category, "title": title})["title"] != title:
                raise InvalidInput(
                    "transfer.category_titles", where=_at("trend_map.trends", i), category=shown(t.category)
                )
            trends.append(
                {
                    "code": t.code,
                    "category": t.category,
                    "title": {"ru": t.title_ru, "en": t.title_en},
                    "description": {"ru": t.description_ru, "en": t.description_en},
                    **({"source": t.source} if t.source else {}),
                }
            )
            trend_rows.append((t.code, *(getattr(t, name) for name in TREND_TEXTS)))
        document = {
            "id": m.id,
            "title": {"ru": m.title_ru, "en": m.title_en},
            "description": {"ru": m.description_ru, "en": m.description_en},
            "source": m.source,
            "year": m.year,
            "categories": list(categories.values()),
            "trends": trends,
        }
        problems = validate_map(document)
        if problems:
            raise InvalidInput("transfer.bad_map", problems="; ".join(map(str, problems[:5])))
        self.trends = {row[0]: row[0] for row in trend_rows}
        return document, trend_rows

    # ----------------------------------------------------------------- the workshop

    def _workshop(self, w: WorkshopPart, *, trend_count: int) -> dict[str, Any]:
        try:
            w.settings().validated(trend_count=trend_count)
        except InvalidInput as refused:
            args = refused.args_dict
            raise InvalidInput(
                "transfer.out_of_range", where=f"workshop.{args['field']}", low=args["low"], high=args["high"]
            ) from None
        names = (*WORKSHOP_TEXTS, "lang", *SETTINGS, "step", "created_at", "step_started_at")
        names += ("deadline", "finished_at", "paused_remaining", *FLAGS, "join_base_url")
        return {name: getattr(w, name) for name in names}

    def _chosen_note(self, value: str | None, where: str, kind: str) -> int | None:
        if value is None:
            return None
        index = _ref(value, where, self.note_index)
        if self.note_kinds[index] != kind:
            raise InvalidInput("transfer.wrong_kind", where=where, ref=shown(value))
        return index

    # ----------------------------------------------------------------- people and their input

    def _participants(self, people: list[ParticipantRow]) -> list[dict[str, Any]]:
        rows = []
        for i, p in enumerate(people, 1):
            ref = _new_ref(p.ref, f"{_at('participants', i)}.ref", self.person)
            rows.append(p.model_dump(exclude={"ref"}))
            self.person[ref] = len(rows) - 1
        return rows

    def _picks(self, picks: list[PickRow]) -> list[tuple[int, str, datetime]]:
        found, seen = [], set()
        for i, p in enumerate(picks, 1):
            at = _at("picks", i)
            pick = (
                _ref(p.participant, f"{at}.participant", self.person),
                _ref(p.trend, f"{at}.trend", self.trends),
            )
            if pick in seen:
                raise InvalidInput("transfer.duplicate_entry", where=at)
            seen.add(pick)
            found.append((*pick, p.created_at))
        return found

    def _notes(self, notes: list[NoteRow]) -> tuple[list[_Note], list[str]]:
        entries: list[tuple[str, Ref | None, _Note]] = []
        for i, n in enumerate(notes, 1):
            at = _at("notes", i)
            ref = _new_ref(n.ref, f"{at}.ref", self.note_index)
            row = n.model_dump(exclude={"ref", "participant", "merged_into"})
            participant = _ref(n.participant, f"{at}.participant", self.person)
            self.note_index[ref] = len(entries)
            self.note_kinds.append(n.kind)
            entries.append((at, n.merged_into, _Note(participant=participant, row=row, merged_into=None)))
        for at, merged_into, note in entries:  # a note may be merged into a later one
            if merged_into is None:
                continue
            target = _ref(merged_into, f"{at}.merged_into", self.note_index)
            if self.note_kinds[target] != note.row["kind"]:
                raise InvalidInput("transfer.wrong_kind", where=f"{at}.merged_into", ref=shown(merged_into))
            if entries[target][1] is not None:  # into a note that is merged itself (or itself)
                raise InvalidInput("transfer.merged_chain", where=f"{at}.merged_into")
            note.merged_into = target
        return [note for _at, _m, note in entries], list(self.note_index)

    # ----------------------------------------------------------------- votes

    def _polls(self, polls: list[PollRow]) -> list[_Poll]:
        found, rounds = [], set()
        option_refs: dict[str, int] = {}
        for i, p in enumerate(polls, 1):
            at = _at("polls", i)
            if (p.subject, p.round) in rounds:
                raise InvalidInput("transfer.duplicate_entry", where=f"{at}.round")
            rounds.add((p.subject, p.round))
            row = p.model_dump(exclude={"winner", "options", "ballots"})
            poll = _Poll(row=row, winner=None)
            own: dict[str, int] = {}
            for j, o in enumerate(p.options, 1):
                o_at = _at(f"{at}.options", j)
                poll.options.append(self._option(o, o_at, p.subject))
                ref = _new_ref(o.ref, f"{o_at}.ref", option_refs)
                option_refs[ref] = own[ref] = len(poll.options) - 1
                poll.option_refs.append(ref)
            poll.winner = None if p.winner is None else _ref(p.winner, f"{at}.winner", own)
            voters: set[int] = set()
            for j, b in enumerate(p.ballots, 1):
                b_at = _at(f"{at}.ballots", j)
                ballot = self._ballot(b, b_at, own, p)
                if ballot.participant in voters:
                    raise InvalidInput("transfer.duplicate_entry", where=f"{b_at}.participant")
                voters.add(ballot.participant)
                poll.ballots.append(ballot)
            found.append(poll)
        return found

    def _option(self, o: OptionRow, at: str, subject: str) -> _Option:
        trend = None if o.trend is None else _ref(o.trend, f"{at}.trend", self.trends)
        note = None if o.note is None else _ref(o.note, f"{at}.note", self.note_index)
        # A trend vote lists trends; a note vote lists notes of its kind (or none: a withdrawn one).
        if subject == Subject.TREND:
            fits = trend is not None and note is None
        else:
            fits = trend is None and (note is None or self.note_kinds[note] == subject)
        if not fits:
            raise InvalidInput("transfer.option_subject", where=at)
        return _Option(
            trend=trend, note=note, row=o.model_dump(include={"position", "label", "detail", "support"})
        )

    def _ballot(self, b: BallotRow, at: str, options: Mapping[str, int], poll: PollRow) -> _Ballot:
        marks: dict[int, int] = {}
        for k, m in enumerate(b.marks, 1):
            m_at = _at(f"{at}.marks", k)
            option = _ref(m.option, f"{m_at}.option", options)
            if option in marks:
                raise InvalidInput("transfer.duplicate_entry", where=f"{m_at}.option")
            marks[option] = m.dots
        try:
            validate_marks(
                marks,
                option_ids=options.values(),
                votes_per_person=poll.votes_per_person,
                cap_per_option=poll.cap_per_option,
            )
        except BallotInvalid:
            raise InvalidInput("transfer.bad_ballot", where=f"{at}.marks") from None
        return _Ballot(
            participant=_ref(b.participant, f"{at}.participant", self.person),
            row={"cast_at": b.cast_at, "updated_at": b.updated_at},
            marks=list(marks.items()),
        )

    # ----------------------------------------------------------------- the record

    def _handoff(self, h: HandoffPart | None) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        if h is None:
            return None, []
        events = [{**e.model_dump(exclude={"links"}), "links": "\n".join(e.links)} for e in h.events]
        return h.model_dump(exclude={"events"}), events


# --------------------------------------------------------------------------- writing


def _write(session: Session, plan: _Plan) -> Workshop:
    begin_write(session)
    try:
        workshop = _store(session, plan)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    session.refresh(workshop)
    archive.refresh(session, [workshop.id])  # findable in the archive at once
    session.refresh(workshop)
    return workshop


def _store(session: Session, plan: _Plan) -> Workshop:
    version_id = _map_version(session, plan)
    trend_id = {t.code: t.id for t in trends_of(session=session, version_id=version_id)}
    workshop = Workshop(
        **plan.workshop,
        code=_free_code(session, plan.code),
        facilitator_key_hash=hash_secret(new_secret()),
        trend_map_version_id=version_id,
        chosen_trend_id=None if plan.chosen_trend is None else trend_id[plan.chosen_trend],
    )
    session.add(workshop)
    session.flush()
    wid = workshop.id

    people = [
        Participant(workshop_id=wid, token_hash=hash_secret(new_secret()), **row) for row in plan.participants
    ]
    session.add_all(people)
    session.flush()
    session.add_all(
        Pick(workshop_id=wid, participant_id=people[p].id, trend_id=trend_id[code], created_at=at)
        for p, code, at in plan.picks
    )
    notes = [Note(workshop_id=wid, participant_id=people[n.participant].id, **n.row) for n in plan.notes]
    session.add_all(notes)
    session.flush()
    for note, planned_note in zip(notes, plan.notes, strict=True):
        if planned_note.merged_into is not None:
            note.merged_into_id = notes[planned_note.merged_into].id

    polls = [Poll(workshop_id=wid, **p.row) for p in plan.polls]
    session.add_all(polls)
    session.flush()
    options = [
        [
            PollOption(
                poll_id=poll.id,
                trend_id=None if o.trend is None else trend_id[o.trend],
                note_id=None if o.note is None else notes[o.note].id,
                **o.row,
            )
            for o in planned.options
        ]
        for poll, planned in zip(polls, plan.polls, strict=True)
    ]
    session.add_all(o for own in options for o in own)
    session.flush()
    ballots = [
        [Ballot(poll_id=poll.id, participant_id=people[b.participant].id, **b.row) for b in planned.ballots]
        for poll, planned in zip(polls, plan.polls, strict=True)
    ]
    session.add_all(b for own in ballots for b in own)
    session.flush()
    for poll, planned, own_options, own_ballots in zip(polls, plan.polls, options, ballots, strict=True):
        if planned.winner is not None:
            poll.winner_option_id = own_options[planned.winner].id
        for ballot, planned_ballot in zip(own_ballots, planned.ballots, strict=True):
            session.add_all(
                BallotMark(ballot_id=ballot.id, option_id=own_options[o].id, dots=dots)
                for o, dots in planned_ballot.marks
            )

    note_ids = {ref: note.id for ref, note in zip(plan.note_refs, notes, strict=True)}
    option_ids = {
        ref: option.id
        for planned, own in zip(plan.polls, options, strict=True)
        for ref, option in zip(planned.option_refs, own, strict=True)
    }
    session.add_all(
        StepLog(
            workshop_id=wid,
            **{**row, "detail": log_detail(row["event"], row["detail"], note_ids, option_ids)},
        )
        for row in plan.log
    )
    if plan.handoff is not None:
        handoff = Handoff(workshop_id=wid, **plan.handoff)
        session.add(handoff)
        session.flush()
        session.add_all(HandoffEvent(handoff_id=handoff.id, **row) for row in plan.handoff_events)

    workshop.chosen_obstacle_id = None if plan.chosen_obstacle is None else notes[plan.chosen_obstacle].id
    workshop.chosen_innovation_id = (
        None if plan.chosen_innovation is None else notes[plan.chosen_innovation].id
    )
    session.add(workshop)
    session.flush()
    return workshop


def _free_code(session: Session, code: str) -> str:
    for candidate in (code, *(new_join_code() for _ in range(20))):
        if session.exec(select(Workshop.id).where(Workshop.code == candidate)).first() is None:
            return candidate
    raise InvalidInput("error.no_code")  # pragma: no cover - 31**6 codes


def _same_version(session: Session, map_id: str, plan: _Plan) -> int | None:
    for version in session.exec(
        select(TrendMapVersion)
        .where(TrendMapVersion.map_id == map_id)
        .order_by(col(TrendMapVersion.version).desc())
    ).all():
        trends = trends_of(session=session, version_id=version.id)
        if [(t.code, *(getattr(t, name) for name in TREND_TEXTS)) for t in trends] == plan.trend_rows:
            return version.id
    return None


def _map_version(session: Session, plan: _Plan) -> int:
    """A version here with the file's trends, or a new one stored with them.

    The file's map keeps its id when this installation has no map by that id. When it has one
    with other trends, the file's trends go into an archive map of their own
    (``<id>-archive``): importing an old workshop never changes the map new workshops start with.
    """
    map_id = plan.map_document["id"]
    found = _same_version(session, map_id, plan)
    if found is not None:
        return found
    document = dict(plan.map_document)
    if session.get(TrendMap, map_id) is not None:
        map_id = f"{map_id[: 64 - len(ARCHIVE_SUFFIX)]}{ARCHIVE_SUFFIX}"
        found = _same_version(session, map_id, plan)
        if found is not None:
            return found
        title = document["title"]
        document.update(
            id=map_id,
            title={
                "ru": f"{title['ru']} (архив)"[:200],
                "en": f"{title['en']} (archive)"[:200],
            },
        )
    # save_map commits its own work: here it runs in a savepoint of this import's transaction, so
    # the map version is written together with the workshop or not at all.
    with Session(bind=session.connection(), join_transaction_mode="create_savepoint") as inner:
        version_id = save_map(session=inner, data=document).id
    assert version_id is not None
    return version_id
