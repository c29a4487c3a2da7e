"""An innovation day: one organizer, several groups (each a workshop of its own), created in one
go or one by one, every group's facilitator link derived from the organizer's key, one board of
every group, and moves for every group at once — each group's own rules still hold."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tests.scenario import _build
from workshop import services
from workshop.db.models import Participant, Workshop
from workshop.maps.store import trends_of
from workshop.rules import schedule, steps
from workshop.rules.enums import DayVote
from workshop.rules.errors import AccessDenied, InvalidInput, NotFound, TransitionRefused
from workshop.rules.security import secret_matches

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def make_day(session: Session, version: int, groups: int = 3, **changes):  # type: ignore[no-untyped-def]
    values = {
        "title": "День инноваций",
        "product": "Доставка продуктов",
        "held_on": "2026-12-03",
        "map_version_id": version,
        "settings": services.Settings(),
        "groups": groups,
    } | changes
    return services.create_day(session=session, **values)


def join_all(session: Session, workshop: Workshop, n: int = 5) -> list[int]:
    return [
        services.join(session=session, code=workshop.code, name=f"Участник {i}", department="Продажи")[0].id
        for i in range(n)
    ]


def test_a_day_with_six_groups_is_created_in_one_go_each_group_a_workshop_of_the_day(
    session, builtin_version
) -> None:
    day, key = make_day(session, builtin_version, groups=6)

    groups = services.groups_of(session=session, day_id=day.id)
    assert [g.group_number for g in groups] == [1, 2, 3, 4, 5, 6]
    assert [g.title for g in groups] == [f"День инноваций — группа {n}" for n in range(1, 7)]
    assert len({g.code for g in groups}) == 6
    assert all(
        g.trend_map_version_id == builtin_version and g.product == "Доставка продуктов" for g in groups
    )
    assert all(g.step == steps.LOBBY for g in groups)
    assert day.held_on == date(2026, 12, 3)
    assert secret_matches(key, day.organizer_key_hash)


def test_the_days_settings_are_every_groups_settings(session, builtin_version) -> None:
    day, _key = make_day(
        session, builtin_version, settings=services.Settings(pick_minutes=5, notes_max=3, notes_min=2)
    )
    for group in services.groups_of(session=session, day_id=day.id):
        assert (group.pick_minutes, group.notes_max, group.notes_min) == (5, 3, 2)


def test_each_groups_facilitator_link_comes_from_the_organizers_key_and_opens_only_that_group(
    session, builtin_version
) -> None:
    day, key = make_day(session, builtin_version, groups=2)
    first, second = services.groups_of(session=session, day_id=day.id)
    first_key = services.facilitator_key(key, first)

    assert services.facilitated_workshop(session=session, code=first.code, key=first_key).id == first.id
    with pytest.raises(AccessDenied):
        services.facilitated_workshop(session=session, code=second.code, key=first_key)
    with pytest.raises(AccessDenied):
        services.facilitated_workshop(session=session, code=first.code, key=key)  # the organizer's own key
    with pytest.raises(AccessDenied):
        services.organized_day(session=session, code=day.code, key=first_key)


def test_groups_are_added_one_by_one_numbered_on_and_never_more_than_twelve(session, builtin_version) -> None:
    day, key = make_day(session, builtin_version, groups=10)
    (eleventh,) = services.add_groups(session=session, day_id=day.id, key=key, count=1)
    assert eleventh.group_number == 11
    with pytest.raises(InvalidInput) as refused:
        services.add_groups(session=session, day_id=day.id, key=key, count=2)
    assert refused.value.key == "error.setting_range"
    assert refused.value.args_dict["high"] == 1
    with pytest.raises(AccessDenied):
        services.add_groups(session=session, day_id=day.id, key="not the key", count=1)
    assert len(services.groups_of(session=session, day_id=day.id)) == 11


@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        ({"title": "   "}, "error.empty", "title"),
        ({"title": "Д" * 101}, "error.too_long", "title"),
        ({"product": ""}, "error.empty", "product"),
        ({"held_on": "3 декабря"}, "error.date", "held_on"),
        ({"held_on": "2026-02-30"}, "error.date", "held_on"),
        ({"held_on": None}, "error.date", "held_on"),
        ({"groups": 13}, "error.setting_range", "groups"),
        ({"groups": -1}, "error.setting_range", "groups"),
        ({"groups": True}, "error.setting_range", "groups"),
        ({"map_version_id": 999_999}, "error.map_not_found", None),
    ],
)
def test_a_day_with_bad_input_is_refused_with_its_field_named_and_nothing_made(
    session, builtin_version, change, message, field
) -> None:
    with pytest.raises(InvalidInput) as refused:
        make_day(session, builtin_version, **change)
    assert refused.value.key == message
    if field:
        assert refused.value.args_dict["field"] == field
    assert session.exec(select(Workshop)).all() == []


def test_the_organizers_key_is_checked_and_an_unknown_day_looks_the_same_as_a_wrong_key(
    session, builtin_version
) -> None:
    day, key = make_day(session, builtin_version, groups=1)
    assert services.organized_day(session=session, code=day.code.lower(), key=key).id == day.id
    for code, wrong in ((day.code, "x" * 32), (day.code, None), ("ZZZZZZ", key)):
        with pytest.raises(AccessDenied):
            services.organized_day(session=session, code=code, key=wrong)


def test_the_board_shows_every_groups_step_people_and_choices_as_they_land(session, builtin_version) -> None:
    day, key = make_day(session, builtin_version, groups=3)
    first, second, third = services.groups_of(session=session, day_id=day.id)
    join_all(session, first, 5)
    join_all(session, second, 2)

    board = services.day_board(session=session, day_id=day.id, now=NOW)
    assert [(g.number, g.step, g.joined) for g in board] == [
        (1, "lobby", 5),
        (2, "lobby", 2),
        (3, "lobby", 0),
    ]
    assert board[2].missing is not None  # nobody in the third group's room yet
    assert board[0].missing is None
    assert board[0].lateness is None  # the day has not started

    moves = services.start_day(session=session, day_id=day.id, now=NOW)
    assert moves.moved == [1, 2]
    assert [number for number, _why in moves.held] == [3]
    board = services.day_board(session=session, day_id=day.id, now=NOW + timedelta(minutes=1))
    assert [g.step for g in board] == ["trends_pick", "trends_pick", "lobby"]
    assert board[0].deadline is not None


def test_a_group_behind_the_days_schedule_is_named_with_how_far(session, builtin_version) -> None:
    day, key = make_day(session, builtin_version, groups=2)
    first, second = services.groups_of(session=session, day_id=day.id)
    join_all(session, first)
    join_all(session, second)
    services.start_day(session=session, day_id=day.id, now=NOW)
    # the first group moves on in time, the second is still picking 10 minutes after its plan
    session.refresh(first)
    ends = schedule.planned_ends(first, NOW)
    later = ends[steps.TRENDS_PICK] + timedelta(minutes=10)

    board = services.day_board(session=session, day_id=day.id, now=later)
    assert all(g.lateness is not None for g in board)
    assert board[1].lateness.behind_minutes == 10  # type: ignore[union-attr]
    assert board[1].lateness.day_ends_at == ends[steps.PRESENTATION]  # type: ignore[union-attr]
    on_time = services.day_board(
        session=session, day_id=day.id, now=ends[steps.TRENDS_PICK] + timedelta(minutes=1)
    )
    assert not any(g.lateness.behind for g in on_time)  # type: ignore[union-attr]


def test_every_group_that_may_go_on_goes_and_the_others_are_named_with_what_they_need(
    session, builtin_version
) -> None:
    day, key = make_day(session, builtin_version, groups=3)
    groups = services.groups_of(session=session, day_id=day.id)
    people = [join_all(session, group) for group in groups]
    services.start_day(session=session, day_id=day.id, now=NOW)
    trends = [t.id for t in trends_of(session=session, version_id=builtin_version)]
    for participant_id in people[0] + people[1]:  # the third group has picked nothing yet
        services.set_picks(session=session, participant_id=participant_id, trend_ids=trends[:4], now=NOW)

    before = services.day_board(session=session, day_id=day.id, now=NOW)
    moves = services.advance_all(session=session, day_id=day.id, now=NOW + timedelta(minutes=1))

    after = services.day_board(session=session, day_id=day.id, now=NOW + timedelta(minutes=1))
    assert moves.moved == [1, 2]
    assert moves.held == [(3, before[2].missing)]
    assert before[2].missing is not None
    assert [g.step for g in after] == ["trends_vote", "trends_vote", "trends_pick"]


def test_everyone_gets_more_time_at_once_and_a_group_without_a_timer_is_named(
    session, builtin_version
) -> None:
    day, key = make_day(session, builtin_version, groups=2)
    first, second = services.groups_of(session=session, day_id=day.id)
    join_all(session, first)
    services.start_day(session=session, day_id=day.id, now=NOW)
    session.refresh(first)
    before = first.deadline

    moves = services.extend_all(session=session, day_id=day.id, minutes=2, now=NOW + timedelta(minutes=1))

    session.refresh(first)
    assert moves.moved == [1]
    assert moves.held == [(2, "error.no_timer")]  # still in its lobby
    assert before is not None and first.deadline is not None
    assert (first.deadline - before).total_seconds() == pytest.approx(120)
    for minutes in (0, 121, True, "2"):
        with pytest.raises(InvalidInput):
            services.extend_all(session=session, day_id=day.id, minutes=minutes)  # type: ignore[arg-type]


def test_the_gallerys_link_opens_the_gallery_only_and_a_wrong_one_finds_no_day(
    session, builtin_version
) -> None:
    day, key = make_day(session, builtin_version, groups=1)
    gallery = services.gallery_link_key(key, day)

    assert services.gallery_day(session=session, code=day.code, key=gallery).id == day.id
    with pytest.raises(AccessDenied):
        services.organized_day(session=session, code=day.code, key=gallery)
    for code, wrong in ((day.code, key), (day.code, None), ("ZZZZZZ", gallery)):
        with pytest.raises(NotFound):
            services.gallery_day(session=session, code=code, key=wrong)


# --------------------------------------------------------------------------- the day-wide vote


def finished_groups(engine, session: Session, version: int, finished: int = 2):  # type: ignore[no-untyped-def]
    """A day of three groups, the first ``finished`` run to the end (six people each)."""
    day, key = make_day(session, version, groups=3)
    groups = services.groups_of(session=session, day_id=day.id)
    keys = [(g.id, services.facilitator_key(key, g)) for g in groups[:finished]]
    session.commit()  # the read ends: the builder writes through the same connection
    built = [_build(engine, stop="finished", people=6, settings=None, existing=k) for k in keys]
    for group in groups:
        session.refresh(group)
    return day, groups, built


def test_the_days_vote_opens_once_two_groups_have_an_innovation(engine, session, builtin_version) -> None:
    day, _groups, _built = finished_groups(engine, session, builtin_version, finished=1)
    with pytest.raises(TransitionRefused) as refused:
        services.open_day_vote(session=session, day_id=day.id)
    assert refused.value.key == "error.day_vote_needs_two"

    day, _groups, _built = finished_groups(engine, session, builtin_version, finished=2)
    services.open_day_vote(session=session, day_id=day.id)
    assert services.day_vote(session=session, day_id=day.id).status == DayVote.OPEN


def test_everyone_votes_another_groups_innovation_and_a_second_vote_replaces_the_first(
    engine, session, builtin_version
) -> None:
    day, groups, built = finished_groups(engine, session, builtin_version)
    first, second, third = groups
    services.open_day_vote(session=session, day_id=day.id)
    anna, boris = built[0].participant_ids[:2]
    vera = built[1].participant_ids[0]

    status, offered, mine = services.day_ballot_of(
        session=session, participant=session.get(Participant, anna)
    )
    assert status == DayVote.OPEN and mine is None
    assert [o.number for o in offered] == [2]  # never the participant's own group, nor one without an idea

    with pytest.raises(InvalidInput) as own:
        services.cast_day_ballot(session=session, participant_id=anna, workshop_id=first.id)
    assert own.value.key == "error.day_vote_own_group"
    with pytest.raises(InvalidInput):
        services.cast_day_ballot(
            session=session, participant_id=anna, workshop_id=third.id
        )  # chose nothing yet
    services.cast_day_ballot(session=session, participant_id=anna, workshop_id=second.id)
    services.cast_day_ballot(session=session, participant_id=boris, workshop_id=second.id)
    services.cast_day_ballot(session=session, participant_id=vera, workshop_id=first.id)
    services.cast_day_ballot(session=session, participant_id=vera, workshop_id=first.id)  # again: still one

    vote = services.day_vote(session=session, day_id=day.id)
    assert vote.ballots == 3 and vote.people == 12
    assert {o.number: o.votes for o in vote.options} == {1: 1, 2: 2}
    assert vote.leaders == [2]
    _status, _offered, mine = services.day_ballot_of(
        session=session, participant=session.get(Participant, vera)
    )
    assert mine == first.id


def test_no_vote_is_taken_before_the_day_vote_opens_or_after_it_closes(
    engine, session, builtin_version
) -> None:
    day, groups, built = finished_groups(engine, session, builtin_version)
    anna = built[0].participant_ids[0]
    with pytest.raises(TransitionRefused):
        services.cast_day_ballot(session=session, participant_id=anna, workshop_id=groups[1].id)
    services.open_day_vote(session=session, day_id=day.id)
    services.close_day_vote(session=session, day_id=day.id)
    with pytest.raises(TransitionRefused):
        services.cast_day_ballot(session=session, participant_id=anna, workshop_id=groups[1].id)
    with pytest.raises(TransitionRefused):
        services.close_day_vote(session=session, day_id=day.id)
    assert services.day_vote(session=session, day_id=day.id).ballots == 0


def test_a_phone_of_a_day_sees_the_days_vote_change_in_its_phase(engine, session, builtin_version) -> None:
    day, groups, _built = finished_groups(engine, session, builtin_version)
    before = services.live_signature(session=session, code=groups[0].code)["phase"]
    services.open_day_vote(session=session, day_id=day.id)
    opened = services.live_signature(session=session, code=groups[0].code)["phase"]
    assert before != opened  # the safety net's cheap check sees it, even with the event missed


def test_a_group_still_at_work_cannot_vote_in_the_days_vote_yet(engine, session, builtin_version) -> None:
    day, groups, _built = finished_groups(engine, session, builtin_version)
    services.open_day_vote(session=session, day_id=day.id)
    late = services.join(session=session, code=groups[2].code, name="Поздний", department="ИТ")[0]
    with pytest.raises(TransitionRefused) as refused:
        services.cast_day_ballot(session=session, participant_id=late.id, workshop_id=groups[0].id)
    assert refused.value.key == "error.day_vote_not_yet"
    assert services.day_vote(session=session, day_id=day.id).ballots == 0


def test_a_group_that_finishes_after_the_vote_opened_changes_every_groups_phase(
    engine, session, builtin_version
) -> None:
    day, key = make_day(session, builtin_version, groups=3)
    groups = services.groups_of(session=session, day_id=day.id)
    keys = [(g.id, services.facilitator_key(key, g)) for g in groups]
    codes = [g.code for g in groups]
    session.commit()
    for existing in keys[:2]:
        _build(engine, stop="finished", people=6, settings=None, existing=existing)
    services.open_day_vote(session=session, day_id=day.id)
    before = services.live_signature(session=session, code=codes[0])["phase"]
    session.commit()  # the read ends: the builder writes through the same connection

    _build(engine, stop="presentation", people=6, settings=None, existing=keys[2])

    assert services.live_signature(session=session, code=codes[0])["phase"] != before
    assert len(services.day_vote(session=session, day_id=day.id).options) == 3


def test_a_groups_number_is_its_days_once(session, builtin_version) -> None:
    day, key = make_day(session, builtin_version, groups=1)
    with pytest.raises(IntegrityError):
        services.create_workshop(
            session=session,
            title="Вторая первая группа",
            product="Доставка",
            map_version_id=builtin_version,
            settings=services.Settings(),
            day=(day.id, 1, key),
        )
    session.rollback()
    assert len(services.groups_of(session=session, day_id=day.id)) == 1
