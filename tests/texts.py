"""The app's texts as the tests read them: by their key, through the app's own ``t``, so a test
looks for what the screen shows and not for a copy of it. tests/test_i18n.py checks that every
key the browser tests name is in the catalogues and gets every placeholder its text has."""

from __future__ import annotations

import re
import string

from workshop.i18n import t


def ru(key: str, **kwargs: object) -> str:
    """The Russian text of ``key``, its placeholders filled in from ``kwargs``."""
    return t(key, "ru", **kwargs)


# What a regular expression gives a meaning to, in Python's and in the browser's alike.
_SPECIAL = re.compile(r"[.*+?^${}()|[\]\\/]")


def ru_pattern(key: str, **parts: str) -> str:
    """The Russian text of ``key`` as a regular expression, for a text the test cannot know in
    full: each placeholder is the pattern ``parts`` gives it (it must give one for every one), the
    rest of the text stands for itself. Playwright hands the pattern to the browser as it is, so
    only what both Python's and JavaScript's expressions treat as special is escaped."""
    pattern = ""
    for literal, name, _spec, _conversion in string.Formatter().parse(t(key, "ru")):
        pattern += _SPECIAL.sub(r"\\\g<0>", literal)
        if name is not None:
            pattern += f"(?:{parts[name]})"
    return pattern
