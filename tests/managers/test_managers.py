"""Managers' services: the archive index, the hand-off and its history, read-only links, analytics."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from tests.scenario import _build
from workshop import services
from workshop.db.models import ArchiveEntry, HandoffEvent, Workshop
from workshop.managers import analytics, archive, handoff, sharing
from workshop.managers.archive import ArchiveQuery, list_archive
from workshop.rules.errors import InvalidInput, NotFound, TransitionRefused, WrongStep


@pytest.fixture
def finished(engine, session: Session) -> int:
    """A whole workshop, run through the services to the end."""
    return _build(engine, stop="finished", people=6, settings=None).workshop_id


def _codes(page: archive.ArchivePage) -> list[str]:
    return [row.code for row in page.rows]


# --------------------------------------------------------------------------- archive


def test_a_finished_workshop_is_listed_with_its_choices(session: Session, finished: int) -> None:
    page = list_archive(session=session, query=ArchiveQuery())
    assert page.total == 1
    row = page.rows[0]
    workshop = session.get(Workshop, finished)
    assert row.code == workshop.code
    assert row.status == "finished"
    assert row.title == "Инновации в доставке"
    assert row.map_id == "customer-journey-2017"
    assert row.trend and row.obstacle and row.innovation
    assert row.participants == 6
    assert row.finished_at is not None


def test_search_ignores_case_and_yo_in_cyrillic(session: Session, finished: int) -> None:
    for query in ("ДОСТАВКЕ", "доставке", "семейная ПОДПИСКА", "анна", "ЛОГИСТИКА", "свежести"):
        assert list_archive(session=session, query=ArchiveQuery(text=query)).total == 1, query
    # «ё» and «е» are one letter to the search
    services.create_workshop(
        session=session,
        title="Ёлочные игрушки",
        product="Ёмкости",
        map_version_id=session.get(Workshop, finished).trend_map_version_id,
        settings=services.Settings(),
    )
    assert list_archive(session=session, query=ArchiveQuery(text="елочные")).total == 1
    assert list_archive(session=session, query=ArchiveQuery(text="ЁЛОЧНЫЕ")).total == 1
    assert list_archive(session=session, query=ArchiveQuery(text="нет такого слова")).total == 0


def test_search_wildcards_are_plain_characters(session: Session, finished: int) -> None:
    assert list_archive(session=session, query=ArchiveQuery(text="%")).total == 0
    assert list_archive(session=session, query=ArchiveQuery(text="_")).total == 0


def test_a_change_after_indexing_is_found_at_the_next_list(session: Session, finished: int, engine) -> None:
    built = _build(engine, stop="obstacles_write", people=4, settings=None)
    assert list_archive(session=session, query=ArchiveQuery(text="трамвай")).total == 0
    services.add_note(session=session, participant_id=built.participant_ids[0], text="Трамвай не ходит")
    page = list_archive(session=session, query=ArchiveQuery(text="трамвай"))
    assert _codes(page) == [built.code]
    assert page.rows[0].status == "running"


def test_filters_by_status_department_map_and_date(session: Session, finished: int, engine) -> None:
    lobby = _build(engine, stop="lobby", people=2, settings=None)
    all_codes = set(_codes(list_archive(session=session, query=ArchiveQuery())))
    assert len(all_codes) == 2
    assert _codes(list_archive(session=session, query=ArchiveQuery(status="lobby"))) == [lobby.code]
    # «Сервис» took part only in the finished one (people=6); department matched in any case
    finished_code = session.get(Workshop, finished).code
    assert _codes(list_archive(session=session, query=ArchiveQuery(department="СЕРВИС"))) == [finished_code]
    assert list_archive(session=session, query=ArchiveQuery(map_id="customer-journey-2017")).total == 2
    assert list_archive(session=session, query=ArchiveQuery(map_id="marketing-2017")).total == 0
    today = datetime.now(UTC).date()
    assert list_archive(session=session, query=ArchiveQuery(date_from=today, date_to=today)).total == 2
    assert list_archive(session=session, query=ArchiveQuery(date_to=today - timedelta(days=1))).total == 0
    assert list_archive(session=session, query=ArchiveQuery(date_from=date(2000, 1, 1))).total == 2


def test_sorting_by_any_column_both_ways(session: Session, finished: int, engine) -> None:
    _build(engine, stop="lobby", people=2, settings=None)
    for column in archive.SORT_COLUMNS:
        up = _codes(list_archive(session=session, query=ArchiveQuery(sort=column, descending=False)))
        down = _codes(list_archive(session=session, query=ArchiveQuery(sort=column, descending=True)))
        assert sorted(up) == sorted(down) and len(up) == 2, column
    by_participants = list_archive(session=session, query=ArchiveQuery(sort="participants", descending=False))
    assert [r.participants for r in by_participants.rows] == [2, 6]
    with pytest.raises(ValueError):
        list_archive(session=session, query=ArchiveQuery(sort="search_text; DROP TABLE workshop"))


def test_pages_cover_the_list_without_gaps(session: Session, engine) -> None:
    for _ in range(7):
        _build(engine, stop="lobby", people=1, settings=None)
    seen: list[str] = []
    for page_no in range(4):
        page = list_archive(session=session, query=ArchiveQuery(per_page=3, page=page_no))
        assert page.pages == 3
        if page_no < 3:
            seen += _codes(page)
    assert len(seen) == 7 == len(set(seen))
    # a page past the end shows the last page rather than nothing
    assert _codes(list_archive(session=session, query=ArchiveQuery(per_page=3, page=9))) == seen[6:]


# --------------------------------------------------------------------------- hand-off


def test_handoff_needs_a_finished_workshop(session: Session, engine) -> None:
    running = _build(engine, stop="obstacles_write", people=2, settings=None)
    with pytest.raises(WrongStep):
        handoff.assign(
            session=session, workshop_id=running.workshop_id, name="Ира", email="ira@example.com", by="Юлия"
        )


def test_handoff_follows_the_market_check_and_keeps_its_history(session: Session, finished: int) -> None:
    t0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    h = handoff.assign(
        session=session,
        workshop_id=finished,
        name="Ирина Котова",
        email="irina@example.com",
        role="Аккаунт-менеджер",
        by="Юлия",
        now=t0,
    )
    assert h.status == "new"
    with pytest.raises(TransitionRefused):
        handoff.change_status(session=session, handoff_id=h.id, status="piloted", by="Юлия")
    handoff.change_status(
        session=session,
        handoff_id=h.id,
        status="checking",
        by="Ирина",
        note="Смотрю конкурентов",
        links="https://example.com/market\nhttps://example.com/survey",
        now=t0 + timedelta(days=1),
    )
    handoff.change_status(
        session=session, handoff_id=h.id, status="customers_want", by="Ирина", now=t0 + timedelta(days=5)
    )
    handoff.assign(
        session=session,
        workshop_id=finished,
        name="Олег",
        email="oleg@example.com",
        role="Маркетолог",
        by="Юлия",
        now=t0 + timedelta(days=6),
    )
    h = handoff.change_status(
        session=session, handoff_id=h.id, status="piloted", by="Олег", now=t0 + timedelta(days=30)
    )
    assert h.status == "piloted" and h.assignee_name == "Олег"
    events = handoff.history(session=session, handoff_id=h.id)
    assert [(e.change, e.status, e.by_name) for e in events] == [
        ("assigned", "new", "Юлия"),
        ("status", "checking", "Ирина"),
        ("status", "customers_want", "Ирина"),
        ("reassigned", "customers_want", "Юлия"),
        ("status", "piloted", "Олег"),
    ]
    assert events[1].links.splitlines() == ["https://example.com/market", "https://example.com/survey"]
    assert events[1].note == "Смотрю конкурентов"
    assert "Ирина Котова" in events[3].detail and "Олег" in events[3].detail
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert handoff.allowed_next("piloted") == ()
    # the archive knows the status, and finds the workshop by the assignee and the notes
    assert _codes(list_archive(session=session, query=ArchiveQuery(handoff_status="piloted"))) == [
        session.get(Workshop, finished).code
    ]
    assert list_archive(session=session, query=ArchiveQuery(text="конкурентов")).total == 1


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("email", "not-an-email", "handoff.bad_email"),
        ("email", "", "error.empty"),
        ("name", "   ", "error.empty"),
        ("links", "javascript:alert(1)", "handoff.bad_link"),
        ("links", "ftp://example.com/x", "handoff.bad_link"),
        ("links", "\n".join(f"https://example.com/{i}" for i in range(11)), "handoff.too_many_links"),
        ("note", "x" * 2001, "error.too_long"),
        ("by", "", "error.empty"),
    ],
)
def test_handoff_refuses_bad_input_by_name(session: Session, finished: int, field, value, key) -> None:
    args = {"name": "Ира", "email": "ira@example.com", "by": "Юлия", "note": "", "links": ""}
    args[field] = value
    with pytest.raises(InvalidInput) as refused:
        handoff.assign(session=session, workshop_id=finished, **args)
    assert refused.value.key == key
    assert handoff.handoff_of(session=session, workshop_id=finished) is None


def test_a_note_without_text_or_links_is_refused(session: Session, finished: int) -> None:
    h = handoff.assign(session=session, workshop_id=finished, name="Ира", email="ira@example.com", by="Ю")
    with pytest.raises(InvalidInput):
        handoff.add_note(session=session, handoff_id=h.id, by="Ю", note="  ", links="")
    handoff.add_note(session=session, handoff_id=h.id, by="Ю", note="Звонок клиенту\n\n\n\nдовольны")
    last = handoff.history(session=session, handoff_id=h.id)[-1]
    assert (last.change, last.note) == ("note", "Звонок клиенту\n\nдовольны")


def test_open_handoffs_span_workshops_and_leave_closed_ones_out(session: Session, engine) -> None:
    ids = [_build(engine, stop="finished", people=4, settings=None).workshop_id for _ in range(3)]
    made = [
        handoff.assign(session=session, workshop_id=w, name=f"P{i}", email=f"p{i}@example.com", by="M")
        for i, w in enumerate(ids)
    ]
    handoff.change_status(session=session, handoff_id=made[1].id, status="rejected", by="M")
    handoff.change_status(session=session, handoff_id=made[2].id, status="checking", by="M")
    rows = handoff.open_handoffs(session=session)
    assert {r.handoff.id for r in rows} == {made[0].id, made[2].id}
    assert all(r.innovation for r in rows)
    assert [r.handoff.id for r in handoff.open_handoffs(session=session, status="checking")] == [made[2].id]


# --------------------------------------------------------------------------- read-only links


def test_a_read_only_link_opens_a_finished_workshop_until_revoked(session: Session, finished: int) -> None:
    link, token = sharing.create_link(session=session, workshop_id=finished, by="Юлия")
    assert link.token_hash != token and len(token) >= 32
    assert sharing.workshop_for_token(session=session, token=token).id == finished
    sharing.revoke(session=session, link_id=link.id)
    with pytest.raises(NotFound):
        sharing.workshop_for_token(session=session, token=token)
    for bad in ("", None, "x" * 500, token[:-1]):
        with pytest.raises(NotFound):
            sharing.workshop_for_token(session=session, token=bad)


def test_only_a_finished_workshop_can_be_shared(session: Session, engine) -> None:
    running = _build(engine, stop="presentation", people=2, settings=None)
    with pytest.raises(WrongStep):
        sharing.create_link(session=session, workshop_id=running.workshop_id, by="Юлия")


# --------------------------------------------------------------------------- analytics


def test_similar_obstacles_are_grouped_across_workshops() -> None:
    groups = analytics.group_similar(
        [
            (1, "Дорого для семьи"),
            (2, "Слишком дорого, семья!"),
            (3, "семье дорого"),
            (1, "Долго ждать курьера"),
            (2, "Курьер долго едет"),
            (3, "Нет доверия к свежести"),
        ]
    )
    assert [(g.label, g.workshops, g.notes) for g in groups[:2]] == [
        ("Дорого для семьи", 3, 3),
        ("Курьер долго едет", 2, 2),
    ]
    assert analytics.gist("и, а, но") == frozenset()


def test_analytics_count_what_the_workshops_chose(session: Session, engine) -> None:
    ids = [_build(engine, stop="finished", people=4, settings=None).workshop_id for _ in range(2)]
    _build(engine, stop="lobby", people=2, settings=None)
    h = handoff.assign(session=session, workshop_id=ids[0], name="Ира", email="ira@example.com", by="Ю")
    handoff.change_status(session=session, handoff_id=h.id, status="checking", by="Ю")

    top = analytics.top_trends(session=session)
    assert len(top) == 1 and top[0][1] == 2
    assert analytics.handoff_statuses(session=session) == {"": 1, "checking": 1}
    by_department = {
        name: (people, workshops) for name, people, workshops in analytics.departments(session=session)
    }
    assert by_department["Продажи"] == (3, 3)
    months = analytics.over_time(session=session)
    assert sum(m.workshops for m in months) == 3 and sum(m.finished for m in months) == 2
    assert sum(m.participants for m in months) == 10
    recurring = analytics.recurring_obstacles(session=session)
    assert recurring and all(g.workshops == 2 for g in recurring)


def test_the_index_never_lags_the_events_it_was_built_from(session: Session, finished: int) -> None:
    h = handoff.assign(session=session, workshop_id=finished, name="Ира", email="ira@example.com", by="Ю")
    entry = session.get(ArchiveEntry, finished, populate_existing=True)
    assert entry.handoff_status == "new"
    assert (
        session.exec(select(HandoffEvent).where(HandoffEvent.handoff_id == h.id)).one().change == "assigned"
    )
    assert archive.stale_ids(session) == []


def test_a_quoted_phrase_never_matches_across_two_fields(session: Session, finished: int) -> None:
    version_id = session.get(Workshop, finished).trend_map_version_id
    services.create_workshop(
        session=session,
        title="Сервис без очередей",
        product="Доставка продуктов",
        map_version_id=version_id,
        settings=services.Settings(),
    )
    assert list_archive(session=session, query=ArchiveQuery(text='"без очередей"')).total == 1
    assert list_archive(session=session, query=ArchiveQuery(text='"очередей доставка"')).total == 0
    assert list_archive(session=session, query=ArchiveQuery(text="очередей доставка")).total == 1


def test_similar_obstacles_join_word_forms_a_prefix_would_split() -> None:
    # «цена» / «цены», «высокие» / «высокая», "prices" / "price": one word each to a stemmer.
    groups = analytics.group_similar(
        [
            (1, "Высокие цены"),
            (2, "Высокая цена"),
            (1, "Prices are too high"),
            (2, "The price is high"),
        ]
    )
    assert sorted((g.workshops, g.notes) for g in groups) == [(2, 2), (2, 2)]
    assert analytics.gist("Prices") == analytics.gist("price") == frozenset({"price"})
    assert analytics.gist("семьи") == analytics.gist("семье") == analytics.gist("Семья")
