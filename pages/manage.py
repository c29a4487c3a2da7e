"""Managers: the archive of workshops, the open hand-offs, analytics, and importing a workshop."""

from datetime import date
from functools import partial
from urllib.parse import urlencode

import streamlit as st

from ui.common import act, flash, lang, show_flash, tr
from ui.managers import require_manager
from ui.style import manager_style
from web.engine import new_session
from workshop import transfer
from workshop.i18n import localized, t
from workshop.managers import analytics, archive, handoff
from workshop.managers import days as managers_days
from workshop.managers.archive import ArchiveQuery
from workshop.maps.store import latest_versions
from workshop.render import charts, exports

manager_style()
manager = require_manager()
st.title(tr("manage.title"))
show_flash("manage")

# One section at a time: a page run draws (and queries) only what the manager looks at.
SECTIONS = {
    "archive": "manage.tab_archive",
    "handoffs": "manage.tab_handoffs",
    "analytics": "manage.tab_analytics",
    "days": "manage.tab_days",
    "import": "manage.tab_import",
}
section = st.radio(
    tr("manage.section"),
    list(SECTIONS),
    format_func=lambda name: t(SECTIONS[name], lang()),
    horizontal=True,
    key="manage_section",
    label_visibility="collapsed",
)


def status_label(status: str) -> str:
    return t(f"archive.status.{status}", lang()) if status else ""


def handoff_label(status: str) -> str:
    return t(f"handoff.status.{status}", lang()) if status else t("handoff.status.none", lang())


def open_record(code: str) -> None:
    st.page_link(
        "pages/record.py",
        label=tr("manage.open_record", code=code),
        query_params={"w": code},
        icon=":material/description:",
    )


with new_session() as session:
    map_titles = {m.id: localized(m, "title", lang()) for m, _v in latest_versions(session=session)}
    known_departments = archive.departments(session=session)
    known_maps = archive.map_ids(session=session)

if section == "archive":
    text = st.text_input(
        tr("archive.search"),
        max_chars=archive.QUERY_MAX,
        key="archive_text",
        placeholder=tr("archive.search_hint"),
    )
    c1, c2, c3, c4, c5 = st.columns(5)
    date_from = c1.date_input(tr("archive.date_from"), value=None, key="archive_from", format="YYYY-MM-DD")
    date_to = c2.date_input(tr("archive.date_to"), value=None, key="archive_to", format="YYYY-MM-DD")
    map_id = c3.selectbox(
        tr("archive.map"),
        ["", *sorted(set(known_maps) | set(map_titles))],
        format_func=lambda m: map_titles.get(m, m) if m else tr("archive.any"),
        key="archive_map",
    )
    status = c4.selectbox(
        tr("archive.status"),
        ["", *archive.STATUSES],
        format_func=lambda s: status_label(s) if s else tr("archive.any"),
        key="archive_status",
    )
    department = c5.selectbox(
        tr("archive.department"),
        ["", *known_departments],
        format_func=lambda d: d if d else tr("archive.any"),
        key="archive_department",
    )
    s1, s2, s3, s4 = st.columns([2, 2, 1, 1])
    handoff_status = s1.selectbox(
        tr("archive.handoff"),
        ["", "none", *handoff.STATUSES],
        format_func=lambda s: tr("archive.any") if s == "" else handoff_label("" if s == "none" else s),
        key="archive_handoff",
    )
    sort = s2.selectbox(
        tr("archive.sort"),
        list(archive.SORT_COLUMNS),
        format_func=lambda c: tr(f"archive.col.{c}"),
        key="archive_sort",
    )
    descending = s3.toggle(tr("archive.descending"), value=True, key="archive_desc")
    page_no = s4.number_input(tr("archive.page"), min_value=1, value=1, step=1, key="archive_page")
    if date_from and date_to and date_from > date_to:
        st.warning(tr("archive.dates_swapped"))
        date_from, date_to = date_to, date_from
    query = ArchiveQuery(
        text=text or "",
        date_from=date_from if isinstance(date_from, date) else None,
        date_to=date_to if isinstance(date_to, date) else None,
        map_id=map_id or "",
        status=status or "",
        department=department or "",
        handoff_status=handoff_status or "",
        sort=sort or "created_at",
        descending=bool(descending),
        page=int(page_no) - 1,
        per_page=50,
    )
    with new_session() as session:
        result = archive.list_archive(session=session, query=query)
    st.caption(tr("archive.found", total=result.total, page=result.page + 1, pages=result.pages))
    if not result.rows:
        st.info(tr("archive.nothing"))
    else:
        columns = [
            "created_at",
            "code",
            "title",
            "product",
            "facilitator",
            "status",
            "map_id",
            "trend",
            "obstacle",
            "innovation",
            "participants",
            "handoff_status",
        ]
        rows = [
            {
                tr("archive.col.created_at"): r.created_at.strftime("%Y-%m-%d"),
                tr("archive.col.code"): r.code,
                tr("archive.col.title"): r.title,
                tr("archive.col.product"): r.product,
                tr("archive.col.facilitator"): r.facilitator,
                tr("archive.col.status"): status_label(r.status),
                tr("archive.col.map_id"): map_titles.get(r.map_id, r.map_id),
                tr("archive.col.trend"): r.trend,
                tr("archive.col.obstacle"): r.obstacle,
                tr("archive.col.innovation"): r.innovation,
                tr("archive.col.participants"): r.participants,
                tr("archive.col.handoff_status"): handoff_label(r.handoff_status) if r.handoff_status else "",
            }
            for r in result.rows
        ]
        picked = st.dataframe(
            rows,
            hide_index=True,
            width="stretch",
            on_select="rerun",
            selection_mode="single-row",
            key="archive_table",
        )
        chosen_rows = picked.selection.rows if picked is not None else []
        if chosen_rows and chosen_rows[0] < len(result.rows):
            open_record(result.rows[chosen_rows[0]].code)
        else:
            st.caption(tr("archive.pick_row"))

if section == "handoffs":
    only = st.selectbox(
        tr("handoffs.status"),
        ["", *handoff.OPEN],
        format_func=lambda s: tr("handoffs.all_open") if s == "" else handoff_label(s),
        key="handoffs_status",
    )
    with new_session() as session:
        open_rows = handoff.open_handoffs(session=session, status=only or "")
    st.caption(tr("handoffs.count", n=len(open_rows)))
    if not open_rows:
        st.info(tr("handoffs.none"))
    else:
        table = [
            {
                tr("handoffs.col.updated"): row.handoff.updated_at.strftime("%Y-%m-%d"),
                tr("archive.col.code"): row.code,
                tr("archive.col.innovation"): row.innovation,
                tr("handoffs.col.assignee"): row.handoff.assignee_name,
                tr("handoffs.col.email"): row.handoff.assignee_email,
                tr("handoffs.col.role"): row.handoff.assignee_role,
                tr("handoffs.col.status"): handoff_label(row.handoff.status),
                tr("handoffs.col.last_note"): row.last_event.note if row.last_event else "",
            }
            for row in open_rows
        ]
        picked = st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            on_select="rerun",
            selection_mode="single-row",
            key="handoff_table",
        )
        chosen_rows = picked.selection.rows if picked is not None else []
        if chosen_rows and chosen_rows[0] < len(open_rows):
            open_record(open_rows[chosen_rows[0]].code)
        else:
            st.caption(tr("archive.pick_row"))


@st.cache_data(ttl=30, show_spinner=False)
def _analytics(_url: str, language: str) -> dict:
    with new_session() as session:
        return {
            "trends": analytics.top_trends(session=session),
            "obstacles": analytics.recurring_obstacles(session=session),
            "handoffs": analytics.handoff_statuses(session=session),
            "departments": analytics.departments(session=session),
            "months": analytics.over_time(session=session),
        }


if section == "analytics":
    from workshop.db.engine import database_url

    data = _analytics(database_url(), lang())

    def chart(figure, key: str) -> None:  # type: ignore[no-untyped-def]
        st.plotly_chart(figure, config={"displayModeBar": False}, width="stretch", theme=None, key=key)

    left, right = st.columns(2, gap="large")
    with left:
        st.subheader(tr("analytics.trends"))
        if data["trends"]:
            chart(
                charts.bars([n for n, _ in data["trends"]], [c for _, c in data["trends"]]),
                "chart_trends",
            )
        else:
            st.info(tr("analytics.empty"))
        st.subheader(tr("analytics.handoffs"))
        statuses = [s for s in ("", *handoff.STATUSES) if data["handoffs"].get(s)]
        if statuses:
            chart(
                charts.bars(
                    [handoff_label(s) for s in statuses],
                    [data["handoffs"][s] for s in statuses],
                    colour=charts.COLOURS["innovation"],
                ),
                "chart_handoffs",
            )
        else:
            st.info(tr("analytics.empty"))
    with right:
        st.subheader(tr("analytics.obstacles"))
        st.caption(tr("analytics.obstacles_hint"))
        groups = data["obstacles"]
        if groups:
            chart(
                charts.bars(
                    [g.label for g in groups],
                    [g.workshops for g in groups],
                    colour=charts.COLOURS["obstacle"],
                    hover=[" · ".join(g.wordings) for g in groups],
                ),
                "chart_obstacles",
            )
        else:
            st.info(tr("analytics.empty"))
        st.subheader(tr("analytics.departments"))
        if data["departments"]:
            chart(
                charts.bars(
                    [d for d, _p, _w in data["departments"]],
                    [p for _d, p, _w in data["departments"]],
                    colour=charts.COLOURS["people"],
                ),
                "chart_departments",
            )
        else:
            st.info(tr("analytics.empty"))
    st.subheader(tr("analytics.over_time"))
    months = data["months"]
    if months:
        chart(
            charts.lines(
                [m.month for m in months],
                {
                    t("analytics.workshops", lang()): [m.workshops for m in months],
                    t("analytics.finished", lang()): [m.finished for m in months],
                    t("analytics.participants", lang()): [m.participants for m in months],
                },
            ),
            "chart_months",
        )
    else:
        st.info(tr("analytics.empty"))


def day_file(day_id: int) -> bytes:
    """The day's JSON file, made when its button is pressed."""
    with new_session() as session:
        return transfer.export_day_json(session=session, day_id=day_id)


if section == "days":
    with new_session() as session:
        days = managers_days.list_days(session=session)
    if not days:
        st.info(tr("manage.days_empty"))
    else:
        chosen = st.selectbox(
            tr("manage.day_pick"),
            days,
            format_func=lambda d: t(
                "manage.day_line",
                lang(),
                date=d.held_on.strftime("%d.%m.%Y"),
                title=d.title,
                groups=d.groups,
                finished=d.finished,
            ),
            key="day_pick",
        )
        with new_session() as session:
            day = managers_days.day_record(session=session, day_id=chosen.id)
        columns = st.columns(3)
        for column, (label, kind, make) in zip(
            columns,
            (
                (tr("manage.day_pdf"), "day_pdf", partial(exports.day_pdf, day, lang())),
                (tr("manage.day_xlsx"), "day_xlsx", partial(exports.day_xlsx, day, lang())),
            ),
            strict=False,
        ):
            column.download_button(
                label,
                data=make,
                file_name=exports.day_filename(day.code, kind),
                mime=exports.DAY_FILES[kind][1],
                key=f"day_download_{kind}",
                on_click="ignore",
                width="stretch",
            )
        columns[2].download_button(
            tr("manage.day_json"),
            data=partial(day_file, chosen.id),
            file_name=exports.day_filename(day.code, "day_json"),
            mime=exports.DAY_FILES["day_json"][1],
            key="day_download_day_json",
            on_click="ignore",
            width="stretch",
        )
        st.subheader(tr("manage.day_groups"))
        for group in day.groups:
            with st.container(border=True, key=f"day_group_{group.number}"):
                st.text(f"{t('day.group', lang(), n=group.number)} · {group.record.title}")
                for subject in ("trend", "obstacle", "innovation"):
                    chosen_item = group.record.chosen(subject)
                    if chosen_item:
                        st.text(f"{t(f'template.{subject}', lang())}: {chosen_item.text(lang())}")
                if day.vote_status:
                    st.text(t("day.votes", lang(), n=group.day_votes))
                open_record(group.record.code)

if section == "days":
    st.subheader(tr("manage.day_import"))
    show_flash("day_import")
    imported_day = st.session_state.get("imported_day")
    if imported_day:
        st.link_button(
            tr("manage.day_imported_open"), f"/day?{urlencode({'d': imported_day[0], 'k': imported_day[1]})}"
        )
    day_upload = st.file_uploader(tr("import.file"), type=["json"], key="day_import_file")
    if day_upload is not None and st.button(tr("import.go"), key="day_import_go"):
        result = act(transfer.import_day_json, scope="day_import", data=day_upload.getvalue())
        if result:
            new_day, organizer_key = result
            flash("success", tr("manage.day_imported", code=new_day.code), "day_import")
            st.session_state["imported_day"] = (new_day.code, organizer_key)
        st.rerun()

if section == "import":
    st.write(tr("import.explain"))
    show_flash("import")
    if st.session_state.get("imported_code"):
        open_record(st.session_state["imported_code"])
    upload = st.file_uploader(tr("import.file"), type=["json"], key="import_file")
    if upload is not None and st.button(tr("import.go"), type="primary", key="import_go"):
        imported = act(transfer.import_json, scope="import", data=upload.getvalue())
        if imported:
            flash("success", tr("import.done", code=imported.code), "import")
            st.session_state["imported_code"] = imported.code
        st.rerun()  # the archive above then lists the imported workshop too
