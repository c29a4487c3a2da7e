"""A phone without a browser: speaks Streamlit's own websocket protocol (protobuf BackMsg /
ForwardMsg on /_stcore/stream), so tests can put hundreds of phones on one server.

A session runs a page (``open``), finds widgets in what the server sent by the end of their id
(Streamlit ids end with the widget's key), and reruns with widget states the way the browser
does — a click inside a fragment carries that fragment's id.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

TIMEOUT_S = 120.0


@dataclass
class Widget:
    kind: str
    id: str
    fragment_id: str
    options: list[str] = field(default_factory=list)


@dataclass
class Run:
    messages: list[ForwardMsg]

    def widget(self, kind: str, key: str) -> Widget:
        for fm in self.messages:
            if fm.WhichOneof("type") != "delta" or fm.delta.WhichOneof("type") != "new_element":
                continue
            element = fm.delta.new_element
            if element.WhichOneof("type") == kind and getattr(element, kind).id.endswith(f"-{key}"):
                proto = getattr(element, kind)
                options = list(getattr(proto, "options", []) or [])
                return Widget(kind, proto.id, fm.delta.fragment_id, options)
        raise LookupError(f"no {kind} with key {key!r} on the page")

    def alerts(self) -> list[str]:
        return [
            fm.delta.new_element.alert.body
            for fm in self.messages
            if fm.WhichOneof("type") == "delta"
            and fm.delta.WhichOneof("type") == "new_element"
            and fm.delta.new_element.WhichOneof("type") == "alert"
        ]

    @property
    def page_script_hash(self) -> str:
        for fm in self.messages:
            if fm.WhichOneof("type") == "new_session":
                return fm.new_session.page_script_hash
        return ""


class Phone:
    def __init__(self, base: str) -> None:
        self.uri = base.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = None
        self.query = ""
        self.page_hash = ""

    async def __aenter__(self) -> Phone:
        self.ws = await websockets.connect(
            self.uri,
            subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"],
            max_size=None,
            open_timeout=TIMEOUT_S,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def _rerun(self, fill) -> Run:  # type: ignore[no-untyped-def]
        message = BackMsg()
        fill(message.rerun_script)
        await self.ws.send(message.SerializeToString())
        received: list[ForwardMsg] = []
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await asyncio.wait_for(self.ws.recv(), timeout=TIMEOUT_S))
            received.append(forward)
            if forward.WhichOneof("type") == "script_finished":
                return Run(received)

    async def open(self, page: str, query: str) -> Run:
        self.query = query

        def fill(state) -> None:  # type: ignore[no-untyped-def]
            state.query_string = query
            state.page_name = page

        run = await self._rerun(fill)
        self.page_hash = run.page_script_hash or self.page_hash
        return run

    async def act(self, states: list[WidgetState], *, fragment_id: str = "") -> Run:
        def fill(state) -> None:  # type: ignore[no-untyped-def]
            state.query_string = self.query
            state.page_script_hash = self.page_hash
            if fragment_id:
                state.fragment_id = fragment_id
            state.widget_states.widgets.extend(states)

        run = await self._rerun(fill)
        self.page_hash = run.page_script_hash or self.page_hash
        return run


def text_value(widget: Widget, value: str) -> WidgetState:
    return WidgetState(id=widget.id, string_value=value)


def choice(widget: Widget, index: int) -> WidgetState:
    return WidgetState(id=widget.id, string_value=widget.options[index])


def click(widget: Widget) -> WidgetState:
    return WidgetState(id=widget.id, trigger_value=True)


def run_apart(make: Callable[[], Awaitable[Any]]) -> Any:
    """Run ``make()`` on an event loop of its own thread: the browser tests' Playwright already
    runs a loop in this one."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(make())  # type: ignore[arg-type]
        except BaseException as err:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = err

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
