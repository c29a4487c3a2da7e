"""Plotly figures: the method's template and vote results. Built here, drawn by the pages.

Participant text goes into figures escaped (``&lt;`` etc.), so Plotly's small HTML subset in
labels never turns a note into markup.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence

import plotly.graph_objects as go

TREND_COLOUR = "#1f6feb"
OBSTACLE_COLOUR = "#d1242f"
INNOVATION_COLOUR = "#1a7f37"
INK = "#111111"
# The app's own typeface (Streamlit serves Source Sans), so charts match the page.
FONT = "Source Sans 3, Source Sans Pro, sans-serif"


def safe_label(text: str, width: int = 34, max_lines: int = 4) -> str:
    """Escape and wrap untrusted text for a Plotly label."""
    lines = textwrap.wrap(text or "", width=width, break_long_words=False) or [""]
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1][: width - 1] + "…"]
    return "<br>".join(html.escape(line, quote=False) for line in lines)


def template_figure(
    *,
    trend: str,
    obstacle: str,
    innovation: str,
    labels: tuple[str, str, str],
    placeholder: str = "…",
    height: int = 760,
) -> go.Figure:
    """Two intersecting figures: the trend on top, the key obstacle below, the innovation in
    the intersection. ``labels`` are the captions (trend, obstacle, innovation)."""
    fig = go.Figure()
    # Two ellipses, 6 wide and 3.4 tall, centres 1.0 above and below 0: the lens where they
    # meet spans y in [-0.7, 0.7] and is about 4.3 wide at its middle.
    fig.add_shape(
        type="circle",
        x0=-3.0,
        x1=3.0,
        y0=-0.7,
        y1=2.7,
        line={"color": TREND_COLOUR, "width": 5},
        fillcolor="rgba(31,111,235,0.10)",
    )
    fig.add_shape(
        type="circle",
        x0=-3.0,
        x1=3.0,
        y0=-2.7,
        y1=0.7,
        line={"color": OBSTACLE_COLOUR, "width": 5},
        fillcolor="rgba(209,36,47,0.10)",
    )
    caption_font = {"size": 22, "color": "#444444"}
    body_font = {"size": 26, "color": INK}
    # (caption y, caption, colour, text, text y, wrap width, lines)
    items = [
        (2.25, labels[0], TREND_COLOUR, trend, 1.45, 34, 3),
        (-2.25, labels[1], OBSTACLE_COLOUR, obstacle, -1.45, 34, 3),
        (0.42, labels[2], INNOVATION_COLOUR, innovation, -0.1, 28, 3),
    ]
    for caption_y, caption, colour, text, text_y, width, lines in items:
        fig.add_annotation(
            x=0,
            y=caption_y,
            text=f"<b>{html.escape(caption.upper())}</b>",
            showarrow=False,
            font={**caption_font, "color": colour},
        )
        fig.add_annotation(
            x=0,
            y=text_y,
            text=safe_label(text, width=width, max_lines=lines) if text else html.escape(placeholder),
            showarrow=False,
            font=body_font if text else {**body_font, "color": "#888888"},
        )
    fig.update_xaxes(visible=False, range=[-3.1, 3.1], fixedrange=True)
    fig.update_yaxes(visible=False, range=[-2.8, 2.8], fixedrange=True, scaleanchor="x")
    fig.update_layout(
        font_family=FONT,
        height=height,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        paper_bgcolor="white",
        plot_bgcolor="white",
        showlegend=False,
    )
    return fig


def results_figure(
    *, labels: Sequence[str], votes: Sequence[int], winner_index: int | None, height: int | None = None
) -> go.Figure:
    """Horizontal bars, most votes on top; the winner in green."""
    colours = [INNOVATION_COLOUR if i == winner_index else "#8c959f" for i in range(len(labels))]
    # Bars sit at positions, not at their labels: two options with the same text stay two bars.
    positions = list(range(len(labels)))[::-1]
    fig = go.Figure(
        go.Bar(
            x=list(votes),
            y=positions,
            orientation="h",
            marker_color=colours,
            text=[str(v) for v in votes],
            textposition="outside",
            textfont={"size": 26},
            hoverinfo="skip",
        )
    )
    fig.update_layout(
        font_family=FONT,
        height=height or max(260, 90 * len(labels) + 40),
        margin={"l": 10, "r": 40, "t": 10, "b": 10},
        font={"size": 22, "color": INK},
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis={"visible": False, "range": [0, max([*votes, 1]) * 1.25]},
        yaxis={
            "automargin": True,
            "tickmode": "array",
            "tickvals": positions,
            "ticktext": [safe_label(label, width=38, max_lines=2) for label in labels],
        },
    )
    return fig
