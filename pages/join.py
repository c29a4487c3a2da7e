"""Join: a phone that scanned the QR code gives a name and a department; no account."""

import streamlit as st

from ui.common import act, change_language_link, esc, guess_missed, guess_wait, lang, show_flash, tr
from ui.engine import new_session
from ui.fields import text_field
from ui.memory import participant_slot, recall
from ui.style import phone_style
from workshop import guessing, services, steps
from workshop.errors import NotFound
from workshop.limits import DEPARTMENT_MAX, NAME_MAX

phone_style()
change_language_link()
code = st.query_params.get("code", "")
wait = guess_wait(guessing.CODES)
if wait:
    st.error(tr("error.too_many_codes", seconds=int(wait) + 1))
    st.stop()
try:
    with new_session() as session:
        workshop = services.workshop_by_code(session=session, code=code)
except NotFound:
    guess_missed(guessing.CODES)
    st.error(tr("error.workshop_not_found"))
    st.page_link("pages/start.py", label=tr("join.enter_code"))
    st.stop()

target = st.session_state.pop("_go_phone", None) or None
if target:
    st.switch_page("pages/phone.py", query_params={"p": target, "lang": lang()})

st.title(tr("join.title"))
st.html(f"<h3>{esc(workshop.title)}</h3><p>{esc(tr('join.about'))} {esc(workshop.product)}</p>")

if workshop.step == steps.FINISHED:
    st.info(tr("error.workshop_finished"))
    st.stop()


def _join() -> None:
    result = act(
        services.join,
        scope="join",
        code=workshop.code,
        name=st.session_state.join_name,
        department=st.session_state.join_department,
    )
    if result:
        _participant, token = result
        st.session_state["_go_phone"] = token


known = recall(participant_slot(workshop.code))
if known:
    with new_session() as session:
        person = services.participant_by_token(session=session, token=known)
    if person is not None and person.workshop_id == workshop.id:
        st.info(tr("join.already", name=person.name))
        if st.button(tr("join.continue", name=person.name), type="primary", width="stretch"):
            st.switch_page("pages/phone.py", query_params={"p": known, "lang": lang()})
        st.caption(tr("join.someone_else"))

show_flash("join")
with st.form("join_form"):
    text_field(tr("field.name"), key="join_name", max_len=NAME_MAX, autocomplete="given-name")
    text_field(
        tr("field.department"),
        key="join_department",
        max_len=DEPARTMENT_MAX,
        placeholder=tr("join.department_placeholder"),
    )
    st.form_submit_button(tr("join.button"), type="primary", on_click=_join, width="stretch")
st.caption(tr("join.privacy"))
