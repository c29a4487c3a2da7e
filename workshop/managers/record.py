"""The record of one workshop for managers: what happened, who took part, what was chosen and why.

A pure read, built from the workshop's rows into frozen dataclasses that the record page and the
exports (``workshop.render.exports``) draw. Two privacy rules are held here, once, so nothing built
from a record can break them:

- ballots are secret unless the workshop votes openly (``Workshop.open_voting``): without it the
  record holds counts only and never reads who voted for what;
- a note's author is named only when the facilitator showed authors or the vote is open; the
  author's department is always on record.

Counts of a vote still open (or not yet opened) are left out: it is not decided yet.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from workshop.db.models import Ballot, BallotMark, Note, Participant, Pick, Poll, TrendMapVersion, Workshop
from workshop.i18n import localized
from workshop.live.views import workshop_view
from workshop.managers.archive import status_of
from workshop.rules import steps
from workshop.rules.enums import PollStatus, Subject
from workshop.rules.errors import NotFound
from workshop.services import ballots_cast, count_poll, options_of

SUBJECTS = tuple(Subject)
# poll statuses whose counts are on record
COUNTED = (PollStatus.CLOSED, PollStatus.REVEALED, PollStatus.CANCELLED)
_RUNOFF_DETAIL = re.compile(r"^round (\d+):")


# --------------------------------------------------------------------------- the parts


@dataclass(frozen=True)
class Event:
    """One line of the workshop's log (``StepLog``)."""

    at: datetime
    step: str
    event: str
    detail: str


@dataclass(frozen=True)
class StepSpan:
    """One stay in a step: entered, left (``None`` while there or once finished)."""

    step: str
    entered_at: datetime
    left_at: datetime | None

    @property
    def seconds(self) -> float | None:
        if self.left_at is None:
            return None
        return (self.left_at - self.entered_at).total_seconds()


@dataclass(frozen=True)
class Person:
    name: str
    department: str
    joined_at: datetime


@dataclass(frozen=True)
class PickRecord:
    """One trend one participant picked on the map."""

    name: str
    department: str
    trend_code: str
    trend_title_ru: str
    trend_title_en: str
    at: datetime

    def trend_title(self, lang: str) -> str:
        return localized(self, "trend_title", lang)


@dataclass(frozen=True)
class NoteRecord:
    """An obstacle note or an innovation proposal (withdrawn notes are gone from the database)."""

    id: int
    kind: str  # "obstacle" | "innovation"
    text: str
    original_text: str | None  # the author's own words when the facilitator edited them
    rationale: str
    department: str
    author: str | None  # None unless authors were shown or the vote is open
    merged_into: int | None  # the id of the note this one was merged into
    created_at: datetime
    edited_at: datetime | None


@dataclass(frozen=True)
class Voter:
    name: str
    dots: int


@dataclass(frozen=True)
class OptionRecord:
    """One option of one poll, with its count and, only under open voting, its voters."""

    id: int
    label: str  # as on the ballot
    detail: str
    support: int  # participants who picked the trend / wrote the note and the notes merged in
    votes: int | None  # None while the poll is not yet closed
    winner: bool
    trend_code: str = ""
    trend_title_ru: str = ""
    trend_title_en: str = ""
    note_id: int | None = None
    voters: tuple[Voter, ...] | None = None  # None unless the workshop votes openly

    def trend_title(self, lang: str) -> str:
        return localized(self, "trend_title", lang)

    def text(self, lang: str) -> str:
        """What the option says in ``lang``: a trend's code and title, or a note's text."""
        return f"{self.trend_code} · {self.trend_title(lang)}" if self.trend_code else self.label


@dataclass(frozen=True)
class PollRecord:
    id: int
    subject: str  # "trend" | "obstacle" | "innovation"
    round: int
    status: str  # ready | open | closed | revealed | cancelled
    runoff: bool  # started by a tie between the options of the round before
    votes_per_person: int
    cap_per_option: int
    opened_at: datetime | None
    closed_at: datetime | None
    decided_by: str | None  # "vote" | "facilitator" | None
    tie: bool
    ballots: int
    options: tuple[OptionRecord, ...]

    @property
    def cancelled(self) -> bool:
        return self.status == PollStatus.CANCELLED

    @property
    def counted(self) -> bool:
        return self.status in COUNTED

    @property
    def winner(self) -> OptionRecord | None:
        return next((o for o in self.options if o.winner), None)

    @property
    def by_votes(self) -> tuple[OptionRecord, ...]:
        """The options, most votes first (ballot order among equals)."""
        return tuple(sorted(self.options, key=lambda o: -(o.votes or 0)))


@dataclass(frozen=True)
class Merge:
    """A note the facilitator kept, and the duplicates merged into it."""

    kept: NoteRecord
    merged: tuple[NoteRecord, ...]


@dataclass(frozen=True)
class RunnerUp:
    option: OptionRecord
    round: int


@dataclass(frozen=True)
class Chosen:
    """What the group chose for one subject, and why."""

    subject: str
    option: OptionRecord
    votes: int
    ballots: int
    rounds: int  # rounds of this vote (cancelled ones not counted)
    round: int  # the number of the deciding round
    decided_by: str  # "vote" | "facilitator"
    tie: bool  # some round of this vote ended in a tie
    pickers: tuple[str, ...]  # the trend: who picked it on the map
    note: NoteRecord | None  # the obstacle or innovation note
    merged: tuple[NoteRecord, ...]  # the notes merged into it
    runners_up: tuple[RunnerUp, ...]  # the deciding round's other options by votes, then earlier rounds'

    @property
    def picked_by(self) -> int:
        return len(self.pickers)

    @property
    def rationale(self) -> str:
        return self.note.rationale if self.note else ""

    def text(self, lang: str) -> str:
        return self.option.text(lang)


@dataclass(frozen=True)
class WorkshopRecord:
    id: int
    code: str
    title: str
    product: str
    facilitator_name: str
    lang: str
    created_at: datetime
    finished_at: datetime | None
    step: str
    status: str  # "lobby" | "running" | "finished"
    map_id: str
    map_title_ru: str
    map_title_en: str
    map_version: int
    open_voting: bool
    show_authors: bool
    agreement_confirmed: bool
    timeline: tuple[Event, ...]
    steps: tuple[StepSpan, ...]
    roster: tuple[Person, ...]
    picks: tuple[PickRecord, ...]
    obstacles: tuple[NoteRecord, ...]
    innovations: tuple[NoteRecord, ...]
    polls: tuple[PollRecord, ...]
    merges: tuple[Merge, ...]
    trend: Chosen | None
    obstacle: Chosen | None
    innovation: Chosen | None

    @property
    def authors_named(self) -> bool:
        return self.show_authors or self.open_voting

    def map_title(self, lang: str) -> str:
        return localized(self, "map_title", lang)

    def chosen(self, subject: str) -> Chosen | None:
        return {"trend": self.trend, "obstacle": self.obstacle, "innovation": self.innovation}[subject]

    def notes(self, kind: str) -> tuple[NoteRecord, ...]:
        return self.obstacles if kind == Subject.OBSTACLE else self.innovations

    def polls_of(self, subject: str) -> tuple[PollRecord, ...]:
        return tuple(p for p in self.polls if p.subject == subject)


# --------------------------------------------------------------------------- building it


def _spans(events: list[Event]) -> tuple[StepSpan, ...]:
    """Each stay in a step runs from its ``created``/``entered`` line to the next one."""
    starts = [e for e in events if e.event in ("created", "entered")]
    return tuple(
        StepSpan(step=e.step, entered_at=e.at, left_at=starts[i + 1].at if i + 1 < len(starts) else None)
        for i, e in enumerate(starts)
    )


def _runoff_rounds(events: list[Event]) -> set[tuple[str, int]]:
    """(subject, round) of every runoff, from the log: a round after a vote the facilitator
    cancelled by going back is a new vote, not a runoff."""
    found: set[tuple[str, int]] = set()
    for e in events:
        match = _RUNOFF_DETAIL.match(e.detail)
        if e.event == "runoff" and match and e.step in steps.VOTE_STEPS:
            found.add((steps.VOTE_STEPS[e.step], int(match.group(1))))
    return found


def _voters(session: Session, poll_ids: list[int]) -> dict[int, tuple[Voter, ...]]:
    """Who put how many dots on each option; read only for a workshop that votes openly."""
    rows = session.exec(
        select(BallotMark.option_id, BallotMark.dots, Participant.name)
        .join(Ballot, col(Ballot.id) == BallotMark.ballot_id)
        .join(Participant, col(Participant.id) == Ballot.participant_id)
        .where(col(Ballot.poll_id).in_(poll_ids))
        .order_by(col(Participant.joined_at), col(Participant.id))
    ).all()
    voters: dict[int, list[Voter]] = defaultdict(list)
    for option_id, dots, name in rows:
        voters[option_id].append(Voter(name=name, dots=dots))
    return {option_id: tuple(v) for option_id, v in voters.items()}


def _polls(session: Session, workshop: Workshop, trends: dict, events: list[Event]) -> tuple[PollRecord, ...]:
    polls = sorted(
        session.exec(select(Poll).where(Poll.workshop_id == workshop.id)).all(),
        key=lambda p: (SUBJECTS.index(p.subject) if p.subject in SUBJECTS else len(SUBJECTS), p.round),
    )
    voters = _voters(session, [p.id for p in polls]) if workshop.open_voting and polls else {}
    runoffs = _runoff_rounds(events)
    records = []
    for poll in polls:
        counted = poll.status in COUNTED
        counts = count_poll(session=session, poll_id=poll.id).counts if counted else {}
        options = []
        for option in options_of(session=session, poll_id=poll.id):
            trend = trends.get(option.trend_id) if option.trend_id is not None else None
            options.append(
                OptionRecord(
                    id=option.id,
                    label=option.label,
                    detail=option.detail,
                    support=option.support,
                    votes=counts.get(option.id, 0) if counted else None,
                    winner=option.id == poll.winner_option_id,
                    trend_code=trend.code if trend else "",
                    trend_title_ru=trend.title_ru if trend else "",
                    trend_title_en=trend.title_en if trend else "",
                    note_id=option.note_id,
                    voters=voters.get(option.id, ()) if workshop.open_voting and counted else None,
                )
            )
        records.append(
            PollRecord(
                id=poll.id,
                subject=poll.subject,
                round=poll.round,
                status=poll.status,
                runoff=(poll.subject, poll.round) in runoffs,
                votes_per_person=poll.votes_per_person,
                cap_per_option=poll.cap_per_option,
                opened_at=poll.opened_at,
                closed_at=poll.closed_at,
                decided_by=poll.decided_by,
                tie=poll.tie,
                ballots=ballots_cast(session=session, poll_id=poll.id),
                options=tuple(options),
            )
        )
    return tuple(records)


def _same(a: OptionRecord, b: OptionRecord) -> bool:
    """The same trend or note offered again in another round."""
    if a.trend_code or b.trend_code:
        return a.trend_code == b.trend_code
    if a.note_id is not None or b.note_id is not None:
        return a.note_id == b.note_id
    return a.label == b.label


def _runners_up(rounds: list[PollRecord], winner: OptionRecord) -> tuple[RunnerUp, ...]:
    """The deciding round's other options by votes, then those an earlier round left out."""
    found: list[RunnerUp] = []
    for poll in reversed(rounds):
        for option in poll.by_votes:
            if _same(option, winner) or any(_same(option, r.option) for r in found):
                continue
            found.append(RunnerUp(option=option, round=poll.round))
    return tuple(found)


def workshop_record(*, session: Session, workshop_id: int) -> WorkshopRecord:
    """Everything on record about one workshop, read in one go; raises :class:`NotFound`."""
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound("error.workshop_not_found")
    view = workshop_view(session=session, workshop=workshop, with_log=True)
    version = session.get(TrendMapVersion, workshop.trend_map_version_id)
    trends = view.trend_by_id
    people = {p.id: p for p in view.participants}
    events = [Event(at=e.at, step=e.step, event=e.event, detail=e.detail) for e in view.log]

    picks = session.exec(
        select(Pick).where(Pick.workshop_id == workshop.id).order_by(col(Pick.created_at), col(Pick.id))
    ).all()
    pick_records = tuple(
        PickRecord(
            name=people[p.participant_id].name,
            department=people[p.participant_id].department,
            trend_code=trends[p.trend_id].code,
            trend_title_ru=trends[p.trend_id].title_ru,
            trend_title_en=trends[p.trend_id].title_en,
            at=p.created_at,
        )
        for p in picks
        if p.participant_id in people and p.trend_id in trends
    )

    rows = session.exec(select(Note).where(Note.workshop_id == workshop.id).order_by(col(Note.id))).all()
    named = workshop.show_authors or workshop.open_voting
    notes = {
        n.id: NoteRecord(
            id=n.id,
            kind=n.kind,
            text=n.text,
            original_text=n.original_text if n.original_text != n.text else None,
            rationale=n.rationale,
            department=people[n.participant_id].department if n.participant_id in people else "",
            author=(people[n.participant_id].name if n.participant_id in people else "") if named else None,
            merged_into=n.merged_into_id,
            created_at=n.created_at,
            edited_at=n.edited_at,
        )
        for n in rows
    }
    merged: dict[int, list[NoteRecord]] = defaultdict(list)
    for note in notes.values():
        if note.merged_into is not None and note.merged_into in notes:
            merged[note.merged_into].append(note)
    merges = tuple(Merge(kept=notes[k], merged=tuple(v)) for k, v in sorted(merged.items()))

    polls = _polls(session, workshop, trends, events)
    chosen: dict[str, Chosen] = {}
    for subject, choice in view.choices.items():
        rounds = [p for p in polls if p.subject == subject and not p.cancelled]
        deciding = next((p for p in rounds if any(o.id == choice.option.id for o in p.options)), None)
        if deciding is None:
            continue
        option = next(o for o in deciding.options if o.id == choice.option.id)
        chosen_note = notes.get(choice.option.note_id) if choice.option.note_id is not None else None
        chosen[subject] = Chosen(
            subject=subject,
            option=option,
            votes=choice.votes,
            ballots=choice.ballots,
            rounds=choice.rounds,
            round=deciding.round,
            decided_by=choice.decided_by,
            tie=any(p.tie for p in rounds),
            pickers=tuple(view.pickers.get(choice.option.trend_id, ())) if choice.option.trend_id else (),
            note=chosen_note,
            merged=tuple(merged.get(chosen_note.id, ())) if chosen_note else (),
            runners_up=_runners_up(rounds, option),
        )

    return WorkshopRecord(
        id=workshop.id,
        code=workshop.code,
        title=workshop.title,
        product=workshop.product,
        facilitator_name=workshop.facilitator_name,
        lang=workshop.lang,
        created_at=workshop.created_at,
        finished_at=workshop.finished_at,
        step=workshop.step,
        status=status_of(workshop.step),
        map_id=version.map_id if version else "",
        map_title_ru=view.map_title_ru,
        map_title_en=view.map_title_en,
        map_version=version.version if version else 0,
        open_voting=workshop.open_voting,
        show_authors=workshop.show_authors,
        agreement_confirmed=workshop.agreement_confirmed,
        timeline=tuple(events),
        steps=_spans(events),
        roster=tuple(Person(p.name, p.department, p.joined_at) for p in view.participants),
        picks=pick_records,
        obstacles=tuple(n for n in notes.values() if n.kind == Subject.OBSTACLE),
        innovations=tuple(n for n in notes.values() if n.kind == Subject.INNOVATION),
        polls=polls,
        merges=merges,
        trend=chosen.get("trend"),
        obstacle=chosen.get("obstacle"),
        innovation=chosen.get("innovation"),
    )
