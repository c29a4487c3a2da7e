"""The Streamlit settings the product relies on stay set."""

from __future__ import annotations

import tomllib
from pathlib import Path

CONFIG = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())


def test_xsrf_protection_stays_on() -> None:
    assert CONFIG["server"]["enableXsrfProtection"] is True


def test_the_garbage_collection_after_every_rerun_is_off() -> None:
    assert CONFIG["runner"]["postScriptGC"] is False


def test_streamlit_does_not_show_its_page_menu_or_error_details() -> None:
    assert CONFIG["client"]["showSidebarNavigation"] is False
    assert CONFIG["client"]["showErrorDetails"] == "none"
