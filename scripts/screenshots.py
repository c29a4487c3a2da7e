"""Screenshots of every step for the README: the room's projector (1920x1080) and a phone (390x844).

For each stop of ``tests.scenario.STOPS`` a workshop is built through the services in a temporary
SQLite file; one server process serves them all, and Debian's Chromium (Playwright) shoots

    00_start.png                  the start page, projector size
    00_join.png                   the join page of a workshop in its lobby, phone size
    {nn}_{stop}_projector.png     /projector?w=CODE&r=ROOM (the room's view, no controls)
    {nn}_{stop}_phone.png         /phone?p=TOKEN of the first participant (its light page)
    {nn}_{stop}_facilitator.png   /control?w=CODE&k=KEY, the facilitator's own screen (1440x900)

``nn`` is the stop's place in ``STOPS`` (01..), so a partial run overwrites the same files.

    python -m scripts.screenshots [--out docs/screenshots] [--stops lobby,presentation] [--lang ru]

Exits non-zero if a Streamlit page shows an exception, or a phone's light page answers with an
error.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Error, sync_playwright

from tests.scenario import STOPS, Built, build_workshop
from tests.support import CHROMIUM_ARGS, PHONE, PROJECTOR, ROOT, Server, chromium_path

LAPTOP = {"width": 1440, "height": 900}  # the facilitator's own screen

OUT = ROOT / "docs" / "screenshots"
LOCALES = {"ru": "ru-RU", "en": "en-US"}
LOAD_TIMEOUT_MS = 30_000
# A page's live stream (server-sent events) stays open: should the network not go idle for
# Playwright, wait this long for it, then go on with the other checks.
IDLE_TIMEOUT_MS = 5_000
SETTLE_S = 1.0
QUIET_MS = 1_000  # the main area's element count unchanged this long

FINISHED_RUN = '[data-testid="stApp"][data-test-script-state="notRunning"]'
QUIET = """
(quietMs) => {
  const n = document.querySelectorAll('[data-testid="stMain"] *').length;
  const now = Date.now();
  const w = window;
  if (n !== w.__shotCount) { w.__shotCount = n; w.__shotSince = now; }
  return n > 0 && now - w.__shotSince >= quietMs;
}
"""
PLOTS_DRAWN = """
() => [...document.querySelectorAll('.js-plotly-plot')].every((p) => p.querySelector('.main-svg'))
"""


# The participants' join and phone pages are light pages (web.phone), not Streamlit pages.
LIGHT_PAGES = ("/join", "/phone")
LIGHT_READY = """
() => document.readyState === 'complete' && document.fonts.status === 'loaded'
  && document.querySelector('main') !== null
  && (!document.getElementById('live') || !!window.htmx)
"""


class PageFailed(RuntimeError):
    """A page showed a Streamlit exception (or a light page answered with an error)."""


def _shoot_light(page, url: str, path: Path) -> str:  # type: ignore[no-untyped-def]
    """A phone's light page: its answer, its fonts and its scripts loaded; no run to wait for."""
    answer = page.goto(url, wait_until="load", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_function(LIGHT_READY, timeout=LOAD_TIMEOUT_MS)
    time.sleep(SETTLE_S / 2)
    page.screenshot(path=str(path))
    if answer is None or answer.status >= 400:
        status = answer.status if answer is not None else "no answer"
        return f"HTTP {status}: {page.locator('main').inner_text()[:300]}"
    return ""


def _shoot(
    browser: Browser, url: str, viewport: dict[str, int], path: Path, *, lang: str, mobile: bool
) -> str:
    """Open ``url`` in a fresh context, wait until it has really rendered, save the PNG.

    Returns the text of any Streamlit exception on the page, or a light page's error ("" if
    none)."""
    context = browser.new_context(
        viewport=viewport, locale=LOCALES.get(lang, lang), is_mobile=mobile, has_touch=mobile
    )
    try:
        page = context.new_page()
        if urlsplit(url).path in LIGHT_PAGES:
            return _shoot_light(page, url, path)
        page.goto(url, wait_until="domcontentloaded", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=LOAD_TIMEOUT_MS)
        with contextlib.suppress(Error):
            page.wait_for_load_state("networkidle", timeout=IDLE_TIMEOUT_MS)
        # The network can be idle before the page script has run (its output comes over the
        # websocket): wait for a finished run, then for the main area to stop growing.
        page.wait_for_selector(FINISHED_RUN, state="attached", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_function(QUIET, arg=QUIET_MS, timeout=LOAD_TIMEOUT_MS, polling=100)
        page.wait_for_function(PLOTS_DRAWN, timeout=LOAD_TIMEOUT_MS)
        time.sleep(SETTLE_S)
        page.screenshot(path=str(path))
        errors = page.locator('[data-testid="stException"]')
        return "Streamlit exception:\n" + "\n".join(errors.all_inner_texts()) if errors.count() else ""
    finally:
        context.close()


PUBLIC_BASE_URL = "https://workshop.example.com"


def take(out_dir: Path, stops: list[str], lang: str = "ru", browser: Browser | None = None) -> list[Path]:
    """Build a workshop at each stop, shoot its projector and a phone; returns the files written.
    ``browser``: a running Chromium to use (the tests pass theirs); else one is started.

    Raises ``PageFailed`` (after shooting everything) if any page showed a Streamlit exception or
    a light page answered with an error."""
    unknown = [s for s in stops if s not in STOPS]
    if unknown:
        raise ValueError(f"unknown stop(s) {', '.join(unknown)}; known: {', '.join(STOPS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'screenshots.db'}"
        # The start page's own default map: the 36 trends of 2026.
        built: dict[str, Built] = {
            stop: build_workshop(db_url, stop=stop, map_id="consumer-b2b-2026") for stop in stops
        }
        lobby = built.get("lobby") or build_workshop(db_url, stop="lobby")
        # A plausible public address in the QR code instead of this machine's loopback one.
        server = Server(db_url, Path(tmp) / "server.log", public_base_url=PUBLIC_BASE_URL)
        server.start()
        try:
            with contextlib.ExitStack() as stack:
                if browser is None:
                    playwright = stack.enter_context(sync_playwright())
                    browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
                    stack.callback(browser.close)
                shots: list[tuple[str, dict[str, int], str, bool]] = [
                    ("/", PROJECTOR, "00_start.png", False),
                    (f"/join?code={lobby.code}", PHONE, "00_join.png", True),
                ]
                for stop, b in built.items():
                    nn = f"{STOPS.index(stop) + 1:02d}"
                    shots.append(
                        (f"/projector?{b.room_query}", PROJECTOR, f"{nn}_{stop}_projector.png", False)
                    )
                    shots.append((f"/phone?p={b.tokens[0]}", PHONE, f"{nn}_{stop}_phone.png", True))
                    shots.append(
                        (f"/control?w={b.code}&k={b.key}", LAPTOP, f"{nn}_{stop}_facilitator.png", False)
                    )
                for url, viewport, name, mobile in shots:
                    path = out_dir / name
                    started = time.monotonic()
                    error = _shoot(browser, server.base + url, viewport, path, lang=lang, mobile=mobile)
                    print(f"{path}  ({time.monotonic() - started:.1f} s)", flush=True)  # noqa: T201
                    written.append(path)
                    if error:
                        failures.append(f"{name} ({url}): {error}")
        finally:
            server.close()
            if failures:
                log = Path(tmp) / "server.log"
                tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
                failures.append(f"server log (tail):\n{tail}")
    if failures:
        raise PageFailed("\n\n".join(failures))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.screenshots", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNG files")
    parser.add_argument(
        "--stops", default=",".join(STOPS), help=f"comma-separated, from: {','.join(STOPS)} (default: all)"
    )
    parser.add_argument("--lang", default="ru", choices=sorted(LOCALES), help="the browser's language")
    args = parser.parse_args(argv)
    stops = [s.strip() for s in args.stops.split(",") if s.strip()]
    started = time.monotonic()
    try:
        written = take(args.out, stops, args.lang)
    except ValueError as err:
        parser.error(str(err))
    except PageFailed as err:
        print(f"screenshots: a page shows an error\n{err}", file=sys.stderr)  # noqa: T201
        return 1
    print(f"{len(written)} screenshots in {args.out} ({time.monotonic() - started:.0f} s)")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
