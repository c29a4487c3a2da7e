"""A revealed vote as rows: most votes first, the winner and a tie marked, and with many options
the leaders large and the rest compact."""

from __future__ import annotations

import pytest

from workshop.rules.results import ALL_LARGE_UP_TO, LARGE_AT_MOST, results_layout


def test_rows_go_most_votes_first_keeping_the_ballots_order_among_equals() -> None:
    layout = results_layout(labels=["a", "b", "c", "d"], votes=[1, 3, 1, 0], winner_index=1, tie=False)

    assert [r.label for r in layout.rows] == ["b", "a", "c", "d"]
    assert [r.place for r in layout.rows] == [1, 2, 2, 4]
    assert [round(r.share, 2) for r in layout.rows] == [1.0, 0.33, 0.33, 0.0]


def test_the_winner_is_marked_and_nothing_is_called_a_tie() -> None:
    layout = results_layout(labels=["a", "b"], votes=[2, 5], winner_index=1, tie=False)

    assert [(r.label, r.winner, r.tied) for r in layout.rows] == [("b", True, False), ("a", False, False)]


def test_a_tie_marks_every_option_sharing_the_lead_and_no_winner() -> None:
    layout = results_layout(labels=["a", "b", "c"], votes=[3, 3, 1], winner_index=None, tie=True)

    assert [(r.label, r.tied, r.winner) for r in layout.rows] == [
        ("a", True, False),
        ("b", True, False),
        ("c", False, False),
    ]


def test_a_tie_broken_by_the_facilitator_shows_the_winner_only() -> None:
    layout = results_layout(labels=["a", "b"], votes=[3, 3], winner_index=0, tie=True)

    assert [(r.winner, r.tied) for r in layout.rows] == [(True, False), (False, False)]


@pytest.mark.parametrize("n", [2, ALL_LARGE_UP_TO])
def test_a_few_options_are_all_large(n: int) -> None:
    layout = results_layout(
        labels=[str(i) for i in range(n)], votes=list(range(n)), winner_index=n - 1, tie=False
    )

    assert len(layout.large) == n and layout.compact == ()


@pytest.mark.parametrize("n", [ALL_LARGE_UP_TO + 1, 17, 40])
def test_many_options_keep_the_leaders_large_and_the_rest_compact(n: int) -> None:
    layout = results_layout(
        labels=[str(i) for i in range(n)], votes=list(range(n)), winner_index=n - 1, tie=False
    )

    assert len(layout.large) == LARGE_AT_MOST
    assert len(layout.compact) == n - LARGE_AT_MOST
    assert layout.large[0].winner
    assert layout.columns == (1 if n - LARGE_AT_MOST <= 6 else 2 if n - LARGE_AT_MOST <= 20 else 3)


def test_a_wide_tie_keeps_every_tied_option_large() -> None:
    votes = [2] * 7 + [0] * 10

    layout = results_layout(labels=[str(i) for i in range(17)], votes=votes, winner_index=None, tie=True)

    assert len(layout.large) == 7 and all(r.tied for r in layout.large)


def test_a_vote_nobody_cast_has_no_leaders() -> None:
    layout = results_layout(labels=["a", "b"], votes=[0, 0], winner_index=None, tie=True)

    assert not any(r.tied or r.winner for r in layout.rows)
