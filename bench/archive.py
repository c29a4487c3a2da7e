"""The archive's server time with 10,000 workshops: every list, sort and search a manager asks for.

    python -m bench.archive [--workshops 10000] [--seed 1] [--runs 30] [--fresh]

The workshops come from ``bench.archive_data`` in an SQLite file under ``data/bench/`` named by
their count and seed; a file made earlier for the same count and seed (and the same schema) is
used again, ``--fresh`` makes a new one. Each case is ``archive.list_archive`` as a page run calls
it: a fresh ``Session``, the stale check included, ``time.perf_counter`` around the call; three
warm-ups, then ``--runs`` timed calls. Also measured: the list right after one workshop changed
(its entry is rebuilt first), and the time it took to make the workshops.

Writes bench/archive.json and prints a Markdown table; the exit code is 1 when a median is at or
over the archive's budget (300 ms) or a search in capitals finds something else than in small
letters.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import inspect, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, func, select

from bench.archive_data import generate
from workshop.db.engine import DEFAULT_DATA_DIR, create_tables, make_engine
from workshop.db.models import Workshop
from workshop.managers.archive import ArchivePage, ArchiveQuery, list_archive
from workshop.maps.store import install_builtin_maps

OUT = Path(__file__).resolve().parent / "archive.json"
BENCH_DIR = DEFAULT_DATA_DIR / "bench"
BUDGET_MS = 300.0
WARM_UPS = 3


@dataclass(frozen=True)
class Case:
    name: str
    query: ArchiveQuery


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


# --------------------------------------------------------------------------- the database


def _schema_matches(engine: Engine) -> bool:
    """Every table and column of the models is in the file (a file made before a schema change
    is made again)."""
    found = inspect(engine)
    tables = set(found.get_table_names())
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in tables:
            return False
        if {c.name for c in table.columns} - {c["name"] for c in found.get_columns(table.name)}:
            return False
    return True


def database(workshops: int, seed: int, *, fresh: bool) -> tuple[Path, dict]:
    """The bench database for ``workshops`` and ``seed``, and how long making it took."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"archive-{workshops}-seed{seed}.db"
    made = path.with_suffix(".json")
    if path.exists() and made.exists() and not fresh:
        engine = make_engine(f"sqlite:///{path}")
        try:
            with Session(engine) as session:
                count = session.exec(select(func.count()).select_from(Workshop)).one()
            if count == workshops and _schema_matches(engine):
                return path, {**json.loads(made.read_text(encoding="utf-8")), "reused": True}
        finally:
            engine.dispose()
    building = path.with_name(path.name + ".building")
    for stale in (building, *(building.with_name(building.name + s) for s in ("-wal", "-shm"))):
        stale.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{building}")
    try:
        create_tables(engine)
        with Session(engine) as session:
            install_builtin_maps(session=session)
        started = time.perf_counter()
        rows_done: list[float] = []

        def progress(done: int) -> None:
            rows_done.append(time.perf_counter() - started)
            print(f"  {done} workshops written", file=sys.stderr, flush=True)  # noqa: T201

        generate(engine, workshops, seed=seed, progress=progress)
        total = time.perf_counter() - started
    finally:
        engine.dispose()  # the last connection folds the write-ahead log into the file
    building.replace(path)
    info = {
        "workshops": workshops,
        "seed": seed,
        "generation_s": round(total, 1),
        "rows_s": round(rows_done[-1], 1),
        "index_s": round(total - rows_done[-1], 1),
        "made_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "file_mb": round(path.stat().st_size / 2**20),
    }
    made.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return path, {**info, "reused": False}


# --------------------------------------------------------------------------- the measurements


def timed(engine: Engine, query: ArchiveQuery, runs: int, before: Callable[[], None] | None = None):  # type: ignore[no-untyped-def]
    """Milliseconds of ``runs`` calls after the warm-ups, and the last page."""
    times: list[float] = []
    page: ArchivePage | None = None
    for i in range(WARM_UPS + runs):
        if before is not None:
            before()
        with Session(engine) as session:
            started = time.perf_counter()
            page = list_archive(session=session, query=query)
            elapsed = (time.perf_counter() - started) * 1000
        if i >= WARM_UPS:
            times.append(elapsed)
    assert page is not None
    return times, page


def cases(engine: Engine) -> list[Case]:
    with Session(engine) as session:
        total = list_archive(session=session, query=ArchiveQuery()).total
    per_page = ArchiveQuery().per_page
    today = date.today()
    return [
        Case("default list (newest first, page 1)", ArchiveQuery()),
        Case("sorted by title, A→Я", ArchiveQuery(sort="title", descending=False)),
        Case("sorted by trend", ArchiveQuery(sort="trend", descending=False)),
        Case("last page", ArchiveQuery(page=(total - 1) // per_page)),
        Case("last page, sorted by obstacle", ArchiveQuery(sort="obstacle", page=(total - 1) // per_page)),
        Case("search «доставк»", ArchiveQuery(text="доставк")),
        Case("search «ДОСТАВК»", ArchiveQuery(text="ДОСТАВК")),
        Case("search «дорого семьи»", ArchiveQuery(text="дорого семьи")),
        Case("search without hits", ArchiveQuery(text="квазар")),
        Case("search without hits, sorted by title", ArchiveQuery(text="квазар", sort="title")),
        Case(
            "search + status + last 12 months",
            ArchiveQuery(
                text="подписк", status="finished", date_from=today - timedelta(days=365), date_to=today
            ),
        ),
        Case("department «продажи»", ArchiveQuery(department="продажи")),
        Case("hand-off status «checking»", ArchiveQuery(handoff_status="checking")),
    ]


def bump_one(engine: Engine) -> Callable[[], None]:
    """A change to one workshop, another each time, as a facilitator's action leaves it."""
    with Session(engine) as session:
        ids = list(session.exec(select(Workshop.id).order_by(col(Workshop.id).desc()).limit(100)).all())
    turn = iter(range(10**9))

    def bump() -> None:
        workshop_id = ids[next(turn) % len(ids)]
        with engine.begin() as connection:
            connection.execute(
                update(Workshop).where(col(Workshop.id) == workshop_id).values(revision=Workshop.revision + 1)
            )

    return bump


def run(workshops: int, seed: int, runs: int, *, fresh: bool) -> dict:
    path, made = database(workshops, seed, fresh=fresh)
    engine = make_engine(f"sqlite:///{path}")
    results = []
    try:
        for case in cases(engine):
            times, page = timed(engine, case.query, runs)
            results.append(_row(case.name, times, page.total))
        times, page = timed(engine, ArchiveQuery(), runs, before=bump_one(engine))
        results.append(_row("one changed workshop re-indexed, then the default list", times, page.total))
    finally:
        engine.dispose()
    return {
        "workshops": workshops,
        "seed": seed,
        "runs": runs,
        "warm_ups": WARM_UPS,
        "budget_ms": BUDGET_MS,
        "database": str(path.relative_to(DEFAULT_DATA_DIR.parent)),
        "generation": made,
        "cases": results,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}",
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
    }


def _row(name: str, times: list[float], total: int) -> dict:
    return {
        "case": name,
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "hits": total,
    }


def table(result: dict) -> str:
    lines = [
        f"{result['workshops']} workshops, SQLite, {result['runs']} runs after {result['warm_ups']} warm-ups "
        f"({result['machine']})",
        "",
        "| case | median | p95 | hits |",
        "|---|---:|---:|---:|",
    ]
    for row in result["cases"]:
        lines.append(
            f"| {row['case']} | {row['median_ms']:.1f} ms | {row['p95_ms']:.1f} ms | {row['hits']} |"
        )
    made = result["generation"]
    lines += [
        "",
        f"Making the workshops: {made['generation_s']} s ({made['rows_s']} s the rows, {made['index_s']} s "
        f"the archive's index){' — measured when the file was made, reused now' if made['reused'] else ''}.",
    ]
    return "\n".join(lines)


def problems(result: dict) -> list[str]:
    found = [
        f"{row['case']}: median {row['median_ms']} ms ≥ {BUDGET_MS:g} ms"
        for row in result["cases"]
        if row["median_ms"] >= BUDGET_MS
    ]
    hits = {row["case"]: row["hits"] for row in result["cases"]}
    if hits["search «доставк»"] != hits["search «ДОСТАВК»"]:
        found.append(
            f"«ДОСТАВК» finds {hits['search «ДОСТАВК»']} workshops, «доставк» {hits['search «доставк»']}"
        )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workshops", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--fresh", action="store_true", help="make the workshops again")
    args = parser.parse_args()
    result = run(args.workshops, args.seed, args.runs, fresh=args.fresh)
    found = problems(result)
    result["problems"] = found
    OUT.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table(result))  # noqa: T201
    for problem in found:
        print(f"\nOVER BUDGET OR WRONG: {problem}")  # noqa: T201
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
