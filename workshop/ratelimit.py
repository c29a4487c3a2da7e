"""Refuse guessing: after a few wrong join codes from one client, wait a while. Pure, in memory,
thread-safe; the client key is whatever the page can tell (the address, else the session)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class MissLimiter:
    def __init__(
        self, *, max_misses: int = 5, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic
    ):
        self.max_misses, self.window_s, self.clock = max_misses, window_s, clock
        self._misses: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        misses = self._misses.setdefault(client, deque())
        while misses and now - misses[0] > self.window_s:
            misses.popleft()
        return misses

    def blocked_for(self, client: str) -> float:
        """Seconds this client must wait before trying again (0 when it may try)."""
        with self._lock:
            now = self.clock()
            misses = self._recent(client, now)
            if len(misses) < self.max_misses:
                return 0.0
            return max(0.0, self.window_s - (now - misses[0]))

    def reset(self) -> None:
        with self._lock:
            self._misses.clear()

    def miss(self, client: str) -> None:
        with self._lock:
            now = self.clock()
            self._recent(client, now).append(now)
            if len(self._misses) > 10_000:  # forget the oldest clients rather than grow forever
                for key in list(self._misses)[:1_000]:
                    del self._misses[key]


join_codes = MissLimiter()
# Wrong managers' passwords: five per five minutes from one client, then wait.
manager_logins = MissLimiter(max_misses=5, window_s=300.0)
