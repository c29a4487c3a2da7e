"""A finished workshop's presentation behind a read-only link: no password, nothing to change,
and nothing at all once the link is revoked."""

import streamlit as st

from ui.common import change_language_link, esc, guess_missed, guess_wait, tr
from ui.present import template, why_chosen
from ui.style import manager_style
from web.engine import new_session
from workshop.access import guessing
from workshop.live.views import workshop_view
from workshop.managers.sharing import workshop_for_token
from workshop.rules.errors import NotFound

manager_style()
try:
    with new_session() as session:
        workshop = workshop_for_token(session=session, token=st.query_params.get("t"))
        view = workshop_view(session=session, workshop=workshop)
except NotFound:
    wait = guess_wait(guessing.CODES)
    if wait:
        st.error(tr("error.too_many_codes", seconds=int(wait) + 1))
        st.stop()
    guess_missed(guessing.CODES)
    st.error(tr("share.unknown"))
    st.stop()

change_language_link()
st.html(
    f"<h1 style='margin-bottom:0'>{esc(view.workshop.title)}</h1>"
    f"<p style='font-size:20px'>{esc(view.workshop.product)}</p>"
)
finished_at = view.workshop.finished_at
st.caption(
    tr(
        "share.caption",
        date=finished_at.strftime("%Y-%m-%d") if finished_at else "",
        facilitator=view.workshop.facilitator_name or "—",
        people=len(view.participants),
    )
)
left, right = st.columns([5, 4], gap="large")
with left:
    template(view, height=620)
with right:
    why_chosen(view)
