"""Innovation workshop: entry point.

``streamlit run app.py`` imports this file to find ``app`` (Streamlit's ASGI app with the live
event routes), then runs it as the page script, where it only sets up navigation.
"""

import streamlit as st

if __name__ == "__main__":
    from ui.navigation import run

    run()
else:
    from web.routes import ROUTES

    app = st.App(__file__, routes=ROUTES)
