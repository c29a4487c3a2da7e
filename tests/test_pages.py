"""Every page under Streamlit's AppTest: renders without an exception at every step, and the
page-level rules hold (access, identity, language)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from tests.scenario import STOPS, ballot_marks, build_workshop
from workshop.db import make_engine
from workshop.models import Participant, Workshop
from workshop.services import Settings

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def db_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'pages.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    return url


def page(path: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page(path)
    return at


def texts(at: AppTest) -> str:
    parts = [
        e.value
        for kind in (
            "markdown",
            "caption",
            "title",
            "header",
            "subheader",
            "error",
            "warning",
            "success",
            "info",
        )
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def test_start_page_creates_a_workshop_and_opens_the_facilitators_screen(db_url) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["lang"] = "ru"
    at.run()
    assert not at.exception
    at.text_input(key="ws_title").input("Инновации в доставке")
    at.text_input(key="ws_product").input("Доставка за 2 часа")
    at.button(key="FormSubmitter:create_form-Создать сессию").click().run()

    assert not at.exception
    with Session(make_engine(db_url)) as session:
        workshop = session.exec(select(Workshop)).one()
    assert at.query_params["w"] == [workshop.code] or at.query_params["w"] == workshop.code
    assert any(b.label == "Начать: выбор трендов" for b in at.button)


def test_start_page_refuses_a_workshop_without_a_title_and_keeps_the_form(db_url) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["lang"] = "ru"
    at.run()
    at.text_input(key="ws_product").input("Доставка")
    at.button(key="FormSubmitter:create_form-Создать сессию").click().run()

    assert not at.exception
    assert "Заполните поле «Название»" in texts(at)
    assert at.text_input(key="ws_product").value == "Доставка"
    with Session(make_engine(db_url)) as session:
        assert session.exec(select(Workshop)).first() is None


def test_join_page_makes_a_participant_and_moves_the_phone_to_its_token_link(db_url) -> None:
    built = build_workshop(db_url, stop="lobby", people=0)
    at = page("pages/join.py", code=built.code, lang="ru")
    at.run()
    at.text_input(key="join_name").input("Анна")
    at.text_input(key="join_department").input("Продажи")
    at.button(key="FormSubmitter:join_form-Войти").click().run()

    assert not at.exception
    assert "Вы в сессии, Анна!" in texts(at)
    with Session(make_engine(db_url)) as session:
        people = session.exec(select(Participant)).all()
    assert [(p.name, p.department) for p in people] == [("Анна", "Продажи")]


def test_join_page_with_an_unknown_code_says_so(db_url) -> None:
    at = page("pages/join.py", code="ZZZZZZ", lang="ru")
    at.run()
    assert not at.exception
    assert "Сессия с таким кодом не найдена." in texts(at)


def test_a_reloaded_phone_is_the_same_participant(db_url) -> None:
    built = build_workshop(db_url, stop="lobby", people=2)
    first = page("pages/phone.py", p=built.tokens[1], lang="ru")
    first.run()
    again = page("pages/phone.py", p=built.tokens[1], lang="ru")
    again.run()

    assert "Вы в сессии, Борис!" in texts(first)
    assert "Вы в сессии, Борис!" in texts(again)
    with Session(make_engine(db_url)) as session:
        assert len(session.exec(select(Participant)).all()) == 2


def test_a_forged_token_opens_no_phone(db_url) -> None:
    build_workshop(db_url, stop="lobby", people=1)
    at = page("pages/phone.py", p="forged-token-" + "x" * 20, lang="ru")
    at.run()
    assert not at.exception
    assert "Эта ссылка участника не найдена" in texts(at)


@pytest.mark.parametrize("key", [None, "", "wrong-key-" + "y" * 24])
def test_control_page_needs_the_facilitator_key(db_url, key) -> None:
    built = build_workshop(db_url, stop="lobby", people=1)
    params = {"w": built.code, "lang": "ru"}
    if key is not None:
        params["k"] = key
    at = page("pages/control.py", **params)
    at.run()

    assert not at.exception
    assert "Нет доступа" in texts(at)
    assert not any(b.label == "Начать: выбор трендов" for b in at.button)


def test_another_workshops_key_opens_no_controls(db_url) -> None:
    first = build_workshop(db_url, stop="lobby", people=1)
    second = build_workshop(db_url, stop="lobby", people=1)
    at = page("pages/control.py", w=first.code, k=second.key, lang="ru")
    at.run()
    assert "Нет доступа" in texts(at)


def test_projector_with_a_wrong_key_shows_the_room_view_without_controls(db_url) -> None:
    built = build_workshop(db_url, stop="lobby", people=1)
    at = page("pages/projector.py", w=built.code, r=built.room, k="guessed", lang="ru")
    at.run()
    assert not at.exception
    assert "Нет доступа" in texts(at)
    assert not at.sidebar.button


@pytest.mark.parametrize(
    "params",
    [
        {},  # the join code alone
        {"r": "guessed"},
        {"k": "guessed"},
        {"r": "", "controls": "0"},
    ],
)
def test_a_known_code_without_the_rooms_key_opens_nothing_just_like_an_unknown_code(db_url, params) -> None:
    built = build_workshop(db_url, stop="obstacles_write", people=2)
    known = page("pages/projector.py", w=built.code, lang="ru", **params)
    known.run()
    unknown = page("pages/projector.py", w="ZZZZZZ", lang="ru", **params)
    unknown.run()

    assert not known.exception and not unknown.exception
    assert texts(known) == texts(unknown)
    assert "не открывает экран сессии" in texts(known)
    assert "Дорого" not in texts(known) and not known.sidebar.button


@pytest.mark.parametrize("stop", STOPS)
def test_every_page_renders_at_every_step(db_url, stop) -> None:
    built = build_workshop(db_url, stop=stop, people=6)
    views = [
        page("pages/projector.py", w=built.code, r=built.room, lang="ru"),
        page("pages/projector.py", w=built.code, k=built.key, lang="en"),
        page("pages/control.py", w=built.code, k=built.key, lang="ru"),
        page("pages/phone.py", p=built.tokens[0], lang="ru"),
        page("pages/phone.py", p=built.tokens[5], lang="en"),
    ]
    for at in views:
        at.run()
        assert not at.exception, (stop, at.exception)


def test_english_phone_speaks_english(db_url) -> None:
    built = build_workshop(db_url, stop="lobby", people=1)
    at = page("pages/phone.py", p=built.tokens[0], lang="en")
    at.run()
    assert "You are in, Анна!" in texts(at)


def test_a_vote_cast_on_the_phone_is_counted_once_and_can_be_changed(db_url) -> None:
    built = build_workshop(db_url, stop="trends_vote_open", people=6)
    at = page("pages/phone.py", p=built.tokens[0], lang="ru")
    at.run()
    first, second = built.option_ids[:2]

    at.radio[0].set_value(first)
    at.button(key=f"vote_{built.poll_id}").click().run()
    at.radio[0].set_value(second)
    at.button(key=f"vote_{built.poll_id}").click().run()

    assert not at.exception
    assert "Голос принят" in texts(at)
    with Session(make_engine(db_url)) as session:
        marks = ballot_marks(session, built.poll_id)
    assert marks == {second: 1}


def test_a_note_written_after_time_is_up_is_refused_and_the_text_stays(db_url) -> None:
    built = build_workshop(db_url, stop="obstacles_write_time_up", people=6)
    at = page("pages/phone.py", p=built.tokens[0], lang="ru")
    at.run()
    at.text_area(key="note_obstacle").input("Поздняя мысль")
    at.button(key="FormSubmitter:form_obstacle-Отправить").click().run()

    assert not at.exception
    assert "Время вышло" in texts(at)
    assert at.text_area(key="note_obstacle").value == "Поздняя мысль"


def test_dot_voting_on_the_phone_spreads_dots_within_the_cap(db_url) -> None:
    built = build_workshop(
        db_url,
        stop="trends_vote_open",
        people=6,
        settings=Settings(votes_per_person=3, cap_per_option=2),
    )
    at = page("pages/phone.py", p=built.tokens[0], lang="ru")
    at.run()
    first, second = built.option_ids[:2]

    at.number_input(key=f"dots_{built.poll_id}_{first}").set_value(2)
    at.number_input(key=f"dots_{built.poll_id}_{second}").set_value(1)
    at.button(key=f"vote_{built.poll_id}").click().run()

    assert not at.exception
    with Session(make_engine(db_url)) as session:
        assert ballot_marks(session, built.poll_id) == {first: 2, second: 1}


def test_dot_voting_over_the_total_is_refused_with_a_message(db_url) -> None:
    built = build_workshop(
        db_url,
        stop="trends_vote_open",
        people=6,
        settings=Settings(votes_per_person=3, cap_per_option=2),
    )
    at = page("pages/phone.py", p=built.tokens[0], lang="ru")
    at.run()
    for option_id in built.option_ids[:3]:
        at.number_input(key=f"dots_{built.poll_id}_{option_id}").set_value(2)
    at.button(key=f"vote_{built.poll_id}").click().run()

    assert "Не больше 3 голосов всего." in texts(at)
    with Session(make_engine(db_url)) as session:
        assert ballot_marks(session, built.poll_id) == {}


def test_participant_text_in_messages_and_headers_is_shown_literally(db_url) -> None:
    built = build_workshop(db_url, stop="lobby", people=0)
    with Session(make_engine(db_url)) as session:
        from workshop import services

        _person, token = services.join(
            session=session, code=built.code, name="**Жирный** [ссылка](http://e.vil)", department="ИТ"
        )
    at = page("pages/phone.py", p=token, lang="ru")
    at.run()

    greeting = at.success[0].value
    assert "\\*\\*Жирный\\*\\*" in greeting
    assert "\\[ссылка\\]\\(http\\:\u200b\\/\\/e\\.vil\\)" in greeting


def test_maps_page_shows_every_built_in_map_with_its_trends(db_url) -> None:
    build_workshop(db_url, stop="lobby", people=0)
    with Session(make_engine(db_url)) as session:
        from workshop.trend_maps import latest_versions

        map_ids = [m.id for m, _v in latest_versions(session=session)]
    at = page("pages/maps.py", lang="ru")
    at.run()

    assert len(map_ids) == 5
    for map_id in map_ids:
        at.selectbox(key="map_choice").set_value(map_id).run()
        assert not at.exception, map_id
        assert at.selectbox(key="edit_code").options, map_id
    assert "Изменить тренд" in texts(at)
