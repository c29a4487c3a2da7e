"""The record as an Excel workbook: a sheet each for the summary, the items with their votes per
round, the votes, the picks, the roster, the steps and the timeline. Times are UTC (Excel has no
time zones); text stays text, never a formula."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from workshop.i18n import t
from workshop.managers.days import DayRecord
from workshop.managers.record import WorkshopRecord
from workshop.render.tables import (
    FORMULA_START,
    Cell,
    Table,
    day_facts_table,
    day_groups_table,
    facts_table,
    items_table,
    picks_table,
    roster_table,
    steps_table,
    timeline_table,
    votes_table,
)


def _xlsx_cell(value: Cell) -> Cell:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)  # Excel has no time zones; UTC
    return value


def _sheet(workbook: Workbook, title: str, table: Table) -> None:
    sheet = workbook.create_sheet(title=re.sub(r"[\[\]:*?/\\]", " ", title)[:31])
    sheet.append(list(table.columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_xlsx_cell(c) for c in row])
    widths: dict[int, int] = {}
    for row_cells in sheet.iter_rows():
        for cell in row_cells:
            if isinstance(cell.value, str):
                # Text stays text: a note that looks like a formula is never one.
                cell.data_type = "s"
                if cell.value.startswith(FORMULA_START):
                    cell.quotePrefix = True
                if len(cell.value) > 60:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            length = 16 if isinstance(cell.value, datetime) else len(str(cell.value or ""))
            widths[cell.column] = max(widths.get(cell.column, 8), min(length + 2, 60))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"


def record_xlsx(record: WorkshopRecord, lang: str) -> bytes:
    """Sheets: summary, items (trends, obstacles, innovations with votes), votes, picks,
    roster, steps and the full timeline."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for key, table in (
        ("export.sheet.summary", facts_table(record, lang)),
        ("export.sheet.items", items_table(record, lang)),
        ("export.sheet.votes", votes_table(record, lang)),
        ("export.sheet.picks", picks_table(record, lang)),
        ("export.sheet.roster", roster_table(record, lang)),
        ("export.sheet.steps", steps_table(record, lang)),
        ("export.sheet.timeline", timeline_table(record, lang)),
    ):
        _sheet(workbook, t(key, lang), table)
    workbook.properties.title = record.title
    workbook.properties.creator = t("app.title", lang)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def day_xlsx(day: DayRecord, lang: str) -> bytes:
    """An innovation day as a workbook: the day's facts and a row per group."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, t("export.sheet.summary", lang), day_facts_table(day, lang))
    _sheet(workbook, t("day.sheet.groups", lang), day_groups_table(day, lang))
    workbook.properties.title = day.title
    workbook.properties.creator = t("app.title", lang)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
