"""The projector: what the room sees, by the room's own link (``?w=CODE&r=ROOM``, given with
the facilitator's links); with the facilitator key, the controls appear in the sidebar. A join
code alone opens nothing here: an unknown code and a known one without the room's key get the
same answer, and each such try counts against the client's guessing limit."""

import streamlit as st

from ui.common import change_language_link, esc, guess_missed, guess_wait, lang, tr
from ui.controls import controls, join_link
from ui.memory import facilitator_slot, recall, remember, room_slot
from ui.present import (
    Board,
    board_of,
    board_part,
    group_warnings,
    live_board,
    load_view,
    mini_template,
    note_wall,
    option_text,
    results_chart,
    roster,
    step_chips,
    template,
    trend_map,
    why_chosen,
)
from ui.style import projector_style
from web.engine import new_session
from workshop import services
from workshop.access import guessing, net
from workshop.i18n import t
from workshop.live.board import FACILITATOR, ROOM
from workshop.live.views import WorkshopView
from workshop.render.qr import qr_data_uri
from workshop.rules import steps
from workshop.rules.enums import PollStatus, Subject
from workshop.rules.errors import NotFound
from workshop.rules.security import normalise_join_code, secret_matches

code = normalise_join_code(st.query_params.get("w", ""))
url_key = st.query_params.get("k")
room_key = st.query_params.get("r")
try:
    with new_session() as session:
        workshop = services.workshop_by_code(session=session, code=code)
except NotFound:
    workshop = None

# No key stays in the projected address bar: once checked, the facilitator's key (or the room's)
# moves to this browser's memory and the URL becomes ?w=CODE&controls=1 (or &room=1). The room's
# link never looks for the facilitator's key, so it never shows controls.
KEPT, ROOM_KEPT = f"_facilitator_key_{code}", f"_room_key_{code}"
key = url_key or st.session_state.get(KEPT)
room = room_key or st.session_state.get(ROOM_KEPT)
asks_for_controls = st.query_params.get("controls") == "1"
asks_for_room = st.query_params.get("room") == "1"
if not key and asks_for_controls:
    key = recall(facilitator_slot(code))
if not room and asks_for_room:
    room = recall(room_slot(code))
is_facilitator = workshop is not None and secret_matches(key, workshop.facilitator_key_hash)
is_room = (
    workshop is not None
    and not is_facilitator
    and bool(workshop.room_key_hash)
    and secret_matches(room, workshop.room_key_hash)
)
projector_style(chrome=is_facilitator)
if not (is_facilitator or is_room):
    if (asks_for_controls or asks_for_room) and not (url_key or room_key or key or room):
        # This browser's memory has not answered yet (or holds nothing): no guess was made.
        st.info(tr("proj.opening_controls" if asks_for_controls else "proj.opening_room"))
        st.stop()
    wait = guess_wait(guessing.CODES)
    if wait:
        st.error(tr("error.too_many_codes", seconds=int(wait) + 1))
        st.stop()
    guess_missed(guessing.CODES)
    st.error(tr("error.room_link"))
    st.stop()
assert workshop is not None
workshop_id, workshop_code = workshop.id, workshop.code
if is_facilitator and url_key:
    remember(facilitator_slot(workshop_code), url_key)
    st.session_state[KEPT] = url_key
    del st.query_params["k"]
    st.query_params["controls"] = "1"
if is_room and room_key:
    remember(room_slot(workshop_code), room_key)
    st.session_state[ROOM_KEPT] = room_key
    del st.query_params["r"]
    st.query_params["room"] = "1"
if url_key and not is_facilitator:
    guess_missed(guessing.CODES)
    st.error(tr("error.access_denied"))


def _lobby(view: WorkshopView, board: Board) -> None:
    link = join_link(view)
    left, right = st.columns([2, 3], gap="large")
    with left:
        st.html(
            f"<h3 style='margin:0 0 8px 0'>{esc(tr('proj.scan'))}</h3>"
            f'<div class="qr"><img alt="{esc(tr("proj.qr_alt"))}" src="{qr_data_uri(link)}"></div>'
            f'<div class="join-url">{esc(link)}</div>'
            f'<p>{esc(tr("proj.or_code"))}</p><div class="join-code">{esc(view.workshop.code)}</div>'
        )
    with right:
        if net.is_local(link):
            addresses = ", ".join(net.lan_bases(st.context.url or "")) or "—"
            st.warning(tr("proj.local_warning", addresses=addresses))
        roster(board)
        group_warnings(board)


def _pick(view: WorkshopView, board: Board) -> None:
    w = view.workshop
    # One line for the task and the progress: the map gets the rest of the screen.
    board_part(
        "pick_line",
        board,
        key="board_pick_line",
        labels={
            "title": t("proj.pick_title", lang(), low=w.picks_min, high=w.picks_max),
            "progress": t("proj.pick_progress", lang(), n="{n}", total="{total}", picks="{picks}"),
        },
    )
    trend_map(view, board)


def _vote(view: WorkshopView, board: Board) -> None:
    subject = steps.VOTE_STEPS[view.step]
    st.header(tr(f"proj.vote_title.{subject}"))
    poll_view = view.poll
    if poll_view is None:
        return
    poll = poll_view.poll
    if poll.round > 1:
        st.warning(tr("proj.runoff", round=poll.round))
    if poll.status in (PollStatus.READY, PollStatus.OPEN, PollStatus.CLOSED):
        status = {
            PollStatus.READY: "proj.vote_ready",
            PollStatus.OPEN: "proj.vote_open",
            PollStatus.CLOSED: "proj.vote_closed",
        }
        board_part(
            "ballots",
            board,
            key="board_ballots",
            variant="big",
            labels={"text": "{n} / {total}", "caption": t(status[poll.status], lang())},
        )
        # The ballot in columns, numbered as the phones show it: every option on one screen.
        items = "".join(
            f'<li class="ballot-option">{esc(option_text(view, o))}'
            + (f' <span class="chip">×{o.support}</span>' if o.support > 1 else "")
            + "</li>"
            for o in poll_view.options
        )
        columns = 1 if len(poll_view.options) <= 8 else 2 if len(poll_view.options) <= 20 else 3
        st.html(f'<ol class="ballot-options" style="--columns:{columns}">{items}</ol>')
    else:
        # The winner's row says so (and whether the facilitator decided); a tie is said above.
        if poll_view.winner is None and poll.tie:
            st.warning(tr("proj.tie"))
        results_chart(view)


def _write(view: WorkshopView, board: Board) -> None:
    kind = steps.NOTE_KIND[view.step]
    if kind == Subject.OBSTACLE:
        st.header(tr("proj.obstacle_title", product=view.workshop.product))
        note_wall(board, kind=kind)
        return
    # The template stays in sight, drawn small beside the wall: a full group's ideas fit too.
    left, right = st.columns([1, 5], gap="medium")
    with left:
        mini_template(view)
    with right:
        st.subheader(tr("proj.innovation_title"))
        note_wall(board, kind=kind)


def _presentation(view: WorkshopView) -> None:
    if view.step == steps.FINISHED:
        st.success(tr("proj.finished"))
    left, right = st.columns([5, 4], gap="large")
    with left:
        template(view, height=680)
    with right:
        why_chosen(view)
        if view.workshop.agreement_confirmed:
            st.success(tr("proj.agreement_yes"))
        else:
            st.info(tr("proj.agreement_check"))


def draw(view: WorkshopView, board: Board) -> None:
    workshop = view.workshop
    head, clock = st.columns([5, 2])
    with head:
        st.html(
            f"<h2 class='workshop-title'>{esc(workshop.title)}"
            f" <span class='workshop-product'>· {esc(workshop.product)}</span></h2>"
        )
        step_chips(view.step)
    with clock:
        live_board(view, board, size="big", key="live_projector")
        if view.step not in (steps.LOBBY, steps.FINISHED):
            st.html(
                f"<div style='text-align:right;font-size:22px'>{esc(tr('proj.join_small'))} "
                f"<b>{esc(workshop_code)}</b></div>"
            )
    if view.step == steps.LOBBY:
        _lobby(view, board)
    elif view.step == steps.TRENDS_PICK:
        _pick(view, board)
    elif view.step in steps.VOTE_STEPS:
        _vote(view, board)
    elif view.step in steps.NOTE_KIND:
        _write(view, board)
    else:
        _presentation(view)


if is_facilitator:
    # The facilitator's page runs as a whole: only when its layout changes or a control is used;
    # everything else a step shows is patched in the browser from the board data.
    view, _signature = load_view(workshop_id)
    board = board_of(view, screen=FACILITATOR)
    with st.sidebar:
        controls(view, board, key=key or "")
        change_language_link()
    draw(view, board)
else:

    @st.fragment
    def projector_body() -> None:
        view, _signature = load_view(workshop_id)
        draw(view, board_of(view, screen=ROOM))

    projector_body()
