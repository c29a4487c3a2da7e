"""How alike two notes are, from 0 (nothing in common) to 1 (the same words).

A note becomes a ``Profile``: its *terms* — each meaning word's stem, or the concept it stands
for in the hand-kept table (``concepts``) — and the character 3-grams of its words. Two profiles
are compared twice and the results blended:

- the terms, softly: a term of one note found in the other counts whole; a stem that is not
  there counts by how alike it is to the nearest stem of the other note (3-gram Dice), so
  «доставка», «доставки» and «доставщик», or «курьер» and «курер», still meet;
- the 3-grams of the whole wording, which forgive typos and word forms the stemmer splits.

A rationale lends its terms at a fraction of the text's weight: what a note says counts most.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from workshop.similarity.concepts import is_concept, is_weak, term
from workshop.similarity.words import meaning_words, stem

TERMS_SHARE = 0.75  # the terms' share of the blend; the rest is the wording's 3-grams
RATIONALE_WEIGHT = 0.4  # a rationale's terms, against 1 for the text's
WEAK_WEIGHT = 0.3  # a weak word ("customers", «люди»), against 1 for a word that carries meaning
LIKE_FROM = 0.5  # two different stems count as alike from this 3-gram Dice on


@dataclass(frozen=True, slots=True)
class Profile:
    """What a note's comparison needs: its terms with their weights, its wording's 3-grams."""

    terms: Mapping[str, float]
    grams: frozenset[str]

    @property
    def weight(self) -> float:
        return sum(self.terms.values())


@lru_cache(maxsize=65536)
def word_grams(word: str) -> frozenset[str]:
    """The character 3-grams of one word, its edges marked: «цена» → #це, цен, ена, на#."""
    padded = f"#{word}#"
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _terms(words: list[str], weight: float, into: dict[str, float]) -> None:
    for word in words:
        word_stem = stem(word)
        into.setdefault(term(word_stem), weight * (WEAK_WEIGHT if is_weak(word_stem) else 1.0))


def build_profile(text: str, rationale: str = "") -> Profile:
    """The profile of one note (its rationale optional); ``profile`` keeps the recent ones."""
    words = meaning_words(text)
    terms: dict[str, float] = {}
    _terms(words, 1.0, terms)
    _terms(meaning_words(rationale), RATIONALE_WEIGHT, terms)
    grams = frozenset().union(*(word_grams(w) for w in words))
    return Profile(terms=terms, grams=grams)


profile = lru_cache(maxsize=65536)(build_profile)


@lru_cache(maxsize=262144)
def term_likeness(a: str, b: str) -> float:
    """1 for one term; for two stems their 3-gram Dice when they are alike; else 0."""
    if a == b:
        return 1.0
    if is_concept(a) or is_concept(b):
        return 0.0
    likeness = dice(word_grams(a), word_grams(b))
    return likeness if likeness >= LIKE_FROM else 0.0


def _found(a: Profile, b: Profile) -> float:
    """How much of ``a``'s weight ``b`` holds, each term by its nearest term in ``b``."""
    found = 0.0
    for a_term, weight in a.terms.items():
        if a_term in b.terms:
            found += weight
        else:
            found += weight * max((term_likeness(a_term, b_term) for b_term in b.terms), default=0.0)
    return found


def similarity(a: Profile, b: Profile) -> float:
    """How alike two notes are, 0 to 1 (0 when either has no word that carries meaning)."""
    total = a.weight + b.weight
    if not total:
        return 0.0
    terms = (_found(a, b) + _found(b, a)) / total
    return TERMS_SHARE * terms + (1 - TERMS_SHARE) * dice(a.grams, b.grams)


def note_similarity(a: str, b: str) -> float:
    """How alike two note texts are, 0 to 1."""
    return similarity(profile(a), profile(b))
