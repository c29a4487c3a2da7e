"""Every Streamlit page under AppTest: renders without an exception at every step, and the
page-level rules hold (access, language). The phone's light pages are tested on their routes
(tests/web/test_phone_routes.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from tests.scenario import STOPS, build_workshop
from workshop.db.engine import make_engine
from workshop.db.models import Workshop
from workshop.i18n import t

APP = str(Path(__file__).resolve().parents[2] / "app.py")


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
    ]
    for at in views:
        at.run()
        assert not at.exception, (stop, at.exception)


def test_maps_page_shows_every_built_in_map_with_its_trends(db_url) -> None:
    build_workshop(db_url, stop="lobby", people=0)
    with Session(make_engine(db_url)) as session:
        from workshop.maps.store import latest_versions

        map_ids = [m.id for m, _v in latest_versions(session=session)]
    at = page("pages/maps.py", lang="ru")
    at.run()

    assert len(map_ids) == 5
    for map_id in map_ids:
        at.selectbox(key="map_choice").set_value(map_id).run()
        assert not at.exception, map_id
        assert at.selectbox(key="edit_code").options, map_id
    assert "Изменить тренд" in texts(at)


def test_the_next_steps_button_waits_with_the_reason_the_rules_give(db_url) -> None:
    empty = build_workshop(db_url, stop="lobby", people=0)
    at = page("pages/control.py", w=empty.code, k=empty.key, lang="ru")
    at.run()
    start = next(b for b in at.button if b.label == t("ctl.start", "ru"))
    assert start.disabled
    assert t("refuse.nobody_joined", "ru") in [c.value for c in at.caption]

    joined = build_workshop(db_url, stop="lobby", people=1)
    at = page("pages/control.py", w=joined.code, k=joined.key, lang="ru")
    at.run()
    start = next(b for b in at.button if b.label == t("ctl.start", "ru"))
    assert not start.disabled
    assert t("refuse.nobody_joined", "ru") not in [c.value for c in at.caption]
