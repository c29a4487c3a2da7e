"""Which notes say the same thing (``workshop.similarity``): the rules the wall's suggestions and
the company memory stand on. How well they do on a whole labelled set is measured, not asserted
here: ``python -m bench.similar_notes``."""

from __future__ import annotations

from pathlib import Path

import pytest

from workshop.similarity import (
    MemoryIndex,
    WallNote,
    concepts,
    gist,
    group_key,
    note_similarity,
    profile,
    similarity,
    suggest_groups,
)
from workshop.similarity.clusters import average_linkage
from workshop.similarity.concepts import ConceptClash


def wall(*texts: str) -> list[WallNote]:
    return [WallNote(id=10 + i, text=text) for i, text in enumerate(texts)]


def groups_of(notes: list[WallNote], **options) -> list[set[str]]:  # type: ignore[no-untyped-def]
    by_id = {note.id: note.text for note in notes}
    return [{by_id[i] for i in group.note_ids} for group in suggest_groups(notes, **options)]


# --------------------------------------------------------------------------- two notes


def test_word_forms_and_word_order_do_not_change_what_a_note_says() -> None:
    assert note_similarity("Приложение неудобное", "Неудобное приложение") == pytest.approx(1.0)
    assert gist("Семьи не покупают") == gist("семья не покупает")
    assert gist("Prices") == gist("price")


def test_a_typo_still_meets_the_word_it_meant() -> None:
    assert note_similarity("Курьер опаздывает", "Курер опаздывает") > 0.9


def test_different_words_for_one_thing_meet_through_the_concept_table() -> None:
    assert note_similarity("Дорого", "Цена высокая") >= 0.5
    assert note_similarity("Too expensive", "Prices are high") >= 0.5


def test_a_note_with_no_word_that_carries_meaning_is_like_nothing() -> None:
    assert note_similarity("!!!", "???") == 0.0
    assert note_similarity("и в на", "Дорого") == 0.0


def test_notes_on_different_subjects_are_far_apart() -> None:
    assert note_similarity("Дорого", "Неудобное приложение") < 0.2
    assert note_similarity("The app crashes", "Too expensive") < 0.2


def test_a_rationale_counts_less_than_what_the_note_says() -> None:
    late = profile("Курьер опаздывает")
    without = similarity(profile("Подписка на доставку"), late)
    lent = similarity(profile("Подписка на доставку", "курьер опаздывает"), late)
    said = similarity(profile("Подписка на доставку, курьер опаздывает"), late)
    assert without < lent < said


# --------------------------------------------------------------------------- a wall


def test_notes_that_say_the_same_thing_in_other_words_are_suggested_together() -> None:
    notes = wall(
        "Дорого",
        "Курьер опаздывает",
        "Слишком дорого для семьи",
        "Неудобное приложение",
        "Цена высокая",
        "Курьеры часто опаздывают",
    )
    found = groups_of(notes)
    assert {"Дорого", "Слишком дорого для семьи", "Цена высокая"} in found
    assert {"Курьер опаздывает", "Курьеры часто опаздывают"} in found
    assert not any("Неудобное приложение" in group for group in found)


def test_english_notes_are_suggested_the_same_way() -> None:
    found = groups_of(wall("Too expensive", "The app crashes", "Prices are too high", "App keeps crashing"))
    assert {"Too expensive", "Prices are too high"} in found
    assert {"The app crashes", "App keeps crashing"} in found


def test_a_suggestion_lists_its_notes_in_wall_order_under_a_key_that_ignores_order() -> None:
    notes = wall("Цена высокая", "Неудобное приложение", "Дорого")
    (group,) = suggest_groups(notes)
    assert group.note_ids == (10, 12)
    assert group.key == group_key([12, 10]) == "10-12"
    assert 0.5 <= group.score <= 1.0


def test_the_most_alike_suggestion_comes_first() -> None:
    notes = wall("Курьер опаздывает", "Дорого", "Курьер опаздывает!", "Цена высокая")
    first, second = suggest_groups(notes)
    assert first.note_ids == (10, 12)
    assert first.score > second.score


def test_a_dismissed_suggestion_and_any_part_of_it_are_not_suggested_again() -> None:
    notes = wall("Дорого", "Слишком дорого", "Цена высокая", "Неудобное приложение")
    (group,) = suggest_groups(notes)
    assert len(group.note_ids) == 3

    assert suggest_groups(notes, dismissed=[group.key]) == []
    # a note added later that joins it is a new suggestion
    grown = [*notes, WallNote(20, "Дороговато")]
    assert [len(g.note_ids) for g in suggest_groups(grown, dismissed=[group.key])] == [4]


def test_notes_already_merged_are_left_out_of_suggestions() -> None:
    notes = wall("Дорого", "Слишком дорого", "Цена высокая")
    (group,) = suggest_groups(notes, merged=[11])
    assert group.note_ids == (10, 12)
    assert suggest_groups(notes, merged=[11, 12]) == []


def test_a_wall_with_one_note_or_none_has_nothing_to_suggest() -> None:
    assert suggest_groups([]) == []
    assert suggest_groups(wall("Дорого")) == []


def test_a_chain_of_weak_links_does_not_glue_unrelated_notes_into_one_group() -> None:
    # a ~ b and b ~ c are alike enough, a and c are not: average linkage keeps c out
    similarities = [[0, 0.8, 0.1], [0.8, 0, 0.6], [0.1, 0.6, 0]]
    assert average_linkage(similarities, 0.5) == [[0, 1], [2]]
    assert average_linkage(similarities, 0.9) == [[0], [1], [2]]


# --------------------------------------------------------------------------- the table


def test_a_word_listed_under_two_concepts_is_refused(tmp_path: Path, monkeypatch) -> None:
    table = tmp_path / "concepts.yaml"
    table.write_text("concepts:\n  price: {ru: дорогая}\n  slow: {ru: дорогой}\n", encoding="utf-8")
    monkeypatch.setattr(concepts, "TABLE", table)
    concepts._table.cache_clear()
    try:
        with pytest.raises(ConceptClash, match="price and slow"):
            concepts.term("дор")
    finally:
        concepts._table.cache_clear()


# --------------------------------------------------------------------------- the memory


def test_the_memory_finds_earlier_notes_said_in_other_words_most_alike_first() -> None:
    index = MemoryIndex(
        [
            ("march", "Доставка по подписке слишком дорогая"),
            ("april", "Неудобное приложение"),
            ("may", "Цена подписки на доставку высокая"),
            ("june", "Подписка на доставку дорогая"),
        ]
    )
    found = index.most_similar("Дорогая подписка на доставку", limit=5)
    keys = [match.key for match in found]
    assert "april" not in keys
    assert set(keys) == {"march", "may", "june"}
    assert keys[0] == "june"
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)


def test_the_memory_keeps_every_note_of_one_wording_and_honours_the_limit_and_the_floor() -> None:
    index = MemoryIndex([(1, "Дорого"), (2, "дорого "), (3, "ДОРОГО"), (4, "Курьер опаздывает")])
    assert len(index) == 4
    assert index.wordings == 2
    assert [m.key for m in index.most_similar("Дорого", limit=2)] == [1, 2]
    assert index.most_similar("Неудобное приложение") == []
    assert index.most_similar("Дорого", at_least=1.01) == []
