"""One whole workshop as a JSON file, and back: an archive copy for another installation.

``export_json`` writes everything the workshop has — its facts and settings, the trend map version
it used, participants, picks, notes, votes with their options and ballots, the step log and the
hand-off with its history. ``import_json`` reads such a file into this installation as a new
workshop, in one transaction, or refuses it with a message and writes nothing.

The file (format ``innovation-workshop``, version 1) is one JSON object::

    format, version, exported_at
    workshop      the Workshop row: every column but the facilitator key hash and the revision;
                  chosen_trend is a trend code, chosen_obstacle / chosen_innovation note refs
    trend_map     the TrendMap row (id, title_ru, ..., year) and ``trends``: the rows of the
                  version the workshop used (code, position, category, category_ru, ...)
    participants  ref, name, department, joined_at, last_seen_at (no tokens)
    picks         participant (ref), trend (code), created_at
    notes         ref, participant, kind, text, rationale, original_text, merged_into (ref),
                  edited_at, created_at
    polls         subject, round, status, ..., winner (option ref), ``options`` (ref, position,
                  trend, note, label, detail, support) and ``ballots`` (participant, cast_at,
                  updated_at, ``marks``: option, dots)
    step_log      step, event, detail, at
    handoff       null, or the hand-off's row with its ``events``

Each section mirrors its table's columns; a column holding another row's database id becomes a
reference inside the file (``p1``, ``n3``, ``o7``; trends by their code), so the file never carries
database ids. Times are ISO 8601 with a time zone. Read-only links (their tokens are secrets) and
the archive's index (rebuilt from the workshop's rows) are not in the file. Places in messages
count from 1: ``participants[3].name`` is the third participant's name.

An imported workshop is an archive copy: the facilitator key and the participants' tokens are new
random secrets that nobody is given, so nobody can act in it. Its join code stays if it is free
here, else it gets a new one; importing the same file twice therefore makes two workshops, the
second with a new code. The trend map version is reused when this installation has one with the
same map id and the same trends; otherwise it is stored as a new version of that map (the map's
own title, description, source and year stay as this installation has them), or as a new map.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from workshop.db.engine import begin_write
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
    Trend,
    TrendMap,
    TrendMapVersion,
    Workshop,
    utcnow,
)
from workshop.i18n import LANGUAGES
from workshop.managers import archive
from workshop.managers import handoff as handoff_rules
from workshop.maps.store import save_map, trends_of, validate_map
from workshop.maps.uploads import MAX_TRENDS, json_too_deep_at
from workshop.rules import steps
from workshop.rules.enums import PollStatus
from workshop.rules.errors import BallotInvalid, InvalidInput, NotFound
from workshop.rules.limits import HANDOFF_NOTE_MAX, LINK_MAX, LINKS_MAX
from workshop.rules.security import hash_secret, new_join_code, new_secret
from workshop.rules.text import clean_text
from workshop.rules.voting import validate_marks
from workshop.services import LET_IN, Settings

FORMAT = "innovation-workshop"
VERSION = 2  # 2: the ideas have a time of their own (ideas_minutes); locked rooms
READABLE_VERSIONS = (1, 2)
MAX_BYTES = 5_000_000
MAX_DEPTH = 8  # a valid file nests 7 levels: polls > options/ballots > marks

# How many entries a list may hold (a valid workshop has far fewer).
MAX_PARTICIPANTS = 1000
MAX_PICKS = 10_000
MAX_NOTES = 10_000
MAX_POLLS = 200
MAX_OPTIONS = 10_000  # in one vote
MAX_MARKS = 10  # on one ballot: at most 10 votes per person, each mark at least one
MAX_LOG = 50_000
MAX_HANDOFF_EVENTS = 1000

POLL_STATUSES = tuple(PollStatus)
DECIDED_BY = ("vote", "facilitator")
HANDOFF_CHANGES = ("assigned", "reassigned", "status", "note")
ARCHIVE_SUFFIX = "-archive"
NOTE_KINDS = tuple(steps.NOTE_KIND.values())
SUBJECTS = tuple(steps.VOTE_STEPS.values())
MAP_DESCRIPTION_MAX = 600  # validate_map's limit; the column is unbounded text
LOG_DETAIL_MAX = 400

_REF = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_CODE = re.compile(r"^[A-Z0-9]{4,12}$")
_WORD = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
# Characters no text of the app holds and no database stores: control characters (tabs and line
# breaks aside) and lone surrogates, which JSON can spell as escapes.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# A JSON string (unrolled, so linear on an unterminated one) or a bracket.
_SHOWN = re.compile(r"[^\w.\-\[\]]")

# Step log details that name notes or options by their database id, as the services write them.
_NOTE_EVENTS = ("merged", "unmerged", "edited")
_NOTE_IDS = re.compile(r"^[A-Za-z0-9_-]+(?: <- [A-Za-z0-9_-]+(?:, [A-Za-z0-9_-]+)*)?$")
_ID = re.compile(r"[A-Za-z0-9_-]+")
_OPTION_DETAIL = re.compile(r"^(round \d+: option )([A-Za-z0-9_-]+)$")

_WORKSHOP_TEXTS = ("title", "product", "facilitator_name")
_SETTINGS = Settings.setting_names()
_FLAGS = ("agreement_confirmed", "show_authors", "open_voting", "sound", "locked")
_TREND_TEXTS = tuple(
    "category category_ru category_en title_ru title_en description_ru description_en source".split()
)

T = TypeVar("T")


# =========================================================================== export


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
            select(PollOption).where(col(PollOption.poll_id).in_(list(self.options))).order_by(PollOption.id)
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
                    "detail": _log_detail(entry.event, entry.detail, self.note_ref, self.option_ref),
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
            **{name: getattr(w, name) for name in _WORKSHOP_TEXTS},
            "lang": w.lang,
            **{name: getattr(w, name) for name in _SETTINGS},
            "step": w.step,
            "step_started_at": _iso(w.step_started_at),
            "deadline": _iso(w.deadline),
            "paused_remaining": w.paused_remaining,
            **{name: getattr(w, name) for name in _FLAGS},
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
                {"code": t.code, "position": t.position, **{name: getattr(t, name) for name in _TREND_TEXTS}}
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
        ballots = list(self.session.exec(select(Ballot).where(Ballot.poll_id == poll.id).order_by(Ballot.id)))
        marks: dict[int, list[BallotMark]] = {b.id: [] for b in ballots}
        for mark in self.session.exec(
            select(BallotMark).where(col(BallotMark.ballot_id).in_(list(marks))).order_by(BallotMark.id)
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
            select(HandoffEvent).where(HandoffEvent.handoff_id == handoff.id).order_by(HandoffEvent.id)
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


def _log_detail(event: str, detail: str, note_ids: Mapping[Any, Any], option_ids: Mapping[Any, Any]) -> str:
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


# =========================================================================== import


def import_json(*, session: Session, data: bytes) -> Workshop:
    """Store the workshop in ``data`` as a new workshop here; refuse a file with any problem.

    Every problem is an :class:`InvalidInput` with a ``transfer.*`` key and, where it helps,
    ``where`` naming the place in the file. Nothing is written unless the whole file is valid."""
    plan = _Reader(_load(data)).plan()
    return _write(session, plan)


# --------------------------------------------------------------------------- bytes to JSON


def _load(data: bytes) -> object:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidInput("transfer.empty")
    data = bytes(data)
    if len(data) > MAX_BYTES:
        raise InvalidInput("transfer.too_big", max_mb=MAX_BYTES // 1_000_000)
    if not data.removeprefix(b"\xef\xbb\xbf").strip(b" \t\r\n"):
        raise InvalidInput("transfer.empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("transfer.not_utf8") from None
    _check_depth(text)
    try:
        return json.loads(text, object_pairs_hook=_object_without_twins, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InvalidInput("transfer.not_json", line=exc.lineno, column=exc.colno) from None
    except (ValueError, RecursionError):  # an integer with more digits than Python converts
        raise InvalidInput("transfer.bad_number") from None


def _check_depth(text: str) -> None:
    if json_too_deep_at(text, MAX_DEPTH) is not None:
        raise InvalidInput("transfer.too_deep", max=MAX_DEPTH)


def _object_without_twins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise InvalidInput("transfer.duplicate_key", name=_shown(key))
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise InvalidInput("transfer.bad_number")


def _shown(value: object) -> str:
    """A value from the file, short and harmless, for a message."""
    return _SHOWN.sub("?", str(value)[:40])


# --------------------------------------------------------------------------- checked values


def _at(where: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{_shown(key)}" if where else _shown(key)


def _object(value: object, where: str, names: Iterable[str]) -> dict[str, Any]:
    """``value`` as an object with exactly the fields ``names``."""
    if not isinstance(value, dict):
        raise InvalidInput("transfer.not_object", where=where or "file")
    names = tuple(names)
    for key in value:
        if key not in names:
            raise InvalidInput("transfer.unknown_field", where=_at(where, key))
    for key in names:
        if key not in value:
            raise InvalidInput("transfer.missing", where=_at(where, key))
    return value


def _items(value: object, where: str, most: int) -> list[tuple[str, Any]]:
    """A list's entries with their places (counted from 1)."""
    if not isinstance(value, list):
        raise InvalidInput("transfer.not_list", where=where)
    if len(value) > most:
        raise InvalidInput("transfer.too_many", where=where, max=most)
    return [(_at(where, i), item) for i, item in enumerate(value, 1)]


def _text(value: object, where: str, most: int, *, required: bool = True, typed: bool = False) -> str:
    """Text of at most ``most`` characters. ``typed``: text a person typed, which the app always
    stores cleaned (one line, no control or invisible characters): anything else is refused."""
    if not isinstance(value, str):
        raise InvalidInput("transfer.not_text", where=where)
    if _UNSTORABLE.search(value):
        raise InvalidInput("transfer.bad_characters", where=where)
    if len(value) > most:
        raise InvalidInput("transfer.too_long", where=where, max=most)
    if required and not value.strip():
        raise InvalidInput("transfer.empty_text", where=where)
    if typed:
        try:
            cleaned = clean_text(value, field=where, max_len=most, required=False)
        except InvalidInput:
            cleaned = None
        if cleaned != value:
            raise InvalidInput("transfer.not_clean", where=where)
    return value


def _length(model: type, column: str) -> int:
    """The length limit of a column, as the table declares it."""
    length = model.__table__.c[column].type.length  # type: ignore[attr-defined]
    assert isinstance(length, int)
    return length


def _whole(value: object, where: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput("transfer.not_whole_number", where=where)
    if not low <= value <= high:
        raise InvalidInput("transfer.out_of_range", where=where, low=low, high=high)
    return value


def _number(value: object, where: str, low: float, high: float) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise InvalidInput("transfer.not_number", where=where)
    if not low <= value <= high:  # NaN fails this too
        raise InvalidInput("transfer.out_of_range", where=where, low=low, high=high)
    return float(value)


def _flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput("transfer.not_boolean", where=where)
    return value


def _choice(value: object, where: str, choices: Iterable[str]) -> str:
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        raise InvalidInput("transfer.bad_choice", where=where, choices=", ".join(choices))
    return value


def _word(value: object, where: str, most: int) -> str:
    if not isinstance(value, str) or len(value) > most or not _WORD.match(value):
        raise InvalidInput("transfer.bad_word", where=where, max=most)
    return value


def _when(value: object, where: str) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise InvalidInput("transfer.bad_datetime", where=where)
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.utcoffset() is None:
            raise ValueError("no time zone")
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidInput("transfer.bad_datetime", where=where) from None


def _maybe(value: object, where: str, read: Callable[[object, str], T]) -> T | None:
    return None if value is None else read(value, where)


def _new_ref(value: object, where: str, known: Mapping[str, Any]) -> str:
    if not isinstance(value, str) or not _REF.match(value):
        raise InvalidInput("transfer.bad_ref", where=where)
    if value in known:
        raise InvalidInput("transfer.duplicate_ref", where=where, ref=value)
    return value


def _ref(value: object, where: str, known: Mapping[str, T]) -> T:
    if not isinstance(value, str) or value not in known:
        raise InvalidInput("transfer.unknown_ref", where=where, ref=_shown(value))
    return known[value]


# --------------------------------------------------------------------------- the plan


@dataclass
class _Note:
    participant: int  # index into the plan's participants
    row: dict[str, Any]
    merged_into: int | None  # index into the plan's notes


@dataclass
class _Option:
    trend: str | None  # trend code
    note: int | None
    row: dict[str, Any]


@dataclass
class _Ballot:
    participant: int
    row: dict[str, Any]
    marks: list[tuple[int, int]]  # (option index in its poll, dots)


@dataclass
class _Poll:
    row: dict[str, Any]
    winner: int | None
    options: list[_Option] = field(default_factory=list)
    option_refs: list[str] = field(default_factory=list)
    ballots: list[_Ballot] = field(default_factory=list)


@dataclass
class _Plan:
    """A checked file: rows to store, with references as indexes into the plan's lists."""

    map_document: dict[str, Any]
    trend_rows: list[tuple[str, ...]]  # the trends as the identity of the map version
    code: str
    workshop: dict[str, Any]
    chosen_trend: str | None
    chosen_obstacle: int | None
    chosen_innovation: int | None
    participants: list[dict[str, Any]]
    picks: list[tuple[int, str, datetime]]
    notes: list[_Note]
    note_refs: list[str]
    polls: list[_Poll]
    log: list[dict[str, Any]]
    handoff: dict[str, Any] | None
    handoff_events: list[dict[str, Any]]


_TOP = tuple(
    "format version exported_at workshop trend_map participants picks notes polls step_log handoff".split()
)
_WORKSHOP = (
    "code",
    *_WORKSHOP_TEXTS,
    "lang",
    *_SETTINGS,
    "step",
    "step_started_at",
    "deadline",
    "paused_remaining",
    *_FLAGS,
    "join_base_url",
    "chosen_trend",
    "chosen_obstacle",
    "chosen_innovation",
    "created_at",
    "finished_at",
)
_MAP = ("id", "title_ru", "title_en", "description_ru", "description_en", "source", "year", "trends")
_TREND = ("code", "position", *_TREND_TEXTS)
_PARTICIPANT = ("ref", "name", "department", "joined_at", "last_seen_at")
_PICK = ("participant", "trend", "created_at")
_NOTE = tuple("ref participant kind text rationale original_text merged_into edited_at created_at".split())
_POLL = tuple(
    "subject round status votes_per_person cap_per_option opened_at closed_at decided_by winner tie".split()
) + ("options", "ballots")
_OPTION = ("ref", "position", "trend", "note", "label", "detail", "support")
_BALLOT = ("participant", "cast_at", "updated_at", "marks")
_MARK = ("option", "dots")
_LOG = ("step", "event", "detail", "at")
_HANDOFF = tuple("assignee_name assignee_email assignee_role status created_at updated_at events".split())
_HANDOFF_EVENT = ("at", "by_name", "change", "status", "detail", "note", "links")


class _Reader:
    """Checks a parsed file from top to bottom; the first problem is raised, naming its place."""

    def __init__(self, document: object) -> None:
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise InvalidInput("transfer.not_a_workshop")
        version = document.get("version")
        if version not in READABLE_VERSIONS or isinstance(version, bool):
            raise InvalidInput("transfer.wrong_version", version=_shown(version), supported=VERSION)
        if version == 1 and isinstance(document.get("workshop"), dict):
            # Version 1 had one time for steps 3 and 4 (the ideas keep the obstacles' time) and no
            # locked rooms.
            old = document["workshop"]
            document = {
                **document,
                "workshop": {**old, "ideas_minutes": old.get("write_minutes"), "locked": False},
            }
        self.doc = _object(document, "", _TOP)
        _when(self.doc["exported_at"], "exported_at")
        self.trends: dict[str, str] = {}  # the map's trend codes, as references to themselves
        self.person: dict[str, int] = {}
        self.note_index: dict[str, int] = {}
        self.note_kinds: list[str] = []

    def plan(self) -> _Plan:
        map_document, trend_rows = self._trend_map(self.doc["trend_map"])
        workshop_doc = _object(self.doc["workshop"], "workshop", _WORKSHOP)
        code, workshop = self._workshop(workshop_doc, trend_count=len(trend_rows))
        participants = self._participants(self.doc["participants"])
        picks = self._picks(self.doc["picks"])
        notes, note_refs = self._notes(self.doc["notes"])
        polls = self._polls(self.doc["polls"])
        log = self._log(self.doc["step_log"])
        handoff, events = self._handoff(self.doc["handoff"])
        chosen_obstacle, chosen_innovation = (
            self._chosen_note(workshop_doc[f"chosen_{kind}"], f"workshop.chosen_{kind}", kind)
            for kind in ("obstacle", "innovation")
        )
        return _Plan(
            map_document=map_document,
            trend_rows=trend_rows,
            code=code,
            workshop=workshop,
            chosen_trend=_maybe(
                workshop_doc["chosen_trend"],
                "workshop.chosen_trend",
                lambda v, w: _ref(v, w, self.trends),
            ),
            chosen_obstacle=chosen_obstacle,
            chosen_innovation=chosen_innovation,
            participants=participants,
            picks=picks,
            notes=notes,
            note_refs=note_refs,
            polls=polls,
            log=log,
            handoff=handoff,
            handoff_events=events,
        )

    # ----------------------------------------------------------------- the map

    def _trend_map(self, value: object) -> tuple[dict[str, Any], list[tuple[str, ...]]]:
        where = "trend_map"
        m = _object(value, where, _MAP)
        row = {
            "id": _text(m["id"], f"{where}.id", _length(TrendMap, "id")),
            "title_ru": _text(m["title_ru"], f"{where}.title_ru", _length(TrendMap, "title_ru")),
            "title_en": _text(m["title_en"], f"{where}.title_en", _length(TrendMap, "title_en")),
            "description_ru": _text(m["description_ru"], f"{where}.description_ru", MAP_DESCRIPTION_MAX),
            "description_en": _text(m["description_en"], f"{where}.description_en", MAP_DESCRIPTION_MAX),
            "source": _text(m["source"], f"{where}.source", _length(TrendMap, "source")),
            "year": _whole(m["year"], f"{where}.year", 1900, 2100),
        }
        listed = []
        for at, item in _items(m["trends"], f"{where}.trends", MAX_TRENDS):
            t = _object(item, at, _TREND)
            texts = {name: _text(t[name], f"{at}.{name}", _length(Trend, name)) for name in _TREND_TEXTS[:-1]}
            texts["source"] = _text(t["source"], f"{at}.source", _length(Trend, "source"), required=False)
            code = _text(t["code"], f"{at}.code", _length(Trend, "code"))
            listed.append((_whole(t["position"], f"{at}.position", 0, 10 * MAX_TRENDS), code, texts, at))
        listed.sort(key=lambda entry: entry[0])  # stable: equal positions keep the file's order
        categories: dict[str, dict[str, Any]] = {}
        trends, trend_rows = [], []
        for _position, code, t, at in listed:
            title = {"ru": t["category_ru"], "en": t["category_en"]}
            if categories.setdefault(t["category"], {"id": t["category"], "title": title})["title"] != title:
                raise InvalidInput("transfer.category_titles", where=at, category=_shown(t["category"]))
            trends.append(
                {
                    "code": code,
                    "category": t["category"],
                    "title": {"ru": t["title_ru"], "en": t["title_en"]},
                    "description": {"ru": t["description_ru"], "en": t["description_en"]},
                    **({"source": t["source"]} if t["source"] else {}),
                }
            )
            trend_rows.append((code, *(t[name] for name in _TREND_TEXTS)))
        document = {
            "id": row["id"],
            "title": {"ru": row["title_ru"], "en": row["title_en"]},
            "description": {"ru": row["description_ru"], "en": row["description_en"]},
            "source": row["source"],
            "year": row["year"],
            "categories": list(categories.values()),
            "trends": trends,
        }
        problems = validate_map(document)
        if problems:
            raise InvalidInput("transfer.bad_map", problems="; ".join(map(str, problems[:5])))
        self.trends = {row[0]: row[0] for row in trend_rows}
        return document, trend_rows

    # ----------------------------------------------------------------- the workshop

    def _workshop(self, w: dict[str, Any], *, trend_count: int) -> tuple[str, dict[str, Any]]:
        where = "workshop"
        code = w["code"]
        if not isinstance(code, str) or not _CODE.match(code):
            raise InvalidInput("transfer.bad_code", where=f"{where}.code")
        row: dict[str, Any] = {
            name: _text(
                w[name],
                f"{where}.{name}",
                _length(Workshop, name),
                required=name != "facilitator_name",
                typed=True,
            )
            for name in _WORKSHOP_TEXTS
        }
        row["lang"] = _choice(w["lang"], f"{where}.lang", LANGUAGES)
        for name in _SETTINGS:
            row[name] = _whole(w[name], f"{where}.{name}", 0, 1000)
        try:
            given = Settings.model_construct(**{name: row[name] for name in _SETTINGS})
            given.validated(trend_count=trend_count)
        except InvalidInput as refused:
            args = refused.args_dict
            raise InvalidInput(
                "transfer.out_of_range", where=f"{where}.{args['field']}", low=args["low"], high=args["high"]
            ) from None
        row["step"] = _choice(w["step"], f"{where}.step", steps.STEPS)
        row["created_at"] = _when(w["created_at"], f"{where}.created_at")
        for name in ("step_started_at", "deadline", "finished_at"):
            row[name] = _maybe(w[name], f"{where}.{name}", _when)
        paused = w["paused_remaining"]
        row["paused_remaining"] = (
            None if paused is None else _number(paused, f"{where}.paused_remaining", 0, 10_000_000)
        )
        for name in _FLAGS:
            row[name] = _flag(w[name], f"{where}.{name}")
        url = _text(
            w["join_base_url"], f"{where}.join_base_url", _length(Workshop, "join_base_url"), required=False
        )
        if url and not url.startswith(("http://", "https://")):
            raise InvalidInput("transfer.bad_url", where=f"{where}.join_base_url")
        row["join_base_url"] = url
        return code, row

    def _chosen_note(self, value: object, where: str, kind: str) -> int | None:
        if value is None:
            return None
        index = _ref(value, where, self.note_index)
        if self.note_kinds[index] != kind:
            raise InvalidInput("transfer.wrong_kind", where=where, ref=_shown(value))
        return index

    # ----------------------------------------------------------------- people and their input

    def _participants(self, value: object) -> list[dict[str, Any]]:
        rows = []
        for at, item in _items(value, "participants", MAX_PARTICIPANTS):
            p = _object(item, at, _PARTICIPANT)
            ref = _new_ref(p["ref"], f"{at}.ref", self.person)
            rows.append(
                {
                    "name": _text(p["name"], f"{at}.name", _length(Participant, "name"), typed=True),
                    "department": _text(
                        p["department"], f"{at}.department", _length(Participant, "department"), typed=True
                    ),
                    "joined_at": _when(p["joined_at"], f"{at}.joined_at"),
                    "last_seen_at": _when(p["last_seen_at"], f"{at}.last_seen_at"),
                }
            )
            self.person[ref] = len(rows) - 1
        return rows

    def _picks(self, value: object) -> list[tuple[int, str, datetime]]:
        picks, seen = [], set()
        for at, item in _items(value, "picks", MAX_PICKS):
            p = _object(item, at, _PICK)
            pick = (
                _ref(p["participant"], f"{at}.participant", self.person),
                _ref(p["trend"], f"{at}.trend", self.trends),
            )
            if pick in seen:
                raise InvalidInput("transfer.duplicate_entry", where=at)
            seen.add(pick)
            picks.append((*pick, _when(p["created_at"], f"{at}.created_at")))
        return picks

    def _notes(self, value: object) -> tuple[list[_Note], list[str]]:
        entries = []
        for at, item in _items(value, "notes", MAX_NOTES):
            n = _object(item, at, _NOTE)
            ref = _new_ref(n["ref"], f"{at}.ref", self.note_index)
            kind = _choice(n["kind"], f"{at}.kind", NOTE_KINDS)
            row = {
                "kind": kind,
                "text": _text(n["text"], f"{at}.text", _length(Note, "text"), typed=True),
                "rationale": _text(
                    n["rationale"], f"{at}.rationale", _length(Note, "rationale"), required=False, typed=True
                ),
                "original_text": _text(
                    n["original_text"], f"{at}.original_text", _length(Note, "original_text"), typed=True
                ),
                "edited_at": _maybe(n["edited_at"], f"{at}.edited_at", _when),
                "created_at": _when(n["created_at"], f"{at}.created_at"),
            }
            participant = _ref(n["participant"], f"{at}.participant", self.person)
            self.note_index[ref] = len(entries)
            self.note_kinds.append(kind)
            entries.append((at, n["merged_into"], _Note(participant=participant, row=row, merged_into=None)))
        for at, merged_into, note in entries:  # a note may be merged into a later one
            if merged_into is None:
                continue
            target = _ref(merged_into, f"{at}.merged_into", self.note_index)
            if self.note_kinds[target] != note.row["kind"]:
                raise InvalidInput("transfer.wrong_kind", where=f"{at}.merged_into", ref=_shown(merged_into))
            if entries[target][1] is not None:  # into a note that is merged itself (or itself)
                raise InvalidInput("transfer.merged_chain", where=f"{at}.merged_into")
            note.merged_into = target
        return [note for _at, _m, note in entries], list(self.note_index)

    # ----------------------------------------------------------------- votes

    def _polls(self, value: object) -> list[_Poll]:
        polls, rounds = [], set()
        option_refs: dict[str, int] = {}
        for at, item in _items(value, "polls", MAX_POLLS):
            p = _object(item, at, _POLL)
            subject = _choice(p["subject"], f"{at}.subject", SUBJECTS)
            row = {
                "subject": subject,
                "round": _whole(p["round"], f"{at}.round", 1, MAX_POLLS),
                "status": _choice(p["status"], f"{at}.status", POLL_STATUSES),
                "votes_per_person": _whole(p["votes_per_person"], f"{at}.votes_per_person", 1, 10),
                "cap_per_option": _whole(p["cap_per_option"], f"{at}.cap_per_option", 1, 10),
                "opened_at": _maybe(p["opened_at"], f"{at}.opened_at", _when),
                "closed_at": _maybe(p["closed_at"], f"{at}.closed_at", _when),
                "decided_by": _maybe(
                    p["decided_by"], f"{at}.decided_by", lambda v, w: _choice(v, w, DECIDED_BY)
                ),
                "tie": _flag(p["tie"], f"{at}.tie"),
            }
            if (subject, row["round"]) in rounds:
                raise InvalidInput("transfer.duplicate_entry", where=f"{at}.round")
            rounds.add((subject, row["round"]))
            poll = _Poll(row=row, winner=None)
            own: dict[str, int] = {}
            for o_at, o_item in _items(p["options"], f"{at}.options", MAX_OPTIONS):
                poll.options.append(self._option(o_item, o_at, subject))
                ref = _new_ref(o_item["ref"], f"{o_at}.ref", option_refs)
                option_refs[ref] = own[ref] = len(poll.options) - 1
                poll.option_refs.append(ref)
            poll.winner = None if p["winner"] is None else _ref(p["winner"], f"{at}.winner", own)
            voters: set[int] = set()
            for b_at, b_item in _items(p["ballots"], f"{at}.ballots", MAX_PARTICIPANTS):
                ballot = self._ballot(b_item, b_at, own, row)
                if ballot.participant in voters:
                    raise InvalidInput("transfer.duplicate_entry", where=f"{b_at}.participant")
                voters.add(ballot.participant)
                poll.ballots.append(ballot)
            polls.append(poll)
        return polls

    def _option(self, value: object, at: str, subject: str) -> _Option:
        o = _object(value, at, _OPTION)
        trend = _maybe(o["trend"], f"{at}.trend", lambda v, w: _ref(v, w, self.trends))
        note = _maybe(o["note"], f"{at}.note", lambda v, w: _ref(v, w, self.note_index))
        # A trend vote lists trends; a note vote lists notes of its kind (or none: a withdrawn one).
        if subject == "trend":
            fits = trend is not None and note is None
        else:
            fits = trend is None and (note is None or self.note_kinds[note] == subject)
        if not fits:
            raise InvalidInput("transfer.option_subject", where=at)
        row = {
            "position": _whole(o["position"], f"{at}.position", 0, MAX_OPTIONS),
            "label": _text(o["label"], f"{at}.label", _length(PollOption, "label")),
            "detail": _text(o["detail"], f"{at}.detail", _length(PollOption, "detail"), required=False),
            "support": _whole(o["support"], f"{at}.support", 0, MAX_NOTES),
        }
        return _Option(trend=trend, note=note, row=row)

    def _ballot(self, value: object, at: str, options: Mapping[str, int], poll: Mapping[str, Any]) -> _Ballot:
        b = _object(value, at, _BALLOT)
        marks: dict[int, int] = {}
        for m_at, m_item in _items(b["marks"], f"{at}.marks", MAX_MARKS):
            m = _object(m_item, m_at, _MARK)
            option = _ref(m["option"], f"{m_at}.option", options)
            if option in marks:
                raise InvalidInput("transfer.duplicate_entry", where=f"{m_at}.option")
            marks[option] = _whole(m["dots"], f"{m_at}.dots", 1, 10)
        try:
            validate_marks(
                marks,
                option_ids=options.values(),
                votes_per_person=poll["votes_per_person"],
                cap_per_option=poll["cap_per_option"],
            )
        except BallotInvalid:
            raise InvalidInput("transfer.bad_ballot", where=f"{at}.marks") from None
        return _Ballot(
            participant=_ref(b["participant"], f"{at}.participant", self.person),
            row={
                "cast_at": _when(b["cast_at"], f"{at}.cast_at"),
                "updated_at": _when(b["updated_at"], f"{at}.updated_at"),
            },
            marks=list(marks.items()),
        )

    # ----------------------------------------------------------------- the record

    def _log(self, value: object) -> list[dict[str, Any]]:
        rows = []
        for at, item in _items(value, "step_log", MAX_LOG):
            e = _object(item, at, _LOG)
            rows.append(
                {
                    "step": _choice(e["step"], f"{at}.step", steps.STEPS),
                    "event": _word(e["event"], f"{at}.event", _length(StepLog, "event")),
                    "detail": _text(e["detail"], f"{at}.detail", LOG_DETAIL_MAX, required=False),
                    "at": _when(e["at"], f"{at}.at"),
                }
            )
        return rows

    def _handoff(self, value: object) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        if value is None:
            return None, []
        where = "handoff"
        h = _object(value, where, _HANDOFF)
        row = {
            "assignee_name": _text(
                h["assignee_name"], f"{where}.assignee_name", _length(Handoff, "assignee_name")
            ),
            "assignee_email": _text(
                h["assignee_email"], f"{where}.assignee_email", _length(Handoff, "assignee_email")
            ),
            "assignee_role": _text(
                h["assignee_role"],
                f"{where}.assignee_role",
                _length(Handoff, "assignee_role"),
                required=False,
            ),
            "status": _choice(h["status"], f"{where}.status", handoff_rules.STATUSES),
            "created_at": _when(h["created_at"], f"{where}.created_at"),
            "updated_at": _when(h["updated_at"], f"{where}.updated_at"),
        }
        events = []
        for at, item in _items(h["events"], f"{where}.events", MAX_HANDOFF_EVENTS):
            e = _object(item, at, _HANDOFF_EVENT)
            links = []
            for l_at, link in _items(e["links"], f"{at}.links", LINKS_MAX):
                if "\n" in _text(link, l_at, LINK_MAX, required=False):  # stored one per line
                    raise InvalidInput("transfer.not_clean", where=l_at)
                links.append(link)
            try:
                handoff_rules.clean_links(links)
            except InvalidInput as err:
                raise InvalidInput("transfer.bad_link", where=f"{at}.links") from err
            events.append(
                {
                    "at": _when(e["at"], f"{at}.at"),
                    "by_name": _text(e["by_name"], f"{at}.by_name", _length(HandoffEvent, "by_name")),
                    "change": _choice(e["change"], f"{at}.change", HANDOFF_CHANGES),
                    "status": _choice(e["status"], f"{at}.status", handoff_rules.STATUSES),
                    "detail": _text(
                        e["detail"], f"{at}.detail", _length(HandoffEvent, "detail"), required=False
                    ),
                    "note": _text(e["note"], f"{at}.note", HANDOFF_NOTE_MAX, required=False),
                    "links": "\n".join(links),
                }
            )
        return row, events


# --------------------------------------------------------------------------- writing


def _write(session: Session, plan: _Plan) -> Workshop:
    begin_write(session)
    try:
        workshop = _store(session, plan)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    session.refresh(workshop)
    archive.refresh(session, [workshop.id])  # findable in the archive at once
    session.refresh(workshop)
    return workshop


def _store(session: Session, plan: _Plan) -> Workshop:
    version_id = _map_version(session, plan)
    trend_id = {t.code: t.id for t in trends_of(session=session, version_id=version_id)}
    workshop = Workshop(
        **plan.workshop,
        code=_free_code(session, plan.code),
        facilitator_key_hash=hash_secret(new_secret()),
        trend_map_version_id=version_id,
        chosen_trend_id=None if plan.chosen_trend is None else trend_id[plan.chosen_trend],
    )
    session.add(workshop)
    session.flush()
    wid = workshop.id

    people = [
        Participant(workshop_id=wid, token_hash=hash_secret(new_secret()), **row) for row in plan.participants
    ]
    session.add_all(people)
    session.flush()
    session.add_all(
        Pick(workshop_id=wid, participant_id=people[p].id, trend_id=trend_id[code], created_at=at)
        for p, code, at in plan.picks
    )
    notes = [Note(workshop_id=wid, participant_id=people[n.participant].id, **n.row) for n in plan.notes]
    session.add_all(notes)
    session.flush()
    for note, planned in zip(notes, plan.notes, strict=True):
        if planned.merged_into is not None:
            note.merged_into_id = notes[planned.merged_into].id

    polls = [Poll(workshop_id=wid, **p.row) for p in plan.polls]
    session.add_all(polls)
    session.flush()
    options = [
        [
            PollOption(
                poll_id=poll.id,
                trend_id=None if o.trend is None else trend_id[o.trend],
                note_id=None if o.note is None else notes[o.note].id,
                **o.row,
            )
            for o in planned.options
        ]
        for poll, planned in zip(polls, plan.polls, strict=True)
    ]
    session.add_all(o for own in options for o in own)
    session.flush()
    ballots = [
        [Ballot(poll_id=poll.id, participant_id=people[b.participant].id, **b.row) for b in planned.ballots]
        for poll, planned in zip(polls, plan.polls, strict=True)
    ]
    session.add_all(b for own in ballots for b in own)
    session.flush()
    for poll, planned, own_options, own_ballots in zip(polls, plan.polls, options, ballots, strict=True):
        if planned.winner is not None:
            poll.winner_option_id = own_options[planned.winner].id
        for ballot, planned_ballot in zip(own_ballots, planned.ballots, strict=True):
            session.add_all(
                BallotMark(ballot_id=ballot.id, option_id=own_options[o].id, dots=dots)
                for o, dots in planned_ballot.marks
            )

    note_ids = {ref: note.id for ref, note in zip(plan.note_refs, notes, strict=True)}
    option_ids = {
        ref: option.id
        for planned, own in zip(plan.polls, options, strict=True)
        for ref, option in zip(planned.option_refs, own, strict=True)
    }
    session.add_all(
        StepLog(
            workshop_id=wid,
            **{**row, "detail": _log_detail(row["event"], row["detail"], note_ids, option_ids)},
        )
        for row in plan.log
    )
    if plan.handoff is not None:
        handoff = Handoff(workshop_id=wid, **plan.handoff)
        session.add(handoff)
        session.flush()
        session.add_all(HandoffEvent(handoff_id=handoff.id, **row) for row in plan.handoff_events)

    workshop.chosen_obstacle_id = None if plan.chosen_obstacle is None else notes[plan.chosen_obstacle].id
    workshop.chosen_innovation_id = (
        None if plan.chosen_innovation is None else notes[plan.chosen_innovation].id
    )
    session.add(workshop)
    session.flush()
    return workshop


def _free_code(session: Session, code: str) -> str:
    for candidate in (code, *(new_join_code() for _ in range(20))):
        if session.exec(select(Workshop.id).where(Workshop.code == candidate)).first() is None:
            return candidate
    raise InvalidInput("error.no_code")  # pragma: no cover - 31**6 codes


def _same_version(session: Session, map_id: str, plan: _Plan) -> int | None:
    for version in session.exec(
        select(TrendMapVersion)
        .where(TrendMapVersion.map_id == map_id)
        .order_by(col(TrendMapVersion.version).desc())
    ).all():
        trends = trends_of(session=session, version_id=version.id)
        if [(t.code, *(getattr(t, name) for name in _TREND_TEXTS)) for t in trends] == plan.trend_rows:
            return version.id
    return None


def _map_version(session: Session, plan: _Plan) -> int:
    """A version here with the file's trends, or a new one stored with them.

    The file's map keeps its id when this installation has no map by that id. When it has one
    with other trends, the file's trends go into an archive map of their own
    (``<id>-archive``): importing an old workshop never changes the map new workshops start with.
    """
    map_id = plan.map_document["id"]
    found = _same_version(session, map_id, plan)
    if found is not None:
        return found
    document = dict(plan.map_document)
    if session.get(TrendMap, map_id) is not None:
        map_id = f"{map_id[: 64 - len(ARCHIVE_SUFFIX)]}{ARCHIVE_SUFFIX}"
        found = _same_version(session, map_id, plan)
        if found is not None:
            return found
        title = document["title"]
        document.update(
            id=map_id,
            title={
                "ru": f"{title['ru']} (архив)"[:200],
                "en": f"{title['en']} (archive)"[:200],
            },
        )
    # save_map commits its own work: here it runs in a savepoint of this import's transaction, so
    # the map version is written together with the workshop or not at all.
    with Session(bind=session.connection(), join_transaction_mode="create_savepoint") as inner:
        version_id = save_map(session=inner, data=document).id
    assert version_id is not None
    return version_id
