"""This phone's memory of the workshops it joined: the participant token kept in the
browser's localStorage, so scanning the QR code again offers "continue as ..." instead of a
second participant. The server still resolves the token against the database."""

from __future__ import annotations

import streamlit as st

_JS = r"""
export default function (component) {
  const { data, setStateValue } = component;
  const key = 'innovation-workshop:' + data.code;
  try {
    if (data.token) { localStorage.setItem(key, data.token); return; }
    const known = localStorage.getItem(key);
    if (known) setStateValue('token', known);
  } catch (e) { /* storage disabled: the URL still carries identity */ }
}
"""

_component = st.components.v2.component("workshop_memory", js=_JS)


def _noop() -> None:
    """Reading the stored token reruns the page once; nothing else to do."""


def remember(*, code: str, token: str) -> None:
    """On the phone page: keep this participant's token for this workshop."""
    _component(key="memory_keep", data={"code": code, "token": token})


def recall(*, code: str) -> str | None:
    """On the join page: the token this browser kept for the workshop, if any."""
    result = _component(
        key="memory_recall",
        data={"code": code, "token": None},
        default={"token": None},
        on_token_change=_noop,
    )
    value = getattr(result, "token", None)
    return value if isinstance(value, str) else None
