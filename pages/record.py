"""A workshop's record for managers: what happened, the exports, the hand-off, read-only links."""

import streamlit as st

from ui.common import act, esc, lang, show_flash, tr
from ui.controls import configured_base_url
from ui.fields import text_field
from ui.managers import require_manager
from ui.recall import company_memory
from ui.record import export_buttons, show_record
from ui.style import manager_style
from web.engine import new_session
from workshop import services, transfer
from workshop.access import net
from workshop.i18n import t
from workshop.managers import handoff, sharing
from workshop.managers.record import workshop_record
from workshop.rules import steps
from workshop.rules.enums import Subject
from workshop.rules.errors import NotFound
from workshop.rules.limits import EMAIL_MAX, HANDOFF_NOTE_MAX, NAME_MAX, ROLE_MAX

manager_style()
manager = require_manager()
st.page_link("pages/manage.py", label=tr("manage.back"), icon=":material/arrow_back:")

code = st.query_params.get("w", "")
try:
    with new_session() as session:
        workshop = services.workshop_by_code(session=session, code=code)
        record = workshop_record(session=session, workshop_id=workshop.id)
except NotFound:
    st.error(tr("manage.not_found"))
    st.stop()
workshop_id = workshop.id
finished = workshop.step == steps.FINISHED

show_flash("record")
show_record(record, lang())

st.header(tr("manage.exports"))
export_buttons(record, lang())
with new_session() as session:
    document = transfer.export_json(session=session, workshop_id=workshop_id)
st.download_button(
    tr("manage.export_json"),
    data=document,
    file_name=f"workshop-{workshop.code}.json",
    mime="application/json",
    key="export_json",
)
st.caption(tr("manage.export_json_hint"))

# --------------------------------------------------------------------------- hand-off

st.header(tr("handoff.title"))
show_flash("handoff")
with new_session() as session:
    current = handoff.handoff_of(session=session, workshop_id=workshop_id)
    events = handoff.history(session=session, handoff_id=current.id) if current else []


def status_label(status: str) -> str:
    return t(f"handoff.status.{status}", lang())


if not finished or workshop.chosen_innovation_id is None:
    st.info(tr("handoff.after_finish"))
else:
    # Before checking the market: what the company's own earlier workshops say.
    company_memory(
        workshop_id=workshop_id,
        chosen=[
            (subject, found.option.label)
            for subject in (Subject.INNOVATION, Subject.OBSTACLE)
            if (found := record.chosen(subject)) is not None
        ],
        key="record_memory",
    )
    if current is not None:
        st.markdown(
            tr(
                "handoff.current",
                name=current.assignee_name,
                email=current.assignee_email,
                role=current.assignee_role or "—",
                status=status_label(current.status),
            )
        )
        choices = handoff.allowed_next(current.status)
        if choices:
            with st.form("handoff_status", clear_on_submit=True):
                target = st.radio(
                    tr("handoff.next_status"),
                    list(choices),
                    format_func=status_label,
                    horizontal=True,
                    key="ho_target",
                )
                note = text_field(
                    tr("handoff.note"), max_len=HANDOFF_NOTE_MAX, key="ho_status_note", area=True
                )
                links = st.text_area(
                    tr("handoff.links"), key="ho_status_links", help=tr("handoff.links_help")
                )
                if st.form_submit_button(tr("handoff.change_status"), type="primary"):
                    act(
                        handoff.change_status,
                        scope="handoff",
                        done="handoff.saved",
                        handoff_id=current.id,
                        status=target,
                        by=manager,
                        note=note,
                        links=links,
                    )
                    st.rerun()
        else:
            st.success(tr("handoff.final"))
        with st.expander(tr("handoff.add_note")):
            with st.form("handoff_note", clear_on_submit=True):
                note = text_field(tr("handoff.note"), max_len=HANDOFF_NOTE_MAX, key="ho_note", area=True)
                links = st.text_area(tr("handoff.links"), key="ho_note_links", help=tr("handoff.links_help"))
                if st.form_submit_button(tr("handoff.save_note")):
                    act(
                        handoff.add_note,
                        scope="handoff",
                        done="handoff.saved",
                        handoff_id=current.id,
                        by=manager,
                        note=note,
                        links=links,
                    )
                    st.rerun()
    with st.expander(
        tr("handoff.assign") if current is None else tr("handoff.reassign"), expanded=current is None
    ):
        with st.form("handoff_assign"):
            name = text_field(tr("handoff.name"), max_len=NAME_MAX, key="ho_name")
            email = text_field(tr("handoff.email"), max_len=EMAIL_MAX, key="ho_email")
            role = text_field(
                tr("handoff.role"), max_len=ROLE_MAX, key="ho_role", placeholder=tr("handoff.role_hint")
            )
            note = text_field(tr("handoff.note"), max_len=HANDOFF_NOTE_MAX, key="ho_assign_note", area=True)
            if st.form_submit_button(tr("handoff.assign_go"), type="primary"):
                act(
                    handoff.assign,
                    scope="handoff",
                    done="handoff.saved",
                    workshop_id=workshop_id,
                    name=name,
                    email=email,
                    role=role,
                    by=manager,
                    note=note,
                )
                st.rerun()
    if events:
        st.subheader(tr("handoff.history"))
        items = []
        for event in reversed(events):
            what = tr(
                f"handoff.change.{event.change}", status=status_label(event.status), detail=event.detail
            )
            when = event.at.strftime("%Y-%m-%d %H:%M")
            parts = [
                f'<div class="history-item"><span class="when">{esc(when)} UTC · {esc(event.by_name)}'
                f"</span><br><b>{esc(what)}</b>"
            ]
            if event.note:
                parts.append(f"<div>{esc(event.note)}</div>")
            for link in event.links.splitlines():
                anchor = f'<a href="{esc(link)}" target="_blank" rel="noopener noreferrer">{esc(link)}</a>'
                parts.append(f"<div>{anchor}</div>")
            parts.append("</div>")
            items.append("".join(parts))
        st.html("".join(items))

# --------------------------------------------------------------------------- read-only links

st.header(tr("share.title"))
show_flash("share")
if not finished:
    st.info(tr("share.after_finish"))
else:
    # The manager's own address (not a guess at the network's): the link goes out by e-mail or chat.
    base = net.join_base(
        configured=configured_base_url(), chosen="", projector_url=st.context.url or "", lan=[]
    )
    fresh = st.session_state.get(f"share_token_{workshop_id}")
    if st.button(tr("share.create"), key="share_create"):
        made = act(sharing.create_link, scope="share", workshop_id=workshop_id, by=manager)
        if made:
            st.session_state[f"share_token_{workshop_id}"] = made[1]
            st.rerun()
    if fresh:
        st.success(tr("share.created"))
        st.code(f"{base}/shared?t={fresh}", language=None)
    with new_session() as session:
        links = sharing.links_of(session=session, workshop_id=workshop_id)
    for link in links:
        cols = st.columns([4, 1])
        when = link.created_at.strftime("%Y-%m-%d %H:%M")
        if link.revoked_at is None:
            cols[0].write(tr("share.live", when=when, by=link.created_by))
            if cols[1].button(tr("share.revoke"), key=f"revoke_{link.id}"):
                act(sharing.revoke, scope="share", done="share.revoked", link_id=link.id)
                st.session_state.pop(f"share_token_{workshop_id}", None)
                st.rerun()
        else:
            cols[0].write(
                tr(
                    "share.dead",
                    when=when,
                    by=link.created_by,
                    revoked=link.revoked_at.strftime("%Y-%m-%d %H:%M"),
                )
            )
