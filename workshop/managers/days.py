"""Innovation days for the managers: the list of days, and one day's record — every group's
workshop record (``managers.record``) with its day-wide votes — that the day's exports draw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from workshop.db.models import InnovationDay, Workshop
from workshop.managers.record import WorkshopRecord, workshop_record
from workshop.rules import steps
from workshop.rules.errors import NotFound
from workshop.services import day_vote, groups_of


@dataclass(frozen=True, slots=True)
class DaySummary:
    """One line of the managers' list of days."""

    id: int
    code: str
    title: str
    held_on: date
    groups: int
    finished: int
    vote_status: str


@dataclass(frozen=True, slots=True)
class DayGroup:
    number: int
    record: WorkshopRecord
    day_votes: int  # votes its innovation got in the day-wide vote


@dataclass(frozen=True, slots=True)
class DayRecord:
    """A day as its exports show it."""

    code: str
    title: str
    product: str
    held_on: date
    vote_status: str
    groups: tuple[DayGroup, ...]
    ballots: int
    people: int
    leaders: tuple[int, ...]  # the group numbers with the most day-wide votes


def list_days(*, session: Session) -> list[DaySummary]:
    """Every day, the newest first, with how many groups it has and how many finished."""
    counts: dict[int, list[int]] = {}
    for day_id, step in session.exec(
        select(Workshop.day_id, Workshop.step).where(col(Workshop.day_id).is_not(None))
    ).all():
        if day_id is None:  # pragma: no cover - filtered above
            continue
        total_finished = counts.setdefault(day_id, [0, 0])
        total_finished[0] += 1
        total_finished[1] += step == steps.FINISHED
    days = session.exec(
        select(InnovationDay).order_by(col(InnovationDay.held_on).desc(), col(InnovationDay.id).desc())
    ).all()
    return [
        DaySummary(
            id=d.id,
            code=d.code,
            title=d.title,
            held_on=d.held_on,
            groups=counts.get(d.id, [0, 0])[0],
            finished=counts.get(d.id, [0, 0])[1],
            vote_status=d.vote_status,
        )
        for d in days
    ]


def day_record(*, session: Session, day_id: int) -> DayRecord:
    """The day with every group's record and the day-wide vote."""
    day = session.get(InnovationDay, day_id)
    if day is None:
        raise NotFound("error.day_not_found")
    vote = day_vote(session=session, day_id=day_id)
    votes = {o.workshop_id: o.votes for o in vote.options}
    groups = tuple(
        DayGroup(
            number=w.group_number or 0,
            record=workshop_record(session=session, workshop_id=w.id),
            day_votes=votes.get(w.id, 0),
        )
        for w in groups_of(session=session, day_id=day_id)
    )
    return DayRecord(
        code=day.code,
        title=day.title,
        product=day.product,
        held_on=day.held_on,
        vote_status=day.vote_status,
        groups=groups,
        ballots=vote.ballots,
        people=vote.people,
        leaders=tuple(vote.leaders),
    )
