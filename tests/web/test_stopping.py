"""A process told to stop (SIGTERM, Ctrl-C) stops, even with screens holding event streams."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
from httpx_sse import connect_sse

from tests.scenario import build_workshop
from tests.support import Server, live_ticket


def test_a_server_told_to_stop_ends_its_event_streams_and_exits(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'stop.db'}"
    built = build_workshop(db_url, stop="trends_pick", people=2)
    server = Server(db_url, tmp_path / "server.log")
    server.start()
    assert server.proc is not None
    hello, ended = threading.Event(), threading.Event()
    seen: list[str] = []

    def watch(scope: str, subject: int) -> None:
        ticket = live_ticket(db_url, built.code, scope=scope, subject=subject)
        with (
            httpx.Client(base_url=server.base, timeout=httpx.Timeout(30.0, read=60.0)) as client,
            connect_sse(client, "GET", f"/live/{built.code}", params={"t": ticket}) as source,
        ):
            for event in source.iter_sse():
                seen.append(event.event)
                if event.event == "hello" and seen.count("hello") == 2:
                    hello.set()
        ended.set()

    watchers = [
        threading.Thread(target=watch, args=("room", 0), daemon=True),
        threading.Thread(target=watch, args=("phone", built.participant_ids[0]), daemon=True),
    ]
    try:
        for watcher in watchers:
            watcher.start()
        assert hello.wait(30), "both streams open"

        server.proc.terminate()

        server.proc.wait(timeout=10)  # before: it waited for the streams, which never end
        for watcher in watchers:
            watcher.join(timeout=10)
        assert ended.is_set() and not any(w.is_alive() for w in watchers)
    finally:
        server.close()
