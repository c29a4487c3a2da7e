"""Extra HTTP routes on Streamlit's own server: the live event stream and its safety net.

``GET /live/{code}?kinds=step,poll`` is a server-sent event stream: one ``change`` event per
burst of changes in the workshop (coalesced), a ``hello`` with the server's boot id on
(re)connection, a comment every
15 s to keep proxies from closing it. ``GET /live/{code}/sig`` returns the workshop's cheap
fingerprints for the browser's slow safety-net poll.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ui.engine import new_session
from workshop import notify
from workshop.db import database_url
from workshop.events import ALL_KINDS, hub
from workshop.security import JOIN_ALPHABET, JOIN_CODE_LENGTH
from workshop.services import live_signature

_CODE = re.compile(f"^[{JOIN_ALPHABET}]{{{JOIN_CODE_LENGTH}}}$")
HEARTBEAT_S = 15.0
# A new server process has a new boot id: a page that sees it change reloads itself, because its
# Streamlit session died with the old process.
BOOT_ID = secrets.token_hex(6)
COALESCE_S = 0.03


async def live_stream(request: Request) -> Response:
    code = request.path_params["code"]
    if not _CODE.match(code):
        return Response(status_code=404)
    kinds = {k for k in request.query_params.get("kinds", "").split(",") if k in ALL_KINDS}
    # A screen may reach a fresh process before any page has run there: listen to the others now.
    notify.start(database_url())
    sub = hub.subscribe(code, kinds or ALL_KINDS, asyncio.get_running_loop())

    async def stream():  # type: ignore[no-untyped-def]
        try:
            yield f"retry: 2000\nevent: hello\ndata: {json.dumps({'boot': BOOT_ID})}\n\n"
            while True:
                try:
                    first = await asyncio.wait_for(sub.queue.get(), timeout=HEARTBEAT_S)
                except TimeoutError:
                    yield ": ping\n\n"
                    continue
                await asyncio.sleep(COALESCE_S)
                changed = set(first.split(","))
                while not sub.queue.empty():
                    changed.update(sub.queue.get_nowait().split(","))
                yield f"event: change\ndata: {','.join(sorted(changed))}\n\n"
        finally:
            hub.unsubscribe(sub)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _signature(code: str) -> dict[str, str]:
    with new_session() as session:
        return live_signature(session=session, code=code)


async def live_signature_route(request: Request) -> Response:
    code = request.path_params["code"]
    if not _CODE.match(code):
        return Response(status_code=404)
    return JSONResponse(await run_in_threadpool(_signature, code), headers={"Cache-Control": "no-cache"})


ROUTES = [
    Route("/live/{code}", live_stream),
    Route("/live/{code}/sig", live_signature_route),
]
