"""Similar notes, suggested: the facilitator's tidy-up offers the notes that say the same thing in
other words as one merge, accepted or turned down with one tap; a turned-down suggestion is
remembered in the workshop and not offered again; accepting merges and keeps every original."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tests.conftest import Group
from tests.live.test_board import state_of, to_obstacles
from workshop import services
from workshop.db.models import Note, StepLog
from workshop.rules.errors import InvalidInput, NotFound

WALL = [
    "Дорого",
    "Слишком дорого для семьи",
    "Курьер опаздывает",
    "Цена высокая",
    "Неудобное приложение",
    "Курьеры часто опаздывают",
]


def write_wall(session: Session, group: Group, texts: list[str] = WALL) -> dict[str, int]:
    to_obstacles(session, group)
    ids = {}
    for i, text in enumerate(texts):
        note = services.add_note(session=session, participant_id=group.ids[i % len(group.ids)], text=text)
        ids[text] = note.id
    return ids


def suggested(session: Session, group: Group) -> list[dict]:
    return state_of(session, group)["wall"]["suggested"]


def test_notes_that_say_the_same_thing_in_other_words_are_suggested_as_one_merge(
    session, workshop_factory
) -> None:
    group = workshop_factory(6)
    ids = write_wall(session, group)

    groups = [set(g["ids"]) for g in suggested(session, group)]

    assert {ids["Дорого"], ids["Слишком дорого для семьи"], ids["Цена высокая"]} in groups
    assert {ids["Курьер опаздывает"], ids["Курьеры часто опаздывают"]} in groups
    assert not any(ids["Неудобное приложение"] in g for g in groups)


def test_a_suggestion_lists_its_notes_in_wall_order_and_the_first_is_the_one_kept(
    session, workshop_factory
) -> None:
    group = workshop_factory(6)
    ids = write_wall(session, group)
    price = next(g for g in suggested(session, group) if ids["Дорого"] in g["ids"])

    services.merge_notes(
        session=session, workshop_id=group.workshop.id, keep_id=price["ids"][0], merge_ids=price["ids"][1:]
    )

    assert price["ids"] == sorted(price["ids"])
    kept = session.get(Note, ids["Дорого"])
    merged = session.exec(select(Note).where(Note.merged_into_id == ids["Дорого"])).all()
    assert kept is not None and kept.merged_into_id is None
    assert {n.text for n in merged} == {"Слишком дорого для семьи", "Цена высокая"}
    assert all(n.original_text == n.text for n in merged)  # every original kept as written
    assert not any(ids["Дорого"] in g["ids"] for g in suggested(session, group))


def test_a_dismissed_suggestion_is_remembered_and_not_offered_again(session, workshop_factory) -> None:
    group = workshop_factory(6)
    ids = write_wall(session, group)
    late = next(g for g in suggested(session, group) if ids["Курьер опаздывает"] in g["ids"])
    revision = state_of(session, group)["rev"]

    services.dismiss_suggestion(session=session, workshop_id=group.workshop.id, key=late["key"])

    state = state_of(session, group)
    assert state["rev"] > revision  # every screen of the workshop hears of it
    assert late["key"] not in [g["key"] for g in state["wall"]["suggested"]]
    assert any(ids["Дорого"] in g["ids"] for g in state["wall"]["suggested"])  # the others stay
    logged = session.exec(select(StepLog.detail).where(StepLog.event == "dismissed")).all()
    assert logged == [late["key"]]


def test_a_note_written_after_a_dismissal_makes_a_new_suggestion_with_it(session, workshop_factory) -> None:
    group = workshop_factory(6)
    ids = write_wall(session, group)
    late = next(g for g in suggested(session, group) if ids["Курьер опаздывает"] in g["ids"])
    services.dismiss_suggestion(session=session, workshop_id=group.workshop.id, key=late["key"])

    third = services.add_note(session=session, participant_id=group.ids[0], text="Опоздание курьера")

    groups = [set(g["ids"]) for g in suggested(session, group)]
    assert any(third.id in g and ids["Курьер опаздывает"] in g for g in groups)


def test_nothing_is_suggested_when_every_note_says_something_else(session, workshop_factory) -> None:
    group = workshop_factory(6)
    write_wall(session, group, ["Дорого", "Неудобное приложение", "Нет доверия к свежести"])

    assert suggested(session, group) == []


@pytest.mark.parametrize(
    "key",
    ["", "abc", "12", "1-x", "-".join(["1"] * 201), "1-1", "1--2", " 1-2", "1-2\n"],
)
def test_a_dismissal_that_is_not_a_suggestion_is_refused_with_a_message(
    session, workshop_factory, key
) -> None:
    group = workshop_factory(6)
    write_wall(session, group)

    with pytest.raises(InvalidInput) as refused:
        services.dismiss_suggestion(session=session, workshop_id=group.workshop.id, key=key)

    assert refused.value.key == "error.suggestion_unknown"
    assert session.exec(select(StepLog).where(StepLog.event == "dismissed")).all() == []


def test_a_dismissal_naming_another_workshops_notes_is_refused(session, workshop_factory) -> None:
    ours, theirs = workshop_factory(6), workshop_factory(6)
    write_wall(session, ours)
    other = write_wall(session, theirs)

    with pytest.raises(NotFound):
        services.dismiss_suggestion(
            session=session,
            workshop_id=ours.workshop.id,
            key=f"{other['Дорого']}-{other['Цена высокая']}",
        )
