"""Trend maps: look at a map, edit its trends (each edit is a new version), import a map from a
file with a preview (nothing is saved until the whole file is valid), print a poster."""

import streamlit as st

from ui.common import act, change_language_link, lang, show_flash, tr
from ui.present import metro
from ui.style import phone_style
from web.engine import new_session
from workshop.i18n import localized
from workshop.maps import store as trend_maps
from workshop.maps import uploads as map_import
from workshop.maps.metro import Station
from workshop.render import poster
from workshop.rules.limits import NOTE_MAX

phone_style()
change_language_link()
st.title(tr("maps.title"))
st.page_link("pages/start.py", label=tr("maps.back"))
show_flash("maps")

with new_session() as session:
    maps = trend_maps.latest_versions(session=session)
titles = {m.id: localized(m, "title", lang()) for m, _v in maps}
versions = {m.id: v for m, v in maps}


def _title(map_id: str) -> str:
    return f"{titles[map_id]} (v{versions[map_id].version})"


map_id = st.selectbox(
    tr("maps.choose"), list(titles), format_func=_title, key="map_choice", placeholder=tr("ui.choose")
)
edit_tab, import_tab, poster_tab = st.tabs(
    [tr("maps.tab_edit"), tr("maps.tab_import"), tr("maps.tab_poster")]
)


def stations(document: dict) -> list[Station]:
    categories = {c["id"]: c["title"][lang()] for c in document["categories"]}
    return [
        Station(code=t["code"], title=t["title"][lang()], category=categories[t["category"]])
        for t in document["trends"]
    ]


def show_map(document: dict, *, key: str) -> None:
    metro(stations(document), key=key, screen="desk", counts=False, caption=document["title"][lang()])
    rows = map_import.document_to_rows(document)
    st.dataframe(rows, hide_index=True, width="stretch")


with edit_tab:
    if map_id:
        with new_session() as session:
            document = trend_maps.document_of(session=session, version_id=versions[map_id].id)
        show_map(document, key="map_preview")
        codes = [t["code"] for t in document["trends"]]
        by_code = {t["code"]: t for t in document["trends"]}
        category_titles = {c["id"]: c["title"]["ru"] for c in document["categories"]}

        st.subheader(tr("maps.edit_trend"))
        code = st.selectbox(tr("maps.trend"), codes, key="edit_code", placeholder=tr("ui.choose"))
        trend = by_code[code]
        with st.form("edit_trend_form"):
            new_code = st.text_input(tr("maps.code"), value=code, max_chars=12, key=f"e_code_{code}")
            category = st.text_input(
                tr("maps.category"), value=category_titles[trend["category"]], key=f"e_cat_{code}"
            )
            title_ru = st.text_input(tr("maps.title_ru"), value=trend["title"]["ru"], key=f"e_tru_{code}")
            title_en = st.text_input(tr("maps.title_en"), value=trend["title"]["en"], key=f"e_ten_{code}")
            description_ru = st.text_input(
                tr("maps.description_ru"), value=trend["description"]["ru"], key=f"e_dru_{code}"
            )
            description_en = st.text_input(
                tr("maps.description_en"), value=trend["description"]["en"], key=f"e_den_{code}"
            )
            if st.form_submit_button(tr("maps.save_trend"), type="primary"):
                act(
                    trend_maps.update_trend,
                    done="maps.saved",
                    scope="maps",
                    map_id=map_id,
                    code=code,
                    new_code=new_code,
                    category=category,
                    title_ru=title_ru,
                    title_en=title_en,
                    description_ru=description_ru,
                    description_en=description_en,
                )
                st.rerun()
        if st.button(tr("maps.remove", code=code), key="remove_trend"):
            act(trend_maps.remove_trend, done="maps.saved", scope="maps", map_id=map_id, code=code)
            st.rerun()

        st.subheader(tr("maps.add_trend"))
        with st.form("add_trend_form", clear_on_submit=False):
            a_code = st.text_input(tr("maps.code"), max_chars=12, key="a_code")
            a_category = st.text_input(tr("maps.category"), key="a_category")
            a_title_ru = st.text_input(tr("maps.title_ru"), key="a_title_ru")
            a_title_en = st.text_input(tr("maps.title_en"), key="a_title_en")
            a_description_ru = st.text_input(tr("maps.description_ru"), max_chars=NOTE_MAX * 2, key="a_dru")
            a_description_en = st.text_input(tr("maps.description_en"), max_chars=NOTE_MAX * 2, key="a_den")
            if st.form_submit_button(tr("maps.add")):
                act(
                    trend_maps.add_trend,
                    done="maps.saved",
                    scope="maps",
                    map_id=map_id,
                    code=a_code,
                    category=a_category,
                    title_ru=a_title_ru,
                    title_en=a_title_en,
                    description_ru=a_description_ru,
                    description_en=a_description_en,
                )
                st.rerun()

with import_tab:
    st.caption(tr("maps.import_help"))
    c1, c2 = st.columns(2)
    meta_title_ru = c1.text_input(tr("maps.title_ru"), key="m_title_ru")
    meta_title_en = c2.text_input(tr("maps.title_en"), key="m_title_en")
    meta_source = c1.text_input(tr("maps.source"), key="m_source")
    meta_year = c2.number_input(tr("maps.year"), 1900, 2100, 2026, key="m_year")
    upload = st.file_uploader(tr("maps.file"), type=["csv", "xlsx", "yaml", "yml", "json"], key="map_file")
    if upload is not None:
        meta = map_import.MapMeta(
            id="", title_ru=meta_title_ru, title_en=meta_title_en, source=meta_source, year=int(meta_year)
        )
        result = map_import.parse_map_file(filename=upload.name, data=upload.getvalue(), meta=meta)
        if result.problems:
            st.error(tr("maps.invalid", n=len(result.problems)))
            st.text("\n".join(result.problems))
        elif result.document is not None:
            st.success(tr("maps.preview", n=len(result.document["trends"])))
            show_map(result.document, key="import_preview")
            if st.button(tr("maps.save_import"), type="primary", key="save_import") and act(
                trend_maps.import_map, done="maps.imported", scope="maps", document=result.document
            ):
                st.rerun()

with poster_tab:
    if map_id:
        with new_session() as session:
            document = trend_maps.document_of(session=session, version_id=versions[map_id].id)
        poster_lang = st.radio(tr("maps.poster_lang"), ["ru", "en"], horizontal=True, key="poster_lang")
        categories = {c["id"]: c["title"][poster_lang] for c in document["categories"]}
        items = [
            poster.PosterTrend(
                code=t["code"],
                title=t["title"][poster_lang],
                description=t["description"][poster_lang],
                category=categories[t["category"]],
            )
            for t in document["trends"]
        ]
        subtitle = f"{document['source']} · {document['year']}"
        try:
            for size in ("A3", "A1"):
                st.download_button(
                    tr("maps.poster_download", size=size),
                    data=poster.poster_pdf(
                        title=document["title"][poster_lang], subtitle=subtitle, trends=items, size=size
                    ),
                    file_name=f"{document['id']}-{size}-{poster_lang}.pdf",
                    mime="application/pdf",
                    key=f"poster_{size}",
                )
        except poster.FontMissing:
            st.error(tr("maps.font_missing"))
