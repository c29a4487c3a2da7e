"""Today's app, before the big screens were patched live, to measure against in the same run.

The baseline is the last commit where every change reran the projector's page and the trend
map was a Plotly figure rebuilt on each pick. ``checkout()`` puts that commit in a git worktree
under ``data/bench/`` (made once, kept for the next run); the benches start its server from
there with this checkout's virtual environment (the two commits need the same packages).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMIT = "ad3a0b779d3ed1e4cfad14ae7da87c7913e49450"
FOLDER = ROOT / "data" / "bench" / f"baseline-{COMMIT[:8]}"


class NoBaseline(RuntimeError):
    """The repository has no history with the baseline commit (a shallow clone)."""


def checkout() -> Path:
    """The baseline's source tree, checked out once."""
    if (FOLDER / "app.py").exists():
        return FOLDER
    FOLDER.parent.mkdir(parents=True, exist_ok=True)
    known = subprocess.run(
        ["git", "cat-file", "-e", f"{COMMIT}^{{commit}}"], cwd=ROOT, capture_output=True, check=False
    )
    if known.returncode != 0:
        raise NoBaseline(f"commit {COMMIT[:8]} is not in this clone's history (fetch it, or clone fully)")
    subprocess.run(["git", "worktree", "prune"], cwd=ROOT, check=False, capture_output=True)
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(FOLDER), COMMIT], cwd=ROOT, check=True, capture_output=True
    )
    return FOLDER
