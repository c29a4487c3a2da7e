"""All tables of the workshop, in one place.

Every table that belongs to a workshop carries ``workshop_id``. Integrity the database can hold
(one ballot per participant per poll, one pick per participant per trend, unique join codes) is
held by constraints; services check too, but the constraint is the last word.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Self

from pydantic import ValidationError, model_validator
from pydantic_core import PydanticUndefined
from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from workshop.rules.errors import InvalidInput
from workshop.rules.limits import (
    DEPARTMENT_MAX,
    EMAIL_MAX,
    MAX_MINUTES,
    MIN_MINUTES,
    NAME_MAX,
    NOTE_MAX,
    PRODUCT_MAX,
    RATIONALE_MAX,
    ROLE_MAX,
    TITLE_MAX,
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def column_length(model: type[SQLModel], field: str) -> int:
    """The length limit of a text column, as the table declares it (``max_length``)."""
    length = model.__table__.c[field].type.length  # type: ignore[attr-defined]
    if not isinstance(length, int):
        raise TypeError(f"{model.__name__}.{field} has no length limit")
    return length


class TrendMap(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    title_ru: str = Field(max_length=200)
    title_en: str = Field(max_length=200)
    description_ru: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    description_en: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    source: str = Field(default="", max_length=400)
    year: int | None = None
    builtin: bool = False


class TrendMapVersion(SQLModel, table=True):
    """A frozen copy of a map's trends; a workshop points at the version it used."""

    __table_args__ = (UniqueConstraint("map_id", "version"),)

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    map_id: str = Field(foreign_key="trendmap.id", index=True, max_length=64)
    version: int
    created_at: datetime = Field(default_factory=utcnow)


class Trend(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    version_id: int = Field(foreign_key="trendmapversion.id", index=True)
    code: str = Field(max_length=12)
    position: int = 0
    category: str = Field(max_length=64)
    category_ru: str = Field(max_length=120)
    category_en: str = Field(max_length=120)
    title_ru: str = Field(max_length=120)
    title_en: str = Field(max_length=120)
    description_ru: str = Field(default="", max_length=400)
    description_en: str = Field(default="", max_length=400)
    source: str = Field(default="", max_length=300)


# A setting is a whole number; True is not one (pydantic's lax mode would take it as 1).
WHOLE = {"strict": True}


class WorkshopSettings(SQLModel):
    """What a facilitator sets when creating a workshop, with each setting's bounds: the
    ``Workshop`` table's columns, and what the create form and an import are checked with.

    A value out of its bounds is refused as the ``InvalidInput`` every screen shows ("field: from
    low to high"), never as pydantic's ``ValidationError``. ``validated`` adds what depends on
    the other settings and on the map (no more picks than trends, minimum not above maximum)."""

    picks_min: int = Field(default=4, ge=1, le=10, schema_extra=WHOLE)
    picks_max: int = Field(default=5, ge=1, le=10, schema_extra=WHOLE)
    notes_min: int = Field(default=3, ge=1, le=8, schema_extra=WHOLE)
    notes_max: int = Field(default=4, ge=1, le=8, schema_extra=WHOLE)
    ideas_max: int = Field(default=3, ge=1, le=8, schema_extra=WHOLE)
    votes_per_person: int = Field(default=1, ge=1, le=10, schema_extra=WHOLE)
    cap_per_option: int = Field(default=1, ge=1, le=10, schema_extra=WHOLE)
    pick_minutes: int = Field(default=7, ge=MIN_MINUTES, le=MAX_MINUTES, schema_extra=WHOLE)
    # step 3, the obstacles
    write_minutes: int = Field(default=10, ge=MIN_MINUTES, le=MAX_MINUTES, schema_extra=WHOLE)
    # step 4, the innovations
    ideas_minutes: int = Field(default=10, ge=MIN_MINUTES, le=MAX_MINUTES, schema_extra=WHOLE)
    vote_minutes: int = Field(default=3, ge=MIN_MINUTES, le=MAX_MINUTES, schema_extra=WHOLE)

    @classmethod
    def setting_names(cls) -> tuple[str, ...]:
        return tuple(WorkshopSettings.model_fields)

    @classmethod
    def bounds(cls, name: str) -> tuple[int, int]:
        """The lowest and highest value the setting ``name`` may take, whatever the others."""
        field = WorkshopSettings.model_fields[name]
        low = next(m.ge for m in field.metadata if getattr(m, "ge", None) is not None)
        high = next(m.le for m in field.metadata if getattr(m, "le", None) is not None)
        return low, high

    @classmethod
    def default(cls, name: str) -> int:
        value = WorkshopSettings.model_fields[name].default
        assert value is not PydanticUndefined
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _refused_as_invalid_input(cls, data: Any, handler: Any) -> Any:
        try:
            return handler(data)
        except ValidationError as error:
            names = [str(e["loc"][0]) for e in error.errors() if e["loc"] and e["loc"][0] in CHECK_ORDER]
            if not names:
                raise
            first = min(names, key=CHECK_ORDER.index)
            low, high = cls.bounds(first)
            raise InvalidInput("error.setting_range", field=first, low=low, high=high) from None

    def validated(self, *, trend_count: int) -> Self:
        """These settings, if they hold together for a map of ``trend_count`` trends; otherwise
        ``InvalidInput`` naming the first setting out of range."""
        ceilings = {
            "picks_max": trend_count,
            "picks_min": self.picks_max,
            "notes_min": self.notes_max,
            "cap_per_option": self.votes_per_person,
        }
        for name in CHECK_ORDER:
            low, high = self.bounds(name)
            high = min(high, ceilings.get(name, high))
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise InvalidInput("error.setting_range", field=name, low=low, high=high)
        return self


# The order the settings are checked in: a maximum before the minimum it bounds.
CHECK_ORDER = (
    "picks_max",
    "picks_min",
    "notes_max",
    "notes_min",
    "ideas_max",
    "votes_per_person",
    "cap_per_option",
    "pick_minutes",
    "write_minutes",
    "ideas_minutes",
    "vote_minutes",
)


class InnovationDay(WorkshopSettings, table=True):
    """Several groups at once under one organizer: each group is a ``Workshop`` of the day, made
    with the day's map and default settings (WorkshopSettings), its facilitator's key derived
    from the organizer's (``rules.security.group_key``)."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    code: str = Field(unique=True, index=True, max_length=12)
    title: str = Field(max_length=TITLE_MAX)
    product: str = Field(max_length=PRODUCT_MAX)
    held_on: date
    organizer_key_hash: str = Field(max_length=64)
    # the gallery on the main projector has a key of its own (derived from the organizer's)
    gallery_key_hash: str = Field(default="", max_length=64)
    trend_map_version_id: int = Field(foreign_key="trendmapversion.id")
    lang: str = Field(default="ru", max_length=2)
    # ... and the default settings (WorkshopSettings)
    started_at: datetime | None = None  # the schedule counts from here
    vote_status: str = Field(default="", max_length=16)  # the day-wide vote (rules.enums.DayVote)
    revision: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class Workshop(WorkshopSettings, table=True):
    # A group's number is its day's once (a workshop of its own has neither: NULLs never clash).
    __table_args__ = (UniqueConstraint("day_id", "group_number", name="uq_workshop_day_group"),)

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    code: str = Field(unique=True, index=True, max_length=12)
    title: str = Field(max_length=TITLE_MAX)
    product: str = Field(max_length=PRODUCT_MAX)
    facilitator_name: str = Field(default="", max_length=NAME_MAX)
    facilitator_key_hash: str = Field(max_length=64)
    # The room's projector link carries its own key (derived from the facilitator's): a join
    # code alone opens no screen.
    room_key_hash: str = Field(default="", max_length=64)
    trend_map_version_id: int = Field(foreign_key="trendmapversion.id")
    lang: str = Field(default="ru", max_length=2)
    # ... and the settings (WorkshopSettings)

    step: str = Field(default="lobby", max_length=32)
    step_started_at: datetime | None = None
    deadline: datetime | None = None
    paused_remaining: float | None = None
    agreement_confirmed: bool = False
    show_authors: bool = False
    open_voting: bool = False  # names beside ballots in the record; secret otherwise
    sound: bool = False
    join_base_url: str = Field(default="", max_length=200)
    locked: bool = False  # new joins wait for the facilitator to let them in
    revision: int = 0

    # Notes point at their workshop and the workshop at its chosen notes: a cycle, so these
    # constraints are named and added after both tables exist (PostgreSQL needs that).
    chosen_trend_id: int | None = Field(default=None, foreign_key="trend.id")
    chosen_obstacle_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("note.id", use_alter=True, name="fk_workshop_chosen_obstacle")),
    )
    chosen_innovation_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("note.id", use_alter=True, name="fk_workshop_chosen_innovation")
        ),
    )

    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    # a group of an innovation day, numbered in the day (None: a workshop of its own)
    day_id: int | None = Field(default=None, foreign_key="innovationday.id", index=True)
    group_number: int | None = None


class Participant(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    name: str = Field(max_length=NAME_MAX)
    department: str = Field(max_length=DEPARTMENT_MAX)
    token_hash: str = Field(unique=True, index=True, max_length=64)
    joined_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    # "in" takes part; "waiting" joined a locked room and waits to be let in; "turned_away".
    admission: str = Field(default="in", max_length=16)


class Pick(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("participant_id", "trend_id"),)

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    trend_id: int = Field(foreign_key="trend.id")
    created_at: datetime = Field(default_factory=utcnow)


class Note(SQLModel, table=True):
    """An obstacle sticky or an innovation proposal. A merge keeps the original row."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    kind: str = Field(max_length=16)  # "obstacle" | "innovation"
    text: str = Field(max_length=NOTE_MAX)
    rationale: str = Field(default="", max_length=RATIONALE_MAX)
    original_text: str = Field(max_length=NOTE_MAX)
    merged_into_id: int | None = Field(default=None, foreign_key="note.id")
    edited_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Poll(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workshop_id", "subject", "round"),)

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    subject: str = Field(max_length=16)  # "trend" | "obstacle" | "innovation"
    round: int = 1
    status: str = Field(default="ready", max_length=16)  # ready|open|closed|revealed|cancelled
    votes_per_person: int = 1
    cap_per_option: int = 1
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    decided_by: str | None = Field(default=None, max_length=16)  # "vote" | "facilitator"
    winner_option_id: int | None = None
    tie: bool = False


class PollOption(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    poll_id: int = Field(foreign_key="poll.id", index=True)
    position: int = 0
    trend_id: int | None = Field(default=None, foreign_key="trend.id")
    note_id: int | None = Field(default=None, foreign_key="note.id")
    label: str = Field(max_length=NOTE_MAX + 20)
    detail: str = Field(default="", max_length=RATIONALE_MAX)
    support: int = 0  # how many participants picked the trend / wrote the merged notes


class Ballot(SQLModel, table=True):
    """One per participant per poll, held by the unique constraint."""

    __table_args__ = (UniqueConstraint("poll_id", "participant_id"),)

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    poll_id: int = Field(foreign_key="poll.id", index=True)
    participant_id: int = Field(foreign_key="participant.id")
    cast_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class DayBallot(SQLModel, table=True):
    """A participant's vote in the day-wide vote: the group whose innovation is the best (never
    the participant's own group). One per participant, held by the unique constraint."""

    __table_args__ = (UniqueConstraint("participant_id"),)

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    day_id: int = Field(foreign_key="innovationday.id", index=True)
    participant_id: int = Field(foreign_key="participant.id")
    workshop_id: int = Field(foreign_key="workshop.id")
    cast_at: datetime = Field(default_factory=utcnow)


class BallotMark(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("ballot_id", "option_id"),)

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    ballot_id: int = Field(foreign_key="ballot.id", index=True)
    option_id: int = Field(foreign_key="polloption.id")
    dots: int = 1


class StepLog(SQLModel, table=True):
    """What happened when: the record managers read later."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    step: str = Field(max_length=32)
    event: str = Field(max_length=32)
    detail: str = Field(default="", max_length=400)
    at: datetime = Field(default_factory=utcnow)


# --------------------------------------------------------------------------- after the workshop


class Handoff(SQLModel, table=True):
    """The chosen innovation handed to a person who checks it against the market."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    workshop_id: int = Field(foreign_key="workshop.id", unique=True, index=True)
    assignee_name: str = Field(max_length=NAME_MAX)
    assignee_email: str = Field(max_length=EMAIL_MAX)
    assignee_role: str = Field(default="", max_length=ROLE_MAX)
    status: str = Field(default="new", max_length=24, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class HandoffEvent(SQLModel, table=True):
    """One change of a hand-off: who, when, what changed, the note and the evidence links."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    handoff_id: int = Field(foreign_key="handoff.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    by_name: str = Field(max_length=NAME_MAX)
    change: str = Field(max_length=24)  # "assigned" | "reassigned" | "status" | "note"
    status: str = Field(max_length=24)  # the status after the change
    detail: str = Field(default="", max_length=400)  # e.g. the previous assignee
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    links: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # one per line


class ShareLink(SQLModel, table=True):
    """A read-only link to a finished workshop's presentation; the token is stored as a hash."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    token_hash: str = Field(unique=True, index=True, max_length=64)
    created_by: str = Field(default="", max_length=NAME_MAX)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None


class ArchiveEntry(SQLModel, table=True):
    """The archive's index: one row per workshop, derived from the workshop's own rows.

    Rebuilt whenever the workshop's revision moves on (``workshop.managers.archive.refresh``); the
    archive lists, filters, sorts and searches this table only, so it stays fast at 10,000
    workshops. ``search_text`` is every text of the workshop, case-folded.
    """

    workshop_id: int = Field(foreign_key="workshop.id", primary_key=True)
    revision: int = 0
    code: str = Field(max_length=12)
    created_at: datetime = Field(index=True)
    finished_at: datetime | None = None
    title: str = Field(max_length=TITLE_MAX, index=True)
    product: str = Field(max_length=PRODUCT_MAX)
    facilitator: str = Field(default="", max_length=NAME_MAX)
    status: str = Field(max_length=16, index=True)  # "lobby" | "running" | "finished"
    map_id: str = Field(max_length=64, index=True)
    trend: str = Field(default="", max_length=140)
    obstacle: str = Field(default="", max_length=NOTE_MAX)
    innovation: str = Field(default="", max_length=NOTE_MAX)
    participants: int = 0
    handoff_status: str = Field(default="", max_length=24, index=True)
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class ArchiveDepartment(SQLModel, table=True):
    """Who took part, by department: for the archive's department filter and the analytics."""

    workshop_id: int = Field(foreign_key="workshop.id", primary_key=True)
    key: str = Field(primary_key=True, index=True, max_length=DEPARTMENT_MAX)  # case-folded
    name: str = Field(max_length=DEPARTMENT_MAX)
    participants: int = 0


# --------------------------------------------------------------------------- the server


class GuessMiss(SQLModel, table=True):
    """One wrong guess (a join code, a screen's ticket, the managers' password) from one client,
    kept for the guessing limits every process and session of the app share. The client is
    stored as a keyed hash of its address, never the address itself."""

    __table_args__ = (Index("ix_guessmiss_kind_client_at", "kind", "client", "at"),)

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    kind: str = Field(max_length=16)
    client: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow)


class ServerSecret(SQLModel, table=True):
    """Random keys the server processes share through the database (e.g. the key that signs
    the screens' live tickets), made on first use."""

    name: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
