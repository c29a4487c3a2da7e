"""A workshop's record as files: a one-page PDF for leadership, the template as a PNG, CSV and
XLSX of every note and vote, and a Markdown summary. Each function returns the file's bytes.

Everything people read comes from ``workshop.i18n.t`` in the reader's language. Text written
by people (participants, facilitators, imported maps) is data: drawn literally in the PDF and
PNG, escaped in Markdown, and never a formula in a spreadsheet. The privacy rules live in the
record (``workshop.managers.record``): what it does not hold, no export can show.

Times are in UTC. A Russian CSV is separated by semicolons (what Excel expects in a Russian
locale), an English one by commas; both are UTF-8 with a byte order mark.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from workshop.i18n import t
from workshop.managers.record import WorkshopRecord
from workshop.render import figures
from workshop.render.fonts import font_files, pdf_fonts
from workshop.render.markdown import summary_markdown
from workshop.render.tables import (
    CSV_DELIMITER,
    Table,
    facts_table,
    inert,
    items_table,
    merges_table,
    notes_csv,
    picks_table,
    roster_table,
    steps_table,
    timeline_table,
    votes_csv,
)
from workshop.render.words import (
    SUBJECTS,
    decided_name,
    poll_status_name,
    poll_title,
    runner_up_text,
    status_name,
    voters_text,
    when,
    why_lines,
    yes,
)
from workshop.render.xlsx import record_xlsx

COLOURS = {
    "trend": figures.TREND_COLOUR,
    "obstacle": figures.OBSTACLE_COLOUR,
    "innovation": figures.INNOVATION_COLOUR,
}
FILES = {
    "record_pdf": ("record.pdf", "application/pdf"),
    "template_png": ("template.png", "image/png"),
    "notes_csv": ("notes.csv", "text/csv"),
    "votes_csv": ("votes.csv", "text/csv"),
    "record_xlsx": ("record.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "summary_markdown": ("summary.md", "text/markdown"),
}
# What the app's screens and tests use; the rest lives in the modules named above.
__all__ = [
    "CSV_DELIMITER",
    "FILES",
    "PNG_SIZE",
    "SUBJECTS",
    "Table",
    "clip",
    "decided_name",
    "facts_table",
    "filename",
    "inert",
    "items_table",
    "merges_table",
    "mime_type",
    "notes_csv",
    "picks_table",
    "poll_status_name",
    "poll_title",
    "record_pdf",
    "record_xlsx",
    "roster_table",
    "runner_up_text",
    "status_name",
    "steps_table",
    "summary_markdown",
    "template_png",
    "template_texts",
    "timeline_table",
    "votes_csv",
    "voters_text",
    "when",
    "why_lines",
    "wrap",
    "yes",
]
RUNNERS_UP_SHOWN = 3  # on the one-page PDF; the spreadsheets hold them all


def filename(record: WorkshopRecord, kind: str) -> str:
    """A safe ASCII file name: ``workshop-ABC123-summary.md``. ``kind`` names the export
    function (``record_pdf``, ``template_png``, ``notes_csv``, ``votes_csv``, ``record_xlsx``,
    ``summary_markdown``)."""
    if kind not in FILES:
        raise ValueError(f"kind must be one of {', '.join(FILES)}")
    code = re.sub(r"[^A-Za-z0-9]", "", record.code)[:12] or "workshop"
    return f"workshop-{code}-{FILES[kind][0]}"


def mime_type(kind: str) -> str:
    return FILES[kind][1]


# --------------------------------------------------------------------------- text in shapes

Measure = Callable[[str, float], float]  # the width of a text at a font size


def wrap(text: str, measure: Measure, size: float, widths: Sequence[float]) -> list[str] | None:
    """Words into at most ``len(widths)`` lines, line ``i`` no wider than ``widths[i]``; a word
    too long for a line is broken. ``None`` when the text needs more lines."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if len(lines) < len(widths) and measure(candidate, size) <= widths[len(lines)]:
            current = candidate
            continue
        if current:
            lines.append(current)
            current = ""
        while True:
            if len(lines) >= len(widths):
                return None
            if measure(word, size) <= widths[len(lines)]:
                current = word
                break
            cut = max(
                (n for n in range(1, len(word)) if measure(word[:n], size) <= widths[len(lines)]), default=1
            )
            lines.append(word[:cut])
            word = word[cut:]
    if current:
        lines.append(current)
    return lines


def clip(text: str, measure: Measure, size: float, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width``."""
    if measure(text, size) <= width:
        return text
    while text and measure(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def clipped_lines(text: str, measure: Measure, size: float, width: float, max_lines: int) -> list[str]:
    """``text`` wrapped to ``width``; past ``max_lines`` the last line ends with an ellipsis."""
    lines = wrap(text, measure, size, [width] * 400) or [text]
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1 :])
        lines = [*lines[: max_lines - 1], clip(rest, measure, size, width)]
    return lines


@dataclass(frozen=True)
class Region:
    """Where a text goes in the template, in the figure's units (y up): between ``bottom``
    and ``top``, as wide as ``half_width(y)`` allows on either side of x = 0."""

    top: float
    bottom: float
    half_width: Callable[[float], float]


@dataclass(frozen=True)
class Placed:
    size: float
    lines: tuple[str, ...]
    baselines: tuple[float, ...]  # in the figure's units


def fit(
    text: str, region: Region, measure: Measure, *, scale: float, sizes: Iterable[float], leading: float = 1.2
) -> Placed:
    """The largest of ``sizes`` at which ``text``, centred in ``region``, fits inside it;
    at the smallest size what does not fit is cut with an ellipsis. ``scale`` is device units
    per figure unit; sizes are device units."""
    centre = (region.top + region.bottom) / 2
    height = region.top - region.bottom

    def bands(n: int, size: float) -> list[tuple[float, float]]:
        line = size * leading / scale
        top = centre + n * line / 2
        return [(top - (k + 1) * line, top - k * line) for k in range(n)]

    def width(band: tuple[float, float]) -> float:
        return 2 * max(min(region.half_width(band[0]), region.half_width(band[1])), 0) * scale

    def place(lines: list[str], size: float) -> Placed:
        spans = bands(len(lines), size)
        return Placed(size, tuple(lines), tuple((lo + hi) / 2 - 0.35 * size / scale for lo, hi in spans))

    size = 0.0
    for size in sizes:
        n = 1
        while n * size * leading / scale <= height + 1e-9:
            lines = wrap(text, measure, size, [width(b) for b in bands(n, size)])
            if lines is not None:
                return place(lines, size)
            n += 1
    # Nothing fits whole: as many lines as the region holds at the smallest size, the last cut.
    n = max(int(height * scale / (size * leading)), 1)
    widths = [width(b) for b in bands(n, size)]
    lines = wrap(text, measure, size, [*widths[:-1], 1e9]) or [text]
    last = clip(" ".join(lines[n - 1 :]), measure, size, widths[-1])
    return place([*lines[: n - 1], last], size)


# The template's geometry, as ``figures.template_figure`` draws it: two ellipses 6 wide and 3.4
# tall, centred 1.0 above and below 0; the innovation goes in the lens where they meet.
X_RANGE, Y_RANGE = 6.2, 5.6
RX, RY, CY = 3.0, 1.7, 1.0
PAD = 0.14


def _ellipse_half(y: float, centre: float) -> float:
    inside = 1 - ((y - centre) / RY) ** 2
    return RX * math.sqrt(inside) if inside > 0 else 0.0


REGIONS = {
    "trend": Region(top=2.08, bottom=0.78, half_width=lambda y: _ellipse_half(y, CY) - PAD),
    "obstacle": Region(top=-0.78, bottom=-2.08, half_width=lambda y: _ellipse_half(y, -CY) - PAD),
    "innovation": Region(
        top=0.3, bottom=-0.62, half_width=lambda y: min(_ellipse_half(y, CY), _ellipse_half(y, -CY)) - PAD
    ),
}
CAPTION_Y = {"trend": 2.32, "obstacle": -2.4, "innovation": 0.46}


def template_texts(record: WorkshopRecord, lang: str) -> dict[str, str]:
    """What the template says for each subject ("" when not chosen yet)."""
    return {s: (c.text(lang) if (c := record.chosen(s)) else "") for s in SUBJECTS}


# --------------------------------------------------------------------------- PNG

PNG_SIZE = (1600, 1600)


@lru_cache(maxsize=256)
def _pil_font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    regular, heavy = font_files()
    return ImageFont.truetype(heavy if bold else regular, size)


def _pil_measure(bold: bool) -> Measure:
    return lambda text, size: _pil_font(bold, int(size)).getlength(text)


def _rgb(colour: str, alpha: int = 255) -> tuple[int, int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16), alpha


def template_png(record: WorkshopRecord, lang: str) -> bytes:
    """The filled template as a 1600×1600 PNG: the workshop's title and product above, the two
    figures below (trend on top, key obstacle at the bottom, innovation where they meet)."""
    width, height = PNG_SIZE
    margin = 48
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    y = margin
    for text, bold, size, colour, lines in (
        (record.title, True, 52, figures.INK, 2),
        (record.product, False, 34, "#444444", 2),
    ):
        for line in clipped_lines(text, _pil_measure(bold), size, width - 2 * margin, lines):
            draw.text((width / 2, y), line, font=_pil_font(bold, size), fill=colour, anchor="ma")
            y += int(size * 1.25)
    top = y + 16
    scale = min((width - 2 * margin) / X_RANGE, (height - top - margin) / Y_RANGE)
    cx, cy = width / 2, top + Y_RANGE / 2 * scale

    def point(x: float, y_units: float) -> tuple[float, float]:
        return cx + x * scale, cy - y_units * scale

    canvas = image.convert("RGBA")
    for subject, centre in (("trend", CY), ("obstacle", -CY)):
        fill = Image.new("RGBA", image.size, (0, 0, 0, 0))  # each figure tinted on its own layer
        ImageDraw.Draw(fill).ellipse(
            [*point(-RX, centre + RY), *point(RX, centre - RY)], fill=_rgb(COLOURS[subject], 26)
        )
        canvas = Image.alpha_composite(canvas, fill)
    image = canvas.convert("RGB")
    draw = ImageDraw.Draw(image)
    for subject, centre in (("trend", CY), ("obstacle", -CY)):
        draw.ellipse([*point(-RX, centre + RY), *point(RX, centre - RY)], outline=COLOURS[subject], width=10)
    texts = template_texts(record, lang)
    for subject in SUBJECTS:
        caption = t(f"template.{subject}", lang).upper()
        draw.text(
            point(0, CAPTION_Y[subject]),
            caption,
            font=_pil_font(True, 34),
            fill=COLOURS[subject],
            anchor="mm",
        )
        text = texts[subject] or t("template.placeholder", lang)
        bold = subject == "innovation"
        placed = fit(text, REGIONS[subject], _pil_measure(bold), scale=scale, sizes=range(46, 13, -2))
        for line, baseline in zip(placed.lines, placed.baselines, strict=True):
            draw.text(
                point(0, baseline),
                line,
                font=_pil_font(bold, int(placed.size)),
                fill=figures.INK if texts[subject] else "#888888",
                anchor="ms",
            )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# --------------------------------------------------------------------------- PDF

PAGE = landscape(A4)
INK = HexColor(figures.INK)
GREY = HexColor("#555555")


@dataclass(frozen=True)
class _Para:
    text: str
    bold: bool
    size: float
    colour: Color
    max_lines: int
    gap: float = 0.0  # space above


def _pdf_measure(bold: bool) -> Measure:
    regular, heavy = pdf_fonts()
    font = heavy if bold else regular
    return lambda text, size: stringWidth(text, font, size)


def _layout(paras: Sequence[_Para], width: float, budget: float) -> list[tuple[_Para, float, list[str]]]:
    """Paragraphs wrapped to ``width``, shrunk until they fit in ``budget`` points of height;
    at the smallest size the lines that still do not fit are left out."""
    for factor in (1.0, 0.92, 0.85, 0.78, 0.72, 0.66, 0.6):
        laid = []
        used = 0.0
        for para in paras:
            size = para.size * factor
            lines = clipped_lines(para.text, _pdf_measure(para.bold), size, width, para.max_lines)
            used += para.gap * factor + len(lines) * size * 1.22
            laid.append((para, size, lines))
        if used <= budget:
            return laid
    kept, used = [], 0.0
    for para, size, lines in laid:
        fits = [
            line for i, line in enumerate(lines) if used + para.gap * 0.6 + (i + 1) * size * 1.22 <= budget
        ]
        if not fits:
            break
        used += para.gap * 0.6 + len(fits) * size * 1.22
        kept.append((para, size, fits))
    return kept


def _draw(canvas: Canvas, laid: Sequence[tuple[_Para, float, list[str]]], x: float, top: float) -> float:
    regular, bold = pdf_fonts()
    y = top
    for para, size, lines in laid:
        y -= para.gap * size / para.size
        canvas.setFillColor(para.colour)
        canvas.setFont(bold if para.bold else regular, size)
        for line in lines:
            y -= size * 1.22
            canvas.drawString(x, y + size * 0.25, line)
    return y


def _why_paras(record: WorkshopRecord, subject: str, lang: str) -> list[_Para]:
    colour = HexColor(COLOURS[subject])
    paras = [_Para(t(f"why.{subject}", lang), True, 12, colour, 1)]
    chosen = record.chosen(subject)
    if chosen is None:
        return [*paras, _Para(t("why.none", lang), False, 9.5, GREY, 1, 2)]
    paras.append(_Para(chosen.text(lang), True, 10.5, INK, 4, 2))
    for line in why_lines(chosen, lang):
        rationale = bool(line.text) and line.text == chosen.rationale
        paras.append(_Para(line.plain(), False, 9, INK, 4 if rationale else 2, 1))
    if chosen.runners_up:
        paras.append(_Para(t("record.runners_up", lang), True, 8.5, GREY, 1, 3))
        shown = chosen.runners_up[:RUNNERS_UP_SHOWN]
        for n, runner in enumerate(shown, 2):
            text, votes = runner_up_text(runner, chosen, lang)
            paras.append(_Para(f"{n}. {text} — {votes}", False, 8.5, GREY, 1))
        more = len(chosen.runners_up) - len(shown)
        if more:
            paras.append(_Para(t("record.more", lang, n=more), False, 8.5, GREY, 1))
    return paras


def record_pdf(record: WorkshopRecord, lang: str) -> bytes:
    """One landscape A4 page for leadership: title, product, date and facilitator; the filled
    template; why each of the three was chosen and what came next. Long texts wrap and shrink;
    nothing runs past the page."""
    regular, bold = pdf_fonts()
    page_w, page_h = PAGE
    margin = 30.0
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE)
    canvas.setTitle(f"{record.title} — {record.code}")
    canvas.setAuthor(t("app.title", lang))
    canvas.setSubject(record.product)

    date = when(record.finished_at or record.created_at)
    meta = " · ".join(
        part
        for part in (
            t("export.pdf.date", lang, date=date),
            t("export.pdf.facilitator", lang, name=record.facilitator_name)
            if record.facilitator_name
            else "",
            t("export.pdf.code", lang, code=record.code),
            t("record.map_version", lang, title=record.map_title(lang), n=record.map_version),
            status_name(record.status, lang),
        )
        if part
    )
    header = _layout(
        [
            _Para(record.title, True, 18, INK, 2),
            _Para(t("export.pdf.product", lang, product=record.product), False, 11, INK, 2, 3),
            _Para(meta, False, 8.5, GREY, 2, 3),
        ],
        page_w - 2 * margin,
        110,
    )
    body_top = _draw(canvas, header, margin, page_h - margin) - 12
    canvas.setStrokeColor(HexColor("#d0d7de"))
    canvas.setLineWidth(0.8)
    canvas.line(margin, body_top + 6, page_w - margin, body_top + 6)

    # Left: the template.
    body_h = body_top - margin
    left_w = 400.0
    scale = min(left_w / X_RANGE, body_h / Y_RANGE)
    cx, cy = margin + left_w / 2, margin + body_h / 2
    for subject, centre in (("trend", CY), ("obstacle", -CY)):
        colour = HexColor(COLOURS[subject])
        canvas.setStrokeColor(colour)
        canvas.setFillColor(colour, alpha=0.10)
        canvas.setLineWidth(2.5)
        canvas.ellipse(
            cx - RX * scale,
            cy + (centre - RY) * scale,
            cx + RX * scale,
            cy + (centre + RY) * scale,
            stroke=1,
            fill=1,
        )
    texts = template_texts(record, lang)
    for subject in SUBJECTS:
        canvas.setFillColor(HexColor(COLOURS[subject]))
        canvas.setFont(bold, 10)
        canvas.drawCentredString(
            cx, cy + CAPTION_Y[subject] * scale - 3.5, t(f"template.{subject}", lang).upper()
        )
        is_bold = subject == "innovation"
        text = texts[subject] or t("template.placeholder", lang)
        placed = fit(
            text,
            REGIONS[subject],
            _pdf_measure(is_bold),
            scale=scale,
            sizes=(16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6),
        )
        canvas.setFillColor(INK if texts[subject] else GREY)
        canvas.setFont(bold if is_bold else regular, placed.size)
        for line, baseline in zip(placed.lines, placed.baselines, strict=True):
            canvas.drawCentredString(cx, cy + baseline * scale, line)

    # Right: why each was chosen, and the runners-up.
    x = margin + left_w + 24
    width = page_w - margin - x
    block = body_h / 3
    for i, subject in enumerate(SUBJECTS):
        laid = _layout(_why_paras(record, subject, lang), width, block - 8)
        _draw(canvas, laid, x, body_top - i * block)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
