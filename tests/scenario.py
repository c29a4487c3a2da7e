"""Builds a workshop up to a given point through the services, for page and browser tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import Session, select

from workshop import services
from workshop.db.engine import create_tables, make_engine
from workshop.db.models import Ballot, BallotMark, TrendMapVersion, Workshop, utcnow
from workshop.maps.store import install_builtin_maps, latest_versions, trends_of
from workshop.rules.security import room_key

PEOPLE = [
    ("Анна", "Продажи"),
    ("Борис", "Маркетинг"),
    ("Вера", "Сервис"),
    ("Глеб", "Логистика"),
    ("Дина", "ИТ"),
    ("Егор", "Финансы"),
    ("Жанна", "Продажи"),
]
OBSTACLES = [
    "Дорого для семьи",
    "Долго ждать курьера",
    "Дорого",
    "Нет доверия к свежести",
    "Неудобное приложение",
    "Курьеры опаздывают",
]
IDEAS = [
    ("Наборы с рецептами дешевле магазина", "рецепт ведёт к покупке"),
    ("Семейная подписка со скидкой", "регулярность снижает цену"),
]

STOPS = [
    "lobby",
    "trends_pick",
    "trends_vote_ready",
    "trends_vote_open",
    "trends_vote_tie",
    "obstacles_write",
    "obstacles_vote_open",
    "innovations_write",
    "innovations_vote_revealed",
    "presentation",
    "finished",
]


@dataclass
class Built:
    code: str
    key: str
    workshop_id: int
    tokens: list[str] = field(default_factory=list)
    participant_ids: list[int] = field(default_factory=list)
    poll_id: int | None = None
    option_ids: list[int] = field(default_factory=list)

    @property
    def room(self) -> str:
        """The room projector link's key (the facilitator's screen gives it)."""
        return room_key(self.key, self.code)

    @property
    def room_query(self) -> str:
        return f"w={self.code}&r={self.room}"


def _open_and_vote(session: Session, built: Built, choose) -> int:  # type: ignore[no-untyped-def]
    workshop = session.get(Workshop, built.workshop_id)
    poll = services.current_poll(session=session, workshop=workshop)
    services.open_poll(session=session, workshop_id=built.workshop_id, poll_id=poll.id)
    options = services.options_of(session=session, poll_id=poll.id)
    for i, pid in enumerate(built.participant_ids):
        services.cast_ballot(
            session=session,
            participant_id=pid,
            poll_id=poll.id,
            marks={options[choose(i) % len(options)].id: 1},
        )
    return poll.id


def _four(trends: list, i: int) -> list:  # type: ignore[type-arg]
    """Person ``i``'s four picks: everyone picks the first two; the rest vary."""
    if len(trends) >= 8:
        return [trends[0], trends[1], trends[2 + i % 3], trends[5 + i % 3]]
    return [trends[0], trends[1], trends[2 + i % 3], trends[5 + i % 2]]  # a map of 7 trends


def build_workshop(
    db_url: str,
    *,
    stop: str,
    people: int = 6,
    settings: services.Settings | None = None,
    map_id: str = "customer-journey-2017",
) -> Built:
    engine = make_engine(db_url)
    try:
        create_tables(engine)
        return _build(engine, stop=stop, people=people, settings=settings, map_id=map_id)
    finally:
        engine.dispose()


def _build(
    engine,
    *,
    stop: str,
    people: int,
    settings: services.Settings | None,
    map_id: str = "customer-journey-2017",
    existing: tuple[int, str] | None = None,
) -> Built:  # type: ignore[no-untyped-def]
    """A workshop built up to ``stop``: a new one, or the ``existing`` (id, facilitator key)."""
    with Session(engine) as session:
        install_builtin_maps(session=session)
        if existing is None:
            version = next(v for m, v in latest_versions(session=session) if m.id == map_id)
            workshop, key = services.create_workshop(
                session=session,
                title="Инновации в доставке",
                product="Доставка за 2 часа",
                map_version_id=version.id,
                settings=settings or services.Settings(),
            )
        else:
            found = session.get(Workshop, existing[0])
            assert found is not None
            workshop, key = found, existing[1]
            version = session.get(TrendMapVersion, workshop.trend_map_version_id)
        built = Built(code=workshop.code, key=key, workshop_id=workshop.id)
        for name, department in PEOPLE[:people]:
            participant, token = services.join(
                session=session, code=workshop.code, name=name, department=department
            )
            built.tokens.append(token)
            built.participant_ids.append(participant.id)
        wid = workshop.id
        if stop == "lobby":
            return built
        services.advance(session=session, workshop_id=wid)
        trends = trends_of(session=session, version_id=version.id)
        for i, pid in enumerate(built.participant_ids):
            services.set_picks(
                session=session,
                participant_id=pid,
                trend_ids=[t.id for t in _four(trends, i)],
            )
        if stop == "trends_pick":
            return built
        services.advance(session=session, workshop_id=wid)
        poll = services.current_poll(session=session, workshop=session.get(Workshop, wid))
        built.poll_id = poll.id
        built.option_ids = [o.id for o in services.options_of(session=session, poll_id=poll.id)]
        if stop == "trends_vote_ready":
            return built
        if stop == "trends_vote_open":
            services.open_poll(session=session, workshop_id=wid, poll_id=poll.id)
            return built
        poll_id = _open_and_vote(session, built, lambda i: i % 2)
        services.close_poll(session=session, workshop_id=wid, poll_id=poll_id)
        services.reveal_poll(session=session, workshop_id=wid, poll_id=poll_id)
        if stop == "trends_vote_tie":
            return built
        services.decide_tie(session=session, workshop_id=wid, poll_id=poll_id, option_id=built.option_ids[0])
        services.advance(session=session, workshop_id=wid)
        for i, text in enumerate(OBSTACLES):
            services.add_note(session=session, participant_id=built.participant_ids[i % people], text=text)
        if stop == "obstacles_write_time_up":
            services.change_timer(
                session=session, workshop_id=wid, action="end", now=utcnow() - timedelta(seconds=1)
            )
            return built
        if stop == "obstacles_write":
            return built
        services.advance(session=session, workshop_id=wid)
        if stop == "obstacles_vote_open":
            poll = services.current_poll(session=session, workshop=session.get(Workshop, wid))
            services.open_poll(session=session, workshop_id=wid, poll_id=poll.id)
            return built
        poll_id = _open_and_vote(session, built, lambda i: 0)
        services.close_poll(session=session, workshop_id=wid, poll_id=poll_id)
        services.advance(session=session, workshop_id=wid)
        for i, (idea, why) in enumerate(IDEAS):
            services.add_note(
                session=session, participant_id=built.participant_ids[i], text=idea, rationale=why
            )
        if stop == "innovations_write":
            return built
        services.advance(session=session, workshop_id=wid)
        poll_id = _open_and_vote(session, built, lambda i: 1)
        services.close_poll(session=session, workshop_id=wid, poll_id=poll_id)
        services.reveal_poll(session=session, workshop_id=wid, poll_id=poll_id)
        if stop == "innovations_vote_revealed":
            return built
        services.advance(session=session, workshop_id=wid)
        if stop == "presentation":
            return built
        services.confirm_agreement(session=session, workshop_id=wid)
        services.advance(session=session, workshop_id=wid)
        return built


def ballot_marks(session: Session, poll_id: int) -> dict[int, int]:
    rows = session.exec(
        select(BallotMark.option_id, BallotMark.dots)
        .join(Ballot, Ballot.id == BallotMark.ballot_id)
        .where(Ballot.poll_id == poll_id)
    ).all()
    return dict(rows)


@dataclass
class BuiltDay:
    """An innovation day made for a test: its code and id, the organizer's key, its groups'
    codes (by number) and the groups built up to a step (``build_day``'s ``stops``)."""

    code: str
    day_id: int
    key: str
    codes: list[str]
    built: list[Built]


def build_day(
    engine,  # type: ignore[no-untyped-def]
    *,
    groups: int = 3,
    stops: Sequence[str] = (),
    title: str = "День инноваций",
    product: str = "Доставка продуктов",
    people: int = 6,
) -> BuiltDay:
    """A day of ``groups`` groups on the built-in map, made by the services; the first
    ``len(stops)`` groups are then built up to their stop (``_build``), the others stay empty."""
    with Session(engine) as session:
        install_builtin_maps(session=session)
        version = next(v for m, v in latest_versions(session=session) if m.id == "customer-journey-2017")
        day, key = services.create_day(
            session=session,
            title=title,
            product=product,
            held_on="2026-12-03",
            map_version_id=version.id,
            settings=services.Settings(),
            groups=groups,
        )
        made = services.groups_of(session=session, day_id=day.id)
        keys = [(g.id, services.facilitator_key(key, g)) for g in made]
        result = BuiltDay(code=day.code, day_id=day.id, key=key, codes=[g.code for g in made], built=[])
    result.built = [
        _build(engine, stop=stop, people=people, settings=None, existing=existing)
        for stop, existing in zip(stops, keys, strict=False)
    ]
    return result
