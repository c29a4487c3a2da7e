"""The app's texts as the tests read them: by their key, through the app's own ``t``, so a test
looks for what the screen shows and not for a copy of it. tests/test_i18n.py checks that every
key the browser tests name is in the catalogues and gets every placeholder its text has."""

from __future__ import annotations

from workshop.i18n import t


def ru(key: str, **kwargs: object) -> str:
    """The Russian text of ``key``, its placeholders filled in from ``kwargs``."""
    return t(key, "ru", **kwargs)

