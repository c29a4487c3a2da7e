"""The method's template, described once: two intersecting figures, the trend on top, the key
obstacle at the bottom, the innovation in the intersection where they meet.

The geometry is in the figure's own units (x = 0 in the middle, y up), the drawing spanning
``X_RANGE`` by ``Y_RANGE`` around (0, 0). Whoever draws the template (the PNG, the PDF, the Plotly
figure on the screens) scales this to its device: the two ellipses of ``FIGURES``, a caption at
``CAPTION_Y`` for each subject, and its text fitted inside ``REGIONS`` (``labels`` places both
with the drawer's own measure of its font).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from workshop.i18n import t
from workshop.managers.record import WorkshopRecord
from workshop.render.lines import Measure, clip, wrap
from workshop.render.words import SUBJECTS

TREND_COLOUR = "#1f6feb"
OBSTACLE_COLOUR = "#d1242f"
INNOVATION_COLOUR = "#1a7f37"
INK = "#111111"
COLOURS = {"trend": TREND_COLOUR, "obstacle": OBSTACLE_COLOUR, "innovation": INNOVATION_COLOUR}
FILL_ALPHA = 0.10  # each figure is tinted this strongly with its colour
BOLD = ("innovation",)  # whose text is set in bold

# Two ellipses 6 wide and 3.4 tall, centred 1.0 above and below 0: the lens where they meet
# spans y in [-0.7, 0.7] and is about 4.3 wide at its middle.
X_RANGE, Y_RANGE = 6.2, 5.6
RX, RY, CY = 3.0, 1.7, 1.0
PAD = 0.14  # between a text and the outline around it


@dataclass(frozen=True)
class Ellipse:
    """One of the two figures: an ellipse centred on x = 0 at height ``centre``."""

    subject: str
    centre: float
    rx: float = RX
    ry: float = RY

    @property
    def colour(self) -> str:
        return COLOURS[self.subject]

    @property
    def box(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top)."""
        return -self.rx, self.centre - self.ry, self.rx, self.centre + self.ry

    def half_width(self, y: float) -> float:
        """How far the ellipse reaches either side of x = 0 at height ``y`` (0 outside it)."""
        inside = 1 - ((y - self.centre) / self.ry) ** 2
        return self.rx * math.sqrt(inside) if inside > 0 else 0.0


TREND = Ellipse("trend", CY)
OBSTACLE = Ellipse("obstacle", -CY)
FIGURES = (TREND, OBSTACLE)  # in the order they are drawn


@dataclass(frozen=True)
class Region:
    """Where a text goes in the template, in the figure's units (y up): between ``bottom``
    and ``top``, as wide as ``half_width(y)`` allows on either side of x = 0."""

    top: float
    bottom: float
    half_width: Callable[[float], float]

    @property
    def centre(self) -> float:
        return (self.top + self.bottom) / 2


REGIONS = {
    "trend": Region(top=2.08, bottom=0.78, half_width=lambda y: TREND.half_width(y) - PAD),
    "obstacle": Region(top=-0.78, bottom=-2.08, half_width=lambda y: OBSTACLE.half_width(y) - PAD),
    "innovation": Region(
        top=0.3, bottom=-0.62, half_width=lambda y: min(TREND.half_width(y), OBSTACLE.half_width(y)) - PAD
    ),
}
CAPTION_Y = {"trend": 2.32, "obstacle": -2.4, "innovation": 0.46}  # where each caption is centred


def scale_for(width: float, height: float) -> float:
    """Device units per figure unit for the whole template to fit ``width`` by ``height``."""
    return min(width / X_RANGE, height / Y_RANGE)


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
    centre = region.centre
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


def template_texts(record: WorkshopRecord, lang: str) -> dict[str, str]:
    """What the template says for each subject ("" when not chosen yet)."""
    return {s: (c.text(lang) if (c := record.chosen(s)) else "") for s in SUBJECTS}


@dataclass(frozen=True)
class Label:
    """What the template says about one subject: its caption and its text, placed."""

    subject: str
    caption: str
    caption_y: float
    text: Placed
    given: bool  # False: nothing is chosen yet and the placeholder stands in

    @property
    def colour(self) -> str:
        return COLOURS[self.subject]

    @property
    def bold(self) -> bool:
        return self.subject in BOLD


def labels(
    record: WorkshopRecord,
    lang: str,
    measure: Callable[[bool], Measure],
    *,
    scale: float,
    sizes: Sequence[float],
) -> list[Label]:
    """Each subject's caption and text, in ``SUBJECTS`` order, the text at the largest of
    ``sizes`` that fits its region; ``measure(bold)`` measures the drawer's font."""
    texts = template_texts(record, lang)
    return [
        Label(
            subject=subject,
            caption=t(f"template.{subject}", lang).upper(),
            caption_y=CAPTION_Y[subject],
            text=fit(
                texts[subject] or t("template.placeholder", lang),
                REGIONS[subject],
                measure(subject in BOLD),
                scale=scale,
                sizes=sizes,
            ),
            given=bool(texts[subject]),
        )
        for subject in SUBJECTS
    ]
