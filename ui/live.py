"""The live elements a page mounts: its one connection to the workshop, and the parts it patches.

Both are Streamlit components whose script is ``ui/assets/board.js`` (served by the app's own
``/assets`` route, so a room without internet works and the browser caches it):

- ``live``: the page's one live element. It shows the step's countdown from the deadline
  (ticking in the browser, so a running timer costs the server nothing) and holds the event
  stream. On a big screen (``screen`` "room" or "facilitator") it receives the workshop's
  board data and asks for a page run only when the screen's layout key changes. A slow poll is
  the safety net. (The phones are light pages of their own: ``web.phone``.)
- ``part``: a piece of a big screen patched from the board data (roster, warnings, the trend
  map, the pick line, the ballot count, the wall of notes, the facilitator's tidy-up), drawn
  from the data the page run had and updated in the browser after that.

The elements render into the page itself (no shadow root), so the page's styles apply.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

ASSETS = Path(__file__).resolve().parent / "assets"
VERSION = hashlib.sha256(
    b"".join((ASSETS / name).read_bytes() for name in ("board.js", "board.css"))
).hexdigest()[:12]


def _loader(entry: str) -> str:
    # Several lines: Streamlit takes a one-line string with a slash in it for a file path.
    return (
        "export default async function (component) {\n"
        f"  const url = new URL('/assets/board.js?v={VERSION}', window.location.origin).href;\n"
        f"  return (await import(url)).{entry}(component);\n"
        "}\n"
    )


_live = st.components.v2.component("workshop_live", js=_loader("mountLive"), isolate_styles=False)
_part = st.components.v2.component("workshop_board", js=_loader("mountPart"), isolate_styles=False)
_limit = st.components.v2.component("workshop_limit", js=_loader("mountLimit"), isolate_styles=False)


def _noop() -> None:
    """The trigger itself reruns the page (or fragment); nothing else to do."""


def now_ms() -> int:
    return int(time.time() * 1000)


def live(
    *,
    code: str,
    ticket: str,
    screen: str,
    labels: dict[str, str],
    layout: str = "",
    state: dict | None = None,
    size: str = "small",
    key: str = "live",
    poll_seconds: float = 20.0,
    sound: bool = False,
    fullscreen: bool = False,
) -> None:
    """``screen`` "room" or "facilitator": patched from the board ``state``."""
    _live(
        key=key,
        data={
            "mode": "board",
            "code": code,
            "ticket": ticket,
            "screen": screen,
            "layout": layout,
            "state": state,
            "server_now_ms": now_ms(),
            "labels": labels,
            "size": size,
            "poll_ms": int(poll_seconds * 1000),
            "sound": sound,
            "fullscreen": fullscreen,
        },
        on_event_change=_noop,
    )


def part(
    name: str,
    *,
    code: str,
    state: dict | None,
    key: str,
    labels: dict[str, Any] | None = None,
    screen: str = "projector",
    lang: str = "ru",
    on_action: Callable[[], None] | None = None,
    **extra: Any,
) -> None:
    """Mount the patched part ``name`` with the board ``state`` the page run read."""
    callbacks = {"on_action_change": on_action} if on_action is not None else {}
    _part(
        key=key,
        data={
            "part": name,
            "code": code,
            "state": state,
            "server_now_ms": now_ms(),
            "labels": labels or {},
            "screen": screen,
            "lang": lang,
            **extra,
        },
        **callbacks,
    )


def action_of(key: str) -> dict | None:
    """The action a part sent (its trigger value), read inside its ``on_action`` callback."""
    value = st.session_state.get(key)
    try:
        action = value.get("action") if value is not None else None  # type: ignore[union-attr]
    except AttributeError:
        action = getattr(value, "action", None)
    return action if isinstance(action, dict) else None


def text_limit(*, key: str, max_len: int, message: str) -> None:
    """Hold the text field ``key`` to ``max_len`` characters in the browser: a longer paste is
    cut at the limit, kept, and ``message`` ("{max}") says so."""
    _limit(key=f"limit_{key}", data={"key": key, "max": max_len, "message": message}, height=0)
