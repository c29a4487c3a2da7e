"""The facilitator's screen: the controls and the workshop's live lists, on a screen the room
does not see (the facilitator's laptop, or their phone as a remote). The room's view opens from
here for the projector. As on the projector, the key leaves the address bar after the first load
and lives in this browser's memory."""

import streamlit as st

from ui.common import change_language_link, esc, guess_missed, guess_wait, lang, tr
from ui.controls import controls, facilitator_links, room_link
from ui.memory import facilitator_slot, recall, remember
from ui.present import board_of, live_board, load_view, step_chips
from ui.style import control_style
from web.engine import new_session
from workshop import services
from workshop.access import guessing
from workshop.live.board import FACILITATOR
from workshop.rules.errors import AccessDenied
from workshop.rules.security import normalise_join_code

control_style()
code = normalise_join_code(st.query_params.get("w", ""))
url_key = st.query_params.get("k")
KEPT = f"_facilitator_key_{code}"
key = url_key or st.session_state.get(KEPT)
asks_for_controls = st.query_params.get("controls") == "1"
if not key and asks_for_controls:
    key = recall(facilitator_slot(code))
try:
    with new_session() as session:
        workshop = services.facilitated_workshop(session=session, code=code, key=key)
except AccessDenied:
    if asks_for_controls and not key:
        # This browser's memory has not answered yet (or holds nothing): no guess was made.
        st.info(tr("proj.opening_controls"))
        st.stop()
    # An unknown code and a wrong key: the same answer, and a miss of this client's limit.
    wait = guess_wait(guessing.CODES)
    if wait:
        st.error(tr("error.too_many_codes", seconds=int(wait) + 1))
        st.stop()
    guess_missed(guessing.CODES)
    st.error(tr("error.access_denied"))
    st.stop()
assert key is not None
workshop_id, workshop_code = workshop.id, workshop.code
if url_key:
    remember(facilitator_slot(workshop_code), url_key)
    st.session_state[KEPT] = url_key
    del st.query_params["k"]
    st.query_params["controls"] = "1"

code_line = f"{esc(workshop.product)} · {esc(tr('proj.join_small'))} <b>{esc(workshop_code)}</b>"
st.html(f"<h2 style='margin:0'>{esc(workshop.title)}</h2><p style='margin:0'>{code_line}</p>")
view, _signature = load_view(workshop_id)
st.link_button(tr("ctl.open_room"), room_link(view, key), type="primary", width="stretch")
st.caption(tr("ctl.open_room_help"))


@st.fragment
def control_body() -> None:
    view, _signature = load_view(workshop_id)
    board = board_of(view, screen=FACILITATOR)
    live_board(view, board, size="small", key="live_control")
    step_chips(view.step)
    controls(view, board, key=key or "")


control_body()
facilitator_links(view, key=key)
st.page_link(
    "pages/projector.py",
    label=tr("ctl.one_screen"),
    query_params={"w": workshop_code, "controls": "1", "lang": lang()},
)
change_language_link()
