"""Start: a facilitator creates a workshop; a participant without a QR scanner types a code."""

from urllib.parse import urlencode

import streamlit as st

from ui.common import act, change_language_link, flash, guess_missed, guess_wait, lang, show_flash, tr
from ui.fields import text_field
from ui.memory import go_to
from ui.style import phone_style
from web.engine import new_session
from workshop import services
from workshop.access import guessing
from workshop.i18n import localized
from workshop.maps.store import latest_versions
from workshop.rules.errors import NotFound
from workshop.rules.limits import NAME_MAX, PRODUCT_MAX, TITLE_MAX
from workshop.rules.security import normalise_join_code

CREATED = "_created"

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

with new_session() as session:
    maps = [(m.id, v.id, localized(m, "title", lang())) for m, v in latest_versions(session=session)]


def _create() -> None:
    s = st.session_state
    defaults = services.Settings()
    votes = int(s.get("votes_per_person", defaults.votes_per_person))
    settings = services.Settings(
        picks_min=int(s.get("picks_min", defaults.picks_min)),
        picks_max=int(s.get("picks_max", defaults.picks_max)),
        notes_min=int(s.get("notes_min", defaults.notes_min)),
        notes_max=int(s.get("notes_max", defaults.notes_max)),
        ideas_max=int(s.get("ideas_max", defaults.ideas_max)),
        votes_per_person=votes,
        cap_per_option=int(s.get("cap_per_option", 2)) if votes > 1 else 1,
        pick_minutes=int(s.get("pick_minutes", defaults.pick_minutes)),
        write_minutes=int(s.get("write_minutes", defaults.write_minutes)),
        ideas_minutes=int(s.get("ideas_minutes", defaults.ideas_minutes)),
        vote_minutes=int(s.get("vote_minutes", defaults.vote_minutes)),
    )
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
        c1.number_input(tr("field.picks_min"), 1, 10, 4, key="picks_min")
        c1.number_input(tr("field.picks_max"), 1, 10, 5, key="picks_max")
        c2.number_input(tr("field.notes_min"), 1, 8, 3, key="notes_min")
        c2.number_input(tr("field.notes_max"), 1, 8, 4, key="notes_max")
        c2.number_input(tr("field.ideas_max"), 1, 8, 3, key="ideas_max")
        c1.number_input(
            tr("field.votes_per_person"), 1, 10, 1, key="votes_per_person", help=tr("start.votes_help")
        )
        if int(st.session_state.get("votes_per_person") or 1) > 1:
            c1.number_input(tr("field.cap_per_option"), 1, 10, 2, key="cap_per_option")
        c3.number_input(tr("field.pick_minutes"), 1, 120, 7, key="pick_minutes")
        c3.number_input(tr("field.write_minutes"), 1, 120, 10, key="write_minutes")
        c3.number_input(tr("field.ideas_minutes"), 1, 120, 10, key="ideas_minutes")
        c3.number_input(tr("field.vote_minutes"), 1, 120, 3, key="vote_minutes")
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
