"""Ballot rules and tallies. Pure: options and marks in, a result out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from workshop.rules.errors import BallotInvalid


def validate_marks(
    marks: Mapping[int, int],
    *,
    option_ids: Iterable[int],
    votes_per_person: int,
    cap_per_option: int,
) -> dict[int, int]:
    """Return the marks without zero entries, or raise :class:`BallotInvalid`.

    ``votes_per_person == 1`` is the method's single choice; more is dot voting with at most
    ``cap_per_option`` dots on one option.
    """
    valid = set(option_ids)
    cleaned = {int(o): int(d) for o, d in marks.items() if int(d) != 0}
    if not cleaned:
        raise BallotInvalid("ballot.empty")
    for option, dots in cleaned.items():
        if option not in valid:
            raise BallotInvalid("ballot.unknown_option")
        if dots < 0:
            raise BallotInvalid("ballot.negative")
    total = sum(cleaned.values())
    if votes_per_person == 1:
        if len(cleaned) != 1 or total != 1:
            raise BallotInvalid("ballot.single_choice")
        return cleaned
    if total > votes_per_person:
        raise BallotInvalid("ballot.too_many_dots", max=votes_per_person)
    cap = min(cap_per_option, votes_per_person)
    if any(d > cap for d in cleaned.values()):
        raise BallotInvalid("ballot.over_cap", cap=cap)
    return cleaned


def tally(option_ids: Iterable[int], ballots: Iterable[Mapping[int, int]]) -> dict[int, int]:
    counts = dict.fromkeys(option_ids, 0)
    for marks in ballots:
        for option, dots in marks.items():
            if option in counts:
                counts[option] += dots
    return counts


@dataclass(frozen=True)
class Result:
    counts: dict[int, int]
    leaders: tuple[int, ...]

    @property
    def winner(self) -> int | None:
        return self.leaders[0] if len(self.leaders) == 1 else None

    @property
    def tie(self) -> bool:
        return len(self.leaders) > 1


def decide(counts: Mapping[int, int]) -> Result:
    """The option with most dots wins; options sharing the top score are a tie."""
    if not counts:
        return Result(counts={}, leaders=())
    top = max(counts.values())
    leaders = tuple(o for o, c in counts.items() if c == top)
    return Result(counts=dict(counts), leaders=leaders)
