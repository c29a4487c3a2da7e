"""Browser tests: a real server process and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support import ARTIFACTS, CHROMIUM_ARGS, PROJECTOR, Server, chromium_path

# A loaded CI machine is slower than a desk: wait up to 15 s for what a person would see.
expect.set_options(timeout=15_000)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """The app on SQLite in a temporary file, or on the PostgreSQL that TEST_DATABASE_URL names
    (an empty schema for each test)."""
    ARTIFACTS.mkdir(exist_ok=True)
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url:
        from workshop.db.engine import make_engine

        engine = make_engine(url)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        engine.dispose()
    srv = Server(url or f"sqlite:///{tmp_path / 'workshop.db'}", tmp_path / "server.log")
    srv.start()
    yield srv
    srv.close()


# Per module, not per session: Playwright's sync API keeps an event loop running in this thread
# while it is open, and the suites after the browser tests run asyncio code of their own.
@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        try:
            path = chromium_path()
        except RuntimeError as err:
            pytest.fail(str(err))
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


# The profiles ``screens`` shares between a module's tests (closed at the module's end).
_SHARED: set = set()


@pytest.fixture(autouse=True)
def _close_what_the_test_opened(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every browser context a test opened is closed when it ends: a screen left open keeps its
    live connection and its timers running through the module's later tests."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    before = set(browser.contexts)
    yield
    for context in browser.contexts:
        if context not in before and context not in _SHARED:
            context.close()


@pytest.fixture(scope="module")
def _shared_profiles(browser):  # type: ignore[no-untyped-def]
    profiles: dict[tuple, object] = {}
    yield browser, profiles
    for context in profiles.values():
        _SHARED.discard(context)
        context.close()  # type: ignore[attr-defined]


@pytest.fixture
def screens(_shared_profiles):  # type: ignore[no-untyped-def]
    """``screens(viewport=..., locale=...)``: a new tab for a Streamlit screen, in one browser
    profile per viewport and language shared by the module's tests. The app's scripts are then
    fetched and compiled once per module: a tab costs about half the CPU of a fresh profile
    (measured: 1.6 s against 3.2 s for a projector screen). For screens that do not depend on a
    browser that has never seen the app; the tabs are closed when the test ends."""
    browser, profiles = _shared_profiles
    opened = []

    def open_screen(viewport: dict = PROJECTOR, locale: str = "ru-RU"):  # type: ignore[no-untyped-def]
        key = (viewport["width"], viewport["height"], locale)
        if key not in profiles:
            profiles[key] = browser.new_context(viewport=viewport, locale=locale)
            _SHARED.add(profiles[key])
        page = profiles[key].new_page()  # type: ignore[attr-defined]
        opened.append(page)
        return page

    yield open_screen
    for page in opened:
        if not page.is_closed():
            page.close()


def pytest_collection_modifyitems(items):  # type: ignore[no-untyped-def]
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
