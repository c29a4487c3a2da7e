"""Cleaning of participant-written text: untrusted, so normalised, bounded and never markup."""

from __future__ import annotations

import re
import unicodedata

import regex

from workshop.rules.errors import InvalidInput

# Every kind of space and line break becomes a space; control and format characters (zero-width,
# bidi overrides) are dropped — except inside an emoji, whose joiners and tags are part of it
# (👩🏽‍💻 is a woman, a skin tone, a zero-width joiner and a laptop; 🏴󠁧󠁢󠁳󠁣󠁴󠁿 a flag and tags).
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}
_GRAPHEME = regex.compile(r"\X")
_EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}")
_PART_OF_EMOJI = {"\u200d"} | {chr(c) for c in range(0xE0020, 0xE0080)}
_SPACES = re.compile(r"\s+")
# Printable characters that show nothing: a note made only of them is empty.
_BLANK_LOOKING = "\u3164\u2800\u115f\u1160\uffa0" + "".join(chr(c) for c in range(0xFE00, 0xFE10))


def _visible(cluster: str) -> str:
    """One user-perceived character without what shows nothing; an emoji keeps its joiners."""
    keep = _PART_OF_EMOJI if _EMOJI.search(cluster) else frozenset()
    return "".join(ch for ch in cluster if ch in keep or unicodedata.category(ch) not in _INVISIBLE)


def clean_text(value: object, *, field: str, max_len: int, required: bool = True) -> str:
    """Return ``value`` as one tidy line, or raise :class:`InvalidInput` naming the field."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput("error.not_text", field=field)
    text = unicodedata.normalize("NFC", value)
    text = "".join(" " if ch.isspace() else ch for ch in text)
    text = "".join(_visible(cluster) for cluster in _GRAPHEME.findall(text))
    text = _SPACES.sub(" ", text).strip()
    if required and not text.strip(_BLANK_LOOKING + " "):
        raise InvalidInput("error.empty", field=field)
    if len(text) > max_len:
        raise InvalidInput("error.too_long", field=field, max=max_len, length=len(text))
    return text


# Every ASCII punctuation character: CommonMark makes any of them literal when backslash-escaped.
_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Some renderers find links, emoji and icons in the text *after* escapes are resolved (GitHub-
# flavoured autolinks: a bare http://, www., an e-mail address; Streamlit's :emoji:, :icon: and
# :colour[...]): a zero-width space after each ":" and "@" and inside "www." breaks every one of
# them without changing what the reader sees.
_INVISIBLE_BREAK = "\u200b"


def markdown_literal(text: str) -> str:
    """``text`` made literal where Markdown is rendered (widget labels, options, help, captions):
    every ASCII punctuation character is backslash-escaped, links, emoji and icons the renderer
    would find by itself are broken by an invisible space, and line breaks become spaces (a new
    line could start a heading or a list)."""
    escaped = _ASCII_PUNCTUATION.sub(r"\\\1", " ".join(str(text).splitlines()))
    escaped = escaped.replace("\\:", "\\:" + _INVISIBLE_BREAK).replace("\\@", "\\@" + _INVISIBLE_BREAK)
    return re.sub(r"(?i)(www)(\\\.)", lambda m: m.group(1) + _INVISIBLE_BREAK + m.group(2), escaped)
