"""Live-update latency in real Chromium: a phone's submit -> visible on the projector.

One server process (the project's own config), a projector page (1920x1080) and six phones
(390x844, the participants' light pages). Each phone in turn sends an obstacle note; the
projector records, with a MutationObserver, the moment the note's card appears; the phone
records the moment its send button was clicked. Both use ``Date.now()`` on one machine. Measured
for the room's projector and the facilitator's projector with controls (both patched from the
board's data, no page run), and for ballots (the projector's "voted" count). Then every screen
stays idle and we count what the browsers send to the server: the messages on Streamlit's
websocket (each rerun is one; idle screens should send none) and the phones' requests (their
event stream stays open; the safety net's cheap check, every 20 s, is one request each).

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

from tests.phones import open_phone, phone_context, swapped
from tests.scenario import build_workshop
from tests.support import CHROMIUM_ARGS, PROJECTOR, Server, chromium_path
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


NOTE_FIELD = "form.note-form textarea#note-text"
BALLOT = "form.ballot"


def _open_phones(browser, base: str, tokens: list[str], ready: str) -> list:  # type: ignore[no-untyped-def]
    phones = []
    for token in tokens:
        phone = phone_context(browser).new_page()
        open_phone(phone, base, token)  # up, with its event stream connected
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
    phones = _open_phones(browser, base, built.tokens, NOTE_FIELD)
    time.sleep(2)
    latencies = []
    tag = "ведущий" if facilitator else "зал"
    for k in range(submits):
        phone = phones[k % len(phones)]
        text = f"Замер {tag} {k}: клиенту неудобно"
        phone.locator(NOTE_FIELD).fill(text)
        with swapped(phone, timeout=10_000):  # the phone's answer, not its previous screen
            phone.get_by_role("button", name="Отправить", exact=True).click()
            projector.wait_for_function(
                "t => window.__seen && (t in window.__seen)", arg=text, timeout=10_000
            )
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
    phones = _open_phones(browser, base, built.tokens, BALLOT)
    time.sleep(2)
    latencies = []
    total = len(phones)
    for i, phone in enumerate(phones):
        phone.locator(f"{BALLOT} label.option").nth(i % 2).click()
        time.sleep(0.3)
        with swapped(phone, timeout=10_000):
            phone.get_by_role("button", name="Проголосовать", exact=True).click()
        expected = f"{i + 1} / {total}"
        phone.locator("main#screen > p.flash.success").filter(has_text="Голос принят").wait_for(
            timeout=10_000
        )
        projector.wait_for_function(
            "t => window.__counts && (t in window.__counts)", arg=expected, timeout=10_000
        )
        clicked = phone.evaluate("window.__clicked")
        seen = projector.evaluate("t => window.__counts[t]", expected)
        latencies.append((seen - clicked) / 1000)
    for page in [projector, *phones]:
        page.context.close()
    return latencies


def measure_idle(browser, base: str, built, seconds: float) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """What the projector and the phones send to the server while nobody acts: the messages on
    Streamlit's websocket (each rerun is one), and the phones' HTTP requests."""
    projector = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
    projector.goto(f"{base}/projector?{built.room_query}")
    projector.wait_for_selector(".note-card", timeout=30_000)
    phones = _open_phones(browser, base, built.tokens, NOTE_FIELD)
    time.sleep(3)
    pages = [projector, *phones]
    phone_requests: list[str] = []
    for phone in phones:
        phone.on("request", lambda r: phone_requests.append(r.url))
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
    requests = len(phone_requests)
    for page in pages:
        page.context.close()
    return sent, requests


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
                idle_messages, idle_phone_requests = measure_idle(browser, server.base, notes, idle_seconds)
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
        "idle_phone_requests": idle_phone_requests,
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
