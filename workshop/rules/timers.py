"""Step timers as data: a deadline, or the seconds left while paused. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Timer:
    deadline: datetime | None = None
    paused_remaining: float | None = None

    @property
    def running(self) -> bool:
        return self.deadline is not None and self.paused_remaining is None

    @property
    def paused(self) -> bool:
        return self.paused_remaining is not None


NO_TIMER = Timer()


def start(now: datetime, minutes: float) -> Timer:
    return Timer(deadline=now + timedelta(minutes=minutes))


def remaining(timer: Timer, now: datetime) -> float | None:
    """Seconds left (never below 0), or ``None`` when the step has no timer."""
    if timer.paused_remaining is not None:
        return max(0.0, timer.paused_remaining)
    if timer.deadline is None:
        return None
    return max(0.0, (timer.deadline - now).total_seconds())


def is_over(timer: Timer, now: datetime) -> bool:
    left = remaining(timer, now)
    return left is not None and left <= 0


def extend(timer: Timer, now: datetime, seconds: float) -> Timer:
    """Add time; a timer that already ran out restarts from now."""
    if timer.paused_remaining is not None:
        return Timer(deadline=None, paused_remaining=timer.paused_remaining + seconds)
    base = timer.deadline if timer.deadline and timer.deadline > now else now
    return Timer(deadline=base + timedelta(seconds=seconds))


def pause(timer: Timer, now: datetime) -> Timer:
    if timer.paused_remaining is not None or timer.deadline is None:
        return timer
    return Timer(deadline=None, paused_remaining=remaining(timer, now))


def resume(timer: Timer, now: datetime) -> Timer:
    if timer.paused_remaining is None:
        return timer
    return Timer(deadline=now + timedelta(seconds=timer.paused_remaining))


def end_now(timer: Timer, now: datetime) -> Timer:
    return Timer(deadline=now)
