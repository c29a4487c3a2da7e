"""Who may open a room's screen and who may take part: the room's own key, a locked room whose
new joiners wait to be let in, and nothing done by someone still at the door."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tests.conftest import Group
from workshop import services
from workshop.db.models import Participant
from workshop.live.views import shared_view
from workshop.maps.store import trends_of
from workshop.rules.errors import AccessDenied, NotFound, NotLetIn
from workshop.rules.security import hash_secret, room_key


def test_the_room_link_opens_its_workshop_with_the_key_derived_from_the_facilitators(
    session: Session, group: Group
) -> None:
    room = room_key(group.key, group.workshop.code)

    opened = services.room_workshop(session=session, code=group.workshop.code, room=room)

    assert opened.id == group.workshop.id
    assert room != group.key and group.key not in room
    assert group.workshop.room_key_hash == hash_secret(room)


@pytest.mark.parametrize("room", [None, "", "guess", "x" * 300])
def test_a_code_without_the_room_key_opens_nothing_and_says_so_like_an_unknown_code(
    session: Session, group: Group, room: str | None
) -> None:
    with pytest.raises(NotFound) as known:
        services.room_workshop(session=session, code=group.workshop.code, room=room)
    with pytest.raises(NotFound) as unknown:
        services.room_workshop(session=session, code="ZZZZZZ", room=room)

    assert known.value.key == unknown.value.key == "error.workshop_not_found"


def test_another_workshops_room_key_opens_nothing(session: Session, workshop_factory) -> None:
    first, second = workshop_factory(1), workshop_factory(1)

    with pytest.raises(NotFound):
        services.room_workshop(
            session=session, code=first.workshop.code, room=room_key(second.key, second.workshop.code)
        )


def test_an_older_workshop_gets_its_room_key_when_its_facilitator_opens_the_controls(
    session: Session, group: Group
) -> None:
    workshop = group.workshop
    workshop.room_key_hash = ""  # made before rooms had keys of their own
    session.add(workshop)
    session.commit()

    room = services.keep_room_key(session=session, workshop_id=workshop.id, key=group.key)

    assert services.room_workshop(session=session, code=workshop.code, room=room).id == workshop.id
    with pytest.raises(AccessDenied):
        services.keep_room_key(session=session, workshop_id=workshop.id, key="not the key")


def test_in_a_locked_room_a_new_joiner_waits_and_is_not_counted(session: Session, group: Group) -> None:
    services.lock_room(session=session, workshop_id=group.workshop.id, locked=True)

    late, _token = services.join(session=session, code=group.workshop.code, name="Поздний", department="ИТ")
    view = shared_view(session=session, workshop_id=group.workshop.id)

    assert late.admission == services.WAITING
    assert [p.name for p in view.waiting] == ["Поздний"]
    assert "Поздний" not in [p.name for p in view.participants]
    assert len(view.participants) == 5


def test_someone_at_the_door_can_neither_pick_nor_write_nor_vote(session: Session, group: Group) -> None:
    wid = group.workshop.id
    services.lock_room(session=session, workshop_id=wid, locked=True)
    late, _token = services.join(session=session, code=group.workshop.code, name="Поздний", department="ИТ")
    services.advance(session=session, workshop_id=wid)
    trend = trends_of(session=session, version_id=group.workshop.trend_map_version_id)[0]

    with pytest.raises(NotLetIn):
        services.toggle_pick(session=session, participant_id=late.id, trend_id=trend.id, picked=True)
    with pytest.raises(NotLetIn):
        services.set_picks(session=session, participant_id=late.id, trend_ids=[trend.id] * 4)


def test_the_facilitator_lets_one_in_and_turns_another_away(session: Session, group: Group) -> None:
    wid = group.workshop.id
    services.lock_room(session=session, workshop_id=wid, locked=True)
    anna, _ = services.join(session=session, code=group.workshop.code, name="Анна", department="ИТ")
    boris, _ = services.join(session=session, code=group.workshop.code, name="Борис", department="ИТ")

    services.let_in(session=session, workshop_id=wid, participant_id=anna.id)
    services.let_in(session=session, workshop_id=wid, participant_id=boris.id, admit=False)
    view = shared_view(session=session, workshop_id=wid)

    assert "Анна" in [p.name for p in view.participants] and view.waiting == []
    assert session.get(Participant, boris.id).admission == services.TURNED_AWAY
    assert services.admission_of(session=session, participant_id=boris.id) == services.TURNED_AWAY
    with pytest.raises(NotFound):  # already decided: nobody is let in twice
        services.let_in(session=session, workshop_id=wid, participant_id=boris.id)


def test_unlocking_lets_the_next_joiner_straight_in(session: Session, group: Group) -> None:
    services.lock_room(session=session, workshop_id=group.workshop.id, locked=True)
    services.lock_room(session=session, workshop_id=group.workshop.id, locked=False)

    person, _ = services.join(session=session, code=group.workshop.code, name="Вера", department="ИТ")

    assert person.admission == services.LET_IN


def test_a_facilitator_of_another_workshop_cannot_let_anyone_in(session: Session, workshop_factory) -> None:
    first, second = workshop_factory(1), workshop_factory(1)
    services.lock_room(session=session, workshop_id=first.workshop.id, locked=True)
    waiting, _ = services.join(session=session, code=first.workshop.code, name="Глеб", department="ИТ")

    with pytest.raises(NotFound):
        services.let_in(session=session, workshop_id=second.workshop.id, participant_id=waiting.id)
