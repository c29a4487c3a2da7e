"""Where the server's CPU goes under load: py-spy samples one app process while the load bench
runs W workshops at the heavy pace, and the samples are summed up by function.

    python -m bench.profile [--workshops 10] [--seconds 40]

Writes ``bench/profile.md``: the share of samples spent in (under) each function, the top ones
first, and the raw samples next to it (``bench/profile.raw.txt``, py-spy's "raw" format, for a
flame graph).
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from bench import load
from tests import support

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "bench" / "profile.raw.txt"
REPORT = ROOT / "bench" / "profile.md"
PY_SPY = Path(sys.executable).with_name("py-spy")
# Frames every sample passes through (threads, the event loop, Streamlit's runner): not news.
PLUMBING = (
    "threading.py",
    "runpy",
    "click/core.py",
    "cli.py",
    "bootstrap.py",
    "starlette_server.py",
    "uvicorn/server.py",
    "_compat.py",
    "runners.py",
    "base_events.py",
    "__main__.py",
)


def function_of(frame: str) -> str:
    """``name (path/file.py:line)`` → ``name (file.py)``."""
    name, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0].rstrip(")")
    return f"{name} ({'/'.join(path.split('/')[-2:])})"


def summarise(raw: Path, top: int = 45) -> tuple[int, list[tuple[float, str]]]:
    total = 0
    under: Counter[str] = Counter()
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        for name in {function_of(f) for f in stack.split(";")}:
            under[name] += n
    shares = [
        (100 * n / total, name)
        for name, n in under.most_common()
        if not any(p in name for p in PLUMBING) and not name.startswith(("Thread.", "<module>"))
    ]
    return total, shares[:top]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workshops", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=40.0)
    args = parser.parse_args()
    if not PY_SPY.exists():
        print("py-spy is missing: make bench installs requirements-dev.txt", file=sys.stderr)  # noqa: T201
        return 2
    started = support.Server.start

    def start_and_sample(server: support.Server) -> None:
        started(server)
        assert server.proc is not None
        pid = server.proc.pid

        def sample() -> None:
            time.sleep(20)  # the phones have joined and the facilitators started
            subprocess.run(
                [str(PY_SPY), "record", "-p", str(pid), "-d", str(int(args.seconds)), "-r", "50"]
                + ["-f", "raw", "-o", str(RAW), "--nonblocking"],
                capture_output=True,
                check=False,
            )

        threading.Thread(target=sample, daemon=True).start()

    support.Server.start = start_and_sample  # type: ignore[method-assign]
    ours = load.configs(naive=False)[0]
    [level] = asyncio.run(
        load.capacity(
            ours, "heavy", [args.workshops], processes=1, seconds=args.seconds + 30, idle_s=0.0, log=print
        )
    )
    total, shares = summarise(RAW)
    lines = [
        "# Where the server's CPU goes",
        "",
        f"`python -m bench.profile --workshops {args.workshops} --seconds {args.seconds:g}`: py-spy "
        f"sampled one app process 50 times a second for {args.seconds:g} s while {args.workshops} "
        f"workshops ran at the heavy pace ({level.actions} phone actions, server CPU "
        f"{level.server_cpu_pct}%, {level.cpu_ms_per_action} ms per action). {total} samples; the "
        "share of them spent in each function (and what it called):",
        "",
        "| share | function |",
        "|---:|---|",
        *(f"| {share:.1f}% | `{name}` |" for share, name in shares),
        "",
    ]
    REPORT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
