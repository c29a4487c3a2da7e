"""The innovation day's schedule (``rules.schedule``): each step's planned end follows from the
day's times, step after step, and a group is behind once its step should have ended more than
the grace ago."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from workshop.rules import schedule, steps

START = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


@dataclass
class Times:
    pick_minutes: int = 7
    write_minutes: int = 10
    ideas_minutes: int = 10
    vote_minutes: int = 3


def test_each_steps_planned_end_adds_its_time_and_the_talk_before_a_vote() -> None:
    ends = schedule.planned_ends(Times(), START)
    minutes = {step: (at - START).total_seconds() / 60 for step, at in ends.items()}
    talk = schedule.TALK_MINUTES
    assert minutes == {
        steps.TRENDS_PICK: 7,
        steps.TRENDS_VOTE: 10,
        steps.OBSTACLES_WRITE: 20 + talk,
        steps.OBSTACLES_VOTE: 23 + talk,
        steps.INNOVATIONS_WRITE: 33 + 2 * talk,
        steps.INNOVATIONS_VOTE: 36 + 2 * talk,
        steps.PRESENTATION: 36 + 2 * talk + schedule.PRESENTATION_MINUTES,
    }


def test_no_group_is_behind_before_the_day_starts() -> None:
    assert schedule.lateness(Times(), None, steps.LOBBY, START) is None


def test_a_group_is_behind_only_past_the_grace_and_by_whole_minutes() -> None:
    pick_ends = START + timedelta(minutes=7)
    grace = schedule.GRACE_MINUTES
    on_time = schedule.lateness(Times(), START, steps.TRENDS_PICK, pick_ends + timedelta(minutes=grace))
    late = schedule.lateness(
        Times(), START, steps.TRENDS_PICK, pick_ends + timedelta(minutes=grace, seconds=90)
    )
    assert on_time is not None and not on_time.behind
    assert late is not None and late.behind and late.behind_minutes == grace + 1


def test_a_group_still_in_its_lobby_is_behind_from_the_days_start_and_a_finished_one_never() -> None:
    lobby = schedule.lateness(Times(), START, steps.LOBBY, START + timedelta(minutes=5))
    done = schedule.lateness(Times(), START, steps.FINISHED, START + timedelta(hours=5))
    assert lobby is not None and lobby.behind_minutes == 5
    assert done is not None and not done.behind
