"""A big screen without a browser: speaks Streamlit's own websocket protocol (protobuf
BackMsg / ForwardMsg on /_stcore/stream) and reads the app's live event stream, so one process
can put many room projectors and facilitator screens on a server (the load bench, the tests).
The participants' phones are not Streamlit pages: ``practice.participant`` takes their path.

A session runs a page (``open``), finds widgets in what the server sent by the end of their id
(Streamlit ids end with the widget's key), and reruns with widget states the way the browser
does — a click inside a fragment carries that fragment's id. Like the browser it keeps the large
elements it has already received and tells the server so, which then sends only their hashes.

``event_stream`` reads a server-sent event stream (``/live/CODE?kinds=...``) over a plain
HTTP/1.1 connection; ``http_get`` fetches a small response.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import parse_qs, urlsplit

import websockets
from streamlit.components.v2.bidi_component.constants import EVENT_DELIM
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.runtime.state.session_state import STREAMLIT_INTERNAL_KEY_PREFIX

TIMEOUT_S = 120.0
# How many large elements a phone keeps to be sent as hashes (the browser keeps them too).
CACHE_SIZE = 256
# Streamlit's alert formats, by the names the pages use (st.error, st.warning, ...).
_ALERT_KINDS = {
    Alert.ERROR: "error",
    Alert.WARNING: "warning",
    Alert.INFO: "info",
    Alert.SUCCESS: "success",
}


class ProtocolError(Exception):
    """The server answered something a browser would not expect."""


@dataclass
class Widget:
    kind: str
    id: str
    fragment_id: str
    options: list[str] = field(default_factory=list)
    proto: Any = None

    @property
    def key(self) -> str:
        """The key the page gave the widget (Streamlit's ids are ``$$ID-<hash>-<key>``)."""
        if self.id.startswith("$$ID-") and self.id.count("-") >= 2:
            return self.id.split("-", 2)[2]
        return self.id

    @property
    def label(self) -> str:
        return str(getattr(self.proto, "label", ""))

    @property
    def value(self) -> Any:
        """The value the page drew the widget with (set by the page, else its default)."""
        proto = self.proto
        if proto is None:
            return None
        if getattr(proto, "set_value", False):
            return getattr(proto, "raw_value", None) if self.kind == "radio" else proto.value
        if self.kind == "radio":
            return self.options[proto.default] if proto.HasField("default") else None
        return getattr(proto, "default", None)


@dataclass
class LiveElement:
    """The page's live element: its data (what the browser's script reads) and how to fire it."""

    id: str
    fragment_id: str
    data: dict[str, Any]

    @property
    def trigger_id(self) -> str:
        """The id the browser sends its trigger events under (one per component instance)."""
        return f"{STREAMLIT_INTERNAL_KEY_PREFIX}_{self.id}{EVENT_DELIM}events"


@dataclass
class Run:
    messages: list[ForwardMsg]

    @cached_property
    def _elements(self) -> list[tuple[str, Any, str]]:
        found = []
        for fm in self.messages:
            if fm.WhichOneof("type") != "delta" or fm.delta.WhichOneof("type") != "new_element":
                continue
            element = fm.delta.new_element
            kind = element.WhichOneof("type")
            if kind:
                found.append((kind, getattr(element, kind), fm.delta.fragment_id))
        return found

    def widgets(self, kind: str, prefix: str = "") -> list[Widget]:
        """Every ``kind`` widget whose key starts with ``prefix``, in page order."""
        found = []
        for element_kind, proto, fragment_id in self._elements:
            if element_kind != kind:
                continue
            widget = Widget(kind, proto.id, fragment_id, list(getattr(proto, "options", []) or []), proto)
            if widget.key.startswith(prefix):
                found.append(widget)
        return found

    def find(self, kind: str, key: str) -> Widget | None:
        for element_kind, proto, fragment_id in self._elements:
            if element_kind == kind and proto.id.endswith(f"-{key}"):
                return Widget(kind, proto.id, fragment_id, list(getattr(proto, "options", []) or []), proto)
        return None

    def widget(self, kind: str, key: str) -> Widget:
        found = self.find(kind, key)
        if found is None:
            raise LookupError(f"no {kind} with key {key!r} on the page")
        return found

    def form_submitter(self, form: str) -> Widget | None:
        """A form's submit button (its id names the form and the button's label)."""
        marker = f"FormSubmitter:{form}-"
        return next((w for w in self.widgets("button") if marker in w.id), None)

    def alerts(self) -> list[str]:
        return [proto.body for kind, proto, _f in self._elements if kind == "alert"]

    def alerts_of(self, kind: str) -> list[str]:
        """Messages of one kind: ``error``, ``warning``, ``info`` or ``success``."""
        return [
            proto.body
            for element_kind, proto, _f in self._elements
            if element_kind == "alert" and _ALERT_KINDS.get(proto.format) == kind
        ]

    def texts(self, *kinds: str) -> list[str]:
        """Bodies of headings, Markdown and HTML (or only of ``kinds``), in page order."""
        wanted = set(kinds) or {"heading", "markdown", "html"}
        return [str(proto.body) for kind, proto, _f in self._elements if kind in wanted]

    @property
    def page_script_hash(self) -> str:
        """The page that ran (with ``st.navigation`` the navigation message names it)."""
        for fm in reversed(self.messages):
            if fm.WhichOneof("type") == "navigation" and fm.navigation.page_script_hash:
                return fm.navigation.page_script_hash
        for fm in self.messages:
            if fm.WhichOneof("type") == "new_session":
                return fm.new_session.page_script_hash
        return ""

    @property
    def query_string(self) -> str | None:
        """The address's query string when the page changed it (``st.switch_page``, ``query_params``)."""
        for fm in reversed(self.messages):
            if fm.WhichOneof("type") == "page_info_changed":
                return fm.page_info_changed.query_string
        return None

    @property
    def query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.query_string or "").items()}


class Phone:
    """One browser tab's Streamlit session over the websocket."""

    def __init__(self, base: str, *, timeout: float = TIMEOUT_S) -> None:
        self.uri = base.replace("http://", "ws://").replace("https://", "wss://") + "/_stcore/stream"
        self.timeout = timeout
        self.ws: Any = None
        self.query = ""
        self.page_hash = ""
        self._cache: dict[str, ForwardMsg] = {}
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> Phone:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def connect(self) -> None:
        self.ws = await websockets.connect(
            self.uri,
            subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"],
            max_size=None,
            open_timeout=self.timeout,
            # The server pings; like a browser, the phone only answers.
            ping_interval=None,
        )

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def wait_closed(self) -> None:
        """Return when the server has closed the connection (it does on shutdown)."""
        if self.ws is not None:
            await self.ws.wait_closed()

    def _received(self, raw: bytes) -> ForwardMsg:
        forward = ForwardMsg()
        forward.ParseFromString(raw)
        if forward.WhichOneof("type") == "ref_hash":
            cached = self._cache.get(forward.ref_hash)
            if cached is None:
                raise ProtocolError(
                    f"the server referred to an element this phone never had: {forward.ref_hash}"
                )
            whole = ForwardMsg()
            whole.CopyFrom(cached)
            whole.metadata.CopyFrom(forward.metadata)
            return whole
        if forward.metadata.cacheable and forward.hash:
            self._cache[forward.hash] = forward
        return forward

    async def _rerun(self, fill: Callable[[Any], None]) -> Run:
        if self.ws is None:
            raise ProtocolError("not connected")
        async with self._lock:
            # Forget the oldest elements between runs, never during one (the server may refer
            # to any element this phone said it has).
            while len(self._cache) > CACHE_SIZE:
                del self._cache[next(iter(self._cache))]
            message = BackMsg()
            fill(message.rerun_script)
            message.rerun_script.cached_message_hashes.extend(self._cache)
            await self.ws.send(message.SerializeToString())
            received: list[ForwardMsg] = []
            while True:
                raw = await asyncio.wait_for(self.ws.recv(), timeout=self.timeout)
                if isinstance(raw, str):
                    raise ProtocolError("the server sent text on the websocket")
                forward = self._received(raw)
                received.append(forward)
                # A run the page itself replaced (st.switch_page, st.rerun) is followed by the next.
                if (
                    forward.WhichOneof("type") == "script_finished"
                    and forward.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
                ):
                    run = Run(received)
                    self.page_hash = run.page_script_hash or self.page_hash
                    if run.query_string is not None:
                        self.query = run.query_string
                    return run

    async def open(self, page: str, query: str) -> Run:
        self.query = query

        def fill(state: Any) -> None:
            state.query_string = query
            state.page_name = page

        return await self._rerun(fill)

    async def act(self, states: list[WidgetState], *, fragment_id: str = "") -> Run:
        def fill(state: Any) -> None:
            state.query_string = self.query
            state.page_script_hash = self.page_hash
            if fragment_id:
                state.fragment_id = fragment_id
            state.widget_states.widgets.extend(states)

        return await self._rerun(fill)


def text_value(widget: Widget, value: str) -> WidgetState:
    return WidgetState(id=widget.id, string_value=value)


def choice(widget: Widget, index: int) -> WidgetState:
    return WidgetState(id=widget.id, string_value=widget.options[index])


def click(widget: Widget) -> WidgetState:
    return WidgetState(id=widget.id, trigger_value=True)


def tick(widget: Widget, value: bool = True) -> WidgetState:
    return WidgetState(id=widget.id, bool_value=value)


def number(widget: Widget, value: float) -> WidgetState:
    """A number input's value (Streamlit sends every number input's value as a double)."""
    return WidgetState(id=widget.id, double_value=float(value))


def live_trigger(live: LiveElement, why: str) -> WidgetState:
    """What the browser's live element sends when it asks for a rerun (``setTriggerValue``)."""
    return WidgetState(id=live.trigger_id, json_trigger_value=json.dumps([{"event": "event", "value": why}]))


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


# --------------------------------------------------------------------------- plain HTTP


@dataclass(frozen=True)
class ServerEvent:
    """One server-sent event: its name (``message`` when unnamed) and data."""

    name: str
    data: str


class HttpError(Exception):
    def __init__(self, status: int, path: str) -> None:
        super().__init__(f"HTTP {status} for {path}")
        self.status = status


async def _request(base: str, path: str, accept: str, *, keep_alive: bool, timeout: float):  # type: ignore[no-untyped-def]
    parts = urlsplit(base)
    host = parts.hostname or "127.0.0.1"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(host, port, ssl=parts.scheme == "https" or None), timeout=timeout
    )
    try:
        prefix = parts.path.rstrip("/")
        writer.write(
            (
                f"GET {prefix}{path} HTTP/1.1\r\n"
                f"Host: {parts.netloc}\r\n"
                f"Accept: {accept}\r\n"
                "Cache-Control: no-cache\r\n"
                f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
            ).encode("ascii")
        )
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), timeout=timeout)
        pieces = status_line.decode("latin-1").split()
        if len(pieces) < 2 or not pieces[1].isdigit():
            raise ProtocolError(f"not an HTTP answer: {status_line[:80]!r}")
        headers: dict[str, str] = {}
        while True:
            line = await asyncio.wait_for(reader.readline(), timeout=timeout)
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
    except BaseException:
        await _close(writer)
        raise
    return int(pieces[1]), headers, reader, writer


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(Exception):
        await writer.wait_closed()


async def _body_chunks(reader: asyncio.StreamReader, headers: dict[str, str]) -> AsyncIterator[bytes]:
    """The response body as it arrives, whether chunked, sized or read to the end."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        while True:
            size_line = await reader.readline()
            if not size_line:
                return
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                await reader.readline()
                return
            chunk = await reader.readexactly(size)
            await reader.readexactly(2)
            yield chunk
    elif "content-length" in headers:
        remaining = int(headers["content-length"])
        while remaining > 0:
            chunk = await reader.read(min(remaining, 65536))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk
    else:
        while chunk := await reader.read(65536):
            yield chunk


async def http_get(base: str, path: str, *, timeout: float = 10.0) -> tuple[int, bytes]:
    """GET ``path`` and return the status and body."""

    async def fetch() -> tuple[int, bytes]:
        status, headers, reader, writer = await _request(
            base, path, "application/json", keep_alive=False, timeout=timeout
        )
        try:
            body = b"".join([chunk async for chunk in _body_chunks(reader, headers)])
        finally:
            await _close(writer)
        return status, body

    return await asyncio.wait_for(fetch(), timeout=timeout)


async def event_stream(base: str, path: str, *, timeout: float = 10.0) -> AsyncIterator[ServerEvent]:
    """Server-sent events from ``path`` until the server ends the stream. Comments (heartbeats)
    are skipped; a refused answer raises :class:`HttpError`."""
    status, headers, reader, writer = await _request(
        base, path, "text/event-stream", keep_alive=True, timeout=timeout
    )
    try:
        if status != 200:
            raise HttpError(status, path)
        buffer = b""
        name, data = "", []
        async for chunk in _body_chunks(reader, headers):
            buffer += chunk
            while True:
                cut = buffer.find(b"\n")
                if cut < 0:
                    break
                line = buffer[:cut].rstrip(b"\r").decode("utf-8", "replace")
                buffer = buffer[cut + 1 :]
                if not line:
                    if data or name:
                        yield ServerEvent(name or "message", "\n".join(data))
                    name, data = "", []
                elif line.startswith(":"):
                    continue
                else:
                    key, _, value = line.partition(":")
                    value = value.removeprefix(" ")
                    if key == "event":
                        name = value
                    elif key == "data":
                        data.append(value)
    finally:
        await _close(writer)
