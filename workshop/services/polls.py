"""The votes: a poll built from the picks or the notes, opened, closed and counted, revealed; a
tie goes to a runoff or to the facilitator's decision; each participant's ballot."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, func, select

from workshop.db.engine import begin_write
from workshop.db.models import Ballot, BallotMark, Note, Poll, PollOption, Trend, Workshop, utcnow
from workshop.live import events
from workshop.rules import steps, timers, voting
from workshop.rules.enums import PollStatus, Subject
from workshop.rules.errors import InvalidInput, NotFound, VotingClosed, WrongStep
from workshop.services._base import _commit, _log, _now, _reload, _set_timer, _timer
from workshop.services.participants import _taking_part
from workshop.services.picks import _complete_picks


def current_poll(*, session: Session, workshop: Workshop) -> Poll | None:
    subject = steps.VOTE_STEPS.get(workshop.step)
    if subject is None:
        return None
    return session.exec(
        select(Poll)
        .where(
            Poll.workshop_id == workshop.id,
            Poll.subject == subject,
            Poll.status != PollStatus.CANCELLED,
        )
        .order_by(col(Poll.round).desc())
    ).first()


def _next_round(session: Session, workshop: Workshop, subject: str) -> int:
    last = session.exec(
        select(func.max(Poll.round)).where(Poll.workshop_id == workshop.id, Poll.subject == subject)
    ).one()
    return (last or 0) + 1


def _build_poll(session: Session, workshop: Workshop, subject: str) -> Poll:
    poll = Poll(
        workshop_id=workshop.id,
        subject=subject,
        round=_next_round(session, workshop, subject),
        votes_per_person=workshop.votes_per_person,
        cap_per_option=workshop.cap_per_option,
    )
    session.add(poll)
    session.flush()
    if subject == Subject.TREND:
        support = Counter(trend_id for trend_id, _pid in _complete_picks(session, workshop))
        trends = session.exec(
            select(Trend).where(col(Trend.id).in_(list(support))).order_by(col(Trend.position))
        ).all()
        ordered = sorted(trends, key=lambda t: (-support[t.id], t.position))
        for position, trend in enumerate(ordered):
            session.add(
                PollOption(
                    poll_id=poll.id,
                    position=position,
                    trend_id=trend.id,
                    label=f"{trend.code} · {trend.title_ru}",
                    detail=trend.title_en,
                    support=support[trend.id],
                )
            )
    else:
        notes = session.exec(
            select(Note).where(Note.workshop_id == workshop.id, Note.kind == subject).order_by(col(Note.id))
        ).all()
        merged_count = Counter(n.merged_into_id for n in notes if n.merged_into_id is not None)
        position = 0
        for note in notes:
            if note.merged_into_id is not None:
                continue
            session.add(
                PollOption(
                    poll_id=poll.id,
                    position=position,
                    note_id=note.id,
                    label=note.text,
                    detail=note.rationale,
                    support=1 + merged_count[note.id],
                )
            )
            position += 1
    return poll


def options_of(*, session: Session, poll_id: int) -> list[PollOption]:
    return list(
        session.exec(
            select(PollOption).where(PollOption.poll_id == poll_id).order_by(col(PollOption.position))
        ).all()
    )


def _poll_for_facilitator(session: Session, workshop: Workshop, poll_id: int) -> Poll:
    poll = session.get(Poll, poll_id, populate_existing=True)
    if poll is None or poll.workshop_id != workshop.id:
        raise NotFound("error.poll_not_found")
    current = current_poll(session=session, workshop=workshop)
    if current is None or current.id != poll.id:
        raise WrongStep("error.poll_not_current")
    return poll


def open_poll(*, session: Session, workshop_id: int, poll_id: int, now: datetime | None = None) -> Poll:
    now = _now(now)
    begin_write(session)
    workshop = _reload(session, workshop_id)
    poll = _poll_for_facilitator(session, workshop, poll_id)
    if poll.status != PollStatus.READY:
        raise InvalidInput("error.poll_not_ready")
    if not session.exec(select(PollOption.id).where(PollOption.poll_id == poll.id)).first():
        raise InvalidInput("error.empty_ballot")
    poll.status, poll.opened_at = "open", now
    session.add(poll)
    _set_timer(workshop, timers.start(now, workshop.vote_minutes))
    _log(session, workshop, "vote_opened", f"round {poll.round}", at=now)
    _commit(session, workshop, events.POLL, events.TIMER)
    return poll


def close_poll(
    *, session: Session, workshop_id: int, poll_id: int, now: datetime | None = None
) -> voting.Result:
    """Close the ballot box and count. One leader wins; several leaders are a tie."""
    now = _now(now)
    begin_write(session)
    workshop = _reload(session, workshop_id)
    poll = _poll_for_facilitator(session, workshop, poll_id)
    if poll.status != PollStatus.OPEN:
        raise InvalidInput("error.poll_not_open")
    result = count_poll(session=session, poll_id=poll.id)
    poll.status, poll.closed_at = "closed", now
    poll.tie = result.tie
    if result.winner is not None:
        poll.winner_option_id, poll.decided_by = result.winner, "vote"
    session.add(poll)
    _set_timer(workshop, timers.NO_TIMER)
    _log(session, workshop, "vote_closed", f"round {poll.round}; tie={result.tie}", at=now)
    _commit(session, workshop, events.POLL, events.TIMER)
    return result


def reveal_poll(*, session: Session, workshop_id: int, poll_id: int) -> None:
    begin_write(session)
    workshop = _reload(session, workshop_id)
    poll = _poll_for_facilitator(session, workshop, poll_id)
    if poll.status != PollStatus.CLOSED:
        raise InvalidInput("error.poll_not_closed")
    poll.status = "revealed"
    session.add(poll)
    _log(session, workshop, "vote_revealed", f"round {poll.round}", at=utcnow())
    _commit(session, workshop, events.POLL)


def start_runoff(*, session: Session, workshop_id: int, poll_id: int, now: datetime | None = None) -> Poll:
    """A tie starts a new round between the tied options only; it opens at once."""
    now = _now(now)
    begin_write(session)
    workshop = _reload(session, workshop_id)
    poll = _poll_for_facilitator(session, workshop, poll_id)
    if poll.status not in (PollStatus.CLOSED, PollStatus.REVEALED) or not poll.tie or poll.decided_by:
        raise InvalidInput("error.no_tie")
    result = count_poll(session=session, poll_id=poll.id)
    tied = [o for o in options_of(session=session, poll_id=poll.id) if o.id in result.leaders]
    runoff = Poll(
        workshop_id=workshop.id,
        subject=poll.subject,
        round=_next_round(session, workshop, poll.subject),
        status="open",
        votes_per_person=1,
        cap_per_option=1,
        opened_at=now,
    )
    session.add(runoff)
    session.flush()
    for position, option in enumerate(tied):
        session.add(
            PollOption(
                poll_id=runoff.id,
                position=position,
                trend_id=option.trend_id,
                note_id=option.note_id,
                label=option.label,
                detail=option.detail,
                support=option.support,
            )
        )
    _set_timer(workshop, timers.start(now, workshop.vote_minutes))
    _log(session, workshop, "runoff", f"round {runoff.round}: {len(tied)} options", at=now)
    _commit(session, workshop, events.POLL, events.TIMER)
    session.refresh(runoff)
    return runoff


def decide_tie(*, session: Session, workshop_id: int, poll_id: int, option_id: int) -> None:
    """The facilitator breaks a tie instead of a runoff; recorded as their decision."""
    begin_write(session)
    workshop = _reload(session, workshop_id)
    poll = _poll_for_facilitator(session, workshop, poll_id)
    if poll.status not in (PollStatus.CLOSED, PollStatus.REVEALED) or not poll.tie or poll.decided_by:
        raise InvalidInput("error.no_tie")
    result = count_poll(session=session, poll_id=poll.id)
    if option_id not in result.leaders:
        raise InvalidInput("error.decide_among_tied")
    poll.winner_option_id, poll.decided_by, poll.status = option_id, "facilitator", "revealed"
    session.add(poll)
    _log(session, workshop, "decided_by_facilitator", f"round {poll.round}: option {option_id}", at=utcnow())
    _commit(session, workshop, events.POLL)


def cast_ballot(
    *,
    session: Session,
    participant_id: int,
    poll_id: int,
    marks: Mapping[int, int],
    now: datetime | None = None,
) -> Ballot:
    """Cast or change this participant's ballot; one per participant per poll."""
    now = _now(now)
    begin_write(session)
    participant = _taking_part(session, participant_id)
    poll = session.get(Poll, poll_id, populate_existing=True)
    if poll is None or poll.workshop_id != participant.workshop_id:
        raise NotFound("error.poll_not_found")
    workshop = _reload(session, poll.workshop_id)
    if poll.status != PollStatus.OPEN:
        raise VotingClosed()
    if timers.is_over(_timer(workshop), now):
        raise VotingClosed("error.vote_time_up")
    option_ids = session.exec(select(PollOption.id).where(PollOption.poll_id == poll.id)).all()
    cleaned = voting.validate_marks(
        marks,
        option_ids=option_ids,
        votes_per_person=poll.votes_per_person,
        cap_per_option=poll.cap_per_option,
    )
    ballot = session.exec(
        select(Ballot).where(Ballot.poll_id == poll.id, Ballot.participant_id == participant.id)
    ).first()
    if ballot is None:
        ballot = Ballot(poll_id=poll.id, participant_id=participant.id, cast_at=now, updated_at=now)
        session.add(ballot)
        try:
            session.flush()
        except IntegrityError:
            # Another tab of the same phone won the race: change that ballot instead.
            session.rollback()
            return cast_ballot(
                session=session, participant_id=participant_id, poll_id=poll_id, marks=marks, now=now
            )
    else:
        ballot.updated_at = now
        session.add(ballot)
        session.exec(delete(BallotMark).where(col(BallotMark.ballot_id) == ballot.id))
    for option_id, dots in cleaned.items():
        session.add(BallotMark(ballot_id=ballot.id, option_id=option_id, dots=dots))
    _commit(session, workshop, events.BALLOT)
    session.refresh(ballot)
    return ballot


def ballot_of(*, session: Session, poll_id: int, participant_id: int) -> dict[int, int]:
    rows = session.exec(
        select(BallotMark.option_id, BallotMark.dots)
        .join(Ballot, col(Ballot.id) == BallotMark.ballot_id)
        .where(Ballot.poll_id == poll_id, Ballot.participant_id == participant_id)
    ).all()
    return dict(rows)


def ballots_cast(*, session: Session, poll_id: int) -> int:
    return session.exec(select(func.count()).select_from(Ballot).where(Ballot.poll_id == poll_id)).one()


def count_poll(*, session: Session, poll_id: int) -> voting.Result:
    option_ids = session.exec(select(PollOption.id).where(PollOption.poll_id == poll_id)).all()
    rows = session.exec(
        select(BallotMark.option_id, func.sum(BallotMark.dots))
        .join(Ballot, col(Ballot.id) == BallotMark.ballot_id)
        .where(Ballot.poll_id == poll_id)
        .group_by(col(BallotMark.option_id))
    ).all()
    counts = dict.fromkeys(option_ids, 0)
    for option_id, dots in rows:
        counts[option_id] = int(dots or 0)
    return voting.decide(counts)
