"""The workshop file's shape as pydantic models, and bytes read into them.

:func:`read` turns the bytes of a file into a :class:`WorkshopFile` or refuses them with an
:class:`InvalidInput` naming the place: ``participants[3].name`` is the third participant's name
(places count from 1). The models are strict (``"2"`` is no number, ``1`` no ``true``) and forbid
fields the format does not have. They hold everything a value can be checked against on its own:
types, text lengths (from the table columns), ranges, choices, times with a time zone. What needs
the rest of the file — references between sections, a ballot against its vote's rules, the map as
a whole — is checked by :mod:`workshop.transfer.restore`.

Every refusal is a ``transfer.*`` text key; a check of this module refuses with
:class:`PydanticCustomError` whose type is that key and whose context is the message's arguments.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Annotated, Any, NoReturn

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainValidator, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from workshop.db.models import (
    Handoff,
    HandoffEvent,
    Note,
    Participant,
    PollOption,
    StepLog,
    Trend,
    TrendMap,
    Workshop,
    column_length,
)
from workshop.i18n import LANGUAGES
from workshop.managers import handoff as handoff_rules
from workshop.maps.uploads import MAX_TRENDS, json_too_deep_at
from workshop.rules import steps
from workshop.rules.enums import PollStatus
from workshop.rules.errors import InvalidInput
from workshop.rules.limits import HANDOFF_NOTE_MAX, LINK_MAX, LINKS_MAX
from workshop.rules.text import clean_text
from workshop.services import Settings

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
NOTE_KINDS = tuple(steps.NOTE_KIND.values())
SUBJECTS = tuple(steps.VOTE_STEPS.values())
MAP_DESCRIPTION_MAX = 600  # validate_map's limit; the column is unbounded text
LOG_DETAIL_MAX = 400

# The workshop section's fields in groups, in the order the file has them.
WORKSHOP_TEXTS = ("title", "product", "facilitator_name")
SETTINGS = Settings.setting_names()
FLAGS = ("agreement_confirmed", "show_authors", "open_voting", "sound", "locked")
TREND_TEXTS = tuple(
    "category category_ru category_en title_ru title_en description_ru description_en source".split()
)

_REF = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_CODE = re.compile(r"^[A-Z0-9]{4,12}$")
_WORD = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
# Characters no text of the app holds and no database stores: control characters (tabs and line
# breaks aside) and lone surrogates, which JSON can spell as escapes.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SHOWN = re.compile(r"[^\w.\-\[\]]")


def shown(value: object) -> str:
    """A value from the file, short and harmless, for a message."""
    return _SHOWN.sub("?", str(value)[:40])


# What the checks below refuse a value for. A problem's message is the text ``transfer.<problem>``;
# its place (``where``) is added by :func:`refusal`, which alone knows the field's location.
PROBLEMS = frozenset(
    {
        "bad_characters",
        "too_long",
        "empty_text",
        "not_clean",
        "out_of_range",
        "bad_choice",
        "bad_word",
        "bad_datetime",
        "bad_ref",
        "unknown_ref",
        "bad_code",
        "bad_url",
        "bad_link",
    }
)


def _refuse(problem: str, **args: Any) -> NoReturn:
    if problem not in PROBLEMS:
        raise KeyError(problem)
    raise PydanticCustomError(f"transfer.{problem}", problem, args)


# --------------------------------------------------------------------------- value types


_CHECKED_ONLY = "value"  # clean_text's own refusal is not shown: only whether it keeps the text


def text_of(most: int, *, required: bool = True, typed: bool = False) -> AfterValidator:
    """Text of at most ``most`` characters. ``typed``: text a person typed, which the app always
    stores cleaned (one line, no control or invisible characters): anything else is refused."""

    def check(value: str) -> str:
        if _UNSTORABLE.search(value):
            _refuse("bad_characters")
        if len(value) > most:
            _refuse("too_long", max=most)
        if required and not value.strip():
            _refuse("empty_text")
        if typed:
            try:
                cleaned = clean_text(value, field=_CHECKED_ONLY, max_len=most, required=False)
            except InvalidInput:
                cleaned = None
            if cleaned != value:
                _refuse("not_clean")
        return value

    return AfterValidator(check)


def whole_in(low: int, high: int) -> AfterValidator:
    """A whole number from ``low`` to ``high`` (``true`` is none)."""

    def check(value: int) -> int:
        if not low <= value <= high:
            _refuse("out_of_range", low=low, high=high)
        return value

    return AfterValidator(check)


def number_in(low: float, high: float) -> AfterValidator:
    def check(value: float) -> float:
        if not low <= value <= high:
            _refuse("out_of_range", low=low, high=high)
        return value

    return AfterValidator(check)


def one_of(choices: Iterable[str]) -> PlainValidator:
    listed = tuple(choices)

    def check(value: object) -> str:
        if not isinstance(value, str) or value not in listed:
            _refuse("bad_choice", choices=", ".join(listed))
        return value

    return PlainValidator(check)


def one_word(most: int) -> PlainValidator:
    """One word of lowercase letters, digits and ``_`` (a step log event)."""

    def check(value: object) -> str:
        if not isinstance(value, str) or len(value) > most or not _WORD.match(value):
            _refuse("bad_word", max=most)
        return value

    return PlainValidator(check)


def _when(value: object) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        _refuse("bad_datetime")
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.utcoffset() is None:
            raise ValueError("no time zone")
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        _refuse("bad_datetime")


def _new_ref(value: object) -> str:
    if not isinstance(value, str) or not _REF.match(value):
        _refuse("bad_ref")
    return value


def _reference(value: object) -> str:
    """Where it points is checked against the rest of the file; what is no text points nowhere."""
    if not isinstance(value, str):
        _refuse("unknown_ref", ref=shown(value))
    return value


def _join_code(value: object) -> str:
    if not isinstance(value, str) or not _CODE.match(value):
        _refuse("bad_code")
    return value


def _web_address(value: str) -> str:
    if value and not value.startswith(("http://", "https://")):
        _refuse("bad_url")
    return value


def _one_line(value: str) -> str:
    if "\n" in value:  # links are stored one per line
        _refuse("not_clean")
    return value


def _links(value: list[str]) -> list[str]:
    try:
        handoff_rules.clean_links(value)
    except InvalidInput:
        _refuse("bad_link")
    return value


When = Annotated[datetime, PlainValidator(_when)]
NewRef = Annotated[str, PlainValidator(_new_ref)]  # a row's own reference: p1, n3, o7
Ref = Annotated[str, PlainValidator(_reference)]  # a reference to a row elsewhere in the file


# --------------------------------------------------------------------------- the file


class Part(BaseModel):
    """A section of the file: exactly its fields, each of exactly its type."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class TrendRow(Part):
    code: Annotated[str, text_of(column_length(Trend, "code"))]
    position: Annotated[int, whole_in(0, 10 * MAX_TRENDS)]
    category: Annotated[str, text_of(column_length(Trend, "category"))]
    category_ru: Annotated[str, text_of(column_length(Trend, "category_ru"))]
    category_en: Annotated[str, text_of(column_length(Trend, "category_en"))]
    title_ru: Annotated[str, text_of(column_length(Trend, "title_ru"))]
    title_en: Annotated[str, text_of(column_length(Trend, "title_en"))]
    description_ru: Annotated[str, text_of(column_length(Trend, "description_ru"))]
    description_en: Annotated[str, text_of(column_length(Trend, "description_en"))]
    source: Annotated[str, text_of(column_length(Trend, "source"), required=False)]


class TrendMapPart(Part):
    id: Annotated[str, text_of(column_length(TrendMap, "id"))]
    title_ru: Annotated[str, text_of(column_length(TrendMap, "title_ru"))]
    title_en: Annotated[str, text_of(column_length(TrendMap, "title_en"))]
    description_ru: Annotated[str, text_of(MAP_DESCRIPTION_MAX)]
    description_en: Annotated[str, text_of(MAP_DESCRIPTION_MAX)]
    source: Annotated[str, text_of(column_length(TrendMap, "source"))]
    year: Annotated[int, whole_in(1900, 2100)]
    trends: Annotated[list[TrendRow], Field(max_length=MAX_TRENDS)]


# A setting's exact range depends on the map and the other settings: Settings.validated has it.
_SETTING = Annotated[int, whole_in(0, 1000)]


class WorkshopPart(Part):
    code: Annotated[str, PlainValidator(_join_code)]
    title: Annotated[str, text_of(column_length(Workshop, "title"), typed=True)]
    product: Annotated[str, text_of(column_length(Workshop, "product"), typed=True)]
    facilitator_name: Annotated[
        str, text_of(column_length(Workshop, "facilitator_name"), required=False, typed=True)
    ]
    lang: Annotated[str, one_of(LANGUAGES)]
    picks_min: _SETTING
    picks_max: _SETTING
    notes_min: _SETTING
    notes_max: _SETTING
    ideas_max: _SETTING
    votes_per_person: _SETTING
    cap_per_option: _SETTING
    pick_minutes: _SETTING
    write_minutes: _SETTING
    ideas_minutes: _SETTING
    vote_minutes: _SETTING
    step: Annotated[str, one_of(steps.STEPS)]
    step_started_at: When | None
    deadline: When | None
    paused_remaining: Annotated[float, number_in(0, 10_000_000)] | None
    agreement_confirmed: bool
    show_authors: bool
    open_voting: bool
    sound: bool
    locked: bool
    join_base_url: Annotated[
        str, text_of(column_length(Workshop, "join_base_url"), required=False), AfterValidator(_web_address)
    ]
    chosen_trend: Ref | None
    chosen_obstacle: Ref | None
    chosen_innovation: Ref | None
    created_at: When
    finished_at: When | None

    def settings(self) -> Settings:
        return Settings.model_construct(**{name: getattr(self, name) for name in SETTINGS})


class ParticipantRow(Part):
    ref: NewRef
    name: Annotated[str, text_of(column_length(Participant, "name"), typed=True)]
    department: Annotated[str, text_of(column_length(Participant, "department"), typed=True)]
    joined_at: When
    last_seen_at: When


class PickRow(Part):
    participant: Ref
    trend: Ref
    created_at: When


class NoteRow(Part):
    ref: NewRef
    participant: Ref
    kind: Annotated[str, one_of(NOTE_KINDS)]
    text: Annotated[str, text_of(column_length(Note, "text"), typed=True)]
    rationale: Annotated[str, text_of(column_length(Note, "rationale"), required=False, typed=True)]
    original_text: Annotated[str, text_of(column_length(Note, "original_text"), typed=True)]
    merged_into: Ref | None
    edited_at: When | None
    created_at: When


class OptionRow(Part):
    ref: NewRef
    position: Annotated[int, whole_in(0, MAX_OPTIONS)]
    trend: Ref | None
    note: Ref | None
    label: Annotated[str, text_of(column_length(PollOption, "label"))]
    detail: Annotated[str, text_of(column_length(PollOption, "detail"), required=False)]
    support: Annotated[int, whole_in(0, MAX_NOTES)]


class MarkRow(Part):
    option: Ref
    dots: Annotated[int, whole_in(1, 10)]


class BallotRow(Part):
    participant: Ref
    cast_at: When
    updated_at: When
    marks: Annotated[list[MarkRow], Field(max_length=MAX_MARKS)]


class PollRow(Part):
    subject: Annotated[str, one_of(SUBJECTS)]
    round: Annotated[int, whole_in(1, MAX_POLLS)]
    status: Annotated[str, one_of(POLL_STATUSES)]
    votes_per_person: Annotated[int, whole_in(1, 10)]
    cap_per_option: Annotated[int, whole_in(1, 10)]
    opened_at: When | None
    closed_at: When | None
    decided_by: Annotated[str, one_of(DECIDED_BY)] | None
    winner: Ref | None
    tie: bool
    options: Annotated[list[OptionRow], Field(max_length=MAX_OPTIONS)]
    ballots: Annotated[list[BallotRow], Field(max_length=MAX_PARTICIPANTS)]


class LogRow(Part):
    step: Annotated[str, one_of(steps.STEPS)]
    event: Annotated[str, one_word(column_length(StepLog, "event"))]
    detail: Annotated[str, text_of(LOG_DETAIL_MAX, required=False)]
    at: When


_Link = Annotated[str, text_of(LINK_MAX, required=False), AfterValidator(_one_line)]


class HandoffEventRow(Part):
    at: When
    by_name: Annotated[str, text_of(column_length(HandoffEvent, "by_name"))]
    change: Annotated[str, one_of(HANDOFF_CHANGES)]
    status: Annotated[str, one_of(handoff_rules.STATUSES)]
    detail: Annotated[str, text_of(column_length(HandoffEvent, "detail"), required=False)]
    note: Annotated[str, text_of(HANDOFF_NOTE_MAX, required=False)]
    links: Annotated[list[_Link], Field(max_length=LINKS_MAX), AfterValidator(_links)]


class HandoffPart(Part):
    assignee_name: Annotated[str, text_of(column_length(Handoff, "assignee_name"))]
    assignee_email: Annotated[str, text_of(column_length(Handoff, "assignee_email"))]
    assignee_role: Annotated[str, text_of(column_length(Handoff, "assignee_role"), required=False)]
    status: Annotated[str, one_of(handoff_rules.STATUSES)]
    created_at: When
    updated_at: When
    events: Annotated[list[HandoffEventRow], Field(max_length=MAX_HANDOFF_EVENTS)]


class WorkshopFile(Part):
    """The whole file. Sections are checked in this order, so the first problem named is the
    first one here (the map before the workshop, which names its trends)."""

    format: str
    version: Annotated[int, PlainValidator(int)]  # read() has let only a readable version in
    exported_at: When
    trend_map: TrendMapPart
    workshop: WorkshopPart
    participants: Annotated[list[ParticipantRow], Field(max_length=MAX_PARTICIPANTS)]
    picks: Annotated[list[PickRow], Field(max_length=MAX_PICKS)]
    notes: Annotated[list[NoteRow], Field(max_length=MAX_NOTES)]
    polls: Annotated[list[PollRow], Field(max_length=MAX_POLLS)]
    step_log: Annotated[list[LogRow], Field(max_length=MAX_LOG)]
    handoff: HandoffPart | None


# --------------------------------------------------------------------------- bytes to the file


def read(data: bytes) -> WorkshopFile:
    """The file in ``data``, checked against the models; the first problem is raised."""
    document = _load(data)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InvalidInput("transfer.not_a_workshop")
    version = document.get("version")
    if version not in READABLE_VERSIONS or isinstance(version, bool):
        raise InvalidInput("transfer.wrong_version", version=shown(version), supported=VERSION)
    if version == 1 and isinstance(document.get("workshop"), dict):
        # Version 1 had one time for steps 3 and 4 (the ideas keep the obstacles' time) and no
        # locked rooms.
        old = document["workshop"]
        document = {
            **document,
            "workshop": {**old, "ideas_minutes": old.get("write_minutes"), "locked": False},
        }
    try:
        return WorkshopFile.model_validate(document)
    except ValidationError as refused:
        raise refusal(_first(refused.errors(include_url=False, include_input=False))) from None


def _first(errors: list[ErrorDetails]) -> ErrorDetails:
    """The problem a reader meets first. pydantic lists an object's unknown fields after its
    values; the file is read as before: on the way to the first bad value, each object's unknown
    fields, then its missing ones, come first."""
    found = errors[0]
    for depth in range(len(found["loc"])):
        around = found["loc"][:depth]
        for kind in ("extra_forbidden", "missing"):
            for error in errors:
                if error["type"] == kind and error["loc"][:-1] == around:
                    return error
    return found


def _load(data: bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> object:
    """``data`` as JSON within the limits (a workshop file's unless given), or a refusal."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidInput("transfer.empty")
    data = bytes(data)
    if len(data) > max_bytes:
        raise InvalidInput("transfer.too_big", max_mb=max_bytes // 1_000_000)
    if not data.removeprefix(b"\xef\xbb\xbf").strip(b" \t\r\n"):
        raise InvalidInput("transfer.empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("transfer.not_utf8") from None
    if json_too_deep_at(text, max_depth) is not None:
        raise InvalidInput("transfer.too_deep", max=max_depth)
    try:
        return json.loads(text, object_pairs_hook=_object_without_twins, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InvalidInput("transfer.not_json", line=exc.lineno, column=exc.colno) from None
    except (ValueError, RecursionError):  # an integer with more digits than Python converts
        raise InvalidInput("transfer.bad_number") from None


def _object_without_twins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise InvalidInput("transfer.duplicate_key", name=shown(key))
        result[key] = value
    return result


def _no_constant(name: str) -> Any:  # NaN, Infinity, -Infinity
    raise InvalidInput("transfer.bad_number")


# --------------------------------------------------------------------------- pydantic's words to ours


# pydantic's own error types, as the file's messages; ctx -> the message's arguments.
_PYDANTIC: dict[str, tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "missing": ("transfer.missing", lambda ctx: {}),
    "extra_forbidden": ("transfer.unknown_field", lambda ctx: {}),
    "model_type": ("transfer.not_object", lambda ctx: {}),
    "dict_type": ("transfer.not_object", lambda ctx: {}),
    "list_type": ("transfer.not_list", lambda ctx: {}),
    "too_long": ("transfer.too_many", lambda ctx: {"max": ctx["max_length"]}),
    "string_type": ("transfer.not_text", lambda ctx: {}),
    "string_unicode": ("transfer.bad_characters", lambda ctx: {}),
    "int_type": ("transfer.not_whole_number", lambda ctx: {}),
    "float_type": ("transfer.not_number", lambda ctx: {}),
    "bool_type": ("transfer.not_boolean", lambda ctx: {}),
}


def place(loc: Iterable[int | str]) -> str:
    """pydantic's location as the file's place: ``("notes", 0, "text")`` -> ``notes[1].text``."""
    where = ""
    for part in loc:
        if isinstance(part, int):
            where = f"{where}[{part + 1}]"
        else:
            where = f"{where}.{shown(part)}" if where else shown(part)
    return where or "file"


def refusal(error: ErrorDetails) -> InvalidInput:
    """One of pydantic's errors as the refusal the person reads."""
    kind, ctx = error["type"], dict(error.get("ctx") or {})
    if kind.startswith("transfer."):
        key, args = kind, ctx
    elif kind in _PYDANTIC:
        key, make = _PYDANTIC[kind]
        args = make(ctx)
    else:  # a check of pydantic's this module does not expect; still named, never a crash
        key, args = "transfer.bad_value", {}
    return InvalidInput(key, where=place(error["loc"]), **args)
