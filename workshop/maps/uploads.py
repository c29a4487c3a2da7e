"""Trend maps uploaded by a facilitator: JSON, YAML, CSV or XLSX in, a valid map document out.

An uploaded file is untrusted. Nothing here raises: every failure — wrong type, too big, broken
syntax, an alias bomb, a bad cell — becomes a readable problem naming the row (or trend) and the
field, and a document is handed back only when there is no problem at all. ``validate_map`` has
the last word on every document built here.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

import yaml

from workshop.maps.schema import LIMITS, TableRow, cell_text, clean, read_document
from workshop.maps.store import MapProblem, validate_map

MAX_BYTES = 1_000_000
MAX_TRENDS = 500
MAX_DEPTH = 6  # nesting depth allowed in JSON/YAML (a valid map needs 4)
TABLE_COLUMNS = ("code", "category", "title_ru", "title_en", "description_ru", "description_en")
OPTIONAL_COLUMNS = ("category_en", "source")

MAX_YAML_NODES = 20_000  # counted with aliases expanded: a "billion laughs" stops here
MAX_CELL = 1000  # any table cell, before the per-field limits below
MAX_PROBLEMS = 50
MAX_UNPACKED = 50_000_000  # an XLSX is a zip: what its members may unpack to, in total
MAX_COLUMNS = 64  # XLSX columns read; the rest are ignored
MAX_SHEET_ROWS = 20_000  # rows looked at, empty ones included
MAX_EMPTY_RUN = 1000  # this many empty rows in a row end the table

_FORMATS = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".xlsx": "xlsx"}
_MAP_FIELDS = frozenset({"id", "title.ru", "title.en", "description.ru", "description.en", "source", "year"})
_WHERE = re.compile(r"^(trends|categories)\[(\d+)\](?:\.(.+))?$")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class MapMeta:
    """What the import form gives for table formats (CSV/XLSX): the map's own fields."""

    id: str  # lowercase slug; "" -> derived from title_en, or "imported-map"
    title_ru: str
    title_en: str
    source: str
    year: int
    description_ru: str = ""  # "" -> the title
    description_en: str = ""


@dataclass(frozen=True)
class ImportResult:
    document: dict | None  # a map document that passes validate_map, or None
    problems: list[str] = field(default_factory=list)  # readable, naming the row and field


class _Refused(Exception):
    """Internal: stop reading the file; the message is the problem to show."""


def parse_map_file(*, filename: str, data: bytes, meta: MapMeta | None = None) -> ImportResult:
    """Read an uploaded trend map. ``meta`` gives the map's title, source and year for CSV/XLSX;
    JSON and YAML documents carry their own and ignore it."""
    problems: list[str] = []
    document: dict | None = None
    try:
        kind = _file_kind(filename)
        data = _checked_bytes(data)
        document = _read_map(kind, data, meta, problems)
    except _Refused as refused:
        problems.append(str(refused))
    except RecursionError:
        problems.append(f"the file nests deeper than {MAX_DEPTH} levels")
    except Exception as exc:  # the last guard: an upload must never break the page
        problems.append(f"the file could not be read ({type(exc).__name__})")
    if problems:
        return ImportResult(None, _capped(problems))
    return ImportResult(document, [])


def _file_kind(filename: str) -> str:
    """The upload's format, from its file name's extension."""
    suffix = PurePath(str(filename or "")).suffix.lower()
    kind = _FORMATS.get(suffix)
    if kind is None:
        shown = f"'{suffix}'" if suffix else "(no extension)"
        raise _Refused(f"unsupported file type {shown}: use CSV, XLSX, YAML or JSON")
    return kind


def _checked_bytes(data: bytes) -> bytes:
    """The upload's bytes, refused when too big or holding nothing but blanks."""
    data = bytes(data or b"")
    if len(data) > MAX_BYTES:
        raise _Refused("the file is larger than 1 MB")
    if not data.strip(b" \t\r\n\x00").removeprefix(b"\xef\xbb\xbf").strip():
        raise _Refused("the file is empty")
    return data


def _read_map(kind: str, data: bytes, meta: MapMeta | None, problems: list[str]) -> dict | None:
    """The map document read from an upload of format ``kind``, or None; what is wrong with it
    goes to ``problems``."""
    if kind == "json":
        return _from_tree(_load_json(data), problems)
    if kind == "yaml":
        return _from_tree(_load_yaml(data), problems)
    rows = _csv_table(data, problems) if kind == "csv" else _xlsx_table(data, problems)
    if rows is None:
        return None
    return _from_table(rows, meta, problems)


def document_to_rows(document: dict) -> list[dict[str, str]]:
    """One table row per trend (``TABLE_COLUMNS`` + ``OPTIONAL_COLUMNS``): for export and preview.
    Feeding the rows back through CSV or XLSX import gives the same trends."""
    categories: dict[object, dict] = {}
    for cat in _list(document.get("categories")):
        if isinstance(cat, dict):
            categories[cat.get("id")] = _dict(cat.get("title"))
    rows = []
    for trend in _list(document.get("trends")):
        if not isinstance(trend, dict):
            continue
        cat = categories.get(trend.get("category"), {})
        title, description = _dict(trend.get("title")), _dict(trend.get("description"))
        rows.append(
            {
                "code": cell_text(trend.get("code")),
                "category": cell_text(cat.get("ru")),
                "title_ru": cell_text(title.get("ru")),
                "title_en": cell_text(title.get("en")),
                "description_ru": cell_text(description.get("ru")),
                "description_en": cell_text(description.get("en")),
                "category_en": cell_text(cat.get("en")),
                "source": cell_text(trend.get("source")),
            }
        )
    return rows


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:64].rstrip("-")
    return slug or "imported-map"


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _capped(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    kept = problems[: MAX_PROBLEMS - 1]
    return [*kept, f"… and {len(problems) - len(kept)} more"]


# --- validate_map's problems, readable ----------------------------------------------------------


def _field_name(path: str) -> str:
    return path.replace(".", "_")  # "title.ru" -> "title_ru", the table's column name


def _readable(
    problem: MapProblem,
    trend_label: Callable[[int], str],
    category_label: Callable[[int], str],
    category_field: Callable[[str], str] = _field_name,
) -> str:
    """``trends[7].title.ru: is missing`` -> ``trend 7: title_ru is missing`` (or ``row 8: ...``)."""
    where, text = problem.where, problem.problem
    match = _WHERE.match(where)
    if match:
        kind, index, path = match.group(1), int(match.group(2)), match.group(3)
        if kind == "trends":
            label, name = trend_label(index), _field_name(path or "")
        else:
            label, name = category_label(index), category_field(path or "")
        return f"{label}: {name} {text}" if path else f"{label}: {text}"
    if where == "categories" and text.endswith("has no trends"):
        return f"category {text}"
    if where == "map":
        return f"the file {text}"
    return f"map: {_field_name(where)} {text}"


# --- JSON and YAML ------------------------------------------------------------------------------


def _decode_utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _Refused(f"line {line}: the file is not UTF-8 text") from None


# A JSON string (unrolled, so linear on an unterminated one) or a bracket.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


def json_too_deep_at(text: str, limit: int) -> int | None:
    """Where JSON ``text`` first nests deeper than ``limit`` (an offset), or None; found before
    any parser sees it, so 10,000 levels never recurse."""
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return token.start()
        elif bracket in "]}":
            depth -= 1
    return None


def _check_json_depth(text: str) -> None:
    at = json_too_deep_at(text, MAX_DEPTH)
    if at is not None:
        line = text.count("\n", 0, at) + 1
        raise _Refused(f"line {line}: the file nests deeper than {MAX_DEPTH} levels")


def _load_json(data: bytes) -> object:
    text = _decode_utf8(data)
    _check_json_depth(text)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Refused(f"line {exc.lineno}: {exc.msg} (column {exc.colno})") from None
    except ValueError as exc:  # e.g. a number with more digits than Python converts
        raise _Refused(f"the JSON could not be read: {exc}") from None


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    message = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return (
        f"line {mark.line + 1}: {message}" if mark is not None else f"the YAML could not be read: {message}"
    )


def _check_yaml_shape(text: str) -> None:
    """Depth and size, first on the event stream (no recursion, no expansion), then on the
    composed node graph with every alias expanded, stopping as soon as a limit is passed."""
    _check_yaml_events(text)
    _check_yaml_nodes(text)


def _check_yaml_events(text: str) -> None:
    """Depth and number of values as the parser reads them, before anything is built."""
    depth = nodes = 0
    for event in yaml.parse(text, Loader=_YAML_LOADER):
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                where = f"line {event.start_mark.line + 1}: " if event.start_mark else ""
                raise _Refused(f"{where}the file nests deeper than {MAX_DEPTH} levels")
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1
        if isinstance(event, yaml.NodeEvent):
            nodes += 1
            if nodes > MAX_YAML_NODES:
                raise _Refused(f"the YAML document has more than {MAX_YAML_NODES} values")


def _check_yaml_nodes(text: str) -> None:
    """Depth and number of values in the composed document, every alias counted where it is used."""
    root = yaml.compose(text, Loader=_YAML_LOADER)
    if root is None:
        return
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    nodes = 0
    while stack:
        node, level = stack.pop()
        nodes += 1
        if nodes > MAX_YAML_NODES:
            raise _Refused(
                f"the YAML document expands to more than {MAX_YAML_NODES} values (anchors and aliases)"
            )
        if isinstance(node, yaml.SequenceNode | yaml.MappingNode):
            if level > MAX_DEPTH:
                raise _Refused(f"the YAML document nests deeper than {MAX_DEPTH} levels (through aliases)")
            stack.extend((child, level + 1) for child in _yaml_children(node))


def _yaml_children(node: yaml.SequenceNode | yaml.MappingNode) -> list[yaml.Node]:
    """A list's items, or a mapping's keys and values in turn."""
    if isinstance(node, yaml.SequenceNode):
        return node.value
    return [n for kv in node.value for n in kv]


def _load_yaml(data: bytes) -> object:
    text = _decode_utf8(data)
    try:
        _check_yaml_shape(text)
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _Refused(_yaml_problem(exc)) from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise _Refused(f"the YAML could not be read: {exc}") from None


def _from_tree(data: object, problems: list[str]) -> dict | None:
    """A parsed JSON/YAML document: checked as it is, then rebuilt with clean text, checked again."""
    if not isinstance(data, dict):
        shown = (
            "a list" if isinstance(data, list) else "text" if isinstance(data, str) else type(data).__name__
        )
        problems.append(f"the file must hold one map object (id, title, categories, trends), not {shown}")
        return None
    trends = data.get("trends")
    if isinstance(trends, list) and len(trends) > MAX_TRENDS:
        problems.append(f"the map has {len(trends)} trends; at most {MAX_TRENDS} are allowed")
        return None
    if isinstance(trends, list):  # YAML reads `code: 7` as a number
        trends = [
            {**t, "code": str(t["code"])}
            if isinstance(t, dict) and isinstance(t.get("code"), int) and not isinstance(t["code"], bool)
            else t
            for t in trends
        ]
        data = {**data, "trends": trends}

    def labels(found: list[MapProblem]) -> list[str]:
        return [_readable(p, lambda i: f"trend {i}", lambda i: f"category {i}") for p in found]

    found = validate_map(data)
    problems.extend(labels(found))
    if not any(p.where == "year" for p in found):
        problems.extend(_year_problems(data.get("year")))
    if problems:
        return None
    document, unread = read_document(data)
    problems.extend(unread)
    if document is not None:
        problems.extend(labels(validate_map(document)))
    return document


def _year_problems(year: object) -> list[str]:
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2100:
        return ["map: year must be a whole number from 1900 to 2100"]
    return []


# --- tables: CSV and XLSX -----------------------------------------------------------------------


@dataclass
class _Row:
    number: int  # the spreadsheet row: the header is row 1 when it is the first line
    cells: dict[str, str]  # known column -> cleaned text
    too_long: set[str]  # columns already reported as over MAX_CELL


def _column_letter(index: int) -> str:
    letters, n = "", index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _header_name(value: object) -> str:
    return re.sub(r"[\s-]+", "_", clean(value).lower())


def _read_table(rows: Iterable[Sequence[object]], problems: list[str]) -> list[_Row] | None:
    """The header (the first non-empty row) and the data rows under it; None when the table
    itself is unusable (the reason is in ``problems``)."""
    header: dict[str, int] | None = None
    names: list[str] = []
    found: list[_Row] = []
    for filled in _filled_rows(rows, problems):
        if filled is None:
            return None
        number, cells = filled
        if header is None:
            names = [_header_name(c) for c in cells]
            header = _header(names, problems)
            if header is None:
                return None
            continue
        if len(found) == MAX_TRENDS:
            problems.append(f"the table has more than {MAX_TRENDS} trends (row {number} is one too many)")
            return None
        found.append(_table_row(number, cells, names, header, problems))
    if header is None:
        problems.append("the table has no header row: " + ", ".join(TABLE_COLUMNS))
        return None
    if not found:
        problems.append("the table has no trends under its header row")
        return None
    return found


def _filled_rows(
    rows: Iterable[Sequence[object]], problems: list[str]
) -> Iterator[tuple[int, list[str]] | None]:
    """The table's non-empty rows as (spreadsheet row number, cell texts). A long run of empty
    rows after the first filled one ends the table; a table that cannot be read on ends with
    None, the reason in ``problems``."""
    empty_run = number = 0
    filled = False
    iterator = iter(rows)
    while True:
        try:
            raw = next(iterator)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(_csv_problem(exc, number + 1))
            yield None
            return
        number += 1
        if number > MAX_SHEET_ROWS:
            problems.append(f"the table is longer than {MAX_SHEET_ROWS} rows")
            yield None
            return
        cells = [cell_text(v) for v in raw]
        if not any(clean(c) for c in cells):
            empty_run += 1
            if filled and empty_run >= MAX_EMPTY_RUN:
                return
            continue
        empty_run = 0
        filled = True
        yield number, cells


def _csv_problem(exc: csv.Error, number: int) -> str:
    """Row ``number`` could not be read as CSV: why, in the facilitator's words."""
    if "field larger than field limit" in str(exc):
        return f"row {number}: a cell is longer than {MAX_CELL} characters"
    return f"row {number}: the CSV could not be read ({exc})"


def _table_row(
    number: int, cells: list[str], names: list[str], header: dict[str, int], problems: list[str]
) -> _Row:
    """A data row's known columns, each cell over ``MAX_CELL`` reported once."""
    too_long: set[str] = set()
    for index, cell in enumerate(cells):
        if len(cell) > MAX_CELL:
            column = _column_name(names, index)
            problems.append(f"row {number}: {column} is longer than {MAX_CELL} characters")
            too_long.add(column)
    values = {name: clean(cells[i]) if i < len(cells) else "" for name, i in header.items()}
    return _Row(number, values, too_long)


def _column_name(names: list[str], index: int) -> str:
    """The column as its header names it, or by its letter when the header cell is empty."""
    return names[index] if index < len(names) and names[index] else f"column {_column_letter(index)}"


def _header(names: list[str], problems: list[str]) -> dict[str, int] | None:
    header: dict[str, int] = {}
    twice = []
    for index, name in enumerate(names):
        if name in TABLE_COLUMNS or name in OPTIONAL_COLUMNS:
            if name in header:
                twice.append(name)
            header.setdefault(name, index)
    missing = [c for c in TABLE_COLUMNS if c not in header]
    if missing:
        problems.append(
            "missing columns: "
            + ", ".join(missing)
            + " (the header row needs "
            + ", ".join(TABLE_COLUMNS)
            + ")"
        )
    for name in twice:
        problems.append(f"column '{name}' appears twice in the header row")
    return None if missing or twice else header


def _decode_tablecell_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")  # what Russian Excel writes as "CSV"
    except UnicodeDecodeError:
        raise _Refused("the file is neither UTF-8 nor Windows-1251 text") from None


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first_line, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _csv_table(data: bytes, problems: list[str]) -> list[_Row] | None:
    text = _decode_tablecell_text(data)
    if not text.strip():
        raise _Refused("the file is empty")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    return _read_table(reader, problems)


def _xlsx_table(data: bytes, problems: list[str]) -> list[_Row] | None:
    from openpyxl import load_workbook  # imported here: only XLSX uploads pay for it

    not_xlsx = "the file is not a valid XLSX workbook (save it from Excel as .xlsx)"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise _Refused(not_xlsx) from None
    if unpacked > MAX_UNPACKED:
        raise _Refused(f"the workbook unpacks to more than {MAX_UNPACKED // 1_000_000} MB")
    workbook = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
            try:
                workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            except Exception:  # BadZipFile, KeyError, InvalidFileException, broken XML, ...
                raise _Refused(not_xlsx) from None
            if not workbook.worksheets:
                raise _Refused("the workbook has no worksheet")
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # the stored size may be wrong: read the rows themselves
            rows = sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
            try:
                return _read_table(_xlsx_rows(rows), problems)
            finally:
                rows.close()
    finally:
        if workbook is not None:
            workbook.close()


def _xlsx_rows(rows: Iterator[tuple]) -> Iterator[tuple]:
    """The sheet's rows, a broken sheet reported as a problem rather than an exception."""
    try:
        yield from rows
    except Exception as exc:
        raise _Refused(f"the worksheet could not be read ({type(exc).__name__})") from None


def _from_table(rows: list[_Row], meta: MapMeta | None, problems: list[str]) -> dict:
    reported: set[str] = set()  # validate_map "where"s already covered by a clearer problem
    bad_rows, bad_categories = _check_rows(rows, problems)
    category_ids = _category_ids(rows)
    categories = _table_categories(rows, category_ids)
    trends = [_table_trend(row, category_ids) for row in rows]
    document = {**_map_fields(meta, problems, reported), "categories": categories, "trends": trends}
    names = list(category_ids)
    for problem in validate_map(document):  # the last word
        if not _already_reported(problem, names, bad_rows, bad_categories, reported):
            problems.append(
                _readable(
                    problem,
                    lambda i: f"row {rows[i - 1].number}",
                    lambda i: _category_label(names, i),
                    _category_field,
                )
            )
    return document


def _check_rows(rows: list[_Row], problems: list[str]) -> tuple[set[int], set[str]]:
    """Each row's own problems; the trend indices (1-based) of the rows with a problem, and the
    categories named in a too long category cell."""
    bad_rows: set[int] = set()
    bad_categories: set[str] = set()
    seen_codes: set[str] = set()
    for index, row in enumerate(rows, 1):
        row_problems = _row_problems(row, seen_codes)
        if row_problems or row.too_long:
            bad_rows.add(index)
            problems.extend(row_problems)
            if any(
                c in row.too_long or len(row.cells.get(c, "")) > LIMITS[c]
                for c in ("category", "category_en")
            ):
                bad_categories.add(row.cells["category"])
    return bad_rows, bad_categories


def _category_ids(rows: list[_Row]) -> dict[str, str]:
    """Each category named in the table, in order of appearance, with its id: c1, c2, ..."""
    category_ids: dict[str, str] = {}
    for row in rows:
        name = row.cells["category"]
        if name:
            category_ids.setdefault(name, f"c{len(category_ids) + 1}")
    return category_ids


def _table_categories(rows: list[_Row], category_ids: dict[str, str]) -> list[dict]:
    """The map's categories; the English title is the first category_en given, else the category."""
    category_en: dict[str, str] = {}
    for row in rows:
        name = row.cells["category"]
        if name and not category_en.get(name):
            category_en[name] = row.cells.get("category_en", "")
    return [
        {"id": cid, "title": {"ru": name, "en": category_en[name] or name}}
        for name, cid in category_ids.items()
    ]


def _table_trend(row: _Row, category_ids: dict[str, str]) -> dict:
    c = row.cells
    trend = {
        "code": c["code"],
        "category": category_ids.get(c["category"]),
        "title": {"ru": c["title_ru"], "en": c["title_en"]},
        "description": {"ru": c["description_ru"], "en": c["description_en"]},
    }
    if c.get("source"):
        trend["source"] = c["source"]
    return trend


def _already_reported(
    problem: MapProblem, names: list[str], bad_rows: set[int], bad_categories: set[str], reported: set[str]
) -> bool:
    """Whether a clearer problem about the same row, category or map field is already given."""
    match = _WHERE.match(problem.where)
    if match and match.group(1) == "trends":
        return int(match.group(2)) in bad_rows
    if match:
        return names[int(match.group(2)) - 1] in bad_categories
    return problem.where in reported


def _category_label(names: list[str], i: int) -> str:
    name = names[i - 1] if 0 < i <= len(names) else str(i)
    return f"category '{name if len(name) <= 40 else name[:39] + '…'}'"


def _category_field(path: str) -> str:
    return {"title.ru": "category", "title.en": "category_en"}.get(path, _field_name(path))


def _row_problems(row: _Row, seen_codes: set[str]) -> list[str]:
    """The row's bad cells (a cell already reported as too long aside), then a code used twice."""
    at = f"row {row.number}"
    bad = [
        (column, problem) for column, problem in TableRow.problems(row.cells) if column not in row.too_long
    ]
    found = [f"{at}: {column} {text}" for column, text in bad]
    code = row.cells.get("code", "")
    if "code" not in row.too_long and not any(column == "code" for column, _text in bad):
        if code in seen_codes:
            found.insert(0, f"{at}: code '{code}' is used twice")  # code is the first column
        else:
            seen_codes.add(code)
    return found


def _map_fields(meta: MapMeta | None, problems: list[str], reported: set[str]) -> dict:
    if meta is None:
        problems.append("the map's title, source and year are needed")
        reported.update(_MAP_FIELDS)
        empty = {"ru": "", "en": ""}
        return {"id": "imported-map", "title": empty, "description": dict(empty), "source": "", "year": 0}
    title_ru, title_en = clean(meta.title_ru), clean(meta.title_en)
    for lang, value in (("ru", title_ru), ("en", title_en)):
        if not value:
            problems.append(f"map: title_{lang} is empty")
            reported.update({f"title.{lang}", f"description.{lang}"})
    year_problems = _year_problems(meta.year)
    if year_problems:
        problems.extend(year_problems)
        reported.add("year")
    map_id = clean(meta.id).lower() or _slug(title_en)
    return {
        "id": map_id,
        "title": {"ru": title_ru, "en": title_en},
        "description": {
            "ru": clean(meta.description_ru) or title_ru,
            "en": clean(meta.description_en) or title_en,
        },
        "source": clean(meta.source),
        "year": meta.year,
    }
