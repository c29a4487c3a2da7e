"""The services against an in-memory database: every rule a facilitator or a phone can hit."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from workshop import services
from workshop.db.models import (
    Ballot,
    BallotMark,
    Note,
    Pick,
    Poll,
    PollOption,
    StepLog,
    Trend,
    Workshop,
    utcnow,
)
from workshop.live import views
from workshop.live.events import hub
from workshop.maps.store import latest_versions, trends_of
from workshop.rules import steps
from workshop.rules.errors import (
    AccessDenied,
    BallotInvalid,
    InvalidInput,
    NotFound,
    TimeUp,
    TransitionRefused,
    VotingClosed,
    WorkshopError,
    WrongStep,
)
from workshop.rules.security import hash_secret

if TYPE_CHECKING:
    from tests.conftest import Group

# --------------------------------------------------------------------------- helpers


def refused(
    session: Session, error: type[WorkshopError], key: str, call: Callable[..., Any], **kwargs: Any
) -> WorkshopError:
    """Call a service expecting ``error`` with ``key``; roll back as the page's session would."""
    with pytest.raises(error) as caught:
        call(session=session, **kwargs)
    session.rollback()
    assert caught.value.key == key, caught.value
    return caught.value


def trend_ids(session: Session, workshop: Workshop) -> list[int]:
    return [t.id for t in trends_of(session=session, version_id=workshop.trend_map_version_id)]


def poll_now(session: Session, workshop: Workshop) -> Poll:
    poll = services.current_poll(session=session, workshop=workshop)
    assert poll is not None
    return poll


def option_ids(session: Session, poll: Poll) -> list[int]:
    return [o.id for o in services.options_of(session=session, poll_id=poll.id)]


def revision(session: Session, workshop: Workshop) -> int:
    return session.exec(select(Workshop.revision).where(Workshop.id == workshop.id)).one()


def log_events(session: Session, workshop: Workshop) -> list[tuple[str, str]]:
    rows = session.exec(select(StepLog).where(StepLog.workshop_id == workshop.id).order_by(StepLog.id)).all()
    return [(row.step, row.event) for row in rows]


class Drive:
    """Moves a group's workshop forward the way a facilitator and the phones would."""

    def __init__(self, session: Session, group: Group) -> None:
        self.session, self.group = session, group

    @property
    def workshop(self) -> Workshop:
        return self.group.workshop

    def advance(self, **kwargs: Any) -> str:
        return services.advance(session=self.session, workshop_id=self.workshop.id, **kwargs)

    def everyone_picks(self) -> None:
        ids = trend_ids(self.session, self.workshop)
        for i, pid in enumerate(self.group.ids):
            chosen = ids[:3] + [ids[3 + i % 2]]  # overlapping picks, a clear favourite
            services.set_picks(session=self.session, participant_id=pid, trend_ids=chosen)

    def everyone_writes(self) -> list[Note]:
        kind = steps.NOTE_KIND[self.workshop.step]
        return [
            services.add_note(
                session=self.session,
                participant_id=p.id,
                text=f"{kind} by {p.name}",
                rationale="uses the trend against the obstacle" if kind == "innovation" else "",
            )
            for p in self.group.participants
        ]

    def vote(self, choose: Callable[[int, list[int]], dict[int, int]], **kwargs: Any) -> None:
        poll = poll_now(self.session, self.workshop)
        options = option_ids(self.session, poll)
        for i, pid in enumerate(self.group.ids):
            services.cast_ballot(
                session=self.session, participant_id=pid, poll_id=poll.id, marks=choose(i, options), **kwargs
            )

    def decide(self, index: int = 0) -> PollOption:
        """Open the current vote, everyone chooses option ``index``, close it: a clear winner."""
        poll = poll_now(self.session, self.workshop)
        services.open_poll(session=self.session, workshop_id=self.workshop.id, poll_id=poll.id)
        self.vote(lambda _i, options: {options[index]: 1})
        result = services.close_poll(session=self.session, workshop_id=self.workshop.id, poll_id=poll.id)
        winner = self.session.get(PollOption, result.winner)
        assert winner is not None
        return winner

    def to(self, target: str) -> None:
        """Do what each step needs and advance until the workshop is at ``target``."""
        while self.workshop.step != target:
            step = self.workshop.step
            if step == steps.TRENDS_PICK:
                self.everyone_picks()
            elif step in steps.NOTE_KIND:
                self.everyone_writes()
            elif step in steps.VOTE_STEPS:
                self.decide()
            elif step == steps.PRESENTATION:
                services.confirm_agreement(session=self.session, workshop_id=self.workshop.id)
            self.advance()


@pytest.fixture
def drive(session: Session, group: Group) -> Drive:
    return Drive(session, group)


def tie_two_of_five(_i: int, options: list[int]) -> dict[int, int]:
    """Persons 1-2 choose option 0, persons 3-4 option 1, person 5 option 2."""
    return {options[[0, 0, 1, 1, 2][_i]]: 1}


# --------------------------------------------------------------------------- ballots


def test_participant_cannot_have_two_ballots_in_one_poll_even_by_direct_insert(
    session: Session, drive: Drive
) -> None:
    drive.to(steps.TRENDS_VOTE)
    poll = poll_now(session, drive.workshop)
    services.open_poll(session=session, workshop_id=drive.workshop.id, poll_id=poll.id)
    me = drive.group.ids[0]
    first = option_ids(session, poll)[0]
    services.cast_ballot(session=session, participant_id=me, poll_id=poll.id, marks={first: 1})

    session.add(Ballot(poll_id=poll.id, participant_id=me))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert services.ballots_cast(session=session, poll_id=poll.id) == 1


def test_changing_a_ballot_replaces_its_marks(session: Session, drive: Drive) -> None:
    drive.to(steps.TRENDS_VOTE)
    poll = poll_now(session, drive.workshop)
    services.open_poll(session=session, workshop_id=drive.workshop.id, poll_id=poll.id)
    a, b = option_ids(session, poll)[:2]
    me = drive.group.ids[0]
    first = services.cast_ballot(session=session, participant_id=me, poll_id=poll.id, marks={a: 1})
    second = services.cast_ballot(session=session, participant_id=me, poll_id=poll.id, marks={b: 1})

    assert second.id == first.id
    assert services.ballot_of(session=session, poll_id=poll.id, participant_id=me) == {b: 1}
    assert services.ballots_cast(session=session, poll_id=poll.id) == 1
    marks = session.exec(select(BallotMark).where(BallotMark.ballot_id == first.id)).all()
    assert [(m.option_id, m.dots) for m in marks] == [(b, 1)]
    assert services.count_poll(session=session, poll_id=poll.id).counts[a] == 0


def test_ballot_after_the_vote_closed_is_refused(session: Session, drive: Drive) -> None:
    drive.to(steps.TRENDS_VOTE)
    w = drive.workshop
    poll = poll_now(session, w)
    first = option_ids(session, poll)[0]
    me, other = drive.group.ids[:2]
    # not open yet
    refused(
        session,
        VotingClosed,
        "error.voting_closed",
        services.cast_ballot,
        participant_id=me,
        poll_id=poll.id,
        marks={first: 1},
    )
    services.open_poll(session=session, workshop_id=w.id, poll_id=poll.id)
    services.cast_ballot(session=session, participant_id=me, poll_id=poll.id, marks={first: 1})
    services.close_poll(session=session, workshop_id=w.id, poll_id=poll.id)

    refused(
        session,
        VotingClosed,
        "error.voting_closed",
        services.cast_ballot,
        participant_id=other,
        poll_id=poll.id,
        marks={first: 1},
    )
    refused(
        session,
        VotingClosed,
        "error.voting_closed",
        services.cast_ballot,
        participant_id=me,
        poll_id=poll.id,
        marks={option_ids(session, poll)[1]: 1},
    )
    assert services.ballots_cast(session=session, poll_id=poll.id) == 1
    assert services.ballot_of(session=session, poll_id=poll.id, participant_id=me) == {first: 1}


def test_ballot_after_vote_time_is_up_is_refused(session: Session, drive: Drive) -> None:
    drive.to(steps.TRENDS_VOTE)
    w = drive.workshop
    poll = poll_now(session, w)
    first = option_ids(session, poll)[0]
    opened = utcnow()
    services.open_poll(session=session, workshop_id=w.id, poll_id=poll.id, now=opened)
    deadline = opened + timedelta(minutes=w.vote_minutes)
    assert w.deadline == deadline
    me, late = drive.group.ids[:2]

    services.cast_ballot(
        session=session,
        participant_id=me,
        poll_id=poll.id,
        marks={first: 1},
        now=deadline - timedelta(seconds=1),
    )
    refused(
        session,
        VotingClosed,
        "error.vote_time_up",
        services.cast_ballot,
        participant_id=late,
        poll_id=poll.id,
        marks={first: 1},
        now=deadline + timedelta(seconds=1),
    )
    assert services.ballots_cast(session=session, poll_id=poll.id) == 1


def test_ballot_must_follow_the_polls_rules(session: Session, drive: Drive) -> None:
    drive.to(steps.TRENDS_VOTE)
    poll = poll_now(session, drive.workshop)
    services.open_poll(session=session, workshop_id=drive.workshop.id, poll_id=poll.id)
    a, b = option_ids(session, poll)[:2]
    me = drive.group.ids[0]
    refused(
        session,
        BallotInvalid,
        "ballot.single_choice",
        services.cast_ballot,
        participant_id=me,
        poll_id=poll.id,
        marks={a: 1, b: 1},
    )
    refused(
        session,
        BallotInvalid,
        "ballot.empty",
        services.cast_ballot,
        participant_id=me,
        poll_id=poll.id,
        marks={},
    )
    assert services.ballots_cast(session=session, poll_id=poll.id) == 0


def test_ballot_in_another_workshops_poll_is_refused(
    session: Session, drive: Drive, workshop_factory: Callable[..., Group]
) -> None:
    drive.to(steps.TRENDS_VOTE)
    poll = poll_now(session, drive.workshop)
    services.open_poll(session=session, workshop_id=drive.workshop.id, poll_id=poll.id)
    stranger = workshop_factory(1).ids[0]
    refused(
        session,
        NotFound,
        "error.poll_not_found",
        services.cast_ballot,
        participant_id=stranger,
        poll_id=poll.id,
        marks={option_ids(session, poll)[0]: 1},
    )
    assert services.ballots_cast(session=session, poll_id=poll.id) == 0


def test_dot_voting_with_three_votes_and_a_cap_of_two(
    session: Session, workshop_factory: Callable[..., Group]
) -> None:
    group = workshop_factory(3, votes_per_person=3, cap_per_option=2)
    drive = Drive(session, group)
    drive.to(steps.TRENDS_VOTE)
    w = group.workshop
    poll = poll_now(session, w)
    assert (poll.votes_per_person, poll.cap_per_option) == (3, 2)
    services.open_poll(session=session, workshop_id=w.id, poll_id=poll.id)
    a, b, c = option_ids(session, poll)[:3]
    p1, p2, p3 = group.ids

    refused(
        session,
        BallotInvalid,
        "ballot.over_cap",
        services.cast_ballot,
        participant_id=p1,
        poll_id=poll.id,
        marks={a: 3},
    )
    refused(
        session,
        BallotInvalid,
        "ballot.too_many_dots",
        services.cast_ballot,
        participant_id=p1,
        poll_id=poll.id,
        marks={a: 2, b: 2},
    )
    services.cast_ballot(session=session, participant_id=p1, poll_id=poll.id, marks={a: 2, b: 1})
    services.cast_ballot(session=session, participant_id=p2, poll_id=poll.id, marks={b: 2, c: 1})
    services.cast_ballot(session=session, participant_id=p3, poll_id=poll.id, marks={b: 1})

    assert services.ballot_of(session=session, poll_id=poll.id, participant_id=p1) == {a: 2, b: 1}
    result = services.close_poll(session=session, workshop_id=w.id, poll_id=poll.id)
    assert result.counts[a] == 2 and result.counts[b] == 4 and result.counts[c] == 1
    assert result.winner == b
    session.refresh(poll)
    assert (poll.winner_option_id, poll.decided_by, poll.tie) == (b, "vote", False)


# --------------------------------------------------------------------------- ties


def test_tie_between_two_trends_starts_a_runoff_between_them(session: Session, drive: Drive) -> None:
    drive.to(steps.TRENDS_VOTE)
    w = drive.workshop
    first = poll_now(session, w)
    services.open_poll(session=session, workshop_id=w.id, poll_id=first.id)
    drive.vote(tie_two_of_five)
    options = services.options_of(session=session, poll_id=first.id)
    result = services.close_poll(session=session, workshop_id=w.id, poll_id=first.id)
    assert result.tie and result.winner is None
    assert set(result.leaders) == {options[0].id, options[1].id}
    session.refresh(first)
    assert first.tie and first.winner_option_id is None and first.decided_by is None
    refused(session, TransitionRefused, "refuse.vote_undecided", services.advance, workshop_id=w.id)

    at = utcnow()
    runoff = services.start_runoff(session=session, workshop_id=w.id, poll_id=first.id, now=at)
    assert runoff.round == 2
    assert runoff.status == "open" and runoff.opened_at == at
    assert (runoff.votes_per_person, runoff.cap_per_option) == (1, 1)
    assert w.deadline == at + timedelta(minutes=w.vote_minutes)
    runoff_options = services.options_of(session=session, poll_id=runoff.id)
    assert [o.trend_id for o in runoff_options] == [options[0].trend_id, options[1].trend_id]
    assert [(o.label, o.support) for o in runoff_options] == [(o.label, o.support) for o in options[:2]]
    assert poll_now(session, w).id == runoff.id
    session.refresh(first)
    assert first.status == "closed"  # round 1 stays on record

    # the runoff decides; advancing fixes its winner
    drive.vote(lambda i, opts: {opts[1 if i < 3 else 0]: 1})
    decided = services.close_poll(session=session, workshop_id=w.id, poll_id=runoff.id)
    assert decided.winner == runoff_options[1].id
    drive.advance()
    assert w.chosen_trend_id == options[1].trend_id
    choice = views.workshop_view(session=session, workshop=w).choices["trend"]
    assert (choice.rounds, choice.votes, choice.decided_by) == (2, 3, "vote")


def test_a_vote_without_a_tie_has_no_runoff(session: Session, drive: Drive) -> None:
    drive.to(steps.TRENDS_VOTE)
    drive.decide()
    poll = poll_now(session, drive.workshop)
    refused(
        session,
        InvalidInput,
        "error.no_tie",
        services.start_runoff,
        workshop_id=drive.workshop.id,
        poll_id=poll.id,
    )
    refused(
        session,
        InvalidInput,
        "error.no_tie",
        services.decide_tie,
        workshop_id=drive.workshop.id,
        poll_id=poll.id,
        option_id=poll.winner_option_id,
    )


def test_facilitator_can_decide_a_tie_and_it_is_recorded_as_theirs(session: Session, drive: Drive) -> None:
    drive.to(steps.TRENDS_VOTE)
    w = drive.workshop
    poll = poll_now(session, w)
    services.open_poll(session=session, workshop_id=w.id, poll_id=poll.id)
    drive.vote(tie_two_of_five)
    services.close_poll(session=session, workshop_id=w.id, poll_id=poll.id)
    first, second, third = services.options_of(session=session, poll_id=poll.id)[:3]

    refused(
        session,
        InvalidInput,
        "error.decide_among_tied",
        services.decide_tie,
        workshop_id=w.id,
        poll_id=poll.id,
        option_id=third.id,
    )
    services.decide_tie(session=session, workshop_id=w.id, poll_id=poll.id, option_id=second.id)
    session.refresh(poll)
    assert (poll.winner_option_id, poll.decided_by, poll.status) == (second.id, "facilitator", "revealed")
    assert (steps.TRENDS_VOTE, "decided_by_facilitator") in log_events(session, w)
    # decided once: no second decision, no runoff
    refused(
        session,
        InvalidInput,
        "error.no_tie",
        services.decide_tie,
        workshop_id=w.id,
        poll_id=poll.id,
        option_id=first.id,
    )
    refused(session, InvalidInput, "error.no_tie", services.start_runoff, workshop_id=w.id, poll_id=poll.id)

    drive.advance()
    assert w.chosen_trend_id == second.trend_id
    choice = views.workshop_view(session=session, workshop=w).choices["trend"]
    assert (choice.option.id, choice.decided_by, choice.votes) == (second.id, "facilitator", 2)


# --------------------------------------------------------------------------- picks


def test_picks_merge_into_one_ballot_option_per_trend_with_pick_counts(
    session: Session, drive: Drive
) -> None:
    drive.to(steps.TRENDS_PICK)
    t = trend_ids(session, drive.workshop)
    chosen = [
        [t[0], t[1], t[2], t[3]],
        [t[0], t[1], t[2], t[4]],
        [t[0], t[1], t[5], t[6]],
        [t[0], t[1], t[3], t[4]],
        [t[0], t[1], t[2], t[3], t[4]],
    ]
    for pid, trends in zip(drive.group.ids, chosen, strict=True):
        services.set_picks(session=session, participant_id=pid, trend_ids=trends)
    drive.advance()

    poll = poll_now(session, drive.workshop)
    assert (poll.subject, poll.round, poll.status) == ("trend", 1, "ready")
    options = services.options_of(session=session, poll_id=poll.id)
    assert [(o.trend_id, o.support) for o in options] == [
        (t[0], 5),
        (t[1], 5),
        (t[2], 3),
        (t[3], 3),
        (t[4], 3),
        (t[5], 1),
        (t[6], 1),
    ]
    assert [o.position for o in options] == list(range(7))
    assert all(o.note_id is None for o in options)
    trend = session.get(Trend, t[0])
    assert options[0].label == f"{trend.code} · {trend.title_ru}"
    view = views.workshop_view(session=session, workshop=drive.workshop)
    assert view.pick_counts == {t[0]: 5, t[1]: 5, t[2]: 3, t[3]: 3, t[4]: 3, t[5]: 1, t[6]: 1}
    assert sorted(view.pickers[t[5]]) == ["Person 3"]


def test_picks_outside_the_bounds_are_refused(session: Session, drive: Drive, builtin_version: int) -> None:
    drive.to(steps.TRENDS_PICK)
    w = drive.workshop
    t = trend_ids(session, w)
    me = drive.group.ids[0]
    services.set_picks(session=session, participant_id=me, trend_ids=t[:4])

    err = refused(
        session, InvalidInput, "error.pick_count", services.set_picks, participant_id=me, trend_ids=t[:3]
    )
    assert err.args_dict == {"low": 4, "high": 5}
    refused(session, InvalidInput, "error.pick_count", services.set_picks, participant_id=me, trend_ids=t[:6])
    refused(
        session,
        InvalidInput,
        "error.pick_count",
        services.set_picks,
        participant_id=me,
        trend_ids=[t[0], t[0], t[1], t[1], t[2]],
    )  # duplicates count once
    other_version = next(v.id for m, v in latest_versions(session=session) if v.id != builtin_version)
    foreign = trends_of(session=session, version_id=other_version)[0].id
    refused(
        session,
        InvalidInput,
        "error.pick_not_on_map",
        services.set_picks,
        participant_id=me,
        trend_ids=[*t[:3], foreign],
    )
    refused(
        session,
        InvalidInput,
        "error.pick_not_on_map",
        services.set_picks,
        participant_id=me,
        trend_ids=[*t[:3], 999_999],
    )

    assert services.picks_of(session=session, participant_id=me) == t[:4]
    services.set_picks(session=session, participant_id=me, trend_ids=t[5:10])
    assert services.picks_of(session=session, participant_id=me) == t[5:10]


def test_picks_are_refused_outside_the_picking_step(session: Session, drive: Drive) -> None:
    me = drive.group.ids[0]
    t = trend_ids(session, drive.workshop)
    refused(session, WrongStep, "error.step_moved_on", services.set_picks, participant_id=me, trend_ids=t[:4])
    drive.to(steps.TRENDS_VOTE)
    refused(
        session,
        WrongStep,
        "error.step_moved_on",
        services.toggle_pick,
        participant_id=me,
        trend_id=t[9],
        picked=True,
    )


def test_toggle_pick_refuses_more_than_the_maximum(
    session: Session, drive: Drive, builtin_version: int
) -> None:
    drive.to(steps.TRENDS_PICK)
    w = drive.workshop
    t = trend_ids(session, w)
    me = drive.group.ids[0]
    for trend_id in t[:5]:
        services.toggle_pick(session=session, participant_id=me, trend_id=trend_id, picked=True)
    err = refused(
        session,
        InvalidInput,
        "error.pick_max",
        services.toggle_pick,
        participant_id=me,
        trend_id=t[5],
        picked=True,
    )
    assert err.args_dict == {"high": w.picks_max}
    assert services.picks_of(session=session, participant_id=me) == t[:5]

    # tapping an already picked trend again changes nothing and writes nothing
    before = revision(session, w)
    assert services.toggle_pick(session=session, participant_id=me, trend_id=t[0], picked=True) == t[:5]
    assert revision(session, w) == before

    services.toggle_pick(session=session, participant_id=me, trend_id=t[0], picked=False)
    assert services.toggle_pick(session=session, participant_id=me, trend_id=t[5], picked=True) == t[1:6]
    other_version = next(v.id for m, v in latest_versions(session=session) if v.id != builtin_version)
    foreign = trends_of(session=session, version_id=other_version)[0].id
    refused(
        session,
        InvalidInput,
        "error.pick_not_on_map",
        services.toggle_pick,
        participant_id=me,
        trend_id=foreign,
        picked=True,
    )
    assert len(services.picks_of(session=session, participant_id=me)) == 5


def test_one_pick_per_participant_and_trend_even_by_direct_insert(session: Session, drive: Drive) -> None:
    drive.to(steps.TRENDS_PICK)
    t = trend_ids(session, drive.workshop)
    me = drive.group.ids[0]
    services.set_picks(session=session, participant_id=me, trend_ids=t[:4])
    session.add(Pick(workshop_id=drive.workshop.id, participant_id=me, trend_id=t[0]))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert services.picks_of(session=session, participant_id=me) == t[:4]


# --------------------------------------------------------------------------- notes


def test_late_note_after_time_is_up_is_refused_with_time_up(session: Session, drive: Drive) -> None:
    drive.to(steps.OBSTACLES_WRITE)
    w = drive.workshop
    deadline = w.deadline
    assert deadline is not None
    me = drive.group.ids[0]
    services.add_note(session=session, participant_id=me, text="In time", now=deadline - timedelta(seconds=1))
    refused(
        session,
        TimeUp,
        "error.time_up",
        services.add_note,
        participant_id=me,
        text="Too late",
        now=deadline + timedelta(seconds=1),
    )
    services.change_timer(session=session, workshop_id=w.id, action="end")
    refused(session, TimeUp, "error.time_up", services.add_note, participant_id=me, text="After stop")
    texts = [n.text for n in services.notes_of(session=session, participant_id=me, kind="obstacle")]
    assert texts == ["In time"]


@pytest.mark.parametrize("step", [steps.LOBBY, steps.TRENDS_PICK, steps.OBSTACLES_VOTE, steps.PRESENTATION])
def test_note_in_the_wrong_step_is_refused(session: Session, drive: Drive, step: str) -> None:
    drive.to(step)
    me = drive.group.ids[0]
    before = session.exec(select(Note.id).where(Note.participant_id == me)).all()
    refused(
        session,
        WrongStep,
        "error.step_moved_on",
        services.add_note,
        participant_id=me,
        text="Too expensive",
        rationale="why",
    )
    assert session.exec(select(Note.id).where(Note.participant_id == me)).all() == before


def test_note_limit_per_participant(session: Session, workshop_factory: Callable[..., Group]) -> None:
    group = workshop_factory(2, notes_min=1, notes_max=2, ideas_max=1)
    drive = Drive(session, group)
    drive.to(steps.OBSTACLES_WRITE)
    me, other = group.ids
    first = services.add_note(session=session, participant_id=me, text="One")
    services.add_note(session=session, participant_id=me, text="Two")
    err = refused(
        session, InvalidInput, "error.note_limit", services.add_note, participant_id=me, text="Three"
    )
    assert err.args_dict == {"max": 2}
    services.add_note(session=session, participant_id=other, text="Mine")  # the limit is per person
    services.withdraw_note(session=session, participant_id=me, note_id=first.id)
    services.add_note(session=session, participant_id=me, text="Three")
    assert [n.text for n in services.notes_of(session=session, participant_id=me, kind="obstacle")] == [
        "Two",
        "Three",
    ]

    drive.advance()
    drive.decide()
    drive.advance()
    assert group.workshop.step == steps.INNOVATIONS_WRITE
    refused(
        session,
        InvalidInput,
        "error.empty",
        services.add_note,
        participant_id=me,
        text="Idea without a reason",
        rationale="  ",
    )
    services.add_note(session=session, participant_id=me, text="Idea", rationale="Because")
    err = refused(
        session,
        InvalidInput,
        "error.note_limit",
        services.add_note,
        participant_id=me,
        text="Second idea",
        rationale="Because",
    )
    assert err.args_dict == {"max": 1}


def test_a_note_is_withdrawn_only_by_its_author(session: Session, drive: Drive) -> None:
    drive.to(steps.OBSTACLES_WRITE)
    me, other = drive.group.ids[:2]
    note = services.add_note(session=session, participant_id=me, text="Mine")
    refused(
        session,
        NotFound,
        "error.note_not_found",
        services.withdraw_note,
        participant_id=other,
        note_id=note.id,
    )
    assert session.get(Note, note.id) is not None


def test_author_can_withdraw_a_note_after_the_facilitator_went_back_from_the_vote(
    session: Session, drive: Drive
) -> None:
    """Going back reopens the writing step; the cancelled ballot stays on record, and the author
    may still take back their note (the step is open), like before the vote was built."""
    drive.to(steps.OBSTACLES_WRITE)
    w = drive.workshop
    me, other = drive.group.ids[:2]
    mine = services.add_note(session=session, participant_id=me, text="Mine").id
    kept = services.add_note(session=session, participant_id=other, text="Other").id
    drive.advance()
    cancelled = poll_now(session, w).id
    assert services.go_back(session=session, workshop_id=w.id) == steps.OBSTACLES_WRITE

    services.withdraw_note(session=session, participant_id=me, note_id=mine)

    assert services.notes_of(session=session, participant_id=me, kind="obstacle") == []
    assert session.get(Poll, cancelled).status == "cancelled"
    drive.advance()
    options = services.options_of(session=session, poll_id=poll_now(session, w).id)
    assert [o.note_id for o in options] == [kept]


def test_merge_keeps_every_authors_note_on_record_and_leaves_merged_notes_off_the_ballot(
    session: Session, drive: Drive
) -> None:
    drive.to(steps.OBSTACLES_WRITE)
    w = drive.workshop
    p1, p2, p3 = drive.group.participants[:3]
    a = services.add_note(session=session, participant_id=p1.id, text="Too expensive")
    b = services.add_note(session=session, participant_id=p2.id, text="The price is too high")
    c = services.add_note(session=session, participant_id=p3.id, text="No time to order")
    a_id, b_id, c_id = a.id, b.id, c.id

    services.merge_notes(session=session, workshop_id=w.id, keep_id=a_id, merge_ids=[b_id])
    refused(
        session,
        InvalidInput,
        "error.merge_into_merged",
        services.merge_notes,
        workshop_id=w.id,
        keep_id=b_id,
        merge_ids=[c_id],
    )
    refused(
        session,
        InvalidInput,
        "error.merge_nothing",
        services.merge_notes,
        workshop_id=w.id,
        keep_id=a_id,
        merge_ids=[a_id],
    )

    rows = {n.id: n for n in session.exec(select(Note).where(Note.workshop_id == w.id)).all()}
    assert set(rows) == {a_id, b_id, c_id}
    assert (rows[b_id].participant_id, rows[b_id].text, rows[b_id].merged_into_id) == (
        p2.id,
        "The price is too high",
        a_id,
    )
    view = views.workshop_view(session=session, workshop=w)
    assert [card.id for card in view.obstacles] == [a_id, c_id]
    assert view.obstacles[0].authors == [p1.name, p2.name]

    drive.advance()
    options = services.options_of(session=session, poll_id=poll_now(session, w).id)
    assert [(o.note_id, o.label, o.support) for o in options] == [
        (a_id, "Too expensive", 2),
        (c_id, "No time to order", 1),
    ]
    assert session.get(Note, b_id).merged_into_id == a_id


def test_merging_a_merged_group_moves_its_notes_along_and_unmerge_splits(
    session: Session, drive: Drive
) -> None:
    drive.to(steps.OBSTACLES_WRITE)
    w = drive.workshop
    ids = [
        services.add_note(session=session, participant_id=p, text=f"Note {i}").id
        for i, p in enumerate(drive.group.ids[:3])
    ]
    services.merge_notes(session=session, workshop_id=w.id, keep_id=ids[0], merge_ids=[ids[1]])
    services.merge_notes(session=session, workshop_id=w.id, keep_id=ids[2], merge_ids=[ids[0]])
    assert {i: session.get(Note, i).merged_into_id for i in ids} == {
        ids[0]: ids[2],
        ids[1]: ids[2],
        ids[2]: None,
    }
    services.unmerge_note(session=session, workshop_id=w.id, note_id=ids[1])
    view = views.workshop_view(session=session, workshop=w)
    assert sorted(card.id for card in view.obstacles) == [ids[1], ids[2]]


def test_edit_keeps_the_original_text(session: Session, drive: Drive) -> None:
    drive.to(steps.OBSTACLES_WRITE)
    w = drive.workshop
    note = services.add_note(session=session, participant_id=drive.group.ids[0], text="Too expensiv")
    before = revision(session, w)
    edited = services.edit_note(session=session, workshop_id=w.id, note_id=note.id, text="  Too expensive ")

    assert (edited.text, edited.original_text) == ("Too expensive", "Too expensiv")
    assert edited.edited_at is not None
    assert revision(session, w) == before + 1
    assert (steps.OBSTACLES_WRITE, "edited") in log_events(session, w)
    card = views.workshop_view(session=session, workshop=w).obstacles[0]
    assert (card.text, card.original_text, card.edited) == ("Too expensive", "Too expensiv", True)
    refused(
        session,
        InvalidInput,
        "error.empty",
        services.edit_note,
        workshop_id=w.id,
        note_id=note.id,
        text="   ",
    )
    assert session.get(Note, note.id).text == "Too expensive"

    drive.advance()
    option = services.options_of(session=session, poll_id=poll_now(session, w).id)[0]
    assert option.label == "Too expensive"
    assert session.get(Note, note.id).original_text == "Too expensiv"


def test_merge_and_edit_are_refused_once_the_vote_step_began(session: Session, drive: Drive) -> None:
    drive.to(steps.OBSTACLES_WRITE)
    w = drive.workshop
    a, b = (
        services.add_note(session=session, participant_id=p, text=f"Obstacle {p}")
        for p in drive.group.ids[:2]
    )
    a_id, b_id, b_text = a.id, b.id, b.text
    drive.advance()
    assert w.step == steps.OBSTACLES_VOTE

    key = "error.edit_only_while_writing"
    refused(session, WrongStep, key, services.merge_notes, workshop_id=w.id, keep_id=a_id, merge_ids=[b_id])
    refused(session, WrongStep, key, services.edit_note, workshop_id=w.id, note_id=b_id, text="Changed")
    refused(session, WrongStep, key, services.unmerge_note, workshop_id=w.id, note_id=b_id)
    note = session.get(Note, b_id)
    assert (note.text, note.merged_into_id) == (b_text, None)


def test_facilitator_cannot_touch_another_workshops_notes(
    session: Session, drive: Drive, workshop_factory: Callable[..., Group]
) -> None:
    drive.to(steps.OBSTACLES_WRITE)
    note = services.add_note(session=session, participant_id=drive.group.ids[0], text="Mine")
    other = workshop_factory(1)
    Drive(session, other).to(steps.OBSTACLES_WRITE)
    refused(
        session,
        NotFound,
        "error.note_not_found",
        services.edit_note,
        workshop_id=other.workshop.id,
        note_id=note.id,
        text="Hijacked",
    )
    assert session.get(Note, note.id).text == "Mine"


# --------------------------------------------------------------------------- steps


def test_advance_is_refused_until_the_vote_is_decided(session: Session, drive: Drive) -> None:
    drive.to(steps.TRENDS_VOTE)
    w = drive.workshop
    poll = poll_now(session, w)
    key = "refuse.vote_undecided"
    refused(session, TransitionRefused, key, services.advance, workshop_id=w.id)  # ready
    services.open_poll(session=session, workshop_id=w.id, poll_id=poll.id)
    refused(session, TransitionRefused, key, services.advance, workshop_id=w.id)  # open
    drive.vote(tie_two_of_five)
    refused(session, TransitionRefused, key, services.advance, workshop_id=w.id)  # votes in, still open
    services.close_poll(session=session, workshop_id=w.id, poll_id=poll.id)
    refused(session, TransitionRefused, key, services.advance, workshop_id=w.id)  # closed with a tie
    assert w.step == steps.TRENDS_VOTE
    winner = services.options_of(session=session, poll_id=poll.id)[0]
    services.decide_tie(session=session, workshop_id=w.id, poll_id=poll.id, option_id=winner.id)
    assert drive.advance() == steps.OBSTACLES_WRITE


@pytest.mark.parametrize(
    ("step", "make", "key"),
    [
        (steps.LOBBY, 0, "refuse.nobody_joined"),
        (steps.TRENDS_PICK, 2, "refuse.no_picks"),
        (steps.OBSTACLES_WRITE, 2, "refuse.no_obstacles"),
        (steps.INNOVATIONS_WRITE, 2, "refuse.no_innovations"),
    ],
)
def test_advance_is_refused_until_the_step_has_its_input(
    session: Session, workshop_factory: Callable[..., Group], step: str, make: int, key: str
) -> None:
    group = workshop_factory(make)
    Drive(session, group).to(step)  # the step is entered, its own work is not done
    assert group.workshop.step == step
    refused(session, TransitionRefused, key, services.advance, workshop_id=group.workshop.id)
    assert group.workshop.step == step


@pytest.mark.parametrize(
    ("vote_step", "chosen", "source"),
    [
        (steps.TRENDS_VOTE, "chosen_trend_id", "trend_id"),
        (steps.OBSTACLES_VOTE, "chosen_obstacle_id", "note_id"),
        (steps.INNOVATIONS_VOTE, "chosen_innovation_id", "note_id"),
    ],
)
def test_advancing_past_a_vote_fixes_the_chosen_trend_obstacle_or_innovation(
    session: Session, drive: Drive, vote_step: str, chosen: str, source: str
) -> None:
    drive.to(vote_step)
    w = drive.workshop
    assert getattr(w, chosen) is None
    winner = drive.decide(index=1)
    poll = poll_now(session, w)
    assert poll.status == "closed"
    drive.advance()

    assert getattr(w, chosen) == getattr(winner, source) is not None
    session.refresh(poll)
    assert poll.status == "revealed"
    view = views.workshop_view(session=session, workshop=w)
    subject = steps.VOTE_STEPS[vote_step]
    assert view.choices[subject].option.id == winner.id
    assert view.choices[subject].votes == len(drive.group.ids)
    if subject == "trend":
        assert view.chosen_trend.id == winner.trend_id
    else:
        card = view.chosen_obstacle if subject == "obstacle" else view.chosen_innovation
        assert card.id == winner.note_id


def test_going_back_into_a_vote_cancels_the_old_poll_and_builds_a_new_round(
    session: Session, drive: Drive
) -> None:
    drive.to(steps.OBSTACLES_WRITE)
    w = drive.workshop
    old = session.exec(select(Poll).where(Poll.workshop_id == w.id)).one()
    old_trends = [o.trend_id for o in services.options_of(session=session, poll_id=old.id)]
    assert w.chosen_trend_id is not None

    assert services.go_back(session=session, workshop_id=w.id) == steps.TRENDS_VOTE
    assert w.chosen_trend_id is None
    session.refresh(old)
    assert old.status == "cancelled"
    assert old.winner_option_id is not None  # the old result stays on record
    new = poll_now(session, w)
    assert new.id != old.id
    assert (new.round, new.status, new.winner_option_id) == (2, "ready", None)
    assert [o.trend_id for o in services.options_of(session=session, poll_id=new.id)] == old_trends
    assert (steps.OBSTACLES_WRITE, "went_back") in log_events(session, w)

    # back once more (out of the vote) and forward again: round 3, every old round kept
    assert services.go_back(session=session, workshop_id=w.id) == steps.TRENDS_PICK
    drive.advance()
    polls = session.exec(select(Poll).where(Poll.workshop_id == w.id).order_by(Poll.round)).all()
    assert [(p.round, p.status) for p in polls] == [(1, "cancelled"), (2, "cancelled"), (3, "ready")]
    assert views.workshop_view(session=session, workshop=w).choices == {}


def test_finishing_needs_the_agreement_check(session: Session, drive: Drive) -> None:
    w = drive.workshop
    refused(session, WrongStep, "error.only_in_presentation", services.confirm_agreement, workshop_id=w.id)
    drive.to(steps.PRESENTATION)
    refused(session, TransitionRefused, "refuse.agreement_unconfirmed", services.advance, workshop_id=w.id)
    services.confirm_agreement(session=session, workshop_id=w.id)
    assert w.agreement_confirmed
    services.confirm_agreement(session=session, workshop_id=w.id, confirmed=False)
    refused(session, TransitionRefused, "refuse.agreement_unconfirmed", services.advance, workshop_id=w.id)
    # going back withdraws the check
    services.confirm_agreement(session=session, workshop_id=w.id)
    services.go_back(session=session, workshop_id=w.id)
    drive.decide()
    drive.advance()
    assert w.step == steps.PRESENTATION and not w.agreement_confirmed
    refused(session, TransitionRefused, "refuse.agreement_unconfirmed", services.advance, workshop_id=w.id)

    services.confirm_agreement(session=session, workshop_id=w.id)
    assert w.finished_at is None
    assert drive.advance() == steps.FINISHED
    assert w.finished_at is not None
    refused(session, TransitionRefused, "refuse.already_finished", services.advance, workshop_id=w.id)
    refused(session, TransitionRefused, "refuse.already_finished", services.go_back, workshop_id=w.id)


def test_going_back_from_the_lobby_is_refused(session: Session, drive: Drive) -> None:
    refused(session, TransitionRefused, "refuse.at_start", services.go_back, workshop_id=drive.workshop.id)


def test_a_whole_workshop_is_saved_with_every_pick_note_ballot_and_timing(
    session: Session, engine: Engine, drive: Drive
) -> None:
    drive.to(steps.FINISHED)
    wid, people = drive.workshop.id, drive.group.ids
    n = len(people)
    session.commit()  # one in-memory connection: end the test session's read first

    with Session(engine) as fresh:  # what was committed, read anew
        w = fresh.get(Workshop, wid)
        assert w.step == steps.FINISHED
        assert w.finished_at is not None and w.finished_at >= w.created_at
        assert None not in (w.chosen_trend_id, w.chosen_obstacle_id, w.chosen_innovation_id)

        picks = fresh.exec(select(Pick).where(Pick.workshop_id == wid)).all()
        assert len(picks) == 4 * n
        notes = fresh.exec(select(Note).where(Note.workshop_id == wid)).all()
        assert sorted((note.kind, note.participant_id) for note in notes) == sorted(
            [("innovation", p) for p in people] + [("obstacle", p) for p in people]
        )
        assert all(note.rationale for note in notes if note.kind == "innovation")
        polls = fresh.exec(select(Poll).where(Poll.workshop_id == wid).order_by(Poll.id)).all()
        assert [(p.subject, p.round, p.status, p.decided_by) for p in polls] == [
            ("trend", 1, "revealed", "vote"),
            ("obstacle", 1, "revealed", "vote"),
            ("innovation", 1, "revealed", "vote"),
        ]
        for poll in polls:
            assert poll.opened_at is not None and poll.closed_at >= poll.opened_at
            assert services.ballots_cast(session=fresh, poll_id=poll.id) == n
            assert services.count_poll(session=fresh, poll_id=poll.id).counts[poll.winner_option_id] == n
        assert fresh.get(PollOption, polls[0].winner_option_id).trend_id == w.chosen_trend_id
        assert fresh.get(PollOption, polls[1].winner_option_id).note_id == w.chosen_obstacle_id
        assert fresh.get(PollOption, polls[2].winner_option_id).note_id == w.chosen_innovation_id

        log = fresh.exec(select(StepLog).where(StepLog.workshop_id == wid).order_by(StepLog.id)).all()
        events = [(row.step, row.event) for row in log]
        assert events[0] == (steps.LOBBY, "created")
        assert events.count((steps.LOBBY, "joined")) == n
        assert [row.step for row in log if row.event == "entered"] == list(steps.STEPS[1:])
        assert [row.step for row in log if row.event == "left"] == list(steps.STEPS[:-1])
        for vote_step in steps.VOTE_STEPS:
            assert events.count((vote_step, "vote_opened")) == 1
            assert events.count((vote_step, "vote_closed")) == 1
        assert (steps.PRESENTATION, "agreement") in events
        times = [row.at for row in log]
        assert times == sorted(times)
        entered_finished = next(row for row in log if row.event == "entered" and row.step == steps.FINISHED)
        assert entered_finished.at == w.finished_at

        choices = views.workshop_view(session=fresh, workshop=w).choices
        assert {s: (c.votes, c.ballots, c.rounds) for s, c in choices.items()} == {
            "trend": (n, n, 1),
            "obstacle": (n, n, 1),
            "innovation": (n, n, 1),
        }


# --------------------------------------------------------------------------- access


def test_facilitator_key_is_required(
    session: Session, group: Group, workshop_factory: Callable[..., Group]
) -> None:
    w = group.workshop
    assert services.facilitated_workshop(session=session, code=w.code, key=group.key).id == w.id
    assert services.facilitated_workshop(session=session, code=w.code.lower(), key=group.key).id == w.id
    other = workshop_factory(0)
    for code, key in [
        (w.code, "not-the-key"),
        (w.code, None),
        (w.code, ""),
        (w.code, other.key),
        (w.code, w.facilitator_key_hash),  # the stored hash is not a key
        (other.workshop.code, group.key),
        ("000000", group.key),  # no such workshop (0 is not in the code alphabet)
    ]:
        with pytest.raises(AccessDenied):
            services.facilitated_workshop(session=session, code=code, key=key)

    assert w.facilitator_key_hash == hash_secret(group.key)
    row = session.connection().execute(text("SELECT * FROM workshop WHERE id = :id"), {"id": w.id}).one()
    assert all(group.key not in str(value) for value in row)


def test_participant_token_resolves_to_the_same_participant_every_time(
    session: Session, engine: Engine, group: Group
) -> None:
    person, token = group.participants[2], group.tokens[2]
    person_id = person.id
    assert services.participant_by_token(session=session, token=token).id == person_id
    assert services.participant_by_token(session=session, token=token).id == person_id
    session.commit()  # one in-memory connection: end the test session's read first
    with Session(engine) as fresh:  # a reload of the phone's page
        assert services.participant_by_token(session=fresh, token=token).id == person_id
    assert len(set(group.tokens)) == len(group.tokens)
    assert person.token_hash == hash_secret(token)
    row = (
        session.connection()
        .execute(text("SELECT * FROM participant WHERE id = :id"), {"id": person.id})
        .one()
    )
    assert all(token not in str(value) for value in row)


@pytest.mark.parametrize(
    "forge",
    [
        lambda g: None,
        lambda g: "",
        lambda g: "unknown-token",
        lambda g: g.tokens[0][:-1],
        lambda g: g.tokens[0] + "x",
        lambda g: g.participants[0].token_hash,  # the stored hash is not a token
        lambda g: g.tokens[0] * 4,  # too long to be a token
    ],
    ids=["none", "empty", "unknown", "truncated", "extended", "hash", "overlong"],
)
def test_unknown_or_forged_token_resolves_to_nobody(session: Session, group: Group, forge) -> None:
    assert services.participant_by_token(session=session, token=forge(group)) is None


def test_participant_last_seen_is_refreshed_at_most_once_a_minute(session: Session, group: Group) -> None:
    person, token = group.participants[0], group.tokens[0]
    joined = person.last_seen_at
    soon = joined + timedelta(seconds=30)
    assert services.participant_by_token(session=session, token=token, now=soon).last_seen_at == joined
    later = joined + timedelta(minutes=5)
    assert services.participant_by_token(session=session, token=token, now=later).last_seen_at == later


def test_join_refused_for_unknown_code_and_finished_workshop(session: Session, drive: Drive) -> None:
    w = drive.workshop
    refused(
        session,
        NotFound,
        "error.workshop_not_found",
        services.join,
        code="000000",
        name="Ann",
        department="Sales",
    )
    participant, _token = services.join(
        session=session, code=f" {w.code.lower()[:3]}-{w.code[3:]} ", name="Ann", department="Sales"
    )
    assert participant.workshop_id == w.id
    refused(session, InvalidInput, "error.empty", services.join, code=w.code, name="  ", department="Sales")

    drive.to(steps.FINISHED)
    before = len(services.roster(session=session, workshop_id=w.id))
    refused(
        session,
        WrongStep,
        "error.workshop_finished",
        services.join,
        code=w.code,
        name="Late",
        department="Sales",
    )
    assert len(services.roster(session=session, workshop_id=w.id)) == before


def test_create_workshop_validates_its_settings(session: Session, builtin_version: int) -> None:
    def create(**settings: Any) -> Any:
        return services.create_workshop(
            session=session,
            title="T",
            product="P",
            map_version_id=builtin_version,
            settings=services.Settings(**settings),
        )

    for bad, field in [
        ({"picks_min": 6, "picks_max": 5}, "picks_min"),
        ({"picks_max": 11}, "picks_max"),
        ({"cap_per_option": 2, "votes_per_person": 1}, "cap_per_option"),
        ({"vote_minutes": 0}, "vote_minutes"),
        ({"votes_per_person": True}, "votes_per_person"),
    ]:
        with pytest.raises(InvalidInput) as err:
            create(**bad)
        session.rollback()
        assert (err.value.key, err.value.args_dict["field"]) == ("error.setting_range", field)
    with pytest.raises(InvalidInput) as err:
        services.create_workshop(
            session=session, title="T", product="P", map_version_id=999, settings=services.Settings()
        )
    session.rollback()
    assert err.value.key == "error.map_not_found"
    assert session.exec(select(Workshop)).all() == []


# --------------------------------------------------------------------------- timers


def test_timer_pause_resume_extend_end(session: Session, drive: Drive) -> None:
    w = drive.workshop
    refused(
        session, TransitionRefused, "error.no_timer", services.change_timer, workshop_id=w.id, action="pause"
    )
    t0 = utcnow()
    drive.advance(now=t0)
    assert w.deadline == t0 + timedelta(minutes=w.pick_minutes)

    def change(action: str, at: timedelta, minutes: float = 1) -> None:
        services.change_timer(session=session, workshop_id=w.id, action=action, minutes=minutes, now=t0 + at)

    change("extend", timedelta(0))
    assert w.deadline == t0 + timedelta(minutes=w.pick_minutes + 1)
    change("pause", timedelta(minutes=2))
    assert (w.deadline, w.paused_remaining) == (None, (w.pick_minutes - 1) * 60)
    # paused: time passes, input stays open
    services.set_picks(
        session=session,
        participant_id=drive.group.ids[0],
        trend_ids=trend_ids(session, w)[:4],
        now=t0 + timedelta(hours=2),
    )
    change("extend", timedelta(hours=2), minutes=5)
    assert (w.deadline, w.paused_remaining) == (None, (w.pick_minutes + 4) * 60)
    change("resume", timedelta(hours=3))
    assert (w.deadline, w.paused_remaining) == (t0 + timedelta(hours=3, minutes=w.pick_minutes + 4), None)
    view = views.workshop_view(session=session, workshop=w, now=t0 + timedelta(hours=3))
    assert (view.remaining, view.paused) == ((w.pick_minutes + 4) * 60, False)
    change("end", timedelta(hours=3, minutes=1))
    assert w.deadline == t0 + timedelta(hours=3, minutes=1)
    refused(
        session,
        TimeUp,
        "error.time_up",
        services.set_picks,
        participant_id=drive.group.ids[1],
        trend_ids=trend_ids(session, w)[:4],
        now=t0 + timedelta(hours=3, minutes=1),
    )
    assert views.workshop_view(session=session, workshop=w, now=t0 + timedelta(hours=4)).timer_over
    # extending an expired timer restarts it from now
    change("extend", timedelta(hours=4), minutes=2)
    assert w.deadline == t0 + timedelta(hours=4, minutes=2)

    refused(
        session,
        InvalidInput,
        "error.unknown_action",
        services.change_timer,
        workshop_id=w.id,
        action="rewind",
    )
    refused(
        session,
        InvalidInput,
        "error.setting_range",
        services.change_timer,
        workshop_id=w.id,
        action="extend",
        minutes=0,
    )
    refused(
        session,
        InvalidInput,
        "error.setting_range",
        services.change_timer,
        workshop_id=w.id,
        action="extend",
        minutes=-3,
    )
    assert [e for s, e in log_events(session, w) if e.startswith("timer_")] == [
        "timer_extend",
        "timer_pause",
        "timer_extend",
        "timer_resume",
        "timer_end",
        "timer_extend",
    ]


# --------------------------------------------------------------------------- views


@pytest.mark.parametrize(
    ("departments", "expected"),
    [
        (["Sales", "Marketing", "Service", "Finance", "IT"], []),
        (["Sales", "Marketing", "Service", "Finance", "IT", "HR", "Legal"], []),
        (["Sales", "Marketing", "Service"], [("warn.too_few", {"n": 3, "min": 5})]),
        (["Sales"], [("warn.too_few", {"n": 1, "min": 5})]),
        ([], [("warn.too_few", {"n": 0, "min": 5})]),
        (["A", "B", "C", "D", "E", "F", "G", "H"], [("warn.too_many", {"n": 8, "max": 7})]),
        (["Sales", "sales", "SALES", "Sales ", "sAlEs"], [("warn.one_department", {"department": "Sales"})]),
        (
            ["Sales", "Sales"],
            [("warn.too_few", {"n": 2, "min": 5}), ("warn.one_department", {"department": "Sales"})],
        ),
        (["IT"] * 8, [("warn.too_many", {"n": 8, "max": 7}), ("warn.one_department", {"department": "IT"})]),
    ],
    ids=[
        "five",
        "seven",
        "three",
        "one",
        "none",
        "eight",
        "one-dept-any-case",
        "two-one-dept",
        "eight-one-dept",
    ],
)
def test_group_warnings(
    session: Session, workshop_factory: Callable[..., Group], departments: list[str], expected: list
) -> None:
    group = workshop_factory(len(departments), departments=departments)
    view = views.workshop_view(session=session, workshop=group.workshop)
    assert view.group_warnings == expected


def test_votes_stay_secret_until_revealed(session: Session, drive: Drive) -> None:
    drive.to(steps.TRENDS_VOTE)
    w = drive.workshop
    poll = poll_now(session, w)

    def shown() -> views.PollView:
        view = views.workshop_view(session=session, workshop=w)
        assert view.poll is not None and view.poll.poll.id == poll.id
        return view.poll

    assert all(r.votes is None for r in shown().results)
    services.open_poll(session=session, workshop_id=w.id, poll_id=poll.id)
    drive.vote(lambda i, options: {options[1 if i < 3 else 0]: 1})
    secret = shown()
    assert secret.ballots == 5
    assert all(r.votes is None for r in secret.results) and secret.leaders == ()
    services.close_poll(session=session, workshop_id=w.id, poll_id=poll.id)
    closed = shown()
    assert all(r.votes is None for r in closed.results) and closed.leaders == ()
    assert not closed.revealed

    services.reveal_poll(session=session, workshop_id=w.id, poll_id=poll.id)
    revealed = shown()
    assert revealed.revealed
    options = option_ids(session, poll)
    assert [(r.option.id, r.votes) for r in revealed.results][:2] == [(options[1], 3), (options[0], 2)]
    assert all(r.votes == 0 for r in revealed.results[2:])
    assert revealed.leaders == (options[1],)
    assert revealed.winner.id == options[1]
    refused(
        session,
        InvalidInput,
        "error.poll_not_closed",
        services.reveal_poll,
        workshop_id=w.id,
        poll_id=poll.id,
    )


# --------------------------------------------------------------------------- live updates


def drain(loop: asyncio.AbstractEventLoop) -> None:
    """Let ``loop`` run the callbacks handed to it, in a thread of its own (a browser test's
    event loop may already be running in this one)."""
    runner = threading.Thread(target=loop.run_until_complete, args=(asyncio.sleep(0),))
    runner.start()
    runner.join()


def test_every_write_bumps_the_revision_and_publishes_to_the_hub(session: Session, drive: Drive) -> None:
    w = drive.workshop
    loop = asyncio.new_event_loop()
    sub = hub.subscribe(w.code, {"note"}, loop)
    try:
        drive.to(steps.OBSTACLES_WRITE)
        drain(loop)
        assert sub.queue.empty()  # steps, timers and polls are not what this screen asked for

        before, published = revision(session, w), hub.published
        note = services.add_note(session=session, participant_id=drive.group.ids[0], text="Too expensive")
        assert revision(session, w) == before + 1
        assert hub.published == published + 1
        drain(loop)
        assert sub.queue.get_nowait() == "note"
        assert sub.queue.empty()

        writes: list[tuple[Callable[..., Any], dict[str, Any]]] = [
            (services.edit_note, {"workshop_id": w.id, "note_id": note.id, "text": "Far too expensive"}),
            (services.change_timer, {"workshop_id": w.id, "action": "extend"}),
            (services.set_display, {"workshop_id": w.id, "show_authors": True}),
            (services.withdraw_note, {"participant_id": drive.group.ids[0], "note_id": note.id}),
            (services.join, {"code": w.code, "name": "Late", "department": "Ops"}),
            (services.add_note, {"participant_id": drive.group.ids[1], "text": "No time"}),
            (services.advance, {"workshop_id": w.id}),
        ]
        for call, kwargs in writes:
            before = revision(session, w)
            call(session=session, **kwargs)
            assert revision(session, w) == before + 1, call.__name__
        drain(loop)
        received = []
        while not sub.queue.empty():
            received.append(sub.queue.get_nowait())
        # edit, display, withdraw and the new note concern the notes wall; the rest does not
        assert received == ["note"] * 4
    finally:
        hub.unsubscribe(sub)
        loop.close()
    assert hub.subscribers(w.code) == 0


def test_a_closed_screen_is_dropped_from_the_hub(group: Group) -> None:
    code = group.workshop.code
    loop = asyncio.new_event_loop()
    sub = hub.subscribe(code, {"roster"}, loop)
    loop.close()  # the screen went away without unsubscribing
    try:
        assert hub.subscribers(code) == 1
        hub.publish(code, "roster")
        assert hub.subscribers(code) == 0
    finally:
        hub.unsubscribe(sub)


def test_subscribing_to_unknown_kinds_means_everything(group: Group) -> None:
    loop = asyncio.new_event_loop()
    sub = hub.subscribe(group.workshop.code, {"nonsense"}, loop)
    try:
        hub.publish(group.workshop.code, "timer", "step")
        drain(loop)
        assert sub.queue.get_nowait() == "step,timer"
    finally:
        hub.unsubscribe(sub)
        loop.close()


def test_display_address_must_be_a_web_address(session: Session, group: Group) -> None:
    w = group.workshop
    refused(
        session,
        InvalidInput,
        "error.bad_url",
        services.set_display,
        workshop_id=w.id,
        join_base_url="javascript:alert(1)",
    )
    services.set_display(session=session, workshop_id=w.id, join_base_url=" http://192.168.1.5:8501/ ")
    assert w.join_base_url == "http://192.168.1.5:8501"
    services.set_display(session=session, workshop_id=w.id, join_base_url="")
    assert w.join_base_url == ""


def test_a_refused_write_changes_nothing(session: Session, drive: Drive) -> None:
    drive.to(steps.OBSTACLES_WRITE)
    w = drive.workshop
    before = revision(session, w)
    refused(
        session, InvalidInput, "error.empty", services.add_note, participant_id=drive.group.ids[0], text=" "
    )
    refused(session, TransitionRefused, "refuse.no_obstacles", services.advance, workshop_id=w.id)
    assert revision(session, w) == before
    assert session.exec(select(Note).where(Note.workshop_id == w.id)).all() == []
    assert w.step == steps.OBSTACLES_WRITE


def test_picks_below_the_minimum_stay_on_record_but_stay_off_the_ballot(
    session: Session, drive: Drive
) -> None:
    w = drive.workshop
    drive.advance()
    ids = trend_ids(session, w)
    first, second = drive.group.ids[:2]
    for trend_id in ids[:4]:
        services.toggle_pick(session=session, participant_id=first, trend_id=trend_id, picked=True)
    services.toggle_pick(session=session, participant_id=second, trend_id=ids[9], picked=True)

    drive.advance()

    options = services.options_of(session=session, poll_id=poll_now(session, w).id)
    assert {o.trend_id for o in options} == set(ids[:4])
    assert services.picks_of(session=session, participant_id=second) == [ids[9]]


def test_trend_vote_needs_someone_with_the_minimum_of_picks(session: Session, drive: Drive) -> None:
    w = drive.workshop
    drive.advance()
    ids = trend_ids(session, w)
    first = drive.group.ids[0]
    for trend_id in ids[:3]:
        services.toggle_pick(session=session, participant_id=first, trend_id=trend_id, picked=True)

    refused(session, TransitionRefused, "refuse.no_picks", services.advance, workshop_id=w.id)

    services.toggle_pick(session=session, participant_id=first, trend_id=ids[3], picked=True)
    assert drive.advance() == steps.TRENDS_VOTE
