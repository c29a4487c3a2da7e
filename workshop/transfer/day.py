"""An innovation day as one JSON file, and back: the day, every group's workshop, the day's vote.

``export_day_json`` writes the day's facts and default settings, each group as its number and the
workshop file :func:`~workshop.transfer.export_json` writes for it (embedded as an object), and
the day-wide vote's ballots. ``import_day_json`` reads such a file into this installation as a
new day with its groups and ballots, in one transaction, or refuses it with a message and writes
nothing.

The file (format ``innovation-day``, version 1) is one JSON object::

    format, version
    day          title, product, held_on (an ISO date), lang, the default settings (the names of
                 WorkshopSettings), started_at (ISO 8601 with a time zone, or null), vote_status
    groups       number, workshop (a whole workshop file, as export_json writes it)
    day_ballots  voter {group (its number), participant (its ref in that group's workshop: p3)},
                 for_group (a number)

The file never carries a secret or a database id: groups are named by their number, voters by
their group and their ref in its workshop. The day's join code, its creation time and when each
day ballot was cast are not in it either. Places in messages count from 1 as in a workshop file;
a place inside a group's workshop is named from the day file: ``groups[2].workshop.notes[1].text``.

An imported day is a copy with a new join code and a new organizer key, returned once (stored
hashed, like a day :func:`~workshop.services.create_day` makes). Its groups are imported like any
workshop file (a group keeps its join code if it is free here), then made the day's: numbered as
in the file, their facilitator keys derived from the new organizer's key as for every group of a
day, so the organizer's screen opens them. Participants' tokens stay new random secrets nobody
holds. The day uses the trend map version of its first group (the lowest number), which is where
the groups of a day exported from this app all come from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, TypeVar

from pydantic import Field, PlainValidator, ValidationError
from sqlmodel import Session, col, select

from workshop.db.engine import begin_write
from workshop.db.models import DayBallot, InnovationDay, Participant, Workshop
from workshop.i18n import LANGUAGES
from workshop.rules.enums import DayVote
from workshop.rules.errors import InvalidInput, NotFound
from workshop.rules.limits import DAY_TITLE_MAX, GROUPS_MAX, PRODUCT_MAX
from workshop.rules.security import gallery_key, group_key, hash_secret, new_join_code, new_secret, room_key
from workshop.services import Settings, groups_of
from workshop.transfer.export import _Exporter, _iso
from workshop.transfer.restore import _Reader, import_json
from workshop.transfer.schema import (
    _SETTING,
    MAX_BYTES,
    MAX_DEPTH,
    MAX_PARTICIPANTS,
    SETTINGS,
    Part,
    Ref,
    When,
    _first,
    _load,
    one_of,
    read,
    refusal,
    shown,
    text_of,
    whole_in,
)

DAY_FORMAT = "innovation-day"
DAY_VERSION = 1
MAX_DAY_BYTES = GROUPS_MAX * MAX_BYTES  # every group's workshop file at its largest
# A group's workshop is an object in a group in the list of groups: three levels deeper than in
# a file of its own.
MAX_DAY_DEPTH = MAX_DEPTH + 3
MAX_DAY_BALLOTS = GROUPS_MAX * MAX_PARTICIPANTS
DAY_TEXTS = ("title", "product")

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

T = TypeVar("T")


# --------------------------------------------------------------------------- export


def export_day_json(*, session: Session, day_id: int) -> bytes:
    """The innovation day — its facts, every group's whole workshop, the day-wide vote's ballots —
    as UTF-8 JSON, ready to be imported into another installation."""
    day = session.get(InnovationDay, day_id)
    if day is None:
        raise NotFound("error.day_not_found")
    groups: list[dict[str, Any]] = []
    voters: dict[int, dict[str, Any]] = {}  # participant id -> the file's voter
    numbers: dict[int, int] = {}  # workshop id -> group number
    for i, workshop in enumerate(groups_of(session=session, day_id=day_id), 1):
        if workshop.group_number is None:
            raise NotFound("transfer.export_inconsistent", where=f"groups[{i}].number")
        # the document export_json writes; its participants' refs name the voters
        exporter = _Exporter(session, workshop)
        groups.append({"number": workshop.group_number, "workshop": exporter.document()})
        numbers[workshop.id] = workshop.group_number
        voters.update(
            (pid, {"group": workshop.group_number, "participant": ref})
            for pid, ref in exporter.person.items()
        )
    document = {
        "format": DAY_FORMAT,
        "version": DAY_VERSION,
        "day": _day_section(day),
        "groups": groups,
        "day_ballots": _ballots(session, day_id, voters, numbers),
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def _day_section(day: InnovationDay) -> dict[str, Any]:
    return {
        **{name: getattr(day, name) for name in DAY_TEXTS},
        "held_on": day.held_on.isoformat(),
        "lang": day.lang,
        **{name: getattr(day, name) for name in SETTINGS},
        "started_at": _iso(day.started_at),
        "vote_status": day.vote_status,
    }


def _ballots(
    session: Session, day_id: int, voters: Mapping[int, dict[str, Any]], numbers: Mapping[int, int]
) -> list[dict[str, Any]]:
    """The day's ballots in the order they were first cast; one naming somebody outside the day's
    rooms (or a group of another day) is a broken record, named."""
    found = []
    ballots = session.exec(select(DayBallot).where(DayBallot.day_id == day_id).order_by(col(DayBallot.id)))
    for i, ballot in enumerate(ballots, 1):
        if ballot.participant_id not in voters:
            raise NotFound("transfer.export_inconsistent", where=f"day_ballots[{i}].voter")
        if ballot.workshop_id not in numbers:
            raise NotFound("transfer.export_inconsistent", where=f"day_ballots[{i}].for_group")
        found.append({"voter": voters[ballot.participant_id], "for_group": numbers[ballot.workshop_id]})
    return found


# --------------------------------------------------------------------------- the file's shape


def _day_date(value: object) -> date:
    """A day's date as the file writes it: ``2026-12-03``. Anything else is a value the file
    cannot be read for (``transfer.bad_value``, which :func:`refusal` gives pydantic's
    ``value_error``, naming the place)."""
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueError("not a date")
    return date.fromisoformat(value)  # a date that does not exist is a ValueError too


class DayPart(Part):
    title: Annotated[str, text_of(DAY_TITLE_MAX, typed=True)]
    product: Annotated[str, text_of(PRODUCT_MAX, typed=True)]
    held_on: Annotated[date, PlainValidator(_day_date)]
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
    started_at: When | None
    vote_status: Annotated[str, one_of(tuple(DayVote))]

    def settings(self) -> Settings:
        return Settings.model_construct(**{name: getattr(self, name) for name in SETTINGS})


class GroupRow(Part):
    number: Annotated[int, whole_in(1, GROUPS_MAX)]
    workshop: dict[str, Any]  # a workshop file: read by the workshop import's own checks


class VoterPart(Part):
    group: int
    participant: Ref


class DayBallotRow(Part):
    voter: VoterPart
    for_group: int


class DayFile(Part):
    """The whole day file; sections are checked in this order."""

    format: str
    version: int  # read_day() has let only the readable version in
    day: DayPart
    groups: Annotated[list[GroupRow], Field(min_length=1, max_length=GROUPS_MAX)]
    day_ballots: Annotated[list[DayBallotRow], Field(max_length=MAX_DAY_BALLOTS)]


def read_day(data: bytes) -> DayFile:
    """The day file in ``data``, checked against the models (not yet its groups' workshops); the
    first problem is raised."""
    document = _load(data, max_bytes=MAX_DAY_BYTES, max_depth=MAX_DAY_DEPTH)
    if not isinstance(document, dict) or document.get("format") != DAY_FORMAT:
        raise InvalidInput("transfer.not_a_workshop")
    version = document.get("version")
    if version != DAY_VERSION or isinstance(version, bool):
        raise InvalidInput("transfer.wrong_version", version=shown(version), supported=DAY_VERSION)
    try:
        return DayFile.model_validate(document)
    except ValidationError as refused:
        raise refusal(_first(refused.errors(include_url=False, include_input=False))) from None


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class _Group:
    number: int
    data: bytes  # its workshop file, as import_json reads it
    people: list[str]  # the participants' refs, in the file's order (the order they are stored in)
    has_innovation: bool
    trend_count: int


@dataclass(frozen=True)
class _Ballot:
    group: int  # index into the plan's groups
    person: int  # index into that group's people
    for_group: int


@dataclass(frozen=True)
class _DayPlan:
    """A checked day file: rows to store, with references as indexes into the plan's lists."""

    day: dict[str, Any]
    groups: list[_Group]  # by number
    ballots: list[_Ballot]


def _unknown(value: object, where: str, known: Mapping[Any, T]) -> T:
    if value not in known:
        raise InvalidInput("transfer.unknown_ref", where=where, ref=shown(value))
    return known[value]


def _inside(refused: InvalidInput, where: str) -> InvalidInput:
    """A group's workshop's refusal, its place named from the day file."""
    args = refused.args_dict
    place = args.get("where")
    args["where"] = f"{where}.{place}" if place and place != "file" else where
    return InvalidInput(refused.key, **args)


def _plan(file: DayFile) -> _DayPlan:
    """Follows the day file's references after its groups' workshops are checked whole; the first
    problem is raised, naming its place."""
    seen: set[int] = set()
    groups = []
    for i, row in enumerate(file.groups, 1):
        if row.number in seen:
            raise InvalidInput("transfer.duplicate_entry", where=f"groups[{i}].number")
        seen.add(row.number)
        groups.append(_group(row, f"groups[{i}].workshop"))
    groups.sort(key=lambda group: group.number)
    d = file.day
    try:
        d.settings().validated(trend_count=groups[0].trend_count)
    except InvalidInput as refused:
        args = refused.args_dict
        raise InvalidInput(
            "transfer.out_of_range", where=f"day.{args['field']}", low=args["low"], high=args["high"]
        ) from None
    day = d.model_dump(include={*DAY_TEXTS, "held_on", "lang", *SETTINGS, "started_at", "vote_status"})
    return _DayPlan(day=day, groups=groups, ballots=_day_ballots(file, groups))


def _group(row: GroupRow, where: str) -> _Group:
    """A group's workshop, checked by the workshop import's own reading (nothing written)."""
    data = json.dumps(row.workshop, ensure_ascii=False).encode("utf-8")
    try:
        workshop_file = read(data)
        plan = _Reader(workshop_file).plan()
    except InvalidInput as refused:
        raise _inside(refused, where) from None
    return _Group(
        number=row.number,
        data=data,
        people=[p.ref for p in workshop_file.participants],
        has_innovation=plan.chosen_innovation is not None,
        trend_count=len(plan.trend_rows),
    )


def _day_ballots(file: DayFile, groups: list[_Group]) -> list[_Ballot]:
    """The day's ballots against the day's rules: a vote that was opened, a voter of one of the
    groups, a vote for another group that has an innovation, one ballot per person."""
    number = {g.number: i for i, g in enumerate(groups)}
    people = [{ref: j for j, ref in enumerate(g.people)} for g in groups]
    found: list[_Ballot] = []
    voters: set[tuple[int, int]] = set()
    for i, b in enumerate(file.day_ballots, 1):
        at = f"day_ballots[{i}]"
        if file.day.vote_status == DayVote.NOT_OPENED:
            raise InvalidInput("transfer.bad_ballot", where=at)
        group = _unknown(b.voter.group, f"{at}.voter.group", number)
        person = _unknown(b.voter.participant, f"{at}.voter.participant", people[group])
        for_group = _unknown(b.for_group, f"{at}.for_group", number)
        if for_group == group or not groups[for_group].has_innovation:
            raise InvalidInput("transfer.bad_ballot", where=f"{at}.for_group")
        if (group, person) in voters:
            raise InvalidInput("transfer.duplicate_entry", where=f"{at}.voter")
        voters.add((group, person))
        found.append(_Ballot(group=group, person=person, for_group=for_group))
    return found


# --------------------------------------------------------------------------- import


def import_day_json(*, session: Session, data: bytes) -> tuple[InnovationDay, str]:
    """Store the innovation day in ``data`` — the day, its groups' workshops, the day's ballots —
    as a new day here; return it with its new organizer key (shown once, stored as a hash).

    A file with any problem, in the day or in a group's workshop, is refused whole with an
    :class:`InvalidInput` (a ``transfer.*`` key and, where it helps, ``where`` naming the place)
    before anything is written. The day, every group and every ballot are written in one
    transaction: a failure while writing leaves none of them."""
    plan = _plan(read_day(data))
    begin_write(session)
    try:
        day, key = _store(session, plan)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    session.refresh(day)
    return day, key


def _store(session: Session, plan: _DayPlan) -> tuple[InnovationDay, str]:
    workshops = [_import_group(session, group) for group in plan.groups]
    key, code = new_secret(), _free_code(session)
    day = InnovationDay(
        **plan.day,
        code=code,
        organizer_key_hash=hash_secret(key),
        gallery_key_hash=hash_secret(gallery_key(key, code)),
        trend_map_version_id=workshops[0].trend_map_version_id,
    )
    session.add(day)
    session.flush()
    people = []
    for workshop, group in zip(workshops, plan.groups, strict=True):
        _make_group(workshop, day, group.number, key)
        session.add(workshop)
        ids = session.exec(
            select(Participant.id).where(Participant.workshop_id == workshop.id).order_by(col(Participant.id))
        ).all()
        people.append(list(ids))
    session.flush()
    session.add_all(
        DayBallot(
            day_id=day.id,
            participant_id=people[b.group][b.person],
            workshop_id=workshops[b.for_group].id,
        )
        for b in plan.ballots
    )
    session.flush()
    return day, key


def _import_group(session: Session, group: _Group) -> Workshop:
    """The group's workshop, imported by import_json. It commits its own work: here it runs in a
    savepoint of the day's transaction, so it is written together with the day or not at all."""
    with Session(bind=session.connection(), join_transaction_mode="create_savepoint") as inner:
        workshop_id = import_json(session=inner, data=group.data).id
    workshop = session.get(Workshop, workshop_id)
    assert workshop is not None
    return workshop


def _make_group(workshop: Workshop, day: InnovationDay, number: int, organizer_key: str) -> None:
    """The imported workshop as group ``number`` of ``day``, its keys derived from the organizer's
    as ``services.create_workshop`` derives a day's group's."""
    facilitator = group_key(organizer_key, workshop.code)
    workshop.day_id = day.id
    workshop.group_number = number
    workshop.facilitator_key_hash = hash_secret(facilitator)
    workshop.room_key_hash = hash_secret(room_key(facilitator, workshop.code))


def _free_code(session: Session) -> str:
    for _attempt in range(20):
        code = new_join_code()
        if session.exec(select(InnovationDay.id).where(InnovationDay.code == code)).first() is None:
            return code
    raise InvalidInput("error.no_code")  # pragma: no cover - 31**6 codes
