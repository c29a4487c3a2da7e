"""Everything that changes a workshop: validate, apply the rules, commit, then tell the screens.

Each function takes keyword arguments and a session, begins a write transaction first
(``begin_write``), commits, and publishes the kinds of change to the live hub after the commit.
Errors are named (``workshop.rules.errors``) and carry a translation key for the page to show.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, func, select

from workshop.db.engine import begin_write
from workshop.db.models import (
    Ballot,
    BallotMark,
    Note,
    Participant,
    Pick,
    Poll,
    PollOption,
    StepLog,
    Trend,
    TrendMapVersion,
    Workshop,
    WorkshopSettings,
    utcnow,
)
from workshop.live import events
from workshop.rules import steps, timers, voting
from workshop.rules.errors import (
    AccessDenied,
    InvalidInput,
    NotFound,
    NotLetIn,
    TimeUp,
    TransitionRefused,
    VotingClosed,
    WrongStep,
)
from workshop.rules.limits import (
    DEPARTMENT_MAX,
    MAX_MINUTES,
    MIN_MINUTES,
    NAME_MAX,
    NOTE_MAX,
    PRODUCT_MAX,
    RATIONALE_MAX,
    TITLE_MAX,
)
from workshop.rules.security import (
    hash_secret,
    new_join_code,
    new_secret,
    normalise_join_code,
    room_key,
    secret_matches,
)
from workshop.rules.text import clean_text

LAST_SEEN_EVERY = timedelta(seconds=60)
# A participant's admission (a locked room lets new people in one by one).
LET_IN, WAITING, TURNED_AWAY = "in", "waiting", "turned_away"


# --------------------------------------------------------------------------- settings


# The settings and their bounds are declared once, with the table (workshop.db.models).
Settings = WorkshopSettings


def settings_of(workshop: Workshop) -> Settings:
    return Settings.model_construct(**{name: getattr(workshop, name) for name in Settings.setting_names()})


# --------------------------------------------------------------------------- helpers


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


def _timer(workshop: Workshop) -> timers.Timer:
    return timers.Timer(deadline=workshop.deadline, paused_remaining=workshop.paused_remaining)


def _set_timer(workshop: Workshop, timer: timers.Timer) -> None:
    workshop.deadline = timer.deadline
    workshop.paused_remaining = timer.paused_remaining


def _touch(session: Session, workshop: Workshop) -> None:
    workshop.revision += 1
    session.add(workshop)


def _log(session: Session, workshop: Workshop, event: str, detail: str = "", *, at: datetime) -> None:
    session.add(StepLog(workshop_id=workshop.id, step=workshop.step, event=event, detail=detail[:400], at=at))


def _commit(session: Session, workshop: Workshop, *kinds: str) -> None:
    _touch(session, workshop)
    session.commit()
    events.publish(workshop.code, *kinds)


def _reload(session: Session, workshop_id: int) -> Workshop:
    workshop = session.get(Workshop, workshop_id, populate_existing=True)
    if workshop is None:
        raise NotFound("error.workshop_not_found")
    return workshop


def _require_open_input(workshop: Workshop, step: str, now: datetime) -> None:
    if workshop.step != step:
        raise WrongStep("error.step_moved_on")
    if timers.is_over(_timer(workshop), now):
        raise TimeUp()


# --------------------------------------------------------------------------- workshops


def create_workshop(
    *,
    session: Session,
    title: str,
    product: str,
    map_version_id: int,
    settings: Settings,
    facilitator_name: str = "",
    lang: str = "ru",
    open_voting: bool = False,
) -> tuple[Workshop, str]:
    """Create a workshop; return it with the facilitator key (shown once, stored as a hash).

    ``open_voting`` is fixed at creation: the record then names who voted for what, and every
    phone says so before a vote. Otherwise ballots stay secret for good."""
    title = clean_text(title, field="title", max_len=TITLE_MAX)
    product = clean_text(product, field="product", max_len=PRODUCT_MAX)
    facilitator_name = clean_text(
        facilitator_name, field="facilitator_name", max_len=NAME_MAX, required=False
    )
    begin_write(session)
    version = session.get(TrendMapVersion, map_version_id)
    if version is None:
        raise InvalidInput("error.map_not_found")
    trend_count = session.exec(
        select(func.count()).select_from(Trend).where(Trend.version_id == map_version_id)
    ).one()
    settings = settings.validated(trend_count=trend_count)
    key = new_secret()
    for _attempt in range(20):
        code = new_join_code()
        taken = session.exec(select(Workshop.id).where(Workshop.code == code)).first()
        if taken is None:
            break
    else:  # pragma: no cover - 31**6 codes
        raise InvalidInput("error.no_code")
    workshop = Workshop(
        code=code,
        title=title,
        product=product,
        facilitator_name=facilitator_name,
        facilitator_key_hash=hash_secret(key),
        room_key_hash=hash_secret(room_key(key, code)),
        trend_map_version_id=map_version_id,
        lang=lang if lang in ("ru", "en") else "ru",
        open_voting=bool(open_voting),
        step_started_at=utcnow(),
        **{name: getattr(settings, name) for name in Settings.setting_names()},
    )
    session.add(workshop)
    session.flush()
    _log(session, workshop, "created", at=workshop.created_at)
    session.commit()
    session.refresh(workshop)
    return workshop, key


def workshop_by_code(*, session: Session, code: str) -> Workshop:
    workshop = session.exec(select(Workshop).where(Workshop.code == normalise_join_code(code))).first()
    if workshop is None:
        raise NotFound("error.workshop_not_found")
    return workshop


def facilitated_workshop(*, session: Session, code: str, key: str | None) -> Workshop:
    """The workshop whose facilitator key is ``key``; anything else is :class:`AccessDenied`."""
    try:
        workshop = workshop_by_code(session=session, code=code)
    except NotFound:
        raise AccessDenied() from None
    if not secret_matches(key, workshop.facilitator_key_hash):
        raise AccessDenied()
    return workshop


def room_workshop(*, session: Session, code: str, room: str | None) -> Workshop:
    """The workshop whose room link is ``code`` with ``room``; an unknown code and a wrong key
    are the same :class:`NotFound`."""
    try:
        workshop = workshop_by_code(session=session, code=code)
    except NotFound:
        secret_matches(room, hash_secret("the same work for an unknown code"))
        raise
    if not workshop.room_key_hash or not secret_matches(room, workshop.room_key_hash):
        raise NotFound("error.workshop_not_found")
    return workshop


def keep_room_key(*, session: Session, workshop_id: int, key: str) -> str:
    """The room link's key for the facilitator holding ``key``; a workshop made before rooms had
    keys of their own gets its key now (the only write; a page run reads)."""
    workshop = session.get(Workshop, workshop_id)
    if workshop is None or not secret_matches(key, workshop.facilitator_key_hash):
        raise AccessDenied()
    room = room_key(key, workshop.code)
    if workshop.room_key_hash != hash_secret(room):
        begin_write(session)
        workshop = _reload(session, workshop_id)
        workshop.room_key_hash = hash_secret(room)
        session.add(workshop)
        session.commit()
    return room


# --------------------------------------------------------------------------- participants


def join(
    *, session: Session, code: str, name: str, department: str, now: datetime | None = None
) -> tuple[Participant, str]:
    """A phone joins by code; returns the participant and the token that identifies them."""
    name = clean_text(name, field="name", max_len=NAME_MAX)
    department = clean_text(department, field="department", max_len=DEPARTMENT_MAX)
    now = _now(now)
    begin_write(session)
    workshop = workshop_by_code(session=session, code=code)
    if workshop.step == steps.FINISHED:
        raise WrongStep("error.workshop_finished")
    token = new_secret()
    participant = Participant(
        workshop_id=workshop.id,
        name=name,
        department=department,
        token_hash=hash_secret(token),
        joined_at=now,
        last_seen_at=now,
        admission=WAITING if workshop.locked else LET_IN,
    )
    session.add(participant)
    if workshop.locked:
        _log(session, workshop, "asked_to_join", f"{name} / {department}", at=now)
    else:
        _log(session, workshop, "joined", f"{name} / {department}", at=now)
    _commit(session, workshop, events.ROSTER)
    session.refresh(participant)
    return participant, token


def participant_by_token(
    *, session: Session, token: str | None, now: datetime | None = None
) -> Participant | None:
    """Resolve a phone's token against the database (on every run: reloads keep the person)."""
    if not token or len(token) > 100:
        return None
    participant = session.exec(
        select(Participant).where(Participant.token_hash == hash_secret(token))
    ).first()
    now = _now(now)
    if participant is not None and now - participant.last_seen_at > LAST_SEEN_EVERY:
        participant_id = participant.id
        begin_write(session)  # ends the read above: a write of its own, never an upgrade
        session.execute(update(Participant).where(Participant.id == participant_id).values(last_seen_at=now))
        session.commit()
        participant = session.get(Participant, participant_id)
    return participant


def roster(*, session: Session, workshop_id: int, admission: str = LET_IN) -> list[Participant]:
    """Who takes part (or, with ``admission="waiting"``, who waits at a locked room's door)."""
    return list(
        session.exec(
            select(Participant)
            .where(Participant.workshop_id == workshop_id, Participant.admission == admission)
            .order_by(Participant.joined_at, Participant.id)
        ).all()
    )


def admission_of(*, session: Session, participant_id: int) -> str:
    """Whether the participant is in the room, waits at a locked room's door, or was turned away."""
    found = session.exec(select(Participant.admission).where(Participant.id == participant_id)).first()
    return found or TURNED_AWAY


def _taking_part(session: Session, participant_id: int) -> Participant:
    """The participant, if they are in the room; someone still waiting to be let in (or turned
    away) may not pick, write or vote."""
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise NotFound("error.participant_not_found")
    if participant.admission != LET_IN:
        raise NotLetIn()
    return participant


def lock_room(*, session: Session, workshop_id: int, locked: bool) -> None:
    """Lock the room: from now on a new join waits until the facilitator lets the person in."""
    begin_write(session)
    workshop = _reload(session, workshop_id)
    workshop.locked = bool(locked)
    if locked:
        _log(session, workshop, "room_locked", at=utcnow())
    else:
        _log(session, workshop, "room_unlocked", at=utcnow())
    _commit(session, workshop, events.ROSTER, events.STEP)


def let_in(*, session: Session, workshop_id: int, participant_id: int, admit: bool = True) -> None:
    """Let a waiting person into a locked room, or turn them away."""
    begin_write(session)
    workshop = _reload(session, workshop_id)
    participant = session.get(Participant, participant_id)
    if participant is None or participant.workshop_id != workshop.id or participant.admission != WAITING:
        raise NotFound("error.participant_not_found")
    participant.admission = LET_IN if admit else TURNED_AWAY
    session.add(participant)
    detail = f"{participant.name} / {participant.department}"
    if admit:
        _log(session, workshop, "let_in", detail, at=utcnow())
    else:
        _log(session, workshop, "turned_away", detail, at=utcnow())
    _commit(session, workshop, events.ROSTER, events.STEP)


# --------------------------------------------------------------------------- step 2: picks


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
    session.exec(delete(Pick).where(Pick.participant_id == participant.id))
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
            select(Pick.trend_id).where(Pick.participant_id == participant_id).order_by(Pick.id)
        ).all()
    )


# --------------------------------------------------------------------------- steps 3, 4: notes


def add_note(
    *,
    session: Session,
    participant_id: int,
    text: str,
    rationale: str = "",
    now: datetime | None = None,
) -> Note:
    """An obstacle sticky (step 3) or an innovation with its one-line rationale (step 4)."""
    now = _now(now)
    text = clean_text(text, field="note", max_len=NOTE_MAX)
    begin_write(session)
    participant = _taking_part(session, participant_id)
    workshop = _reload(session, participant.workshop_id)
    kind = steps.NOTE_KIND.get(workshop.step)
    if kind is None:
        raise WrongStep("error.step_moved_on")
    _require_open_input(workshop, workshop.step, now)
    if kind == "innovation":
        rationale = clean_text(rationale, field="rationale", max_len=RATIONALE_MAX)
        limit = workshop.ideas_max
    else:
        rationale = ""
        limit = workshop.notes_max
    written = session.exec(
        select(func.count()).select_from(Note).where(Note.participant_id == participant.id, Note.kind == kind)
    ).one()
    if written >= limit:
        raise InvalidInput("error.note_limit", max=limit)
    note = Note(
        workshop_id=workshop.id,
        participant_id=participant.id,
        kind=kind,
        text=text,
        original_text=text,
        rationale=rationale,
        created_at=now,
    )
    session.add(note)
    _commit(session, workshop, events.NOTE)
    session.refresh(note)
    return note


def withdraw_note(
    *, session: Session, participant_id: int, note_id: int, now: datetime | None = None
) -> None:
    """The author takes back their own note while the step is still open."""
    now = _now(now)
    begin_write(session)
    note = session.get(Note, note_id)
    if note is None or note.participant_id != participant_id:
        raise NotFound("error.note_not_found")
    workshop = _reload(session, note.workshop_id)
    _require_open_input(workshop, workshop.step, now)
    if steps.NOTE_KIND.get(workshop.step) != note.kind:
        raise WrongStep("error.step_moved_on")
    for merged in session.exec(select(Note).where(Note.merged_into_id == note.id)).all():
        merged.merged_into_id = None
        session.add(merged)
    # A vote cancelled by going back still lists the note: its option keeps the label only.
    for option in session.exec(select(PollOption).where(PollOption.note_id == note.id)).all():
        option.note_id = None
        session.add(option)
    session.flush()
    session.delete(note)
    _commit(session, workshop, events.NOTE)


def _note_for_facilitator(session: Session, workshop: Workshop, note_id: int) -> Note:
    note = session.get(Note, note_id)
    if note is None or note.workshop_id != workshop.id:
        raise NotFound("error.note_not_found")
    if steps.NOTE_KIND.get(workshop.step) != note.kind:
        raise WrongStep("error.edit_only_while_writing")
    return note


def merge_notes(*, session: Session, workshop_id: int, keep_id: int, merge_ids: Sequence[int]) -> None:
    """Merge duplicates into ``keep_id``: they leave the ballot, every author's note stays."""
    begin_write(session)
    workshop = _reload(session, workshop_id)
    keep = _note_for_facilitator(session, workshop, keep_id)
    if keep.merged_into_id is not None:
        raise InvalidInput("error.merge_into_merged")
    others = [i for i in dict.fromkeys(merge_ids) if i != keep_id]
    if not others:
        raise InvalidInput("error.merge_nothing")
    for note_id in others:
        note = _note_for_facilitator(session, workshop, note_id)
        if note.kind != keep.kind:
            raise InvalidInput("error.merge_kinds")
        # Notes already merged into this one move along with it.
        for child in session.exec(select(Note).where(Note.merged_into_id == note.id)).all():
            child.merged_into_id = keep.id
            session.add(child)
        note.merged_into_id = keep.id
        session.add(note)
    _log(session, workshop, "merged", f"{keep.id} <- {', '.join(map(str, others))}", at=utcnow())
    _commit(session, workshop, events.NOTE)


def unmerge_note(*, session: Session, workshop_id: int, note_id: int) -> None:
    begin_write(session)
    workshop = _reload(session, workshop_id)
    note = _note_for_facilitator(session, workshop, note_id)
    note.merged_into_id = None
    session.add(note)
    _log(session, workshop, "unmerged", str(note_id), at=utcnow())
    _commit(session, workshop, events.NOTE)


def edit_note(*, session: Session, workshop_id: int, note_id: int, text: str) -> Note:
    """The facilitator fixes a typo; the author's original text stays on record."""
    text = clean_text(text, field="note", max_len=NOTE_MAX)
    begin_write(session)
    workshop = _reload(session, workshop_id)
    note = _note_for_facilitator(session, workshop, note_id)
    if text != note.text:
        note.text = text
        note.edited_at = utcnow()
        session.add(note)
        _log(session, workshop, "edited", str(note_id), at=note.edited_at)
        _commit(session, workshop, events.NOTE)
    return note


def notes_of(*, session: Session, participant_id: int, kind: str) -> list[Note]:
    return list(
        session.exec(
            select(Note).where(Note.participant_id == participant_id, Note.kind == kind).order_by(Note.id)
        ).all()
    )


# --------------------------------------------------------------------------- polls


def current_poll(*, session: Session, workshop: Workshop) -> Poll | None:
    subject = steps.VOTE_STEPS.get(workshop.step)
    if subject is None:
        return None
    return session.exec(
        select(Poll)
        .where(
            Poll.workshop_id == workshop.id,
            Poll.subject == subject,
            Poll.status != "cancelled",
        )
        .order_by(col(Poll.round).desc())
    ).first()


def _next_round(session: Session, workshop: Workshop, subject: str) -> int:
    last = session.exec(
        select(func.max(Poll.round)).where(Poll.workshop_id == workshop.id, Poll.subject == subject)
    ).one()
    return (last or 0) + 1


def _complete_picks(session: Session, workshop: Workshop) -> list[tuple[int, int]]:
    """(trend, participant) picks of those who picked at least the minimum: the bounds are
    enforced where it matters, on the ballot. Incomplete picks stay on record."""
    rows = session.exec(
        select(Pick.trend_id, Pick.participant_id).where(Pick.workshop_id == workshop.id)
    ).all()
    per_person = Counter(pid for _trend, pid in rows)
    return [(t, p) for t, p in rows if per_person[p] >= workshop.picks_min]


def _build_poll(session: Session, workshop: Workshop, subject: str) -> Poll:
    poll = Poll(
        workshop_id=workshop.id,
        subject=subject,
        round=_next_round(session, workshop, subject),
        votes_per_person=workshop.votes_per_person,
        cap_per_option=workshop.cap_per_option,
    )
    session.add(poll)
    session.flush()
    if subject == "trend":
        support = Counter(trend_id for trend_id, _pid in _complete_picks(session, workshop))
        trends = session.exec(
            select(Trend).where(col(Trend.id).in_(list(support))).order_by(Trend.position)
        ).all()
        ordered = sorted(trends, key=lambda t: (-support[t.id], t.position))
        for position, trend in enumerate(ordered):
            session.add(
                PollOption(
                    poll_id=poll.id,
                    position=position,
                    trend_id=trend.id,
                    label=f"{trend.code} · {trend.title_ru}",
                    detail=trend.title_en,
                    support=support[trend.id],
                )
            )
    else:
        notes = session.exec(
            select(Note).where(Note.workshop_id == workshop.id, Note.kind == subject).order_by(Note.id)
        ).all()
        merged_count = Counter(n.merged_into_id for n in notes if n.merged_into_id is not None)
        position = 0
        for note in notes:
            if note.merged_into_id is not None:
                continue
            session.add(
                PollOption(
                    poll_id=poll.id,
                    position=position,
                    note_id=note.id,
                    label=note.text,
                    detail=note.rationale,
                    support=1 + merged_count[note.id],
                )
            )
            position += 1
    return poll


def options_of(*, session: Session, poll_id: int) -> list[PollOption]:
    return list(
        session.exec(
            select(PollOption).where(PollOption.poll_id == poll_id).order_by(PollOption.position)
        ).all()
    )


def _poll_for_facilitator(session: Session, workshop: Workshop, poll_id: int) -> Poll:
    poll = session.get(Poll, poll_id, populate_existing=True)
    if poll is None or poll.workshop_id != workshop.id:
        raise NotFound("error.poll_not_found")
    current = current_poll(session=session, workshop=workshop)
    if current is None or current.id != poll.id:
        raise WrongStep("error.poll_not_current")
    return poll


def open_poll(*, session: Session, workshop_id: int, poll_id: int, now: datetime | None = None) -> Poll:
    now = _now(now)
    begin_write(session)
    workshop = _reload(session, workshop_id)
    poll = _poll_for_facilitator(session, workshop, poll_id)
    if poll.status != "ready":
        raise InvalidInput("error.poll_not_ready")
    if not session.exec(select(PollOption.id).where(PollOption.poll_id == poll.id)).first():
        raise InvalidInput("error.empty_ballot")
    poll.status, poll.opened_at = "open", now
    session.add(poll)
    _set_timer(workshop, timers.start(now, workshop.vote_minutes))
    _log(session, workshop, "vote_opened", f"round {poll.round}", at=now)
    _commit(session, workshop, events.POLL, events.TIMER)
    return poll


def close_poll(
    *, session: Session, workshop_id: int, poll_id: int, now: datetime | None = None
) -> voting.Result:
    """Close the ballot box and count. One leader wins; several leaders are a tie."""
    now = _now(now)
    begin_write(session)
    workshop = _reload(session, workshop_id)
    poll = _poll_for_facilitator(session, workshop, poll_id)
    if poll.status != "open":
        raise InvalidInput("error.poll_not_open")
    result = count_poll(session=session, poll_id=poll.id)
    poll.status, poll.closed_at = "closed", now
    poll.tie = result.tie
    if result.winner is not None:
        poll.winner_option_id, poll.decided_by = result.winner, "vote"
    session.add(poll)
    _set_timer(workshop, timers.NO_TIMER)
    _log(session, workshop, "vote_closed", f"round {poll.round}; tie={result.tie}", at=now)
    _commit(session, workshop, events.POLL, events.TIMER)
    return result


def reveal_poll(*, session: Session, workshop_id: int, poll_id: int) -> None:
    begin_write(session)
    workshop = _reload(session, workshop_id)
    poll = _poll_for_facilitator(session, workshop, poll_id)
    if poll.status != "closed":
        raise InvalidInput("error.poll_not_closed")
    poll.status = "revealed"
    session.add(poll)
    _log(session, workshop, "vote_revealed", f"round {poll.round}", at=utcnow())
    _commit(session, workshop, events.POLL)


def start_runoff(*, session: Session, workshop_id: int, poll_id: int, now: datetime | None = None) -> Poll:
    """A tie starts a new round between the tied options only; it opens at once."""
    now = _now(now)
    begin_write(session)
    workshop = _reload(session, workshop_id)
    poll = _poll_for_facilitator(session, workshop, poll_id)
    if poll.status not in ("closed", "revealed") or not poll.tie or poll.decided_by:
        raise InvalidInput("error.no_tie")
    result = count_poll(session=session, poll_id=poll.id)
    tied = [o for o in options_of(session=session, poll_id=poll.id) if o.id in result.leaders]
    runoff = Poll(
        workshop_id=workshop.id,
        subject=poll.subject,
        round=_next_round(session, workshop, poll.subject),
        status="open",
        votes_per_person=1,
        cap_per_option=1,
        opened_at=now,
    )
    session.add(runoff)
    session.flush()
    for position, option in enumerate(tied):
        session.add(
            PollOption(
                poll_id=runoff.id,
                position=position,
                trend_id=option.trend_id,
                note_id=option.note_id,
                label=option.label,
                detail=option.detail,
                support=option.support,
            )
        )
    _set_timer(workshop, timers.start(now, workshop.vote_minutes))
    _log(session, workshop, "runoff", f"round {runoff.round}: {len(tied)} options", at=now)
    _commit(session, workshop, events.POLL, events.TIMER)
    session.refresh(runoff)
    return runoff


def decide_tie(*, session: Session, workshop_id: int, poll_id: int, option_id: int) -> None:
    """The facilitator breaks a tie instead of a runoff; recorded as their decision."""
    begin_write(session)
    workshop = _reload(session, workshop_id)
    poll = _poll_for_facilitator(session, workshop, poll_id)
    if poll.status not in ("closed", "revealed") or not poll.tie or poll.decided_by:
        raise InvalidInput("error.no_tie")
    result = count_poll(session=session, poll_id=poll.id)
    if option_id not in result.leaders:
        raise InvalidInput("error.decide_among_tied")
    poll.winner_option_id, poll.decided_by, poll.status = option_id, "facilitator", "revealed"
    session.add(poll)
    _log(session, workshop, "decided_by_facilitator", f"round {poll.round}: option {option_id}", at=utcnow())
    _commit(session, workshop, events.POLL)


def cast_ballot(
    *,
    session: Session,
    participant_id: int,
    poll_id: int,
    marks: Mapping[int, int],
    now: datetime | None = None,
) -> Ballot:
    """Cast or change this participant's ballot; one per participant per poll."""
    now = _now(now)
    begin_write(session)
    participant = _taking_part(session, participant_id)
    poll = session.get(Poll, poll_id, populate_existing=True)
    if poll is None or poll.workshop_id != participant.workshop_id:
        raise NotFound("error.poll_not_found")
    workshop = _reload(session, poll.workshop_id)
    if poll.status != "open":
        raise VotingClosed()
    if timers.is_over(_timer(workshop), now):
        raise VotingClosed("error.vote_time_up")
    option_ids = session.exec(select(PollOption.id).where(PollOption.poll_id == poll.id)).all()
    cleaned = voting.validate_marks(
        marks,
        option_ids=option_ids,
        votes_per_person=poll.votes_per_person,
        cap_per_option=poll.cap_per_option,
    )
    ballot = session.exec(
        select(Ballot).where(Ballot.poll_id == poll.id, Ballot.participant_id == participant.id)
    ).first()
    if ballot is None:
        ballot = Ballot(poll_id=poll.id, participant_id=participant.id, cast_at=now, updated_at=now)
        session.add(ballot)
        try:
            session.flush()
        except IntegrityError:
            # Another tab of the same phone won the race: change that ballot instead.
            session.rollback()
            return cast_ballot(
                session=session, participant_id=participant_id, poll_id=poll_id, marks=marks, now=now
            )
    else:
        ballot.updated_at = now
        session.add(ballot)
        session.exec(delete(BallotMark).where(BallotMark.ballot_id == ballot.id))
    for option_id, dots in cleaned.items():
        session.add(BallotMark(ballot_id=ballot.id, option_id=option_id, dots=dots))
    _commit(session, workshop, events.BALLOT)
    session.refresh(ballot)
    return ballot


def ballot_of(*, session: Session, poll_id: int, participant_id: int) -> dict[int, int]:
    rows = session.exec(
        select(BallotMark.option_id, BallotMark.dots)
        .join(Ballot, Ballot.id == BallotMark.ballot_id)
        .where(Ballot.poll_id == poll_id, Ballot.participant_id == participant_id)
    ).all()
    return dict(rows)


def ballots_cast(*, session: Session, poll_id: int) -> int:
    return session.exec(select(func.count()).select_from(Ballot).where(Ballot.poll_id == poll_id)).one()


def count_poll(*, session: Session, poll_id: int) -> voting.Result:
    option_ids = session.exec(select(PollOption.id).where(PollOption.poll_id == poll_id)).all()
    rows = session.exec(
        select(BallotMark.option_id, func.sum(BallotMark.dots))
        .join(Ballot, Ballot.id == BallotMark.ballot_id)
        .where(Ballot.poll_id == poll_id)
        .group_by(BallotMark.option_id)
    ).all()
    counts = dict.fromkeys(option_ids, 0)
    for option_id, dots in rows:
        counts[option_id] = int(dots or 0)
    return voting.decide(counts)


# --------------------------------------------------------------------------- steps


def _facts(session: Session, workshop: Workshop) -> steps.Facts:
    def count(model: type, *where: object) -> int:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()

    poll = current_poll(session=session, workshop=workshop)
    return steps.Facts(
        step=workshop.step,
        participants=count(
            Participant, Participant.workshop_id == workshop.id, Participant.admission == LET_IN
        ),
        picks=len({pid for _trend, pid in _complete_picks(session, workshop)}),
        obstacles=count(Note, Note.workshop_id == workshop.id, Note.kind == "obstacle"),
        innovations=count(Note, Note.workshop_id == workshop.id, Note.kind == "innovation"),
        poll_decided=bool(poll and poll.winner_option_id is not None),
        agreement_confirmed=workshop.agreement_confirmed,
    )


def _enter(session: Session, workshop: Workshop, step: str, now: datetime) -> None:
    workshop.step = step
    workshop.step_started_at = now
    if step == steps.TRENDS_PICK:
        _set_timer(workshop, timers.start(now, workshop.pick_minutes))
    elif step in steps.NOTE_KIND:
        minutes = workshop.write_minutes if step == steps.OBSTACLES_WRITE else workshop.ideas_minutes
        _set_timer(workshop, timers.start(now, minutes))
    else:
        _set_timer(workshop, timers.NO_TIMER)
    if step in steps.VOTE_STEPS:
        _build_poll(session, workshop, steps.VOTE_STEPS[step])
    if step == steps.FINISHED:
        workshop.finished_at = now
    _log(session, workshop, "entered", at=now)


def _chosen_field(subject: str) -> str:
    return {"trend": "chosen_trend_id", "obstacle": "chosen_obstacle_id"}.get(subject, "chosen_innovation_id")


def advance(*, session: Session, workshop_id: int, now: datetime | None = None) -> str:
    """Move to the next step if the rules allow; a decided vote fixes its choice."""
    now = _now(now)
    begin_write(session)
    workshop = _reload(session, workshop_id)
    target = steps.next_step(_facts(session, workshop))
    subject = steps.VOTE_STEPS.get(workshop.step)
    if subject is not None:
        poll = current_poll(session=session, workshop=workshop)
        assert poll is not None and poll.winner_option_id is not None
        option = session.get(PollOption, poll.winner_option_id)
        assert option is not None
        setattr(workshop, _chosen_field(subject), option.trend_id or option.note_id)
        if poll.status == "closed":
            poll.status = "revealed"
            session.add(poll)
    _log(session, workshop, "left", at=now)
    _enter(session, workshop, target, now)
    _commit(session, workshop, events.STEP, events.TIMER, events.POLL)
    return target


def go_back(*, session: Session, workshop_id: int, now: datetime | None = None) -> str:
    """Return to the previous step. A vote left or re-entered this way starts over; the old
    polls stay on record as cancelled."""
    now = _now(now)
    begin_write(session)
    workshop = _reload(session, workshop_id)
    target = steps.previous_step(workshop.step)
    _log(session, workshop, "went_back", f"to {target}", at=now)
    for step in (workshop.step, target):
        subject = steps.VOTE_STEPS.get(step)
        if subject is None:
            continue
        for poll in session.exec(
            select(Poll).where(
                Poll.workshop_id == workshop.id,
                Poll.subject == subject,
                Poll.status != "cancelled",
            )
        ).all():
            poll.status = "cancelled"
            session.add(poll)
        setattr(workshop, _chosen_field(subject), None)
    workshop.agreement_confirmed = False
    _enter(session, workshop, target, now)
    _commit(session, workshop, events.STEP, events.TIMER, events.POLL)
    return target


def step_of(*, session: Session, workshop_id: int) -> str | None:
    """A workshop's current step, read fresh (one column of one row)."""
    return session.exec(select(Workshop.step).where(Workshop.id == workshop_id)).first()


def confirm_agreement(*, session: Session, workshop_id: int, confirmed: bool = True) -> None:
    """The method's check: the trend on top and the obstacle below agree in meaning."""
    begin_write(session)
    workshop = _reload(session, workshop_id)
    if workshop.step != steps.PRESENTATION:
        raise WrongStep("error.only_in_presentation")
    workshop.agreement_confirmed = confirmed
    _log(session, workshop, "agreement", "confirmed" if confirmed else "withdrawn", at=utcnow())
    _commit(session, workshop, events.STEP)


# --------------------------------------------------------------------------- timers


def change_timer(
    *, session: Session, workshop_id: int, action: str, minutes: float = 1, now: datetime | None = None
) -> timers.Timer:
    """``extend`` (by ``minutes``), ``pause``, ``resume`` or ``end`` the current step's timer."""
    now = _now(now)
    begin_write(session)
    workshop = _reload(session, workshop_id)
    timer = _timer(workshop)
    if timer.deadline is None and timer.paused_remaining is None:
        raise TransitionRefused("error.no_timer")
    if action == "extend":
        if not MIN_MINUTES <= minutes <= MAX_MINUTES:
            raise InvalidInput("error.setting_range", field="minutes", low=MIN_MINUTES, high=MAX_MINUTES)
        timer = timers.extend(timer, now, minutes * 60)
    elif action == "pause":
        timer = timers.pause(timer, now)
    elif action == "resume":
        timer = timers.resume(timer, now)
    elif action == "end":
        timer = timers.end_now(timer, now)
    else:
        raise InvalidInput("error.unknown_action")
    _set_timer(workshop, timer)
    _log(session, workshop, f"timer_{action}", f"{minutes:g} min" if action == "extend" else "", at=now)
    _commit(session, workshop, events.TIMER)
    return timer


def timer_of(workshop: Workshop) -> timers.Timer:
    return _timer(workshop)


def set_display(
    *,
    session: Session,
    workshop_id: int,
    show_authors: bool | None = None,
    join_base_url: str | None = None,
    sound: bool | None = None,
) -> None:
    """Projector options the facilitator sets: note authors shown, a chime when time is up,
    the address phones use."""
    begin_write(session)
    workshop = _reload(session, workshop_id)
    if show_authors is not None:
        workshop.show_authors = show_authors
    if sound is not None:
        workshop.sound = sound
    if join_base_url is not None:
        base = join_base_url.strip().rstrip("/")
        if base and not base.startswith(("http://", "https://")):
            raise InvalidInput("error.bad_url")
        workshop.join_base_url = base[:200]
    _commit(session, workshop, events.NOTE, events.ROSTER)


def live_signature(*, session: Session, code: str) -> dict[str, str]:
    """Cheap fingerprints for the safety-net poll: any change (``rev``) and what a phone
    shows (``phase``: step, current vote, timer)."""
    workshop = session.exec(select(Workshop).where(Workshop.code == normalise_join_code(code))).first()
    if workshop is None:
        return {"rev": "", "phase": ""}
    poll = current_poll(session=session, workshop=workshop)
    return {"rev": str(workshop.revision), "phase": phase_of(workshop, poll)}


def phase_of(workshop: Workshop, poll: Poll | None) -> str:
    """What a phone shows, as one string: the step, the current vote and its state, the timer."""
    return "|".join(
        str(x)
        for x in (
            workshop.step,
            poll.id if poll else "",
            poll.status if poll else "",
            workshop.deadline.isoformat() if workshop.deadline else "",
            workshop.paused_remaining,
        )
    )
