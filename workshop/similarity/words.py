"""The words of a note that carry meaning, reduced to their stems.

Russian and English words are stemmed by the Snowball stemmers (``snowballstemmer``): «семьи»,
«семья» and «семье» become one stem, and so do "prices" and "price". Each word is stemmed in the
language of its script, so a note mixing both languages works. Small words (prepositions,
conjunctions, "very", «слишком») carry no meaning here and are left out.
"""

from __future__ import annotations

from functools import lru_cache

import regex
import snowballstemmer

_WORD = regex.compile(r"[^\W\d_]+")
_CYRILLIC = regex.compile(r"\p{Cyrillic}")
_RUSSIAN = snowballstemmer.stemmer("russian")
_ENGLISH = snowballstemmer.stemmer("english")

STOP_WORDS = frozenset(
    """
    а без более бы был была были было быть в вам вас весь во вот все всё всех вы где да даже для до
    его ее её если есть еще ещё же за здесь и из или им их к как какие какой когда кто ли либо мы на
    над не него нее неё нет ни них но ну о об однако он она они оно от очень по под при про с сам
    свой себя слишком со так также такой там те тем то того тоже той только том ты у уже хотя чем
    через что чтобы чуть эта эти это этот я нам нас наш наши
    a an and are as at be but by for from has have in is it its not of on or so than that the
    their them they this to too very was we were what when which who will with without our your
    """.replace("ё", "е").split()
)


def normalise(text: str) -> str:
    """Case-folded, ``ё`` → ``е``, runs of white space as one space."""
    return " ".join(text.casefold().replace("ё", "е").split())


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball stem of one normalised word, in the language of its script."""
    return (_RUSSIAN if _CYRILLIC.search(word) else _ENGLISH).stemWord(word)


def meaning_words(text: str) -> list[str]:
    """The normalised words of ``text`` that carry meaning, in the order written."""
    return [w for w in _WORD.findall(normalise(text)) if w not in STOP_WORDS and len(w) > 2]


def gist(text: str) -> frozenset[str]:
    """The meaning-carrying stems of ``text``."""
    return frozenset(stem(w) for w in meaning_words(text))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """How much two gists overlap: shared stems over all stems (0 when either is empty)."""
    return len(a & b) / len(a | b) if a and b else 0.0
