"""Plotly figures: the method's template and vote results. Built here, drawn by the pages.

Participant text goes into figures escaped (``&lt;`` etc.), so Plotly's small HTML subset in
labels never turns a note into markup.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence

import plotly.graph_objects as go

from workshop.render import template
from workshop.render.template import INK, INNOVATION_COLOUR, OBSTACLE_COLOUR, TREND_COLOUR

__all__ = [
    "FONT",
    "INK",
    "INNOVATION_COLOUR",
    "OBSTACLE_COLOUR",
    "TREND_COLOUR",
    "results_figure",
    "safe_label",
    "template_figure",
]

# The app's own typeface (Streamlit serves Source Sans), so charts match the page.
FONT = "Source Sans 3, Source Sans Pro, sans-serif"
WRAP = {"trend": 34, "obstacle": 34, "innovation": 28}  # characters a line in the template


def _rgba(colour: str, alpha: float) -> str:
    value = colour.lstrip("#")
    return f"rgba({int(value[0:2], 16)},{int(value[2:4], 16)},{int(value[4:6], 16)},{alpha:.2f})"


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
    the intersection, as ``template`` lays them out for the PNG and the PDF too. ``labels``
    are the captions (trend, obstacle, innovation)."""
    fig = go.Figure()
    for figure in template.FIGURES:
        left, bottom, right, top = figure.box
        fig.add_shape(
            type="circle",
            x0=left,
            x1=right,
            y0=bottom,
            y1=top,
            line={"color": figure.colour, "width": 5},
            fillcolor=_rgba(figure.colour, template.FILL_ALPHA),
        )
    caption_font = {"size": 22, "color": "#444444"}
    body_font = {"size": 26, "color": INK}
    texts = {"trend": trend, "obstacle": obstacle, "innovation": innovation}
    for subject, caption in zip(template.SUBJECTS, labels, strict=True):
        text = texts[subject]
        fig.add_annotation(
            x=0,
            y=template.CAPTION_Y[subject],
            text=f"<b>{html.escape(caption.upper())}</b>",
            showarrow=False,
            font={**caption_font, "color": template.COLOURS[subject]},
        )
        fig.add_annotation(
            x=0,
            y=template.REGIONS[subject].centre,
            text=safe_label(text, width=WRAP[subject], max_lines=3) if text else html.escape(placeholder),
            showarrow=False,
            font=body_font if text else {**body_font, "color": "#888888"},
        )
    fig.update_xaxes(visible=False, range=[-template.X_RANGE / 2, template.X_RANGE / 2], fixedrange=True)
    fig.update_yaxes(
        visible=False, range=[-template.Y_RANGE / 2, template.Y_RANGE / 2], fixedrange=True, scaleanchor="x"
    )
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
