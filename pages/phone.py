"""A participant's phone: one task at a time for the current step.

Identity is the token in the URL (``?p=``), resolved against the database on every run, so a
reload, a locked screen or a server restart brings back the same participant.
"""

import streamlit as st

from ui.common import act, change_language_link, esc, guess_missed, guess_wait, md_escape, show_flash, tr
from ui.engine import new_session
from ui.fields import text_field
from ui.memory import participant_slot, remember
from ui.present import (
    live_phone,
    option_text,
    step_chips,
    trend_category,
    trend_description,
    trend_title,
)
from ui.style import phone_style
from workshop import guessing, services, steps
from workshop.limits import NOTE_MAX, RATIONALE_MAX
from workshop.models import Workshop
from workshop.views import shared_view, signature_of

phone_style()
token = st.query_params.get("p")
with new_session() as session:
    me = services.participant_by_token(session=session, token=token)
if me is None:
    if guess_wait(guessing.CODES):
        st.error(tr("error.too_many_codes", seconds=int(guess_wait(guessing.CODES)) + 1))
        st.stop()
    guess_missed(guessing.CODES)
    st.error(tr("phone.unknown"))
    st.page_link("pages/start.py", label=tr("join.enter_code"))
    st.stop()
participant_id, workshop_id = me.id, me.workshop_id


# --------------------------------------------------------------------------- actions


def _toggle_pick(trend_id: int) -> None:
    key = f"pick_{trend_id}"
    if (
        act(
            services.toggle_pick,
            participant_id=participant_id,
            trend_id=trend_id,
            picked=bool(st.session_state[key]),
        )
        is None
    ):
        st.session_state[key] = not st.session_state[key]


def _add_note(kind: str) -> None:
    text = st.session_state.get(f"note_{kind}", "")
    rationale = st.session_state.get(f"why_{kind}", "")
    if act(
        services.add_note,
        done="phone.note_saved",
        participant_id=participant_id,
        text=text,
        rationale=rationale,
    ):
        st.session_state[f"note_{kind}"] = ""
        st.session_state[f"why_{kind}"] = ""


def _withdraw(note_id: int) -> None:
    act(services.withdraw_note, done="phone.note_withdrawn", participant_id=participant_id, note_id=note_id)


def _vote(poll_id: int, single: bool, option_ids: list[int]) -> None:
    if single:
        choice = st.session_state.get(f"ballot_{poll_id}")
        marks = {choice: 1} if choice is not None else {}
    else:
        marks = {o: int(st.session_state.get(f"dots_{poll_id}_{o}", 0)) for o in option_ids}
    act(
        services.cast_ballot,
        done="phone.vote_saved",
        participant_id=participant_id,
        poll_id=poll_id,
        marks=marks,
    )


# --------------------------------------------------------------------------- steps


def _lobby(view) -> None:
    st.success(tr("phone.lobby", name=me.name))
    st.write(tr("phone.lobby_wait", n=len(view.participants)))


def _pick(session, view) -> None:
    w = view.workshop
    saved = set(services.picks_of(session=session, participant_id=participant_id))
    st.subheader(tr("phone.pick_title", low=w.picks_min, high=w.picks_max))
    st.caption(tr("phone.pick_help", product=w.product))
    n = len(saved)
    status = tr("phone.picked_n", n=n, low=w.picks_min, high=w.picks_max)
    if n >= w.picks_min:
        codes = ", ".join(t.code for t in view.trends if t.id in saved)
        st.success(f"{status}. {tr('phone.picks_done', codes=codes)}")
    else:
        st.warning(f"{status}. {tr('phone.picks_more', n=w.picks_min - n)}")
    query = st.text_input(tr("phone.search"), key="pick_search", placeholder=tr("phone.search_hint"))
    categories = [tr("phone.all_categories"), *dict.fromkeys(trend_category(t) for t in view.trends)]
    category = st.selectbox(
        tr("phone.category"), categories, key="pick_category", placeholder=tr("ui.choose")
    )
    needle = (query or "").strip().casefold()
    shown = 0
    for trend in view.trends:
        if category != categories[0] and trend_category(trend) != category:
            continue
        haystack = " ".join(
            (trend.code, trend.title_ru, trend.title_en, trend.description_ru, trend.description_en)
        )
        if needle and needle not in haystack.casefold():
            continue
        shown += 1
        # The database is the truth when a box first shows in this browser session; after that
        # the box's own state is (a run that read the picks before a tap was saved must not undo it).
        if f"pick_{trend.id}" not in st.session_state:
            st.session_state[f"pick_{trend.id}"] = trend.id in saved
        st.checkbox(
            f"{md_escape(trend.code)} · {md_escape(trend_title(trend))}",
            key=f"pick_{trend.id}",
            help=md_escape(trend_description(trend)),
            on_change=_toggle_pick,
            args=(trend.id,),
        )
    if not shown:
        st.info(tr("phone.nothing_found"))


def _write(session, view, kind: str) -> None:
    w: Workshop = view.workshop
    mine = services.notes_of(session=session, participant_id=participant_id, kind=kind)
    if kind == "obstacle":
        st.subheader(tr("phone.obstacle_title", low=w.notes_min, high=w.notes_max))
        st.caption(tr("phone.obstacle_help", product=w.product))
        limit = w.notes_max
    else:
        st.subheader(tr("phone.innovation_title"))
        trend = view.chosen_trend
        obstacle = view.chosen_obstacle
        st.html(
            f'<div class="note-card"><b>{esc(tr("template.trend"))}:</b> '
            f"{esc(trend.code + ' · ' + trend_title(trend)) if trend else ''}</div>"
            f'<div class="note-card" style="background:#ffd9d9;margin-top:8px">'
            f"<b>{esc(tr('template.obstacle'))}:</b> {esc(obstacle.text) if obstacle else ''}</div>"
        )
        st.caption(tr("phone.innovation_help"))
        limit = w.ideas_max
    st.write(tr("phone.notes_count", n=len(mine), max=limit))
    if len(mine) < limit:
        with st.form(f"form_{kind}", clear_on_submit=False, border=False):
            text_field(
                tr("phone.obstacle_label") if kind == "obstacle" else tr("phone.innovation_label"),
                key=f"note_{kind}",
                max_len=NOTE_MAX,
                area=True,
                height=100,
            )
            if kind == "innovation":
                text_field(tr("phone.rationale_label"), key=f"why_{kind}", max_len=RATIONALE_MAX)
            st.form_submit_button(
                tr("phone.send"), type="primary", width="stretch", on_click=_add_note, args=(kind,)
            )
    else:
        st.success(tr("phone.enough"))
    for note in mine:
        st.html(
            f'<div class="note-card {kind}">{esc(note.text)}'
            + (f'<span class="why">→ {esc(note.rationale)}</span>' if note.rationale else "")
            + "</div>"
        )
        st.button(
            tr("phone.withdraw"),
            key=f"withdraw_{note.id}",
            on_click=_withdraw,
            args=(note.id,),
        )


def _vote_step(session, view) -> None:
    poll_view = view.poll
    subject = steps.VOTE_STEPS[view.step]
    st.subheader(tr(f"phone.vote_title.{subject}"))
    if poll_view is None or poll_view.poll.status == "ready":
        st.info(tr("phone.vote_wait"))
        return
    poll = poll_view.poll
    if poll.round > 1:
        st.warning(tr("phone.runoff", round=poll.round))
    st.caption(tr("phone.voting_open_names") if view.workshop.open_voting else tr("phone.voting_secret"))
    mine = services.ballot_of(session=session, poll_id=poll.id, participant_id=participant_id)
    if poll.status == "open":
        options = poll_view.options
        single = poll.votes_per_person == 1
        if single:
            ids = [o.id for o in options]
            current = next(iter(mine), None)
            st.radio(
                tr("phone.choose_one"),
                ids,
                key=f"ballot_{poll.id}",
                index=ids.index(current) if current in ids else None,
                format_func=lambda oid: md_escape(option_text(view, next(o for o in options if o.id == oid))),
            )
        else:
            st.caption(tr("phone.dots_help", n=poll.votes_per_person, cap=poll.cap_per_option))
            for option in options:
                st.number_input(
                    md_escape(option_text(view, option)),
                    min_value=0,
                    max_value=min(poll.cap_per_option, poll.votes_per_person),
                    value=mine.get(option.id, 0),
                    key=f"dots_{poll.id}_{option.id}",
                )
        if mine:
            st.success(tr("phone.voted"))
        st.button(
            tr("phone.change_vote") if mine else tr("phone.vote"),
            type="primary",
            width="stretch",
            on_click=_vote,
            args=(poll.id, single, [o.id for o in options]),
            key=f"vote_{poll.id}",
        )
    elif poll.status == "closed":
        st.info(tr("phone.vote_closed"))
    else:
        winner = poll_view.winner
        if winner is not None:
            st.success(tr("phone.winner", text=option_text(view, winner)))
        elif poll.tie:
            st.warning(tr("phone.tie"))


def _result(view) -> None:
    trend, obstacle, innovation = view.chosen_trend, view.chosen_obstacle, view.chosen_innovation
    st.subheader(tr("phone.result_title"))
    st.html(
        f'<div class="note-card"><b>{esc(tr("template.trend"))}:</b> '
        f"{esc(trend.code + ' · ' + trend_title(trend)) if trend else '—'}</div>"
        f'<div class="note-card" style="background:#ffd9d9;margin-top:8px">'
        f"<b>{esc(tr('template.obstacle'))}:</b> {esc(obstacle.text) if obstacle else '—'}</div>"
        f'<div class="note-card innovation" style="margin-top:8px">'
        f"<b>{esc(tr('template.innovation'))}:</b> {esc(innovation.text) if innovation else '—'}"
        + (
            f'<span class="why">→ {esc(innovation.rationale)}</span>'
            if innovation and innovation.rationale
            else ""
        )
        + "</div>"
    )
    if view.step == steps.FINISHED:
        st.success(tr("phone.thanks"))


@st.fragment
def phone_body() -> None:
    with new_session() as session:
        view = shared_view(session=session, workshop_id=workshop_id)
        workshop = view.workshop
        signature = signature_of(view)
        remember(participant_slot(workshop.code), token)
        live_phone(view, signature, participant_id=participant_id, key="live_phone")
        st.html(f"<b>{esc(workshop.title)}</b> · {esc(me.name)} ({esc(me.department)})")
        admission = services.admission_of(session=session, participant_id=participant_id)
        if admission == services.WAITING:
            st.info(tr("phone.waiting"))
            return
        if admission == services.TURNED_AWAY:
            st.warning(tr("phone.turned_away"))
            return
        step_chips(view.step, compact=True)
        show_flash()
        over = view.timer_over
        if over and (view.step in steps.WRITE_STEPS):
            st.warning(tr("phone.time_up"))
        if view.step == steps.LOBBY:
            _lobby(view)
        elif view.step == steps.TRENDS_PICK:
            _pick(session, view)
        elif view.step in steps.NOTE_KIND:
            _write(session, view, steps.NOTE_KIND[view.step])
        elif view.step in steps.VOTE_STEPS:
            _vote_step(session, view)
        else:
            _result(view)


phone_body()
change_language_link()
