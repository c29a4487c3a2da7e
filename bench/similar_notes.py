"""How well the facilitator's wall suggests merges, on the team's labelled set, and how fast.

    python -m bench.similar_notes [--runs 200] [--seed 1]

The labelled set is ``bench/data/similar_notes.yaml``: walls of obstacles and innovations as
people write them, each note in the group of notes a facilitator would merge it with (a note
nobody else said is a group of one). Each wall, its notes shuffled as a real wall is, goes through
``suggest_groups`` as the board calls it. Measured:

- **pairs**: every two notes the suggestions put together. Precision: the share of them that the
  set groups together too; recall: the share of the set's pairs the suggestions found.
- **suggestions**: the share of suggestions that hold notes of one labelled group only (what the
  facilitator accepts with one tap, unchanged).
- the same at other thresholds than the engine's, to show the trade-off;
- how many labelled pairs share a word at all (a stem or a concept): the most any suggestion
  built on words can find;
- the **company memory**: for each note of a labelled group, the other walls' and its own wall's
  notes indexed, is the most similar note found one of its group's?
- the time to suggest for a wall of 40 notes: cold (every cache emptied) and warm, median and p95.

The figures go to ``bench/results.json`` under ``similar_notes``; the exit code is 1 when the
40-note wall's cold median is over 50 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from itertools import combinations
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from bench.archive import percentile
from bench.results_file import update
from workshop.similarity import compare, words
from workshop.similarity.groups import SUGGEST_AT, WallNote, suggest_groups
from workshop.similarity.memory import MemoryIndex

SET = Path(__file__).resolve().parent / "data" / "similar_notes.yaml"
BUDGET_MS = 50.0
AIM = {"precision": 0.8, "recall": 0.6}
THRESHOLDS = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7)


class Wall(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: str
    lang: str = Field(pattern="^(ru|en)$")
    kind: str = Field(pattern="^(obstacle|innovation)$")
    theme: str
    groups: list[list[str]] = Field(min_length=1)


class LabelledSet(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    walls: list[Wall]


def load(path: Path = SET) -> LabelledSet:
    labelled = LabelledSet.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    for wall in labelled.walls:
        texts = [text for group in wall.groups for text in group]
        if len(set(texts)) != len(texts):
            raise SystemExit(f"{wall.name}: a note is written twice")
    return labelled


def as_wall(wall: Wall, seed: int) -> tuple[list[WallNote], dict[int, int]]:
    """The wall's notes in a shuffled order, and each note's labelled group."""
    labelled = [(text, g) for g, group in enumerate(wall.groups) for text in group]
    random.Random(f"{seed}:{wall.name}").shuffle(labelled)
    notes = [WallNote(id=i + 1, text=text) for i, (text, _) in enumerate(labelled)]
    return notes, {i + 1: g for i, (_, g) in enumerate(labelled)}


def pairs(groups: list[list[int]]) -> set[tuple[int, int]]:
    return {pair for group in groups for pair in combinations(sorted(group), 2)}


def score(labelled: LabelledSet, seed: int, threshold: float, lang: str | None = None) -> dict:
    found = truth = hits = suggestions = pure = 0
    for wall in labelled.walls:
        if lang and wall.lang != lang:
            continue
        notes, group_of = as_wall(wall, seed)
        suggested = [list(g.note_ids) for g in suggest_groups(notes, threshold=threshold)]
        labelled_groups: dict[int, list[int]] = {}
        for note_id, g in group_of.items():
            labelled_groups.setdefault(g, []).append(note_id)
        got, wanted = pairs(suggested), pairs(list(labelled_groups.values()))
        found, truth, hits = found + len(got), truth + len(wanted), hits + len(got & wanted)
        suggestions += len(suggested)
        pure += sum(len({group_of[i] for i in g}) == 1 for g in suggested)
    return {
        "precision": round(hits / found, 3) if found else None,
        "recall": round(hits / truth, 3) if truth else None,
        "pairs_suggested": found,
        "pairs_labelled": truth,
        "suggestions": suggestions,
        "suggestions_of_one_group": round(pure / suggestions, 3) if suggestions else None,
    }


def memory_top1(labelled: LabelledSet) -> dict:
    """For each note that has a labelled twin: is the memory's best match (itself left out) a twin?"""
    entries, group_of = [], {}
    for w, wall in enumerate(labelled.walls):
        for g, group in enumerate(wall.groups):
            for n, text in enumerate(group):
                entries.append(((w, g, n), text))
                group_of[(w, g, n)] = (w, g)
    index = MemoryIndex(entries)
    asked = right = none = 0
    for key, text in entries:
        w, g, _ = key
        if len(labelled.walls[w].groups[g]) < 2:
            continue
        asked += 1
        found = [m for m in index.most_similar(text, limit=2) if m.key != key]
        if not found:
            none += 1
        elif group_of[found[0].key] == (w, g):
            right += 1
    return {"asked": asked, "best_match_of_its_group": round(right / asked, 3), "nothing_found": none}


def shared_terms(labelled: LabelledSet) -> dict:
    """How many pairs share at least one term (a stem or a concept of the table): what any
    suggestion built on words can reach at most, and how many near misses it must tell apart."""
    together = together_sharing = apart = apart_sharing = 0
    for wall in labelled.walls:
        notes = [(set(compare.profile(t).terms), g) for g, group in enumerate(wall.groups) for t in group]
        for (a, ga), (b, gb) in combinations(notes, 2):
            if ga == gb:
                together, together_sharing = together + 1, together_sharing + bool(a & b)
            else:
                apart, apart_sharing = apart + 1, apart_sharing + bool(a & b)
    return {
        "labelled_pairs_sharing_a_term": round(together_sharing / together, 3),
        "other_pairs_sharing_a_term": round(apart_sharing / apart, 3),
    }


def forty_notes(labelled: LabelledSet, seed: int) -> list[WallNote]:
    """40 Russian obstacles from the set's walls, as one big wall."""
    texts = [
        t
        for wall in labelled.walls
        if wall.lang == "ru" and wall.kind == "obstacle"
        for g in wall.groups
        for t in g
    ]
    random.Random(seed).shuffle(texts)
    return [WallNote(id=i + 1, text=text) for i, text in enumerate(texts[:40])]


def empty_caches() -> None:
    for cached in (compare.profile, compare.term_likeness, compare.word_grams, words.stem):
        cached.cache_clear()


def timed(notes: list[WallNote], runs: int, *, cold: bool) -> list[float]:
    times = []
    for _ in range(runs):
        if cold:
            empty_caches()
        started = time.perf_counter()
        suggest_groups(notes)
        times.append((time.perf_counter() - started) * 1000)
    return times


def run(runs: int, seed: int) -> dict:
    labelled = load()
    counts = {
        lang: sum(len(g) for wall in labelled.walls if wall.lang == lang for g in wall.groups)
        for lang in ("ru", "en")
    }
    notes = forty_notes(labelled, seed)
    suggest_groups(notes)  # the concept table read once, as a server process does on its first wall
    cold, warm = timed(notes, runs, cold=True), timed(notes, runs, cold=False)
    at_threshold = score(labelled, seed, SUGGEST_AT)
    return {
        "set": {
            "walls": len(labelled.walls),
            "notes": counts,
            "labelled_groups": sum(len(w.groups) for w in labelled.walls),
            "groups_of_two_or_more": sum(len(g) > 1 for w in labelled.walls for g in w.groups),
        },
        "threshold": SUGGEST_AT,
        "all": at_threshold,
        "ru": score(labelled, seed, SUGGEST_AT, "ru"),
        "en": score(labelled, seed, SUGGEST_AT, "en"),
        "aim": AIM,
        "aim_met": bool(
            at_threshold["precision"] is not None
            and at_threshold["precision"] >= AIM["precision"]
            and at_threshold["recall"] >= AIM["recall"]
        ),
        "by_threshold": {
            str(t): {k: v for k, v in score(labelled, seed, t).items() if k in ("precision", "recall")}
            for t in THRESHOLDS
        },
        "words_in_common": shared_terms(labelled),
        "memory": memory_top1(labelled),
        "wall_of_40": {
            "runs": runs,
            "cold_median_ms": round(statistics.median(cold), 2),
            "cold_p95_ms": round(percentile(cold, 0.95), 2),
            "warm_median_ms": round(statistics.median(warm), 2),
            "warm_p95_ms": round(percentile(warm, 0.95), 2),
            "budget_ms": BUDGET_MS,
        },
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "command": f"python -m bench.similar_notes --runs {runs} --seed {seed}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    result = run(args.runs, args.seed)
    update({"similar_notes": result})
    print(yaml.safe_dump(result, allow_unicode=True, sort_keys=False))  # noqa: T201
    if result["wall_of_40"]["cold_median_ms"] > BUDGET_MS:
        sys.exit(1)


if __name__ == "__main__":
    main()
