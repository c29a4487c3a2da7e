"""The hand-kept table of words that say the same thing (``concepts.yaml`` beside this module).

A stem of the table stands for its concept: «дорого», «цена» and "pricey" all become ``~price``,
so two notes meet on it whatever word each person chose. The table is data: it is read once,
its words are stemmed the way notes are, and a stem claimed by two concepts is refused.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from workshop.similarity.words import normalise, stem

TABLE = Path(__file__).with_name("concepts.yaml")
CONCEPT_MARK = "~"  # a concept's term, e.g. "~price": no stem starts with it


class Words(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ru: str = ""
    en: str = ""

    def each(self) -> list[str]:
        return normalise(f"{self.ru} {self.en}").split()


class ConceptTable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    concepts: dict[str, Words]
    weak: Words = Words()


class ConceptClash(ValueError):
    """One stem is listed under two concepts."""


@cache
def _table() -> tuple[dict[str, str], frozenset[str]]:
    table = ConceptTable.model_validate(yaml.safe_load(TABLE.read_text(encoding="utf-8")))
    by_stem: dict[str, str] = {}
    for name, words in table.concepts.items():
        for word in words.each():
            term, earlier = CONCEPT_MARK + name, by_stem.setdefault(stem(word), CONCEPT_MARK + name)
            if earlier != term:
                raise ConceptClash(f"«{word}» is listed under {earlier[1:]} and {name}")
    return by_stem, frozenset(stem(word) for word in table.weak.each())


def term(word_stem: str) -> str:
    """The concept a stem stands for (``~price``), or the stem itself."""
    return _table()[0].get(word_stem, word_stem)


def is_concept(a_term: str) -> bool:
    return a_term.startswith(CONCEPT_MARK)


def is_weak(word_stem: str) -> bool:
    """A word nearly every note of a step could hold ("customers", «люди»)."""
    return word_stem in _table()[1]
