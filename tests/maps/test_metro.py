"""The trend map's metro layout: one layout for the projector, the maps page and the poster."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.render.test_poster import tool
from workshop.maps.metro import LINE_COLOURS, Station, centres, metro_layout
from workshop.render.poster import PosterTrend, poster_pdf

MAPS = Path(__file__).resolve().parents[2] / "trend_maps"


def map_stations(name: str, lang: str = "ru") -> list[Station]:
    document = json.loads((MAPS / name).read_text(encoding="utf-8"))
    categories = {c["id"]: c["title"][lang] for c in document["categories"]}
    return [
        Station(code=t["code"], title=t["title"][lang], category=categories[t["category"]], key=i)
        for i, t in enumerate(document["trends"])
    ]


def test_each_category_is_a_line_in_the_order_it_first_appears() -> None:
    stations = [
        Station("A1", "a", "Alpha"),
        Station("B1", "b", "Beta"),
        Station("A2", "a2", "Alpha"),
        Station("C1", "c", "Gamma"),
    ]

    layout = metro_layout(stations)

    assert [line.category for line in layout.lines] == ["Alpha", "Beta", "Gamma"]
    assert [[s.code for s in line.stations] for line in layout.lines] == [["A1", "A2"], ["B1"], ["C1"]]
    assert [line.colour for line in layout.lines] == list(LINE_COLOURS[:3])


def test_a_line_is_cut_into_as_many_cells_as_the_longest_line_has_stations() -> None:
    assert centres(4, 4) == pytest.approx([0.125, 0.375, 0.625, 0.875])
    assert metro_layout([Station(f"A{i}", "t", "A") for i in range(6)]).cell == pytest.approx(1 / 6)


def test_a_short_line_spans_the_whole_width_like_a_long_one() -> None:
    long_line, short_line = centres(6, 6), centres(3, 6)

    assert short_line[0] == pytest.approx(long_line[0])
    assert short_line[-1] == pytest.approx(long_line[-1])
    assert short_line[1] == pytest.approx(0.5)


def test_a_line_of_one_station_starts_where_the_others_start() -> None:
    assert centres(1, 5) == pytest.approx([0.1])
    assert centres(0, 5) == []


def test_every_station_keeps_its_trend_for_the_live_counts() -> None:
    layout = metro_layout(map_stations("consumer_b2b_2026.json"))

    data = layout.as_data()

    keys = [s["key"] for line in data["lines"] for s in line["stations"]]
    assert layout.stations == 36 and data["columns"] == 6 and len(data["lines"]) == 6
    assert sorted(keys) == list(range(36))
    assert json.loads(json.dumps(data)) == data  # plain data, for the page that draws it


@pytest.mark.parametrize("name", ["consumer_b2b_2026.json", "marketing_2017.json", "sales_2017.json"])
def test_the_poster_puts_each_station_where_the_projector_does(tmp_path, name) -> None:
    stations = map_stations(name)
    layout = metro_layout(stations)
    trends = [PosterTrend(s.code, s.title, "", s.category) for s in stations]
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(poster_pdf(title="Карта", subtitle="", trends=trends, size="A3"))

    html = subprocess.run(
        [tool("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = re.findall(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)<', html)
    printed = {text: (float(x0) + float(x1)) / 2 for x0, x1, text in words}

    # The poster's line runs from x0 to x1 in points; every code is centred on its station.
    line_start, line_end = 36.0 + 150.0, 1190.55 - 36.0
    for line in layout.lines:
        for station in line.stations:
            expected = line_start + (line_end - line_start) * station.x
            assert printed[station.code] == pytest.approx(expected, abs=1.0), station.code
