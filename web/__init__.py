"""The participants' screens: light pages served by the app's own routes, no Streamlit session.

A phone gets server-rendered HTML (Jinja2, autoescaped: participant text is only ever text), a
small script of its own (``web/assets/phone.js``) and htmx (from the npm registry, served by the
app: a room may have no internet). See ``web.phone`` for the routes.
"""
