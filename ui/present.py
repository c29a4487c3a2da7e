"""Drawing pieces shared by the projector, the control panel and the phone.

Every participant-written string goes through ``esc`` (HTML) or ``md_escape`` (widget labels).
"""

from __future__ import annotations

import streamlit as st

from ui.common import esc, lang, tr
from ui.engine import new_session
from ui.live import live
from workshop import figures, steps
from workshop.models import PollOption, Trend
from workshop.views import NoteCard, WorkshopView, shared_view, signature_of


def trend_title(trend: Trend) -> str:
    return trend.title_ru if lang() == "ru" else trend.title_en


def trend_description(trend: Trend) -> str:
    return trend.description_ru if lang() == "ru" else trend.description_en


def trend_category(trend: Trend) -> str:
    return trend.category_ru if lang() == "ru" else trend.category_en


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


def live_view(view: WorkshopView, signature: dict[str, str], *, for_phone: bool, size: str, key: str) -> None:
    """The screen's one live element: countdown from the workshop's timer, pushed changes."""
    live(
        code=view.workshop.code,
        for_phone=for_phone,
        signature=signature,
        deadline=view.workshop.deadline,
        paused_remaining=view.workshop.paused_remaining,
        labels=timer_labels(),
        size=size,
        key=key,
        sound=view.workshop.sound and not for_phone,
        fullscreen=size == "big",
    )


def note_wall(cards: list[NoteCard], *, show_authors: bool, css: str = "") -> None:
    if not cards:
        st.info(tr("wall.empty"))
        return
    parts = []
    for card in cards:
        extra = ""
        if card.rationale:
            extra += f'<span class="why">→ {esc(card.rationale)}</span>'
        if card.merged:
            extra += f'<span class="merged">+{len(card.merged)} {esc(tr("wall.similar"))}</span>'
        if show_authors:
            extra += f'<span class="who">{esc(", ".join(card.authors))}</span>'
        parts.append(f'<div class="note-card {css}">{esc(card.text)}{extra}</div>')
    st.html(f'<div class="note-wall">{"".join(parts)}</div>')


def trend_map(view: WorkshopView, *, height: int = 680, counts: bool = True) -> None:
    """The trend map on the wall: a metro scheme with live pick counts."""
    stations = [
        figures.Station(
            code=t.code,
            title=trend_title(t),
            category=trend_category(t),
            picks=view.pick_counts.get(t.id or -1, 0) if counts else 0,
        )
        for t in view.trends
    ]
    fig = figures.trend_map_figure(stations, height=height)
    st.plotly_chart(fig, config={"displayModeBar": False, "staticPlot": True}, width="stretch", theme=None)


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


def results_chart(view: WorkshopView, *, height: int | None = None) -> None:
    poll = view.poll
    if poll is None or not poll.revealed:
        return
    labels = [option_text(view, r.option) for r in poll.results]
    votes = [r.votes or 0 for r in poll.results]
    winner = next((i for i, r in enumerate(poll.results) if r.option.id == poll.poll.winner_option_id), None)
    # Fit under the heading at 1920x1080: nobody scrolls a projector.
    fig = figures.results_figure(
        labels=labels, votes=votes, winner_index=winner, height=height or min(620, 80 * len(labels) + 40)
    )
    st.plotly_chart(fig, config={"displayModeBar": False, "staticPlot": True}, width="stretch", theme=None)


def why_chosen(view: WorkshopView) -> None:
    """Step 5: which trend and why, which obstacle and why, which innovation."""
    for subject in ("trend", "obstacle", "innovation"):
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
        if subject == "trend" and choice.option.trend_id is not None:
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
