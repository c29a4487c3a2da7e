"""Trend maps: the built-in files are valid, problems are reported, versions are frozen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session, select

from workshop import services
from workshop.db.models import Trend, TrendMap, TrendMapVersion
from workshop.maps.store import (
    BUILTIN_DIR,
    MapProblem,
    install_builtin_maps,
    latest_versions,
    load_builtin_maps,
    save_map,
    trends_of,
    validate_map,
)
from workshop.rules.errors import InvalidInput

BUILTIN_FILES = sorted(BUILTIN_DIR.glob("*.json"))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def small_map(**changes: object) -> dict:
    data = {
        "id": "test-map",
        "title": {"ru": "Тестовая карта", "en": "Test map"},
        "description": {"ru": "Для тестов", "en": "For tests"},
        "source": "The test suite",
        "year": 2024,
        "categories": [
            {"id": "a", "title": {"ru": "Раздел А", "en": "Section A"}},
            {"id": "b", "title": {"ru": "Раздел Б", "en": "Section B"}},
        ],
        "trends": [
            {
                "code": "T1",
                "category": "a",
                "title": {"ru": "Первый", "en": "First"},
                "description": {"ru": "Один", "en": "One"},
            },
            {
                "code": "T2",
                "category": "a",
                "title": {"ru": "Второй", "en": "Second"},
                "description": {"ru": "Два", "en": "Two"},
            },
            {
                "code": "T3",
                "category": "b",
                "title": {"ru": "Третий", "en": "Third"},
                "description": {"ru": "Три", "en": "Three"},
            },
        ],
    }
    data.update(changes)
    return data


def snapshot(trends: list[Trend]) -> list[tuple]:
    return [(t.id, t.code, t.position, t.category, t.title_ru, t.title_en, t.description_en) for t in trends]


# --------------------------------------------------------------------------- built-in files


def test_there_are_built_in_maps() -> None:
    assert len(BUILTIN_FILES) >= 1


@pytest.mark.parametrize("path", BUILTIN_FILES, ids=lambda p: p.name)
def test_every_built_in_map_is_valid(path: Path) -> None:
    data = load(path)
    assert validate_map(data) == []


@pytest.mark.parametrize("path", BUILTIN_FILES, ids=lambda p: p.name)
def test_every_built_in_map_works_with_the_default_settings(path: Path) -> None:
    trends = load(path)["trends"]
    assert services.Settings().validated(trend_count=len(trends)) == services.Settings()


def test_built_in_map_ids_are_unique() -> None:
    ids = [load(path)["id"] for path in BUILTIN_FILES]
    assert len(set(ids)) == len(ids)
    assert [m["id"] for m in load_builtin_maps()] == ids


# --------------------------------------------------------------------------- problems


def test_a_small_valid_map_has_no_problems() -> None:
    assert validate_map(small_map()) == []


@pytest.mark.parametrize("data", [None, [], "map", 42, [small_map()]], ids=repr)
def test_non_object_input_is_one_problem(data: object) -> None:
    assert validate_map(data) == [MapProblem("map", "must be a JSON object")]


def test_duplicate_codes_are_reported() -> None:
    data = small_map()
    data["trends"][2]["code"] = "T1"
    assert validate_map(data) == [MapProblem("trends[3]", "code 'T1' is used twice")]


def test_unknown_category_is_reported() -> None:
    data = small_map()
    data["trends"][1]["category"] = "nowhere"
    assert validate_map(data) == [MapProblem("trends[2]", "category 'nowhere' is not defined")]


def test_a_category_without_trends_is_reported() -> None:
    data = small_map()
    data["categories"].append({"id": "c", "title": {"ru": "Пусто", "en": "Empty"}})
    assert validate_map(data) == [MapProblem("categories", "'c' has no trends")]


@pytest.mark.parametrize(
    ("path", "where"),
    [
        (("title", "en"), "title.en"),
        (("description", "ru"), "description.ru"),
        (("categories", 1, "title", "ru"), "categories[2].title.ru"),
        (("trends", 0, "title", "en"), "trends[1].title.en"),
        (("trends", 2, "description", "ru"), "trends[3].description.ru"),
    ],
)
def test_a_missing_language_is_reported(path: tuple, where: str) -> None:
    data = small_map()
    node = data
    for step in path[:-1]:
        node = node[step]
    del node[path[-1]]
    assert validate_map(data) == [MapProblem(where, "is missing or empty")]


def test_an_empty_translation_is_reported_like_a_missing_one() -> None:
    data = small_map()
    data["trends"][0]["title"]["ru"] = "   "
    assert validate_map(data) == [MapProblem("trends[1].title.ru", "is missing or empty")]


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"id": "Not A Slug"}, "id"),
        ({"source": ""}, "source"),
        ({"year": "2017"}, "year"),
        ({"categories": []}, "categories"),
        ({"title": "just text"}, "title"),
    ],
)
def test_other_fields_are_checked(changes: dict, where: str) -> None:
    problems = validate_map(small_map(**changes))
    assert where in [p.where for p in problems]


def test_a_map_without_trends_is_reported() -> None:
    problems = validate_map(small_map(trends=[]))
    assert problems[-1] == MapProblem("trends", "must be a non-empty list")


def test_an_invalid_map_is_not_saved(session: Session) -> None:
    data = small_map()
    data["trends"][1]["code"] = "T1"
    with pytest.raises(InvalidInput) as err:
        save_map(session=session, data=data)
    session.rollback()
    assert err.value.key == "error.map_invalid"
    assert "used twice" in err.value.args_dict["problems"]
    assert session.get(TrendMap, "test-map") is None


def test_an_invalid_built_in_file_stops_the_install(session: Session, tmp_path: Path) -> None:
    data = small_map()
    del data["trends"][0]["title"]["en"]
    (tmp_path / "broken.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.json: trends\[1\]\.title\.en"):
        install_builtin_maps(session=session, directory=tmp_path)
    assert session.exec(select(TrendMap)).all() == []


# --------------------------------------------------------------------------- storing


def test_installing_built_ins_twice_adds_nothing_the_second_time(session: Session) -> None:
    assert install_builtin_maps(session=session) == len(BUILTIN_FILES)

    def counts() -> tuple[int, ...]:
        return tuple(len(session.exec(select(m)).all()) for m in (TrendMap, TrendMapVersion, Trend))

    first = counts()
    assert install_builtin_maps(session=session) == 0
    assert counts() == first
    assert first[0] == first[1] == len(BUILTIN_FILES)
    assert first[2] == sum(len(load(path)["trends"]) for path in BUILTIN_FILES)
    latest = latest_versions(session=session)
    assert {m.id for m, _v in latest} == {load(path)["id"] for path in BUILTIN_FILES}
    assert all(m.builtin and v.version == 1 for m, v in latest)


def test_a_built_in_map_is_stored_in_file_order_with_both_languages(session: Session) -> None:
    install_builtin_maps(session=session)
    data = load(BUILTIN_DIR / "customer_journey_2017.json")
    version = next(v for m, v in latest_versions(session=session) if m.id == data["id"])
    trends = trends_of(session=session, version_id=version.id)
    assert [t.code for t in trends] == [t["code"] for t in data["trends"]]
    assert [(t.title_ru, t.title_en) for t in trends] == [
        (t["title"]["ru"], t["title"]["en"]) for t in data["trends"]
    ]


def test_saving_an_existing_map_makes_version_2_and_leaves_version_1_unchanged(session: Session) -> None:
    first = save_map(session=session, data=small_map())
    old = snapshot(trends_of(session=session, version_id=first.id))

    changed = small_map(title={"ru": "Новая", "en": "New"})
    changed["trends"][0]["title"] = {"ru": "Переименован", "en": "Renamed"}
    del changed["trends"][1]
    changed["trends"].append(
        {
            "code": "T9",
            "category": "b",
            "title": {"ru": "Девятый", "en": "Ninth"},
            "description": {"ru": "Девять", "en": "Nine"},
        }
    )
    second = save_map(session=session, data=changed)

    assert (first.map_id, first.version) == ("test-map", 1)
    assert (second.map_id, second.version) == ("test-map", 2)
    assert second.id != first.id
    assert snapshot(trends_of(session=session, version_id=first.id)) == old
    new = trends_of(session=session, version_id=second.id)
    assert [(t.code, t.title_en) for t in new] == [("T1", "Renamed"), ("T3", "Third"), ("T9", "Ninth")]
    assert {t.id for t in new}.isdisjoint(row[0] for row in old)
    assert {m.id: v.id for m, v in latest_versions(session=session)}["test-map"] == second.id
    assert session.get(TrendMap, "test-map").title_en == "New"


def test_a_workshop_keeps_the_map_version_it_was_created_with(
    session: Session, workshop_factory, builtin_version: int
) -> None:
    group = workshop_factory(1)
    before = snapshot(trends_of(session=session, version_id=builtin_version))
    data = load(BUILTIN_DIR / "customer_journey_2017.json")
    data["trends"] = data["trends"][:7]
    newer = save_map(session=session, data=data, builtin=True)
    assert newer.version == 2
    assert group.workshop.trend_map_version_id == builtin_version
    assert snapshot(trends_of(session=session, version_id=builtin_version)) == before
    assert len(trends_of(session=session, version_id=newer.id)) == 7


# --------------------------------------------------------------------------- editing and history


def _sales(session: Session) -> tuple[int, list[tuple]]:
    from workshop.maps.store import install_builtin_maps, latest_version, trends_of

    install_builtin_maps(session=session)
    version = latest_version(session=session, map_id="sales-2017")
    return version.id, snapshot(trends_of(session=session, version_id=version.id))


def test_renaming_and_recategorising_a_trend_makes_a_new_version_and_keeps_the_old(session: Session) -> None:
    from workshop.maps.store import trends_of, update_trend

    old_id, old = _sales(session)

    new = update_trend(
        session=session,
        map_id="sales-2017",
        code="S1",
        title_ru="Продажи без давления",
        category="Новый раздел",
        category_en="New section",
    )

    changed = {t.code: t for t in trends_of(session=session, version_id=new.id)}
    assert new.version == 2
    assert changed["S1"].title_ru == "Продажи без давления"
    assert (changed["S1"].category_ru, changed["S1"].category_en) == ("Новый раздел", "New section")
    assert snapshot(trends_of(session=session, version_id=old_id)) == old


def test_a_trend_can_be_added_and_removed(session: Session) -> None:
    from workshop.maps.store import add_trend, remove_trend, trends_of

    _sales(session)

    added = add_trend(
        session=session,
        map_id="sales-2017",
        code="S8",
        category="Скорость и гибкость",
        title_ru="Голосовые заказы",
        title_en="Voice orders",
        description_ru="Клиент заказывает голосом.",
        description_en="Customers order by voice.",
    )
    removed = remove_trend(session=session, map_id="sales-2017", code="S2")

    assert "S8" in [t.code for t in trends_of(session=session, version_id=added.id)]
    codes = [t.code for t in trends_of(session=session, version_id=removed.id)]
    assert "S2" not in codes and "S8" in codes and len(codes) == 7


@pytest.mark.parametrize(
    ("call", "kwargs", "key"),
    [
        (
            "add_trend",
            {
                "code": "S1",
                "category": "x",
                "title_ru": "a",
                "title_en": "a",
                "description_ru": "d",
                "description_en": "d",
            },
            "error.map_code_taken",
        ),
        ("update_trend", {"code": "S1", "new_code": "S2"}, "error.map_code_taken"),
        ("update_trend", {"code": "ZZ"}, "error.trend_not_found"),
        ("remove_trend", {"code": "ZZ"}, "error.trend_not_found"),
        ("update_trend", {"code": "S1", "title_en": ""}, "error.map_invalid"),
    ],
)
def test_bad_edits_are_refused_and_save_nothing(session: Session, call: str, kwargs: dict, key: str) -> None:
    from workshop.maps import store as trend_maps
    from workshop.maps.store import latest_version
    from workshop.rules.errors import WorkshopError

    _sales(session)

    with pytest.raises(WorkshopError) as err:
        getattr(trend_maps, call)(session=session, map_id="sales-2017", **kwargs)

    session.rollback()
    assert err.value.key == key
    assert latest_version(session=session, map_id="sales-2017").version == 1


def test_a_workshop_keeps_showing_the_map_version_it_used(session: Session) -> None:
    from workshop.live.views import workshop_view
    from workshop.maps.store import latest_version, update_trend

    version_id, _old = _sales(session)
    workshop, _key = services.create_workshop(
        session=session, title="T", product="P", map_version_id=version_id, settings=services.Settings()
    )

    update_trend(session=session, map_id="sales-2017", code="S1", title_ru="Переименован")

    view = workshop_view(session=session, workshop=workshop)
    assert [t.title_ru for t in view.trends if t.code == "S1"] == ["Продажи без продавцов"]
    assert latest_version(session=session, map_id="sales-2017").version == 2


def test_document_of_a_version_round_trips_through_save(session: Session) -> None:
    from workshop.maps.store import document_of, save_map, trends_of

    version_id, old = _sales(session)

    again = save_map(session=session, data=document_of(session=session, version_id=version_id))

    assert [row[1:] for row in snapshot(trends_of(session=session, version_id=again.id))] == [
        row[1:] for row in old
    ]
