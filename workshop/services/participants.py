"""The people in a workshop: joining by code, the phone's token, the roster, and a locked room's
door (who waits, who is let in or turned away). ``_taking_part`` guards every pick, note and vote."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from workshop.db.engine import begin_write
from workshop.db.models import Participant, utcnow
from workshop.live import events
from workshop.rules import steps
from workshop.rules.errors import NotFound, NotLetIn, WrongStep
from workshop.rules.limits import DEPARTMENT_MAX, NAME_MAX
from workshop.rules.security import hash_secret, new_secret
from workshop.rules.text import clean_text
from workshop.services._base import _commit, _log, _now, _reload
from workshop.services.workshops import workshop_by_code

LAST_SEEN_EVERY = timedelta(seconds=60)
# A participant's admission (a locked room lets new people in one by one).
LET_IN, WAITING, TURNED_AWAY = "in", "waiting", "turned_away"


def join(
    *, session: Session, code: str, name: str, department: str, now: datetime | None = None
) -> tuple[Participant, str]:
    """A phone joins by code; returns the participant and the token that identifies them."""
    name = clean_text(name, field="name", max_len=NAME_MAX)
    department = clean_text(department, field="department", max_len=DEPARTMENT_MAX)
    now = _now(now)
    begin_write(session)
    workshop = workshop_by_code(session=session, code=code)
    if workshop.step == steps.FINISHED:
        raise WrongStep("error.workshop_finished")
    token = new_secret()
    participant = Participant(
        workshop_id=workshop.id,
        name=name,
        department=department,
        token_hash=hash_secret(token),
        joined_at=now,
        last_seen_at=now,
        admission=WAITING if workshop.locked else LET_IN,
    )
    session.add(participant)
    if workshop.locked:
        _log(session, workshop, "asked_to_join", f"{name} / {department}", at=now)
    else:
        _log(session, workshop, "joined", f"{name} / {department}", at=now)
    _commit(session, workshop, events.ROSTER)
    session.refresh(participant)
    return participant, token


def participant_by_token(
    *, session: Session, token: str | None, now: datetime | None = None
) -> Participant | None:
    """Resolve a phone's token against the database (on every run: reloads keep the person)."""
    if not token or len(token) > 100:
        return None
    participant = session.exec(
        select(Participant).where(Participant.token_hash == hash_secret(token))
    ).first()
    now = _now(now)
    if participant is not None and now - participant.last_seen_at > LAST_SEEN_EVERY:
        participant_id = participant.id
        begin_write(session)  # ends the read above: a write of its own, never an upgrade
        session.execute(
            update(Participant).where(col(Participant.id) == participant_id).values(last_seen_at=now)
        )
        session.commit()
        participant = session.get(Participant, participant_id)
    return participant


def roster(*, session: Session, workshop_id: int, admission: str = LET_IN) -> list[Participant]:
    """Who takes part (or, with ``admission="waiting"``, who waits at a locked room's door)."""
    return list(
        session.exec(
            select(Participant)
            .where(Participant.workshop_id == workshop_id, Participant.admission == admission)
            .order_by(col(Participant.joined_at), col(Participant.id))
        ).all()
    )


def admission_of(*, session: Session, participant_id: int) -> str:
    """Whether the participant is in the room, waits at a locked room's door, or was turned away."""
    found = session.exec(select(Participant.admission).where(Participant.id == participant_id)).first()
    return found or TURNED_AWAY


def _taking_part(session: Session, participant_id: int) -> Participant:
    """The participant, if they are in the room; someone still waiting to be let in (or turned
    away) may not pick, write or vote."""
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise NotFound("error.participant_not_found")
    if participant.admission != LET_IN:
        raise NotLetIn()
    return participant


def lock_room(*, session: Session, workshop_id: int, locked: bool) -> None:
    """Lock the room: from now on a new join waits until the facilitator lets the person in."""
    begin_write(session)
    workshop = _reload(session, workshop_id)
    workshop.locked = bool(locked)
    if locked:
        _log(session, workshop, "room_locked", at=utcnow())
    else:
        _log(session, workshop, "room_unlocked", at=utcnow())
    _commit(session, workshop, events.ROSTER, events.STEP)


def let_in(*, session: Session, workshop_id: int, participant_id: int, admit: bool = True) -> None:
    """Let a waiting person into a locked room, or turn them away."""
    begin_write(session)
    workshop = _reload(session, workshop_id)
    participant = session.get(Participant, participant_id)
    if participant is None or participant.workshop_id != workshop.id or participant.admission != WAITING:
        raise NotFound("error.participant_not_found")
    participant.admission = LET_IN if admit else TURNED_AWAY
    session.add(participant)
    detail = f"{participant.name} / {participant.department}"
    if admit:
        _log(session, workshop, "let_in", detail, at=utcnow())
    else:
        _log(session, workshop, "turned_away", detail, at=utcnow())
    _commit(session, workshop, events.ROSTER, events.STEP)
