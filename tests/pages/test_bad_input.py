"""Bad input, table-driven: every case gets a named, translated refusal (or is stored cleaned),
nothing crashes, nothing half-written stays behind."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, func, select
from starlette.applications import Starlette
from streamlit.testing.v1 import AppTest

from tests.scenario import build_workshop
from web import phone
from workshop import services
from workshop.db.engine import make_engine
from workshop.db.models import Ballot, Note, Participant, Pick, Workshop, utcnow
from workshop.i18n import known
from workshop.maps.store import trends_of
from workshop.rules.errors import WorkshopError

APP = str(Path(__file__).resolve().parents[2] / "app.py")

ZERO_WIDTH = "\u200b\u200c\u200d\ufeff"
RTL_OVERRIDE = "\u202e"
HOSTILE_TEXTS = {
    "markdown": "**bold** _it_ [link](http://evil.example) # head",
    "html": "<b>bold</b><img src=x onerror=alert(1)>",
    "script": "<script>alert('x')</script>",
    "sql": "'; DROP TABLE note; --",
    "emoji": "Дорого 💸🙈 и долго ⏳",
    "rtl": "Дорого \u202eогород",
    "braces": "{name} {0} %s %(x)s",
    "newlines": "first line\nsecond line\r\nthird",
}

# (case, text, expected key or None when it is stored cleaned)
NOTE_CASES = [
    ("empty", "", "error.empty"),
    ("spaces", "     ", "error.empty"),
    ("tabs and newlines only", "\t\n\r\n", "error.empty"),
    ("zero-width only", ZERO_WIDTH, "error.empty"),
    ("rtl override only", RTL_OVERRIDE, "error.empty"),
    ("control characters only", "\x00\x01\x07\x1b", "error.empty"),
    ("blank-looking hangul filler", "\u3164\u3164", "error.empty"),
    ("ten thousand characters", "я" * 10_000, "error.too_long"),
    ("201 characters", "x" * 201, "error.too_long"),
    ("not text", 12345, "error.not_text"),
    ("none", None, "error.empty"),
    *[(f"hostile {name}", text, None) for name, text in HOSTILE_TEXTS.items()],
    ("control characters inside", "Дорого\x00\x07 для\x1b семьи", None),
    ("zero-width inside", f"До{ZERO_WIDTH}рого", None),
]


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'bad.db'}"


def refused_key(call: Callable[..., Any], **kwargs: Any) -> str | None:
    try:
        call(**kwargs)
    except WorkshopError as err:
        assert known(err.key), err.key
        return err.key
    return None


@pytest.mark.parametrize(("case", "text", "key"), NOTE_CASES, ids=[c[0] for c in NOTE_CASES])
def test_an_obstacle_note_is_refused_with_a_message_or_stored_clean(db_url, case, text, key) -> None:
    built = build_workshop(db_url, stop="obstacles_write", people=6)
    engine = make_engine(db_url)
    with Session(engine) as session:
        before = session.exec(select(func.count()).select_from(Note)).one()
        got = refused_key(
            services.add_note, session=session, participant_id=built.participant_ids[1], text=text
        )
        session.rollback()
        after = session.exec(select(Note).order_by(Note.id.desc())).first()
        count = session.exec(select(func.count()).select_from(Note)).one()
    engine.dispose()

    assert got == key, case
    if key is None:
        assert count == before + 1
        assert after is not None and len(after.text) <= 200
        assert not any(ch in after.text for ch in ZERO_WIDTH + RTL_OVERRIDE + "\x00\x07\x1b\n\r")
    else:
        assert count == before


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("name", "", "error.empty"),
        ("name", "   ", "error.empty"),
        ("name", "N" * 61, "error.too_long"),
        ("name", ZERO_WIDTH, "error.empty"),
        ("department", "", "error.empty"),
        ("department", "D" * 1000, "error.too_long"),
        ("name", HOSTILE_TEXTS["script"], None),
        ("department", HOSTILE_TEXTS["sql"], None),
    ],
)
def test_joining_with_a_bad_name_or_department(db_url, field, value, key) -> None:
    built = build_workshop(db_url, stop="lobby", people=0)
    fields = {"name": "Анна", "department": "Продажи", field: value}
    engine = make_engine(db_url)
    with Session(engine) as session:
        got = refused_key(services.join, session=session, code=built.code, **fields)
        session.rollback()
        people = session.exec(select(func.count()).select_from(Participant)).one()
    engine.dispose()

    assert got == key
    assert people == (0 if key else 1)


@pytest.mark.parametrize(
    ("title", "product", "key"),
    [
        ("", "Доставка", "error.empty"),
        ("Сессия", "", "error.empty"),
        ("T" * 121, "Доставка", "error.too_long"),
        ("Сессия", "P" * 201, "error.too_long"),
        (HOSTILE_TEXTS["html"], HOSTILE_TEXTS["markdown"], None),
    ],
)
def test_creating_a_workshop_with_bad_title_or_product(db_url, title, product, key) -> None:
    build_workshop(db_url, stop="lobby", people=0)
    engine = make_engine(db_url)
    with Session(engine) as session:
        version_id = session.exec(select(Workshop.trend_map_version_id)).first()
        got = refused_key(
            services.create_workshop,
            session=session,
            title=title,
            product=product,
            map_version_id=version_id,
            settings=services.Settings(),
        )
        session.rollback()
        workshops = session.exec(select(func.count()).select_from(Workshop)).one()
    engine.dispose()

    assert got == key
    assert workshops == (1 if key else 2)


@pytest.mark.parametrize(
    ("case", "key"),
    [
        ("vote after the vote closed", "error.voting_closed"),
        ("vote after the vote time is up", "error.vote_time_up"),
        ("vote for an option of another poll", "ballot.unknown_option"),
        ("vote with no choice", "ballot.empty"),
        ("vote for two options in a single-choice poll", "ballot.single_choice"),
        ("vote in another workshop's poll", "error.poll_not_found"),
    ],
)
def test_bad_ballots_are_refused_and_store_nothing(db_url, case, key) -> None:
    built = build_workshop(db_url, stop="trends_vote_open", people=6)
    other = build_workshop(db_url, stop="trends_vote_open", people=6)
    engine = make_engine(db_url)
    with Session(engine) as session:
        kwargs: dict[str, Any] = {
            "session": session,
            "participant_id": built.participant_ids[0],
            "poll_id": built.poll_id,
            "marks": {built.option_ids[0]: 1},
        }
        if case == "vote after the vote closed":
            services.close_poll(session=session, workshop_id=built.workshop_id, poll_id=built.poll_id)
        elif case == "vote after the vote time is up":
            kwargs["now"] = utcnow() + timedelta(hours=2)
        elif case == "vote for an option of another poll":
            kwargs["marks"] = {other.option_ids[0]: 1}
        elif case == "vote with no choice":
            kwargs["marks"] = {}
        elif case == "vote for two options in a single-choice poll":
            kwargs["marks"] = {built.option_ids[0]: 1, built.option_ids[1]: 1}
        else:
            kwargs["poll_id"] = other.poll_id
        got = refused_key(services.cast_ballot, **kwargs)
        session.rollback()
        ballots = session.exec(select(func.count()).select_from(Ballot)).one()
    engine.dispose()

    assert got == key
    assert ballots == 0


@pytest.mark.parametrize(
    ("case", "key"),
    [
        ("a trend from another map", "error.pick_not_on_map"),
        ("a trend that does not exist", "error.pick_not_on_map"),
        ("a pick after time is up", "error.time_up"),
    ],
)
def test_picks_outside_the_map_or_time_are_refused(db_url, case, key) -> None:
    built = build_workshop(db_url, stop="trends_pick", people=6)
    engine = make_engine(db_url)
    with Session(engine) as session:
        before = session.exec(select(func.count()).select_from(Pick)).one()
        workshop = session.get(Workshop, built.workshop_id)
        own = {t.id for t in trends_of(session=session, version_id=workshop.trend_map_version_id)}
        foreign = next(t for t in range(1, 500) if t not in own)
        kwargs: dict[str, Any] = {
            "session": session,
            "participant_id": built.participant_ids[0],
            "picked": True,
        }
        if case == "a trend from another map":
            kwargs["trend_id"] = foreign
        elif case == "a trend that does not exist":
            kwargs["trend_id"] = 10_000_000
        else:
            kwargs["trend_id"] = sorted(own)[-1]
            kwargs["now"] = utcnow() + timedelta(hours=2)
        got = refused_key(services.toggle_pick, **kwargs)
        session.rollback()
        after = session.exec(select(func.count()).select_from(Pick)).one()
    engine.dispose()

    assert got == key
    assert after == before


@pytest.mark.parametrize(
    "token", ["", "x", "forged-" + "a" * 30, "A" * 5000, "' OR 1=1 --", "../../etc/passwd", "\x00\x01"]
)
def test_a_forged_participant_token_is_nobody(db_url, token) -> None:
    build_workshop(db_url, stop="lobby", people=2)
    engine = make_engine(db_url)
    with Session(engine) as session:
        person = services.participant_by_token(session=session, token=token)
    engine.dispose()

    assert person is None


def test_another_workshops_participant_cannot_vote_here(db_url) -> None:
    built = build_workshop(db_url, stop="trends_vote_open", people=6)
    stranger = build_workshop(db_url, stop="trends_vote_open", people=6)
    engine = make_engine(db_url)
    with Session(engine) as session:
        got = refused_key(
            services.cast_ballot,
            session=session,
            participant_id=stranger.participant_ids[0],
            poll_id=built.poll_id,
            marks={built.option_ids[0]: 1},
        )
    engine.dispose()

    assert got == "error.poll_not_found"


def test_the_start_page_stops_a_code_guesser_with_a_message(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'guess.db'}")
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["lang"] = "ru"
    at.run()

    for guess in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD", "EEEEEE", "FFFFFF"):
        at.text_input(key="join_code").input(guess)
        at.button(key="FormSubmitter:join_form-Войти").click().run()

    assert not at.exception
    assert any("Слишком много неверных кодов" in e.value for e in at.error), [e.value for e in at.error]


def _start_page_guess(code: str) -> AppTest:
    """One try of a code on the start page, from a browser tab of its own (a new session)."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["lang"] = "ru"
    at.run()
    at.text_input(key="join_code").input(code)
    at.button(key="FormSubmitter:join_form-Войти").click().run()
    return at


def test_a_new_tab_does_not_reset_the_guessing_limit_and_the_real_code_then_waits_too(
    tmp_path, monkeypatch
) -> None:
    url = f"sqlite:///{tmp_path / 'guess.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    real = build_workshop(url, stop="lobby", people=1)
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD", "EEEEEE"):
        assert any("не найдена" in e.value for e in _start_page_guess(guess).error)

    after = _start_page_guess(real.code)
    # The phone's join page, from the same unseen address (a client on this machine).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Starlette's test client would rather have its httpx fork
        from starlette.testclient import TestClient
    joined = TestClient(Starlette(routes=phone.ROUTES), client=("127.0.0.1", 50000)).get(
        f"/join?code={real.code}&lang=ru"
    )
    room = AppTest.from_file(APP, default_timeout=30)
    room.query_params.update({"w": real.code, "r": real.room, "lang": "ru"})
    room.switch_page("pages/projector.py")
    room.run()

    assert any("Слишком много неверных кодов" in e.value for e in after.error)
    assert joined.status_code == 429 and "Слишком много неверных кодов" in joined.text
    assert not any("Слишком много" in e.value for e in room.error)  # the room's own key is no guess
