"""Texts of the transfer part, merged into ``workshop.i18n.CATALOGUE``: key: (Russian, English)."""

from __future__ import annotations

CATALOGUE: dict[str, tuple[str, str]] = {}
