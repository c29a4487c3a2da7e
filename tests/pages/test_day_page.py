"""The innovation day's page under AppTest: the organizer creates a day with its groups in one go,
bad input gets its message with nothing made, the organizer's screen shows every group and
moves them all, and a wrong key sees nothing of the day."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from tests.pages.test_pages import APP, texts
from workshop import services
from workshop.db.engine import create_tables, make_engine
from workshop.db.models import InnovationDay, Workshop
from workshop.i18n import t
from workshop.maps.store import install_builtin_maps, latest_versions

CREATE = "FormSubmitter:day_form-" + t("day.create_button", "ru")


@pytest.fixture
def db_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'day.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    return url


def day_page(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["lang"] = "ru"
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page("pages/day.py")
    return at


def cards(at: AppTest) -> str:
    """What the groups' cards say (escaped HTML in ``st.html``)."""
    return "\n".join(h.proto.body for h in at.get("html") if "group-card" in h.proto.body)


def a_day(db_url: str, groups: int = 3) -> tuple[str, str, list[str]]:
    engine = make_engine(db_url)
    create_tables(engine)
    with Session(engine) as session:
        install_builtin_maps(session=session)
        version = latest_versions(session=session)[0][1].id
        day, key = services.create_day(
            session=session,
            title="День инноваций",
            product="Доставка",
            held_on="2026-12-03",
            map_version_id=version,
            settings=services.Settings(),
            groups=groups,
        )
        codes = [g.code for g in services.groups_of(session=session, day_id=day.id)]
        for code in codes[:2]:
            for i in range(5):
                services.join(session=session, code=code, name=f"Участник {i}", department="ИТ")
        result = day.code, key, codes
    engine.dispose()
    return result


def test_the_organizer_creates_a_day_with_its_groups_in_one_go(db_url) -> None:
    at = day_page()
    at.run()
    assert not at.exception
    at.text_input(key="day_title").input("День инноваций в доставке")
    at.text_input(key="day_product").input("Доставка продуктов")
    at.number_input(key="day_groups").set_value(4)
    at.button(key=CREATE).click().run()

    assert not at.exception
    engine = make_engine(db_url)
    with Session(engine) as session:
        day = session.exec(select(InnovationDay)).one()
        groups = session.exec(select(Workshop).where(Workshop.day_id == day.id)).all()
    engine.dispose()
    assert len(groups) == 4
    assert day.title == "День инноваций в доставке"
    assert [s.value for s in at.subheader] == [t("day.group", "ru", n=n) for n in range(1, 5)]


@pytest.mark.parametrize(
    ("title", "product", "message"),
    [
        ("", "Доставка", "Заполните поле «Название»"),
        ("День", "", "Заполните поле «Продукт"),
        ("Д" * 101, "Доставка", "«Название» длиннее 100"),
    ],
)
def test_a_day_with_bad_input_is_refused_with_a_message_and_nothing_made(
    db_url, title, product, message
) -> None:
    at = day_page()
    at.run()
    at.text_input(key="day_title").input(title)
    at.text_input(key="day_product").input(product)
    at.button(key=CREATE).click().run()

    assert not at.exception
    assert message in texts(at)
    engine = make_engine(db_url)
    with Session(engine) as session:
        assert session.exec(select(InnovationDay)).all() == []
    engine.dispose()


def test_the_organizers_screen_shows_every_group_and_starts_them_all(db_url) -> None:
    code, key, _codes = a_day(db_url)
    at = day_page(d=code, k=key)
    at.run()
    assert not at.exception
    assert [s.value for s in at.subheader] == [t("day.group", "ru", n=n) for n in (1, 2, 3)]
    shown = cards(at)
    assert shown.count(t("day.people", "ru", n=5)) == 2
    assert t("day.people", "ru", n=0) in shown

    next(b for b in at.button if b.label == t("day.start", "ru")).click().run()

    assert not at.exception
    said = texts(at).replace("\\", "")  # as the Markdown reads, its escapes aside
    assert t("day.moved", "ru", groups="1, 2") in said
    assert "группа 3 — " + t("refuse.nobody_joined", "ru") in said  # nobody in its room yet: named, not moved
    assert cards(at).count(t("step.trends_pick", "ru")) == 2


def test_a_wrong_organizer_key_sees_nothing_of_the_day(db_url) -> None:
    code, _key, _codes = a_day(db_url)
    at = day_page(d=code, k="not-the-key-" * 3)
    at.run()
    assert not at.exception
    assert t("error.access_denied", "ru") in texts(at)
    assert at.subheader == [] or all("Группа" not in s.value for s in at.subheader)
