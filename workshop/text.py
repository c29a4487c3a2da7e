"""Cleaning of participant-written text: untrusted, so normalised, bounded and never markup."""

from __future__ import annotations

import re
import unicodedata

from workshop.errors import InvalidInput

# Every kind of space and line break becomes a space; control and format characters (zero-width,
# bidi overrides) are dropped.
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}
_SPACES = re.compile(r"\s+")
# Printable characters that show nothing: a note made only of them is empty.
_BLANK_LOOKING = "\u3164\u2800\u115f\u1160\uffa0" + "".join(chr(c) for c in range(0xFE00, 0xFE10))


def clean_text(value: object, *, field: str, max_len: int, required: bool = True) -> str:
    """Return ``value`` as one tidy line, or raise :class:`InvalidInput` naming the field."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput("error.not_text", field=field)
    text = unicodedata.normalize("NFC", value)
    text = "".join(" " if ch.isspace() else ch for ch in text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE)
    text = _SPACES.sub(" ", text).strip()
    if required and not text.strip(_BLANK_LOOKING + " "):
        raise InvalidInput("error.empty", field=field)
    if len(text) > max_len:
        raise InvalidInput("error.too_long", field=field, max=max_len, length=len(text))
    return text


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])")


def markdown_literal(text: str) -> str:
    """``text`` made literal in Markdown: every character Markdown or HTML could read as markup
    is backslash-escaped, and line breaks become spaces (a new line could start a heading)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).splitlines()))
