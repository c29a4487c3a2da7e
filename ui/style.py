"""Page styles: a projector readable from the back of the room, a phone for one thumb, the
facilitator's screen, the managers' desk. The rules are in ``ui/assets/*.css``; each page puts the
ones it needs on itself."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import streamlit as st

ASSETS = Path(__file__).resolve().parent / "assets"
# With the facilitator's sidebar the page keeps Streamlit's header (the sidebar's toggle) above
# the content; the room's projector shows no Streamlit chrome at all.
_PROJECTOR_CHROME = ".stMainBlockContainer { padding-top: 2.4rem; }"
_PROJECTOR_NO_CHROME = 'header[data-testid="stHeader"] { display: none; }'


@cache
def _css(*names: str) -> str:
    return (
        "<style>"
        + "\n".join((ASSETS / f"{name}.css").read_text(encoding="utf-8") for name in names)
        + "</style>"
    )


def projector_style(*, chrome: bool) -> None:
    st.html(
        _css("page", "projector")
        + "<style>"
        + (_PROJECTOR_CHROME if chrome else _PROJECTOR_NO_CHROME)
        + "</style>"
    )


def phone_style() -> None:
    st.html(_css("page", "phone"))


def control_style() -> None:
    """The facilitator's screen: one thumb on a phone, a readable column on a laptop."""
    st.html(_css("page", "phone", "control"))


def manager_style() -> None:
    """A desk screen: wide tables, normal type."""
    st.html(_css("page", "manager"))


def day_style() -> None:
    """The organizer's screen of an innovation day: wide, every group at a glance."""
    st.html(_css("page", "manager", "day"))


def gallery_style() -> None:
    """The innovation day's gallery on the main projector: no Streamlit chrome, big type."""
    st.html(_css("page", "projector", "day") + f"<style>{_PROJECTOR_NO_CHROME}</style>")
