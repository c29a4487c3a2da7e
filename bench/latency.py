"""Live-update latency in real Chromium: a phone's submit -> visible on the projector.

One server process (the project's own config), a projector page (1920x1080) and six phones
(390x844). Each phone in turn sends an obstacle note; the projector records, with a
MutationObserver, the moment the note's card appears; the phone records the moment its send
button was clicked. Both use ``Date.now()`` on one machine. Measured for the room's projector
and the facilitator's projector with controls (both patched from the board's data, no page run),
and for ballots (the projector's "voted" count). Then every screen stays idle and we count the
messages the browsers send to the server (each rerun is one): idle screens should send none.

    python -m bench.latency [--submits 30] [--idle 20]

Writes bench/latency.json and prints a summary.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.scenario import build_workshop
from tests.support import CHROMIUM_ARGS, PHONE, PROJECTOR, Server, chromium_path
from workshop.services import Settings

OUT = Path(__file__).resolve().parent / "latency.json"

OBSERVE = """
() => {
  window.__seen = {};
  const scan = () => {
    for (const card of document.querySelectorAll('.note-card')) {
      const text = card.firstChild && card.firstChild.textContent;
      if (text && !(text in window.__seen)) window.__seen[text] = Date.now();
    }
  };
  scan();
  new MutationObserver(scan).observe(document.body, { childList: true, subtree: true });
}
"""

MARK_CLICK = """
() => {
  window.__clicked = null;
  document.addEventListener('click', (e) => {
    if (e.target.closest('button')) window.__clicked = Date.now();
  }, true);
}
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


OBSERVE_COUNT = """
() => {
  window.__counts = {};
  const scan = () => {
    const el = document.querySelector('.big-number');
    if (el && !(el.textContent in window.__counts)) window.__counts[el.textContent] = Date.now();
  };
  scan();
  new MutationObserver(scan).observe(document.body, { childList: true, subtree: true, characterData: true });
}
"""


def _open_phones(browser, base: str, tokens: list[str], ready: str) -> list:  # type: ignore[no-untyped-def]
    phones = []
    for token in tokens:
        phone = browser.new_context(viewport=PHONE, locale="ru-RU", is_mobile=True).new_page()
        phone.goto(f"{base}/phone?p={token}")
        phone.wait_for_selector(ready, timeout=30_000)
        phone.evaluate(MARK_CLICK)
        phones.append(phone)
    return phones


def measure_notes(browser, base: str, built, submits: int, *, facilitator: bool) -> list[float]:  # type: ignore[no-untyped-def]
    """Seconds from a phone's click on Send to the note's card on the projector."""
    query = f"w={built.code}&k={built.key}" if facilitator else built.room_query
    projector = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
    projector.goto(f"{base}/projector?{query}")
    projector.wait_for_selector(".note-card", timeout=30_000)
    projector.evaluate(OBSERVE)
    phones = _open_phones(browser, base, built.tokens, ".st-key-note_obstacle textarea")
    time.sleep(2)
    latencies = []
    tag = "ведущий" if facilitator else "зал"
    for k in range(submits):
        phone = phones[k % len(phones)]
        text = f"Замер {tag} {k}: клиенту неудобно"
        phone.locator(".st-key-note_obstacle textarea").fill(text)
        phone.get_by_role("button", name="Отправить", exact=True).click()
        projector.wait_for_function("t => window.__seen && (t in window.__seen)", arg=text, timeout=10_000)
        clicked = phone.evaluate("window.__clicked")
        seen = projector.evaluate("t => window.__seen[t]", text)
        latencies.append((seen - clicked) / 1000)
        phone.get_by_text("Отправлено — уже на экране").wait_for(timeout=10_000)
        time.sleep(0.3)
    for page in [projector, *phones]:
        page.context.close()
    return latencies


def measure_ballots(browser, base: str, built) -> list[float]:  # type: ignore[no-untyped-def]
    """Seconds from a phone's click on Vote to the projector's "voted" count going up."""
    projector = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
    projector.goto(f"{base}/projector?{built.room_query}")
    projector.wait_for_selector(".big-number", timeout=30_000)
    projector.evaluate(OBSERVE_COUNT)
    phones = _open_phones(browser, base, built.tokens, '[data-testid="stRadio"]')
    time.sleep(2)
    latencies = []
    total = len(phones)
    for i, phone in enumerate(phones):
        phone.locator('[data-testid="stRadio"] [role="radiogroup"] label').nth(i % 2).click()
        time.sleep(0.3)
        phone.get_by_role("button", name="Проголосовать", exact=True).click()
        expected = f"{i + 1} / {total}"
        phone.get_by_text("Голос принят").first.wait_for(timeout=10_000)
        projector.wait_for_function(
            "t => window.__counts && (t in window.__counts)", arg=expected, timeout=10_000
        )
        clicked = phone.evaluate("window.__clicked")
        seen = projector.evaluate("t => window.__counts[t]", expected)
        latencies.append((seen - clicked) / 1000)
    for page in [projector, *phones]:
        page.context.close()
    return latencies


def measure_idle(browser, base: str, built, seconds: float) -> int:  # type: ignore[no-untyped-def]
    """Messages the projector and the phones send to the server while nobody acts."""
    projector = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
    projector.goto(f"{base}/projector?{built.room_query}")
    projector.wait_for_selector(".note-card", timeout=30_000)
    phones = _open_phones(browser, base, built.tokens, ".st-key-note_obstacle textarea")
    time.sleep(3)
    pages = [projector, *phones]
    # WebSocket.send is looked up on the prototype at each call, so wrapping it counts the
    # messages of the sockets already open (a rerun request is one message).
    for page in pages:
        page.evaluate(
            "() => { window.__sent = 0; const s = WebSocket.prototype.send;"
            " WebSocket.prototype.send = function (d) {"
            " window.__sent++; return s.call(this, d); }; }"
        )
    time.sleep(seconds)
    sent = sum(page.evaluate("window.__sent") for page in pages)
    for page in pages:
        page.context.close()
    return sent


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50_s": round(statistics.median(values), 3),
        "p95_s": round(percentile(values, 0.95), 3),
        "max_s": round(max(values), 3),
    }


def run(submits: int, idle_seconds: float) -> dict:
    settings = Settings(notes_max=8, write_minutes=60, vote_minutes=60)
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        notes = build_workshop(db_url, stop="obstacles_write", people=6, settings=settings)
        notes_facilitator = build_workshop(db_url, stop="obstacles_write", people=6, settings=settings)
        ballots = build_workshop(db_url, stop="trends_vote_open", people=6, settings=settings)
        server = Server(db_url, Path(tmp) / "server.log")
        server.start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
                room = measure_notes(browser, server.base, notes, submits, facilitator=False)
                facilitator = measure_notes(
                    browser, server.base, notes_facilitator, submits, facilitator=True
                )
                votes = measure_ballots(browser, server.base, ballots)
                idle_messages = measure_idle(browser, server.base, notes, idle_seconds)
                browser.close()
        finally:
            server.close()
    room_summary = summary(room)
    return {
        "submit_to_projector_p50_s": room_summary["p50_s"],
        "submit_to_projector_p95_s": room_summary["p95_s"],
        "notes_to_room_projector": room_summary,
        "notes_to_facilitator_projector": summary(facilitator),
        "ballots_to_projector_count": summary(votes),
        "idle_seconds": idle_seconds,
        "idle_screens": 7,
        "idle_messages_to_server": idle_messages,
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submits", type=int, default=30)
    parser.add_argument("--idle", type=float, default=20.0)
    args = parser.parse_args()
    result = run(args.submits, args.idle)
    OUT.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2, ensure_ascii=False))  # noqa: T201


if __name__ == "__main__":
    main()
