"""The printable poster: A3 and A1 pages, codes on them, Cyrillic that survives the PDF."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from workshop.render.poster import PosterTrend, poster_pdf

MAPS = Path(__file__).resolve().parents[2] / "trend_maps"


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: install Debian's poppler-utils (make browser does)")
    return path


def marketing_trends(lang: str = "ru") -> tuple[str, list[PosterTrend]]:
    document = json.loads((MAPS / "marketing_2017.json").read_text(encoding="utf-8"))
    categories = {c["id"]: c["title"][lang] for c in document["categories"]}
    trends = [
        PosterTrend(t["code"], t["title"][lang], t["description"][lang], categories[t["category"]])
        for t in document["trends"]
    ]
    return document["title"][lang], trends


@pytest.mark.parametrize(("size", "width_mm", "height_mm"), [("A3", 420, 297), ("A1", 841, 594)])
def test_poster_is_one_landscape_page_of_the_asked_size(tmp_path, size, width_mm, height_mm) -> None:
    title, trends = marketing_trends()
    path = tmp_path / f"poster-{size}.pdf"
    path.write_bytes(poster_pdf(title=title, subtitle="Newman, 2017", trends=trends, size=size))

    info = subprocess.run([tool("pdfinfo"), str(path)], capture_output=True, text=True, check=True).stdout

    pages = next(line for line in info.splitlines() if line.startswith("Pages:"))
    page_size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    points = [float(x) for x in page_size.split(":")[1].split("pts")[0].split("x")]
    assert pages.split()[-1] == "1"
    assert round(points[0] / 72 * 25.4) == width_mm and round(points[1] / 72 * 25.4) == height_mm


def test_poster_text_keeps_cyrillic_and_every_code(tmp_path) -> None:
    title, trends = marketing_trends()
    path = tmp_path / "poster.pdf"
    path.write_bytes(poster_pdf(title=title, subtitle="Ньюман, 2017", trends=trends, size="A3"))

    text = subprocess.run(
        [tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    fonts = subprocess.run([tool("pdffonts"), str(path)], capture_output=True, text=True, check=True).stdout

    assert "10 главных трендов маркетинга в 2017 году" in text
    assert all(t.code in text for t in trends)
    assert "Чатботы" in text
    assert "DejaVuSans" in fonts and " yes " in fonts  # embedded


def test_poster_renders_to_an_image(tmp_path) -> None:
    title, trends = marketing_trends("en")
    path = tmp_path / "poster.pdf"
    path.write_bytes(poster_pdf(title=title, subtitle="Newman, 2017", trends=trends, size="A3"))

    subprocess.run([tool("pdftoppm"), "-png", "-r", "30", str(path), str(tmp_path / "page")], check=True)

    png = next(tmp_path.glob("page*.png"))
    assert png.stat().st_size > 5_000


def test_unknown_poster_size_is_refused() -> None:
    with pytest.raises(ValueError):
        poster_pdf(title="t", subtitle="s", trends=[], size="A0")
