"""What the company already tried: a group's chosen obstacle or innovation brings up the earlier
workshops that chose the same in other words, with their date, the hand-off's fate and notes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from tests.scenario import _build
from workshop.db.models import Note, Workshop
from workshop.managers import handoff, memory
from workshop.rules.enums import HandoffStatus, Subject


def finished_with(engine, session: Session, *, obstacle: str, innovation: str) -> int:  # type: ignore[no-untyped-def]
    """A workshop run to the end, its chosen notes then worded as given."""
    workshop_id = _build(engine, stop="finished", people=6, settings=None).workshop_id
    workshop = session.get(Workshop, workshop_id)
    assert workshop is not None
    for note_id, text in (
        (workshop.chosen_obstacle_id, obstacle),
        (workshop.chosen_innovation_id, innovation),
    ):
        note = session.get(Note, note_id)
        assert note is not None
        note.text = text
        session.add(note)
    session.commit()
    return workshop_id


def test_an_innovation_rejected_before_is_recalled_in_other_words_with_its_fate_and_why(
    engine, session: Session
) -> None:
    march = finished_with(
        engine, session, obstacle="Дорого для семьи", innovation="Доставка продуктов на дом по подписке"
    )
    finished_with(
        engine, session, obstacle="Неудобное приложение", innovation="Голосовой заказ через колонку"
    )
    h = handoff.assign(session=session, workshop_id=march, name="Ирина", email="irina@example.com", by="Юлия")
    t0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    handoff.change_status(session=session, handoff_id=h.id, status="checking", by="Ирина", now=t0)
    handoff.change_status(
        session=session,
        handoff_id=h.id,
        status="rejected",
        by="Ирина",
        note="Клиенты не хотят платить за месяц вперёд",
        now=t0 + timedelta(days=3),
    )

    found = memory.recall(session=session, kind=Subject.INNOVATION, text="подписка на доставку домой")

    assert found and found[0].workshop_id == march
    assert found[0].text == "Доставка продуктов на дом по подписке"
    assert found[0].fate == HandoffStatus.REJECTED
    assert found[0].notes == ("Клиенты не хотят платить за месяц вперёд",)
    assert found[0].obstacle == "Дорого для семьи"
    assert all(r.innovation != "Голосовой заказ через колонку" for r in found)


def test_an_obstacle_is_recalled_from_the_obstacles_not_from_the_innovations(
    engine, session: Session
) -> None:
    earlier = finished_with(engine, session, obstacle="Цена слишком высокая", innovation="Семейная подписка")

    obstacles = memory.recall(session=session, kind=Subject.OBSTACLE, text="Дорого, высокая цена")
    innovations = memory.recall(session=session, kind=Subject.INNOVATION, text="Дорого, высокая цена")

    assert [r.workshop_id for r in obstacles] == [earlier]
    assert obstacles[0].fate is None and obstacles[0].notes == ()  # never handed off
    assert innovations == []


def test_the_asking_workshop_is_not_recalled_to_itself(engine, session: Session) -> None:
    own = finished_with(engine, session, obstacle="Долго ждать курьера", innovation="Курьер по расписанию")

    assert (
        memory.recall(
            session=session, kind=Subject.OBSTACLE, text="Долго ждать курьера", exclude_workshop_id=own
        )
        == []
    )


def test_a_workshop_finished_after_a_look_up_is_recalled_at_the_next(engine, session: Session) -> None:
    finished_with(
        engine, session, obstacle="Нет доверия к свежести", innovation="Фото продуктов перед отправкой"
    )
    assert memory.recall(session=session, kind=Subject.OBSTACLE, text="Курьеры опаздывают") == []
    session.commit()  # the page's run that looked has ended

    later = finished_with(
        engine, session, obstacle="Курьер часто опаздывает", innovation="Окно доставки 15 минут"
    )

    found = memory.recall(session=session, kind=Subject.OBSTACLE, text="Курьеры опаздывают")
    assert [r.workshop_id for r in found] == [later]


def test_an_empty_choice_recalls_nothing(engine, session: Session) -> None:
    finished_with(engine, session, obstacle="Дорого", innovation="Скидки")

    assert memory.recall(session=session, kind=Subject.OBSTACLE, text="   ") == []
