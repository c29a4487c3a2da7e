"""This browser's memory of its own credentials, in localStorage: the facilitator key and the
room key (so they can leave the projector's address bar). The server still checks every value
against the database. (A phone remembers the workshops it joined in its own cookies:
``web.phone``.)"""

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


def facilitator_slot(code: str) -> str:
    return f"facilitator:{code}"


def room_slot(code: str) -> str:
    return f"room:{code}"


_GO = r"""
export default function (component) {
  const url = component.data.url;
  if (typeof url === 'string' && url.startsWith('/')) window.location.assign(url);
}
"""
_go = st.components.v2.component("workshop_go", js=_GO)


def go_to(path: str) -> None:
    """Send this browser to one of the app's own addresses that is not a Streamlit page (the
    participants' light pages)."""
    _go(key="go_to", data={"url": path})
