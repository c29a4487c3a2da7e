"""This browser's memory of its own credentials, in localStorage: a phone's participant token
per workshop (scanning the QR code again offers "continue as ..." instead of a second
participant) and the facilitator key (so it can leave the projector's address bar). The server
still checks every value against the database."""

from __future__ import annotations

import streamlit as st

_JS = r"""
export default function (component) {
  const { data, setStateValue } = component;
  const key = 'innovation-workshop:' + data.name;
  try {
    if (data.value) { localStorage.setItem(key, data.value); return; }
    const known = localStorage.getItem(key);
    if (known) setStateValue('value', known);
  } catch (e) { /* storage disabled: the URL still carries identity */ }
}
"""

_component = st.components.v2.component("workshop_memory", js=_JS)


def _noop() -> None:
    """Reading a stored value reruns the page once; nothing else to do."""


def remember(name: str, value: str) -> None:
    _component(key=f"keep_{name}", data={"name": name, "value": value})


def recall(name: str) -> str | None:
    result = _component(
        key=f"recall_{name}",
        data={"name": name, "value": None},
        default={"value": None},
        on_value_change=_noop,
    )
    value = getattr(result, "value", None)
    return value if isinstance(value, str) and len(value) < 200 else None


def participant_slot(code: str) -> str:
    return f"participant:{code}"


def facilitator_slot(code: str) -> str:
    return f"facilitator:{code}"


def room_slot(code: str) -> str:
    return f"room:{code}"
