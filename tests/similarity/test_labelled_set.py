"""The labelled set the suggestions are measured on (``bench/data/similar_notes.yaml``) is the one
the bench reads: strict in shape, big enough in both languages, every note once per wall."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import similar_notes
from workshop.similarity import SuggestedGroup


def test_the_labelled_set_holds_at_least_150_russian_and_50_english_notes_in_groups() -> None:
    labelled = similar_notes.load()
    notes = dict.fromkeys(("ru", "en"), 0)
    for wall in labelled.walls:
        notes[wall.lang] += sum(len(group) for group in wall.groups)
    assert notes["ru"] >= 150
    assert notes["en"] >= 50
    assert any(len(group) >= 2 for wall in labelled.walls for group in wall.groups)
    assert {wall.kind for wall in labelled.walls} == {"obstacle", "innovation"}


def test_a_labelled_set_with_a_note_written_twice_in_one_wall_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "set.yaml"
    bad.write_text(
        'walls:\n  - {name: "w", lang: ru, kind: obstacle, theme: "t", groups: [["Дорого"], ["Дорого"]]}\n',
        encoding="utf-8",
    )
    with pytest.raises(SystemExit, match="written twice"):
        similar_notes.load(bad)


def test_the_bench_scores_a_perfect_suggestion_as_precision_and_recall_of_one(monkeypatch) -> None:
    labelled = similar_notes.LabelledSet.model_validate(
        {
            "walls": [
                {"name": "w", "lang": "ru", "kind": "obstacle", "theme": "t", "groups": [["a", "b"], ["c"]]}
            ]
        }
    )

    def perfect(notes, threshold):  # type: ignore[no-untyped-def]
        ids = {note.text: note.id for note in notes}
        return [SuggestedGroup("k", (ids["a"], ids["b"]), 1.0)]

    monkeypatch.setattr(similar_notes, "suggest_groups", perfect)
    scored = similar_notes.score(labelled, seed=1, threshold=0.5)
    assert (scored["precision"], scored["recall"], scored["suggestions_of_one_group"]) == (1.0, 1.0, 1.0)
