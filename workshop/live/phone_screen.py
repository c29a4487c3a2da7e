"""What one participant's phone shows for the current step, read lean.

A phone's screen needs a handful of rows — the workshop, the participant's own picks, notes or
ballot, the current vote's options, what the group chose — not the whole room's view
(``workshop.live.views``), which every change would rebuild. The map's trends come from the
per-process cache of map versions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, func, select

from workshop.db.models import Note, Participant, Poll, PollOption, Trend, Workshop, utcnow
from workshop.live.views import map_of_version
from workshop.rules import steps, timers
from workshop.services import (
    LET_IN,
    admission_of,
    ballot_of,
    current_poll,
    day_vote_of,
    notes_of,
    options_of,
    phase_of,
    picks_of,
    timer_of,
)


@dataclass
class PhoneScreen:
    workshop: Workshop
    participant: Participant
    admission: str
    phase: str
    trends: list[Trend] = field(default_factory=list)
    participant_count: int = 0
    picked: list[int] = field(default_factory=list)
    mine: list[Note] = field(default_factory=list)
    poll: Poll | None = None
    options: list[PollOption] = field(default_factory=list)
    ballot: dict[int, int] = field(default_factory=dict)
    chosen_trend: Trend | None = None
    chosen_obstacle: Note | None = None
    chosen_innovation: Note | None = None
    remaining: float | None = None
    paused: bool = False

    @property
    def step(self) -> str:
        return self.workshop.step

    @property
    def trend_by_id(self) -> dict[int, Trend]:
        return {t.id: t for t in self.trends if t.id is not None}

    @property
    def timer_over(self) -> bool:
        return self.remaining is not None and self.remaining <= 0 and not self.paused

    @property
    def winner(self) -> PollOption | None:
        if self.poll is None:
            return None
        return next((o for o in self.options if o.id == self.poll.winner_option_id), None)

    @property
    def picked_codes(self) -> str:
        by_id = self.trend_by_id
        return ", ".join(by_id[i].code for i in self.picked if i in by_id)


def phone_screen(*, session: Session, participant: Participant, now: datetime | None = None) -> PhoneScreen:
    """The rows ``participant``'s phone draws now; only the current step's are read."""
    workshop = session.get(Workshop, participant.workshop_id)
    assert workshop is not None and participant.id is not None
    step = workshop.step
    poll = current_poll(session=session, workshop=workshop) if step in steps.VOTE_STEPS else None
    timer = timer_of(workshop)
    screen = PhoneScreen(
        workshop=workshop,
        participant=participant,
        admission=admission_of(session=session, participant_id=participant.id),
        phase=phase_of(workshop, poll, day_vote_of(session, workshop)),
        poll=poll,
        remaining=timers.remaining(timer, now or utcnow()),
        paused=timer.paused,
    )
    if screen.admission != LET_IN:
        return screen
    needs_trends = step in (steps.TRENDS_PICK, steps.TRENDS_VOTE) or workshop.chosen_trend_id is not None
    if needs_trends:
        _ru, _en, screen.trends = map_of_version(session=session, version_id=workshop.trend_map_version_id)
        screen.chosen_trend = screen.trend_by_id.get(workshop.chosen_trend_id or -1)
    if step == steps.LOBBY:
        screen.participant_count = session.exec(
            select(func.count())
            .select_from(Participant)
            .where(Participant.workshop_id == workshop.id, Participant.admission == LET_IN)
        ).one()
    elif step == steps.TRENDS_PICK:
        screen.picked = picks_of(session=session, participant_id=participant.id)
    elif step in steps.NOTE_KIND:
        screen.mine = notes_of(session=session, participant_id=participant.id, kind=steps.NOTE_KIND[step])
    elif poll is not None:
        screen.options = options_of(session=session, poll_id=poll.id)
        screen.ballot = ballot_of(session=session, poll_id=poll.id, participant_id=participant.id)
    if workshop.chosen_obstacle_id is not None:
        screen.chosen_obstacle = session.get(Note, workshop.chosen_obstacle_id)
    if workshop.chosen_innovation_id is not None:
        screen.chosen_innovation = session.get(Note, workshop.chosen_innovation_id)
    return screen
