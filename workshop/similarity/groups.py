"""Suggested merges for one wall: the groups of notes that say the same thing, best first.

The facilitator accepts or dismisses each suggestion with one tap. A suggestion is known by its
``key`` (its note ids, sorted), so a dismissed one can be remembered and is not suggested again —
nor is any smaller group all of whose notes were in it. Notes already merged into another are
not on the wall any more and are left out.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from statistics import fmean

from workshop.similarity.clusters import average_linkage
from workshop.similarity.compare import Profile, profile, similarity

SUGGEST_AT = 0.5  # the mean similarity a group's notes need (bench/similar_notes.py)


@dataclass(frozen=True, slots=True)
class WallNote:
    id: int
    text: str
    rationale: str = ""


@dataclass(frozen=True, slots=True)
class SuggestedGroup:
    """Notes that say the same thing: their ids in wall order, how alike they are (0–1)."""

    key: str
    note_ids: tuple[int, ...]
    score: float


def group_key(note_ids: Iterable[int]) -> str:
    """The stable name of a group of notes, whatever their order: ``"3-12-40"``."""
    return "-".join(str(i) for i in sorted(set(note_ids)))


def _ids_of(key: str) -> frozenset[int]:
    return frozenset(int(part) for part in key.split("-") if part.isdigit())


def _similarities(profiles: Sequence[Profile]) -> list[list[float]]:
    rows = [[0.0] * len(profiles) for _ in profiles]
    for i, j in combinations(range(len(profiles)), 2):
        rows[i][j] = rows[j][i] = similarity(profiles[i], profiles[j])
    return rows


def suggest_groups(
    notes: Sequence[WallNote],
    *,
    dismissed: Collection[str] = (),
    merged: Collection[int] = (),
    threshold: float = SUGGEST_AT,
) -> list[SuggestedGroup]:
    """The groups of two or more ``notes`` (in wall order) that say the same thing, best first.

    ``dismissed``: keys of suggestions the facilitator turned down; ``merged``: ids of notes
    already merged into another.
    """
    merged_ids = set(merged)
    on_wall = [note for note in notes if note.id not in merged_ids]
    profiles = [profile(note.text, note.rationale) for note in on_wall]
    similarities = _similarities(profiles)
    turned_down = [_ids_of(key) for key in dismissed]
    ranked = []
    for members in average_linkage(similarities, threshold):
        ids = frozenset(on_wall[i].id for i in members)
        if len(members) < 2 or any(ids <= gone for gone in turned_down):
            continue
        score = fmean(similarities[i][j] for i, j in combinations(members, 2))
        group = SuggestedGroup(group_key(ids), tuple(on_wall[i].id for i in members), score)
        ranked.append((-score, -len(members), members[0], group))
    return [group for *_, group in sorted(ranked, key=lambda r: r[:3])]
