"""DejaVu Sans, the typeface of every file drawn here (it has the Cyrillic glyphs): found once,
registered with reportlab for the PDFs, loaded by Pillow for the PNG, and measured the way each
draws it. Debian ships it as fonts-dejavu-core."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont

from workshop.render.lines import Measure

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
PDF_REGULAR, PDF_BOLD = "DejaVuSans", "DejaVuSans-Bold"


class FontMissing(RuntimeError):
    """DejaVu Sans is not installed (Debian: apt-get install fonts-dejavu-core)."""


@lru_cache(maxsize=4)
def font_files() -> tuple[str, str]:
    """The paths of DejaVu Sans, regular and bold."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            return str(regular), str(bold)
    raise FontMissing("DejaVu Sans is needed for Cyrillic: apt-get install fonts-dejavu-core")


def pdf_fonts() -> tuple[str, str]:
    """reportlab's names of the regular and bold face, registered on first use."""
    if PDF_REGULAR not in pdfmetrics.getRegisteredFontNames():
        regular, bold = font_files()
        pdfmetrics.registerFont(TTFont(PDF_REGULAR, regular))
        pdfmetrics.registerFont(TTFont(PDF_BOLD, bold))
    return PDF_REGULAR, PDF_BOLD


def pdf_measure(bold: bool) -> Measure:
    """The width of a text in the PDF's font, in points at a size in points."""
    regular, heavy = pdf_fonts()
    font = heavy if bold else regular
    return lambda text, size: stringWidth(text, font, size)


@lru_cache(maxsize=256)
def pil_font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    regular, heavy = font_files()
    return ImageFont.truetype(heavy if bold else regular, size)


def pil_measure(bold: bool) -> Measure:
    """The width of a text as Pillow draws it, in pixels at a size in pixels (whole)."""
    return lambda text, size: pil_font(bold, int(size)).getlength(text)
