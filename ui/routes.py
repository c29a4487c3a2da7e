"""Extra HTTP routes on Streamlit's own server: the live event stream, the board's data, the
safety-net poll, and the live elements' script.

Every live route takes the screen's *ticket* (``?t=``, see ``workshop.tickets``), never just a
code: a missing, forged, expired or other workshop's ticket gets the same ``404`` as a code
that does not exist.

- ``GET /live/{code}?t=…`` is a server-sent event stream. It starts with a ``hello`` carrying
  the server's boot id. A big screen (room projector, facilitator) then receives ``state``
  events: the workshop's board data (``workshop.board``) whenever its revision moves on, built
  once per revision for every screen of the workshop in this process. A phone receives
  ``change`` events naming the kinds of change it listens to (``?kinds=step,poll,timer``).
  Bursts are coalesced; a comment every 15 s keeps proxies from closing the stream.
- ``GET /live/{code}/state?t=…`` is the board's data once (a reconnect's or the safety net's
  read); ``GET /live/{code}/sig?t=…`` is a phone's cheap fingerprints.
- ``/assets/…`` serves the live elements' script and styles (no CDN: a room may have no
  internet).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ui.engine import new_session
from workshop import notify, tickets
from workshop.board import board_json
from workshop.db import database_url
from workshop.events import ALL_KINDS, hub
from workshop.services import live_signature

ASSETS = Path(__file__).resolve().parent / "assets"
HEARTBEAT_S = 15.0
# A new server process has a new boot id: a page that sees it change reloads itself, because its
# Streamlit session died with the old process.
BOOT_ID = secrets.token_hex(6)
COALESCE_S = 0.03
NOT_FOUND = Response(status_code=404)


def _secret() -> bytes:
    with new_session() as session:
        return tickets.server_secret(session=session)


async def _ticket(request: Request) -> tickets.Ticket | None:
    code = request.path_params["code"]
    return tickets.read(
        secret=await run_in_threadpool(_secret), ticket=request.query_params.get("t"), code=code
    )


def _board(workshop_id: int) -> tuple[int, bytes]:
    with new_session() as session:
        return board_json(session=session, workshop_id=workshop_id)


def board_message(body: bytes) -> bytes:
    """The board's data with this server's clock, so the countdown agrees with the server."""
    return b'{"now_ms":%d,"state":%s}' % (int(time.time() * 1000), body)


async def live_stream(request: Request) -> Response:
    ticket = await _ticket(request)
    if ticket is None:
        return NOT_FOUND
    board = ticket.sees_board
    kinds = {k for k in request.query_params.get("kinds", "").split(",") if k in ALL_KINDS}
    if board or not kinds:
        kinds = set(ALL_KINDS)
    # A screen may reach a fresh process before any page has run there: listen to the others now.
    notify.start(database_url())
    sub = hub.subscribe(ticket.code, kinds, asyncio.get_running_loop())

    async def stream():  # type: ignore[no-untyped-def]
        sent = -1
        try:
            yield f"retry: 2000\nevent: hello\ndata: {json.dumps({'boot': BOOT_ID})}\n\n".encode()
            if board:
                sent, body = await run_in_threadpool(_board, ticket.workshop_id)
                yield b"event: state\ndata: " + board_message(body) + b"\n\n"
            while True:
                try:
                    first = await asyncio.wait_for(sub.queue.get(), timeout=HEARTBEAT_S)
                except TimeoutError:
                    yield b": ping\n\n"
                    continue
                await asyncio.sleep(COALESCE_S)
                changed = set(first.split(","))
                while not sub.queue.empty():
                    changed.update(sub.queue.get_nowait().split(","))
                if board:
                    revision, body = await run_in_threadpool(_board, ticket.workshop_id)
                    if revision != sent:
                        sent = revision
                        yield b"event: state\ndata: " + board_message(body) + b"\n\n"
                else:
                    yield f"event: change\ndata: {','.join(sorted(changed))}\n\n".encode()
        finally:
            hub.unsubscribe(sub)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def board_route(request: Request) -> Response:
    ticket = await _ticket(request)
    if ticket is None or not ticket.sees_board:
        return NOT_FOUND
    try:
        _revision, body = await run_in_threadpool(_board, ticket.workshop_id)
    except LookupError:
        return NOT_FOUND
    return Response(board_message(body), media_type="application/json", headers={"Cache-Control": "no-store"})


def _signature(code: str) -> dict[str, str]:
    with new_session() as session:
        return live_signature(session=session, code=code)


async def live_signature_route(request: Request) -> Response:
    ticket = await _ticket(request)
    if ticket is None:
        return NOT_FOUND
    return JSONResponse(
        await run_in_threadpool(_signature, ticket.code), headers={"Cache-Control": "no-cache"}
    )


ROUTES = [
    Route("/live/{code}", live_stream),
    Route("/live/{code}/state", board_route),
    Route("/live/{code}/sig", live_signature_route),
    Mount("/assets", StaticFiles(directory=ASSETS), name="assets"),
]
