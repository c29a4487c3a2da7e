"""Built-in trend maps: read from ``trend_maps/*.json``, validated, stored as map versions."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, func, select

from workshop.db.engine import begin_write
from workshop.db.models import Trend, TrendMap, TrendMapVersion
from workshop.rules.errors import InvalidInput, NotFound

BUILTIN_DIR = Path(__file__).resolve().parents[2] / "trend_maps"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_CODE = re.compile(r"^[A-Za-z0-9]{1,12}$")


@dataclass(frozen=True)
class MapProblem:
    where: str
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


def _bilingual(obj: object, where: str, max_len: int, problems: list[MapProblem]) -> None:
    if not isinstance(obj, dict):
        problems.append(MapProblem(where, "must be an object with 'ru' and 'en'"))
        return
    for lang in ("ru", "en"):
        value = obj.get(lang)
        if not isinstance(value, str) or not value.strip():
            problems.append(MapProblem(f"{where}.{lang}", "is missing or empty"))
        elif len(value) > max_len:
            problems.append(MapProblem(f"{where}.{lang}", f"is longer than {max_len} characters"))


def validate_map(data: object) -> list[MapProblem]:
    """Every problem in a trend map document; an empty list means it is valid."""
    problems: list[MapProblem] = []
    if not isinstance(data, dict):
        return [MapProblem("map", "must be a JSON object")]
    _check_map_fields(data, problems)
    category_ids = _check_categories(data.get("categories"), problems)
    trends = data.get("trends")
    if not isinstance(trends, list) or not trends:
        return [*problems, MapProblem("trends", "must be a non-empty list")]
    used_categories = _check_trends(trends, category_ids, problems)
    for unused in sorted(category_ids - used_categories):
        problems.append(MapProblem("categories", f"'{unused}' has no trends"))
    return problems


def _check_map_fields(data: dict, problems: list[MapProblem]) -> None:
    """The map's own fields: id, title, description, source and year."""
    if not isinstance(data.get("id"), str) or not _SLUG.match(data["id"]):
        problems.append(MapProblem("id", "must be a lowercase slug"))
    _bilingual(data.get("title"), "title", 200, problems)
    _bilingual(data.get("description"), "description", 600, problems)
    if not isinstance(data.get("source"), str) or not data["source"].strip():
        problems.append(MapProblem("source", "is missing"))
    if not isinstance(data.get("year"), int):
        problems.append(MapProblem("year", "must be a whole number"))


def _check_categories(categories: object, problems: list[MapProblem]) -> set[str]:
    """Each category's id and title; the ids defined."""
    category_ids: set[str] = set()
    if not isinstance(categories, list) or not categories:
        problems.append(MapProblem("categories", "must be a non-empty list"))
        return category_ids
    for i, cat in enumerate(categories, 1):
        where = f"categories[{i}]"
        if not isinstance(cat, dict) or not isinstance(cat.get("id"), str):
            problems.append(MapProblem(where, "needs an id"))
            continue
        if cat["id"] in category_ids:
            problems.append(MapProblem(where, f"id '{cat['id']}' is used twice"))
        category_ids.add(cat["id"])
        _bilingual(cat.get("title"), f"{where}.title", 120, problems)
    return category_ids


def _check_trends(trends: list, category_ids: set[str], problems: list[MapProblem]) -> set[str]:
    """Each trend in turn; the categories the trends use."""
    codes: set[str] = set()
    used_categories: set[str] = set()
    for i, trend in enumerate(trends, 1):
        where = f"trends[{i}]"
        if not isinstance(trend, dict):
            problems.append(MapProblem(where, "must be an object"))
            continue
        _check_trend_code(trend.get("code"), where, codes, problems)
        if trend.get("category") not in category_ids:
            problems.append(MapProblem(where, f"category '{trend.get('category')}' is not defined"))
        else:
            used_categories.add(trend["category"])
        _bilingual(trend.get("title"), f"{where}.title", 120, problems)
        _bilingual(trend.get("description"), f"{where}.description", 400, problems)
        source = trend.get("source", "")
        if not isinstance(source, str) or len(source) > 300:
            problems.append(MapProblem(where, "source must be text of at most 300 characters"))
    return used_categories


def _check_trend_code(code: object, where: str, codes: set[str], problems: list[MapProblem]) -> None:
    """A trend's code: letters or digits, and not one an earlier trend has."""
    if not isinstance(code, str) or not _CODE.match(code):
        problems.append(MapProblem(where, "code must be 1-12 letters or digits"))
    elif code in codes:
        problems.append(MapProblem(where, f"code '{code}' is used twice"))
    else:
        codes.add(code)


def load_builtin_maps(directory: Path = BUILTIN_DIR) -> list[dict]:
    maps = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        problems = validate_map(data)
        if problems:
            raise ValueError(f"{path.name}: " + "; ".join(map(str, problems)))
        maps.append(data)
    return maps


def save_map(*, session: Session, data: dict, builtin: bool | None = None) -> TrendMapVersion:
    """Store ``data`` as the next version of its map and return that version. Earlier versions
    stay as they were: a workshop keeps showing the map exactly as it used it."""
    problems = validate_map(data)
    if problems:
        raise InvalidInput("error.map_invalid", problems="; ".join(map(str, problems[:5])))
    begin_write(session)
    trend_map = session.get(TrendMap, data["id"])
    if trend_map is None:
        trend_map = TrendMap(id=data["id"], title_ru="", title_en="")
    trend_map.title_ru, trend_map.title_en = data["title"]["ru"], data["title"]["en"]
    trend_map.description_ru = data["description"]["ru"]
    trend_map.description_en = data["description"]["en"]
    trend_map.source, trend_map.year = data["source"], data["year"]
    if builtin is not None:
        trend_map.builtin = builtin
    session.add(trend_map)
    last = session.exec(
        select(func.max(TrendMapVersion.version)).where(TrendMapVersion.map_id == data["id"])
    ).one()
    version = TrendMapVersion(map_id=data["id"], version=(last or 0) + 1)
    session.add(version)
    session.flush()
    categories = {c["id"]: c["title"] for c in data["categories"]}
    for position, t in enumerate(data["trends"]):
        cat = categories[t["category"]]
        session.add(
            Trend(
                version_id=version.id,
                code=t["code"],
                position=position,
                category=t["category"],
                category_ru=cat["ru"],
                category_en=cat["en"],
                title_ru=t["title"]["ru"],
                title_en=t["title"]["en"],
                description_ru=t["description"]["ru"],
                description_en=t["description"]["en"],
                source=t.get("source", ""),
            )
        )
    session.commit()
    session.refresh(version)
    return version


def install_builtin_maps(*, session: Session, directory: Path = BUILTIN_DIR) -> int:
    """Store each built-in map that the database does not have yet; return how many were added."""
    added = 0
    for data in load_builtin_maps(directory):
        if session.get(TrendMap, data["id"]) is None:
            save_map(session=session, data=data, builtin=True)
            added += 1
    return added


def latest_versions(*, session: Session) -> list[tuple[TrendMap, TrendMapVersion]]:
    maps = session.exec(select(TrendMap).order_by(col(TrendMap.builtin).desc(), col(TrendMap.id))).all()
    result = []
    for trend_map in maps:
        version = session.exec(
            select(TrendMapVersion)
            .where(TrendMapVersion.map_id == trend_map.id)
            .order_by(col(TrendMapVersion.version).desc())
        ).first()
        if version is not None:
            result.append((trend_map, version))
    return result


def trends_of(*, session: Session, version_id: int) -> list[Trend]:
    return list(
        session.exec(select(Trend).where(Trend.version_id == version_id).order_by(col(Trend.position))).all()
    )


def latest_version(*, session: Session, map_id: str) -> TrendMapVersion:
    version = session.exec(
        select(TrendMapVersion)
        .where(TrendMapVersion.map_id == map_id)
        .order_by(col(TrendMapVersion.version).desc())
    ).first()
    if version is None:
        raise NotFound("error.map_not_found")
    return version


def document_of(*, session: Session, version_id: int) -> dict:
    """A stored map version as a map document (the same shape as the JSON files)."""
    version = session.get(TrendMapVersion, version_id)
    if version is None:
        raise NotFound("error.map_not_found")
    trend_map = session.get(TrendMap, version.map_id)
    assert trend_map is not None
    trends = trends_of(session=session, version_id=version_id)
    categories: dict[str, dict] = {}
    for t in trends:
        categories.setdefault(
            t.category, {"id": t.category, "title": {"ru": t.category_ru, "en": t.category_en}}
        )
    return {
        "id": trend_map.id,
        "title": {"ru": trend_map.title_ru, "en": trend_map.title_en},
        "description": {"ru": trend_map.description_ru, "en": trend_map.description_en},
        "source": trend_map.source,
        "year": trend_map.year,
        "categories": list(categories.values()),
        "trends": [
            {
                "code": t.code,
                "category": t.category,
                "title": {"ru": t.title_ru, "en": t.title_en},
                "description": {"ru": t.description_ru, "en": t.description_en},
                **({"source": t.source} if t.source else {}),
            }
            for t in trends
        ],
    }


def _edit(session: Session, map_id: str, change) -> TrendMapVersion:  # type: ignore[no-untyped-def]
    document = document_of(session=session, version_id=latest_version(session=session, map_id=map_id).id)
    change(document)
    used = {t["category"] for t in document["trends"]}
    document["categories"] = [c for c in document["categories"] if c["id"] in used]
    return save_map(session=session, data=document)


def _category_id(document: dict, category: str, category_en: str = "") -> str:
    """The id of the category titled (or identified by) ``category``; a new one if none is."""
    for c in document["categories"]:
        if category in (c["id"], c["title"]["ru"], c["title"]["en"]):
            return c["id"]
    ids = {c["id"] for c in document["categories"]}
    n = len(ids) + 1
    while f"c{n}" in ids:
        n += 1
    document["categories"].append({"id": f"c{n}", "title": {"ru": category, "en": category_en or category}})
    return f"c{n}"


def add_trend(
    *,
    session: Session,
    map_id: str,
    code: str,
    category: str,
    title_ru: str,
    title_en: str,
    description_ru: str,
    description_en: str,
    category_en: str = "",
) -> TrendMapVersion:
    """A new trend; the map gets a new version."""
    code = code.strip()

    def change(document: dict) -> None:
        if any(t["code"] == code for t in document["trends"]):
            raise InvalidInput("error.map_code_taken", code=code)
        document["trends"].append(
            {
                "code": code,
                "category": _category_id(document, category.strip(), category_en.strip()),
                "title": {"ru": title_ru.strip(), "en": title_en.strip()},
                "description": {"ru": description_ru.strip(), "en": description_en.strip()},
            }
        )

    return _edit(session, map_id, change)


def update_trend(*, session: Session, map_id: str, code: str, **fields: str) -> TrendMapVersion:
    """Rename, re-describe, re-code or re-categorise a trend; the map gets a new version.

    ``fields``: any of new_code, category, category_en, title_ru, title_en, description_ru,
    description_en."""

    def change(document: dict) -> None:
        trend = next((t for t in document["trends"] if t["code"] == code), None)
        if trend is None:
            raise NotFound("error.trend_not_found", code=code)
        new_code = (fields.get("new_code") or code).strip()
        if new_code != code and any(t["code"] == new_code for t in document["trends"]):
            raise InvalidInput("error.map_code_taken", code=new_code)
        trend["code"] = new_code
        if fields.get("category"):
            trend["category"] = _category_id(
                document, fields["category"].strip(), fields.get("category_en", "").strip()
            )
        for name in ("title", "description"):
            for lang in ("ru", "en"):
                value = fields.get(f"{name}_{lang}")
                if value is not None:
                    trend[name][lang] = value.strip()

    return _edit(session, map_id, change)


def remove_trend(*, session: Session, map_id: str, code: str) -> TrendMapVersion:
    def change(document: dict) -> None:
        before = len(document["trends"])
        document["trends"] = [t for t in document["trends"] if t["code"] != code]
        if len(document["trends"]) == before:
            raise NotFound("error.trend_not_found", code=code)

    return _edit(session, map_id, change)


def import_map(*, session: Session, document: dict) -> TrendMapVersion:
    """Save an imported document: a new map, or a new version of the map with its id."""
    return save_map(session=session, data=document, builtin=False)
