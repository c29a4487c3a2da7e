"""Cleaning of participant-written text: untrusted, so normalised, bounded and never markup."""

from __future__ import annotations

import re
import unicodedata

from workshop.errors import InvalidInput

# Control and format characters (zero-width, bidi overrides) are dropped; newlines become spaces.
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}
_SPACES = re.compile(r"\s+")


def clean_text(value: object, *, field: str, max_len: int, required: bool = True) -> str:
    """Return ``value`` as one tidy line, or raise :class:`InvalidInput` naming the field."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput("error.not_text", field=field)
    text = unicodedata.normalize("NFC", value)
    text = "".join(" " if ch in "\n\r\t" else ch for ch in text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE)
    text = _SPACES.sub(" ", text).strip()
    if required and not text:
        raise InvalidInput("error.empty", field=field)
    if len(text) > max_len:
        raise InvalidInput("error.too_long", field=field, max=max_len, length=len(text))
    return text
