"""What the company already tried: the chosen obstacles and innovations of earlier workshops most
like the one a group has just chosen, with each workshop's date and the hand-off's fate.

The method ends by asking account managers whether "something similar exists"; the first place
to look is the company's own archive. ``recall`` answers from an index of every finished
workshop's chosen obstacle and innovation (``workshop.similarity.MemoryIndex``), built once per
process and database and rebuilt when a workshop finishes or leaves the archive; only the few
workshops found are then read from the tables.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from workshop.db.engine import database_key
from workshop.db.models import Handoff, HandoffEvent, Note, Workshop
from workshop.rules.enums import Subject
from workshop.similarity.memory import MemoryIndex

RECALLED = 5  # earlier workshops shown for one choice
NOTES_SHOWN = 3  # the hand-off's latest notes shown with each


@dataclass(frozen=True, slots=True)
class Recollection:
    """An earlier workshop whose chosen ``kind`` is like the one asked about."""

    workshop_id: int
    code: str
    title: str
    product: str
    held_on: datetime
    text: str  # its chosen obstacle or innovation, as it was written
    score: float  # how alike (0–1)
    obstacle: str
    innovation: str
    fate: str | None  # the hand-off's status (HandoffStatus), None when it was never handed off
    notes: tuple[str, ...]  # the hand-off's latest notes, newest first


_CHOSEN = {Subject.OBSTACLE: Workshop.chosen_obstacle_id, Subject.INNOVATION: Workshop.chosen_innovation_id}
_INDEXES: dict[tuple[str, str], tuple[tuple, MemoryIndex[int]]] = {}
_LOCK = threading.Lock()


def _signature(session: Session) -> tuple:
    """Changes whenever a workshop finishes or leaves the archive (chosen notes are fixed then)."""
    finished = select(func.count(), func.max(Workshop.id), func.max(Workshop.finished_at)).where(
        col(Workshop.finished_at).is_not(None)
    )
    return tuple(session.exec(finished).one())


def _index(session: Session, kind: Subject) -> MemoryIndex[int]:
    key = (database_key(session), str(kind))
    signature = _signature(session)
    with _LOCK:
        known = _INDEXES.get(key)
        if known is not None and known[0] == signature:
            return known[1]
        rows = session.exec(
            select(Workshop.id, Note.text)
            .join(Note, col(Note.id) == _CHOSEN[kind])
            .where(col(Workshop.finished_at).is_not(None))
        ).all()
        index: MemoryIndex[int] = MemoryIndex((workshop_id, text) for workshop_id, text in rows)
        _INDEXES[key] = (signature, index)
        return index


def recall(
    *,
    session: Session,
    kind: Subject,
    text: str,
    exclude_workshop_id: int | None = None,
    limit: int = RECALLED,
) -> list[Recollection]:
    """The earlier workshops whose chosen ``kind`` is most like ``text``, most alike first."""
    if not text.strip():
        return []
    matches = [
        m for m in _index(session, kind).most_similar(text, limit=limit + 1) if m.key != exclude_workshop_id
    ][:limit]
    if not matches:
        return []
    ids = [m.key for m in matches]
    workshops = {w.id: w for w in session.exec(select(Workshop).where(col(Workshop.id).in_(ids))).all()}
    chosen_ids = [i for w in workshops.values() for i in (w.chosen_obstacle_id, w.chosen_innovation_id) if i]
    texts = dict(session.exec(select(Note.id, Note.text).where(col(Note.id).in_(chosen_ids))).all())
    handoffs = {
        h.workshop_id: h for h in session.exec(select(Handoff).where(col(Handoff.workshop_id).in_(ids)))
    }
    notes: dict[int, list[str]] = {}
    if handoffs:
        events = session.exec(
            select(HandoffEvent)
            .where(
                col(HandoffEvent.handoff_id).in_([h.id for h in handoffs.values()]), HandoffEvent.note != ""
            )
            .order_by(col(HandoffEvent.at).desc(), col(HandoffEvent.id).desc())
        ).all()
        for event in events:
            notes.setdefault(event.handoff_id, []).append(event.note)
    found = []
    for match in matches:
        w = workshops.get(match.key)
        if w is None:
            continue
        handoff = handoffs.get(w.id)
        found.append(
            Recollection(
                workshop_id=w.id,
                code=w.code,
                title=w.title,
                product=w.product,
                held_on=w.finished_at or w.created_at,
                text=match.text,
                score=match.score,
                obstacle=texts.get(w.chosen_obstacle_id or -1, ""),
                innovation=texts.get(w.chosen_innovation_id or -1, ""),
                fate=handoff.status if handoff else None,
                notes=tuple(notes.get(handoff.id, [])[:NOTES_SHOWN]) if handoff else (),
            )
        )
    return found
