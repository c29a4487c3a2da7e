"""What every write shares: the clock, the step's timer on the workshop row, the step log, the
reload inside a write, and the commit that bumps the revision and then tells the screens.

Private to the package: the modules beside it import these; callers use the public functions."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from workshop.db.models import StepLog, Workshop, utcnow
from workshop.live import events
from workshop.rules import timers
from workshop.rules.errors import NotFound, TimeUp, WrongStep


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


def _timer(workshop: Workshop) -> timers.Timer:
    return timers.Timer(deadline=workshop.deadline, paused_remaining=workshop.paused_remaining)


def _set_timer(workshop: Workshop, timer: timers.Timer) -> None:
    workshop.deadline = timer.deadline
    workshop.paused_remaining = timer.paused_remaining


def _touch(session: Session, workshop: Workshop) -> None:
    workshop.revision += 1
    session.add(workshop)


def _log(session: Session, workshop: Workshop, event: str, detail: str = "", *, at: datetime) -> None:
    session.add(StepLog(workshop_id=workshop.id, step=workshop.step, event=event, detail=detail[:400], at=at))


def _commit(session: Session, workshop: Workshop, *kinds: str) -> None:
    _touch(session, workshop)
    session.commit()
    events.publish(workshop.code, *kinds)


def _reload(session: Session, workshop_id: int) -> Workshop:
    workshop = session.get(Workshop, workshop_id, populate_existing=True)
    if workshop is None:
        raise NotFound("error.workshop_not_found")
    return workshop


def _require_open_input(workshop: Workshop, step: str, now: datetime) -> None:
    if workshop.step != step:
        raise WrongStep("error.step_moved_on")
    if timers.is_over(_timer(workshop), now):
        raise TimeUp()
