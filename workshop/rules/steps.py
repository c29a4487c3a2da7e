"""The workshop as a state machine: steps, what each step is, and which moves are allowed.

Pure: a transition is a function of the current facts and returns the next step or raises
:class:`TransitionRefused` with a reason a person can read.
"""

from __future__ import annotations

from dataclasses import dataclass

from workshop.rules.errors import TransitionRefused

LOBBY = "lobby"
TRENDS_PICK = "trends_pick"
TRENDS_VOTE = "trends_vote"
OBSTACLES_WRITE = "obstacles_write"
OBSTACLES_VOTE = "obstacles_vote"
INNOVATIONS_WRITE = "innovations_write"
INNOVATIONS_VOTE = "innovations_vote"
PRESENTATION = "presentation"
FINISHED = "finished"

STEPS: tuple[str, ...] = (
    LOBBY,
    TRENDS_PICK,
    TRENDS_VOTE,
    OBSTACLES_WRITE,
    OBSTACLES_VOTE,
    INNOVATIONS_WRITE,
    INNOVATIONS_VOTE,
    PRESENTATION,
    FINISHED,
)

# The method's five steps, and which of them each state belongs to.
METHOD_STEP = {
    LOBBY: 1,
    TRENDS_PICK: 2,
    TRENDS_VOTE: 2,
    OBSTACLES_WRITE: 3,
    OBSTACLES_VOTE: 3,
    INNOVATIONS_WRITE: 4,
    INNOVATIONS_VOTE: 4,
    PRESENTATION: 5,
    FINISHED: 5,
}

WRITE_STEPS = {TRENDS_PICK, OBSTACLES_WRITE, INNOVATIONS_WRITE}
VOTE_STEPS = {TRENDS_VOTE: "trend", OBSTACLES_VOTE: "obstacle", INNOVATIONS_VOTE: "innovation"}
NOTE_KIND = {OBSTACLES_WRITE: "obstacle", INNOVATIONS_WRITE: "innovation"}


def is_timed(step: str) -> bool:
    return step in WRITE_STEPS or step in VOTE_STEPS


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about a workshop to decide a move."""

    step: str
    participants: int = 0
    picks: int = 0  # participants who picked at least the minimum
    obstacles: int = 0
    innovations: int = 0
    poll_decided: bool = False
    agreement_confirmed: bool = False


def next_step(facts: Facts) -> str:
    """The step after ``facts.step``, or :class:`TransitionRefused` saying what is missing."""
    step = facts.step
    if step == FINISHED:
        raise TransitionRefused("refuse.already_finished")
    if step == LOBBY and facts.participants < 1:
        raise TransitionRefused("refuse.nobody_joined")
    if step == TRENDS_PICK and facts.picks < 1:
        raise TransitionRefused("refuse.no_picks")
    if step == OBSTACLES_WRITE and facts.obstacles < 1:
        raise TransitionRefused("refuse.no_obstacles")
    if step == INNOVATIONS_WRITE and facts.innovations < 1:
        raise TransitionRefused("refuse.no_innovations")
    if step in VOTE_STEPS and not facts.poll_decided:
        raise TransitionRefused("refuse.vote_undecided")
    if step == PRESENTATION and not facts.agreement_confirmed:
        raise TransitionRefused("refuse.agreement_unconfirmed")
    return STEPS[STEPS.index(step) + 1]


def previous_step(step: str) -> str:
    """Going back is allowed from any step but the lobby and a finished workshop."""
    if step == LOBBY:
        raise TransitionRefused("refuse.at_start")
    if step == FINISHED:
        raise TransitionRefused("refuse.already_finished")
    return STEPS[STEPS.index(step) - 1]
