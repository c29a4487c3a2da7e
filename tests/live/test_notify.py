"""Changes cross processes through PostgreSQL's LISTEN/NOTIFY (workshop/live/notify.py).

Two processes are played by two bridges in this one: each has its own hub, listener thread and
connections, and its own origin tag. The screens are subscriptions on event loops of their own,
as the event-stream handlers are. PostgreSQL is the one TEST_DATABASE_URL names (make test's
PostgreSQL run) or a throwaway server from Debian's packages started here.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import threading
import time
import uuid
from collections.abc import Iterable, Iterator

import psycopg
import pytest

from scripts.scale_out import throwaway_postgres
from tests.postgres import as_postgres, pg_bin
from tests.support import ARTIFACTS, free_port
from workshop.live import events, notify
from workshop.live.events import ALL_KINDS, Hub
from workshop.live.notify import CHANNEL, Bridge, Change, connection_params, decode, encode

CODE = "KQ7MZP"
OTHER_CODE = "W3XH9A"
WAIT = 5.0


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url:
        yield url
    else:
        with throwaway_postgres() as url:
            yield url


def admin(url: str) -> psycopg.Connection:
    return psycopg.connect(**connection_params(url), autocommit=True)


def connections_named(url: str, application_name: str) -> list[int]:
    with admin(url) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (application_name,)
        ).fetchall()
    return [row[0] for row in rows]


def kill(url: str, pid: int) -> None:
    with admin(url) as conn:
        assert conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)


def until(condition, timeout: float = WAIT) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("not within the time allowed")
        time.sleep(0.01)


class Screen:
    """A screen of one workshop subscribed to a hub on its own event loop; ``next`` returns
    the kinds it was told of and when (``time.perf_counter``), measured on the loop."""

    def __init__(self, hub: Hub, code: str = CODE, kinds: Iterable[str] = ALL_KINDS) -> None:
        self.hub = hub
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.sub = hub.subscribe(code, kinds, self.loop)

    async def _get(self, timeout: float) -> tuple[str, float]:
        kinds = await asyncio.wait_for(self.sub.queue.get(), timeout)
        return kinds, time.perf_counter()

    def next(self, timeout: float = WAIT) -> tuple[str, float]:
        return asyncio.run_coroutine_threadsafe(self._get(timeout), self.loop).result(timeout + 1)

    def pending(self) -> int:
        return asyncio.run_coroutine_threadsafe(self._size(), self.loop).result(WAIT)

    async def _size(self) -> int:
        return self.sub.queue.qsize()

    def close(self) -> None:
        self.hub.unsubscribe(self.sub)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(WAIT)
        self.loop.close()


class Process:
    """One app process as far as live changes go: a hub, a bridge and its screens."""

    def __init__(self, url: str, name: str) -> None:
        self.hub = Hub()
        self.app_name = f"test-{name}-{uuid.uuid4().hex[:8]}"
        self.bridge = Bridge(url, hub=self.hub, origin=name, application_name=self.app_name)
        self.screens: list[Screen] = []

    def __enter__(self) -> Process:
        self.bridge.start()
        assert self.bridge.wait_listening(WAIT)
        return self

    def __exit__(self, *_exc: object) -> None:
        for screen in self.screens:
            screen.close()
        self.bridge.stop()

    def screen(self, code: str = CODE, kinds: Iterable[str] = ALL_KINDS) -> Screen:
        screen = Screen(self.hub, code, kinds)
        self.screens.append(screen)
        return screen

    def publish(self, code: str, *kinds: str) -> None:
        """What events.publish does in an app process: its own screens, then the others."""
        self.hub.publish(code, *kinds)
        self.bridge.send(code, kinds)


# --------------------------------------------------------------------------- payloads


def test_a_change_survives_its_trip_through_a_payload() -> None:
    change = Change(origin="a1b2c3", workshop_code=CODE, kinds=("note", "ballot"))

    payload = encode(change)

    assert len(payload) < 100
    assert decode(payload) == Change(origin="a1b2c3", workshop_code=CODE, kinds=("ballot", "note"))


NOT_CHANGES = {
    "not json": "hello",
    "a list": json.dumps(["a", CODE, ["note"]]),
    "no kinds": json.dumps({"o": "a", "w": CODE}),
    "an extra field": json.dumps({"o": "a", "w": CODE, "k": ["note"], "x": 1}),
    "a code in lower case": json.dumps({"o": "a", "w": CODE.lower(), "k": ["note"]}),
    "a code with a letter codes never use": json.dumps({"o": "a", "w": "KQ7MZ0", "k": ["note"]}),
    "a code too long": json.dumps({"o": "a", "w": CODE + "A", "k": ["note"]}),
    "a code with a newline": json.dumps({"o": "a", "w": CODE + "\n", "k": ["note"]}),
    "only unknown kinds": json.dumps({"o": "a", "w": CODE, "k": ["delete_everything"]}),
    "no kinds at all": json.dumps({"o": "a", "w": CODE, "k": []}),
    "kinds as text": json.dumps({"o": "a", "w": CODE, "k": "note"}),
    "an origin with markup": json.dumps({"o": "<b>", "w": CODE, "k": ["note"]}),
    "an origin that is a number": json.dumps({"o": 7, "w": CODE, "k": ["note"]}),
    "far too long": json.dumps({"o": "a", "w": CODE, "k": ["note"] * 200}),
}


@pytest.mark.parametrize("payload", NOT_CHANGES.values(), ids=NOT_CHANGES.keys())
def test_a_payload_that_is_not_a_change_is_refused(payload: str) -> None:
    assert decode(payload) is None


def test_kinds_a_newer_process_knows_are_left_out_and_the_rest_kept() -> None:
    payload = json.dumps({"o": "a", "w": CODE, "k": ["note", "reaction"]})

    assert decode(payload) == Change(origin="a", workshop_code=CODE, kinds=("note",))


# --------------------------------------------------------------------------- between processes


def test_a_change_in_one_process_reaches_the_screens_of_another_within_milliseconds(pg_url: str) -> None:
    with Process(pg_url, "alpha") as alpha, Process(pg_url, "beta") as beta:
        wall = beta.screen(kinds={"note"})
        phone = beta.screen(kinds=events.PHONE_KINDS)
        elsewhere = beta.screen(code=OTHER_CODE)

        latencies = []
        for _ in range(40):
            sent = time.perf_counter()
            alpha.publish(CODE, "note")
            kinds, seen = wall.next()
            assert kinds == "note"
            latencies.append(seen - sent)
        alpha.publish(CODE, "step", "timer")

        assert phone.next()[0] == "step,timer"  # a phone hears only what changes its screen
        assert phone.pending() == 0
        assert elsewhere.pending() == 0
        assert beta.bridge.delivered == 41
    ARTIFACTS.mkdir(exist_ok=True)
    ordered = sorted(latencies)
    figures = {
        "n": len(latencies),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }
    (ARTIFACTS / "notify_latency.json").write_text(json.dumps(figures, indent=2) + "\n")
    # NOTIFY sent -> the other process's screen told, on one machine: a few milliseconds.
    assert figures["p95_ms"] < 100, figures
    assert figures["max_ms"] < 500, figures


def test_a_process_does_not_hear_its_own_change_twice(pg_url: str) -> None:
    with Process(pg_url, "alpha") as alpha, Process(pg_url, "beta") as beta:
        own = alpha.screen()
        other = beta.screen()

        alpha.publish(CODE, "ballot")
        # Notifications reach a listener in the order they were sent: once alpha's screen hears
        # beta's later change, alpha's listener has already dealt with its own.
        assert other.next()[0] == "ballot"
        beta.publish(CODE, "roster")

        assert own.next()[0] == "ballot"  # told once, by its own process's publish
        assert own.next()[0] == "roster"
        assert own.pending() == 0
        assert alpha.bridge.skipped_own == 1
        assert alpha.bridge.delivered == 1


def test_a_notification_that_is_not_a_change_is_ignored_and_listening_goes_on(pg_url: str) -> None:
    with Process(pg_url, "alpha") as alpha, Process(pg_url, "beta") as beta:
        screen = beta.screen()

        with admin(pg_url) as conn:
            for payload in NOT_CHANGES.values():
                conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
        alpha.publish(CODE, "pick")

        assert screen.next()[0] == "pick"
        assert screen.pending() == 0
        assert beta.bridge.refused == len(NOT_CHANGES)
        assert beta.bridge.delivered == 1


def test_the_listener_comes_back_after_its_connection_is_killed(pg_url: str) -> None:
    with Process(pg_url, "alpha") as alpha, Process(pg_url, "beta") as beta:
        screen = beta.screen(kinds={"note"})
        first_pid = beta.bridge.listener_pid
        assert first_pid in connections_named(pg_url, beta.app_name + "-listen")

        killed = time.perf_counter()
        kill(pg_url, first_pid)
        # Changes made meanwhile went unheard, so every screen open there looks again once.
        kinds, back = screen.next()
        alpha.publish(CODE, "note")

        assert kinds == "note"
        assert back - killed < 2.0
        assert beta.bridge.connects == 2
        assert beta.bridge.listener_pid not in (None, first_pid)
        assert screen.next()[0] == "note"
        until(lambda: connections_named(pg_url, beta.app_name + "-listen") == [beta.bridge.listener_pid])


def test_both_ends_come_back_after_the_database_server_restarts() -> None:
    with throwaway_postgres() as url:  # a server of its own: this test restarts it
        with admin(url) as conn:
            data_directory = conn.execute("SHOW data_directory").fetchone()[0]
        with Process(url, "alpha") as alpha, Process(url, "beta") as beta:
            screen = beta.screen(kinds={"note"})
            alpha.publish(CODE, "note")
            assert screen.next()[0] == "note"

            subprocess.run(
                as_postgres([pg_bin("pg_ctl"), "-D", data_directory, "-m", "fast", "-w", "restart"]),
                check=True,
                stdout=subprocess.DEVNULL,
            )
            refresh = screen.next(timeout=15)[0]  # the listener is back: screens look again
            alpha.publish(CODE, "note")

            assert refresh == "note"
            assert screen.next()[0] == "note"
            assert beta.bridge.connects >= 2
            assert alpha.bridge.send_failures == 0


def test_sending_goes_on_after_the_sending_connection_is_killed(pg_url: str) -> None:
    with Process(pg_url, "alpha") as alpha, Process(pg_url, "beta") as beta:
        screen = beta.screen()
        alpha.publish(CODE, "note")
        assert screen.next()[0] == "note"
        [sender] = connections_named(pg_url, alpha.app_name + "-send")

        kill(pg_url, sender)
        alpha.publish(CODE, "step")

        assert screen.next()[0] == "step"
        assert alpha.bridge.send_failures == 0
        until(lambda: len(connections_named(pg_url, alpha.app_name + "-send")) == 1)
        assert connections_named(pg_url, alpha.app_name + "-send") != [sender]


def test_a_bridge_leaves_no_connection_behind(pg_url: str) -> None:
    with Process(pg_url, "alpha") as alpha, Process(pg_url, "beta") as beta:
        alpha.publish(CODE, "note")
        for _ in range(3):  # killed and reconnected, three times
            pid = alpha.bridge.listener_pid
            kill(pg_url, pid)
            until(lambda pid=pid: alpha.bridge.listener_pid not in (None, pid))
        until(lambda: len(connections_named(pg_url, alpha.app_name + "-listen")) == 1)
        assert len(connections_named(pg_url, alpha.app_name + "-send")) == 1

    until(lambda: connections_named(pg_url, alpha.app_name + "-listen") == [])
    assert connections_named(pg_url, alpha.app_name + "-send") == []
    assert connections_named(pg_url, beta.app_name + "-listen") == []


def test_starting_does_not_wait_for_a_database_that_is_not_there() -> None:
    nowhere = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/workshop"
    bridge = Bridge(nowhere, hub=Hub(), origin="lonely")

    began = time.perf_counter()
    bridge.start()
    bridge.send(CODE, ("note",))  # a change that cannot be told is dropped, not raised
    started = time.perf_counter() - began

    assert not bridge.wait_listening(0.5)
    assert bridge.send_failures == 1
    bridge.stop()
    assert started < 1.0
    assert not bridge.running


# --------------------------------------------------------------------------- once per process


def test_sqlite_keeps_changes_in_its_one_process() -> None:
    assert notify.start("sqlite:///data/workshop.db") is None
    assert notify.start("sqlite://") is None


def test_one_bridge_per_process_however_many_threads_ask_and_events_publish_uses_it(pg_url: str) -> None:
    got: list[Bridge | None] = []
    threads = [threading.Thread(target=lambda: got.append(notify.start(pg_url))) for _ in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        [bridge] = {id(b): b for b in got}.values()
        assert bridge is not None and bridge.origin == notify.PROCESS_ID
        assert bridge.wait_listening(WAIT)

        with Process(pg_url, "other") as other:
            remote = other.screen()
            local = Screen(events.hub)
            try:
                events.publish(CODE, "note")

                assert local.next()[0] == "note"
                assert remote.next()[0] == "note"
                until(lambda: bridge.skipped_own == 1)
                assert local.pending() == 0
            finally:
                local.close()
    finally:
        notify.stop()
    assert notify.start("sqlite://") is None
