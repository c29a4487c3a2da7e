"""The room's moments in the rules and the pages: a time of its own for the ideas, no vote on an
empty ballot, "next" waiting for the first note, the cap asked only for dot voting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from tests.pages.test_pages import APP, page
from tests.scenario import build_workshop
from workshop import services
from workshop.db.models import PollOption, Workshop, utcnow
from workshop.maps.store import trends_of
from workshop.rules import steps
from workshop.rules.errors import InvalidInput


def _to_obstacles_without_notes(session: Session, group) -> None:  # type: ignore[no-untyped-def]
    wid = group.workshop.id
    services.advance(session=session, workshop_id=wid)
    ids = [t.id for t in trends_of(session=session, version_id=group.workshop.trend_map_version_id)]
    for pid in group.ids:
        services.set_picks(session=session, participant_id=pid, trend_ids=ids[:4])
    services.advance(session=session, workshop_id=wid)
    poll = services.current_poll(session=session, workshop=session.get(Workshop, wid))
    option = services.options_of(session=session, poll_id=poll.id)[0]
    services.open_poll(session=session, workshop_id=wid, poll_id=poll.id)
    for pid in group.ids:
        services.cast_ballot(session=session, participant_id=pid, poll_id=poll.id, marks={option.id: 1})
    services.close_poll(session=session, workshop_id=wid, poll_id=poll.id)
    services.advance(session=session, workshop_id=wid)


def test_the_obstacles_and_the_ideas_each_have_their_own_time(session: Session, workshop_factory) -> None:
    group = workshop_factory(5, write_minutes=12, ideas_minutes=20)
    _to_obstacles_without_notes(session, group)
    obstacles = session.get(Workshop, group.workshop.id)
    assert obstacles.step == steps.OBSTACLES_WRITE
    left = obstacles.deadline.replace(tzinfo=utcnow().tzinfo) - utcnow()
    assert timedelta(minutes=11) < left <= timedelta(minutes=12)

    services.add_note(session=session, participant_id=group.ids[0], text="Дорого")
    services.advance(session=session, workshop_id=group.workshop.id)
    poll = services.current_poll(session=session, workshop=session.get(Workshop, group.workshop.id))
    services.open_poll(session=session, workshop_id=group.workshop.id, poll_id=poll.id)
    option = services.options_of(session=session, poll_id=poll.id)[0]
    for pid in group.ids:
        services.cast_ballot(session=session, participant_id=pid, poll_id=poll.id, marks={option.id: 1})
    services.close_poll(session=session, workshop_id=group.workshop.id, poll_id=poll.id)
    services.advance(session=session, workshop_id=group.workshop.id)
    ideas = session.get(Workshop, group.workshop.id)

    assert ideas.step == steps.INNOVATIONS_WRITE
    left = ideas.deadline.replace(tzinfo=utcnow().tzinfo) - utcnow()
    assert timedelta(minutes=19) < left <= timedelta(minutes=20)


def test_a_vote_cannot_open_on_an_empty_ballot(session: Session, group) -> None:  # type: ignore[no-untyped-def]
    _to_obstacles_without_notes(session, group)
    services.add_note(session=session, participant_id=group.ids[0], text="Дорого")
    services.advance(session=session, workshop_id=group.workshop.id)
    poll = services.current_poll(session=session, workshop=session.get(Workshop, group.workshop.id))
    for option in session.exec(select(PollOption).where(PollOption.poll_id == poll.id)).all():
        session.delete(option)
    session.commit()

    with pytest.raises(InvalidInput) as refused:
        services.open_poll(session=session, workshop_id=group.workshop.id, poll_id=poll.id)

    assert refused.value.key == "error.empty_ballot"


@pytest.fixture
def db_url(tmp_path, monkeypatch) -> str:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'moments.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    return url


def test_next_waits_for_the_first_note_and_says_why(db_url) -> None:  # type: ignore[no-untyped-def]
    built = build_workshop(db_url, stop="trends_vote_tie", people=6)
    from workshop.db.engine import make_engine

    engine = make_engine(db_url)
    with Session(engine) as session:
        services.decide_tie(
            session=session,
            workshop_id=built.workshop_id,
            poll_id=built.poll_id,
            option_id=built.option_ids[0],
        )
        services.advance(session=session, workshop_id=built.workshop_id)
    engine.dispose()
    at = page("pages/control.py", w=built.code, k=built.key, lang="ru")
    at.run()

    advance = at.button(key="advance")
    assert advance.disabled
    assert any("Стикеров с препятствиями пока нет" in c.value for c in at.caption)


def test_the_cap_per_option_is_asked_only_for_dot_voting(db_url) -> None:  # type: ignore[no-untyped-def]
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["lang"] = "ru"
    at.run()
    assert not [n for n in at.number_input if n.key == "cap_per_option"]

    at.number_input(key="votes_per_person").set_value(3).run()

    assert [n.key for n in at.number_input if n.key == "cap_per_option"] == ["cap_per_option"]
