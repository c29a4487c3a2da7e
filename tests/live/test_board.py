"""The big screens' live data: what is patched, what makes a screen draw its layout anew, one
JSON per revision for every screen, and nothing the room may not see yet."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session

from tests.conftest import Group
from tests.scenario import STOPS, build_workshop
from workshop import services
from workshop.db.engine import make_engine
from workshop.db.models import Trend, Workshop
from workshop.live import board
from workshop.live.views import shared_view
from workshop.maps.store import trends_of
from workshop.rules import steps
from workshop.services import flow

HOSTILE = "<img src=x onerror=alert(1)> **bold** [link](http://e.vil) &amp;"


def state_of(session: Session, group: Group) -> dict:
    return board.board_state(shared_view(session=session, workshop_id=group.workshop.id))


def keys_of(session: Session, group: Group) -> dict[str, str]:
    return state_of(session, group)["layout"]


def trends(session: Session, group: Group) -> list[Trend]:
    return trends_of(session=session, version_id=group.workshop.trend_map_version_id)


def to_pick(session: Session, group: Group) -> None:
    services.advance(session=session, workshop_id=group.workshop.id)


def to_obstacles(session: Session, group: Group) -> None:
    to_pick(session, group)
    ids = [t.id for t in trends(session, group)]
    for pid in group.ids:
        services.set_picks(session=session, participant_id=pid, trend_ids=ids[:4])
    services.advance(session=session, workshop_id=group.workshop.id)
    poll = services.current_poll(session=session, workshop=session.get(Workshop, group.workshop.id))
    option = services.options_of(session=session, poll_id=poll.id)[0]
    services.open_poll(session=session, workshop_id=group.workshop.id, poll_id=poll.id)
    for pid in group.ids:
        services.cast_ballot(session=session, participant_id=pid, poll_id=poll.id, marks={option.id: 1})
    services.close_poll(session=session, workshop_id=group.workshop.id, poll_id=poll.id)
    services.advance(session=session, workshop_id=group.workshop.id)


def test_the_lobby_shows_who_joined_with_departments_and_the_group_warnings(
    session, workshop_factory
) -> None:
    group = workshop_factory(3, departments=["Продажи", "Продажи", "продажи"])

    state = state_of(session, group)

    assert [(p["name"], p["department"]) for p in state["roster"]] == [
        ("Person 1", "Продажи"),
        ("Person 2", "Продажи"),
        ("Person 3", "продажи"),
    ]
    assert state["people"] == 3
    assert [key for key, _args in state["warnings"]] == ["warn.too_few", "warn.one_department"]
    assert "picks" not in state and "wall" not in state and "poll" not in state


def test_the_pick_step_carries_the_count_of_each_trend_and_who_is_done(session, group) -> None:
    to_pick(session, group)
    first, second, third, fourth, fifth = (t.id for t in trends(session, group)[:5])
    services.set_picks(session=session, participant_id=group.ids[0], trend_ids=[first, second, third, fourth])
    services.toggle_pick(session=session, participant_id=group.ids[1], trend_id=first, picked=True)

    state = state_of(session, group)

    assert state["picks"] == {
        "counts": {str(first): 2, str(second): 1, str(third): 1, str(fourth): 1},
        "done": 1,
        "total": 5,
    }
    assert str(fifth) not in state["picks"]["counts"]


def test_the_wall_counts_what_the_room_sees_after_merges_and_withdrawals(session, group) -> None:
    to_obstacles(session, group)
    notes = [
        services.add_note(session=session, participant_id=pid, text=text)
        for pid, text in zip(group.ids[:4], ["Дорого", "Слишком дорого", "Долго", "Сложно"], strict=True)
    ]
    services.merge_notes(
        session=session, workshop_id=group.workshop.id, keep_id=notes[0].id, merge_ids=[notes[1].id]
    )
    services.withdraw_note(session=session, participant_id=group.ids[3], note_id=notes[3].id)

    wall = state_of(session, group)["wall"]

    assert wall["kind"] == "obstacle"
    assert wall["count"] == 2 and wall["notes"] == 3
    assert [c["text"] for c in wall["cards"]] == ["Дорого", "Долго"]
    assert wall["cards"][0]["merged"] == [{"id": notes[1].id, "text": "Слишком дорого"}]


def test_authors_travel_only_when_the_facilitator_shows_them(session, group) -> None:
    to_obstacles(session, group)
    services.add_note(session=session, participant_id=group.ids[0], text="Дорого")

    hidden = state_of(session, group)["wall"]["cards"][0]["authors"]
    services.set_display(session=session, workshop_id=group.workshop.id, show_authors=True)
    shown = state_of(session, group)["wall"]["cards"][0]["authors"]

    assert hidden == [] and shown == ["Person 1"]


def test_participant_text_travels_exactly_as_written(session, workshop_factory) -> None:
    group = workshop_factory(1)
    services.join(session=session, code=group.workshop.code, name=HOSTILE[:60], department="<b>IT</b>")
    to_obstacles(session, group)
    services.add_note(session=session, participant_id=group.ids[0], text=HOSTILE)

    state = state_of(session, group)
    body = json.loads(board.board_json(session=session, workshop_id=group.workshop.id)[1])

    assert state["wall"]["cards"][0]["text"] == HOSTILE
    assert body["wall"]["cards"][0]["text"] == HOSTILE
    assert state["roster"][1] == {
        "id": state["roster"][1]["id"],
        "name": HOSTILE[:60],
        "department": "<b>IT</b>",
    }


def test_a_secret_vote_shows_only_how_many_voted(session, group) -> None:
    to_pick(session, group)
    ids = [t.id for t in trends(session, group)]
    for pid in group.ids:
        services.set_picks(session=session, participant_id=pid, trend_ids=ids[:4])
    services.advance(session=session, workshop_id=group.workshop.id)
    poll = services.current_poll(session=session, workshop=session.get(Workshop, group.workshop.id))
    options = services.options_of(session=session, poll_id=poll.id)
    services.open_poll(session=session, workshop_id=group.workshop.id, poll_id=poll.id)
    services.cast_ballot(
        session=session, participant_id=group.ids[0], poll_id=poll.id, marks={options[0].id: 1}
    )

    state = state_of(session, group)

    assert state["poll"] == {"id": poll.id, "status": "open", "ballots": 1}
    assert set(state) == {"rev", "step", "layout", "timer", "people", "roster", "waiting", "warnings", "poll"}


def _changes_layout(session, group, change) -> tuple[bool, bool]:  # type: ignore[no-untyped-def]
    before = keys_of(session, group)
    change()
    after = keys_of(session, group)
    return before["room"] != after["room"], before["facilitator"] != after["facilitator"]


def test_what_phones_send_is_patched_on_both_big_screens(session, group) -> None:
    to_pick(session, group)
    trend = trends(session, group)[0]

    def pick() -> None:
        services.toggle_pick(session=session, participant_id=group.ids[0], trend_id=trend.id, picked=True)

    def join() -> None:
        services.join(session=session, code=group.workshop.code, name="Late", department="HR")

    def extend() -> None:
        services.change_timer(session=session, workshop_id=group.workshop.id, action="extend", minutes=1)

    assert _changes_layout(session, group, pick) == (False, False)
    assert _changes_layout(session, group, join) == (False, False)
    assert _changes_layout(session, group, extend) == (False, False)


def test_notes_and_ballots_are_patched_but_the_first_note_gives_the_controls_their_next_step(
    session, group
) -> None:
    to_obstacles(session, group)

    def note(text: str):  # type: ignore[no-untyped-def]
        return lambda: services.add_note(session=session, participant_id=group.ids[0], text=text)

    assert _changes_layout(session, group, note("Дорого")) == (False, True)
    assert _changes_layout(session, group, note("Долго")) == (False, False)


@pytest.mark.parametrize("control", ["advance", "open", "close", "reveal"])
def test_a_step_or_a_vote_phase_changes_both_layouts(session, group, control) -> None:
    to_pick(session, group)
    ids = [t.id for t in trends(session, group)]
    for pid in group.ids:
        services.set_picks(
            session=session, participant_id=pid, trend_ids=[ids[group.ids.index(pid) % 2], *ids[2:5]]
        )
    wid = group.workshop.id
    if control != "advance":
        services.advance(session=session, workshop_id=wid)
    poll = services.current_poll(session=session, workshop=session.get(Workshop, wid))
    if control in ("close", "reveal"):
        services.open_poll(session=session, workshop_id=wid, poll_id=poll.id)
    if control == "reveal":
        services.close_poll(session=session, workshop_id=wid, poll_id=poll.id)
    act = {
        "advance": lambda: services.advance(session=session, workshop_id=wid),
        "open": lambda: services.open_poll(session=session, workshop_id=wid, poll_id=poll.id),
        "close": lambda: services.close_poll(session=session, workshop_id=wid, poll_id=poll.id),
        "reveal": lambda: services.reveal_poll(session=session, workshop_id=wid, poll_id=poll.id),
    }[control]

    assert _changes_layout(session, group, act) == (True, True)


def test_the_facilitators_display_switches_change_only_the_controls(session, group) -> None:
    to_pick(session, group)
    wid = group.workshop.id

    def pause() -> None:
        services.change_timer(session=session, workshop_id=wid, action="pause")

    def authors() -> None:
        services.set_display(session=session, workshop_id=wid, show_authors=True)

    def chime() -> None:
        services.set_display(session=session, workshop_id=wid, sound=True)

    assert _changes_layout(session, group, pause) == (False, True)
    assert _changes_layout(session, group, authors) == (False, True)
    assert _changes_layout(session, group, chime) == (False, True)


def test_the_address_phones_join_by_redraws_the_rooms_qr_code(session, group) -> None:
    def address() -> None:
        services.set_display(
            session=session, workshop_id=group.workshop.id, join_base_url="http://10.0.0.5:8501"
        )

    assert _changes_layout(session, group, address) == (True, True)


def test_every_screen_of_a_revision_shares_one_json_and_a_change_makes_a_new_one(
    session, group, monkeypatch
) -> None:
    builds = []
    real = board.board_state

    def counting(view):  # type: ignore[no-untyped-def]
        builds.append(view.workshop.revision)
        return real(view)

    monkeypatch.setattr(board, "board_state", counting)
    wid = group.workshop.id

    first = [board.board_json(session=session, workshop_id=wid) for _screen in range(8)]
    to_pick(session, group)
    second = board.board_json(session=session, workshop_id=wid)

    assert len(builds) == 2
    assert len({body for _rev, body in first}) == 1
    assert second[0] > first[0][0]
    assert json.loads(second[1])["step"] == steps.TRENDS_PICK


def test_an_unknown_workshop_has_no_board(session, group) -> None:
    with pytest.raises(LookupError):
        board.board_json(session=session, workshop_id=group.workshop.id + 1000)


def test_the_first_complete_pick_gives_the_controls_their_next_step(session, group) -> None:
    to_pick(session, group)
    ids = [t.id for t in trends(session, group)]

    def tick(pid: int, trend_id: int):  # type: ignore[no-untyped-def]
        return lambda: services.toggle_pick(
            session=session, participant_id=pid, trend_id=trend_id, picked=True
        )

    for trend_id in ids[:3]:  # fewer than the minimum of 4: the next step still waits
        assert _changes_layout(session, group, tick(group.ids[0], trend_id)) == (False, False)
    assert _changes_layout(session, group, tick(group.ids[0], ids[3])) == (False, True)
    assert _changes_layout(session, group, tick(group.ids[1], ids[0])) == (False, False)


@pytest.mark.parametrize("stop", STOPS)
def test_the_views_facts_say_what_the_step_rules_say_of_the_tables(tmp_path, stop) -> None:
    db_url = f"sqlite:///{tmp_path / 'facts.db'}"
    built = build_workshop(db_url, stop=stop)
    engine = make_engine(db_url)
    with Session(engine) as session:
        workshop = session.get(Workshop, built.workshop_id)
        from_view = shared_view(session=session, workshop_id=built.workshop_id).facts
        from_tables = flow._facts(session, workshop)
    engine.dispose()

    assert steps.missing_for_next(from_view) == steps.missing_for_next(from_tables)
    assert (from_view.participants, from_view.picks, from_view.poll_decided) == (
        from_tables.participants,
        from_tables.picks,
        from_tables.poll_decided,
    )
