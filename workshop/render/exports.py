"""A workshop's record as files: a one-page PDF for leadership, the template as a PNG, CSV and
XLSX of every note and vote, and a Markdown summary. Each function returns the file's bytes.

Everything people read comes from ``workshop.i18n.t`` in the reader's language. Text written
by people (participants, facilitators, imported maps) is data: drawn literally in the PDF and
PNG, escaped in Markdown, and never a formula in a spreadsheet. The privacy rules live in the
record (``workshop.managers.record``): what it does not hold, no export can show. Times are in
UTC.

This module names the files and gathers what the screens use; each job has its own module:

- ``words``: the app's words for what the record holds (times, names, poll titles, why-lines);
- ``tables``: the record as tables, and the two CSV files made of them;
- ``xlsx``, ``markdown``: the workbook and the summary;
- ``lines``: text into lines of a width; ``fonts``: DejaVu Sans, found and measured;
- ``template``: the template's one layout (figures, regions, captions) and fitting text in it;
- ``png``, ``pdf``: the template as a PNG; the one-page record as a PDF.
"""

from __future__ import annotations

import re

from workshop.managers.record import WorkshopRecord
from workshop.render.lines import clip, wrap
from workshop.render.markdown import summary_markdown
from workshop.render.pdf import day_pdf, record_pdf
from workshop.render.png import PNG_SIZE, template_png
from workshop.render.tables import (
    CSV_DELIMITER,
    Table,
    facts_table,
    inert,
    items_table,
    merges_table,
    notes_csv,
    picks_table,
    roster_table,
    steps_table,
    timeline_table,
    votes_csv,
)
from workshop.render.template import template_texts
from workshop.render.words import (
    SUBJECTS,
    decided_name,
    poll_status_name,
    poll_title,
    runner_up_text,
    status_name,
    voters_text,
    when,
    why_lines,
    yes,
)
from workshop.render.xlsx import day_xlsx, record_xlsx

# What the screens and the tests use, gathered here; each lives in the module named above.
__all__ = [
    "day_filename",
    "day_pdf",
    "day_xlsx",
    "CSV_DELIMITER",
    "FILES",
    "PNG_SIZE",
    "SUBJECTS",
    "Table",
    "clip",
    "decided_name",
    "facts_table",
    "filename",
    "inert",
    "items_table",
    "merges_table",
    "mime_type",
    "notes_csv",
    "picks_table",
    "poll_status_name",
    "poll_title",
    "record_pdf",
    "record_xlsx",
    "roster_table",
    "runner_up_text",
    "status_name",
    "steps_table",
    "summary_markdown",
    "template_png",
    "template_texts",
    "timeline_table",
    "votes_csv",
    "voters_text",
    "when",
    "why_lines",
    "wrap",
    "yes",
]

# Each export function by name (``getattr(exports, kind)``), with its file's name and type.
FILES = {
    "record_pdf": ("record.pdf", "application/pdf"),
    "template_png": ("template.png", "image/png"),
    "notes_csv": ("notes.csv", "text/csv"),
    "votes_csv": ("votes.csv", "text/csv"),
    "record_xlsx": ("record.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "summary_markdown": ("summary.md", "text/markdown"),
}


def filename(record: WorkshopRecord, kind: str) -> str:
    """A safe ASCII file name: ``workshop-ABC123-summary.md``. ``kind`` names the export
    function (``record_pdf``, ``template_png``, ``notes_csv``, ``votes_csv``, ``record_xlsx``,
    ``summary_markdown``)."""
    if kind not in FILES:
        raise ValueError(f"kind must be one of {', '.join(FILES)}")
    code = re.sub(r"[^A-Za-z0-9]", "", record.code)[:12] or "workshop"
    return f"workshop-{code}-{FILES[kind][0]}"


def mime_type(kind: str) -> str:
    return FILES[kind][1]


DAY_FILES = {
    "day_pdf": ("day.pdf", "application/pdf"),
    "day_xlsx": ("day.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "day_json": ("day.json", "application/json"),
}


def day_filename(code: str, kind: str) -> str:
    """A safe ASCII file name for a day's export: ``innovation-day-ABC123-day.pdf``."""
    if kind not in DAY_FILES:
        raise ValueError(f"kind must be one of {', '.join(DAY_FILES)}")
    safe = re.sub(r"[^A-Za-z0-9]", "", code)[:12] or "day"
    return f"innovation-day-{safe}-{DAY_FILES[kind][0]}"
