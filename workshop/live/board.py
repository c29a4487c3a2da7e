"""The big screens' live data: what the projector and the facilitator's screen patch in place.

While a step runs, the room's screens change in small ways — someone joins, a pick, a note, a
ballot, the timer — and none of that needs the page drawn again. ``board_state`` is that live
part of a workshop as plain data (JSON), read from the workshop's view of one revision;
``board_json`` serialises it once per revision and shares it with every screen of the workshop
in this process. The page patches itself from it.

What cannot be patched — a new step, a vote opened, closed or revealed, a facilitator's setting
— changes the screen's *layout key*; a screen that sees a key other than the one it was drawn
with asks for a page run. ``layout_keys`` is the one definition of both keys, used by the page
when it draws and by the data the page receives.

Participant text travels here as plain strings; the page inserts it as text only.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from datetime import datetime

from sqlmodel import Session, select

from workshop.db.engine import database_key
from workshop.db.models import Workshop
from workshop.live.views import NoteCard, WorkshopView, shared_view
from workshop.rules import steps
from workshop.rules.enums import Subject
from workshop.similarity.groups import WallNote, suggest_groups

ROOM = "room"
FACILITATOR = "facilitator"


def epoch_ms(moment: datetime | None) -> int | None:
    return int(moment.timestamp() * 1000) if moment else None


def layout_keys(view: WorkshopView) -> dict[str, str]:
    """What each big screen's layout depends on. Anything else a step shows is patched."""
    w = view.workshop
    poll = view.poll.poll if view.poll else None
    room = "|".join(
        str(part)
        for part in (
            w.step,
            poll.id if poll else "",
            poll.status if poll else "",
            poll.winner_option_id if poll else "",
            poll.decided_by if poll else "",
            int(bool(poll and poll.tie)),
            int(w.agreement_confirmed),
            w.join_base_url,
        )
    )
    # The facilitator's controls also change with the timer's pause, the display switches,
    # and what the next step still needs (its button waits for it: someone joined, a pick, a note).
    facilitator = "|".join(
        str(part)
        for part in (
            room,
            int(view.paused),
            view.remaining is None,
            int(w.show_authors),
            int(w.sound),
            int(w.locked),
            steps.missing_for_next(view.facts) or "",
        )
    )
    return {ROOM: room, FACILITATOR: facilitator}


def _card(card: NoteCard, *, show_authors: bool) -> dict:
    return {
        "id": card.id,
        "text": card.text,
        "rationale": card.rationale,
        "edited": card.edited,
        "authors": card.authors if show_authors else [],
        "merged": [{"id": m.id, "text": m.text} for m in card.merged],
    }


def suggested_merges(view: WorkshopView, cards: list[NoteCard]) -> list[dict]:
    """The wall's suggested merges, best first, without those the facilitator turned down."""
    wall = [WallNote(c.id, c.text, c.rationale) for c in cards]
    return [
        {"key": group.key, "ids": list(group.note_ids), "score": round(group.score, 2)}
        for group in suggest_groups(wall, dismissed=view.dismissed)
    ]


def board_state(view: WorkshopView) -> dict:
    """The live part of every big screen of ``view``'s workshop, for its current step."""
    w = view.workshop
    state: dict = {
        "rev": w.revision,
        "step": w.step,
        "layout": layout_keys(view),
        "timer": {"deadline_ms": epoch_ms(w.deadline), "paused_s": w.paused_remaining},
        "people": len(view.participants),
        "roster": [{"id": p.id, "name": p.name, "department": p.department} for p in view.participants],
        # At a locked room's door: shown to the facilitator only, to let in or turn away.
        "waiting": [{"id": p.id, "name": p.name, "department": p.department} for p in view.waiting],
        "warnings": [[key, args] for key, args in view.group_warnings],
    }
    if w.step == steps.TRENDS_PICK:
        state["picks"] = {
            "counts": {str(trend_id): n for trend_id, n in view.pick_counts.items() if n},
            "done": view.done_picking,
            "total": sum(view.pick_counts.values()),
        }
    kind = steps.NOTE_KIND.get(w.step)
    if kind is not None:
        cards = view.obstacles if kind == Subject.OBSTACLE else view.innovations
        state["wall"] = {
            "kind": kind,
            # What the room sees: one card per note left after merges and withdrawals.
            "count": len(cards),
            "notes": sum(1 + len(c.merged) for c in cards),
            "cards": [_card(c, show_authors=w.show_authors) for c in cards],
            # For the facilitator's tidy-up: notes that say the same thing in other words.
            "suggested": suggested_merges(view, cards),
        }
    if view.poll is not None and w.step in steps.VOTE_STEPS:
        state["poll"] = {
            "id": view.poll.poll.id,
            "status": view.poll.poll.status,
            "ballots": view.poll.ballots,
        }
    return state


# --------------------------------------------------------------------------- one JSON per revision

_STATES: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()
_LOCK = threading.Lock()
_BUILDING: dict[tuple[str, int], threading.Lock] = {}
STATES_KEPT = 1024


def revision_of(*, session: Session, workshop_id: int) -> int | None:
    return session.exec(select(Workshop.revision).where(Workshop.id == workshop_id)).first()


def board_json(*, session: Session, workshop_id: int) -> tuple[int, bytes]:
    """The workshop's board state as JSON, with its revision: built once per revision in this
    process (concurrent askers of one workshop wait for a single build), then served from memory."""
    database = database_key(session)
    revision = revision_of(session=session, workshop_id=workshop_id)
    if revision is None:
        raise LookupError(workshop_id)
    key = (database, workshop_id, revision)
    with _LOCK:
        cached = _STATES.get(key)
        if cached is not None:
            _STATES.move_to_end(key)
            return revision, cached
        building = _BUILDING.setdefault((database, workshop_id), threading.Lock())
    with building:
        with _LOCK:
            cached = _STATES.get(key)
        if cached is not None:
            return revision, cached
        view = shared_view(session=session, workshop_id=workshop_id)
        body = json.dumps(board_state(view), ensure_ascii=False, separators=(",", ":")).encode()
        built = (database, workshop_id, view.workshop.revision)
        with _LOCK:
            _STATES[built] = body
            while len(_STATES) > STATES_KEPT:
                _STATES.popitem(last=False)
        return view.workshop.revision, body
