"""Importing trend maps from uploaded files: every format in, readable problems out, never a raise."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from collections.abc import Callable

import pytest
import yaml
from openpyxl import Workbook

from workshop.maps.store import BUILTIN_DIR, validate_map
from workshop.maps.uploads import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_TRENDS,
    OPTIONAL_COLUMNS,
    TABLE_COLUMNS,
    ImportResult,
    MapMeta,
    document_to_rows,
    parse_map_file,
)

META = MapMeta(id="", title_ru="Тестовая карта", title_en="Test map", source="Набор тестов", year=2024)
HEADER = (*TABLE_COLUMNS, "category_en")
ROWS = [
    (
        "M1",
        "Клиенты",
        "Клиентский опыт",
        "Customer experience",
        "Опыт клиента — главное",
        "CX first",
        "Customers",
    ),
    (
        "M2",
        "Технологии",
        "Аналитика 2.0",
        "Analytics 2.0",
        "Метрики, выручка, удержание",
        "Metrics",
        "Technology",
    ),
    ("M3", "Клиенты", "Персонализация", "Personalization", "Каждому своё", "To each their own", "Customers"),
]

DOCUMENT = {
    "id": "test-map",
    "title": {"ru": "Тестовая карта", "en": "Test map"},
    "description": {"ru": "Для тестов", "en": "For tests"},
    "source": "Набор тестов",
    "year": 2024,
    "categories": [
        {"id": "people", "title": {"ru": "Клиенты", "en": "Customers"}},
        {"id": "tech", "title": {"ru": "Технологии", "en": "Technology"}},
    ],
    "trends": [
        {
            "code": code,
            "category": "people" if category == "Клиенты" else "tech",
            "title": {"ru": title_ru, "en": title_en},
            "description": {"ru": description_ru, "en": description_en},
        }
        for code, category, title_ru, title_en, description_ru, description_en, _ in ROWS
    ],
}


# --- building inputs ----------------------------------------------------------------------------


def csv_bytes(
    rows: list[tuple] = ROWS,
    header: tuple = HEADER,
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[tuple] = ROWS, header: tuple = HEADER, *, extra_sheet: bool = False) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    if extra_sheet:
        workbook.create_sheet("Notes").append(["something", "else"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    workbook.close()
    return buffer.getvalue()


def table_bytes(kind: str, rows: list[tuple] = ROWS, header: tuple = HEADER) -> bytes:
    return csv_bytes(rows, header) if kind == "csv" else xlsx_bytes(rows, header)


def json_bytes(document: object = DOCUMENT) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def yaml_bytes(document: object = DOCUMENT) -> bytes:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8")


def problems_of(result: ImportResult) -> list[str]:
    """The problems of a refused import: with any problem there is never a document."""
    assert isinstance(result, ImportResult)
    assert result.problems
    assert result.document is None
    return result.problems


def imported(filename: str, data: bytes, meta: MapMeta | None = META) -> dict:
    result = parse_map_file(filename=filename, data=data, meta=meta)
    assert result.problems == []
    assert result.document is not None
    assert validate_map(result.document) == []
    return result.document


def with_cell(rows: list[tuple], row: int, column: str, value: object) -> list[tuple]:
    """``rows`` with one cell changed; ``row`` counts data rows from 0, ``column`` names a HEADER column."""
    changed = [list(r) for r in rows]
    changed[row][HEADER.index(column)] = value
    return [tuple(r) for r in changed]


# --- every format imports a valid map -----------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "make"),
    [
        ("map.csv", lambda: csv_bytes()),
        ("map.csv", lambda: csv_bytes(encoding="utf-8-sig")),
        ("map.csv", lambda: csv_bytes(delimiter=";", encoding="cp1251")),
        ("map.csv", lambda: csv_bytes(delimiter="\t")),
        ("MAP.CSV", lambda: csv_bytes()),
        ("map.xlsx", lambda: xlsx_bytes()),
        ("map.XLSX", lambda: xlsx_bytes(extra_sheet=True)),
        ("map.json", lambda: json_bytes()),
        ("map.yaml", lambda: yaml_bytes()),
        ("map.yml", lambda: yaml_bytes()),
    ],
    ids=["csv-utf8", "csv-utf8-bom", "csv-cp1251-semicolon", "csv-tab", "csv-upper-ext", "xlsx",
         "xlsx-two-sheets", "json", "yaml", "yml"],
)  # fmt: skip
def test_each_format_imports_a_valid_three_trend_map_with_cyrillic_intact(
    filename: str, make: Callable[[], bytes]
) -> None:
    document = imported(filename, make())
    assert [t["code"] for t in document["trends"]] == ["M1", "M2", "M3"]
    assert [t["title"]["ru"] for t in document["trends"]] == [
        "Клиентский опыт",
        "Аналитика 2.0",
        "Персонализация",
    ]
    assert document["trends"][0]["description"]["ru"] == "Опыт клиента — главное"
    assert document["trends"][1]["description"]["ru"] == "Метрики, выручка, удержание"
    assert [c["title"] for c in document["categories"]] == [
        {"ru": "Клиенты", "en": "Customers"},
        {"ru": "Технологии", "en": "Technology"},
    ]
    assert document["title"] == {"ru": "Тестовая карта", "en": "Test map"}


def test_json_import_gives_back_the_document_as_it_was() -> None:
    assert imported("map.json", json_bytes(), meta=None) == DOCUMENT


def test_the_builtin_maps_import_unchanged_from_json_and_yaml() -> None:
    for path in sorted(BUILTIN_DIR.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        assert imported(path.name, path.read_bytes(), meta=None) == document
        assert imported("map.yaml", yaml_bytes(document), meta=None) == document


def test_cp1251_csv_is_decoded_when_it_is_not_utf8() -> None:
    data = csv_bytes(delimiter=";", encoding="cp1251")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert imported("map.csv", data)["trends"][2]["title"]["ru"] == "Персонализация"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_sniffed_from_the_header_even_with_commas_in_cells(delimiter: str) -> None:
    rows = with_cell(ROWS, 0, "description_en", "one, two, three; four")
    document = imported("map.csv", csv_bytes(rows, delimiter=delimiter))
    assert document["trends"][0]["description"]["en"] == "one, two, three; four"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_header_names_are_case_and_whitespace_tolerant_and_unknown_columns_are_ignored(kind: str) -> None:
    header = (
        " Code ",
        "CATEGORY",
        "Title_RU",
        "title en",
        "Description-RU ",
        "DESCRIPTION_EN",
        "Category_EN",
    )
    rows = [(*row, "ignored note") for row in ROWS]
    document = imported(f"map.{kind}", table_bytes(kind, rows, (*header, "Notes")))
    assert document["trends"][1]["title"]["en"] == "Analytics 2.0"
    assert "Notes" not in json.dumps(document)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_columns_may_come_in_any_order(kind: str) -> None:
    order = [6, 5, 4, 3, 2, 1, 0]
    header = tuple(HEADER[i] for i in order)
    rows = [tuple(row[i] for i in order) for row in ROWS]
    assert imported(f"map.{kind}", table_bytes(kind, rows, header)) == imported("map.csv", csv_bytes())


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (("code", "category", "title_ru", "title_en", "description_ru"), "missing columns: description_en"),
        (("code", "title_ru", "description_ru"), "missing columns: category, title_en, description_en"),
        (
            ("Код", "Раздел"),
            "missing columns: code, category, title_ru, title_en, description_ru, description_en",
        ),
    ],
)
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_missing_columns_are_listed_in_one_problem(kind: str, header: tuple, expected: str) -> None:
    rows = [row[: len(header)] for row in ROWS]
    problems = problems_of(
        parse_map_file(filename=f"map.{kind}", data=table_bytes(kind, rows, header), meta=META)
    )
    assert len(problems) == 1
    assert problems[0].startswith(expected + " (")


def test_a_column_named_twice_in_the_header_is_a_problem() -> None:
    header = (*HEADER, "code")
    rows = [(*row, "X") for row in ROWS]
    problems = problems_of(parse_map_file(filename="map.csv", data=csv_bytes(rows, header), meta=META))
    assert problems == ["column 'code' appears twice in the header row"]


# --- row problems name the row and the field ----------------------------------------------------

ROW_CASES = [
    # (data row from 0, column, value, the problem) — spreadsheet row = data row + 2
    (1, "title_en", "", "row 3: title_en is empty"),
    (0, "description_ru", "   \n\t ", "row 2: description_ru is empty"),
    (2, "category", "\u200b\u200d", "row 4: category is empty"),
    (2, "code", "", "row 4: code is empty"),
    (2, "code", "M 3", "row 4: code 'M 3' must be 1-12 letters or digits"),
    (2, "code", "M-3", "row 4: code 'M-3' must be 1-12 letters or digits"),
    (2, "code", "ABCDEFGHIJKLM", "row 4: code 'ABCDEFGHIJKLM' must be 1-12 letters or digits"),
    (2, "code", "M1", "row 4: code 'M1' is used twice"),
    (0, "title_ru", "т" * 121, "row 2: title_ru is longer than 120 characters"),
    (1, "description_ru", "д" * 401, "row 3: description_ru is longer than 400 characters"),
    (1, "description_en", "d" * 1001, "row 3: description_en is longer than 1000 characters"),
    (0, "category", "к" * 121, "row 2: category is longer than 120 characters"),
    (0, "category_en", "c" * 121, "row 2: category_en is longer than 120 characters"),
]


@pytest.mark.parametrize(("row", "column", "value", "expected"), ROW_CASES, ids=[c[3] for c in ROW_CASES])
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_bad_cell_is_one_problem_naming_the_row_and_field(
    kind: str, row: int, column: str, value: str, expected: str
) -> None:
    rows = with_cell(ROWS, row, column, value)
    result = parse_map_file(filename=f"map.{kind}", data=table_bytes(kind, rows), meta=META)
    assert problems_of(result) == [expected]


@pytest.mark.parametrize(("length", "ok"), [(120, True), (121, False)])
def test_a_title_may_be_120_characters_and_no_more(length: int, ok: bool) -> None:
    result = parse_map_file(
        filename="map.csv", data=csv_bytes(with_cell(ROWS, 0, "title_en", "t" * length)), meta=META
    )
    assert (result.document is not None) is ok


def test_every_bad_row_is_reported_not_only_the_first() -> None:
    rows = with_cell(with_cell(ROWS, 0, "title_ru", ""), 2, "description_en", "")
    problems = problems_of(parse_map_file(filename="map.csv", data=csv_bytes(rows), meta=META))
    assert problems == ["row 2: title_ru is empty", "row 4: description_en is empty"]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_empty_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers(kind: str) -> None:
    blank = ("",) * len(HEADER) if kind == "csv" else (None,) * len(HEADER)
    rows = [ROWS[0], blank, blank, ROWS[1], with_cell(ROWS, 2, "title_en", "")[2]]
    problems = problems_of(parse_map_file(filename=f"map.{kind}", data=table_bytes(kind, rows), meta=META))
    assert problems == ["row 6: title_en is empty"]
    document = imported(f"map.{kind}", table_bytes(kind, [ROWS[0], blank, ROWS[1], blank, ROWS[2]]))
    assert [t["code"] for t in document["trends"]] == ["M1", "M2", "M3"]


def test_a_csv_without_data_rows_is_refused() -> None:
    problems = problems_of(parse_map_file(filename="map.csv", data=csv_bytes([]), meta=META))
    assert problems == ["the table has no trends under its header row"]


def test_cells_are_tidied_to_one_line_without_control_characters() -> None:
    rows = with_cell(ROWS, 0, "title_en", "  Customer \n\n experience\t\x07first\u200b  ")
    rows = with_cell(rows, 0, "description_ru", "Опыт\r\nклиента\u202e —   главное")
    trend = imported("map.csv", csv_bytes(rows))["trends"][0]
    assert trend["title"]["en"] == "Customer experience first"
    assert trend["description"]["ru"] == "Опыт клиента — главное"


def test_a_cell_larger_than_the_csv_field_limit_is_a_problem_not_an_exception() -> None:
    rows = with_cell(ROWS, 1, "description_en", "x" * 200_000)
    problems = problems_of(parse_map_file(filename="map.csv", data=csv_bytes(rows), meta=META))
    assert problems == ["row 3: a cell is longer than 1000 characters"]


def test_a_long_cell_in_an_ignored_column_is_still_refused() -> None:
    rows = [(*row, "n" * 1001) for row in ROWS]
    problems = problems_of(
        parse_map_file(filename="map.csv", data=csv_bytes(rows, (*HEADER, "notes")), meta=META)
    )
    assert problems == [f"row {n}: notes is longer than 1000 characters" for n in (2, 3, 4)]
    unnamed = [(*row, "", "n" * 1001) for row in ROWS]
    problems = problems_of(
        parse_map_file(filename="map.csv", data=csv_bytes(unnamed, (*HEADER, "", "")), meta=META)
    )
    assert problems[0] == "row 2: column I is longer than 1000 characters"


def test_problems_are_capped_at_fifty() -> None:
    rows = [(f"T{i}", "Раздел", "", "Title", "Описание", "Description", "") for i in range(80)]
    problems = problems_of(parse_map_file(filename="map.csv", data=csv_bytes(rows), meta=META))
    assert len(problems) == 50
    assert problems[0] == "row 2: title_ru is empty"
    assert problems[-1] == "… and 31 more"


# --- categories, sources and the map's own fields -----------------------------------------------


def test_categories_are_numbered_in_order_of_appearance() -> None:
    rows = [with_cell(ROWS, 0, "category", "Третий раздел")[0], *ROWS]
    rows = [with_cell([r], 0, "code", f"T{i}")[0] for i, r in enumerate(rows)]
    document = imported("map.csv", csv_bytes(rows))
    assert [(c["id"], c["title"]["ru"]) for c in document["categories"]] == [
        ("c1", "Третий раздел"),
        ("c2", "Клиенты"),
        ("c3", "Технологии"),
    ]
    assert [t["category"] for t in document["trends"]] == ["c1", "c2", "c3", "c2"]


@pytest.mark.parametrize(
    ("category_en_cells", "expected_en"),
    [
        (("Customers", "Technology", "Customers"), ["Customers", "Technology"]),
        (("", "", ""), ["Клиенты", "Технологии"]),
        (("", "Technology", "Clients"), ["Clients", "Technology"]),
        (("Customers", "Technology", "Clients"), ["Customers", "Technology"]),
    ],
    ids=["given", "empty-falls-back-to-ru", "first-non-empty-wins", "first-wins-over-later"],
)
def test_category_en_gives_the_english_category_title(
    category_en_cells: tuple, expected_en: list[str]
) -> None:
    rows = [
        with_cell([row], 0, "category_en", en)[0] for row, en in zip(ROWS, category_en_cells, strict=True)
    ]
    document = imported("map.csv", csv_bytes(rows))
    assert [c["title"]["en"] for c in document["categories"]] == expected_en


def test_without_a_category_en_column_the_english_title_is_the_category_cell() -> None:
    rows = [row[:6] for row in ROWS]
    document = imported("map.csv", csv_bytes(rows, TABLE_COLUMNS))
    assert [c["title"] for c in document["categories"]] == [
        {"ru": "Клиенты", "en": "Клиенты"},
        {"ru": "Технологии", "en": "Технологии"},
    ]


def test_the_source_column_becomes_the_trends_source() -> None:
    rows = [(*row, source) for row, source in zip(ROWS, ["Forbes, 2017", "", " HBR "], strict=True)]
    document = imported("map.csv", csv_bytes(rows, (*HEADER, "source")))
    assert [t.get("source") for t in document["trends"]] == ["Forbes, 2017", None, "HBR"]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_table_needs_the_maps_title_source_and_year(kind: str) -> None:
    result = parse_map_file(filename=f"map.{kind}", data=table_bytes(kind), meta=None)
    assert problems_of(result) == ["the map's title, source and year are needed"]


def test_without_meta_the_rows_are_still_checked() -> None:
    rows = with_cell(ROWS, 1, "code", "M1")
    result = parse_map_file(filename="map.csv", data=csv_bytes(rows), meta=None)
    assert problems_of(result) == [
        "row 3: code 'M1' is used twice",
        "the map's title, source and year are needed",
    ]


@pytest.mark.parametrize(
    ("map_id", "title_en", "expected"),
    [
        ("", "Top 10 Marketing Trends: 2017!", "top-10-marketing-trends-2017"),
        ("", "Café — économie   2024", "cafe-economie-2024"),
        ("", "Тренды", "imported-map"),
        ("", "x" * 100, "x" * 64),
        ("my-map", "Anything", "my-map"),
        (" My-Map ", "Anything", "my-map"),
    ],
)
def test_the_map_id_is_given_or_derived_from_title_en(map_id: str, title_en: str, expected: str) -> None:
    meta = MapMeta(id=map_id, title_ru="Карта", title_en=title_en, source="Тесты", year=2024)
    assert imported("map.csv", csv_bytes(), meta)["id"] == expected


def test_meta_text_is_tidied_and_an_empty_description_falls_back_to_the_title() -> None:
    meta = MapMeta(id="", title_ru=" Карта\n трендов ", title_en="Trend map", source=" Тесты ", year=2024)
    document = imported("map.csv", csv_bytes(), meta)
    assert document["title"] == {"ru": "Карта трендов", "en": "Trend map"}
    assert document["description"] == {"ru": "Карта трендов", "en": "Trend map"}
    assert document["source"] == "Тесты"
    described = MapMeta("", "Карта", "Map", "Тесты", 2024, description_ru="Описание", description_en="About")
    assert imported("map.csv", csv_bytes(), described)["description"] == {"ru": "Описание", "en": "About"}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"title_ru": ""}, ["map: title_ru is empty"]),
        ({"title_en": " \n "}, ["map: title_en is empty"]),
        ({"year": 1899}, ["map: year must be a whole number from 1900 to 2100"]),
        ({"year": 2101}, ["map: year must be a whole number from 1900 to 2100"]),
        ({"year": "2017"}, ["map: year must be a whole number from 1900 to 2100"]),
        ({"source": ""}, ["map: source is missing"]),
        ({"id": "Not a slug"}, ["map: id must be a lowercase slug"]),
        ({"title_en": "T" * 201}, ["map: title_en is longer than 200 characters"]),
    ],
)
def test_bad_meta_is_reported_once(changes: dict, expected: list[str]) -> None:
    meta = MapMeta(**{**META.__dict__, **changes})
    assert problems_of(parse_map_file(filename="map.csv", data=csv_bytes(), meta=meta)) == expected


# --- files refused as a whole -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("map.txt", "unsupported file type '.txt': use CSV, XLSX, YAML or JSON"),
        ("map.xls", "unsupported file type '.xls': use CSV, XLSX, YAML or JSON"),
        ("map.json.exe", "unsupported file type '.exe': use CSV, XLSX, YAML or JSON"),
        ("map", "unsupported file type (no extension): use CSV, XLSX, YAML or JSON"),
        ("", "unsupported file type (no extension): use CSV, XLSX, YAML or JSON"),
    ],
)
def test_an_unsupported_extension_is_refused(filename: str, expected: str) -> None:
    assert problems_of(parse_map_file(filename=filename, data=json_bytes(), meta=META)) == [expected]


@pytest.mark.parametrize("filename", ["map.csv", "map.xlsx", "map.json", "map.yaml"])
def test_a_file_over_one_megabyte_is_refused_before_parsing(filename: str) -> None:
    data = b"{" * (MAX_BYTES + 1)  # would be a nesting or syntax problem if it were parsed
    assert problems_of(parse_map_file(filename=filename, data=data, meta=META)) == [
        "the file is larger than 1 MB"
    ]


@pytest.mark.parametrize("filename", ["map.csv", "map.xlsx", "map.json", "map.yaml", "map.yml"])
@pytest.mark.parametrize("data", [b"", b" \r\n\t ", b"\xef\xbb\xbf\n"], ids=["empty", "blank", "bom-only"])
def test_an_empty_file_is_refused(filename: str, data: bytes) -> None:
    assert problems_of(parse_map_file(filename=filename, data=data, meta=META)) == ["the file is empty"]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('{\n  "id": "x",\n  "title" {}\n}', 3),
        ('{\n  "id": "x",\n  "year": 2017,\n}', 4),
        ('{"id": "x"', 1),
        ('{\n\n\n\n  "id": "x" "y"}', 5),
    ],
)
def test_malformed_json_names_the_line(text: str, line: int) -> None:
    problems = problems_of(parse_map_file(filename="map.json", data=text.encode(), meta=None))
    assert len(problems) == 1
    assert problems[0].startswith(f"line {line}: ")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("id: x\ntitle: {ru: a\nyear: 2017\n", 3),
        ("id: x\n  title: y\n", 2),
        ("id: x\n---\nid: y\n", 2),
        ("id: x\ntrends: !!python/object/apply:os.system ['echo hacked']\n", 2),
    ],
    ids=["unclosed-flow", "bad-indent", "two-documents", "python-tag"],
)
def test_malformed_yaml_names_the_line(text: str, line: int) -> None:
    problems = problems_of(parse_map_file(filename="map.yaml", data=text.encode(), meta=None))
    assert len(problems) == 1
    assert problems[0].startswith(f"line {line}: ")


@pytest.mark.parametrize(("filename", "dump"), [("map.json", json_bytes), ("map.yaml", yaml_bytes)])
def test_a_json_or_yaml_file_that_is_not_utf8_is_refused(filename: str, dump: Callable) -> None:
    text = dump().decode("utf-8")
    data = text.encode("cp1251")
    line = next(n for n, x in enumerate(text.splitlines(), 1) if "Тест" in x)  # the first non-ASCII line
    assert problems_of(parse_map_file(filename=filename, data=data)) == [
        f"line {line}: the file is not UTF-8 text"
    ]


def laughs(levels: int) -> bytes:
    """The "billion laughs": each level an anchored list of nine aliases to the level before."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    names = "abcdefghi"[:levels]
    for name, previous in zip(names[1:], names, strict=False):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines).encode()


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        (5, "the YAML document expands to more than 20000 values (anchors and aliases)"),  # 9**5, 6 deep
        (9, f"the YAML document nests deeper than {MAX_DEPTH} levels (through aliases)"),  # the classic
    ],
)
def test_a_yaml_billion_laughs_is_refused_quickly(levels: int, expected: str) -> None:
    assert len(laughs(levels)) < 1000
    started = time.perf_counter()
    problems = problems_of(parse_map_file(filename="bomb.yaml", data=laughs(levels)))
    assert time.perf_counter() - started < 2
    assert problems == [expected]


def test_yaml_aliases_within_the_limits_are_fine() -> None:
    document = yaml.safe_load(yaml_bytes())
    text = yaml_bytes().decode().replace("source: Набор тестов", "source: &src Набор тестов", 1)
    text += "extra: *src\n"
    assert "&src" in text
    assert imported("map.yaml", text.encode(), meta=None) == document  # the extra key is dropped


@pytest.mark.parametrize(
    "text",
    [
        "a: &a [*a]\n",
        "a: &a {b: *a}\n",
        "[" * 10_000 + "]" * 10_000,
        "x:\n" + "".join("  " * i + "- \n" for i in range(1, 12)),
        "a: &a [[[1]]]\nb: [[[*a]]]\n",
    ],
    ids=["self-alias-list", "self-alias-map", "flow-10000", "block-deep", "deep-through-alias"],
)
def test_deep_or_recursive_yaml_is_refused_without_recursion(text: str) -> None:
    problems = problems_of(parse_map_file(filename="deep.yaml", data=text.encode()))
    assert len(problems) == 1
    assert "nest" in problems[0]


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100, 10_000])
def test_deeply_nested_json_is_refused_without_recursion_error(depth: int) -> None:
    data = b"[" * depth + b"]" * depth
    assert problems_of(parse_map_file(filename="deep.json", data=data)) == [
        f"line 1: the file nests deeper than {MAX_DEPTH} levels"
    ]


def test_nesting_inside_json_strings_does_not_count() -> None:
    document = {**DOCUMENT, "description": {"ru": "[[[[[[[[[[{{{{{{{{", "en": '"]]]]\\"[[[[[[[[[['}}
    assert imported("map.json", json_bytes(document), meta=None)["description"] == document["description"]


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("map.json", b"[1, 2, 3]"),
        ("map.json", b'"a map"'),
        ("map.json", b"null"),
        ("map.yaml", b"- a\n- b\n"),
        ("map.yaml", b"just text\n"),
    ],
)
def test_a_top_level_that_is_not_an_object_is_refused(filename: str, data: bytes) -> None:
    problems = problems_of(parse_map_file(filename=filename, data=data))
    assert len(problems) == 1
    assert problems[0].startswith("the file must hold one map object")


UNUSED_CATEGORY = {"id": "x", "title": {"ru": "Х", "en": "X"}}


@pytest.mark.parametrize("dump", [json_bytes, yaml_bytes], ids=["json", "yaml"])
@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["trends"][1].pop("code"), ["trend 2: code must be 1-12 letters or digits"]),
        (lambda d: d["trends"][0]["title"].update(en=""), ["trend 1: title_en is missing or empty"]),
        (lambda d: d["trends"][2].update(code="M1"), ["trend 3: code 'M1' is used twice"]),
        (lambda d: d["trends"][2].update(category="nope"), ["trend 3: category 'nope' is not defined"]),
        (lambda d: d.pop("source"), ["map: source is missing"]),
        (lambda d: d.update(id="Bad id"), ["map: id must be a lowercase slug"]),
        (lambda d: d.update(year=1850), ["map: year must be a whole number from 1900 to 2100"]),
        (lambda d: d.update(year=True), ["map: year must be a whole number from 1900 to 2100"]),
        (lambda d: d.update(year="2017"), ["map: year must be a whole number"]),
        (lambda d: d["categories"].append(UNUSED_CATEGORY), ["category 'x' has no trends"]),
        (lambda d: d["categories"][0]["title"].update(ru=""), ["category 1: title_ru is missing or empty"]),
    ],
)  # fmt: skip
def test_document_problems_are_readable(dump: Callable, change: Callable, expected: list[str]) -> None:
    document = json.loads(json.dumps(DOCUMENT))
    change(document)
    filename = "map.json" if dump is json_bytes else "map.yaml"
    assert problems_of(parse_map_file(filename=filename, data=dump(document))) == expected


def test_text_that_is_only_invisible_characters_is_caught_after_cleaning() -> None:
    document = json.loads(json.dumps(DOCUMENT))
    document["trends"][0]["title"]["ru"] = "\u200b\u2800"
    assert problems_of(parse_map_file(filename="map.json", data=json_bytes(document))) == [
        "trend 1: title_ru is missing or empty"
    ]


def test_json_text_is_tidied_and_unknown_keys_are_dropped() -> None:
    document = json.loads(json.dumps(DOCUMENT))
    document["trends"][0]["title"]["ru"] = "  Клиентский\n опыт\u200b "
    document["trends"][0]["source"] = " HBR "
    document["comment"] = "not part of the format"
    imported_document = imported("map.json", json_bytes(document), meta=None)
    assert imported_document["trends"][0]["title"]["ru"] == "Клиентский опыт"
    assert imported_document["trends"][0]["source"] == "HBR"
    assert "comment" not in imported_document


def test_a_yaml_numeric_code_is_read_as_text() -> None:
    text = yaml_bytes().decode().replace("code: M1", "code: 7", 1)
    assert imported("map.yaml", text.encode(), meta=None)["trends"][0]["code"] == "7"


@pytest.mark.parametrize("dump", [json_bytes, yaml_bytes], ids=["json", "yaml"])
def test_a_document_with_more_than_500_trends_is_refused(dump: Callable) -> None:
    trend = DOCUMENT["trends"][0]
    document = {**DOCUMENT, "trends": [{**trend, "code": f"T{i}"} for i in range(MAX_TRENDS + 1)]}
    filename = "map.json" if dump is json_bytes else "map.yaml"
    assert problems_of(parse_map_file(filename=filename, data=dump(document))) == [
        "the map has 501 trends; at most 500 are allowed"
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01random bytes, not a workbook" * 10,
        b"PK\x03\x04 looks like a zip but is not",
        json_bytes(),
    ],
    ids=["random", "fake-zip-header", "json-content"],
)
def test_an_xlsx_that_is_not_a_workbook_is_refused(data: bytes) -> None:
    assert problems_of(parse_map_file(filename="map.xlsx", data=data, meta=META)) == [
        "the file is not a valid XLSX workbook (save it from Excel as .xlsx)"
    ]


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert problems_of(parse_map_file(filename="map.xlsx", data=buffer.getvalue(), meta=META)) == [
        "the file is not a valid XLSX workbook (save it from Excel as .xlsx)"
    ]


def test_an_xlsx_that_unpacks_to_too_much_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" * 60_000_000)
    assert len(buffer.getvalue()) < MAX_BYTES
    assert problems_of(parse_map_file(filename="map.xlsx", data=buffer.getvalue(), meta=META)) == [
        "the workbook unpacks to more than 50 MB"
    ]


@pytest.mark.parametrize(("count", "ok"), [(MAX_TRENDS, True), (MAX_TRENDS + 1, False)])
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_table_may_hold_500_trends_and_no_more(kind: str, count: int, ok: bool) -> None:
    rows = [
        (f"T{i}", "Раздел", f"Тренд {i}", f"Trend {i}", "Описание", "Description", "Section")
        for i in range(count)
    ]
    result = parse_map_file(filename=f"map.{kind}", data=table_bytes(kind, rows), meta=META)
    if ok:
        assert result.problems == []
        assert len(result.document["trends"]) == MAX_TRENDS
    else:
        assert problems_of(result) == ["the table has more than 500 trends (row 502 is one too many)"]


def test_xlsx_numbers_and_formulas_are_read_as_values() -> None:
    rows = with_cell(ROWS, 0, "code", 7)
    rows = with_cell(rows, 1, "code", 8.0)
    rows = with_cell(rows, 2, "title_en", "=B2")  # openpyxl stores no cached value: read as empty
    problems = problems_of(parse_map_file(filename="map.xlsx", data=xlsx_bytes(rows), meta=META))
    assert problems == ["row 4: title_en is empty"]
    document = imported("map.xlsx", xlsx_bytes(with_cell(with_cell(ROWS, 0, "code", 7), 1, "code", 8.0)))
    assert [t["code"] for t in document["trends"]] == ["7", "8", "M3"]


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("map.csv", b"\x98\x98\x98"),
        ("map.csv", b"code,category\n\x00\x00,\x00"),
        ("map.json", b"\xff\xfe{\x00}\x00"),
        ("map.json", b'{"year": ' + b"9" * 5000 + b"}"),
        ("map.yaml", b"year: " + b"9" * 5000),
        ("map.yaml", b"\t- tab\n"),
        ("map.xlsx", b"\x00"),
    ],
)
def test_garbage_never_raises(filename: str, data: bytes) -> None:
    problems_of(parse_map_file(filename=filename, data=data, meta=META))


def test_a_file_in_neither_utf8_nor_cp1251_is_refused() -> None:
    assert problems_of(parse_map_file(filename="map.csv", data=b"\x98\x98\x98", meta=META)) == [
        "the file is neither UTF-8 nor Windows-1251 text"
    ]


# --- document_to_rows: the way back -------------------------------------------------------------


def rows_to_csv(rows: list[dict[str, str]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=[*TABLE_COLUMNS, *OPTIONAL_COLUMNS], delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def meta_of(document: dict) -> MapMeta:
    return MapMeta(
        id=document["id"],
        title_ru=document["title"]["ru"],
        title_en=document["title"]["en"],
        source=document["source"],
        year=document["year"],
        description_ru=document["description"]["ru"],
        description_en=document["description"]["en"],
    )


def comparable(document: dict) -> list[tuple]:
    """The trends with their category titles: category ids differ between formats."""
    categories = {c["id"]: (c["title"]["ru"], c["title"]["en"]) for c in document["categories"]}
    return [
        (t["code"], categories[t["category"]], t["title"], t["description"], t.get("source", ""))
        for t in document["trends"]
    ]


def test_document_to_rows_gives_the_table_columns() -> None:
    rows = document_to_rows(DOCUMENT)
    assert rows[1] == {
        "code": "M2",
        "category": "Технологии",
        "title_ru": "Аналитика 2.0",
        "title_en": "Analytics 2.0",
        "description_ru": "Метрики, выручка, удержание",
        "description_en": "Metrics",
        "category_en": "Technology",
        "source": "",
    }
    assert list(rows[0]) == [*TABLE_COLUMNS, *OPTIONAL_COLUMNS]


@pytest.mark.parametrize("path", sorted(BUILTIN_DIR.glob("*.json")), ids=lambda p: p.name)
@pytest.mark.parametrize(("delimiter", "encoding"), [(",", "utf-8"), (";", "cp1251")])
def test_rows_to_csv_and_back_give_the_same_trends(path, delimiter: str, encoding: str) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    document["trends"][0]["source"] = "Forbes"
    data = rows_to_csv(document_to_rows(document), delimiter=delimiter, encoding=encoding)
    again = imported("export.csv", data, meta_of(document))
    assert comparable(again) == comparable(document)
    assert {k: again[k] for k in ("id", "title", "description", "source", "year")} == {
        k: document[k] for k in ("id", "title", "description", "source", "year")
    }


def test_rows_to_xlsx_and_back_give_the_same_trends() -> None:
    rows = document_to_rows(DOCUMENT)
    data = xlsx_bytes([tuple(r.values()) for r in rows], tuple(rows[0]))
    assert comparable(imported("export.xlsx", data, meta_of(DOCUMENT))) == comparable(DOCUMENT)


def test_document_to_rows_tolerates_a_partial_document() -> None:
    assert document_to_rows({}) == []
    assert document_to_rows({"trends": [{"code": "A1"}, "junk"]}) == [
        dict.fromkeys([*TABLE_COLUMNS, *OPTIONAL_COLUMNS], "") | {"code": "A1"}
    ]
