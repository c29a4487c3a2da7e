"""The facilitator's control view on its own screen (a laptop or the facilitator's phone)."""

import streamlit as st

from ui.common import change_language_link, esc, guess_missed, guess_wait, tr
from ui.controls import controls
from ui.engine import new_session
from ui.present import board_of, live_board, load_view, step_chips
from ui.style import phone_style
from workshop import guessing, services
from workshop.board import FACILITATOR
from workshop.errors import AccessDenied

phone_style()
code = st.query_params.get("w", "")
key = st.query_params.get("k")
try:
    with new_session() as session:
        workshop = services.facilitated_workshop(session=session, code=code, key=key)
except AccessDenied:
    # An unknown code and a wrong key: the same answer, and a miss of this client's limit.
    wait = guess_wait(guessing.CODES)
    if wait:
        st.error(tr("error.too_many_codes", seconds=int(wait) + 1))
        st.stop()
    guess_missed(guessing.CODES)
    st.error(tr("error.access_denied"))
    st.stop()
workshop_id, workshop_code = workshop.id, workshop.code


@st.fragment
def control_body() -> None:
    view, _signature = load_view(workshop_id)
    board = board_of(view, screen=FACILITATOR)
    st.html(f"<b>{esc(workshop_code)}</b>")
    live_board(view, board, size="small", key="live_control")
    step_chips(view.step)
    controls(view, board, key=key or "")


control_body()
st.page_link(
    "pages/projector.py", label=tr("ctl.open_projector"), query_params={"w": workshop_code, "k": key}
)
change_language_link()
