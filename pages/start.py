"""Start: a facilitator creates a workshop; a participant without a QR scanner types a code."""

from urllib.parse import urlencode

import streamlit as st

from ui.common import (
    act,
    change_language_link,
    error_text,
    flash,
    guess_missed,
    guess_wait,
    lang,
    show_flash,
    tr,
)
from ui.fields import setting_input, text_field
from ui.memory import go_to
from ui.style import phone_style
from web.engine import new_session
from workshop import services
from workshop.access import guessing
from workshop.db.models import WorkshopSettings
from workshop.i18n import localized
from workshop.maps.store import latest_versions
from workshop.rules.errors import InvalidInput, NotFound
from workshop.rules.limits import NAME_MAX, PRODUCT_MAX, TITLE_MAX
from workshop.rules.security import normalise_join_code

CREATED = "_created"
CAP_START = 2


phone_style()
change_language_link()
created = st.session_state.pop(CREATED, None)
if created:
    code, key = created
    # The facilitator runs the workshop from a screen the room does not see; the room's view
    # opens from there, for the projector.
    st.switch_page("pages/control.py", query_params={"w": code, "k": key, "lang": lang()})

st.title(tr("start.title"))
st.caption(tr("start.subtitle"))
st.page_link("pages/maps.py", label=tr("start.maps_link"), query_params={"lang": lang()})
st.page_link("pages/manage.py", label=tr("start.manage_link"), query_params={"lang": lang()})
st.page_link("pages/day.py", label=tr("start.day_link"), query_params={"lang": lang()})

with new_session() as session:
    maps = [(m.id, v.id, localized(m, "title", lang())) for m, v in latest_versions(session=session)]


def _create() -> None:
    s = st.session_state
    names = WorkshopSettings.setting_names()
    given = {name: int(s.get(name, WorkshopSettings.default(name))) for name in names}
    # The cap is for dot voting only: its field shows then, starting at 2.
    given["cap_per_option"] = int(s.get("cap_per_option", CAP_START)) if given["votes_per_person"] > 1 else 1
    try:
        settings = WorkshopSettings(**given)
    except InvalidInput as refused:  # a setting out of its bounds, named as every screen names it
        flash("error", error_text(refused), "create")
        return
    version_id = next((v for _m, v, title in maps if title == s.map_title), None)
    result = act(
        services.create_workshop,
        scope="create",
        title=s.ws_title,
        product=s.ws_product,
        facilitator_name=s.ws_facilitator,
        map_version_id=version_id or -1,
        settings=settings,
        open_voting=bool(s.get("open_voting", False)),
        lang=lang(),
    )
    if result:
        workshop, key = result
        st.session_state[CREATED] = (workshop.code, key)


def _join() -> None:
    wait = guess_wait(guessing.CODES)
    if wait:
        flash("error", tr("error.too_many_codes", seconds=int(wait) + 1), "join")
        return
    code = normalise_join_code(st.session_state.join_code)
    try:
        with new_session() as session:
            services.workshop_by_code(session=session, code=code)
    except NotFound:
        guess_missed(guessing.CODES)
        flash("error", tr("error.workshop_not_found"), "join")
        return
    st.session_state["_join_to"] = code


left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader(tr("start.create"))
    show_flash("create")
    with st.form("create_form", border=True):
        text_field(
            tr("field.title"), key="ws_title", max_len=TITLE_MAX, placeholder=tr("start.title_placeholder")
        )
        text_field(
            tr("field.product"),
            key="ws_product",
            max_len=PRODUCT_MAX,
            placeholder=tr("start.product_placeholder"),
        )
        text_field(tr("field.facilitator_name"), key="ws_facilitator", max_len=NAME_MAX)
        st.selectbox(
            tr("field.trend_map"),
            [title for _m, _v, title in maps],
            key="map_title",
            placeholder=tr("ui.choose"),
        )
        st.form_submit_button(tr("start.create_button"), type="primary", on_click=_create, width="stretch")
    # The settings wait below, folded: "Create workshop" stays on the first screen. Outside the
    # form they show only what applies (the cap only with dot voting).
    with st.expander(tr("start.settings")):
        c1, c2, c3 = st.columns(3)
        setting_input(c1, "picks_min")
        setting_input(c1, "picks_max")
        setting_input(c2, "notes_min")
        setting_input(c2, "notes_max")
        setting_input(c2, "ideas_max")
        setting_input(c1, "votes_per_person", help=tr("start.votes_help"))
        if int(st.session_state.get("votes_per_person") or 1) > 1:
            setting_input(c1, "cap_per_option", CAP_START)
        setting_input(c3, "pick_minutes")
        setting_input(c3, "write_minutes")
        setting_input(c3, "ideas_minutes")
        setting_input(c3, "vote_minutes")
        st.checkbox(
            tr("field.open_voting"), value=False, key="open_voting", help=tr("start.open_voting_help")
        )
with right:
    st.subheader(tr("start.join"))
    show_flash("join")
    with st.form("join_form", border=True):
        st.text_input(tr("field.join_code"), key="join_code", max_chars=12, placeholder="ABC234")
        st.form_submit_button(tr("start.join_button"), on_click=_join, width="stretch")

target = st.session_state.pop("_join_to", None)
if target:
    go_to(f"/join?{urlencode({'code': target, 'lang': lang()})}")
