"""Practice mode: simulated participants in a real workshop, run by the app's own server.

A facilitator who wants to try the app, or to train, adds a few simulated participants. They
are :class:`~practice.participant.SimulatedParticipant` s like the load bench's: they reach this
server on the loopback address through the phone's own routes and event stream, join through the
join page and act on the phone page, so the roster, the wall and the votes show them like people.
All practice participants of a process share one asyncio loop in one background thread, started
on first use. A group stops when its workshop finishes, or after ``MAX_S`` at most.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections import Counter
from concurrent.futures import Future

from practice import content
from practice.participant import SimulatedParticipant

MAX_GROUP = 7
MAX_S = 2 * 60 * 60
PACE = (3.0, 8.0)
STOP_WAIT_S = 10.0

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_numbered: Counter[str] = Counter()
_running: set[Future] = set()


def _practice_loop() -> asyncio.AbstractEventLoop:
    """The process's one loop for practice participants (a daemon thread, started lazily)."""
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="practice-participants", daemon=True).start()
            _loop = loop
        return _loop


def start_practice(
    *,
    base_url: str,
    code: str,
    count: int,
    lang: str = "ru",
    pace: tuple[float, float] = PACE,
    limit_s: float = MAX_S,
    seed: int | None = None,
) -> list[str]:
    """Start ``count`` (1–7) simulated participants for workshop ``code`` on the server at
    ``base_url``; returns their names at once, while they join in the background."""
    if not 1 <= count <= MAX_GROUP:
        raise ValueError(f"a practice group has 1 to {MAX_GROUP} participants, not {count}")
    code = code.strip().upper()
    rng = random.Random(seed)
    people = [
        SimulatedParticipant(
            base_url,
            code,
            name=name,
            department=department,
            pace=pace,
            rng=random.Random(rng.random()),
            lang=lang,
        )
        for name, department in reserve_names(code, count, lang)
    ]
    future = asyncio.run_coroutine_threadsafe(_take_part(people, limit_s), _practice_loop())
    with _lock:
        _running.add(future)
    future.add_done_callback(_forget)
    return [p.name for p in people]


def reserve_names(code: str, count: int, lang: str) -> list[tuple[str, str]]:
    """Names and departments for the next ``count`` practice participants of a workshop: the
    numbering goes on when the facilitator adds more."""
    with _lock:
        first = _numbered[code] + 1
        _numbered[code] += count
    return [(content.bot_name(n, lang), content.department(n, lang)) for n in range(first, first + count)]


def running() -> int:
    """How many practice groups this process is running."""
    with _lock:
        return len(_running)


def _forget(future: Future) -> None:
    with _lock:
        _running.discard(future)


async def _take_part(people: list[SimulatedParticipant], limit_s: float) -> None:
    stop = asyncio.Event()
    tasks = [asyncio.create_task(p.run(stop)) for p in people]
    _done, pending = await asyncio.wait(tasks, timeout=limit_s)
    stop.set()
    if pending:
        _done, pending = await asyncio.wait(pending, timeout=STOP_WAIT_S)
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
