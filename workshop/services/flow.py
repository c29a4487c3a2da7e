"""Moving through the workshop: the next step when the rules allow, a step back, the method's
agreement check, the step's timer, and what a phone shows (its phase, the live fingerprint)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from workshop.db.engine import begin_write
from workshop.db.models import InnovationDay, Note, Participant, Poll, PollOption, Workshop, utcnow
from workshop.live import events
from workshop.rules import steps, timers
from workshop.rules.enums import PollStatus, Subject
from workshop.rules.errors import InvalidInput, TransitionRefused, WrongStep
from workshop.rules.limits import MAX_MINUTES, MIN_MINUTES
from workshop.rules.security import normalise_join_code
from workshop.services._base import _commit, _log, _now, _reload, _set_timer, _timer
from workshop.services.participants import LET_IN
from workshop.services.picks import _complete_picks
from workshop.services.polls import _build_poll, current_poll

# --------------------------------------------------------------------------- steps


def _facts(session: Session, workshop: Workshop) -> steps.Facts:
    def count(model: type, *where: Any) -> int:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()

    poll = current_poll(session=session, workshop=workshop)
    return steps.Facts(
        step=workshop.step,
        participants=count(
            Participant, Participant.workshop_id == workshop.id, Participant.admission == LET_IN
        ),
        picks=len({pid for _trend, pid in _complete_picks(session, workshop)}),
        obstacles=count(Note, Note.workshop_id == workshop.id, Note.kind == Subject.OBSTACLE),
        innovations=count(Note, Note.workshop_id == workshop.id, Note.kind == Subject.INNOVATION),
        poll_decided=bool(poll and poll.winner_option_id is not None),
        agreement_confirmed=workshop.agreement_confirmed,
    )


def _enter(session: Session, workshop: Workshop, step: str, now: datetime) -> None:
    workshop.step = step
    workshop.step_started_at = now
    if step == steps.TRENDS_PICK:
        _set_timer(workshop, timers.start(now, workshop.pick_minutes))
    elif step in steps.NOTE_KIND:
        minutes = workshop.write_minutes if step == steps.OBSTACLES_WRITE else workshop.ideas_minutes
        _set_timer(workshop, timers.start(now, minutes))
    else:
        _set_timer(workshop, timers.NO_TIMER)
    if step in steps.VOTE_STEPS:
        _build_poll(session, workshop, steps.VOTE_STEPS[step])
    if step == steps.FINISHED:
        workshop.finished_at = now
    _log(session, workshop, "entered", at=now)


def _chosen_field(subject: str) -> str:
    return {"trend": "chosen_trend_id", "obstacle": "chosen_obstacle_id"}.get(subject, "chosen_innovation_id")


def advance(*, session: Session, workshop_id: int, now: datetime | None = None) -> str:
    """Move to the next step if the rules allow; a decided vote fixes its choice."""
    now = _now(now)
    begin_write(session)
    workshop = _reload(session, workshop_id)
    target = steps.next_step(_facts(session, workshop))
    subject = steps.VOTE_STEPS.get(workshop.step)
    if subject is not None:
        poll = current_poll(session=session, workshop=workshop)
        assert poll is not None and poll.winner_option_id is not None
        option = session.get(PollOption, poll.winner_option_id)
        assert option is not None
        setattr(workshop, _chosen_field(subject), option.trend_id or option.note_id)
        if poll.status == PollStatus.CLOSED:
            poll.status = "revealed"
            session.add(poll)
    _log(session, workshop, "left", at=now)
    _enter(session, workshop, target, now)
    _commit(session, workshop, events.STEP, events.TIMER, events.POLL)
    if subject == Subject.INNOVATION:
        _tell_the_day(session, workshop)
    return target


def go_back(*, session: Session, workshop_id: int, now: datetime | None = None) -> str:
    """Return to the previous step. A vote left or re-entered this way starts over; the old
    polls stay on record as cancelled."""
    now = _now(now)
    begin_write(session)
    workshop = _reload(session, workshop_id)
    target = steps.previous_step(workshop.step)
    left = workshop.step
    _log(session, workshop, "went_back", f"to {target}", at=now)
    for step in (workshop.step, target):
        subject = steps.VOTE_STEPS.get(step)
        if subject is None:
            continue
        for poll in session.exec(
            select(Poll).where(
                Poll.workshop_id == workshop.id,
                Poll.subject == subject,
                Poll.status != PollStatus.CANCELLED,
            )
        ).all():
            poll.status = "cancelled"
            session.add(poll)
        setattr(workshop, _chosen_field(subject), None)
    workshop.agreement_confirmed = False
    _enter(session, workshop, target, now)
    _commit(session, workshop, events.STEP, events.TIMER, events.POLL)
    if Subject.INNOVATION in (steps.VOTE_STEPS.get(step) for step in (left, target)):
        _tell_the_day(session, workshop)
    return target


def step_of(*, session: Session, workshop_id: int) -> str | None:
    """A workshop's current step, read fresh (one column of one row)."""
    return session.exec(select(Workshop.step).where(Workshop.id == workshop_id)).first()


def confirm_agreement(*, session: Session, workshop_id: int, confirmed: bool = True) -> None:
    """The method's check: the trend on top and the obstacle below agree in meaning."""
    begin_write(session)
    workshop = _reload(session, workshop_id)
    if workshop.step != steps.PRESENTATION:
        raise WrongStep("error.only_in_presentation")
    workshop.agreement_confirmed = confirmed
    _log(session, workshop, "agreement", "confirmed" if confirmed else "withdrawn", at=utcnow())
    _commit(session, workshop, events.STEP)


# --------------------------------------------------------------------------- timers


def change_timer(
    *, session: Session, workshop_id: int, action: str, minutes: float = 1, now: datetime | None = None
) -> timers.Timer:
    """``extend`` (by ``minutes``), ``pause``, ``resume`` or ``end`` the current step's timer."""
    now = _now(now)
    begin_write(session)
    workshop = _reload(session, workshop_id)
    timer = _timer(workshop)
    if timer.deadline is None and timer.paused_remaining is None:
        raise TransitionRefused("error.no_timer")
    if action == "extend":
        if not MIN_MINUTES <= minutes <= MAX_MINUTES:
            raise InvalidInput("error.setting_range", field="minutes", low=MIN_MINUTES, high=MAX_MINUTES)
        timer = timers.extend(timer, now, minutes * 60)
    elif action == "pause":
        timer = timers.pause(timer, now)
    elif action == "resume":
        timer = timers.resume(timer, now)
    elif action == "end":
        timer = timers.end_now(timer, now)
    else:
        raise InvalidInput("error.unknown_action")
    _set_timer(workshop, timer)
    _log(session, workshop, f"timer_{action}", f"{minutes:g} min" if action == "extend" else "", at=now)
    _commit(session, workshop, events.TIMER)
    return timer


def timer_of(workshop: Workshop) -> timers.Timer:
    return _timer(workshop)


# --------------------------------------------------------------------------- what a phone shows


def live_signature(*, session: Session, code: str) -> dict[str, str]:
    """Cheap fingerprints for the safety-net poll: any change (``rev``) and what a phone
    shows (``phase``: step, current vote, timer)."""
    workshop = session.exec(select(Workshop).where(Workshop.code == normalise_join_code(code))).first()
    if workshop is None:
        return {"rev": "", "phase": ""}
    poll = current_poll(session=session, workshop=workshop)
    return {"rev": str(workshop.revision), "phase": phase_of(workshop, poll, day_vote_of(session, workshop))}


def day_vote_of(session: Session, workshop: Workshop) -> str:
    """The day-wide vote's state for a group of an innovation day ("" otherwise); while there
    is a vote, with how many groups have an innovation to vote for (one more can finish late)."""
    if workshop.day_id is None:
        return ""
    status = session.exec(select(InnovationDay.vote_status).where(InnovationDay.id == workshop.day_id)).one()
    if not status:
        return ""
    ideas = session.exec(
        select(func.count())
        .select_from(Workshop)
        .where(Workshop.day_id == workshop.day_id, col(Workshop.chosen_innovation_id).is_not(None))
    ).one()
    return f"{status}:{ideas}"


def _tell_the_day(session: Session, workshop: Workshop) -> None:
    """A group of a day chose (or gave up) its innovation: the other groups' phones may offer it
    in the day-wide vote, so they look again."""
    if workshop.day_id is None:
        return
    for code in session.exec(
        select(Workshop.code).where(Workshop.day_id == workshop.day_id, Workshop.id != workshop.id)
    ).all():
        events.publish(code, events.STEP)


def phase_of(workshop: Workshop, poll: Poll | None, day_vote: str = "") -> str:
    """What a phone shows, as one string: the step, the current vote and its state, the timer,
    and, in an innovation day, the day-wide vote's state."""
    return "|".join(
        str(x)
        for x in (
            workshop.step,
            poll.id if poll else "",
            poll.status if poll else "",
            workshop.deadline.isoformat() if workshop.deadline else "",
            workshop.paused_remaining,
            day_vote,
        )
    )
