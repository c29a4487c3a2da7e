"""The live routes on a real server: a code alone opens nothing, a screen's ticket opens what
that screen may show, the stream pushes the board on every change, the script is served."""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from httpx_sse import connect_sse

from tests.conftest import empty_database_url
from tests.phones import HttpPhone
from tests.scenario import build_workshop
from tests.support import Server, live_ticket
from workshop.access import tickets
from workshop.db.engine import make_engine
from workshop.rules.security import JOIN_ALPHABET

ROUTES = ["/live/{code}", "/live/{code}/state"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder: Path = tmp_path_factory.mktemp("live")
    srv = Server(empty_database_url(folder, "live.db"), folder / "server.log")
    srv.start()
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def built(server: Server):  # type: ignore[no-untyped-def]
    return build_workshop(server.db_url, stop="obstacles_write", people=6)


def unknown_code(known: str) -> str:
    return next(c * 6 for c in JOIN_ALPHABET if c * 6 != known)


def answer(server: Server, path: str, ticket: str | None, *, client: str) -> tuple[int, bytes, str]:
    """What ``client`` (its address, as the trusted proxy on this machine forwards it) gets."""
    query = "" if ticket is None else "?" + urlencode({"t": ticket})
    with (
        httpx.Client(base_url=server.base, timeout=10, headers={"X-Forwarded-For": client}) as http,
        http.stream("GET", path + query) as response,
    ):
        body = b"" if response.status_code == 200 else response.read()
        return response.status_code, body, response.headers.get("content-type", "")


def forged(ticket: str) -> str:
    body, _mac = ticket.rsplit(".", 1)
    return body + ".AAAAAAAAAAAAAAAAAAAAAAAA"


@pytest.mark.parametrize("route", ROUTES)
def test_a_known_code_without_a_valid_ticket_answers_like_an_unknown_code(server, built, route) -> None:
    client = f"10.1.{ROUTES.index(route)}.1"
    good = live_ticket(server.db_url, built.code)
    other = build_workshop(server.db_url, stop="lobby", people=0)
    secret_of_nobody = tickets.issue(
        secret=b"guess", code=built.code, workshop_id=built.workshop_id, scope="room"
    )
    expired = tickets.issue(
        secret=_secret(server),
        code=built.code,
        workshop_id=built.workshop_id,
        scope="room",
        now=time.time() - tickets.TTL_S - 3610,
    )
    tickets_that_do_not_check_out = [
        None,
        "",
        "x" * 500,
        forged(good),
        secret_of_nobody,
        expired,
        live_ticket(server.db_url, other.code),  # another workshop's ticket
    ]
    # One client a try each: the answers compared are all given before any limit applies.
    refusals = [
        answer(server, route.format(code=built.code), ticket, client=f"{client}{i}")
        for i, ticket in enumerate(tickets_that_do_not_check_out)
    ]
    unknown = answer(server, route.format(code=unknown_code(built.code)), good, client=f"{client}9")

    assert all(r == unknown for r in refusals), refusals
    assert unknown[0] == 404


def _secret(server: Server) -> bytes:
    from sqlmodel import Session

    engine = make_engine(server.db_url)
    try:
        with Session(engine) as session:
            return tickets.server_secret(session=session)
    finally:
        engine.dispose()


def test_a_room_ticket_reads_the_board_of_its_workshop(server, built) -> None:
    ticket = live_ticket(server.db_url, built.code, scope="room")

    with httpx.Client(base_url=server.base, timeout=10) as client:
        response = client.get(f"/live/{built.code}/state", params={"t": ticket})

    message = response.json()
    assert response.status_code == 200
    assert abs(message["now_ms"] / 1000 - time.time()) < 5
    assert message["state"]["step"] == "obstacles_write"
    assert [p["name"] for p in message["state"]["roster"]][:2] == ["Анна", "Борис"]
    assert "Дорого для семьи" in [c["text"] for c in message["state"]["wall"]["cards"]]


def test_a_phone_ticket_does_not_open_the_board(server, built) -> None:
    ticket = live_ticket(server.db_url, built.code, scope="phone", subject=1)

    status, _body, _type = answer(server, f"/live/{built.code}/state", ticket, client="10.2.0.1")

    assert status == 404


def test_the_stream_starts_with_the_board_and_pushes_the_next_change_as_data(server, built) -> None:
    ticket = live_ticket(server.db_url, built.code, scope="room")
    events: list[tuple[str, dict]] = []

    def write_a_note() -> None:
        with HttpPhone(server.base) as phone:
            phone.open(built.tokens[1])
            phone.note("Пришло по потоку")

    with (
        httpx.Client(base_url=server.base, timeout=20) as client,
        connect_sse(client, "GET", f"/live/{built.code}", params={"t": ticket}) as source,
    ):
        for event in source.iter_sse():
            events.append((event.event, json.loads(event.data)))
            if event.event == "state" and len([e for e in events if e[0] == "state"]) == 1:
                threading.Thread(target=write_a_note, daemon=True).start()
            if any(
                name == "state" and "Пришло по потоку" in [c["text"] for c in data["state"]["wall"]["cards"]]
                for name, data in events
            ):
                break

    names = [name for name, _data in events]
    states = [data["state"] for name, data in events if name == "state"]
    assert names[0] == "hello" and "boot" in events[0][1]
    assert names[1] == "state"
    assert states[-1]["rev"] > states[0]["rev"]
    assert states[-1]["layout"] == states[0]["layout"]  # a note is patched, not a new layout


def test_a_phone_stream_hears_step_changes_only_as_names(server, built) -> None:
    ticket = live_ticket(server.db_url, built.code, scope="phone", subject=1)

    with (
        httpx.Client(base_url=server.base, timeout=10) as client,
        connect_sse(client, "GET", f"/live/{built.code}", params={"t": ticket, "kinds": "step"}) as source,
    ):
        first = next(iter(source.iter_sse()))

    assert first.event == "hello"


def test_the_live_script_and_styles_are_served_by_the_app(server) -> None:
    with httpx.Client(base_url=server.base, timeout=10) as client:
        script = client.get("/assets/board.js")
        styles = client.get("/assets/board.css")
        outside = client.get("/assets/%2E%2E/app.py")

    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "export function mountLive" in script.text
    assert styles.status_code == 200 and ".metro" in styles.text
    assert outside.status_code in (400, 404) and "st.App" not in outside.text


def test_no_ticket_is_ever_written_to_the_server_log(server, built) -> None:
    ticket = live_ticket(server.db_url, built.code)
    answer(server, f"/live/{built.code}/state", ticket, client="10.3.0.1")

    assert ticket.rsplit(".", 1)[1] not in server.log.read_text(errors="replace")


def test_a_sweep_of_a_thousand_codes_finds_nothing_and_is_held_to_five_tries_a_minute(server, built) -> None:
    sweeper = "10.66.0.1"
    rng = random.Random(7)
    codes = ["".join(rng.choice(JOIN_ALPHABET) for _ in range(6)) for _ in range(1000)]
    for at in (3, 500, 999):
        codes[at] = built.code  # the sweep passes the real code too
    statuses: list[int] = []
    started = time.perf_counter()
    with httpx.Client(base_url=server.base, timeout=10, headers={"X-Forwarded-For": sweeper}) as http:
        for code in codes:
            statuses.append(http.get(f"/live/{code}/state", params={"t": "guess"}).status_code)
            if len(statuses) % 250 == 0:
                statuses.append(http.get(f"/live/{code}", params={"t": "guess"}).status_code)
    took = time.perf_counter() - started

    assert 200 not in statuses
    assert statuses[:5] == [404] * 5
    assert set(statuses[5:]) == {429}  # the real code at 500 and 999 included: it answers "wait" too
    assert statuses[3] == 404  # before the limit the real code answered like any other
    with httpx.Client(base_url=server.base, timeout=10, headers={"X-Forwarded-For": "10.66.0.2"}) as http:
        assert (
            http.get(f"/live/{built.code}/state", params={"t": "guess"}).status_code == 404
        )  # others unaffected
    print(f"swept {len(statuses)} requests in {took:.1f} s; {statuses.count(404)} were examined")  # noqa: T201


def test_a_client_holds_at_most_so_many_event_streams_at_once(server, built) -> None:
    ticket = live_ticket(server.db_url, built.code, scope="room")
    headers = {"X-Forwarded-For": "10.77.0.1"}
    with contextlib.ExitStack() as stack:
        http = stack.enter_context(httpx.Client(base_url=server.base, timeout=10, headers=headers))
        opened = []
        for _ in range(30):
            response = stack.enter_context(http.stream("GET", f"/live/{built.code}", params={"t": ticket}))
            opened.append(response.status_code)
            if response.status_code != 200:
                break
        other = httpx.get(
            f"{server.base}/live/{built.code}/state",
            params={"t": ticket},
            headers={"X-Forwarded-For": "10.77.0.2"},
        )

    assert opened == [200] * 24 + [429]
    assert other.status_code == 200
