"""The pure rules: step transitions, timers, ballots, text cleaning, secrets. No database."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta

import pytest

from workshop.rules import security, steps, timers, voting
from workshop.rules.enums import HandoffStatus, PollStatus, Subject
from workshop.rules.errors import BallotInvalid, InvalidInput, TransitionRefused
from workshop.rules.steps import Facts, Step
from workshop.rules.text import clean_text

NOW = datetime(2024, 5, 17, 10, 0, tzinfo=UTC)


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


# --------------------------------------------------------------------------- steps

READY = {
    steps.LOBBY: Facts(step=steps.LOBBY, participants=1),
    steps.TRENDS_PICK: Facts(step=steps.TRENDS_PICK, picks=1),
    steps.TRENDS_VOTE: Facts(step=steps.TRENDS_VOTE, poll_decided=True),
    steps.OBSTACLES_WRITE: Facts(step=steps.OBSTACLES_WRITE, obstacles=1),
    steps.OBSTACLES_VOTE: Facts(step=steps.OBSTACLES_VOTE, poll_decided=True),
    steps.INNOVATIONS_WRITE: Facts(step=steps.INNOVATIONS_WRITE, innovations=1),
    steps.INNOVATIONS_VOTE: Facts(step=steps.INNOVATIONS_VOTE, poll_decided=True),
    steps.PRESENTATION: Facts(step=steps.PRESENTATION, agreement_confirmed=True),
}


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (READY[steps.LOBBY], steps.TRENDS_PICK),
        (READY[steps.TRENDS_PICK], steps.TRENDS_VOTE),
        (READY[steps.TRENDS_VOTE], steps.OBSTACLES_WRITE),
        (READY[steps.OBSTACLES_WRITE], steps.OBSTACLES_VOTE),
        (READY[steps.OBSTACLES_VOTE], steps.INNOVATIONS_WRITE),
        (READY[steps.INNOVATIONS_WRITE], steps.INNOVATIONS_VOTE),
        (READY[steps.INNOVATIONS_VOTE], steps.PRESENTATION),
        (READY[steps.PRESENTATION], steps.FINISHED),
    ],
    ids=lambda v: v.step if isinstance(v, Facts) else v,
)
def test_next_step_moves_forward_when_the_step_is_complete(facts: Facts, expected: str) -> None:
    assert steps.next_step(facts) == expected


def test_ready_table_covers_every_step_but_finished() -> None:
    assert set(READY) == set(steps.STEPS) - {steps.FINISHED}


@pytest.mark.parametrize(
    ("facts", "key"),
    [
        (Facts(step=steps.FINISHED, participants=5, agreement_confirmed=True), "refuse.already_finished"),
        (Facts(step=steps.LOBBY, participants=0), "refuse.nobody_joined"),
        (Facts(step=steps.TRENDS_PICK, participants=5, picks=0), "refuse.no_picks"),
        (Facts(step=steps.OBSTACLES_WRITE, participants=5, picks=9, obstacles=0), "refuse.no_obstacles"),
        (
            Facts(step=steps.INNOVATIONS_WRITE, participants=5, obstacles=3, innovations=0),
            "refuse.no_innovations",
        ),
        (Facts(step=steps.TRENDS_VOTE, participants=5, picks=9), "refuse.vote_undecided"),
        (Facts(step=steps.OBSTACLES_VOTE, participants=5, obstacles=3), "refuse.vote_undecided"),
        (Facts(step=steps.INNOVATIONS_VOTE, participants=5, innovations=3), "refuse.vote_undecided"),
        (
            Facts(step=steps.PRESENTATION, participants=5, poll_decided=True, agreement_confirmed=False),
            "refuse.agreement_unconfirmed",
        ),
    ],
    ids=lambda v: v.step if isinstance(v, Facts) else v,
)
def test_next_step_refuses_with_a_reason(facts: Facts, key: str) -> None:
    with pytest.raises(TransitionRefused) as err:
        steps.next_step(facts)
    assert err.value.key == key
    assert steps.missing_for_next(facts) == key  # the facilitator's button waits for the same


def test_nothing_is_missing_when_the_next_step_may_begin() -> None:
    assert steps.missing_for_next(Facts(step=steps.LOBBY, participants=1)) is None
    assert steps.missing_for_next(Facts(step=steps.TRENDS_VOTE, poll_decided=True)) is None


@pytest.mark.parametrize(
    ("step", "expected"),
    [(step, steps.STEPS[i]) for i, step in enumerate(steps.STEPS[1:-1])],
)
def test_previous_step_goes_one_back(step: str, expected: str) -> None:
    assert steps.previous_step(step) == expected


@pytest.mark.parametrize(
    ("step", "key"),
    [(steps.LOBBY, "refuse.at_start"), (steps.FINISHED, "refuse.already_finished")],
)
def test_previous_step_refuses_at_the_ends(step: str, key: str) -> None:
    with pytest.raises(TransitionRefused) as err:
        steps.previous_step(step)
    assert err.value.key == key


def test_every_state_belongs_to_one_of_the_five_method_steps() -> None:
    assert set(steps.METHOD_STEP) == set(steps.STEPS)
    assert sorted(set(steps.METHOD_STEP.values())) == [1, 2, 3, 4, 5]
    assert [steps.METHOD_STEP[s] for s in steps.STEPS] == sorted(steps.METHOD_STEP[s] for s in steps.STEPS)


@pytest.mark.parametrize(
    ("step", "timed"),
    [
        (steps.LOBBY, False),
        (steps.TRENDS_PICK, True),
        (steps.TRENDS_VOTE, True),
        (steps.OBSTACLES_WRITE, True),
        (steps.INNOVATIONS_VOTE, True),
        (steps.PRESENTATION, False),
        (steps.FINISHED, False),
    ],
)
def test_is_timed(step: str, timed: bool) -> None:
    assert steps.is_timed(step) is timed


# --------------------------------------------------------------------------- timers


def test_start_sets_a_deadline_and_runs() -> None:
    timer = timers.start(NOW, 7)
    assert timer.deadline == NOW + timedelta(minutes=7)
    assert timer.running and not timer.paused
    assert timers.remaining(timer, NOW) == 420.0
    assert timers.remaining(timer, NOW + seconds(20)) == 400.0
    assert not timers.is_over(timer, NOW + seconds(419))


def test_no_timer_has_no_remaining_time_and_is_never_over() -> None:
    assert timers.remaining(timers.NO_TIMER, NOW) is None
    assert not timers.is_over(timers.NO_TIMER, NOW)
    assert not timers.NO_TIMER.running and not timers.NO_TIMER.paused


@pytest.mark.parametrize("late", [0, 1, 60, 86_400])
def test_remaining_is_never_negative(late: int) -> None:
    timer = timers.start(NOW, 1)
    later = NOW + timedelta(minutes=1) + seconds(late)
    assert timers.remaining(timer, later) == 0.0
    assert timers.is_over(timer, later)


def test_remaining_of_a_paused_timer_is_never_negative() -> None:
    assert timers.remaining(timers.Timer(paused_remaining=-5.0), NOW) == 0.0


@pytest.mark.parametrize(
    ("timer", "at", "add", "expected"),
    [
        # running: the deadline moves by the added time
        (timers.start(NOW, 1), NOW, 60, timers.Timer(deadline=NOW + seconds(120))),
        (timers.start(NOW, 1), NOW + seconds(30), 60, timers.Timer(deadline=NOW + seconds(120))),
        # ran out: restarts from now, the lost time is not counted
        (timers.start(NOW, 1), NOW + seconds(600), 60, timers.Timer(deadline=NOW + seconds(660))),
        (timers.end_now(timers.start(NOW, 5), NOW), NOW, 30, timers.Timer(deadline=NOW + seconds(30))),
        # no timer at all: starts from now
        (timers.NO_TIMER, NOW, 60, timers.Timer(deadline=NOW + seconds(60))),
        # paused: the stored seconds grow, it stays paused
        (timers.Timer(paused_remaining=100.0), NOW, 60, timers.Timer(paused_remaining=160.0)),
    ],
    ids=["running", "running-later", "expired", "ended", "none", "paused"],
)
def test_extend(timer: timers.Timer, at: datetime, add: float, expected: timers.Timer) -> None:
    assert timers.extend(timer, at, add) == expected


def test_extend_after_expiry_restarts_from_now() -> None:
    timer = timers.start(NOW, 1)
    later = NOW + timedelta(minutes=10)
    extended = timers.extend(timer, later, 60)
    assert timers.remaining(extended, later) == 60.0
    assert not timers.is_over(extended, later)


def test_pause_keeps_the_seconds_left_and_resume_continues_from_them() -> None:
    timer = timers.start(NOW, 2)
    paused = timers.pause(timer, NOW + seconds(30))
    assert paused == timers.Timer(deadline=None, paused_remaining=90.0)
    assert paused.paused and not paused.running
    # time passes while paused: nothing runs out
    much_later = NOW + timedelta(hours=3)
    assert timers.remaining(paused, much_later) == 90.0
    assert not timers.is_over(paused, much_later)
    resumed = timers.resume(paused, much_later)
    assert resumed == timers.Timer(deadline=much_later + seconds(90))
    assert resumed.running
    assert timers.remaining(resumed, much_later + seconds(10)) == 80.0


@pytest.mark.parametrize(
    "timer",
    [timers.NO_TIMER, timers.Timer(paused_remaining=42.0)],
    ids=["no-timer", "already-paused"],
)
def test_pause_without_a_running_timer_changes_nothing(timer: timers.Timer) -> None:
    assert timers.pause(timer, NOW) == timer


@pytest.mark.parametrize("timer", [timers.NO_TIMER, timers.start(NOW, 3)], ids=["no-timer", "running"])
def test_resume_without_a_paused_timer_changes_nothing(timer: timers.Timer) -> None:
    assert timers.resume(timer, NOW + seconds(5)) == timer


@pytest.mark.parametrize(
    "timer",
    [timers.start(NOW, 5), timers.Timer(paused_remaining=30.0), timers.NO_TIMER],
    ids=["running", "paused", "none"],
)
def test_end_now_runs_out_at_once(timer: timers.Timer) -> None:
    ended = timers.end_now(timer, NOW)
    assert ended == timers.Timer(deadline=NOW)
    assert timers.remaining(ended, NOW) == 0.0
    assert timers.is_over(ended, NOW)


# --------------------------------------------------------------------------- ballots

OPTIONS = (11, 12, 13)


@pytest.mark.parametrize(
    ("marks", "votes", "cap", "expected"),
    [
        ({11: 1}, 1, 1, {11: 1}),
        ({11: 0, 12: 1, 13: 0}, 1, 1, {12: 1}),  # zero entries are dropped
        ({"13": "1"}, 1, 1, {13: 1}),  # form values arrive as text
        ({11: 2, 12: 1}, 3, 2, {11: 2, 12: 1}),
        ({11: 1, 12: 1, 13: 1}, 3, 2, {11: 1, 12: 1, 13: 1}),
        ({11: 1}, 3, 2, {11: 1}),  # fewer dots than allowed is fine
        ({11: 2}, 2, 5, {11: 2}),  # the cap never exceeds the votes per person
    ],
)
def test_valid_marks(marks: dict, votes: int, cap: int, expected: dict[int, int]) -> None:
    assert (
        voting.validate_marks(marks, option_ids=OPTIONS, votes_per_person=votes, cap_per_option=cap)
        == expected
    )


@pytest.mark.parametrize(
    ("marks", "votes", "cap", "key", "args"),
    [
        ({}, 1, 1, "ballot.empty", {}),
        ({11: 0, 12: 0}, 3, 2, "ballot.empty", {}),
        ({99: 1}, 1, 1, "ballot.unknown_option", {}),
        ({11: 1, 99: 1}, 3, 2, "ballot.unknown_option", {}),
        ({11: -1}, 1, 1, "ballot.negative", {}),
        ({11: 2, 12: -1}, 3, 2, "ballot.negative", {}),
        ({11: 1, 12: 1}, 1, 1, "ballot.single_choice", {}),
        ({11: 2}, 1, 1, "ballot.single_choice", {}),
        ({11: 2, 12: 2}, 3, 2, "ballot.too_many_dots", {"max": 3}),
        ({11: 1, 12: 1, 13: 2}, 3, 2, "ballot.too_many_dots", {"max": 3}),
        ({11: 3}, 3, 2, "ballot.over_cap", {"cap": 2}),
        ({11: 3}, 5, 2, "ballot.over_cap", {"cap": 2}),
    ],
)
def test_invalid_marks(marks: dict, votes: int, cap: int, key: str, args: dict) -> None:
    with pytest.raises(BallotInvalid) as err:
        voting.validate_marks(marks, option_ids=OPTIONS, votes_per_person=votes, cap_per_option=cap)
    assert err.value.key == key
    assert err.value.args_dict == args


def test_tally_adds_dots_and_ignores_options_not_on_the_ballot() -> None:
    counts = voting.tally(OPTIONS, [{11: 2, 12: 1}, {11: 1}, {99: 3}, {13: 1}])
    assert counts == {11: 3, 12: 1, 13: 1}


@pytest.mark.parametrize(
    ("counts", "leaders", "winner", "tie"),
    [
        ({11: 3, 12: 1, 13: 0}, (11,), 11, False),
        ({11: 0, 12: 4}, (12,), 12, False),
        ({11: 2, 12: 2, 13: 1}, (11, 12), None, True),
        ({11: 1, 12: 1, 13: 1}, (11, 12, 13), None, True),
        ({}, (), None, False),
    ],
    ids=["winner", "winner-last", "tie-two", "tie-all", "empty"],
)
def test_decide(counts: dict[int, int], leaders: tuple, winner: int | None, tie: bool) -> None:
    result = voting.decide(counts)
    assert result.leaders == leaders
    assert result.winner == winner
    assert result.tie is tie
    assert result.counts == counts


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Too expensive  ", "Too expensive"),
        ("Too\n\n  expensive\tfor\r\nus", "Too expensive for us"),
        ("a\u00a0\u2003b", "a b"),  # no-break and em spaces collapse too
        ("zero\u200bwidth\u200c\u200dtext\ufeff", "zerowidthtext"),
        ("\u202eevil\u202c text", "evil text"),  # right-to-left override
        ("\u2066isolate\u2069", "isolate"),
        ("bell\x07null\x00esc\x1bdel\x7f", "bellnullescdel"),
        ("private\ue000use", "privateuse"),
        ("cafe\u0301", "café"),  # NFC
        ("<b>bold</b>", "<b>bold</b>"),  # markup stays text; escaping is the page's job
        ("Доставка за час", "Доставка за час"),
    ],
)
def test_clean_text_normalises(raw: str, expected: str) -> None:
    assert clean_text(raw, field="note", max_len=200) == expected


@pytest.mark.parametrize(
    "brk",
    ["\n", "\r\n", "\t", "\u2028", "\u2029", "\x0b", "\x0c", "\x85"],
    ids=["LF", "CRLF", "TAB", "LS", "PS", "VT", "FF", "NEL"],
)
def test_clean_text_turns_every_line_break_into_a_space(brk: str) -> None:
    """Text pasted from another program may break lines with any of these; words stay apart."""
    assert clean_text(f"first{brk}second", field="note", max_len=200) == "first second"


def test_clean_text_length_counts_after_cleaning() -> None:
    assert clean_text("   " + "x" * 10 + "\u200b" * 5 + "   ", field="note", max_len=10) == "x" * 10


def test_clean_text_too_long_is_refused_with_the_limit_and_length() -> None:
    with pytest.raises(InvalidInput) as err:
        clean_text("x" * 11, field="note", max_len=10)
    assert err.value.key == "error.too_long"
    assert err.value.args_dict == {"field": "note", "max": 10, "length": 11}


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "\n\t ", "\u200b\u200b", "\u202e", None, "\u3164", "\u2800 \ufe0f", "\uffa0\u115f"],
)
def test_clean_text_empty_is_refused_when_required(raw: object) -> None:
    with pytest.raises(InvalidInput) as err:
        clean_text(raw, field="name", max_len=60)
    assert err.value.key == "error.empty"
    assert err.value.args_dict == {"field": "name"}


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_clean_text_empty_is_allowed_when_optional(raw: object) -> None:
    assert clean_text(raw, field="facilitator_name", max_len=60, required=False) == ""


@pytest.mark.parametrize("raw", [5, 1.5, b"bytes", ["x"], {"x": 1}, True])
def test_clean_text_refuses_non_text(raw: object) -> None:
    with pytest.raises(InvalidInput) as err:
        clean_text(raw, field="department", max_len=60)
    assert err.value.key == "error.not_text"
    assert err.value.args_dict == {"field": "department"}


# --------------------------------------------------------------------------- secrets


def test_secrets_are_long_url_safe_and_distinct() -> None:
    made = {security.new_secret() for _ in range(200)}
    assert len(made) == 200
    allowed = set(string.ascii_letters + string.digits + "-_")
    for secret in made:
        assert len(secret) >= 32
        assert set(secret) <= allowed


def test_secrets_are_stored_as_sha256_hashes() -> None:
    secret = security.new_secret()
    stored = security.hash_secret(secret)
    assert len(stored) == 64 and set(stored) <= set(string.hexdigits.lower())
    assert secret not in stored
    assert security.hash_secret(secret) == stored


def test_secret_matches_only_the_right_secret() -> None:
    secret = security.new_secret()
    stored = security.hash_secret(secret)
    assert security.secret_matches(secret, stored) is True
    assert security.secret_matches(security.new_secret(), stored) is False
    assert security.secret_matches(secret + "x", stored) is False
    assert security.secret_matches(stored, stored) is False  # the hash itself is no key


@pytest.mark.parametrize("candidate", [None, ""])
def test_secret_matches_refuses_missing_secrets(candidate: str | None) -> None:
    assert security.secret_matches(candidate, security.hash_secret("")) is False


def test_secret_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []
    real = security.hmac.compare_digest

    def spy(a, b):  # type: ignore[no-untyped-def]
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(security.hmac, "compare_digest", spy)
    stored = security.hash_secret("right")
    assert security.secret_matches("right", stored) is True
    assert security.secret_matches("wrong", stored) is False
    assert calls == [(stored, stored), (security.hash_secret("wrong"), stored)]


def test_join_codes_use_only_the_unambiguous_alphabet() -> None:
    assert not set("01OIL") & set(security.JOIN_ALPHABET)
    codes = [security.new_join_code() for _ in range(500)]
    for code in codes:
        assert len(code) == security.JOIN_CODE_LENGTH
        assert set(code) <= set(security.JOIN_ALPHABET)
    assert len(set(codes)) > 490


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(" abc-def ", "ABCDEF"), ("ab cd ef", "ABCDEF"), ("ABCDEF", "ABCDEF"), ("", ""), (None, "")],
)
def test_join_codes_are_normalised_as_typed(raw: str | None, expected: str) -> None:
    assert security.normalise_join_code(raw) == expected  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the stored names


def test_the_names_are_the_strings_the_database_keeps() -> None:
    assert [s.value for s in Subject] == ["trend", "obstacle", "innovation"]
    assert [s.value for s in PollStatus] == ["ready", "open", "closed", "revealed", "cancelled"]
    assert [s.value for s in HandoffStatus] == [
        "new",
        "checking",
        "similar_exists",
        "customers_want",
        "rejected",
        "piloted",
    ]
    assert tuple(Step) == steps.STEPS
    assert [s.value for s in Step][:2] == ["lobby", "trends_pick"]


def test_a_name_equals_hashes_and_formats_as_its_string() -> None:
    assert PollStatus.OPEN == "open" and "open" == PollStatus.OPEN  # noqa: SIM300 (both sides on purpose)
    assert {Subject.TREND: 1}["trend"] == 1 and {"trend": 1}[Subject.TREND] == 1
    assert f"phone.vote_title.{Subject.OBSTACLE}" == "phone.vote_title.obstacle"
    assert steps.VOTE_STEPS["obstacles_vote"] is Subject.OBSTACLE
    assert steps.next_step(steps.Facts(step="lobby", participants=1)) is Step.TRENDS_PICK


def test_the_hand_off_order_is_told_in_its_statuses() -> None:
    from workshop.managers import handoff

    assert set(handoff.NEXT) == set(HandoffStatus)
    assert handoff.allowed_next("new") == (HandoffStatus.CHECKING, HandoffStatus.REJECTED)
    assert handoff.OPEN == ("new", "checking", "similar_exists", "customers_want")
