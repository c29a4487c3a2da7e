"""The company memory: earlier workshops' notes, and a look-up of the ones most like a new note.

``MemoryIndex`` is built once from (key, text) pairs — keys are whatever the caller needs to find
a note again; the index knows nothing of the database. Each distinct wording is profiled once and
filed under its terms (``compare``), so a look-up reads only the wordings that share a term with
the query, or a stem alike to one of its stems (found through the 3-grams of the index's
vocabulary), and ranks the few hundred that share the most, weighted by how rare each term is,
with the same similarity the wall's suggestions use. It never compares against everything.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from workshop.similarity.compare import build_profile, similarity, term_likeness, word_grams
from workshop.similarity.concepts import is_concept
from workshop.similarity.words import normalise

K = TypeVar("K", bound=Hashable)

RESCORED = 200  # wordings ranked by the full similarity after the first, cheap count
FOUND_FROM = 0.35  # a look-up's least similarity


@dataclass(frozen=True, slots=True)
class Match(Generic[K]):
    key: K
    text: str
    score: float


class MemoryIndex(Generic[K]):
    """Earlier notes, filed by their terms for ``most_similar``."""

    def __init__(self, entries: Iterable[tuple[K, str]]) -> None:
        self._texts: list[str] = []  # each distinct wording, as first written
        self._keys: list[list[K]] = []  # the keys of the notes written so
        self._postings: dict[str, list[int]] = defaultdict(list)  # term → wordings holding it
        numbers: dict[str, int] = {}
        for key, text in entries:
            wording = normalise(text)
            number = numbers.get(wording)
            if number is None:
                number = numbers[wording] = len(self._texts)
                self._texts.append(text)
                self._keys.append([])
                for a_term in build_profile(text).terms:
                    self._postings[a_term].append(number)
            self._keys[number].append(key)
        self._stems_by_gram: dict[str, list[str]] = defaultdict(list)
        for a_term in self._postings:
            if not is_concept(a_term):
                for gram in word_grams(a_term):
                    self._stems_by_gram[gram].append(a_term)

    def __len__(self) -> int:
        return sum(len(keys) for keys in self._keys)

    @property
    def wordings(self) -> int:
        """How many distinct wordings the notes have (case and spacing aside)."""
        return len(self._texts)

    def _rarity(self, a_term: str) -> float:
        return math.log(1 + len(self._texts) / len(self._postings[a_term]))

    def _alike(self, a_term: str) -> list[tuple[str, float]]:
        """The index's terms for one query term: itself, and the stems alike to it."""
        found = [(a_term, 1.0)] if a_term in self._postings else []
        if is_concept(a_term):
            return found
        near = {s for gram in word_grams(a_term) for s in self._stems_by_gram.get(gram, ())} - {a_term}
        return found + [(s, like) for s in near if (like := term_likeness(a_term, s))]

    def _shortlist(self, query_terms: Mapping[str, float]) -> list[int]:
        """The wordings sharing the most (rare) terms with the query: a count, no comparison."""
        shared: dict[int, float] = defaultdict(float)
        for a_term, weight in query_terms.items():
            for index_term, like in self._alike(a_term):
                gain = weight * like * self._rarity(index_term)
                for number in self._postings[index_term]:
                    shared[number] += gain
        return heapq.nlargest(RESCORED, shared, key=shared.__getitem__)

    def most_similar(self, query: str, *, limit: int = 10, at_least: float = FOUND_FROM) -> list[Match[K]]:
        """The ``limit`` notes most like ``query``, most alike first, none under ``at_least``."""
        wanted = build_profile(query)
        scored = [
            (similarity(wanted, build_profile(self._texts[n])), n) for n in self._shortlist(wanted.terms)
        ]
        matches: list[Match[K]] = []
        for score, number in sorted(scored, key=lambda s: (-s[0], s[1])):
            if score < at_least or len(matches) >= limit:
                break
            matches.extend(
                Match(key, self._texts[number], score) for key in self._keys[number][: limit - len(matches)]
            )
        return matches
