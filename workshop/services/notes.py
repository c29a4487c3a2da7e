"""Steps 3 and 4: obstacle and innovation notes. The author writes and withdraws their own; the
facilitator merges duplicates, unmerges and fixes typos while the step is open."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, func, select

from workshop.db.engine import begin_write
from workshop.db.models import Note, PollOption, Workshop, utcnow
from workshop.live import events
from workshop.rules import steps
from workshop.rules.enums import SUGGESTION_DISMISSED, Subject
from workshop.rules.errors import InvalidInput, NotFound, WrongStep
from workshop.rules.limits import NOTE_MAX, RATIONALE_MAX
from workshop.rules.text import clean_text
from workshop.services._base import _commit, _log, _now, _reload, _require_open_input
from workshop.services.participants import _taking_part


def add_note(
    *,
    session: Session,
    participant_id: int,
    text: str,
    rationale: str = "",
    now: datetime | None = None,
) -> Note:
    """An obstacle sticky (step 3) or an innovation with its one-line rationale (step 4)."""
    now = _now(now)
    text = clean_text(text, field="note", max_len=NOTE_MAX)
    begin_write(session)
    participant = _taking_part(session, participant_id)
    workshop = _reload(session, participant.workshop_id)
    kind = steps.NOTE_KIND.get(workshop.step)
    if kind is None:
        raise WrongStep("error.step_moved_on")
    _require_open_input(workshop, workshop.step, now)
    if kind == Subject.INNOVATION:
        rationale = clean_text(rationale, field="rationale", max_len=RATIONALE_MAX)
        limit = workshop.ideas_max
    else:
        rationale = ""
        limit = workshop.notes_max
    written = session.exec(
        select(func.count()).select_from(Note).where(Note.participant_id == participant.id, Note.kind == kind)
    ).one()
    if written >= limit:
        raise InvalidInput("error.note_limit", max=limit)
    note = Note(
        workshop_id=workshop.id,
        participant_id=participant.id,
        kind=kind,
        text=text,
        original_text=text,
        rationale=rationale,
        created_at=now,
    )
    session.add(note)
    _commit(session, workshop, events.NOTE)
    session.refresh(note)
    return note


def withdraw_note(
    *, session: Session, participant_id: int, note_id: int, now: datetime | None = None
) -> None:
    """The author takes back their own note while the step is still open."""
    now = _now(now)
    begin_write(session)
    note = session.get(Note, note_id)
    if note is None or note.participant_id != participant_id:
        raise NotFound("error.note_not_found")
    workshop = _reload(session, note.workshop_id)
    _require_open_input(workshop, workshop.step, now)
    if steps.NOTE_KIND.get(workshop.step) != note.kind:
        raise WrongStep("error.step_moved_on")
    for merged in session.exec(select(Note).where(Note.merged_into_id == note.id)).all():
        merged.merged_into_id = None
        session.add(merged)
    # A vote cancelled by going back still lists the note: its option keeps the label only.
    for option in session.exec(select(PollOption).where(PollOption.note_id == note.id)).all():
        option.note_id = None
        session.add(option)
    session.flush()
    session.delete(note)
    _commit(session, workshop, events.NOTE)


def _note_for_facilitator(session: Session, workshop: Workshop, note_id: int) -> Note:
    note = session.get(Note, note_id)
    if note is None or note.workshop_id != workshop.id:
        raise NotFound("error.note_not_found")
    if steps.NOTE_KIND.get(workshop.step) != note.kind:
        raise WrongStep("error.edit_only_while_writing")
    return note


def merge_notes(*, session: Session, workshop_id: int, keep_id: int, merge_ids: Sequence[int]) -> None:
    """Merge duplicates into ``keep_id``: they leave the ballot, every author's note stays."""
    begin_write(session)
    workshop = _reload(session, workshop_id)
    keep = _note_for_facilitator(session, workshop, keep_id)
    if keep.merged_into_id is not None:
        raise InvalidInput("error.merge_into_merged")
    others = [i for i in dict.fromkeys(merge_ids) if i != keep_id]
    if not others:
        raise InvalidInput("error.merge_nothing")
    for note_id in others:
        note = _note_for_facilitator(session, workshop, note_id)
        if note.kind != keep.kind:
            raise InvalidInput("error.merge_kinds")
        # Notes already merged into this one move along with it.
        for child in session.exec(select(Note).where(Note.merged_into_id == note.id)).all():
            child.merged_into_id = keep.id
            session.add(child)
        note.merged_into_id = keep.id
        session.add(note)
    _log(session, workshop, "merged", f"{keep.id} <- {', '.join(map(str, others))}", at=utcnow())
    _commit(session, workshop, events.NOTE)


_SUGGESTION_KEY = re.compile(r"\d{1,12}(-\d{1,12})+")


def dismiss_suggestion(*, session: Session, workshop_id: int, key: str) -> None:
    """The facilitator turns down a suggested merge (``key``: its note ids, ``"3-12-40"``): it is
    remembered in the workshop's log and not suggested again, on any screen."""
    if not isinstance(key, str) or len(key) > 400 or not _SUGGESTION_KEY.fullmatch(key):
        raise InvalidInput("error.suggestion_unknown")
    note_ids = {int(part) for part in key.split("-")}
    if len(note_ids) < 2:
        raise InvalidInput("error.suggestion_unknown")
    begin_write(session)
    workshop = _reload(session, workshop_id)
    for note_id in note_ids:
        _note_for_facilitator(session, workshop, note_id)
    _log(session, workshop, SUGGESTION_DISMISSED, key, at=utcnow())
    _commit(session, workshop, events.NOTE)


def unmerge_note(*, session: Session, workshop_id: int, note_id: int) -> None:
    begin_write(session)
    workshop = _reload(session, workshop_id)
    note = _note_for_facilitator(session, workshop, note_id)
    note.merged_into_id = None
    session.add(note)
    _log(session, workshop, "unmerged", str(note_id), at=utcnow())
    _commit(session, workshop, events.NOTE)


def edit_note(*, session: Session, workshop_id: int, note_id: int, text: str) -> Note:
    """The facilitator fixes a typo; the author's original text stays on record."""
    text = clean_text(text, field="note", max_len=NOTE_MAX)
    begin_write(session)
    workshop = _reload(session, workshop_id)
    note = _note_for_facilitator(session, workshop, note_id)
    if text != note.text:
        note.text = text
        note.edited_at = utcnow()
        session.add(note)
        _log(session, workshop, "edited", str(note_id), at=note.edited_at)
        _commit(session, workshop, events.NOTE)
    return note


def notes_of(*, session: Session, participant_id: int, kind: str) -> list[Note]:
    return list(
        session.exec(
            select(Note)
            .where(Note.participant_id == participant_id, Note.kind == kind)
            .order_by(col(Note.id))
        ).all()
    )
