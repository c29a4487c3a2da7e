"""``export_json``: one workshop as the transfer file (see the package's docstring for its shape).

Sections are written in the order and with the keys of :mod:`workshop.transfer.schema`; a column
holding another row's database id becomes the file's own reference (``p1``, ``n3``, ``o7``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from workshop.db.models import (
    Ballot,
    BallotMark,
    Handoff,
    HandoffEvent,
    Note,
    Participant,
    Pick,
    Poll,
    PollOption,
    StepLog,
    TrendMap,
    TrendMapVersion,
    Workshop,
    utcnow,
)
from workshop.maps.store import trends_of
from workshop.rules.errors import NotFound
from workshop.services import LET_IN
from workshop.transfer.schema import (
    FLAGS,
    FORMAT,
    LOG_DETAIL_MAX,
    SETTINGS,
    TREND_TEXTS,
    VERSION,
    WORKSHOP_TEXTS,
)

# Step log details that name notes or options by their database id, as the services write them.
_NOTE_EVENTS = ("merged", "unmerged", "edited")
_NOTE_IDS = re.compile(r"^[A-Za-z0-9_-]+(?: <- [A-Za-z0-9_-]+(?:, [A-Za-z0-9_-]+)*)?$")
_ID = re.compile(r"[A-Za-z0-9_-]+")
_OPTION_DETAIL = re.compile(r"^(round \d+: option )([A-Za-z0-9_-]+)$")

T = TypeVar("T")


def export_json(*, session: Session, workshop_id: int) -> bytes:
    """The workshop as UTF-8 JSON, ready to be imported into another installation."""
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound("error.workshop_not_found")
    document = _Exporter(session, workshop).document()
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def _known(refs: Mapping[Any, str], key: Any, where: str) -> str:
    """The file's reference for a row the workshop points at; a broken record is named."""
    if key not in refs:
        raise NotFound("transfer.export_inconsistent", where=where)
    return refs[key]


class _Exporter:
    def __init__(self, session: Session, workshop: Workshop) -> None:
        self.session = session
        self.workshop = workshop
        version = session.get(TrendMapVersion, workshop.trend_map_version_id)
        trend_map = session.get(TrendMap, version.map_id) if version is not None else None
        if version is None or trend_map is None:
            raise NotFound("error.map_not_found")
        self.trend_map = trend_map
        self.trends = trends_of(session=session, version_id=version.id)
        self.trend_code = {t.id: t.code for t in self.trends}
        # Who took part: people turned away at a locked room's door (or still waiting) did not.
        self.participants = [
            p
            for p in self._rows(Participant, Participant.workshop_id, Participant.id)
            if p.admission == LET_IN
        ]
        self.person = {p.id: f"p{i}" for i, p in enumerate(self.participants, 1)}
        self.notes = self._rows(Note, Note.workshop_id, Note.id)
        self.note_ref = {n.id: f"n{i}" for i, n in enumerate(self.notes, 1)}
        self.polls = self._rows(Poll, Poll.workshop_id, Poll.id)
        self.options: dict[int, list[PollOption]] = {p.id: [] for p in self.polls}
        for option in self.session.exec(
            select(PollOption)
            .where(col(PollOption.poll_id).in_(list(self.options)))
            .order_by(col(PollOption.id))
        ).all():
            self.options[option.poll_id].append(option)
        ordered = [o for poll in self.polls for o in self.options[poll.id]]
        self.option_ref = {o.id: f"o{i}" for i, o in enumerate(ordered, 1)}

    def _rows(self, model: type[T], owner: Any, order: Any) -> list[T]:
        return list(self.session.exec(select(model).where(owner == self.workshop.id).order_by(order)).all())

    def document(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": _iso(utcnow()),
            "workshop": self._workshop(),
            "trend_map": self._trend_map(),
            "participants": [
                {
                    "ref": self.person[p.id],
                    "name": p.name,
                    "department": p.department,
                    "joined_at": _iso(p.joined_at),
                    "last_seen_at": _iso(p.last_seen_at),
                }
                for p in self.participants
            ],
            "picks": [
                {
                    "participant": _known(self.person, pick.participant_id, f"picks[{i}].participant"),
                    "trend": _known(self.trend_code, pick.trend_id, f"picks[{i}].trend"),
                    "created_at": _iso(pick.created_at),
                }
                for i, pick in enumerate(self._rows(Pick, Pick.workshop_id, Pick.id), 1)
            ],
            "notes": [self._note(i, note) for i, note in enumerate(self.notes, 1)],
            "polls": [self._poll(i, poll) for i, poll in enumerate(self.polls, 1)],
            "step_log": [
                {
                    "step": entry.step,
                    "event": entry.event,
                    "detail": log_detail(entry.event, entry.detail, self.note_ref, self.option_ref),
                    "at": _iso(entry.at),
                }
                for entry in self._rows(StepLog, StepLog.workshop_id, StepLog.id)
            ],
            "handoff": self._handoff(),
        }

    def _workshop(self) -> dict[str, Any]:
        w = self.workshop

        def note(note_id: int | None, name: str) -> str | None:
            return None if note_id is None else _known(self.note_ref, note_id, f"workshop.{name}")

        return {
            "code": w.code,
            **{name: getattr(w, name) for name in WORKSHOP_TEXTS},
            "lang": w.lang,
            **{name: getattr(w, name) for name in SETTINGS},
            "step": w.step,
            "step_started_at": _iso(w.step_started_at),
            "deadline": _iso(w.deadline),
            "paused_remaining": w.paused_remaining,
            **{name: getattr(w, name) for name in FLAGS},
            "join_base_url": w.join_base_url,
            "chosen_trend": (
                None
                if w.chosen_trend_id is None
                else _known(self.trend_code, w.chosen_trend_id, "workshop.chosen_trend")
            ),
            "chosen_obstacle": note(w.chosen_obstacle_id, "chosen_obstacle"),
            "chosen_innovation": note(w.chosen_innovation_id, "chosen_innovation"),
            "created_at": _iso(w.created_at),
            "finished_at": _iso(w.finished_at),
        }

    def _trend_map(self) -> dict[str, Any]:
        m = self.trend_map
        return {
            "id": m.id,
            "title_ru": m.title_ru,
            "title_en": m.title_en,
            "description_ru": m.description_ru,
            "description_en": m.description_en,
            "source": m.source,
            "year": m.year,
            "trends": [
                {"code": t.code, "position": t.position, **{name: getattr(t, name) for name in TREND_TEXTS}}
                for t in self.trends
            ],
        }

    def _note(self, i: int, note: Note) -> dict[str, Any]:
        return {
            "ref": self.note_ref[note.id],
            "participant": _known(self.person, note.participant_id, f"notes[{i}].participant"),
            "kind": note.kind,
            "text": note.text,
            "rationale": note.rationale,
            "original_text": note.original_text,
            "merged_into": (
                None
                if note.merged_into_id is None
                else _known(self.note_ref, note.merged_into_id, f"notes[{i}].merged_into")
            ),
            "edited_at": _iso(note.edited_at),
            "created_at": _iso(note.created_at),
        }

    def _poll(self, i: int, poll: Poll) -> dict[str, Any]:
        where = f"polls[{i}]"
        options = self.options[poll.id]
        ballots = list(
            self.session.exec(select(Ballot).where(Ballot.poll_id == poll.id).order_by(col(Ballot.id)))
        )
        marks: dict[int, list[BallotMark]] = {b.id: [] for b in ballots}
        for mark in self.session.exec(
            select(BallotMark).where(col(BallotMark.ballot_id).in_(list(marks))).order_by(col(BallotMark.id))
        ).all():
            marks[mark.ballot_id].append(mark)
        own_options = {o.id: self.option_ref[o.id] for o in options}
        return {
            "subject": poll.subject,
            "round": poll.round,
            "status": poll.status,
            "votes_per_person": poll.votes_per_person,
            "cap_per_option": poll.cap_per_option,
            "opened_at": _iso(poll.opened_at),
            "closed_at": _iso(poll.closed_at),
            "decided_by": poll.decided_by,
            "winner": (
                None
                if poll.winner_option_id is None
                else _known(own_options, poll.winner_option_id, f"{where}.winner")
            ),
            "tie": poll.tie,
            "options": [
                {
                    "ref": self.option_ref[o.id],
                    "position": o.position,
                    "trend": (
                        None
                        if o.trend_id is None
                        else _known(self.trend_code, o.trend_id, f"{where}.options[{j}].trend")
                    ),
                    "note": (
                        None
                        if o.note_id is None
                        else _known(self.note_ref, o.note_id, f"{where}.options[{j}].note")
                    ),
                    "label": o.label,
                    "detail": o.detail,
                    "support": o.support,
                }
                for j, o in enumerate(options, 1)
            ],
            "ballots": [
                {
                    "participant": _known(self.person, b.participant_id, f"{where}.ballots[{j}].participant"),
                    "cast_at": _iso(b.cast_at),
                    "updated_at": _iso(b.updated_at),
                    "marks": [
                        {
                            "option": _known(own_options, m.option_id, f"{where}.ballots[{j}].marks[{k}]"),
                            "dots": m.dots,
                        }
                        for k, m in enumerate(marks[b.id], 1)
                    ],
                }
                for j, b in enumerate(ballots, 1)
            ],
        }

    def _handoff(self) -> dict[str, Any] | None:
        handoff = self.session.exec(select(Handoff).where(Handoff.workshop_id == self.workshop.id)).first()
        if handoff is None:
            return None
        events = self.session.exec(
            select(HandoffEvent).where(HandoffEvent.handoff_id == handoff.id).order_by(col(HandoffEvent.id))
        ).all()
        return {
            "assignee_name": handoff.assignee_name,
            "assignee_email": handoff.assignee_email,
            "assignee_role": handoff.assignee_role,
            "status": handoff.status,
            "created_at": _iso(handoff.created_at),
            "updated_at": _iso(handoff.updated_at),
            "events": [
                {
                    "at": _iso(e.at),
                    "by_name": e.by_name,
                    "change": e.change,
                    "status": e.status,
                    "detail": e.detail,
                    "note": e.note,
                    "links": e.links.split("\n") if e.links else [],
                }
                for e in events
            ],
        }


def log_detail(event: str, detail: str, note_ids: Mapping[Any, Any], option_ids: Mapping[Any, Any]) -> str:
    """A step log detail with the notes or options it names translated through ``*_ids`` (database
    ids to file refs on export, file refs to database ids on import). A detail naming something
    unknown (a withdrawn note) stays as it was."""
    if event in _NOTE_EVENTS and _NOTE_IDS.match(detail):
        found = [_lookup(note_ids, name) for name in _ID.findall(detail)]
        if all(x is not None for x in found):
            names = iter(found)
            return _ID.sub(lambda _m: str(next(names)), detail)[:LOG_DETAIL_MAX]
    match = _OPTION_DETAIL.match(detail)
    if event == "decided_by_facilitator" and match:
        option = _lookup(option_ids, match.group(2))
        if option is not None:
            return f"{match.group(1)}{option}"[:LOG_DETAIL_MAX]
    return detail


def _lookup(ids: Mapping[Any, Any], name: str) -> Any:
    """``name`` (digits or a ref, as written in a detail) looked up as a database id or a ref."""
    if name in ids:
        return ids[name]
    return ids.get(int(name)) if name.isdigit() and len(name) < 19 else None
