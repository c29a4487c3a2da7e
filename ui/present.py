"""Drawing pieces shared by the projector and the control panel.

Every participant-written string goes through ``esc`` (HTML) or ``md_escape`` (widget labels).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from ui.common import esc, lang, tr
from ui.live import live, part
from web.engine import new_session
from workshop.access import tickets
from workshop.db.models import PollOption, Trend
from workshop.i18n import localized, plural_labels, t
from workshop.live.board import FACILITATOR, board_state
from workshop.live.views import WorkshopView, shared_view, signature_of
from workshop.maps.metro import Station, metro_layout
from workshop.render import figures
from workshop.rules import steps
from workshop.rules.enums import Subject
from workshop.rules.results import Row, results_layout


def trend_title(trend: Trend) -> str:
    return localized(trend, "title", lang())


def trend_description(trend: Trend) -> str:
    return localized(trend, "description", lang())


def trend_category(trend: Trend) -> str:
    return localized(trend, "category", lang())


def option_text(view: WorkshopView, option: PollOption) -> str:
    if option.trend_id is not None:
        trend = view.trend_by_id.get(option.trend_id)
        if trend is not None:
            return f"{trend.code} · {trend_title(trend)}"
    return option.label


def step_chips(step: str, *, compact: bool = False) -> None:
    """The method's five steps, the current one highlighted; compact shows only its name."""
    current = steps.METHOD_STEP[step]
    chips = "".join(
        f'<span class="{"now" if n == current else ""}">'
        f"{n}{'. ' + esc(tr(f'method.{n}')) if (n == current or not compact) else ''}</span>"
        for n in range(1, 6)
    )
    st.html(f'<div class="steps">{chips}</div>')


def timer_labels() -> dict[str, str]:
    return {
        "left": tr("timer.left"),
        "paused": tr("timer.paused"),
        "up": tr("timer.up"),
        "fullscreen": tr("proj.fullscreen"),
    }


def load_view(workshop_id: int) -> tuple[WorkshopView, dict[str, str]]:
    """What a screen draws, and the fingerprints its live element compares against."""
    with new_session() as session:
        view = shared_view(session=session, workshop_id=workshop_id)
        return view, signature_of(view)


def screen_ticket(view: WorkshopView, scope: str, subject: int = 0) -> str:
    """The ticket this screen's live element shows the live routes (see ``workshop.access.tickets``)."""
    with new_session() as session:
        secret = tickets.server_secret(session=session)
    assert view.workshop.id is not None
    return tickets.issue(
        secret=secret, code=view.workshop.code, workshop_id=view.workshop.id, scope=scope, subject=subject
    )


@dataclass(frozen=True)
class Board:
    """A big screen's live data for one page run: what its parts are drawn from."""

    code: str
    screen: str  # "room" or "facilitator"
    state: dict
    ticket: str

    @property
    def layout(self) -> str:
        return str(self.state["layout"][self.screen])


def board_of(view: WorkshopView, *, screen: str) -> Board:
    return Board(
        code=view.workshop.code,
        screen=screen,
        state=board_state(view),
        ticket=screen_ticket(view, tickets.FACILITATOR if screen == FACILITATOR else tickets.ROOM),
    )


def live_board(view: WorkshopView, board: Board, *, size: str, key: str) -> None:
    """A big screen's one live element: the countdown, and the board data it patches from."""
    live(
        code=board.code,
        ticket=board.ticket,
        screen=board.screen,
        layout=board.layout,
        state=board.state,
        labels=timer_labels(),
        size=size,
        key=key,
        sound=view.workshop.sound,
        fullscreen=size == "big",
    )


def board_part(name: str, board: Board, *, key: str, screen: str = "projector", **kwargs: Any) -> None:
    """One patched part of a big screen, drawn from ``board``'s data."""
    part(name, code=board.code, state=board.state, key=key, screen=screen, lang=lang(), **kwargs)


def roster(board: Board) -> None:
    board_part(
        "roster",
        board,
        key="board_roster",
        labels={"title": t("proj.roster", lang(), n="{n}"), "empty": t("proj.roster_empty", lang())},
    )


def warning_labels() -> dict[str, str]:
    keys = ("warn.too_few", "warn.too_many", "warn.one_department")
    names = {"n": "{n}", "min": "{min}", "max": "{max}", "department": "{department}"}
    return {k: t(k, lang(), **names) for k in keys}


def group_warnings(board: Board, *, screen: str = "projector", key: str = "board_warnings") -> None:
    board_part("warnings", board, key=key, screen=screen, labels=warning_labels())


def note_wall(board: Board, *, kind: str) -> None:
    """The wall of the step's notes (obstacles) or ideas (innovations), counted as the room
    sees it: one card per note left after merges and withdrawals."""
    board_part(
        "wall",
        board,
        key="board_wall",
        css="innovation" if kind == Subject.INNOVATION else "",
        labels={
            "count": plural_labels(f"wall.count.{kind}", lang(), n="{n}"),
            "empty": t(f"wall.empty.{kind}", lang()),
            "similar": t("wall.similar", lang()),
        },
    )


def map_stations(view: WorkshopView) -> list[Station]:
    return [
        Station(code=t.code, title=trend_title(t), category=trend_category(t), key=t.id) for t in view.trends
    ]


def metro(
    stations: list[Station],
    *,
    key: str,
    board: Board | None = None,
    counts: bool = True,
    screen: str = "projector",
    caption: str = "",
) -> None:
    """A trend map as a metro scheme (the layout the poster prints too); with a ``board``, its
    stations fill with the live pick counts."""
    part(
        "map",
        code=board.code if board else "",
        state=board.state if board else None,
        key=key,
        screen=screen,
        lang=lang(),
        map=metro_layout(stations).as_data(),
        counts=counts and board is not None,
        labels={"caption": caption, "page": t("map.page", lang(), n="{n}", total="{total}")},
    )


def trend_map(view: WorkshopView, board: Board) -> None:
    """The trend map on the wall, filling with the live pick counts."""
    caption = localized(view, "map_title", lang())
    metro(map_stations(view), key="board_map", board=board, caption=caption)


def template(view: WorkshopView, *, height: int = 760) -> None:
    trend = view.chosen_trend
    obstacle = view.chosen_obstacle
    innovation = view.chosen_innovation
    fig = figures.template_figure(
        trend=f"{trend.code} · {trend_title(trend)}" if trend else "",
        obstacle=obstacle.text if obstacle else "",
        innovation=innovation.text if innovation else "",
        labels=(tr("template.trend"), tr("template.obstacle"), tr("template.innovation")),
        placeholder=tr("template.placeholder"),
        height=height,
    )
    st.plotly_chart(fig, config={"displayModeBar": False, "staticPlot": True}, width="stretch", theme=None)


def template_shapes(texts: dict[str, str], *, css_class: str = "mini-template") -> str:
    """The method's template as text in shapes (escaped HTML): the trend on top, the obstacle at
    the bottom, the innovation where they meet; a part not chosen yet says so."""
    parts = "".join(
        f'<div class="mt-{part}"><div class="mt-cap">{esc(tr(f"template.{part}"))}</div>'
        f'<div class="mt-text">{esc(texts.get(part) or tr("template.placeholder"))}</div></div>'
        for part in ("trend", "innovation", "obstacle")
    )
    caption = esc(tr("template.caption"))
    return f'<div class="{css_class}" role="figure" aria-label="{caption}">{parts}</div>'


def mini_template(view: WorkshopView) -> None:
    """The method's template drawn small (still to come while ideas are written)."""
    trend, obstacle, innovation = view.chosen_trend, view.chosen_obstacle, view.chosen_innovation
    texts = {
        "trend": f"{trend.code} · {trend_title(trend)}" if trend else "",
        "innovation": innovation.text if innovation else "",
        "obstacle": obstacle.text if obstacle else "",
    }
    st.html(template_shapes(texts))


def results_chart(view: WorkshopView) -> None:
    """A revealed vote, read from the back of the room: every option's whole text beside its
    bar and count; the winner and the options tied for the lead marked; with many options the
    leaders large and the rest in compact columns (``workshop.rules.results``)."""
    poll = view.poll
    if poll is None or not poll.revealed:
        return
    labels = [option_text(view, r.option) for r in poll.results]
    votes = [r.votes or 0 for r in poll.results]
    winner = next((i for i, r in enumerate(poll.results) if r.option.id == poll.poll.winner_option_id), None)
    layout = results_layout(labels=labels, votes=votes, winner_index=winner, tie=poll.poll.tie)
    decided = poll.poll.decided_by == "facilitator"
    flags = {
        "winner": esc(tr("results.decided" if decided else "results.winner")),
        "tied": esc(tr("results.tied")),
    }

    def row(r: Row, *, compact: bool) -> str:
        state = "winner" if r.winner else "tied" if r.tied else ""
        flag = f'<span class="result-flag">{flags[state]}</span>' if state else ""
        width = f"{max(r.share, 0.02) * 100:.1f}%"
        bar = "" if compact else f'<span class="result-bar"><span style="width:{width}"></span></span>'

        return (
            f'<li class="result {state}" data-votes="{r.votes}">'
            f'<span class="result-label">{esc(r.label)}{flag}</span>{bar}'
            f'<span class="result-votes">{r.votes}</span></li>'
        )

    large = "".join(row(r, compact=False) for r in layout.large)
    compact = "".join(row(r, compact=True) for r in layout.compact)
    rest = (
        f'<ol class="results-compact" style="--columns:{layout.columns}" start="{len(layout.large) + 1}">'
        f"{compact}</ol>"
        if compact
        else ""
    )
    st.html(
        f'<div class="results" data-options="{len(layout.rows)}" role="figure" '
        f'aria-label="{esc(tr("results.caption"))}"><ol class="results-large">{large}</ol>{rest}</div>'
    )


def why_chosen(view: WorkshopView) -> None:
    """Step 5: which trend and why, which obstacle and why, which innovation."""
    for subject in Subject:
        choice = view.choices.get(subject)
        st.html(f"<h3 style='margin:8px 0 4px 0'>{esc(tr(f'why.{subject}'))}</h3>")
        if choice is None:
            st.write(tr("why.none"))
            continue
        text = option_text(view, choice.option)
        how = tr("why.decided_by_facilitator") if choice.decided_by == "facilitator" else ""
        rounds = tr("why.rounds", n=choice.rounds) if choice.rounds > 1 else ""
        lines = [
            f'<div class="winner"><b>{esc(text)}</b>',
            f"<div>{esc(tr('why.votes', votes=choice.votes, ballots=choice.ballots))} "
            f"{esc(rounds)} {esc(how)}</div>",
        ]
        if subject == Subject.TREND and choice.option.trend_id is not None:
            names = view.pickers.get(choice.option.trend_id, [])
            lines.append(f"<div>{esc(tr('why.picked_by', n=len(names)))}: {esc(', '.join(names))}</div>")
        else:
            card = view.note(choice.option.note_id)
            if card is not None:
                if card.rationale:
                    lines.append(f"<div>→ {esc(card.rationale)}</div>")
                if card.merged:
                    similar = "; ".join(m.text for m in card.merged)
                    lines.append(f"<div>{esc(tr('why.behind'))}: {esc(similar)}</div>")
        lines.append("</div>")
        st.html("".join(lines))
