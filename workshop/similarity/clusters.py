"""Average-linkage clustering of a few dozen items from their pairwise similarities.

Two clusters join while the mean similarity between their members is at least the threshold,
the most alike pair first. A mean over every pair, not the single strongest link, keeps a chain
of weak links («дорого» ~ «дорогая доставка» ~ «доставка медленная») from gluing unrelated
items into one cluster.
"""

from __future__ import annotations

from collections.abc import Sequence


def _closest(clusters: dict[int, list[int]], sums: dict[tuple[int, int], float]) -> tuple[float, int, int]:
    """The pair of clusters with the highest mean similarity (ties: the earliest pair)."""
    best = (-1.0, -1, -1)
    for (i, j), total in sums.items():
        mean = total / (len(clusters[i]) * len(clusters[j]))
        if mean > best[0]:
            best = (mean, i, j)
    return best


def average_linkage(similarities: Sequence[Sequence[float]], threshold: float) -> list[list[int]]:
    """The clusters (lists of indices, ascending) of ``len(similarities)`` items, singletons too."""
    clusters = {i: [i] for i in range(len(similarities))}
    sums = {
        (i, j): similarities[i][j]
        for i in range(len(similarities))
        for j in range(i + 1, len(similarities))
        if similarities[i][j] > 0
    }
    while sums:
        mean, keep, gone = _closest(clusters, sums)
        if mean < threshold:
            break
        clusters[keep].extend(clusters.pop(gone))
        for other in clusters:
            if other in (keep, gone):
                continue
            joined = sums.pop(_pair(gone, other), 0.0) + sums.pop(_pair(keep, other), 0.0)
            if joined:
                sums[_pair(keep, other)] = joined
        sums.pop(_pair(keep, gone), None)
    return sorted(sorted(members) for members in clusters.values())


def _pair(i: int, j: int) -> tuple[int, int]:
    return (i, j) if i < j else (j, i)
