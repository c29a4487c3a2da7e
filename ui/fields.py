"""Text fields held to their limits the way a person expects: typing stops at the limit, a longer
paste is cut there and kept with a note, and the service refuses anything longer with a message
naming the limit. (Streamlit's own ``max_chars`` would instead cut a longer value on the server
without a word, so it is not used.)"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui.common import lang, tr
from ui.live import text_limit
from workshop.db.models import WorkshopSettings
from workshop.i18n import t


def text_field(label: str, *, key: str, max_len: int, area: bool = False, **kwargs: Any) -> str:
    widget = st.text_area if area else st.text_input
    value = widget(label, key=key, **kwargs)
    text_limit(key=key, max_len=max_len, message=t("field.cut", lang(), max="{max}"))
    return str(value or "")


def setting_input(
    column, name: str, value: int | None = None, *, key: str | None = None, **kwargs: Any
) -> None:  # type: ignore[no-untyped-def]
    """A number field for the setting ``name``, within its bounds, starting at its default."""
    low, high = WorkshopSettings.bounds(name)
    start = WorkshopSettings.default(name) if value is None else value
    column.number_input(tr(f"field.{name}"), low, high, start, key=key or name, **kwargs)
