"""The record of one workshop on the managers' record page, and its downloads.

The page reads the record (``workshop.managers.record.workshop_record``) and calls ``show_record`` and
``export_buttons``. What people wrote is shown as plain text: in table cells, or escaped
where Streamlit reads Markdown.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

import pandas as pd
import streamlit as st

from ui.common import md_escape
from workshop.i18n import t
from workshop.managers.record import PollRecord, WorkshopRecord
from workshop.render import exports, figures
from workshop.render.exports import Table, when
from workshop.rules.enums import Subject


def _frame(table: Table) -> pd.DataFrame:
    """A table as a data frame: whole-number columns stay numbers, the rest is plain text."""
    columns = {}
    for i, name in enumerate(table.columns):
        values = [row[i] for row in table.rows]
        if all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in values):
            columns[name] = pd.Series(values, dtype="Int64")
        else:
            columns[name] = pd.Series(
                ["" if v is None else when(v) if isinstance(v, datetime) else str(v) for v in values],
                dtype="string",
            )
    return pd.DataFrame(columns)


def _table(table: Table, lang: str) -> None:
    if not table.rows:
        st.caption(t("record.nothing", lang))
        return
    st.dataframe(_frame(table), hide_index=True, width="stretch")


def _template(record: WorkshopRecord, lang: str) -> None:
    texts = exports.template_texts(record, lang)
    fig = figures.template_figure(
        trend=texts["trend"],
        obstacle=texts["obstacle"],
        innovation=texts["innovation"],
        labels=(t("template.trend", lang), t("template.obstacle", lang), t("template.innovation", lang)),
        placeholder=t("template.placeholder", lang),
        height=560,
    )
    st.plotly_chart(fig, config={"displayModeBar": False, "staticPlot": True}, width="stretch", theme=None)


def _why(record: WorkshopRecord, lang: str) -> None:
    for subject in exports.SUBJECTS:
        st.subheader(t(f"why.{subject}", lang))
        chosen = record.chosen(subject)
        if chosen is None:
            st.caption(t("why.none", lang))
            continue
        st.markdown(f"**{md_escape(chosen.text(lang))}**")
        for line in exports.why_lines(chosen, lang):
            st.markdown(md_escape(line.label) + (f": {md_escape(line.text)}" if line.text else ""))
        if chosen.runners_up:
            rows = tuple(exports.runner_up_text(r, chosen, lang) for r in chosen.runners_up)
            st.caption(t("record.runners_up", lang))
            _table(Table((t("record.col.option", lang), t("record.col.votes", lang)), rows), lang)


def _poll(record: WorkshopRecord, poll: PollRecord, lang: str) -> None:
    st.markdown(f"**{md_escape(exports.poll_title(poll, lang))}**")
    facts = [exports.poll_status_name(poll.status, lang), t("record.ballots_n", lang, n=poll.ballots)]
    if poll.decided_by:
        facts.append(exports.decided_name(poll.decided_by, lang))
    if poll.tie:
        facts.append(t("record.detail.tie", lang))
    st.caption(md_escape(" · ".join(facts)))
    columns = [
        t("record.col.option", lang),
        t("record.col.support", lang),
        t("record.col.votes", lang),
        t("record.col.winner", lang),
    ]
    if record.open_voting:
        columns.append(t("record.col.voters", lang))
    rows = tuple(
        (
            o.text(lang),
            o.support,
            o.votes,
            exports.yes(o.winner, lang),
            *([exports.voters_text(o)] if record.open_voting else []),
        )
        for o in poll.by_votes
    )
    _table(Table(tuple(columns), rows), lang)


def show_record(record: WorkshopRecord, lang: str) -> None:
    """The whole record: facts, result and why, timeline, group and picks, notes and merges,
    every vote with its rounds (runoffs and cancelled ones too)."""
    st.header(md_escape(record.title))
    st.caption(
        t(
            "record.caption",
            lang,
            product=md_escape(record.product),
            code=md_escape(record.code),
            status=exports.status_name(record.status, lang),
            created=when(record.created_at),
        )
    )
    result, timeline, group, notes, votes = st.tabs(
        [
            t("record.tab.result", lang),
            t("record.tab.timeline", lang),
            t("record.tab.group", lang),
            t("record.tab.notes", lang),
            t("record.tab.votes", lang),
        ]
    )
    with result:
        left, right = st.columns([1, 1])
        with left:
            _template(record, lang)
        with right:
            _why(record, lang)
        st.subheader(t("record.facts", lang))
        _table(exports.facts_table(record, lang, with_result=False), lang)
    with timeline:
        st.subheader(t("record.steps", lang))
        _table(exports.steps_table(record, lang), lang)
        st.subheader(t("record.timeline", lang))
        _table(exports.timeline_table(record, lang), lang)
    with group:
        st.subheader(t("record.roster", lang))
        _table(exports.roster_table(record, lang), lang)
        st.subheader(t("record.picks", lang))
        _table(exports.items_table(record, lang, kinds=(Subject.TREND,)), lang)
        _table(exports.picks_table(record, lang), lang)
    with notes:
        if not record.authors_named:
            st.caption(t("record.authors_hidden", lang))
        st.subheader(t("record.obstacles", lang))
        _table(exports.items_table(record, lang, kinds=(Subject.OBSTACLE,)), lang)
        st.subheader(t("record.innovations", lang))
        _table(exports.items_table(record, lang, kinds=(Subject.INNOVATION,)), lang)
        st.subheader(t("record.merges", lang))
        _table(exports.merges_table(record, lang), lang)
    with votes:
        st.caption(t("record.open_ballots" if record.open_voting else "record.secret_ballots", lang))
        if not record.polls:
            st.caption(t("record.no_polls", lang))
        for poll in record.polls:
            _poll(record, poll, lang)


def export_buttons(record: WorkshopRecord, lang: str) -> None:
    """Download buttons for every export (the page gives them a heading); each file is made
    when its button is pressed."""
    buttons = (
        (t("record.download.pdf", lang), "record_pdf", exports.record_pdf),
        (t("record.download.png", lang), "template_png", exports.template_png),
        (t("record.download.notes_csv", lang), "notes_csv", exports.notes_csv),
        (t("record.download.votes_csv", lang), "votes_csv", exports.votes_csv),
        (t("record.download.xlsx", lang), "record_xlsx", exports.record_xlsx),
        (t("record.download.markdown", lang), "summary_markdown", exports.summary_markdown),
    )
    for column, (label, kind, make) in zip(st.columns(3) * 2, buttons, strict=True):
        with column:
            st.download_button(
                label,
                data=partial(make, record, lang),
                file_name=exports.filename(record, kind),
                mime=exports.mime_type(kind),
                key=f"record_download_{kind}",
                on_click="ignore",
                width="stretch",
            )
