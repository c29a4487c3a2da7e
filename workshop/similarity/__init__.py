"""Which notes say the same thing, in Russian and English, without a model or the network.

- ``words``: a text's meaning-carrying words and their Snowball stems (``normalise``, ``stem``,
  ``gist``, ``jaccard``).
- ``concepts``: the hand-kept table of words that say the same thing (``concepts.yaml``).
- ``compare``: how alike two notes are (``note_similarity``; ``profile`` and ``similarity``).
- ``clusters``: average-linkage clustering over a threshold.
- ``groups``: the merges suggested for one wall (``suggest_groups``).
- ``memory``: the company memory, earlier notes most like a new one (``MemoryIndex``).
"""

from __future__ import annotations

from workshop.similarity.compare import note_similarity, profile, similarity
from workshop.similarity.groups import SUGGEST_AT, SuggestedGroup, WallNote, group_key, suggest_groups
from workshop.similarity.memory import Match, MemoryIndex
from workshop.similarity.words import STOP_WORDS, gist, jaccard, normalise, stem

__all__ = [
    "STOP_WORDS",
    "SUGGEST_AT",
    "Match",
    "MemoryIndex",
    "SuggestedGroup",
    "WallNote",
    "gist",
    "group_key",
    "jaccard",
    "normalise",
    "note_similarity",
    "profile",
    "similarity",
    "stem",
    "suggest_groups",
]
