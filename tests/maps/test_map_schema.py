"""The models of an uploaded trend map: a table row names each bad cell, a document keeps only
the format's fields with tidy text."""

from __future__ import annotations

import copy

from workshop.maps.schema import LIMITS, TableRow, read_document
from workshop.maps.store import validate_map

ROW = {
    "code": "M1",
    "category": "Клиенты",
    "title_ru": "Клиентский опыт",
    "title_en": "Customer experience",
    "description_ru": "Опыт клиента — главное",
    "description_en": "CX first",
}

DOCUMENT = {
    "id": "test-map",
    "title": {"ru": "Тестовая карта", "en": "Test map"},
    "description": {"ru": "Для тестов", "en": "For tests"},
    "source": "Набор тестов",
    "year": 2024,
    "categories": [{"id": "people", "title": {"ru": "Клиенты", "en": "Customers"}}],
    "trends": [
        {
            "code": "M1",
            "category": "people",
            "title": {"ru": "Опыт", "en": "Experience"},
            "description": {"ru": "Главное", "en": "First"},
        }
    ],
}


def test_a_good_row_has_no_problems() -> None:
    assert TableRow.problems(ROW) == []
    assert TableRow.problems({**ROW, "category_en": "Customers", "source": "HBR"}) == []


def test_a_row_names_every_bad_cell_in_the_tables_column_order() -> None:
    row = {**ROW, "code": "M 1", "title_en": "", "description_ru": "д" * 401, "source": "s" * 301}

    assert TableRow.problems(row) == [
        ("code", "'M 1' must be 1-12 letters or digits"),
        ("title_en", "is empty"),
        ("description_ru", "is longer than 400 characters"),
        ("source", "is longer than 300 characters"),
    ]


def test_an_empty_code_is_empty_not_a_bad_code() -> None:
    assert TableRow.problems({**ROW, "code": ""}) == [("code", "is empty")]


def test_a_cell_may_be_as_long_as_its_column_allows() -> None:
    row = {name: "x" * LIMITS[name] for name in LIMITS} | {"code": "M1"}

    assert TableRow.problems(row) == []
    assert TableRow.problems({**row, "title_ru": "x" * (LIMITS["title_ru"] + 1)}) == [
        ("title_ru", "is longer than 120 characters")
    ]


def test_a_documents_own_keys_are_dropped_at_every_level() -> None:
    document = copy.deepcopy(DOCUMENT)
    document["comment"] = "ours"
    document["title"]["de"] = "Testkarte"
    document["categories"][0]["colour"] = "red"
    document["trends"][0]["votes"] = 3

    read, problems = read_document(document)

    assert problems == []
    assert read == DOCUMENT
    assert validate_map(read) == []


def test_a_documents_text_is_tidied_and_a_trend_without_a_source_has_none() -> None:
    document = copy.deepcopy(DOCUMENT)
    document["title"]["ru"] = "  Тестовая\n карта\u200b "
    document["trends"].append({**document["trends"][0], "code": "M2", "source": " HBR \t"})
    document["trends"][0]["source"] = "\u200b "

    read, problems = read_document(document)

    assert problems == []
    assert read["title"]["ru"] == "Тестовая карта"
    assert [t.get("source") for t in read["trends"]] == [None, "HBR"]
    assert "source" not in read["trends"][0]


def test_a_document_not_of_the_formats_shape_is_problems_not_an_exception() -> None:
    document = {**DOCUMENT, "year": "2024", "trends": [{"code": "M1"}]}

    read, problems = read_document(document)

    assert read is None
    assert "year: Input should be a valid integer" in problems
    assert "trends.1.category: Field required" in problems
