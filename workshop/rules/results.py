"""A revealed vote as the room reads it: the leaders large, the rest compact.

With a few options every one is a large row. With many, the rows that matter at the moment of
the reveal — the winner, the options tied for the lead, and the next few by votes — stay large,
and the rest go into compact columns: the room finds the result and the tie it must break
without every label shrinking to fit. Each row keeps its whole text; the page wraps it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ALL_LARGE_UP_TO = 8  # up to this many options, every one is a large row
LARGE_AT_MOST = 5  # with more, this many leading rows stay large (more when the lead is tied)


@dataclass(frozen=True)
class Row:
    label: str
    votes: int
    share: float  # the bar's length: votes as a share of the most votes any option got
    winner: bool
    tied: bool  # one of several options tied for the lead, before a runoff or a decision
    place: int  # 1 for the most votes; options with as many votes share a place


@dataclass(frozen=True)
class Results:
    large: tuple[Row, ...]
    compact: tuple[Row, ...]

    @property
    def rows(self) -> tuple[Row, ...]:
        return self.large + self.compact

    @property
    def columns(self) -> int:
        """Columns for the compact rows: more rows, more columns."""
        return 1 if len(self.compact) <= 6 else 2 if len(self.compact) <= 20 else 3


def results_layout(
    *, labels: Sequence[str], votes: Sequence[int], winner_index: int | None, tie: bool
) -> Results:
    """``labels`` and ``votes`` in ballot order; rows come most votes first (a stable order, so
    options with as many votes keep the ballot's order)."""
    order = sorted(range(len(labels)), key=lambda i: -votes[i])
    most = max(votes, default=0)
    places: dict[int, int] = {}
    for rank, i in enumerate(order, 1):
        previous = order[rank - 2] if rank > 1 else None
        places[i] = places[previous] if previous is not None and votes[previous] == votes[i] else rank
    leaders = {i for i in order if votes[i] == most and most > 0}
    rows = [
        Row(
            label=labels[i],
            votes=votes[i],
            share=votes[i] / most if most else 0.0,
            winner=i == winner_index,
            tied=tie and winner_index is None and i in leaders and len(leaders) > 1,
            place=places[i],
        )
        for i in order
    ]
    if len(rows) <= ALL_LARGE_UP_TO:
        return Results(large=tuple(rows), compact=())
    large = max(LARGE_AT_MOST, sum(1 for r in rows if r.winner or r.tied))
    return Results(large=tuple(rows[:large]), compact=tuple(rows[large:]))
