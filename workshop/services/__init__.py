"""Everything that changes a workshop: validate, apply the rules, commit, then tell the screens.

Each function takes keyword arguments and a session, begins a write transaction first
(``begin_write``), commits, and publishes the kinds of change to the live hub after the commit.
Errors are named (``workshop.rules.errors``) and carry a translation key for the page to show.

One module per noun; this package re-exports their public functions, so callers write
``services.advance(...)``:

- ``workshops``: the settings, creating a workshop, finding it (facilitator, room link), display
- ``participants``: joining, the phone's token, the roster, a locked room's door
- ``picks``: step 2, the trends each participant picks
- ``notes``: steps 3 and 4, obstacles and innovations; the facilitator's merge and edit
- ``polls``: the votes, their ballots and counting; a tie's runoff or the facilitator's decision
- ``flow``: the steps forward and back, the agreement check, the timer, what a phone shows
- ``days``: an innovation day: its groups, the organizer's view of them, moves for every group
- ``_base``: the private helpers they share (clock, timer, log, the commit that publishes)
"""

from __future__ import annotations

from workshop.services.days import (
    DayMoves,
    DayOption,
    DayVoteState,
    GroupState,
    add_groups,
    advance_all,
    cast_day_ballot,
    close_day_vote,
    create_day,
    day_ballot_of,
    day_board,
    day_vote,
    extend_all,
    facilitator_key,
    gallery_day,
    gallery_link_key,
    groups_of,
    open_day_vote,
    organized_day,
    start_day,
)
from workshop.services.flow import (
    advance,
    change_timer,
    confirm_agreement,
    day_vote_of,
    go_back,
    live_signature,
    phase_of,
    step_of,
    timer_of,
)
from workshop.services.notes import (
    add_note,
    dismiss_suggestion,
    edit_note,
    merge_notes,
    notes_of,
    unmerge_note,
    withdraw_note,
)
from workshop.services.participants import (
    LET_IN,
    TURNED_AWAY,
    WAITING,
    admission_of,
    join,
    let_in,
    lock_room,
    participant_by_token,
    roster,
)
from workshop.services.picks import picks_of, set_picks, toggle_pick
from workshop.services.polls import (
    ballot_of,
    ballots_cast,
    cast_ballot,
    close_poll,
    count_poll,
    current_poll,
    decide_tie,
    open_poll,
    options_of,
    reveal_poll,
    start_runoff,
)
from workshop.services.workshops import (
    Settings,
    create_workshop,
    facilitated_workshop,
    keep_room_key,
    room_workshop,
    set_display,
    workshop_by_code,
)

__all__ = [
    "DayOption",
    "DayVoteState",
    "cast_day_ballot",
    "close_day_vote",
    "day_ballot_of",
    "day_vote",
    "open_day_vote",
    "DayMoves",
    "GroupState",
    "add_groups",
    "advance_all",
    "create_day",
    "day_board",
    "extend_all",
    "facilitator_key",
    "gallery_day",
    "gallery_link_key",
    "groups_of",
    "organized_day",
    "start_day",
    "LET_IN",
    "Settings",
    "TURNED_AWAY",
    "WAITING",
    "add_note",
    "admission_of",
    "advance",
    "ballot_of",
    "ballots_cast",
    "cast_ballot",
    "change_timer",
    "close_poll",
    "confirm_agreement",
    "count_poll",
    "create_workshop",
    "current_poll",
    "decide_tie",
    "edit_note",
    "facilitated_workshop",
    "go_back",
    "join",
    "keep_room_key",
    "let_in",
    "live_signature",
    "lock_room",
    "merge_notes",
    "dismiss_suggestion",
    "notes_of",
    "open_poll",
    "options_of",
    "participant_by_token",
    "day_vote_of",
    "phase_of",
    "picks_of",
    "reveal_poll",
    "room_workshop",
    "roster",
    "set_display",
    "set_picks",
    "start_runoff",
    "step_of",
    "timer_of",
    "toggle_pick",
    "unmerge_note",
    "withdraw_note",
    "workshop_by_code",
]
