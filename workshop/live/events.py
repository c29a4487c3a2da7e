"""The live hub: "something changed in workshop W" reaches every open screen of W.

Writers (script threads) call :func:`publish` after their transaction commits. Readers are the
event-stream handlers running on the server's asyncio loop; each subscribes with the kinds of
change it cares about (a phone: steps, polls and timers; a projector: everything) and receives
them on an ``asyncio.Queue``. The hand-off from a thread to the loop goes through
``loop.call_soon_threadsafe``. The hub lives in one process's memory; when several processes share
a PostgreSQL database, :mod:`workshop.live.notify` relays each change to the others (``relay_to``) and
delivers theirs into this hub. Nothing here imports streamlit.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

ROSTER = "roster"
STEP = "step"
TIMER = "timer"
PICK = "pick"
NOTE = "note"
POLL = "poll"
BALLOT = "ballot"

ALL_KINDS = frozenset({ROSTER, STEP, TIMER, PICK, NOTE, POLL, BALLOT})
PHONE_KINDS = frozenset({STEP, TIMER, POLL})


@dataclass(eq=False)
class Subscription:
    workshop_code: str
    kinds: frozenset[str]
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[str] = field(default_factory=asyncio.Queue)


class Hub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: dict[str, set[Subscription]] = {}
        self.published = 0

    def subscribe(
        self, workshop_code: str, kinds: Iterable[str], loop: asyncio.AbstractEventLoop
    ) -> Subscription:
        sub = Subscription(workshop_code, frozenset(kinds) & ALL_KINDS or ALL_KINDS, loop)
        with self._lock:
            self._subs.setdefault(workshop_code, set()).add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            subs = self._subs.get(sub.workshop_code)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subs[sub.workshop_code]

    def subscribers(self, workshop_code: str) -> int:
        with self._lock:
            return len(self._subs.get(workshop_code, ()))

    def watched(self) -> list[str]:
        """The workshops that have a screen open on this process."""
        with self._lock:
            return sorted(self._subs)

    def publish(self, workshop_code: str, *kinds: str) -> None:
        with self._lock:
            self.published += 1
            targets = [s for s in self._subs.get(workshop_code, ()) if s.kinds.intersection(kinds)]
        for sub in targets:
            wanted = ",".join(sorted(sub.kinds.intersection(kinds)))
            try:
                sub.loop.call_soon_threadsafe(sub.queue.put_nowait, wanted)
            except RuntimeError:  # the loop has closed: the screen is gone
                self.unsubscribe(sub)

    def close_all(self) -> None:
        """Wake every subscriber with ``CLOSED``: the process is stopping, its streams end."""
        with self._lock:
            targets = [s for subs in self._subs.values() for s in subs]
        for sub in targets:
            try:
                sub.loop.call_soon_threadsafe(sub.queue.put_nowait, CLOSED)
            except RuntimeError:
                self.unsubscribe(sub)


# What a subscriber's queue receives when the process is stopping (never a kind of change).
CLOSED = ""

hub = Hub()

Relay = Callable[[str, tuple[str, ...]], None]
_relay: Relay | None = None


def relay_to(relay: Relay | None) -> None:
    """Also hand every change published here to ``relay`` (the other processes); ``None``: stop."""
    global _relay
    _relay = relay


def publish(workshop_code: str, *kinds: str) -> None:
    """A change committed in this process: this process's screens first, then the other processes."""
    hub.publish(workshop_code, *kinds)
    relay = _relay
    if relay is not None:
        relay(workshop_code, kinds)
