"""The managers' pages under AppTest: the password gate, the archive, the record with its
hand-off and links, the read-only link page."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tests.pages.test_pages import page, texts
from tests.scenario import build_workshop
from workshop.db.engine import make_engine
from workshop.db.models import Handoff, HandoffEvent, ShareLink, Workshop
from workshop.managers import handoff, sharing
from workshop.services import Settings

PASSWORD = "correct horse battery staple"


@pytest.fixture
def db_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'managers.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("MANAGER_PASSWORD", PASSWORD)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    return url


def signed_in(path: str, **params: str):  # type: ignore[no-untyped-def]
    at = page(path, **params)
    at.session_state["manager_name"] = "Марина"
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_archive_needs_the_password(db_url) -> None:
    build_workshop(db_url, stop="finished")
    at = page("pages/manage.py", lang="ru")
    at.run()
    assert "Инновации в доставке" not in texts(at)
    at.text_input(key="sign_in_name").input("Марина")
    at.text_input(key="sign_in_password").input("wrong")
    at.button[0].click().run()
    assert "Пароль неверный" in texts(at)
    assert not at.dataframe

    at.text_input(key="sign_in_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["manager_name"] == "Марина"
    assert "Марина" in texts(at)
    table = at.dataframe[0].value
    assert list(table["Название"]) == ["Инновации в доставке"]


def test_wrong_passwords_from_new_tabs_are_slowed_down_all_the_same(db_url) -> None:
    for _ in range(5):
        at = page("pages/manage.py", lang="en")
        at.run()
        at.text_input(key="sign_in_name").input("M")
        at.text_input(key="sign_in_password").input("guess")
        at.button[0].click().run()

    fresh = page("pages/manage.py", lang="en")
    fresh.run()

    assert "Too many wrong attempts" in texts(fresh)
    assert not fresh.text_input


def test_wrong_passwords_are_slowed_down(db_url) -> None:
    at = page("pages/manage.py", lang="en")
    at.run()
    for _ in range(5):
        at.text_input(key="sign_in_name").input("M")
        at.text_input(key="sign_in_password").input("guess")
        at.button[0].click().run()
    at.run()
    assert "Too many wrong attempts" in texts(at)
    assert not at.text_input


def test_without_a_configured_password_the_area_stays_locked(db_url, monkeypatch) -> None:
    monkeypatch.delenv("MANAGER_PASSWORD")
    at = page("pages/manage.py", lang="en")
    at.run()
    assert "MANAGER_PASSWORD" in texts(at)
    assert not at.text_input


def test_archive_search_and_filters_narrow_the_list(db_url) -> None:
    build_workshop(db_url, stop="finished")
    build_workshop(db_url, stop="lobby", people=2)
    at = signed_in("pages/manage.py", lang="ru")
    assert len(at.dataframe[0].value) == 2
    at.text_input(key="archive_text").input("СЕМЕЙНАЯ подписка").run()
    assert len(at.dataframe[0].value) == 1
    at.text_input(key="archive_text").input("").run()
    at.selectbox(key="archive_status").set_value("lobby").run()
    assert list(at.dataframe[0].value["Участников"]) == [2]
    at.selectbox(key="archive_status").set_value("").run()
    at.selectbox(key="archive_sort").set_value("participants").run()
    at.toggle(key="archive_desc").set_value(False).run()
    assert list(at.dataframe[0].value["Участников"]) == [2, 6]
    at.text_input(key="archive_text").input("нет такого").run()
    assert "Ничего не найдено" in texts(at)


def test_analytics_and_handoffs_tabs_draw_from_real_workshops(db_url) -> None:
    built = build_workshop(db_url, stop="finished")
    build_workshop(db_url, stop="finished")  # obstacles recur only across two workshops or more
    with Session(make_engine(db_url)) as session:
        made = handoff.assign(
            session=session, workshop_id=built.workshop_id, name="Ира", email="ira@example.com", by="Марина"
        )
        handoff.change_status(session=session, handoff_id=made.id, status="checking", by="Ира")
    # Russian: AppTest formats radio options outside the page run, where the language is Russian
    at = signed_in("pages/manage.py", lang="ru")
    assert not at.get("plotly_chart")  # one section at a time: the archive draws no charts
    at.radio(key="manage_section").set_value("handoffs").run()
    handoffs = at.dataframe[0].value
    assert list(handoffs["Кому передано"]) == ["Ира"]
    assert list(handoffs["Статус"]) == ["Проверка рынка"]
    at.radio(key="manage_section").set_value("analytics").run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 5


def test_record_page_hands_the_idea_off_and_keeps_the_history(db_url) -> None:
    built = build_workshop(db_url, stop="finished")
    # Russian: AppTest formats radio options outside the page run, where the language is Russian
    at = signed_in("pages/record.py", w=built.code, lang="ru")
    at.text_input(key="ho_name").input("Ирина Котова")
    at.text_input(key="ho_email").input("not an email")
    at.text_input(key="ho_role").input("Аккаунт-менеджер")
    at.button(key="FormSubmitter:handoff_assign-Передать").click().run()
    assert "Проверьте e-mail" in texts(at)
    with Session(make_engine(db_url)) as session:
        assert session.exec(select(Handoff)).first() is None

    at.text_input(key="ho_email").input("irina@example.com")
    at.button(key="FormSubmitter:handoff_assign-Передать").click().run()
    assert not at.exception
    at.radio(key="ho_target").set_value("checking")
    at.text_area(key="ho_status_links").input("https://example.com/market-check")
    at.button(key="FormSubmitter:handoff_status-Сменить статус").click().run()
    assert not at.exception
    with Session(make_engine(db_url)) as session:
        h = session.exec(select(Handoff)).one()
        events = session.exec(select(HandoffEvent).order_by(HandoffEvent.id)).all()
    assert h.status == "checking"
    assert [(e.change, e.by_name) for e in events] == [("assigned", "Марина"), ("status", "Марина")]
    assert events[1].links == "https://example.com/market-check"


def test_a_read_only_link_shows_the_presentation_until_revoked(db_url) -> None:
    built = build_workshop(db_url, stop="finished")
    at = signed_in("pages/record.py", w=built.code, lang="ru")
    at.button(key="share_create").click().run()
    assert not at.exception
    url = at.code[0].value
    token = url.split("t=", 1)[1]

    viewer = page("pages/shared.py", t=token, lang="ru")
    viewer.run()
    assert not viewer.exception
    assert "Инновации в доставке" in str(viewer.get("html")[0].proto) or any(
        "Инновации в доставке" in str(h.proto) for h in viewer.get("html")
    )
    assert "отозвали" not in texts(viewer)

    with Session(make_engine(db_url)) as session:
        link = session.exec(select(ShareLink)).one()
        sharing.revoke(session=session, link_id=link.id)
    viewer = page("pages/shared.py", t=token, lang="ru")
    viewer.run()
    assert "отозвали" in texts(viewer)
    assert not any("Инновации в доставке" in str(h.proto) for h in viewer.get("html"))


def test_a_running_workshop_cannot_be_shared_or_handed_off(db_url) -> None:
    built = build_workshop(db_url, stop="obstacles_write")
    at = signed_in("pages/record.py", w=built.code, lang="en")
    assert "once the workshop has finished" in texts(at)
    assert not [b for b in at.button if b.key == "share_create"]
    with Session(make_engine(db_url)) as session:
        assert session.get(Workshop, built.workshop_id).step == "obstacles_write"


def test_an_unknown_workshop_record_says_so(db_url) -> None:
    at = signed_in("pages/record.py", w="NOPE42", lang="en")
    assert "There is no such workshop" in texts(at)


def test_the_record_shows_what_earlier_workshops_made_of_the_same_idea_as_text(db_url) -> None:
    earlier = build_workshop(db_url, stop="finished")
    hostile = "<b>нет</b> **спроса** [ссылка](http://e.vil)"
    with Session(make_engine(db_url)) as session:
        workshop = session.get(Workshop, earlier.workshop_id)
        assert workshop is not None
        h = handoff.assign(
            session=session, workshop_id=workshop.id, name="Ирина", email="irina@example.com", by="Юлия"
        )
        handoff.change_status(session=session, handoff_id=h.id, status="checking", by="Ирина")
        handoff.change_status(session=session, handoff_id=h.id, status="rejected", by="Ирина", note=hostile)
    now = build_workshop(db_url, stop="finished")

    at = signed_in("pages/record.py", w=now.code, lang="ru")

    shown = [e.value for e in at.text]
    assert f"— {hostile}" in shown  # the hand-off's note, as typed: no bold, no link
    assert any(line.endswith(" · Отклонена") for line in shown), shown
    assert not any(hostile in str(m.value) for m in at.markdown)
    titles = [e.label for e in at.expander]
    assert any(title.startswith("Похожие идеи прошлых воркшопов: 1") for title in titles), titles


def test_a_manager_finds_an_innovation_day_with_its_groups_and_its_exports(db_url) -> None:
    from workshop.db.engine import create_tables
    from workshop.maps.store import install_builtin_maps, latest_versions
    from workshop.services import create_day

    engine = make_engine(db_url)
    create_tables(engine)
    with Session(engine) as session:
        install_builtin_maps(session=session)
        version = latest_versions(session=session)[0][1].id
        create_day(
            session=session,
            title="День инноваций",
            product="Доставка",
            held_on="2026-12-03",
            map_version_id=version,
            settings=Settings(),
            groups=2,
        )
    engine.dispose()
    at = signed_in("pages/manage.py")
    at.radio(key="manage_section").set_value("days").run()

    assert not at.exception
    shown = "\n".join(str(x.value) for x in at.text)
    assert "День инноваций — группа 1" in shown and "День инноваций — группа 2" in shown
    assert len(at.get("download_button")) == 3  # the day's PDF, workbook and JSON file
