"""Changes that cross processes: PostgreSQL's LISTEN/NOTIFY behind the live hub.

When several app processes share one PostgreSQL database behind a proxy, a phone served by one
process and the projector served by another must still see each other's changes. Each process
runs one :class:`Bridge`:

- :meth:`Bridge.send` is the hub's relay (:func:`workshop.live.events.relay_to`): after a write has
  committed and this process's screens have heard of it, it sends ``NOTIFY workshop_live`` with a
  small payload — which process sent it, the workshop's join code and the kinds of change;
- one listener thread holds its own connection (autocommit, ``LISTEN workshop_live``), checks each
  payload and publishes it into this process's hub only, never back to the database. Its own
  changes it skips: they reached this process's screens when they were published. If the
  database goes away the thread connects again after a pause that doubles up to a few seconds,
  and every screen open here refreshes once when it is back, since changes made meanwhile went
  unheard.

SQLite needs none of this: one process, the hub alone. :func:`start` is called lazily and starts
at most one bridge per process. Nothing here imports streamlit.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from workshop.live import events
from workshop.rules.security import JOIN_ALPHABET, JOIN_CODE_LENGTH

log = logging.getLogger(__name__)

CHANNEL = "workshop_live"
# Tags this process's notifications, so that its listener can skip them.
PROCESS_ID = secrets.token_hex(6)
# A payload is about 60 bytes; PostgreSQL allows 8000. Anything longer is not ours.
MAX_PAYLOAD = 300

_CODE = re.compile(f"[{JOIN_ALPHABET}]{{{JOIN_CODE_LENGTH}}}")
_ORIGIN = re.compile(r"[A-Za-z0-9_-]{1,32}")


@dataclass(frozen=True)
class Change:
    """What one notification says: process ``origin`` changed these kinds of things in a workshop."""

    origin: str
    workshop_code: str
    kinds: tuple[str, ...]


def encode(change: Change) -> str:
    return json.dumps(
        {"o": change.origin, "w": change.workshop_code, "k": sorted(set(change.kinds))},
        separators=(",", ":"),
    )


def decode(payload: str) -> Change | None:
    """The change a notification's payload names, or ``None`` when it is not one this app sends.

    Kinds this version does not know (a newer process during an upgrade) are left out; a payload
    with none it knows is refused."""
    if len(payload) > MAX_PAYLOAD:
        return None
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict) or set(data) != {"o", "w", "k"}:
        return None
    origin, code, kinds = data["o"], data["w"], data["k"]
    if not isinstance(origin, str) or not _ORIGIN.fullmatch(origin):
        return None
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        return None
    if not isinstance(kinds, list):
        return None
    known = sorted({k for k in kinds if isinstance(k, str) and k in events.ALL_KINDS})
    if not known:
        return None
    return Change(origin=origin, workshop_code=code, kinds=tuple(known))


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def is_postgresql(url: str) -> bool:
    try:
        return make_url(url).get_backend_name() == "postgresql"
    except ArgumentError:
        return False


def connection_params(url: str) -> dict[str, Any]:
    """psycopg's connection arguments for an SQLAlchemy URL (``postgresql+psycopg://...``)."""
    parsed = make_url(url)
    params: dict[str, Any] = parsed.translate_connect_args(username="user", database="dbname")
    params.update({k: v for k, v in parsed.query.items() if isinstance(v, str)})
    return params


class Bridge:
    """This process's side of LISTEN/NOTIFY: sends its changes, hears the others' (see module)."""

    FIRST_PAUSE_S = 0.2
    LONGEST_PAUSE_S = 5.0
    # One wait for notifications; also how long a stop waits for the listener thread at most.
    WAIT_S = 0.5
    # After this long without a notification the listener asks the database for a sign of life,
    # so that a connection that died silently is noticed.
    CHECK_QUIET_S = 30.0

    def __init__(
        self,
        url: str,
        *,
        hub: events.Hub,
        origin: str = PROCESS_ID,
        application_name: str = "workshop-live",
    ) -> None:
        if not _ORIGIN.fullmatch(origin):
            raise ValueError(f"origin must be 1-32 letters, digits, '-' or '_': {origin!r}")
        self.url = url
        self.hub = hub
        self.origin = origin
        common = {
            # A database that does not answer, or a connection that died without a word, is
            # given up within a minute or so, not waited on for ever; the URL's settings win.
            "connect_timeout": 5,
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
            "tcp_user_timeout": 30_000,
            **connection_params(url),
            "autocommit": True,
        }
        self._listen_params = {**common, "application_name": f"{application_name}-listen"}
        self._send_params = {**common, "application_name": f"{application_name}-send"}
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._sender: psycopg.Connection[Any] | None = None
        # What happened so far, for tests and for a person looking at a running process.
        self.listener_pid: int | None = None
        self.connects = 0
        self.sent = 0
        self.send_failures = 0
        self.delivered = 0
        self.skipped_own = 0
        self.refused = 0

    # ------------------------------------------------------------------ sending

    def send(self, workshop_code: str, kinds: Iterable[str]) -> None:
        """Tell the other processes about a committed change. Never raises: if the database
        cannot be reached, the screens' slow safety-net poll still finds the change."""
        if self._stop.is_set():
            return
        payload = encode(Change(origin=self.origin, workshop_code=workshop_code, kinds=tuple(kinds)))
        with self._send_lock:
            for attempt in (1, 2):  # a connection the database dropped is replaced once
                try:
                    if self._sender is None or self._sender.closed:
                        self._sender = psycopg.connect(**self._send_params)
                    self._sender.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
                    self.sent += 1
                    return
                except psycopg.Error as err:
                    self._close_sender()
                    if attempt == 2:
                        self.send_failures += 1
                        log.warning(
                            "a change in %s did not reach the other processes: %s",
                            workshop_code,
                            _first_line(err),
                        )

    def _close_sender(self) -> None:
        if self._sender is not None:
            self._sender.close()
            self._sender = None

    # ------------------------------------------------------------------ listening

    def start(self) -> None:
        """Start the listener thread (once); returns at once, the thread connects by itself."""
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._listen_forever, name="workshop-live-listener", daemon=True
                )
                self._thread.start()

    def wait_listening(self, timeout: float) -> bool:
        """True once the listener is connected and listening (within ``timeout`` seconds)."""
        return self._listening.wait(timeout)

    @property
    def running(self) -> bool:
        """The listener thread is alive (listening, or waiting to connect again)."""
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop listening and sending; both connections are closed."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        with self._send_lock:
            self._close_sender()

    def _listen_forever(self) -> None:
        pause = self.FIRST_PAUSE_S
        while not self._stop.is_set():
            try:
                with psycopg.connect(**self._listen_params) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.listener_pid = conn.info.backend_pid
                    self.connects += 1
                    pause = self.FIRST_PAUSE_S
                    if self.connects > 1:
                        log.warning("hearing other processes' changes again")
                    self._refresh_open_screens()
                    self._listening.set()
                    self._receive(conn)
            except psycopg.Error as err:
                if not self._stop.is_set():
                    log.warning(
                        "other processes' changes are not heard (%s); trying again in %.1f s",
                        _first_line(err),
                        pause,
                    )
            except Exception:  # a mistake of ours must not end listening for the process's life
                log.exception("listening for other processes' changes failed; trying again in %.1f s", pause)
            finally:
                self._listening.clear()
                self.listener_pid = None
            if self._stop.wait(pause):
                break
            pause = min(pause * 2, self.LONGEST_PAUSE_S)

    def _receive(self, conn: psycopg.Connection[Any]) -> None:
        quiet_since = time.monotonic()
        while not self._stop.is_set():
            heard = False
            for notification in conn.notifies(timeout=self.WAIT_S):
                heard = True
                self._deliver(notification.payload)
            now = time.monotonic()
            if heard:
                quiet_since = now
            elif now - quiet_since > self.CHECK_QUIET_S:
                conn.execute("SELECT 1")
                quiet_since = now

    def _deliver(self, payload: str) -> None:
        change = decode(payload)
        if change is None:
            self.refused += 1
            log.warning("ignored a notification on %s that is not a change (%d chars)", CHANNEL, len(payload))
        elif change.origin == self.origin:
            self.skipped_own += 1
        else:
            # Counted first: a screen that hears the change may look at the count at once.
            self.delivered += 1
            self.hub.publish(change.workshop_code, *change.kinds)

    def _refresh_open_screens(self) -> None:
        """Changes made while this process was not listening went unheard: every screen open
        here looks again, once."""
        for code in self.hub.watched():
            self.hub.publish(code, *sorted(events.ALL_KINDS))


_bridge: Bridge | None = None
_bridge_lock = threading.Lock()


def start(url: str) -> Bridge | None:
    """This process's bridge for a PostgreSQL ``url``, started on first use; ``None`` for SQLite.

    Cheap after the first call, safe from any thread, and never waits for the database."""
    global _bridge
    bridge = _bridge
    if bridge is not None and bridge.url == url:
        return bridge
    if not is_postgresql(url):
        return None
    with _bridge_lock:
        if _bridge is not None and _bridge.url == url:
            return _bridge
        if _bridge is not None:  # another database from now on (tests switch; the app does not)
            events.relay_to(None)
            _bridge.stop()
        _bridge = Bridge(url, hub=events.hub)
        _bridge.start()
        events.relay_to(_bridge.send)
        return _bridge


def stop() -> None:
    """Stop this process's bridge, if any (a test that started one; a process that ends needs
    nothing, its connections close with it)."""
    global _bridge
    with _bridge_lock:
        if _bridge is not None:
            events.relay_to(None)
            _bridge.stop()
            _bridge = None
