"""The facilitator's control view on its own screen (a laptop or the facilitator's phone)."""

import streamlit as st

from ui.common import change_language_link, tr
from ui.controls import controls
from ui.engine import new_session
from ui.live import live
from ui.present import step_chips, timer_labels
from ui.style import phone_style
from workshop import services
from workshop.errors import AccessDenied
from workshop.models import Workshop
from workshop.views import workshop_view

phone_style()
code = st.query_params.get("w", "")
key = st.query_params.get("k")
try:
    with new_session() as session:
        workshop = services.facilitated_workshop(session=session, code=code, key=key)
except AccessDenied:
    st.error(tr("error.access_denied"))
    st.stop()
workshop_id, workshop_code = workshop.id, workshop.code


@st.fragment
def control_body() -> None:
    with new_session() as session:
        workshop = session.get(Workshop, workshop_id)
        view = workshop_view(session=session, workshop=workshop)
        signature = services.live_signature(session=session, code=workshop_code)
    st.html(f"<b>{workshop.code}</b>")
    live(
        code=workshop_code,
        for_phone=False,
        signature=signature,
        deadline=workshop.deadline,
        paused_remaining=workshop.paused_remaining,
        labels=timer_labels(),
        size="small",
        key="live_control",
    )
    step_chips(view.step)
    controls(view, key=key or "")


control_body()
st.page_link(
    "pages/projector.py", label=tr("ctl.open_projector"), query_params={"w": workshop_code, "k": key}
)
change_language_link()
