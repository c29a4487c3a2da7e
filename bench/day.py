"""What the organizer's screen of an innovation day costs the server: ``services.day_board`` for a
day of ten groups of seven people, the groups spread over the steps, as the screen reads it every
5 seconds (a fresh session each time).

    python -m bench.day [--groups 10] [--runs 100]

Median and p95 go to ``bench/results.json`` under ``innovation_day``; the exit code is 1 when the
median is over 100 ms (the screen's read every 5 s would then be a noticeable part of a core).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

from bench.archive import percentile
from bench.results_file import update
from tests.scenario import STOPS, build_day
from workshop import services
from workshop.db.engine import create_tables, make_engine

BUDGET_MS = 100.0


def run(groups: int, runs: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-day-"))
    engine = make_engine(f"sqlite:///{folder / 'day.db'}")
    create_tables(engine)
    started = time.perf_counter()
    stops = [s for s in STOPS if s not in ("trends_vote_tie", "obstacles_write_time_up")]
    day_id = build_day(engine, groups=groups, stops=[stops[i % len(stops)] for i in range(groups)]).day_id
    built_s = time.perf_counter() - started
    times = []
    for _ in range(runs):
        with Session(engine) as session:
            began = time.perf_counter()
            board = services.day_board(session=session, day_id=day_id)
            times.append((time.perf_counter() - began) * 1000)
    engine.dispose()
    return {
        "groups": groups,
        "people_per_group": 6,
        "steps": sorted({g.step for g in board}),
        "runs": runs,
        "day_board_median_ms": round(statistics.median(times), 2),
        "day_board_p95_ms": round(percentile(times, 0.95), 2),
        "budget_ms": BUDGET_MS,
        "day_built_s": round(built_s, 1),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "command": f"python -m bench.day --groups {groups} --runs {runs}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    result = run(args.groups, args.runs)
    update({"innovation_day": result})
    print(result)  # noqa: T201
    if result["day_board_median_ms"] > BUDGET_MS:
        sys.exit(1)


if __name__ == "__main__":
    main()
