"""Step 2: each participant picks the trends that matter to them, a tap at a time or all at once;
the picks that reach the minimum are what the trend vote is built from."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, delete, func, select

from workshop.db.engine import begin_write
from workshop.db.models import Pick, Trend, Workshop
from workshop.live import events
from workshop.rules import steps
from workshop.rules.errors import InvalidInput
from workshop.services._base import _commit, _now, _reload, _require_open_input
from workshop.services.participants import _taking_part


def set_picks(
    *,
    session: Session,
    participant_id: int,
    trend_ids: Sequence[int],
    now: datetime | None = None,
) -> list[int]:
    """Replace a participant's picks with ``trend_ids`` (within the workshop's bounds)."""
    now = _now(now)
    begin_write(session)
    participant = _taking_part(session, participant_id)
    workshop = _reload(session, participant.workshop_id)
    _require_open_input(workshop, steps.TRENDS_PICK, now)
    chosen = list(dict.fromkeys(int(t) for t in trend_ids))
    if not workshop.picks_min <= len(chosen) <= workshop.picks_max:
        raise InvalidInput("error.pick_count", low=workshop.picks_min, high=workshop.picks_max)
    valid = set(
        session.exec(
            select(Trend.id).where(
                Trend.version_id == workshop.trend_map_version_id, col(Trend.id).in_(chosen)
            )
        ).all()
    )
    if len(valid) != len(chosen):
        raise InvalidInput("error.pick_not_on_map")
    session.exec(delete(Pick).where(col(Pick.participant_id) == participant.id))
    for trend_id in chosen:
        session.add(
            Pick(
                workshop_id=workshop.id,
                participant_id=participant.id,
                trend_id=trend_id,
                created_at=now,
            )
        )
    _commit(session, workshop, events.PICK)
    return chosen


def toggle_pick(
    *,
    session: Session,
    participant_id: int,
    trend_id: int,
    picked: bool,
    now: datetime | None = None,
) -> list[int]:
    """Add or remove one pick (a tap on the phone); never more than the workshop's maximum."""
    now = _now(now)
    begin_write(session)
    participant = _taking_part(session, participant_id)
    workshop = _reload(session, participant.workshop_id)
    _require_open_input(workshop, steps.TRENDS_PICK, now)
    trend = session.get(Trend, trend_id)
    if trend is None or trend.version_id != workshop.trend_map_version_id:
        raise InvalidInput("error.pick_not_on_map")
    existing = session.exec(
        select(Pick).where(Pick.participant_id == participant.id, Pick.trend_id == trend_id)
    ).first()
    if picked and existing is None:
        count = session.exec(
            select(func.count()).select_from(Pick).where(Pick.participant_id == participant.id)
        ).one()
        if count >= workshop.picks_max:
            raise InvalidInput("error.pick_max", high=workshop.picks_max)
        session.add(
            Pick(workshop_id=workshop.id, participant_id=participant.id, trend_id=trend_id, created_at=now)
        )
    elif not picked and existing is not None:
        session.delete(existing)
    else:
        session.rollback()
        return picks_of(session=session, participant_id=participant_id)
    _commit(session, workshop, events.PICK)
    return picks_of(session=session, participant_id=participant_id)


def picks_of(*, session: Session, participant_id: int) -> list[int]:
    return list(
        session.exec(
            select(Pick.trend_id).where(Pick.participant_id == participant_id).order_by(col(Pick.id))
        ).all()
    )


def _complete_picks(session: Session, workshop: Workshop) -> list[tuple[int, int]]:
    """(trend, participant) picks of those who picked at least the minimum: the bounds are
    enforced where it matters, on the ballot. Incomplete picks stay on record."""
    rows = session.exec(
        select(Pick.trend_id, Pick.participant_id).where(Pick.workshop_id == workshop.id)
    ).all()
    per_person = Counter(pid for _trend, pid in rows)
    return [(t, p) for t, p in rows if per_person[p] >= workshop.picks_min]
