"""What the big screens cost the server to draw and to keep up to date, in CPU time.

    python -m bench.board [--builds 20]

- ``map``: producing the wall's trend map for the 36-trend map (the start page's default) —
  ours: its metro layout as the data the page draws (``workshop.maps.metro``), JSON included; the
  baseline: the Plotly figure today's projector rebuilt on every pick
  (``figures.trend_map_figure`` of the baseline commit, run from its worktree). Median and p95
  of ``--builds`` builds, each timed with the process's CPU clock.
- ``board``: one change reaching the big screens — a pick, a note or a ballot commits, then the
  board's JSON for the new revision is built (the workshop's view read from the database, the
  state, the JSON), once for every screen of the workshop; and what each further screen of
  the same revision costs (a look-up).

Writes the ``map`` and ``board`` keys of ``bench/results.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session

from bench import baseline
from bench.results_file import update
from workshop import services
from workshop.db.engine import create_tables, make_engine
from workshop.db.models import Workshop
from workshop.live import board
from workshop.maps.metro import Station, metro_layout
from workshop.maps.store import install_builtin_maps, latest_versions, trends_of

MAP_ID = "consumer-b2b-2026"
PEOPLE = 7


def cpu_ms(work: Callable[[], object]) -> float:
    started = time.process_time()
    work()
    return (time.process_time() - started) * 1000


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"n": len(samples), "median_ms": round(statistics.median(samples), 3), "p95_ms": round(p95, 3)}


def the_map(session: Session) -> list[Station]:
    version = next(v for m, v in latest_versions(session=session) if m.id == MAP_ID)
    return [
        Station(code=t.code, title=t.title_ru, category=t.category_ru, key=t.id)
        for t in trends_of(session=session, version_id=version.id)
    ]


BASELINE_MAP = """
import json, sys, time
from workshop.render.figures import Station, trend_map_figure
stations = [Station(**s) for s in json.loads(sys.stdin.read())]
samples = []
for _ in range({builds}):
    started = time.process_time()
    trend_map_figure(stations, height=760)
    samples.append((time.process_time() - started) * 1000)
print(json.dumps(samples))
"""


def baseline_map(stations: list[Station], builds: int) -> list[float] | None:
    try:
        folder = baseline.checkout()
    except baseline.NoBaseline as err:
        print(f"baseline map: skipped ({err})", flush=True)  # noqa: T201
        return None
    payload = json.dumps(
        [
            {"code": s.code, "title": s.title, "category": s.category, "picks": i % 3}
            for i, s in enumerate(stations)
        ]
    )
    done = subprocess.run(
        [sys.executable, "-c", BASELINE_MAP.format(builds=builds)],
        cwd=folder,
        input=payload,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def measure_map(session: Session, builds: int) -> dict:
    stations = the_map(session)

    def build() -> bytes:
        return json.dumps(metro_layout(stations).as_data(), ensure_ascii=False).encode()

    build()  # imports and first-call costs are not a build
    ours = [cpu_ms(build) for _ in range(builds)]
    result = {"map": MAP_ID, "stations": len(stations), "ours": summary(ours), "json_bytes": len(build())}
    old = baseline_map(stations, builds)
    if old is not None:
        result["baseline_plotly_figure"] = summary(old)
        result["baseline_over_ours_median"] = round(statistics.median(old) / statistics.median(ours), 1)
    return result


def measure_board(session: Session, changes: int) -> dict:
    version = next(v for m, v in latest_versions(session=session) if m.id == MAP_ID)
    workshop, _key = services.create_workshop(
        session=session,
        title="Замер",
        product="Доставка",
        map_version_id=version.id,
        settings=services.Settings(notes_max=8, write_minutes=60, pick_minutes=60, vote_minutes=60),
    )
    wid = workshop.id
    people = [
        services.join(session=session, code=workshop.code, name=f"Участник {i}", department=f"Отдел {i}")[
            0
        ].id
        for i in range(PEOPLE)
    ]
    trends = [t.id for t in trends_of(session=session, version_id=version.id)]
    result: dict[str, dict] = {}

    def one_change(change: Callable[[int], object]) -> tuple[list[float], list[float]]:
        built, looked_up = [], []
        for n in range(changes):
            change(n)
            built.append(cpu_ms(lambda: board.board_json(session=session, workshop_id=wid)))
            looked_up.append(cpu_ms(lambda: board.board_json(session=session, workshop_id=wid)))
        return built, looked_up

    services.advance(session=session, workshop_id=wid)
    picks, picks_again = one_change(
        lambda n: (
            services.toggle_pick(
                session=session,
                participant_id=people[n % PEOPLE],
                trend_id=trends[n % len(trends)],
                picked=True,
            )
            if n < 5 * PEOPLE
            else None
        )
    )
    for pid in people:
        services.set_picks(session=session, participant_id=pid, trend_ids=trends[:4])
    services.advance(session=session, workshop_id=wid)
    poll = services.current_poll(session=session, workshop=session.get(Workshop, wid))
    option = services.options_of(session=session, poll_id=poll.id)[0]
    services.open_poll(session=session, workshop_id=wid, poll_id=poll.id)
    ballots, ballots_again = one_change(
        lambda n: services.cast_ballot(
            session=session, participant_id=people[n % PEOPLE], poll_id=poll.id, marks={option.id: 1}
        )
    )
    services.close_poll(session=session, workshop_id=wid, poll_id=poll.id)
    services.advance(session=session, workshop_id=wid)
    notes, notes_again = one_change(
        lambda n: services.add_note(
            session=session, participant_id=people[n % PEOPLE], text=f"Препятствие номер {n}: слишком дорого"
        )
    )
    for name, built, again in (
        ("pick", picks, picks_again),
        ("ballot", ballots, ballots_again),
        ("note", notes, notes_again),
    ):
        result[name] = {"first_screen": summary(built), "each_further_screen": summary(again)}
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--builds", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="workshop-board-"))
    engine = make_engine(f"sqlite:///{folder / 'board.db'}")
    create_tables(engine)
    with Session(engine) as session:
        install_builtin_maps(session=session)
        the_map_result = measure_map(session, args.builds)
        board_result = measure_board(session, args.builds)
    engine.dispose()
    command = f"python -m bench.board --builds {args.builds}"
    update(
        {
            "map": {**the_map_result, "command": command},
            "board": {**board_result, "people": PEOPLE, "database": "sqlite", "command": command},
        }
    )
    print(json.dumps({"map": the_map_result, "board": board_result}, indent=2, ensure_ascii=False))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
