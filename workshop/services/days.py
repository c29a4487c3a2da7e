"""An innovation day: several groups at once, each a workshop with its own facilitator, join QR
code and projector, under one organizer who keeps the day on time.

The organizer creates the day (title, date, product or theme, the trend map, default settings)
and its groups in one go or one by one; every group is made with the day's map and settings, and
its facilitator key is derived from the organizer's (``rules.security.group_key``), so the
organizer's screen always holds every group's link and no group's link opens another's. The
organizer starts the day (the schedule counts from then, ``rules.schedule``), sends every group
that may go on to its next step at once, and gives everyone more time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from workshop.db.engine import begin_write
from workshop.db.models import (
    DayBallot,
    InnovationDay,
    Note,
    Participant,
    Trend,
    Workshop,
    utcnow,
)
from workshop.i18n import localized, t
from workshop.live import events
from workshop.rules import schedule, steps
from workshop.rules.enums import DayVote
from workshop.rules.errors import AccessDenied, InvalidInput, NotFound, TransitionRefused
from workshop.rules.limits import DAY_TITLE_MAX, GROUPS_MAX, MAX_MINUTES, MIN_MINUTES, PRODUCT_MAX
from workshop.rules.security import (
    gallery_key,
    group_key,
    hash_secret,
    new_secret,
    normalise_join_code,
    secret_matches,
)
from workshop.rules.text import clean_text
from workshop.services._base import _now
from workshop.services.flow import _facts, advance, change_timer
from workshop.services.participants import LET_IN, WAITING
from workshop.services.workshops import Settings, _settings_for_map, _unused_code, create_workshop


def _held_on(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidInput("error.date", field="held_on")


def _groups_count(value: object, *, already: int = 0) -> int:
    high = GROUPS_MAX - already
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= high:
        raise InvalidInput("error.setting_range", field="groups", low=min(1, high), high=max(high, 0))
    return value


def create_day(
    *,
    session: Session,
    title: str,
    product: str,
    held_on: object,
    map_version_id: int,
    settings: Settings,
    groups: int = 0,
    lang: str = "ru",
) -> tuple[InnovationDay, str]:
    """Create a day (and ``groups`` groups at once); return it with the organizer's key (shown
    once, stored as a hash)."""
    title = clean_text(title, field="title", max_len=DAY_TITLE_MAX)
    product = clean_text(product, field="product", max_len=PRODUCT_MAX)
    day_date = _held_on(held_on)
    if groups:
        _groups_count(groups)
    begin_write(session)
    settings = _settings_for_map(session, map_version_id, settings)
    code = _unused_code(session, InnovationDay)
    key = new_secret()
    day = InnovationDay(
        code=code,
        title=title,
        product=product,
        held_on=day_date,
        organizer_key_hash=hash_secret(key),
        gallery_key_hash=hash_secret(gallery_key(key, code)),
        trend_map_version_id=map_version_id,
        lang=lang if lang in ("ru", "en") else "ru",
        **{name: getattr(settings, name) for name in Settings.setting_names()},
    )
    session.add(day)
    session.commit()
    session.refresh(day)
    if groups:
        add_groups(session=session, day_id=day.id, key=key, count=groups)
        session.refresh(day)
    return day, key


def _day_by_code(session: Session, code: str, key: str | None) -> InnovationDay | None:
    """The day of ``code``; for an unknown code the key is compared all the same (same work)."""
    day = session.exec(select(InnovationDay).where(InnovationDay.code == normalise_join_code(code))).first()
    if day is None:
        secret_matches(key, hash_secret("the same work for an unknown code"))
    return day


def organized_day(*, session: Session, code: str, key: str | None) -> InnovationDay:
    """The day whose organizer key is ``key``; anything else is :class:`AccessDenied`."""
    day = _day_by_code(session, code, key)
    if day is None or not secret_matches(key, day.organizer_key_hash):
        raise AccessDenied()
    return day


def gallery_day(*, session: Session, code: str, key: str | None) -> InnovationDay:
    """The day whose gallery key is ``key`` (the main projector's link); anything else is
    :class:`NotFound`, an unknown code and a wrong key alike."""
    day = _day_by_code(session, code, key)
    if day is None or not day.gallery_key_hash or not secret_matches(key, day.gallery_key_hash):
        raise NotFound("error.day_not_found")
    return day


def gallery_link_key(organizer_key: str, day: InnovationDay) -> str:
    """The gallery's key, for the organizer's screen (it holds the organizer's key)."""
    return gallery_key(organizer_key, day.code)


def _day(session: Session, day_id: int, *, lock: bool = False) -> InnovationDay:
    """The day's row, read fresh; ``lock``: held until the write commits (PostgreSQL's row lock;
    SQLite's write transaction already holds the whole database)."""
    query = select(InnovationDay).where(InnovationDay.id == day_id).execution_options(populate_existing=True)
    day = session.exec(query.with_for_update() if lock else query).first()
    if day is None:
        raise NotFound("error.day_not_found")
    return day


def groups_of(*, session: Session, day_id: int) -> list[Workshop]:
    """The day's groups, by their number."""
    return list(
        session.exec(
            select(Workshop).where(Workshop.day_id == day_id).order_by(col(Workshop.group_number))
        ).all()
    )


def add_groups(*, session: Session, day_id: int, key: str, count: int) -> list[Workshop]:
    """``count`` more groups for the day, numbered on from the last (at most ``GROUPS_MAX``)."""
    day = _day(session, day_id)
    if not secret_matches(key, day.organizer_key_hash):
        raise AccessDenied()
    existing = groups_of(session=session, day_id=day_id)
    count = _groups_count(count, already=len(existing))
    first = max((w.group_number or 0 for w in existing), default=0) + 1
    settings = Settings(**{name: getattr(day, name) for name in Settings.setting_names()})
    made = []
    for number in range(first, first + count):
        try:
            workshop, _key = create_workshop(
                session=session,
                title=t("day.group_title", day.lang, title=day.title, n=number),
                product=day.product,
                map_version_id=day.trend_map_version_id,
                settings=settings,
                lang=day.lang,
                day=(day.id, number, key),
            )
        except IntegrityError:  # another screen of the organizer added this number meanwhile
            session.rollback()
            raise TransitionRefused("error.group_added_meanwhile") from None
        made.append(workshop)
    _touch_day(session, day_id)
    return made


def facilitator_key(organizer_key: str, workshop: Workshop) -> str:
    """A group's facilitator key, for the organizer's screen (it holds the organizer's key)."""
    return group_key(organizer_key, workshop.code)


def _touch_day(session: Session, day_id: int) -> None:
    day = _day(session, day_id)
    day.revision += 1
    session.add(day)
    session.commit()


# --------------------------------------------------------------------------- what the organizer sees


@dataclass(frozen=True, slots=True)
class GroupState:
    """One group as the organizer's screen shows it."""

    workshop_id: int
    code: str
    number: int
    title: str
    step: str
    deadline: datetime | None
    paused_remaining: float | None
    joined: int
    waiting: int
    trend: str = ""
    obstacle: str = ""
    innovation: str = ""
    missing: str | None = None  # what its next step still needs (a message key), None: it may go on
    lateness: schedule.Lateness | None = None


def day_board(*, session: Session, day_id: int, now: datetime | None = None) -> list[GroupState]:
    """Every group of the day: its step, timer, people, choices so far, and where it stands
    against the day's schedule."""
    now = _now(now)
    day = _day(session, day_id)
    groups = groups_of(session=session, day_id=day_id)
    ids = [w.id for w in groups]
    people: dict[tuple[int, str], int] = {}
    if ids:
        for workshop_id, admission, n in session.exec(
            select(Participant.workshop_id, Participant.admission, func.count())
            .where(col(Participant.workshop_id).in_(ids))
            .group_by(col(Participant.workshop_id), col(Participant.admission))
        ).all():
            people[(workshop_id, admission)] = n
    states = []
    for w in groups:
        trend = session.get(Trend, w.chosen_trend_id) if w.chosen_trend_id else None
        obstacle = session.get(Note, w.chosen_obstacle_id) if w.chosen_obstacle_id else None
        innovation = session.get(Note, w.chosen_innovation_id) if w.chosen_innovation_id else None
        states.append(
            GroupState(
                workshop_id=w.id,
                code=w.code,
                number=w.group_number or 0,
                title=w.title,
                step=w.step,
                deadline=w.deadline,
                paused_remaining=w.paused_remaining,
                joined=people.get((w.id, LET_IN), 0),
                waiting=people.get((w.id, WAITING), 0),
                trend=f"{trend.code} · {localized(trend, 'title', day.lang)}" if trend else "",
                obstacle=obstacle.text if obstacle else "",
                innovation=innovation.text if innovation else "",
                missing=None if w.step == steps.FINISHED else steps.missing_for_next(_facts(session, w)),
                lateness=schedule.lateness(day, day.started_at, w.step, now),
            )
        )
    return states


# --------------------------------------------------------------------------- the organizer's moves


@dataclass
class DayMoves:
    """What a move for every group did: the groups it moved, and the ones it left with why."""

    moved: list[int] = field(default_factory=list)  # group numbers
    held: list[tuple[int, str]] = field(default_factory=list)  # (group number, message key)


def start_day(*, session: Session, day_id: int, now: datetime | None = None) -> DayMoves:
    """Start the day's clock and every group still in its lobby that has someone in it."""
    now = _now(now)
    begin_write(session)
    day = _day(session, day_id)
    if day.started_at is None:
        day.started_at = now
        day.revision += 1
        session.add(day)
        session.commit()
    return advance_all(session=session, day_id=day_id, now=now, only=steps.LOBBY)


def advance_all(
    *, session: Session, day_id: int, now: datetime | None = None, only: str | None = None
) -> DayMoves:
    """Every group that may go on goes to its next step; the others are named with what their
    next step still needs (a vote not decided, nobody in the room, the agreement not checked)."""
    now = _now(now)
    moves = DayMoves()
    for workshop in groups_of(session=session, day_id=day_id):
        number = workshop.group_number or 0
        if workshop.step == steps.FINISHED or (only is not None and workshop.step != only):
            continue
        missing = steps.missing_for_next(_facts(session, workshop))
        if missing is not None:
            moves.held.append((number, missing))
            continue
        try:
            advance(session=session, workshop_id=workshop.id, now=now)
        except TransitionRefused as refused:  # the group moved meanwhile
            moves.held.append((number, refused.key))
        else:
            moves.moved.append(number)
    return moves


def extend_all(*, session: Session, day_id: int, minutes: float, now: datetime | None = None) -> DayMoves:
    """``minutes`` more for every group whose step has a timer."""
    now = _now(now)
    number_given = isinstance(minutes, int | float) and not isinstance(minutes, bool)
    if not number_given or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise InvalidInput("error.setting_range", field="minutes", low=MIN_MINUTES, high=MAX_MINUTES)
    moves = DayMoves()
    for workshop in groups_of(session=session, day_id=day_id):
        number = workshop.group_number or 0
        if workshop.deadline is None and workshop.paused_remaining is None:
            moves.held.append((number, "error.no_timer"))
            continue
        try:
            change_timer(session=session, workshop_id=workshop.id, action="extend", minutes=minutes, now=now)
        except TransitionRefused as refused:  # its step moved on meanwhile
            session.rollback()
            moves.held.append((number, refused.key))
        else:
            moves.moved.append(number)
    return moves


# --------------------------------------------------------------------------- the day-wide vote


@dataclass(frozen=True, slots=True)
class DayOption:
    """A group's innovation in the day-wide vote."""

    workshop_id: int
    number: int
    innovation: str
    votes: int = 0


@dataclass(frozen=True, slots=True)
class DayVoteState:
    status: str
    options: list[DayOption]
    ballots: int
    people: int  # everyone in the day's rooms

    @property
    def leaders(self) -> list[int]:
        """The group numbers with the most votes (none before a vote)."""
        most = max((o.votes for o in self.options), default=0)
        return [o.number for o in self.options if most and o.votes == most]


def _innovations(session: Session, day_id: int) -> list[tuple[Workshop, Note]]:
    found = []
    for workshop in groups_of(session=session, day_id=day_id):
        note = session.get(Note, workshop.chosen_innovation_id) if workshop.chosen_innovation_id else None
        if note is not None:
            found.append((workshop, note))
    return found


def _publish_to_groups(session: Session, day_id: int) -> None:
    for workshop in groups_of(session=session, day_id=day_id):
        events.publish(workshop.code, events.STEP)


def open_day_vote(*, session: Session, day_id: int) -> None:
    """Open the vote for the day's best innovation (two groups at least must have one)."""
    begin_write(session)
    day = _day(session, day_id, lock=True)
    if len(_innovations(session, day_id)) < 2:
        raise TransitionRefused("error.day_vote_needs_two")
    day.vote_status = DayVote.OPEN
    day.revision += 1
    session.add(day)
    session.commit()
    _publish_to_groups(session, day_id)


def close_day_vote(*, session: Session, day_id: int) -> None:
    begin_write(session)
    day = _day(session, day_id, lock=True)
    if day.vote_status != DayVote.OPEN:
        raise TransitionRefused("error.day_vote_not_open")
    day.vote_status = DayVote.CLOSED
    day.revision += 1
    session.add(day)
    session.commit()
    _publish_to_groups(session, day_id)


def cast_day_ballot(*, session: Session, participant_id: int, workshop_id: int) -> None:
    """A participant's vote for another group's innovation, once their own group has presented
    its idea; a second vote replaces the first."""
    begin_write(session)
    participant = session.get(Participant, participant_id)
    if participant is None or participant.admission != LET_IN:
        raise NotFound("error.participant_not_found")
    own = session.get(Workshop, participant.workshop_id, populate_existing=True)
    if own is None or own.day_id is None:
        raise InvalidInput("error.day_vote_not_open")
    day = _day(session, own.day_id, lock=True)
    if day.vote_status != DayVote.OPEN:
        raise TransitionRefused("error.day_vote_not_open")
    if own.step not in (steps.PRESENTATION, steps.FINISHED):
        raise TransitionRefused("error.day_vote_not_yet")
    if workshop_id == own.id:
        raise InvalidInput("error.day_vote_own_group")
    if workshop_id not in {w.id for w, _note in _innovations(session, day.id)}:
        raise InvalidInput("error.ballot_invalid")
    ballot = session.exec(select(DayBallot).where(DayBallot.participant_id == participant_id)).first()
    if ballot is None:
        ballot = DayBallot(day_id=day.id, participant_id=participant_id, workshop_id=workshop_id)
        session.add(ballot)
        try:
            session.flush()
        except IntegrityError:
            # Another tab of the same phone won the race: change that ballot instead.
            session.rollback()
            cast_day_ballot(session=session, participant_id=participant_id, workshop_id=workshop_id)
            return
    else:
        ballot.workshop_id = workshop_id
        ballot.cast_at = utcnow()
        session.add(ballot)
    day.revision += 1
    session.add(day)
    session.commit()


def day_vote(*, session: Session, day_id: int) -> DayVoteState:
    """The day-wide vote: its state, each group's innovation with its votes, how many voted."""
    day = _day(session, day_id)
    counts = dict(
        session.exec(
            select(DayBallot.workshop_id, func.count())
            .where(DayBallot.day_id == day_id)
            .group_by(col(DayBallot.workshop_id))
        ).all()
    )
    options = [
        DayOption(workshop.id, workshop.group_number or 0, note.text, counts.get(workshop.id, 0))
        for workshop, note in _innovations(session, day_id)
    ]
    ids = [w.id for w in groups_of(session=session, day_id=day_id)]
    people = (
        session.exec(
            select(func.count())
            .select_from(Participant)
            .where(col(Participant.workshop_id).in_(ids), Participant.admission == LET_IN)
        ).one()
        if ids
        else 0
    )
    # A ballot for a group that has since gone back and given up its innovation counts nowhere.
    ballots = sum(o.votes for o in options)
    return DayVoteState(status=day.vote_status, options=options, ballots=ballots, people=people)


def day_ballot_of(*, session: Session, participant: Participant) -> tuple[str, list[DayOption], int | None]:
    """What a participant's phone shows of the day-wide vote: its state, the other groups'
    innovations (never the participant's own), and the group they voted for."""
    own = session.get(Workshop, participant.workshop_id)
    if own is None or own.day_id is None:
        return DayVote.NOT_OPENED, [], None
    state = day_vote(session=session, day_id=own.day_id)
    mine = session.exec(
        select(DayBallot.workshop_id).where(DayBallot.participant_id == participant.id)
    ).first()
    return state.status, [o for o in state.options if o.workshop_id != own.id], mine
