"""Built-in trend maps: read from ``trend_maps/*.json``, validated, stored as map versions."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, func, select

from workshop.db import begin_write
from workshop.errors import InvalidInput
from workshop.models import Trend, TrendMap, TrendMapVersion

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "trend_maps"
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
    if not isinstance(data.get("id"), str) or not _SLUG.match(data["id"]):
        problems.append(MapProblem("id", "must be a lowercase slug"))
    _bilingual(data.get("title"), "title", 200, problems)
    _bilingual(data.get("description"), "description", 600, problems)
    if not isinstance(data.get("source"), str) or not data["source"].strip():
        problems.append(MapProblem("source", "is missing"))
    if not isinstance(data.get("year"), int):
        problems.append(MapProblem("year", "must be a whole number"))
    categories = data.get("categories")
    category_ids: set[str] = set()
    if not isinstance(categories, list) or not categories:
        problems.append(MapProblem("categories", "must be a non-empty list"))
        categories = []
    for i, cat in enumerate(categories, 1):
        where = f"categories[{i}]"
        if not isinstance(cat, dict) or not isinstance(cat.get("id"), str):
            problems.append(MapProblem(where, "needs an id"))
            continue
        if cat["id"] in category_ids:
            problems.append(MapProblem(where, f"id '{cat['id']}' is used twice"))
        category_ids.add(cat["id"])
        _bilingual(cat.get("title"), f"{where}.title", 120, problems)
    trends = data.get("trends")
    if not isinstance(trends, list) or not trends:
        return [*problems, MapProblem("trends", "must be a non-empty list")]
    codes: set[str] = set()
    used_categories: set[str] = set()
    for i, trend in enumerate(trends, 1):
        where = f"trends[{i}]"
        if not isinstance(trend, dict):
            problems.append(MapProblem(where, "must be an object"))
            continue
        code = trend.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            problems.append(MapProblem(where, "code must be 1-12 letters or digits"))
        elif code in codes:
            problems.append(MapProblem(where, f"code '{code}' is used twice"))
        else:
            codes.add(code)
        if trend.get("category") not in category_ids:
            problems.append(MapProblem(where, f"category '{trend.get('category')}' is not defined"))
        else:
            used_categories.add(trend["category"])
        _bilingual(trend.get("title"), f"{where}.title", 120, problems)
        _bilingual(trend.get("description"), f"{where}.description", 400, problems)
    for unused in sorted(category_ids - used_categories):
        problems.append(MapProblem("categories", f"'{unused}' has no trends"))
    return problems


def load_builtin_maps(directory: Path = BUILTIN_DIR) -> list[dict]:
    maps = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        problems = validate_map(data)
        if problems:
            raise ValueError(f"{path.name}: " + "; ".join(map(str, problems)))
        maps.append(data)
    return maps


def save_map(*, session: Session, data: dict, builtin: bool = False) -> TrendMapVersion:
    """Store ``data`` as the next version of its map and return that version."""
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
    trend_map.source, trend_map.year, trend_map.builtin = data["source"], data["year"], builtin
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
    maps = session.exec(select(TrendMap).order_by(TrendMap.builtin.desc(), TrendMap.id)).all()
    result = []
    for trend_map in maps:
        version = session.exec(
            select(TrendMapVersion)
            .where(TrendMapVersion.map_id == trend_map.id)
            .order_by(TrendMapVersion.version.desc())
        ).first()
        if version is not None:
            result.append((trend_map, version))
    return result


def trends_of(*, session: Session, version_id: int) -> list[Trend]:
    return list(
        session.exec(select(Trend).where(Trend.version_id == version_id).order_by(Trend.position)).all()
    )
