"""What the screens show, read in a few queries: pure reads, no writes."""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlmodel import Session, col, select

from workshop.db.engine import database_key
from workshop.db.models import (
    Note,
    Participant,
    Pick,
    Poll,
    PollOption,
    StepLog,
    Trend,
    TrendMap,
    TrendMapVersion,
    Workshop,
    utcnow,
)
from workshop.maps.store import trends_of
from workshop.rules import steps, timers
from workshop.rules.enums import SUGGESTION_DISMISSED, PollStatus
from workshop.services import (
    WAITING,
    ballots_cast,
    count_poll,
    current_poll,
    options_of,
    phase_of,
    roster,
    timer_of,
)

GROUP_MIN, GROUP_MAX = 5, 7


@dataclass
class NoteCard:
    id: int
    kind: str
    text: str
    rationale: str
    original_text: str
    edited: bool
    author: str
    department: str
    participant_id: int
    merged: list[NoteCard] = field(default_factory=list)

    @property
    def authors(self) -> list[str]:
        return [self.author, *(m.author for m in self.merged)]


@dataclass
class OptionResult:
    option: PollOption
    votes: int | None  # None while the vote is secret


@dataclass
class PollView:
    poll: Poll
    options: list[PollOption]
    ballots: int
    results: list[OptionResult]
    leaders: tuple[int, ...]

    @property
    def revealed(self) -> bool:
        return self.poll.status == PollStatus.REVEALED

    @property
    def winner(self) -> PollOption | None:
        return next((o for o in self.options if o.id == self.poll.winner_option_id), None)


@dataclass
class Choice:
    """A decided vote: what won, with how many votes, and how it was decided."""

    subject: str
    option: PollOption
    votes: int
    ballots: int
    decided_by: str
    rounds: int


@dataclass
class WorkshopView:
    workshop: Workshop
    map_title_ru: str
    map_title_en: str
    trends: list[Trend]
    participants: list[Participant]
    waiting: list[Participant]  # asked to join a locked room, not let in yet
    pick_counts: Counter[int]
    picks_by_participant: Counter[int]
    pickers: dict[int, list[str]]
    obstacles: list[NoteCard]
    innovations: list[NoteCard]
    poll: PollView | None
    choices: dict[str, Choice]
    remaining: float | None
    paused: bool
    log: list[StepLog]
    # The suggested merges the facilitator turned down (their keys), while notes are written.
    dismissed: frozenset[str] = frozenset()

    @property
    def step(self) -> str:
        return self.workshop.step

    @property
    def facts(self) -> steps.Facts:
        """What the step rules ask of this workshop now, read off the view (the service's own
        ``_facts`` counts the same from the tables)."""
        w = self.workshop
        return steps.Facts(
            step=w.step,
            participants=len(self.participants),
            picks=sum(1 for n in self.picks_by_participant.values() if n >= w.picks_min),
            obstacles=len(self.obstacles),
            innovations=len(self.innovations),
            poll_decided=bool(self.poll and self.poll.poll.winner_option_id is not None),
            agreement_confirmed=w.agreement_confirmed,
        )

    @property
    def trend_by_id(self) -> dict[int, Trend]:
        return {t.id: t for t in self.trends if t.id is not None}

    @property
    def chosen_trend(self) -> Trend | None:
        return self.trend_by_id.get(self.workshop.chosen_trend_id or -1)

    def note(self, note_id: int | None) -> NoteCard | None:
        for card in (*self.obstacles, *self.innovations):
            if card.id == note_id:
                return card
        return None

    @property
    def chosen_obstacle(self) -> NoteCard | None:
        return self.note(self.workshop.chosen_obstacle_id)

    @property
    def chosen_innovation(self) -> NoteCard | None:
        return self.note(self.workshop.chosen_innovation_id)

    @property
    def group_warnings(self) -> list[tuple[str, dict]]:
        """Warnings about the group: the method wants 5-7 people from different departments."""
        n = len(self.participants)
        warnings: list[tuple[str, dict]] = []
        if n < GROUP_MIN:
            warnings.append(("warn.too_few", {"n": n, "min": GROUP_MIN}))
        elif n > GROUP_MAX:
            warnings.append(("warn.too_many", {"n": n, "max": GROUP_MAX}))
        departments = {p.department.strip().casefold() for p in self.participants}
        if n >= 2 and len(departments) == 1:
            warnings.append(("warn.one_department", {"department": self.participants[0].department}))
        return warnings

    @property
    def done_picking(self) -> int:
        """How many participants picked at least the workshop's minimum."""
        low = self.workshop.picks_min
        return sum(1 for n in self.picks_by_participant.values() if n >= low)

    @property
    def timer_over(self) -> bool:
        return self.remaining is not None and self.remaining <= 0 and not self.paused


def _note_cards(notes: list[Note], people: dict[int, Participant]) -> dict[str, list[NoteCard]]:
    cards = {
        n.id: NoteCard(
            id=n.id,
            kind=n.kind,
            text=n.text,
            rationale=n.rationale,
            original_text=n.original_text,
            edited=n.text != n.original_text,
            author=people[n.participant_id].name if n.participant_id in people else "?",
            department=people[n.participant_id].department if n.participant_id in people else "",
            participant_id=n.participant_id,
        )
        for n in notes
    }
    result: dict[str, list[NoteCard]] = defaultdict(list)
    for n in notes:
        if n.merged_into_id is not None and n.merged_into_id in cards:
            cards[n.merged_into_id].merged.append(cards[n.id])
        else:
            result[n.kind].append(cards[n.id])
    return result


def _poll_view(session: Session, poll: Poll, *, secret: bool) -> PollView:
    options = options_of(session=session, poll_id=poll.id)
    counts = count_poll(session=session, poll_id=poll.id)
    show = not secret or poll.status == PollStatus.REVEALED
    results = [OptionResult(o, counts.counts.get(o.id, 0) if show else None) for o in options]
    if show:
        results.sort(key=lambda r: -(r.votes or 0))
    return PollView(
        poll=poll,
        options=options,
        ballots=ballots_cast(session=session, poll_id=poll.id),
        results=results,
        leaders=counts.leaders if show else (),
    )


def _choices(session: Session, workshop: Workshop) -> dict[str, Choice]:
    polls = session.exec(
        select(Poll)
        .where(Poll.workshop_id == workshop.id, Poll.status != PollStatus.CANCELLED)
        .order_by(col(Poll.subject), col(Poll.round))
    ).all()
    by_subject: dict[str, list[Poll]] = defaultdict(list)
    for poll in polls:
        by_subject[poll.subject].append(poll)
    choices = {}
    for subject, rounds in by_subject.items():
        last = rounds[-1]
        if last.winner_option_id is None:
            continue
        option = session.get(PollOption, last.winner_option_id)
        if option is None:
            continue
        result = count_poll(session=session, poll_id=last.id)
        choices[subject] = Choice(
            subject=subject,
            option=option,
            votes=result.counts.get(option.id, 0),
            ballots=ballots_cast(session=session, poll_id=last.id),
            decided_by=last.decided_by or "vote",
            rounds=len(rounds),
        )
    return choices


# A map version never changes once saved (an edit saves a new version), so its trends are read
# once per process and shared, read-only, by every view of every workshop that uses it.
_VERSIONS: dict[tuple[str, int], tuple[str, str, list[Trend]]] = {}
_VERSIONS_LOCK = threading.Lock()


def map_of_version(*, session: Session, version_id: int) -> tuple[str, str, list[Trend]]:
    """A map version's titles (Russian, English) and trends, read once per process."""
    key = (database_key(session), version_id)
    with _VERSIONS_LOCK:
        known = _VERSIONS.get(key)
    if known is not None:
        return known
    version = session.get(TrendMapVersion, version_id)
    trend_map = session.get(TrendMap, version.map_id) if version else None
    # Copies of their own, so the caller's session keeps its objects and no session holds these.
    trends = [Trend(**t.model_dump()) for t in trends_of(session=session, version_id=version_id)]
    known = (trend_map.title_ru if trend_map else "", trend_map.title_en if trend_map else "", trends)
    with _VERSIONS_LOCK:
        _VERSIONS[key] = known
    return known


def workshop_view(
    *,
    session: Session,
    workshop: Workshop,
    secret: bool = True,
    now: datetime | None = None,
    with_log: bool = False,
) -> WorkshopView:
    """Everything the projector, the control panel or a phone draws for ``workshop``; the step
    log too when ``with_log`` (a workshop's record reads it, the live screens do not)."""
    now = now or utcnow()
    map_title_ru, map_title_en, trends = map_of_version(
        session=session, version_id=workshop.trend_map_version_id
    )
    participants = roster(session=session, workshop_id=workshop.id)
    waiting = roster(session=session, workshop_id=workshop.id, admission=WAITING) if workshop.locked else []
    people = {p.id: p for p in participants}
    picks = session.exec(
        select(Pick.trend_id, Pick.participant_id).where(Pick.workshop_id == workshop.id)
    ).all()
    pick_counts: Counter[int] = Counter(t for t, _ in picks)
    pickers: dict[int, list[str]] = defaultdict(list)
    for trend_id, pid in picks:
        if pid in people:
            pickers[trend_id].append(people[pid].name)
    notes = list(
        session.exec(select(Note).where(Note.workshop_id == workshop.id).order_by(col(Note.id))).all()
    )
    cards = _note_cards(notes, people)
    poll = current_poll(session=session, workshop=workshop)
    timer = timer_of(workshop)
    log = (
        list(
            session.exec(
                select(StepLog).where(StepLog.workshop_id == workshop.id).order_by(col(StepLog.id))
            ).all()
        )
        if with_log
        else []
    )
    return WorkshopView(
        workshop=workshop,
        map_title_ru=map_title_ru,
        map_title_en=map_title_en,
        trends=trends,
        participants=participants,
        waiting=waiting,
        pick_counts=pick_counts,
        picks_by_participant=Counter(pid for _, pid in picks),
        pickers=dict(pickers),
        obstacles=cards.get("obstacle", []),
        innovations=cards.get("innovation", []),
        poll=_poll_view(session, poll, secret=secret) if poll else None,
        choices=_choices(session, workshop),
        remaining=timers.remaining(timer, now),
        paused=timer.paused,
        log=log,
        dismissed=_dismissed(session, workshop),
    )


def _dismissed(session: Session, workshop: Workshop) -> frozenset[str]:
    if workshop.step not in steps.NOTE_KIND:
        return frozenset()
    where = (StepLog.workshop_id == workshop.id, StepLog.event == SUGGESTION_DISMISSED)
    return frozenset(session.exec(select(StepLog.detail).where(*where)).all())


# --------------------------------------------------------------------------- one view per revision

# A workshop's screens (a projector, a control panel, 5-7 phones) all draw the same view, and
# every change bumps the workshop's revision (services._base._commit). So a view is built once per
# revision in this process and shared: the eight reruns a change causes cost one build and seven
# look-ups. Views are read-only; their rows were loaded in a session of their own that is closed,
# so no other session's commit can expire them.
_VIEWS: OrderedDict[tuple[str, int, int, bool], WorkshopView] = OrderedDict()
_VIEWS_LOCK = threading.Lock()
VIEWS_KEPT = 512


def shared_view(
    *, session: Session, workshop_id: int, secret: bool = True, now: datetime | None = None
) -> WorkshopView:
    """``workshop_view`` of the workshop's current revision, built once per revision.

    ``session`` only reads the revision (one indexed row); the view comes from the cache or is
    built in a session of its own. The countdown (``remaining``) is always computed for ``now``."""
    now = now or utcnow()
    revision = session.exec(select(Workshop.revision).where(Workshop.id == workshop_id)).one()
    database = database_key(session)
    key = (database, workshop_id, revision, secret)
    with _VIEWS_LOCK:
        view = _VIEWS.get(key)
        if view is not None:
            _VIEWS.move_to_end(key)
    if view is None:
        # End the caller's read first: on an in-memory database the two sessions share one
        # connection, and SQLite refuses a transaction inside another.
        session.commit()
        with Session(session.get_bind()) as own:
            workshop = own.get(Workshop, workshop_id)
            assert workshop is not None
            view = workshop_view(session=own, workshop=workshop, secret=secret, now=now)
        key = (database, workshop_id, view.workshop.revision, secret)  # the revision it was built from
        with _VIEWS_LOCK:
            _VIEWS[key] = view
            while len(_VIEWS) > VIEWS_KEPT:
                _VIEWS.popitem(last=False)
    timer = timer_of(view.workshop)
    return replace(view, remaining=timers.remaining(timer, now), paused=timer.paused)


def signature_of(view: WorkshopView) -> dict[str, str]:
    """The live element's fingerprints, from a view (the same as ``services.live_signature``)."""
    poll = view.poll.poll if view.poll else None
    return {"rev": str(view.workshop.revision), "phase": phase_of(view.workshop, poll)}


METHOD_STEP = steps.METHOD_STEP
