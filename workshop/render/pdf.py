"""The record on one landscape A4 page for leadership, drawn with reportlab: title, product,
date and facilitator; the filled template (from the one layout in ``template``); why each of the
three was chosen and what came next. Long texts wrap and shrink; nothing runs past the page."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from workshop.i18n import t
from workshop.managers.days import DayRecord
from workshop.managers.record import WorkshopRecord
from workshop.render import template
from workshop.render.fonts import pdf_fonts, pdf_measure
from workshop.render.lines import clipped_lines
from workshop.render.words import SUBJECTS, runner_up_text, status_name, when, why_lines

PAGE = landscape(A4)
INK = HexColor(template.INK)
GREY = HexColor("#555555")
RUNNERS_UP_SHOWN = 3  # on the one-page PDF; the spreadsheets hold them all


@dataclass(frozen=True)
class _Para:
    text: str
    bold: bool
    size: float
    colour: Color
    max_lines: int
    gap: float = 0.0  # space above


def _layout(paras: Sequence[_Para], width: float, budget: float) -> list[tuple[_Para, float, list[str]]]:
    """Paragraphs wrapped to ``width``, shrunk until they fit in ``budget`` points of height;
    at the smallest size the lines that still do not fit are left out."""
    for factor in (1.0, 0.92, 0.85, 0.78, 0.72, 0.66, 0.6):
        laid = []
        used = 0.0
        for para in paras:
            size = para.size * factor
            lines = clipped_lines(para.text, pdf_measure(para.bold), size, width, para.max_lines)
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
    colour = HexColor(template.COLOURS[subject])
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
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE)
    canvas.setTitle(f"{record.title} — {record.code}")
    canvas.setAuthor(t("app.title", lang))
    canvas.setSubject(record.product)
    _record_page(canvas, record, lang)
    canvas.save()
    return buffer.getvalue()


def _record_page(canvas: Canvas, record: WorkshopRecord, lang: str) -> None:
    """One workshop's page: the header, the filled template, why each was chosen."""
    regular, bold = pdf_fonts()
    page_w, page_h = PAGE
    margin = 30.0
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
    scale = template.scale_for(left_w, body_h)
    cx, cy = margin + left_w / 2, margin + body_h / 2
    for figure in template.FIGURES:
        left, bottom, right, top = figure.box
        colour = HexColor(figure.colour)
        canvas.setStrokeColor(colour)
        canvas.setFillColor(colour, alpha=template.FILL_ALPHA)
        canvas.setLineWidth(2.5)
        canvas.ellipse(
            cx + left * scale,
            cy + bottom * scale,
            cx + right * scale,
            cy + top * scale,
            stroke=1,
            fill=1,
        )
    sizes = (16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6)
    for label in template.labels(record, lang, pdf_measure, scale=scale, sizes=sizes):
        canvas.setFillColor(HexColor(label.colour))
        canvas.setFont(bold, 10)
        canvas.drawCentredString(cx, cy + label.caption_y * scale - 3.5, label.caption)
        placed = label.text
        canvas.setFillColor(INK if label.given else GREY)
        canvas.setFont(bold if label.bold else regular, placed.size)
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


def day_pdf(day: DayRecord, lang: str) -> bytes:
    """An innovation day for leadership: a summary page (every group's trend, obstacle and
    innovation, and the day-wide vote), then one page per group, as its own record's PDF."""
    page_w, page_h = PAGE
    margin = 30.0
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE)
    canvas.setTitle(f"{day.title} — {day.code}")
    canvas.setAuthor(t("app.title", lang))
    canvas.setSubject(day.product)
    meta = " · ".join(
        (
            day.held_on.strftime("%d.%m.%Y"),
            t("export.pdf.product", lang, product=day.product),
            t("day.code", lang, code=day.code),
        )
    )
    paras = [_Para(day.title, True, 18, INK, 2), _Para(meta, False, 9, GREY, 2, 3)]
    if day.vote_status:
        paras.append(_Para(t("day.vote_count", lang, k=day.ballots, n=day.people), False, 10, INK, 1, 6))
    top = _draw(canvas, _layout(paras, page_w - 2 * margin, 110), margin, page_h - margin) - 10
    rows = len(day.groups) or 1
    block = min((top - margin) / rows, 110.0)
    for group in day.groups:
        texts = template.template_texts(group.record, lang)
        parts = [t("day.group", lang, n=group.number)]
        if day.vote_status:
            parts.append(t("day.votes", lang, n=group.day_votes))
            if group.number in day.leaders:
                lead = "day.vote_leader" if len(day.leaders) == 1 else "day.vote_tied"
                parts.append(t(lead, lang).lstrip("— "))
        heading = " · ".join(parts)
        group_paras = [_Para(heading, True, 11, INK, 1)]
        for subject in SUBJECTS:
            text = texts[subject] or t("why.none", lang)
            group_paras.append(_Para(f"{t(f'template.{subject}', lang)}: {text}", False, 9.5, INK, 2, 1))
        _draw(canvas, _layout(group_paras, page_w - 2 * margin, block - 6), margin, top)
        top -= block
    canvas.showPage()
    for group in day.groups:
        _record_page(canvas, group.record, lang)
    canvas.save()
    return buffer.getvalue()
