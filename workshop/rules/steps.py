"""The workshop as a state machine: steps, what each step is, and which moves are allowed.

Pure: a transition is a function of the current facts and returns the next step or raises
:class:`TransitionRefused` with a reason a person can read.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from workshop.rules.enums import Subject
from workshop.rules.errors import TransitionRefused


class Step(StrEnum):
    """The workshop's states in order (``Workshop.step`` stores the value)."""

    LOBBY = "lobby"
    TRENDS_PICK = "trends_pick"
    TRENDS_VOTE = "trends_vote"
    OBSTACLES_WRITE = "obstacles_write"
    OBSTACLES_VOTE = "obstacles_vote"
    INNOVATIONS_WRITE = "innovations_write"
    INNOVATIONS_VOTE = "innovations_vote"
    PRESENTATION = "presentation"
    FINISHED = "finished"


LOBBY = Step.LOBBY
TRENDS_PICK = Step.TRENDS_PICK
TRENDS_VOTE = Step.TRENDS_VOTE
OBSTACLES_WRITE = Step.OBSTACLES_WRITE
OBSTACLES_VOTE = Step.OBSTACLES_VOTE
INNOVATIONS_WRITE = Step.INNOVATIONS_WRITE
INNOVATIONS_VOTE = Step.INNOVATIONS_VOTE
PRESENTATION = Step.PRESENTATION
FINISHED = Step.FINISHED

STEPS: tuple[Step, ...] = tuple(Step)

# The method's five steps, and which of them each state belongs to.
METHOD_STEP: dict[str, int] = {
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

# Keyed by the names; a plain string read from the database looks them up all the same.
WRITE_STEPS: set[str] = {TRENDS_PICK, OBSTACLES_WRITE, INNOVATIONS_WRITE}
VOTE_STEPS: dict[str, Subject] = {
    TRENDS_VOTE: Subject.TREND,
    OBSTACLES_VOTE: Subject.OBSTACLE,
    INNOVATIONS_VOTE: Subject.INNOVATION,
}
NOTE_KIND: dict[str, Subject] = {OBSTACLES_WRITE: Subject.OBSTACLE, INNOVATIONS_WRITE: Subject.INNOVATION}


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


def next_step(facts: Facts) -> Step:
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


def missing_for_next(facts: Facts) -> str | None:
    """What the next step still needs (the refusal's message key), or None when it may begin:
    the facilitator's button waits on exactly what ``next_step`` would refuse."""
    try:
        next_step(facts)
    except TransitionRefused as refused:
        return refused.key
    return None


def previous_step(step: str) -> Step:
    """Going back is allowed from any step but the lobby and a finished workshop."""
    if step == LOBBY:
        raise TransitionRefused("refuse.at_start")
    if step == FINISHED:
        raise TransitionRefused("refuse.already_finished")
    return STEPS[STEPS.index(step) - 1]
