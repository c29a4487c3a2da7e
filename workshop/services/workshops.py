"""A workshop itself: its settings, creating it, finding it by code (as its facilitator, or by
the room's link), the room link's key, and the projector's options."""

from __future__ import annotations

from sqlmodel import Session, func, select

from workshop.db.engine import begin_write
from workshop.db.models import InnovationDay, Trend, TrendMapVersion, Workshop, WorkshopSettings, utcnow
from workshop.live import events
from workshop.rules.errors import AccessDenied, InvalidInput, NotFound
from workshop.rules.limits import NAME_MAX, PRODUCT_MAX, TITLE_MAX
from workshop.rules.security import (
    group_key,
    hash_secret,
    new_join_code,
    new_secret,
    normalise_join_code,
    room_key,
    secret_matches,
)
from workshop.rules.text import clean_text
from workshop.services._base import _commit, _log, _reload

# The settings and their bounds are declared once, with the table (workshop.db.models).
Settings = WorkshopSettings


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
    day: tuple[int, int, str] | None = None,
) -> tuple[Workshop, str]:
    """Create a workshop; return it with the facilitator key (shown once, stored as a hash).

    ``open_voting`` is fixed at creation: the record then names who voted for what, and every
    phone says so before a vote. Otherwise ballots stay secret for good. ``day``: (day id, group
    number, the organizer's key) for a group of an innovation day, whose facilitator key is then
    derived from the organizer's (``services.days``)."""
    title = clean_text(title, field="title", max_len=TITLE_MAX)
    product = clean_text(product, field="product", max_len=PRODUCT_MAX)
    facilitator_name = clean_text(
        facilitator_name, field="facilitator_name", max_len=NAME_MAX, required=False
    )
    begin_write(session)
    settings = _settings_for_map(session, map_version_id, settings)
    code = _unused_code(session, Workshop)
    key = group_key(day[2], code) if day else new_secret()
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
        day_id=day[0] if day else None,
        group_number=day[1] if day else None,
        **{name: getattr(settings, name) for name in Settings.setting_names()},
    )
    session.add(workshop)
    session.flush()
    _log(session, workshop, "created", at=workshop.created_at)
    session.commit()
    session.refresh(workshop)
    return workshop, key


def _settings_for_map(session: Session, map_version_id: int, settings: Settings) -> Settings:
    """The settings, if the map version exists and they hold together for its trends."""
    if session.get(TrendMapVersion, map_version_id) is None:
        raise InvalidInput("error.map_not_found")
    trend_count = session.exec(
        select(func.count()).select_from(Trend).where(Trend.version_id == map_version_id)
    ).one()
    return settings.validated(trend_count=trend_count)


def _unused_code(session: Session, model: type[Workshop] | type[InnovationDay]) -> str:
    """A join code no row of ``model`` (workshops, or innovation days) has yet."""
    for _attempt in range(20):
        code = new_join_code()
        if session.exec(select(model.id).where(model.code == code)).first() is None:
            return code
    raise InvalidInput("error.no_code")  # pragma: no cover - 31**6 codes


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
