"""Browser tests: a real server process and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support import ARTIFACTS, CHROMIUM_ARGS, Server, chromium_path

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


def pytest_collection_modifyitems(items):  # type: ignore[no-untyped-def]
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
