"""An uploaded trend map's parts as pydantic models: a table row, and the map document.

:class:`TableRow` is one data row of a CSV or XLSX table, its cells tidied to one line;
:meth:`TableRow.problems` names every bad cell of it (``title_en is empty``), so the upload can
report ``row 3: title_en is empty`` for each row, not only the first. :class:`MapDocument` is a
JSON or YAML map that :func:`workshop.maps.store.validate_map` has accepted, read into the
format's fields with every text tidied: what the upload hands on.

Nothing here raises on a bad value: problems are returned as text.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from workshop.rules.text import _BLANK_LOOKING, _INVISIBLE

CODE = re.compile(r"^[A-Za-z0-9]{1,12}$")  # the same rule as validate_map
# The longest text each table column may hold (validate_map's limits, by the table's names).
LIMITS = {
    "category": 120,
    "title_ru": 120,
    "title_en": 120,
    "description_ru": 400,
    "description_en": 400,
    "category_en": 120,
    "source": 300,
}
_SPACES = re.compile(r"\s+")


# --- text -------------------------------------------------------------------------------------


def cell_text(value: object) -> str:
    """A cell value as text: spreadsheets give numbers, dates and booleans too."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def clean(value: object) -> str:
    """One tidy line, never raising: the rules of ``workshop.rules.text.clean_text`` (spaces and line
    breaks collapse, control and format characters go) without its errors."""
    text = unicodedata.normalize("NFC", cell_text(value))
    text = "".join(" " if ch.isspace() else ch for ch in text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE)
    text = _SPACES.sub(" ", text).strip()
    return text if text.strip(_BLANK_LOOKING + " ") else ""


# --- a table row ------------------------------------------------------------------------------


def _cell(column: str, *, required: bool = True) -> AfterValidator:
    """A cell's checks; the problem's text follows the column's name in the message."""
    most = LIMITS.get(column)

    def check(value: str) -> str:
        if required and not value:
            raise PydanticCustomError("map.empty", "is empty")
        if most is not None and len(value) > most:
            raise PydanticCustomError("map.too_long", "is longer than {max} characters", {"max": most})
        return value

    return AfterValidator(check)


def _code(value: str) -> str:
    if not CODE.match(value):
        raise PydanticCustomError("map.bad_code", "'{code}' must be 1-12 letters or digits", {"code": value})
    return value


class TableRow(BaseModel):
    """One data row: the required columns filled, the code a code, no cell over its column's
    limit. Whether a code is used twice is a matter of the whole table, not of one row."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    code: Annotated[str, _cell("code"), AfterValidator(_code)]
    category: Annotated[str, _cell("category")]
    title_ru: Annotated[str, _cell("title_ru")]
    title_en: Annotated[str, _cell("title_en")]
    description_ru: Annotated[str, _cell("description_ru")]
    description_en: Annotated[str, _cell("description_en")]
    category_en: Annotated[str, _cell("category_en", required=False)] = ""
    source: Annotated[str, _cell("source", required=False)] = ""

    @classmethod
    def problems(cls, cells: dict[str, str]) -> list[tuple[str, str]]:
        """Each bad cell as (column, problem), in the table's column order."""
        try:
            cls.model_validate(cells)
        except ValidationError as refused:
            return [(".".join(map(str, e["loc"])), e["msg"]) for e in refused.errors(include_url=False)]
        return []


# --- the map document -------------------------------------------------------------------------

# A map file may carry keys of its own (a comment, an editor's notes): they are dropped, not
# refused (tests/maps/test_map_import.py: unknown keys are dropped), so extra="ignore" here.
_IGNORING = ConfigDict(strict=True, extra="ignore", frozen=True)
Clean = Annotated[str, BeforeValidator(clean)]


class Bilingual(BaseModel):
    model_config = _IGNORING

    ru: Clean
    en: Clean


class Category(BaseModel):
    model_config = _IGNORING

    id: str
    title: Bilingual


class TrendEntry(BaseModel):
    model_config = _IGNORING

    code: str
    category: str
    title: Bilingual
    description: Bilingual
    source: Clean = ""


class MapDocument(BaseModel):
    model_config = _IGNORING

    id: str
    title: Bilingual
    description: Bilingual
    source: Clean
    year: int
    categories: list[Category]
    trends: list[TrendEntry]

    def document(self) -> dict[str, Any]:
        """The map as a document of the format: a trend's source only when it has one."""
        document = self.model_dump()
        for trend in document["trends"]:
            if not trend["source"]:
                del trend["source"]
        return document


def read_document(data: dict) -> tuple[dict | None, list[str]]:
    """A map ``validate_map`` accepted, as the format's fields with tidy text; or the problems
    (``trends[2].title``: ...) when it is not of the format's shape after all."""
    try:
        return MapDocument.model_validate(data).document(), []
    except ValidationError as refused:
        return None, [f"{_place(e['loc'])}: {e['msg']}" for e in refused.errors(include_url=False)]


def _place(loc: tuple[int | str, ...]) -> str:
    """pydantic's location with places counted from 1: ``trends.1.title`` is the second trend's."""
    return ".".join(str(part + 1) if isinstance(part, int) else part for part in loc) or "map"
