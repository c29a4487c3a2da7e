"""Extra HTTP routes on Streamlit's own server: the live event stream, the board's data, the
safety-net poll, and the live elements' script.

Every live route takes the screen's *ticket* (``?t=``, see ``workshop.access.tickets``), never just a
code: a missing, forged, expired or other workshop's ticket gets the same ``404`` as a code
that does not exist, and counts as a miss against the client's guessing limit
(``workshop.access.guessing``); a client over the limit gets ``429`` whatever it asks. A client (by its
address) holds at most ``LIVE_STREAMS_PER_CLIENT`` event streams at once in a process.

- ``GET /live/{code}?t=…`` is a server-sent event stream. It starts with a ``hello`` carrying
  the server's boot id. A big screen (room projector, facilitator) then receives ``state``
  events: the workshop's board data (``workshop.live.board``) whenever its revision moves on, built
  once per revision for every screen of the workshop in this process. A phone receives
  ``change`` events naming the kinds of change it listens to (``?kinds=step,poll,timer``).
  Bursts are coalesced; a comment every 15 s keeps proxies from closing the stream.
- ``GET /live/{code}/state?t=…`` is the board's data once (a reconnect's or the safety net's
  read). A phone's safety net asks its own page (``web.phone``: ``/phone/screen?phase=…``).
- ``/assets/…`` serves the live elements' script and styles (no CDN: a room may have no
  internet).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import signal
import threading
import time
from collections import Counter
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from web import phone
from web.engine import new_session
from workshop.access import guessing, tickets
from workshop.config import settings
from workshop.db.engine import database_url
from workshop.live import notify
from workshop.live.board import board_json
from workshop.live.events import ALL_KINDS, CLOSED, hub

ASSETS = Path(__file__).resolve().parents[1] / "ui" / "assets"  # the big screens' board.js and board.css
HEARTBEAT_S = 15.0
# A new server process has a new boot id: a page that sees it change reloads itself, because its
# Streamlit session died with the old process.
BOOT_ID = secrets.token_hex(6)
COALESCE_S = 0.03
# A projector, the facilitator's screens and a few phones on one machine stay well under the
# streams a client may hold (LIVE_STREAMS_PER_CLIENT). Read now too, so that a bad value stops the
# server as it starts, naming the variable.
settings()
_streams: Counter[str] = Counter()
_streams_lock = threading.Lock()
_signing: dict[str, bytes] = {}


def _secret() -> bytes:
    url = database_url()
    known = _signing.get(url)
    if known is None:
        with new_session() as session:
            known = _signing[url] = tickets.server_secret(session=session)
    return known


def _client(request: Request) -> str:
    return guessing.client_of(request.client.host if request.client else None)


def _refusal(client: str) -> Response:
    """The answer to a ticket that does not check out: "not found", or "wait" once the client
    has missed too often — the same for a known code and an unknown one."""
    with new_session() as session:
        wait = guessing.wait_for(session=session, limit=guessing.CODES, client=client)
        if wait:
            return Response(status_code=429, headers={"Retry-After": str(int(wait) + 1)})
        guessing.miss(session=session, limit=guessing.CODES, client=client)
    return Response(status_code=404)


async def _ticket(request: Request) -> tickets.Ticket | Response:
    code = request.path_params["code"]
    secret = _signing.get(database_url()) or await run_in_threadpool(_secret)
    ticket = tickets.read(secret=secret, ticket=request.query_params.get("t"), code=code)
    if ticket is not None:
        return ticket
    return await run_in_threadpool(_refusal, _client(request))


def _board(workshop_id: int) -> tuple[int, bytes]:
    with new_session() as session:
        return board_json(session=session, workshop_id=workshop_id)


def board_message(body: bytes) -> bytes:
    """The board's data with this server's clock, so the countdown agrees with the server."""
    return b'{"now_ms":%d,"state":%s}' % (int(time.time() * 1000), body)


def _kinds_asked(request: Request, *, board: bool) -> set[str]:
    """The kinds of change a stream names: all for a big screen, those asked for (or all) otherwise."""
    kinds = {k for k in request.query_params.get("kinds", "").split(",") if k in ALL_KINDS}
    return set(ALL_KINDS) if board or not kinds else kinds


def _end_streams_on_stop() -> None:
    """Once per process, from the server's (main) thread: when the server is told to stop (SIGTERM,
    Ctrl-C), every open event stream ends first. Otherwise the server waits for them, and they
    never end by themselves, so a process with a screen open would not stop until killed."""
    global _watching_stop
    if _watching_stop or threading.current_thread() is not threading.main_thread():
        return
    _watching_stop = True
    for number in (signal.SIGTERM, signal.SIGINT):
        before = signal.getsignal(number)

        def stop(signum, frame, before=before):  # type: ignore[no-untyped-def]
            _stopping.set()
            hub.close_all()
            if callable(before):
                before(signum, frame)

        signal.signal(number, stop)


_watching_stop = False
_stopping = threading.Event()


async def _changed(sub) -> set[str] | None:  # type: ignore[no-untyped-def]
    """The kinds changed in the next burst (after ``COALESCE_S``), or None after a quiet
    ``HEARTBEAT_S``; an empty set when the process is stopping."""
    try:
        first = await asyncio.wait_for(sub.queue.get(), timeout=HEARTBEAT_S)
    except TimeoutError:
        return None
    if first == CLOSED or _stopping.is_set():
        return set()
    await asyncio.sleep(COALESCE_S)
    changed = set(first.split(","))
    while not sub.queue.empty():
        changed.update(sub.queue.get_nowait().split(","))
    return changed


async def _events(ticket: tickets.Ticket, client: str, kinds: set[str]):  # type: ignore[no-untyped-def]
    """The stream's messages; counted and subscribed here, where the finally is sure to undo both."""
    board = ticket.sees_board
    sent = -1
    with _streams_lock:
        _streams[client] += 1
    sub = hub.subscribe(ticket.code, kinds, asyncio.get_running_loop())
    try:
        yield f"retry: 2000\nevent: hello\ndata: {json.dumps({'boot': BOOT_ID})}\n\n".encode()
        if board:
            sent, body = await run_in_threadpool(_board, ticket.workshop_id)
            yield b"event: state\ndata: " + board_message(body) + b"\n\n"
        while not _stopping.is_set():
            changed = await _changed(sub)
            if changed is not None and not changed:
                return  # the process is stopping: the stream ends, the screen reconnects elsewhere
            if changed is None:
                yield b": ping\n\n"
            elif not board:
                yield f"event: change\ndata: {','.join(sorted(changed))}\n\n".encode()
            else:
                revision, body = await run_in_threadpool(_board, ticket.workshop_id)
                if revision != sent:
                    sent = revision
                    yield b"event: state\ndata: " + board_message(body) + b"\n\n"
    finally:
        hub.unsubscribe(sub)
        with _streams_lock:
            _streams[client] -= 1
            if _streams[client] <= 0:
                del _streams[client]


async def live_stream(request: Request) -> Response:
    ticket = await _ticket(request)
    if isinstance(ticket, Response):
        return ticket
    client = _client(request)
    most = settings().live_streams_per_client
    with _streams_lock:
        if client != guessing.UNSEEN and _streams[client] >= most:
            return Response(status_code=429, headers={"Retry-After": "30"})
    kinds = _kinds_asked(request, board=ticket.sees_board)
    _end_streams_on_stop()
    # A screen may reach a fresh process before any page has run there: listen to the others now.
    notify.start(database_url())
    return StreamingResponse(
        _events(ticket, client, kinds),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def board_route(request: Request) -> Response:
    ticket = await _ticket(request)
    if isinstance(ticket, Response):
        return ticket
    if not ticket.sees_board:
        return await run_in_threadpool(_refusal, _client(request))
    try:
        _revision, body = await run_in_threadpool(_board, ticket.workshop_id)
    except LookupError:
        return Response(status_code=404)
    return Response(board_message(body), media_type="application/json", headers={"Cache-Control": "no-store"})


ROUTES = [
    *phone.ROUTES,
    Route("/live/{code}", live_stream),
    Route("/live/{code}/state", board_route),
    Mount("/assets", StaticFiles(directory=ASSETS), name="assets"),
]
