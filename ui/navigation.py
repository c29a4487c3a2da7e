"""The app's pages. Navigation is explicit (``st.navigation``) and hidden: people arrive by
links and QR codes, not by a menu. The participants' join and phone pages are not Streamlit
pages: they are light pages on the app's own routes (``web.phone``)."""

from __future__ import annotations

import streamlit as st

from ui.common import tr


def run() -> None:
    st.set_page_config(
        page_title=tr("app.title"), page_icon="💡", layout="wide", initial_sidebar_state="auto"
    )
    pages = [
        st.Page("pages/start.py", title=tr("page.start"), url_path="start", default=True),
        st.Page("pages/projector.py", title=tr("page.projector"), url_path="projector"),
        st.Page("pages/control.py", title=tr("page.control"), url_path="control"),
        st.Page("pages/maps.py", title=tr("page.maps"), url_path="maps"),
        st.Page("pages/manage.py", title=tr("page.manage"), url_path="manage"),
        st.Page("pages/record.py", title=tr("page.record"), url_path="record"),
        st.Page("pages/shared.py", title=tr("page.shared"), url_path="shared"),
        st.Page("pages/day.py", title=tr("page.day"), url_path="day"),
    ]
    st.navigation(pages, position="hidden").run()
