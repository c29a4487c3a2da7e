"""The trend map's layout as a metro scheme, decided once and drawn by every screen and the poster.

Each category of the map is a coloured line; each trend a station on it. Every line is divided
into as many cells as the longest line has stations; a line's stations are spread from its
first cell to its last, so a short line spans the whole width like a long one. Positions are
fractions of the line's length, so the projector (HTML, patched live), the maps page and the
printed poster (reportlab) draw the same scheme at any size.

Pure and fast: 36 stations take well under a millisecond; the live pick counts are not part of
the layout, so it is built once per map version and language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LINE_COLOURS = ("#1f6feb", "#d1242f", "#1a7f37", "#8250df", "#9a6700", "#0a7b83", "#cf222e", "#57606a")


@dataclass(frozen=True)
class Station:
    """What a station shows: the trend's code and title, on its category's line."""

    code: str
    title: str
    category: str
    picks: int = 0
    key: int | None = None  # the trend's id: live pick counts find their station by it


@dataclass(frozen=True)
class PlacedStation:
    key: int | None
    code: str
    title: str
    x: float  # the station's centre, as a fraction of the line's length (0..1)


@dataclass(frozen=True)
class Line:
    """One row of the scheme: a category's line, or the next part of a long one."""

    category: str
    colour: str
    stations: tuple[PlacedStation, ...]
    continued: bool = False  # a long line's second (third, …) row


@dataclass(frozen=True)
class MetroMap:
    lines: tuple[Line, ...]
    columns: int  # cells per row: the longest row's number of stations

    @property
    def stations(self) -> int:
        return sum(len(line.stations) for line in self.lines)

    @property
    def cell(self) -> float:
        """One station's share of a line's length: the width its title may take."""
        return 1.0 / self.columns

    def as_data(self) -> dict:
        """The layout as plain JSON-able data, for the page that draws it."""
        return {
            "columns": self.columns,
            "lines": [
                {
                    "category": line.category,
                    "colour": line.colour,
                    "continued": line.continued,
                    "stations": [
                        {"key": s.key, "code": s.code, "title": s.title, "x": round(s.x, 5)}
                        for s in line.stations
                    ],
                }
                for line in self.lines
            ],
        }


def centres(count: int, columns: int) -> list[float]:
    """Where ``count`` stations sit on a line of ``columns`` cells: the first in the first
    cell's middle, the last in the last cell's middle, the rest evenly between."""
    cell = 1.0 / columns
    if count <= 0:
        return []
    if count == 1:
        return [cell / 2]
    span = 1.0 - cell
    return [cell / 2 + i * span / (count - 1) for i in range(count)]


# A row of the wall holds at most this many stations, so the titles keep their 24 px at 1920x1080;
# a longer line goes on in the next row. (Rows that do not fit one screen are shown a page at a
# time: the page measures them, board.js.)
MAX_COLUMNS = 6


def _split(members: list[Station], most: int) -> list[list[Station]]:
    """A long line cut into as few rows as needed, as evenly as they come."""
    rows = -(-len(members) // most)
    size = -(-len(members) // rows)
    return [members[i : i + size] for i in range(0, len(members), size)]


def metro_layout(stations: Sequence[Station], *, max_columns: int = MAX_COLUMNS) -> MetroMap:
    """Lines in the order their categories first appear, stations in the map's order."""
    by_category: dict[str, list[Station]] = {}
    for station in stations:
        by_category.setdefault(station.category, []).append(station)
    rows: list[tuple[int, str, list[Station], bool]] = []
    for number, (category, members) in enumerate(by_category.items()):
        for part, segment in enumerate(_split(members, max_columns)):
            rows.append((number, category, segment, part > 0))
    columns = max((len(segment) for _n, _c, segment, _p in rows), default=1)
    lines = []
    for number, category, segment, continued in rows:
        xs = centres(len(segment), columns)
        lines.append(
            Line(
                category=category,
                colour=LINE_COLOURS[number % len(LINE_COLOURS)],
                stations=tuple(
                    PlacedStation(key=s.key, code=s.code, title=s.title, x=x)
                    for s, x in zip(segment, xs, strict=True)
                ),
                continued=continued,
            )
        )
    return MetroMap(lines=tuple(lines), columns=columns)
