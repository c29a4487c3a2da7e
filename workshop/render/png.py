"""The filled template as a PNG, drawn with Pillow from the one layout in ``template``."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from workshop.managers.record import WorkshopRecord
from workshop.render.fonts import pil_font, pil_measure
from workshop.render.lines import clipped_lines
from workshop.render.template import FIGURES, FILL_ALPHA, INK, Y_RANGE, labels, scale_for

PNG_SIZE = (1600, 1600)
PLACEHOLDER = "#888888"


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
        (record.title, True, 52, INK, 2),
        (record.product, False, 34, "#444444", 2),
    ):
        for line in clipped_lines(text, pil_measure(bold), size, width - 2 * margin, lines):
            draw.text((width / 2, y), line, font=pil_font(bold, size), fill=colour, anchor="ma")
            y += int(size * 1.25)
    top = y + 16
    scale = scale_for(width - 2 * margin, height - top - margin)
    cx, cy = width / 2, top + Y_RANGE / 2 * scale

    def point(x: float, y_units: float) -> tuple[float, float]:
        return cx + x * scale, cy - y_units * scale

    def box(figure_box: tuple[float, float, float, float]) -> list[float]:
        left, bottom, right, top = figure_box
        return [*point(left, top), *point(right, bottom)]

    canvas = image.convert("RGBA")
    for figure in FIGURES:
        fill = Image.new("RGBA", image.size, (0, 0, 0, 0))  # each figure tinted on its own layer
        ImageDraw.Draw(fill).ellipse(box(figure.box), fill=_rgb(figure.colour, round(FILL_ALPHA * 255)))
        canvas = Image.alpha_composite(canvas, fill)
    image = canvas.convert("RGB")
    draw = ImageDraw.Draw(image)
    for figure in FIGURES:
        draw.ellipse(box(figure.box), outline=figure.colour, width=10)
    for label in labels(record, lang, pil_measure, scale=scale, sizes=range(46, 13, -2)):
        draw.text(
            point(0, label.caption_y), label.caption, font=pil_font(True, 34), fill=label.colour, anchor="mm"
        )
        placed = label.text
        for line, baseline in zip(placed.lines, placed.baselines, strict=True):
            draw.text(
                point(0, baseline),
                line,
                font=pil_font(label.bold, int(placed.size)),
                fill=INK if label.given else PLACEHOLDER,
                anchor="ms",
            )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
