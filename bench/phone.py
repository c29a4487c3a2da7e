"""What a phone costs: its weight on the wire, how soon it can be tapped, and the server's CPU
per tap.

1. **Weight and speed, in real Chromium with a cold cache** (a new browser context per run,
   390x844, loopback): a phone that scans the QR code opens ``/join?code=…`` — bytes on the
   wire for everything the page loads (the CDP's ``encodedDataLength``, headers included), the
   requests, and the time from navigation to *ready to tap* (the form's field focusable and
   the page's scripts run); then, joined, the phone page on the 36-trend map (ready: htmx and the
   page's script loaded, the trend boxes on screen). Medians of ``--runs`` cold loads.
2. **Server CPU per phone action** without a browser: ``--phones`` phones (httpx, the routes a
   phone uses) pick, write and vote on one server process; the server process's CPU time
   (psutil) over the actions, per action. Phones run in this process, so their own CPU is not
   counted.

    python -m bench.phone [--runs 7] [--phones 35]

Writes ``phone_first_load_kb``, ``phone_ready_s`` and the rest into bench/results.json.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

import psutil
from playwright.sync_api import sync_playwright

from bench.results_file import update
from tests.phones import HttpPhone
from tests.scenario import build_workshop
from tests.support import CHROMIUM_ARGS, PHONE, Server, chromium_path

MAP_36 = "consumer-b2b-2026"
READY_JOIN = "() => !!document.querySelector('#name') && document.readyState !== 'loading'"
READY_PHONE = (
    "() => !!window.htmx && !!document.querySelector('#screen li.trend input') "
    "&& document.readyState === 'complete'"
)


def _cold_load(browser, url: str, ready: str) -> tuple[float, int, int]:  # type: ignore[no-untyped-def]
    """(seconds to ready, bytes on the wire, requests) for one cold load of ``url``."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, locale="ru-RU")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    wire = {"bytes": 0, "requests": 0}

    def finished(event):  # type: ignore[no-untyped-def]
        wire["bytes"] += int(event.get("encodedDataLength", 0))
        wire["requests"] += 1

    cdp.on("Network.loadingFinished", finished)
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function(ready, polling="raf", timeout=30_000)
    ready_s = time.perf_counter() - started
    page.wait_for_load_state("networkidle")
    context.close()
    return ready_s, wire["bytes"], wire["requests"]


def _weights(server: Server, runs: int) -> dict:
    joining = build_workshop(server.db_url, stop="lobby", people=0)
    picking = build_workshop(server.db_url, stop="trends_pick", people=6, map_id=MAP_36)
    token = picking.tokens[0]
    join_loads, phone_loads = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for _ in range(runs):
            join_loads.append(_cold_load(browser, f"{server.base}/join?code={joining.code}", READY_JOIN))
            phone_loads.append(_cold_load(browser, f"{server.base}/phone?p={token}", READY_PHONE))
        browser.close()

    def summary(loads: list[tuple[float, int, int]]) -> dict:
        return {
            "ready_s_median": round(statistics.median(x[0] for x in loads), 3),
            "ready_s_max": round(max(x[0] for x in loads), 3),
            "kb_median": round(statistics.median(x[1] for x in loads) / 1024, 1),
            "requests": int(statistics.median(x[2] for x in loads)),
        }

    return {"join": summary(join_loads), "phone_36_trends": summary(phone_loads)}


def _phone(base: str, token: str) -> tuple[HttpPhone, str]:
    """A phone that opened its link, and the page it got."""
    phone = HttpPhone(base)
    return phone, phone.open(token)


def _cpu_per_action(server: Server, phones: int) -> dict:
    process = psutil.Process(server.proc.pid)
    groups = max(1, phones // 6)
    kinds: dict[str, list[float]] = {"pick": [], "note": [], "vote": []}
    walls: dict[str, list[float]] = {"pick": [], "note": [], "vote": []}

    def measure(kind: str, act) -> None:  # type: ignore[no-untyped-def]
        before = process.cpu_times()
        started = time.perf_counter()
        n = act()
        walls[kind].append((time.perf_counter() - started) / max(n, 1))
        after = process.cpu_times()
        kinds[kind].append((after.user + after.system - before.user - before.system) / max(n, 1))

    for _ in range(groups):
        # Each of 6 phones takes back its 4 picks and picks 4 others: 8 taps each.
        built = build_workshop(server.db_url, stop="trends_pick", people=6, map_id=MAP_36)
        people = [_phone(server.base, token) for token in built.tokens]
        trend_ids = [int(x) for x in re.findall(r'data-trend="(\d+)"', people[0][1])]

        def picks(people: list = people, trend_ids: list = trend_ids) -> int:
            n = 0
            for i, (p, page) in enumerate(people):
                mine = [int(x) for x in re.findall(r'id="pick-(\d+)"[^>]*checked', page)]
                for trend_id in mine:
                    p.pick(trend_id, picked=False)
                    n += 1
                others = [t for t in trend_ids if t not in mine]
                for k in range(4):
                    p.pick(others[(i * 4 + k) % len(others)])
                    n += 1
            return n

        measure("pick", picks)
    for _ in range(groups):
        built = build_workshop(server.db_url, stop="obstacles_write", people=6)
        people = [_phone(server.base, token) for token in built.tokens]

        def notes(people: list = people) -> int:
            n = 0
            for i, (p, _page) in enumerate(people):
                for k in range(2):
                    p.note(f"Причина {i}-{k}: долго ждать курьера")
                    n += 1
            return n

        measure("note", notes)
    for _ in range(groups):
        built = build_workshop(server.db_url, stop="obstacles_vote_open", people=6)
        people = [_phone(server.base, token) for token in built.tokens]
        poll_id = re.search(r'form class="ballot" data-poll="(\d+)"', people[0][1]).group(1)  # type: ignore[union-attr]
        options = re.findall(r'name="option" value="(\d+)"', people[0][1])

        def ballots(people: list = people, poll_id: str = poll_id, options: list = options) -> int:
            for i, (p, _page) in enumerate(people):
                p.vote(int(poll_id), int(options[i % 2]))
            return len(people)

        measure("vote", ballots)
    return {
        kind: {
            "cpu_ms_per_action": round(1000 * statistics.median(values), 2),
            "wall_ms_per_action": round(1000 * statistics.median(walls[kind]), 2),
        }
        for kind, values in kinds.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--phones", type=int, default=35)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = Server(f"sqlite:///{Path(folder) / 'phone.db'}", Path(folder) / "server.log")
        server.start()
        try:
            weights = _weights(server, args.runs)
            cpu = _cpu_per_action(server, args.phones)
        finally:
            server.close()
    worst_cpu = max(v["cpu_ms_per_action"] for v in cpu.values())
    results = {
        "phone_first_load_kb": weights["join"]["kb_median"],
        "phone_ready_s": weights["join"]["ready_s_median"],
        "phone_page": {
            "command": "python -m bench.phone",
            "runs": args.runs,
            "cold_cache": True,
            "join_page": weights["join"],
            "phone_page_36_trend_map": weights["phone_36_trends"],
            "server_cpu_per_action": cpu,
            "server_cpu_ms_per_action_worst": worst_cpu,
            "before_streamlit_phone": {"first_load_kb": 2657, "requests": 71, "ready_s": 3.8},
        },
    }
    update(results)
    print(  # noqa: T201
        f"join page: {weights['join']['kb_median']} KB in {weights['join']['requests']} requests, "
        f"ready {weights['join']['ready_s_median']} s (max {weights['join']['ready_s_max']})"
    )
    p = weights["phone_36_trends"]
    print(  # noqa: T201
        f"phone page, 36 trends: {p['kb_median']} KB in {p['requests']} requests, "
        f"ready {p['ready_s_median']} s"
    )
    for kind, v in cpu.items():
        print(f"{kind}: server CPU {v['cpu_ms_per_action']} ms/action, wall {v['wall_ms_per_action']} ms")  # noqa: T201


if __name__ == "__main__":
    main()
