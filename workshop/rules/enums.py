"""The names the workshop stores and compares: what a poll is about, where a poll is, where a
hand-off is. (The steps are ``workshop.rules.steps.Step``.)

Each is a ``StrEnum``: a member equals, hashes and formats as its string, so the database
columns stay text with the same values, rows read back as plain strings compare equal to the
members, and a member can key a dict that plain strings look up."""

from __future__ import annotations

from enum import StrEnum


class Subject(StrEnum):
    """What a poll chooses, in the method's order; a note's kind is one of the last two."""

    TREND = "trend"
    OBSTACLE = "obstacle"
    INNOVATION = "innovation"


class PollStatus(StrEnum):
    """A poll goes ready → open → closed → revealed; going back past a vote cancels its poll."""

    READY = "ready"
    OPEN = "open"
    CLOSED = "closed"
    REVEALED = "revealed"
    CANCELLED = "cancelled"


class DayVote(StrEnum):
    """An innovation day's vote for the best innovation: not opened, open, closed."""

    NOT_OPENED = ""
    OPEN = "open"
    CLOSED = "closed"


class HandoffStatus(StrEnum):
    """Where the chosen innovation's market check is (``workshop.managers.handoff``)."""

    NEW = "new"
    CHECKING = "checking"
    SIMILAR_EXISTS = "similar_exists"
    CUSTOMERS_WANT = "customers_want"
    REJECTED = "rejected"
    PILOTED = "piloted"


# The step log's event for a suggested merge of notes the facilitator turned down; its detail is
# the suggestion's key, the note ids joined by "-" (``workshop.similarity.groups.group_key``).
SUGGESTION_DISMISSED = "dismissed"
