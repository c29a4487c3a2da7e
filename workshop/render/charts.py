"""Plotly charts for the managers' analytics. Labels may be participant text: escaped here."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from workshop.render.figures import FONT, INK, INNOVATION_COLOUR, OBSTACLE_COLOUR, TREND_COLOUR, safe_label

COLOURS = {
    "trend": TREND_COLOUR,
    "obstacle": OBSTACLE_COLOUR,
    "innovation": INNOVATION_COLOUR,
    "people": "#8250df",
}


def bars(
    labels: Sequence[str],
    values: Sequence[int],
    *,
    colour: str = TREND_COLOUR,
    hover: Sequence[str] | None = None,
    width: int = 48,
) -> go.Figure:
    """Horizontal bars, the largest on top; each label escaped and wrapped."""
    shown = [safe_label(label, width=width, max_lines=2) for label in labels]
    # html-escaped labels count their entities; close enough for the margin below
    fig = go.Figure(
        go.Bar(
            x=list(values)[::-1],
            y=shown[::-1],
            orientation="h",
            marker_color=colour,
            text=[str(v) for v in values][::-1],
            textposition="outside",
            hovertext=[safe_label(h, width=60, max_lines=6) for h in (hover or labels)][::-1],
            hoverinfo="text",
            cliponaxis=False,
        )
    )
    small = max(values, default=0) <= 10  # whole numbers only: one tick per unit
    # Room for the labels, reckoned from their longest line: Plotly's own estimate uses the font
    # it was told, and a browser drawing a wider fallback font would clip the first letters.
    longest = max((len(line) for label in shown for line in label.split("<br>")), default=10)
    fig.update_layout(
        height=max(150, 46 * len(labels) + 60),
        bargap=0.25,
        margin={"l": min(460, 9 * longest + 24), "r": 40, "t": 10, "b": 30},
        font={"family": FONT, "size": 15, "color": INK},
        plot_bgcolor="white",
        paper_bgcolor="white",
        xaxis={"gridcolor": "#eee", "rangemode": "tozero", "tickformat": "d", "dtick": 1 if small else None},
        yaxis={"automargin": False},
        showlegend=False,
    )
    return fig


def lines(months: Sequence[str], series: dict[str, Sequence[int]]) -> go.Figure:
    """One line per series over months; ``series`` names are the app's own words."""
    fig = go.Figure()
    palette = [TREND_COLOUR, INNOVATION_COLOUR, COLOURS["people"], OBSTACLE_COLOUR]
    for i, (name, values) in enumerate(series.items()):
        fig.add_trace(
            go.Scatter(
                x=list(months),
                y=list(values),
                name=name,
                mode="lines+markers",
                line={"color": palette[i % len(palette)], "width": 3},
            )
        )
    fig.update_layout(
        height=380,
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        font={"family": FONT, "size": 15, "color": INK},
        plot_bgcolor="white",
        paper_bgcolor="white",
        xaxis={"gridcolor": "#eee", "type": "category"},
        yaxis={
            "gridcolor": "#eee",
            "rangemode": "tozero",
            "tickformat": "d",
            "dtick": 1 if max((max(v, default=0) for v in series.values()), default=0) <= 10 else None,
        },
        legend={"orientation": "h", "y": -0.15},
    )
    return fig
