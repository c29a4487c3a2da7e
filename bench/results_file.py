"""``bench/results.json`` holds every bench's figures; each bench writes its own keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results.json"


def update(values: dict[str, Any], path: Path = RESULTS) -> None:
    """Replace the keys in ``values``, keep what the other benches wrote."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        document = {}
    document.update(values)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
