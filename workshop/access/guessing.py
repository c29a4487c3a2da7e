"""Limits on guessing, shared by every process and session through the database.

A wrong join code, a screen's ticket that does not check out, a wrong managers' password: each
is a *miss* of one client. After ``max_misses`` misses within ``window_s`` the client waits
until the oldest of them is older than the window, whatever it asks next — a known code, an
unknown one, a new tab or another process of the app, all get the same "wait". The client is
its network address (the proxy's ``X-Forwarded-For`` from a trusted proxy, as the server sees
it), stored as a keyed hash; clients whose address the server cannot see share one count.

A process remembers for a moment that a client is waiting, so a sweep of requests costs one
database read per client per second, not one per request.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, func, select

from workshop.access.tickets import server_secret
from workshop.db.engine import begin_write, database_key
from workshop.db.models import GuessMiss, utcnow

UNSEEN = "address-unseen"  # clients whose address the server cannot see: one shared count
SECRET_NAME = "guess-clients"


@dataclass(frozen=True)
class Limit:
    kind: str
    max_misses: int
    window_s: float


# Join codes (typed, or in a link), and the tickets of live screens: five misses a minute.
CODES = Limit("code", 5, 60.0)
# The managers' password: five misses in five minutes.
MANAGER_PASSWORD = Limit("manager", 5, 300.0)

_waiting: dict[tuple[str, str, str], float] = {}  # (database, kind, client) → monotonic time it may try
_lock = threading.Lock()


def client_of(address: object) -> str:
    """The client a limit counts: its address, or the one shared count for the unseen."""
    address = address.strip() if isinstance(address, str) else ""
    if not address or address in ("127.0.0.1", "::1", "localhost"):
        return UNSEEN
    return address[:64]


def _hashed(session: Session, client: str) -> str:
    key = server_secret(session=session, name=SECRET_NAME)
    return hmac.new(key, client.encode("utf-8"), hashlib.sha256).hexdigest()


def wait_for(*, session: Session, limit: Limit, client: str, now: datetime | None = None) -> float:
    """Seconds ``client`` must wait before its next try of ``limit`` (0: it may try now)."""
    memo = (database_key(session), limit.kind, client)
    with _lock:
        until = _waiting.get(memo)
    if until is not None:
        left = until - time.monotonic()
        if left > 0:
            return left
        with _lock:
            _waiting.pop(memo, None)
    now = now or utcnow()
    since = now - timedelta(seconds=limit.window_s)
    hashed = _hashed(session, client)
    recent = session.exec(
        select(func.count(), func.min(GuessMiss.at)).where(
            GuessMiss.kind == limit.kind, GuessMiss.client == hashed, col(GuessMiss.at) > since
        )
    ).one()
    count, oldest = recent
    if count < limit.max_misses or oldest is None:
        return 0.0
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=now.tzinfo)
    left = max(0.0, limit.window_s - (now - oldest).total_seconds())
    if left > 0:
        with _lock:
            _waiting[memo] = time.monotonic() + min(left, 1.0)
    return left


def miss(*, session: Session, limit: Limit, client: str, now: datetime | None = None) -> None:
    """Record one miss of ``client``; misses older than the window are forgotten."""
    now = now or utcnow()
    hashed = _hashed(session, client)
    begin_write(session)
    session.add(GuessMiss(kind=limit.kind, client=hashed, at=now))
    session.exec(
        delete(GuessMiss).where(
            col(GuessMiss.kind) == limit.kind,
            col(GuessMiss.client) == hashed,
            col(GuessMiss.at) < now - timedelta(seconds=limit.window_s),
        )
    )
    session.commit()


def forget_waits() -> None:
    """Forget what this process remembers about waiting clients (the database still knows)."""
    with _lock:
        _waiting.clear()
