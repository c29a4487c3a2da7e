"""The hand-off: the chosen innovation goes to a person who checks it against the market.

Statuses follow the method's last step: ``new`` → ``checking`` (the market check) → one of
``similar_exists`` / ``customers_want`` / ``rejected`` → ``piloted``. Every change (assignment,
reassignment, status, a note with evidence links) is an event with who and when; the history is
never rewritten. A hand-off is *open* until it is rejected or piloted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from workshop.db.engine import begin_write
from workshop.db.models import ArchiveEntry, Handoff, HandoffEvent, Workshop, utcnow
from workshop.managers import archive
from workshop.rules import steps
from workshop.rules.enums import HandoffStatus
from workshop.rules.errors import InvalidInput, NotFound, TransitionRefused, WrongStep
from workshop.rules.limits import EMAIL_MAX, HANDOFF_NOTE_MAX, LINK_MAX, LINKS_MAX, NAME_MAX, ROLE_MAX
from workshop.rules.text import clean_text

S = HandoffStatus
STATUSES: tuple[HandoffStatus, ...] = tuple(HandoffStatus)
CLOSED = frozenset({S.REJECTED, S.PILOTED})
OPEN = tuple(s for s in STATUSES if s not in CLOSED)

# Where each status may go next. A finished check may be reopened; a pilot is the end.
NEXT: dict[str, tuple[HandoffStatus, ...]] = {
    S.NEW: (S.CHECKING, S.REJECTED),
    S.CHECKING: (S.SIMILAR_EXISTS, S.CUSTOMERS_WANT, S.REJECTED),
    S.SIMILAR_EXISTS: (S.CHECKING, S.PILOTED, S.REJECTED),
    S.CUSTOMERS_WANT: (S.PILOTED, S.CHECKING, S.REJECTED),
    S.REJECTED: (S.CHECKING,),
    S.PILOTED: (),
}

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def allowed_next(status: str) -> tuple[str, ...]:
    return NEXT.get(status, ())


def clean_email(value: object) -> str:
    email = clean_text(value, field="email", max_len=EMAIL_MAX)
    if not _EMAIL.match(email):
        raise InvalidInput("handoff.bad_email")
    return email


def clean_note(value: object) -> str:
    """A note of several lines: each line cleaned like any typed text, blank lines kept once."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput("error.not_text", field="note")
    lines = [
        clean_text(line, field="note", max_len=HANDOFF_NOTE_MAX, required=False)
        for line in value.splitlines()
    ]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if len(text) > HANDOFF_NOTE_MAX:
        raise InvalidInput("error.too_long", field="note", max=HANDOFF_NOTE_MAX, length=len(text))
    return text


def clean_links(value: object) -> list[str]:
    """Evidence links, one per line: http(s) addresses only, at most ``LINKS_MAX``."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple):
        raise InvalidInput("error.not_text", field="links")
    links: list[str] = []
    for raw in value:
        link = clean_text(raw, field="links", max_len=LINK_MAX, required=False)
        if not link:
            continue
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in link:
            raise InvalidInput("handoff.bad_link", link=link[:80])
        if link not in links:
            links.append(link)
    if len(links) > LINKS_MAX:
        raise InvalidInput("handoff.too_many_links", max=LINKS_MAX)
    return links


def _by(value: object) -> str:
    return clean_text(value, field="manager_name", max_len=NAME_MAX)


def _reindex(session: Session, workshop_id: int) -> None:
    archive.refresh(session, [workshop_id])


def _event(
    handoff: Handoff, *, change: str, by: str, note: str, links: list[str], detail: str = "", at: datetime
) -> HandoffEvent:
    assert handoff.id is not None
    return HandoffEvent(
        handoff_id=handoff.id,
        at=at,
        by_name=by,
        change=change,
        status=handoff.status,
        detail=detail[:400],
        note=note,
        links="\n".join(links),
    )


def assign(
    *,
    session: Session,
    workshop_id: int,
    name: str,
    email: str,
    role: str = "",
    by: str,
    note: str = "",
    links: object = None,
    now: datetime | None = None,
) -> Handoff:
    """Hand the workshop's chosen innovation to a person; a second call reassigns it."""
    name = clean_text(name, field="assignee_name", max_len=NAME_MAX)
    email = clean_email(email)
    role = clean_text(role, field="assignee_role", max_len=ROLE_MAX, required=False)
    by = _by(by)
    note = clean_note(note)
    evidence = clean_links(links)
    now = now or utcnow()
    begin_write(session)
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound("error.workshop_not_found")
    if workshop.step != steps.FINISHED or workshop.chosen_innovation_id is None:
        raise WrongStep("handoff.not_finished")
    handoff = session.exec(select(Handoff).where(Handoff.workshop_id == workshop_id)).first()
    if handoff is None:
        handoff = Handoff(
            workshop_id=workshop_id,
            assignee_name=name,
            assignee_email=email,
            assignee_role=role,
            created_at=now,
            updated_at=now,
        )
        session.add(handoff)
        session.flush()
        session.add(
            _event(
                handoff,
                change="assigned",
                by=by,
                note=note,
                links=evidence,
                detail=f"{name} <{email}>",
                at=now,
            )
        )
    else:
        before = f"{handoff.assignee_name} <{handoff.assignee_email}>"
        if (handoff.assignee_name, handoff.assignee_email, handoff.assignee_role) == (name, email, role):
            raise InvalidInput("handoff.same_assignee")
        handoff.assignee_name, handoff.assignee_email, handoff.assignee_role = name, email, role
        handoff.updated_at = now
        session.add(handoff)
        session.add(
            _event(
                handoff,
                change="reassigned",
                by=by,
                note=note,
                links=evidence,
                detail=f"{before} → {name} <{email}>",
                at=now,
            )
        )
    session.commit()
    session.refresh(handoff)
    _reindex(session, workshop_id)
    return handoff


def _handoff(session: Session, handoff_id: int) -> Handoff:
    handoff = session.get(Handoff, handoff_id, populate_existing=True)
    if handoff is None:
        raise NotFound("handoff.not_found")
    return handoff


def change_status(
    *,
    session: Session,
    handoff_id: int,
    status: str,
    by: str,
    note: str = "",
    links: object = None,
    now: datetime | None = None,
) -> Handoff:
    """Move the hand-off to ``status`` if the order of the check allows it."""
    by = _by(by)
    note = clean_note(note)
    evidence = clean_links(links)
    now = now or utcnow()
    begin_write(session)
    handoff = _handoff(session, handoff_id)
    if status not in allowed_next(handoff.status):
        raise TransitionRefused("handoff.transition_refused", status_from=handoff.status, status_to=status)
    before = handoff.status
    handoff.status = status
    handoff.updated_at = now
    session.add(handoff)
    session.add(_event(handoff, change="status", by=by, note=note, links=evidence, detail=before, at=now))
    session.commit()
    session.refresh(handoff)
    _reindex(session, handoff.workshop_id)
    return handoff


def add_note(
    *,
    session: Session,
    handoff_id: int,
    by: str,
    note: str,
    links: object = None,
    now: datetime | None = None,
) -> Handoff:
    """A note and evidence links without a change of status."""
    by = _by(by)
    note = clean_note(note)
    evidence = clean_links(links)
    if not note and not evidence:
        raise InvalidInput("handoff.empty_note")
    now = now or utcnow()
    begin_write(session)
    handoff = _handoff(session, handoff_id)
    handoff.updated_at = now
    session.add(handoff)
    session.add(_event(handoff, change="note", by=by, note=note, links=evidence, at=now))
    session.commit()
    session.refresh(handoff)
    _reindex(session, handoff.workshop_id)
    return handoff


def handoff_of(*, session: Session, workshop_id: int) -> Handoff | None:
    return session.exec(select(Handoff).where(Handoff.workshop_id == workshop_id)).first()


def history(*, session: Session, handoff_id: int) -> list[HandoffEvent]:
    """Every change, oldest first."""
    return list(
        session.exec(
            select(HandoffEvent)
            .where(HandoffEvent.handoff_id == handoff_id)
            .order_by(col(HandoffEvent.at), col(HandoffEvent.id))
        ).all()
    )


@dataclass(frozen=True)
class OpenHandoff:
    handoff: Handoff
    code: str
    title: str
    innovation: str
    last_event: HandoffEvent | None


def open_handoffs(*, session: Session, status: str = "") -> list[OpenHandoff]:
    """Every hand-off not yet rejected or piloted, across workshops, the longest untouched first."""
    archive.refresh(session)
    wanted = (status,) if status in OPEN else OPEN
    rows = session.exec(
        select(Handoff, ArchiveEntry.code, ArchiveEntry.title, ArchiveEntry.innovation)
        .join(ArchiveEntry, col(ArchiveEntry.workshop_id) == Handoff.workshop_id)
        .where(col(Handoff.status).in_(wanted))
        .order_by(col(Handoff.updated_at), col(Handoff.id))
    ).all()
    last: dict[int, HandoffEvent] = {}
    ids = [h.id for h, *_ in rows]
    if ids:
        for event in session.exec(
            select(HandoffEvent).where(col(HandoffEvent.handoff_id).in_(ids)).order_by(col(HandoffEvent.id))
        ).all():
            last[event.handoff_id] = event
    return [
        OpenHandoff(handoff=h, code=code, title=title, innovation=innovation, last_event=last.get(h.id))  # type: ignore[arg-type]
        for h, code, title, innovation in rows
    ]
