"""Live-update latency in real Chromium: a phone's submit -> visible on the projector.

One server process (the project's own config), a projector page (1920x1080) and six phones
(390x844). Each phone in turn sends an obstacle note; the projector records, with a
MutationObserver, the moment the note's card appears; the phone records the moment its send
button was clicked. Both use ``Date.now()`` on one machine. Then every screen stays idle and we
count the messages the browsers send to the server (each rerun is one): idle screens should
send none.

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


def run(submits: int, idle_seconds: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        built = build_workshop(
            db_url, stop="obstacles_write", people=6, settings=Settings(notes_max=8, write_minutes=60)
        )
        server = Server(db_url, Path(tmp) / "server.log")
        server.start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
                projector = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
                projector.goto(f"{server.base}/projector?w={built.code}")
                projector.wait_for_selector(".note-card", timeout=30_000)
                projector.evaluate(OBSERVE)
                phones = []
                for token in built.tokens:
                    phone = browser.new_context(viewport=PHONE, locale="ru-RU", is_mobile=True).new_page()
                    phone.goto(f"{server.base}/phone?p={token}")
                    phone.wait_for_selector(".st-key-note_obstacle textarea", timeout=30_000)
                    phone.evaluate(MARK_CLICK)
                    phones.append(phone)
                time.sleep(2)

                latencies = []
                for k in range(submits):
                    phone = phones[k % len(phones)]
                    text = f"Замер {k}: клиенту неудобно"
                    phone.locator(".st-key-note_obstacle textarea").fill(text)
                    phone.get_by_role("button", name="Отправить", exact=True).click()
                    projector.wait_for_function(
                        "t => window.__seen && (t in window.__seen)", arg=text, timeout=10_000
                    )
                    clicked = phone.evaluate("window.__clicked")
                    seen = projector.evaluate("t => window.__seen[t]", text)
                    latencies.append((seen - clicked) / 1000)
                    phone.get_by_text("Отправлено — уже на экране").wait_for(timeout=10_000)
                    time.sleep(0.3)

                # Idle: count every message the browsers send (a rerun request is one).
                time.sleep(2)
                # WebSocket.send is looked up on the prototype at each call, so wrapping it
                # counts the messages of the sockets already open.
                for page in [projector, *phones]:
                    page.evaluate(
                        "() => { window.__sent = 0; const s = WebSocket.prototype.send;"
                        " WebSocket.prototype.send = function (d) {"
                        " window.__sent++; return s.call(this, d); }; }"
                    )
                time.sleep(idle_seconds)
                idle_messages = sum(page.evaluate("window.__sent") for page in [projector, *phones])
                browser.close()
        finally:
            server.close()
    return {
        "submits": len(latencies),
        "submit_to_projector_p50_s": round(statistics.median(latencies), 3),
        "submit_to_projector_p95_s": round(percentile(latencies, 0.95), 3),
        "submit_to_projector_max_s": round(max(latencies), 3),
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
