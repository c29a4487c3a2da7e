"""An innovation day's schedule: when each step of every group should be over, counted from the
moment the organizer started the day, and how far a group is behind it.

Pure: the plan is the day's default times (``WorkshopSettings``) step after step, each with a
few minutes for talking it over (the method discusses the notes before a vote), and the
presentation's own time. A group is behind when the plan says its current step should have ended
more than ``GRACE_MINUTES`` ago.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from workshop.rules.steps import (
    FINISHED,
    INNOVATIONS_VOTE,
    INNOVATIONS_WRITE,
    LOBBY,
    OBSTACLES_VOTE,
    OBSTACLES_WRITE,
    PRESENTATION,
    TRENDS_PICK,
    TRENDS_VOTE,
)

TALK_MINUTES = 3  # after writing and before its vote, the group talks the notes over
PRESENTATION_MINUTES = 5
GRACE_MINUTES = 2


class Times(Protocol):
    pick_minutes: int
    write_minutes: int
    ideas_minutes: int
    vote_minutes: int


def planned_minutes(times: Times) -> dict[str, int]:
    """Each step's planned length, in minutes, in the order of the steps."""
    return {
        TRENDS_PICK: times.pick_minutes,
        TRENDS_VOTE: times.vote_minutes,
        OBSTACLES_WRITE: times.write_minutes + TALK_MINUTES,
        OBSTACLES_VOTE: times.vote_minutes,
        INNOVATIONS_WRITE: times.ideas_minutes + TALK_MINUTES,
        INNOVATIONS_VOTE: times.vote_minutes,
        PRESENTATION: PRESENTATION_MINUTES,
    }


def planned_ends(times: Times, started_at: datetime) -> dict[str, datetime]:
    """When each step should be over, the day started at ``started_at``."""
    ends, at = {}, started_at
    for step, minutes in planned_minutes(times).items():
        at += timedelta(minutes=minutes)
        ends[step] = at
    return ends


@dataclass(frozen=True, slots=True)
class Lateness:
    """How a group stands against the plan: ``behind_minutes`` past its step's planned end (0
    when on time), and the time the whole day should be over."""

    behind_minutes: int
    day_ends_at: datetime

    @property
    def behind(self) -> bool:
        return self.behind_minutes > 0


def lateness(times: Times, started_at: datetime | None, step: str, now: datetime) -> Lateness | None:
    """Where a group at ``step`` stands at ``now``; None before the day has started."""
    if started_at is None:
        return None
    ends = planned_ends(times, started_at)
    day_ends_at = ends[PRESENTATION]
    if step == FINISHED:
        return Lateness(0, day_ends_at)
    planned_end = started_at if step == LOBBY else ends[step]
    late = (now - planned_end).total_seconds() / 60
    return Lateness(int(late) if late > GRACE_MINUTES else 0, day_ends_at)
