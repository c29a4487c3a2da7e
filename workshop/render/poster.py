"""The trend map as a printable poster (PDF, A3 or A1, landscape) for the physical wall.

Drawn as vector graphics with reportlab: each category is a coloured metro line, each trend a
station with its code, title and one-line description. Cyrillic needs a TrueType font with
the glyphs: Debian's DejaVu Sans (package fonts-dejavu-core), embedded in the PDF.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A1, A3, landscape
from reportlab.pdfgen.canvas import Canvas

from workshop.maps.metro import Station, metro_layout
from workshop.render.fonts import FontMissing, pdf_fonts

__all__ = ["FontMissing", "PosterTrend", "poster_pdf"]  # FontMissing: what the maps page catches

SIZES = {"A3": landscape(A3), "A1": landscape(A1)}
INK = HexColor("#111111")
GREY = HexColor("#555555")


@dataclass(frozen=True)
class PosterTrend:
    code: str
    title: str
    description: str
    category: str


def _wrap(text: str, width: int, lines: int) -> list[str]:
    wrapped = textwrap.wrap(text, width=width, break_long_words=False) or [""]
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], wrapped[lines - 1][: width - 1] + "…"]
    return wrapped


def poster_pdf(
    *,
    title: str,
    subtitle: str,
    trends: Sequence[PosterTrend],
    size: str = "A3",
) -> bytes:
    """One landscape page at ``size`` ("A3" or "A1"); the A1 page is the A3 layout scaled 2x."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}")
    regular, bold = pdf_fonts()
    page_w, page_h = SIZES[size]
    base_w, base_h = SIZES["A3"]
    scale = page_w / base_w
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(page_w, page_h))
    canvas.setTitle(title)
    canvas.setAuthor("Innovation workshop")
    canvas.scale(scale, scale)
    margin = 36.0

    canvas.setFillColor(INK)
    canvas.setFont(bold, 30)
    canvas.drawString(margin, base_h - margin - 24, title)
    canvas.setFont(regular, 13)
    canvas.setFillColor(GREY)
    canvas.drawString(margin, base_h - margin - 46, subtitle)

    # The projector's layout: the same lines, stations and positions, drawn on paper.
    layout = metro_layout([Station(code=t.code, title=t.title, category=t.category) for t in trends])
    descriptions = {(t.category, t.code): t.description for t in trends}
    rows = max(len(layout.lines), 1)
    top = base_h - margin - 80
    row_h = (top - margin) / rows
    label_w = 150.0
    x0, x1 = margin + label_w, base_w - margin
    cell = max(min(int((x1 - x0) * layout.cell / 6.2), 32), 12)  # characters per line under a station
    for row, line in enumerate(layout.lines):
        colour = HexColor(line.colour)
        y = top - row * row_h - row_h * 0.32
        xs = [x0 + (x1 - x0) * s.x for s in line.stations]
        canvas.setStrokeColor(colour)
        canvas.setLineWidth(7)
        canvas.line(min(xs) - 18, y, max(xs) + 18, y)
        canvas.setFillColor(colour)
        canvas.setFont(bold, 12)
        for i, text in enumerate(_wrap(line.category, 22, 3) if not line.continued else []):
            canvas.drawRightString(x0 - 12, y + 8 - i * 14, text)
        for x, station in zip(xs, line.stations, strict=True):
            canvas.setFillColor(white)
            canvas.setStrokeColor(colour)
            canvas.setLineWidth(4)
            canvas.circle(x, y, 9, stroke=1, fill=1)
            canvas.setFillColor(INK)
            canvas.setFont(bold, 15)
            canvas.drawCentredString(x, y + 16, station.code)
            canvas.setFont(bold, 10)
            ty = y - 24
            for text in _wrap(station.title, cell, 2):
                canvas.drawCentredString(x, ty, text)
                ty -= 12
            canvas.setFont(regular, 8)
            canvas.setFillColor(GREY)
            for text in _wrap(descriptions.get((line.category, station.code), ""), int(cell * 1.15), 4):
                canvas.drawCentredString(x, ty, text)
                ty -= 10
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
