"""The managers' area: one password from the environment or Streamlit secrets, asked once per
browser session, with the manager's name kept for the hand-off history."""

from __future__ import annotations

import streamlit as st

from ui import config
from ui.common import change_language_link, guess_missed, guess_wait, tr
from ui.fields import text_field
from workshop.access import guessing
from workshop.rules.errors import InvalidInput
from workshop.rules.limits import NAME_MAX
from workshop.rules.security import password_matches
from workshop.rules.text import clean_text

MANAGER = "manager_name"


def configured_password() -> str:
    """``MANAGER_PASSWORD``, else ``manager_password`` in .streamlit/secrets.toml; may be empty."""
    return config.manager_password()


def require_manager() -> str:
    """The signed-in manager's name; otherwise the sign-in form, and the page stops there."""
    if st.session_state.get(MANAGER):
        with st.sidebar:
            st.write(tr("manage.signed_in_as", name=st.session_state[MANAGER]))
            if st.button(tr("manage.sign_out"), key="sign_out"):
                st.session_state.pop(MANAGER, None)
                st.rerun()
            change_language_link()
        return str(st.session_state[MANAGER])
    change_language_link()
    st.title(tr("manage.title"))
    password = configured_password()
    if not password:
        st.warning(tr("manage.no_password"))
        st.stop()
    wait = guess_wait(guessing.MANAGER_PASSWORD)
    if wait:
        st.error(tr("manage.wait", seconds=int(wait) + 1))
        st.stop()
    with st.form("sign_in"):
        name = text_field(tr("manage.your_name"), max_len=NAME_MAX, key="sign_in_name")
        given = st.text_input(tr("manage.password"), type="password", key="sign_in_password")
        submitted = st.form_submit_button(tr("manage.sign_in"), type="primary")
    if submitted:
        try:
            clean_name = clean_text(name, field="manager_name", max_len=NAME_MAX)
        except InvalidInput:
            st.error(tr("manage.name_needed"))
            st.stop()
        if password_matches(given, password):
            st.session_state[MANAGER] = clean_name
            st.rerun()
        guess_missed(guessing.MANAGER_PASSWORD)
        st.error(tr("manage.wrong_password"))
    st.stop()
    raise AssertionError("unreachable")  # st.stop() ends the run
