"""What the company already tried, at 10,000 archived workshops: ``managers.memory.recall``.

    python -m bench.memory [--workshops 10000] [--seed 1] [--runs 50]

The workshops are the archive bench's (``bench.archive.database``: an SQLite file under
``data/bench/``, made once per count and seed). Measured: the index built on the first look-up
of a process (cold), then ``--runs`` look-ups as a facilitator's page asks them — a fresh
``Session``, the archive's signature checked, the matches' workshops and hand-offs read — for
obstacles and innovations written in other words than the archive's. Median and p95 go to
``bench/results.json`` under ``memory``; the exit code is 1 when a median is over 100 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

from sqlmodel import Session

from bench.archive import database, percentile
from bench.results_file import update
from workshop.db.engine import make_engine
from workshop.managers import memory
from workshop.rules.enums import Subject

BUDGET_MS = 100.0
ASKED = {
    Subject.OBSTACLE: [
        "слишком дорого для нас",
        "долго ждать доставку",
        "не доверяют качеству",
        "price too high",
    ],
    Subject.INNOVATION: [
        "подписка на доставку домой",
        "скидка за регулярный заказ",
        "приложение с рецептами",
    ],
}


def run(workshops: int, seed: int, runs: int) -> dict:
    path, made = database(workshops, seed, fresh=False)
    engine = make_engine(f"sqlite:///{path}")
    result: dict = {"workshops": workshops, "runs": runs, "budget_ms": BUDGET_MS}
    try:
        for kind, questions in ASKED.items():
            with Session(engine) as session:
                started = time.perf_counter()
                found = memory.recall(session=session, kind=kind, text=questions[0])
                cold = (time.perf_counter() - started) * 1000
            times = []
            for i in range(runs):
                with Session(engine) as session:
                    started = time.perf_counter()
                    found = memory.recall(session=session, kind=kind, text=questions[i % len(questions)])
                    times.append((time.perf_counter() - started) * 1000)
            with Session(engine) as session:
                index = memory._index(session, kind)  # the one the look-ups used
            result[str(kind)] = {
                "notes_indexed": len(index),
                "distinct_wordings": index.wordings,
                "first_lookup_with_index_build_ms": round(cold, 1),
                "median_ms": round(statistics.median(times), 2),
                "p95_ms": round(percentile(times, 0.95), 2),
                "found_for_last_question": len(found),
            }
    finally:
        engine.dispose()
    result["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    result["command"] = f"python -m bench.memory --workshops {workshops} --seed {seed} --runs {runs}"
    result["archive_made_s"] = made.get("generation_s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workshops", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    result = run(args.workshops, args.seed, args.runs)
    update({"memory": result})
    print(result)  # noqa: T201
    over = [k for k in ("obstacle", "innovation") if result[k]["median_ms"] > BUDGET_MS]
    sys.exit(1 if over else 0)


if __name__ == "__main__":
    main()
