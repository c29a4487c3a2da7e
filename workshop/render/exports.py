"""A workshop's record as files: a one-page PDF for leadership, the template as a PNG, CSV and
XLSX of every note and vote, and a Markdown summary. Each function returns the file's bytes.

Everything people read comes from ``workshop.i18n.t`` in the reader's language. Text written
by people (participants, facilitators, imported maps) is data: drawn literally in the PDF and
PNG, escaped in Markdown, and never a formula in a spreadsheet. The privacy rules live in the
record (``workshop.managers.record``): what it does not hold, no export can show.

Times are in UTC. A Russian CSV is separated by semicolons (what Excel expects in a Russian
locale), an English one by commas; both are UTF-8 with a byte order mark.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from workshop.i18n import CATALOGUE, t
from workshop.managers.record import Chosen, OptionRecord, PollRecord, RunnerUp, WorkshopRecord
from workshop.render import figures
from workshop.render.poster import FONT_DIRS, FontMissing, _register_fonts
from workshop.rules.enums import Subject
from workshop.rules.text import markdown_literal

SUBJECTS = tuple(Subject)
SUBJECT_STEP = {"trend": 2, "obstacle": 3, "innovation": 4}
COLOURS = {
    "trend": figures.TREND_COLOUR,
    "obstacle": figures.OBSTACLE_COLOUR,
    "innovation": figures.INNOVATION_COLOUR,
}
FILES = {
    "record_pdf": ("record.pdf", "application/pdf"),
    "template_png": ("template.png", "image/png"),
    "notes_csv": ("notes.csv", "text/csv"),
    "votes_csv": ("votes.csv", "text/csv"),
    "record_xlsx": ("record.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "summary_markdown": ("summary.md", "text/markdown"),
}
CSV_DELIMITER = {"ru": ";", "en": ","}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
RUNNERS_UP_SHOWN = 3  # on the one-page PDF; the spreadsheets hold them all


# --------------------------------------------------------------------------- words


def when(moment: datetime | None) -> str:
    """``2025-03-14 10:05`` in UTC; a time without a zone is taken as UTC."""
    if moment is None:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M")


def duration(seconds: float | None) -> str:
    """``12:05`` (minutes, seconds) or ``1:02:05``."""
    if seconds is None:
        return ""
    whole = max(int(round(seconds)), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _known(key: str, lang: str, fallback: str) -> str:
    return t(key, lang) if key in CATALOGUE else fallback


def subject_name(subject: str, lang: str) -> str:
    return _known(f"template.{subject}", lang, subject)


def step_name(step: str, lang: str) -> str:
    return _known(f"step.{step}", lang, step)


def status_name(status: str, lang: str) -> str:
    return _known(f"record.status.{status}", lang, status)


def poll_status_name(status: str, lang: str) -> str:
    return _known(f"record.poll_status.{status}", lang, status)


def decided_name(decided_by: str | None, lang: str) -> str:
    return _known(f"record.decided.{decided_by}", lang, "") if decided_by else ""


def event_name(event: str, lang: str) -> str:
    return _known(f"record.event.{event}", lang, event)


def yes(flag: bool, lang: str) -> str:
    return t("record.yes", lang) if flag else ""


def poll_title(poll: PollRecord, lang: str) -> str:
    """``Trend vote, round 2 (runoff after a tie)``."""
    title = t("record.poll_title", lang, subject=subject_name(poll.subject, lang), round=poll.round)
    return f"{title} ({t('record.runoff', lang)})" if poll.runoff else title


def votes_text(votes: int | None, lang: str) -> str:
    return "" if votes is None else t("record.votes_n", lang, n=votes)


_ROUND = re.compile(r"round (\d+)")


def event_detail(event: str, detail: str, record: WorkshopRecord, lang: str) -> str:
    """The log's detail in words; a detail this does not know is shown as it is."""
    rnd = _ROUND.search(detail)
    if event == "went_back" and detail.startswith("to "):
        return t("record.detail.to", lang, step=step_name(detail[3:], lang))
    if event == "agreement" and detail in ("confirmed", "withdrawn"):
        return t(f"record.detail.{detail}", lang)
    if event == "timer_extend" and detail.endswith(" min"):
        return t("record.detail.minutes", lang, n=detail[:-4])
    if event in ("merged", "edited", "unmerged"):
        return re.sub(r"(\d+)", r"#\1", detail.replace("<-", "←"))
    if event in ("vote_opened", "vote_closed", "vote_revealed", "runoff", "decided_by_facilitator") and rnd:
        parts = [t("record.detail.round", lang, n=int(rnd.group(1)))]
        if event == "vote_closed" and detail.endswith("tie=True"):
            parts.append(t("record.detail.tie", lang))
        options = re.search(r": (\d+) options", detail)
        if event == "runoff" and options:
            parts.append(t("record.detail.options", lang, n=int(options.group(1))))
        chosen = re.search(r"option (\d+)", detail)
        if event == "decided_by_facilitator" and chosen:
            option = next((o for p in record.polls for o in p.options if o.id == int(chosen.group(1))), None)
            if option is not None:
                parts.append(option.text(lang))
        return "; ".join(parts)
    return detail


@dataclass(frozen=True)
class WhyLine:
    """One line of "why chosen": the app's words, then (shown literally) what people wrote."""

    label: str
    text: str = ""

    def plain(self) -> str:
        return f"{self.label}: {self.text}" if self.text else self.label


def why_lines(chosen: Chosen, lang: str) -> list[WhyLine]:
    """Why the group chose it: votes and rounds, who decided, and what stands behind it."""
    how = [t("why.votes", lang, votes=chosen.votes, ballots=chosen.ballots)]
    if chosen.rounds > 1:
        how.append(t("why.rounds", lang, n=chosen.rounds))
    if chosen.decided_by == "facilitator":
        how.append(t("why.decided_by_facilitator", lang))
    elif chosen.tie:
        how.append(t("record.why.runoff", lang))
    lines = [WhyLine(" ".join(how))]
    if chosen.subject == "trend":
        lines.append(WhyLine(t("record.why.picked_by", lang, n=chosen.picked_by), ", ".join(chosen.pickers)))
    if chosen.rationale:
        lines.append(WhyLine(t("record.why.rationale", lang), chosen.rationale))
    if chosen.merged:
        lines.append(WhyLine(t("why.behind", lang), "; ".join(m.text for m in chosen.merged)))
    return lines


def runner_up_text(runner: RunnerUp, chosen: Chosen, lang: str) -> tuple[str, str]:
    """(what a runner-up says, its votes in words); votes from an earlier round say which."""
    votes = votes_text(runner.option.votes, lang)
    if runner.round != chosen.round:
        votes = f"{votes}, {t('record.round_n', lang, n=runner.round)}"
    return runner.option.text(lang), votes


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


# --------------------------------------------------------------------------- tables


Cell = str | int | float | datetime | None


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def _trend_rows(record: WorkshopRecord, lang: str) -> list[tuple[str, str, int]]:
    """Every trend offered in a vote (in ballot order), then every other trend picked on the
    map: (code, title, picked by)."""
    picked = Counter(p.trend_code for p in record.picks)
    found: dict[str, str] = {}
    for option in (o for poll in record.polls_of("trend") for o in poll.options if o.trend_code):
        found.setdefault(option.trend_code, option.trend_title(lang))
    for pick in record.picks:
        found.setdefault(pick.trend_code, pick.trend_title(lang))
    return [(code, title, picked[code]) for code, title in found.items()]


def _rounds(record: WorkshopRecord) -> list[int]:
    return sorted({p.round for p in record.polls})


def _votes_by_round(record: WorkshopRecord, subject: str, same: Callable[[OptionRecord], bool]) -> dict:
    return {
        poll.round: option.votes
        for poll in record.polls_of(subject)
        for option in poll.options
        if same(option)
    }


def items_table(record: WorkshopRecord, lang: str, kinds: Sequence[str] = SUBJECTS) -> Table:
    """One row per trend picked or offered, obstacle note and innovation proposal (of
    ``kinds``), with its votes in each round of its vote."""
    rounds = _rounds(record)
    named = record.authors_named
    columns = [
        t("record.col.step", lang),
        t("record.col.kind", lang),
        t("record.col.code", lang),
        t("record.col.text", lang),
        t("record.col.original_text", lang),
        t("record.col.rationale", lang),
        t("record.col.department", lang),
        *([t("record.col.author", lang)] if named else []),
        t("record.col.picked_by", lang),
        t("record.col.merged_into", lang),
        *(t("record.col.votes_round", lang, n=n) for n in rounds),
        t("record.col.chosen", lang),
    ]
    rows: list[tuple[Cell, ...]] = []
    chosen_trend = record.trend.option.trend_code if record.trend else None
    for code, title, picked in _trend_rows(record, lang) if "trend" in kinds else []:
        votes = _votes_by_round(record, "trend", lambda o, c=code: o.trend_code == c)
        rows.append(
            (
                f"{SUBJECT_STEP['trend']}. {subject_name('trend', lang)}",
                t("record.kind.trend", lang),
                code,
                title,
                "",
                "",
                "",
                *([""] if named else []),
                picked,
                "",
                *(votes.get(n) for n in rounds),
                yes(code == chosen_trend and chosen_trend is not None, lang),
            )
        )
    for kind in [k for k in ("obstacle", "innovation") if k in kinds]:
        chosen = record.chosen(kind)
        for note in record.notes(kind):
            votes = _votes_by_round(record, kind, lambda o, i=note.id: o.note_id == i)
            rows.append(
                (
                    f"{SUBJECT_STEP[kind]}. {subject_name(kind, lang)}",
                    t(f"record.kind.{kind}", lang),
                    note.id,
                    note.text,
                    note.original_text or "",
                    note.rationale,
                    note.department,
                    *([note.author or ""] if named else []),
                    None,
                    note.merged_into,
                    *(votes.get(n) for n in rounds),
                    yes(chosen is not None and chosen.option.note_id == note.id, lang),
                )
            )
    return Table(tuple(columns), tuple(rows))


def votes_table(record: WorkshopRecord, lang: str) -> Table:
    """One row per option of every poll, cancelled rounds too; voters only under open voting."""
    columns = [
        t("record.col.step", lang),
        t("record.col.round", lang),
        t("record.col.runoff", lang),
        t("record.col.status", lang),
        t("record.col.decided_by", lang),
        t("record.col.tie", lang),
        t("record.col.ballots", lang),
        t("record.col.opened", lang),
        t("record.col.closed", lang),
        t("record.col.option", lang),
        t("record.col.support", lang),
        t("record.col.votes", lang),
        t("record.col.winner", lang),
        *([t("record.col.voters", lang)] if record.open_voting else []),
    ]
    rows = [
        (
            f"{SUBJECT_STEP.get(poll.subject, '')}. {subject_name(poll.subject, lang)}",
            poll.round,
            yes(poll.runoff, lang),
            poll_status_name(poll.status, lang),
            decided_name(poll.decided_by, lang),
            yes(poll.tie, lang),
            poll.ballots,
            poll.opened_at,
            poll.closed_at,
            option.text(lang),
            option.support,
            option.votes,
            yes(option.winner, lang),
            *([voters_text(option)] if record.open_voting else []),
        )
        for poll in record.polls
        for option in poll.options
    ]
    return Table(tuple(columns), tuple(rows))


def voters_text(option: OptionRecord) -> str:
    """``Anna; Boris (2)``: who voted for an option, with their dots when more than one."""
    return "; ".join(f"{v.name} ({v.dots})" if v.dots != 1 else v.name for v in option.voters or ())


def picks_table(record: WorkshopRecord, lang: str) -> Table:
    return Table(
        (
            t("record.col.name", lang),
            t("record.col.department", lang),
            t("record.col.code", lang),
            t("record.col.trend", lang),
            t("record.col.at", lang),
        ),
        tuple((p.name, p.department, p.trend_code, p.trend_title(lang), p.at) for p in record.picks),
    )


def roster_table(record: WorkshopRecord, lang: str) -> Table:
    return Table(
        (t("record.col.name", lang), t("record.col.department", lang), t("record.col.joined", lang)),
        tuple((p.name, p.department, p.joined_at) for p in record.roster),
    )


def steps_table(record: WorkshopRecord, lang: str) -> Table:
    return Table(
        (
            t("record.col.step", lang),
            t("record.col.entered", lang),
            t("record.col.left", lang),
            t("record.col.duration", lang),
        ),
        tuple((step_name(s.step, lang), s.entered_at, s.left_at, duration(s.seconds)) for s in record.steps),
    )


def timeline_table(record: WorkshopRecord, lang: str) -> Table:
    return Table(
        (
            t("record.col.at", lang),
            t("record.col.step", lang),
            t("record.col.event", lang),
            t("record.col.detail", lang),
        ),
        tuple(
            (
                e.at,
                step_name(e.step, lang),
                event_name(e.event, lang),
                event_detail(e.event, e.detail, record, lang),
            )
            for e in record.timeline
        ),
    )


def merges_table(record: WorkshopRecord, lang: str) -> Table:
    """One row per merged note, beside the note it was merged into."""
    return Table(
        (
            t("record.col.kept", lang),
            t("record.col.merged", lang),
            t("record.col.department", lang),
            *([t("record.col.author", lang)] if record.authors_named else []),
        ),
        tuple(
            (
                f"#{merge.kept.id} {merge.kept.text}",
                f"#{note.id} {note.text}",
                note.department,
                *([note.author or ""] if record.authors_named else []),
            )
            for merge in record.merges
            for note in merge.merged
        ),
    )


def facts_table(record: WorkshopRecord, lang: str, *, with_result: bool = True) -> Table:
    """The workshop's facts, one per row; then what was chosen and why."""
    rows: list[tuple[Cell, ...]] = [
        (t("record.fact.code", lang), record.code),
        (t("record.fact.title", lang), record.title),
        (t("record.fact.product", lang), record.product),
        (t("record.fact.facilitator", lang), record.facilitator_name),
        (t("record.fact.lang", lang), record.lang),
        (t("record.fact.created", lang), record.created_at),
        (t("record.fact.finished", lang), record.finished_at),
        (t("record.fact.step", lang), step_name(record.step, lang)),
        (t("record.fact.status", lang), status_name(record.status, lang)),
        (
            t("record.fact.map", lang),
            t("record.map_version", lang, title=record.map_title(lang), n=record.map_version),
        ),
        (t("record.fact.participants", lang), len(record.roster)),
        (t("record.fact.open_voting", lang), yes(record.open_voting, lang) or t("record.no", lang)),
        (t("record.fact.show_authors", lang), yes(record.show_authors, lang) or t("record.no", lang)),
    ]
    for subject in SUBJECTS if with_result else ():
        chosen = record.chosen(subject)
        rows.append((t(f"why.{subject}", lang), chosen.text(lang) if chosen else t("why.none", lang)))
        if chosen:
            rows.extend(("", line.plain()) for line in why_lines(chosen, lang))
    return Table((t("record.col.what", lang), t("record.col.value", lang)), tuple(rows))


# --------------------------------------------------------------------------- CSV and XLSX


def inert(value: str) -> str:
    """A cell a spreadsheet will not run: text that starts like a formula gets a leading ``'``."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, str):
        return inert(value)
    return str(value)


def _csv(table: Table, lang: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER.get(lang, ","))
    writer.writerow([_csv_cell(c) for c in table.columns])
    writer.writerows([_csv_cell(c) for c in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8-sig")


def notes_csv(record: WorkshopRecord, lang: str) -> bytes:
    """Every trend picked or offered, obstacle and innovation with its votes per round."""
    return _csv(items_table(record, lang), lang)


def votes_csv(record: WorkshopRecord, lang: str) -> bytes:
    """Every option of every poll with its count (and voters, only under open voting)."""
    return _csv(votes_table(record, lang), lang)


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


# --------------------------------------------------------------------------- Markdown


def _md_table(table: Table) -> list[str]:
    def cell(value: Cell) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return when(value)
        return markdown_literal(str(value))

    lines = [
        "| " + " | ".join(cell(c) for c in table.columns) + " |",
        "|" + "---|" * len(table.columns),
    ]
    lines.extend("| " + " | ".join(cell(c) for c in row) + " |" for row in table.rows)
    return [*lines, ""]


def summary_markdown(record: WorkshopRecord, lang: str) -> bytes:
    """The record as Markdown: facts, the template, why each was chosen, the group, notes,
    votes and steps. What people wrote is escaped: it shows literally, never as markup."""
    md = markdown_literal
    out = [
        f"# {md(record.title)}",
        "",
        f"- **{t('record.fact.product', lang)}:** {md(record.product)}",
        f"- **{t('record.fact.created', lang)}:** {when(record.created_at)} UTC",
        *(
            [f"- **{t('record.fact.finished', lang)}:** {when(record.finished_at)} UTC"]
            if record.finished_at
            else []
        ),
        f"- **{t('record.fact.facilitator', lang)}:** {md(record.facilitator_name)}",
        f"- **{t('record.fact.code', lang)}:** {md(record.code)}",
        f"- **{t('record.fact.status', lang)}:** {status_name(record.status, lang)}",
        f"- **{t('record.fact.map', lang)}:** "
        + t("record.map_version", lang, title=md(record.map_title(lang)), n=record.map_version),
        f"- **{t('record.fact.participants', lang)}:** {len(record.roster)}",
        "",
        f"## {t('record.template', lang)}",
        "",
    ]
    for subject in SUBJECTS:
        chosen = record.chosen(subject)
        text = md(chosen.text(lang)) if chosen else t("why.none", lang)
        out.append(f"- **{subject_name(subject, lang)}:** {text}")
    out.append("")
    for subject in SUBJECTS:
        chosen = record.chosen(subject)
        out += [f"## {t(f'why.{subject}', lang)}", ""]
        if chosen is None:
            out += [t("why.none", lang), ""]
            continue
        out += [f"**{md(chosen.text(lang))}**", ""]
        out += [
            f"- {line.label}" + (f": {md(line.text)}" if line.text else "")
            for line in why_lines(chosen, lang)
        ]
        if chosen.runners_up:
            out += ["", f"{t('record.runners_up', lang)}:", ""]
            for i, runner in enumerate(chosen.runners_up, 2):  # the chosen one is first
                text, votes = runner_up_text(runner, chosen, lang)
                out.append(f"{i}. {md(text)} — {votes}")
        out.append("")
    out += [f"## {t('record.roster', lang)}", "", *_md_table(roster_table(record, lang))]
    picked = Counter((p.trend_code, p.trend_title(lang)) for p in record.picks)
    picks = Table(
        (t("record.col.trend", lang), t("record.col.picked_by", lang)),
        tuple((f"{code} · {title}", n) for (code, title), n in picked.most_common()),
    )
    out += [f"## {t('record.picks', lang)}", "", *_md_table(picks)]
    for kind, heading in (("obstacle", "record.obstacles"), ("innovation", "record.innovations")):
        notes = Table(
            (
                "#",
                t("record.col.text", lang),
                t("record.col.original_text", lang),
                *([t("record.col.rationale", lang)] if kind == "innovation" else []),
                t("record.col.department", lang),
                *([t("record.col.author", lang)] if record.authors_named else []),
                t("record.col.merged_into", lang),
            ),
            tuple(
                (
                    n.id,
                    n.text,
                    n.original_text or "",
                    *([n.rationale] if kind == "innovation" else []),
                    n.department,
                    *([n.author or ""] if record.authors_named else []),
                    f"#{n.merged_into}" if n.merged_into else "",
                )
                for n in record.notes(kind)
            ),
        )
        out += [f"## {t(heading, lang)}", "", *_md_table(notes)]
    if record.merges:
        out += [f"## {t('record.merges', lang)}", ""]
        for merge in record.merges:
            merged = "; ".join(f"#{m.id} {md(m.text)}" for m in merge.merged)
            out.append(f"- #{merge.kept.id} {md(merge.kept.text)} ← {merged}")
        out.append("")
    out += [f"## {t('record.polls', lang)}", ""]
    for poll in record.polls:
        facts = [poll_status_name(poll.status, lang), t("record.ballots_n", lang, n=poll.ballots)]
        if poll.decided_by:
            facts.append(decided_name(poll.decided_by, lang))
        if poll.tie:
            facts.append(t("record.detail.tie", lang))
        out += [f"### {poll_title(poll, lang)}", "", "; ".join(facts), ""]
        options = Table(
            (
                t("record.col.option", lang),
                t("record.col.votes", lang),
                t("record.col.winner", lang),
                *([t("record.col.voters", lang)] if record.open_voting else []),
            ),
            tuple(
                (
                    o.text(lang),
                    o.votes,
                    yes(o.winner, lang),
                    *([voters_text(o)] if record.open_voting else []),
                )
                for o in poll.by_votes
            ),
        )
        out += _md_table(options)
    out += [f"## {t('record.steps', lang)}", "", *_md_table(steps_table(record, lang))]
    return "\n".join(out).encode("utf-8")


# --------------------------------------------------------------------------- text in shapes

Measure = Callable[[str, float], float]  # the width of a text at a font size


def wrap(text: str, measure: Measure, size: float, widths: Sequence[float]) -> list[str] | None:
    """Words into at most ``len(widths)`` lines, line ``i`` no wider than ``widths[i]``; a word
    too long for a line is broken. ``None`` when the text needs more lines."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if len(lines) < len(widths) and measure(candidate, size) <= widths[len(lines)]:
            current = candidate
            continue
        if current:
            lines.append(current)
            current = ""
        while True:
            if len(lines) >= len(widths):
                return None
            if measure(word, size) <= widths[len(lines)]:
                current = word
                break
            cut = max(
                (n for n in range(1, len(word)) if measure(word[:n], size) <= widths[len(lines)]), default=1
            )
            lines.append(word[:cut])
            word = word[cut:]
    if current:
        lines.append(current)
    return lines


def clip(text: str, measure: Measure, size: float, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width``."""
    if measure(text, size) <= width:
        return text
    while text and measure(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def clipped_lines(text: str, measure: Measure, size: float, width: float, max_lines: int) -> list[str]:
    """``text`` wrapped to ``width``; past ``max_lines`` the last line ends with an ellipsis."""
    lines = wrap(text, measure, size, [width] * 400) or [text]
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1 :])
        lines = [*lines[: max_lines - 1], clip(rest, measure, size, width)]
    return lines


@dataclass(frozen=True)
class Region:
    """Where a text goes in the template, in the figure's units (y up): between ``bottom``
    and ``top``, as wide as ``half_width(y)`` allows on either side of x = 0."""

    top: float
    bottom: float
    half_width: Callable[[float], float]


@dataclass(frozen=True)
class Placed:
    size: float
    lines: tuple[str, ...]
    baselines: tuple[float, ...]  # in the figure's units


def fit(
    text: str, region: Region, measure: Measure, *, scale: float, sizes: Iterable[float], leading: float = 1.2
) -> Placed:
    """The largest of ``sizes`` at which ``text``, centred in ``region``, fits inside it;
    at the smallest size what does not fit is cut with an ellipsis. ``scale`` is device units
    per figure unit; sizes are device units."""
    centre = (region.top + region.bottom) / 2
    height = region.top - region.bottom

    def bands(n: int, size: float) -> list[tuple[float, float]]:
        line = size * leading / scale
        top = centre + n * line / 2
        return [(top - (k + 1) * line, top - k * line) for k in range(n)]

    def width(band: tuple[float, float]) -> float:
        return 2 * max(min(region.half_width(band[0]), region.half_width(band[1])), 0) * scale

    def place(lines: list[str], size: float) -> Placed:
        spans = bands(len(lines), size)
        return Placed(size, tuple(lines), tuple((lo + hi) / 2 - 0.35 * size / scale for lo, hi in spans))

    size = 0.0
    for size in sizes:
        n = 1
        while n * size * leading / scale <= height + 1e-9:
            lines = wrap(text, measure, size, [width(b) for b in bands(n, size)])
            if lines is not None:
                return place(lines, size)
            n += 1
    # Nothing fits whole: as many lines as the region holds at the smallest size, the last cut.
    n = max(int(height * scale / (size * leading)), 1)
    widths = [width(b) for b in bands(n, size)]
    lines = wrap(text, measure, size, [*widths[:-1], 1e9]) or [text]
    last = clip(" ".join(lines[n - 1 :]), measure, size, widths[-1])
    return place([*lines[: n - 1], last], size)


# The template's geometry, as ``figures.template_figure`` draws it: two ellipses 6 wide and 3.4
# tall, centred 1.0 above and below 0; the innovation goes in the lens where they meet.
X_RANGE, Y_RANGE = 6.2, 5.6
RX, RY, CY = 3.0, 1.7, 1.0
PAD = 0.14


def _ellipse_half(y: float, centre: float) -> float:
    inside = 1 - ((y - centre) / RY) ** 2
    return RX * math.sqrt(inside) if inside > 0 else 0.0


REGIONS = {
    "trend": Region(top=2.08, bottom=0.78, half_width=lambda y: _ellipse_half(y, CY) - PAD),
    "obstacle": Region(top=-0.78, bottom=-2.08, half_width=lambda y: _ellipse_half(y, -CY) - PAD),
    "innovation": Region(
        top=0.3, bottom=-0.62, half_width=lambda y: min(_ellipse_half(y, CY), _ellipse_half(y, -CY)) - PAD
    ),
}
CAPTION_Y = {"trend": 2.32, "obstacle": -2.4, "innovation": 0.46}


def template_texts(record: WorkshopRecord, lang: str) -> dict[str, str]:
    """What the template says for each subject ("" when not chosen yet)."""
    return {s: (c.text(lang) if (c := record.chosen(s)) else "") for s in SUBJECTS}


# --------------------------------------------------------------------------- PNG

PNG_SIZE = (1600, 1600)


@lru_cache(maxsize=4)
def _font_files() -> tuple[str, str]:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            return str(regular), str(bold)
    raise FontMissing("DejaVu Sans is needed for Cyrillic: apt-get install fonts-dejavu-core")


@lru_cache(maxsize=256)
def _pil_font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    regular, heavy = _font_files()
    return ImageFont.truetype(heavy if bold else regular, size)


def _pil_measure(bold: bool) -> Measure:
    return lambda text, size: _pil_font(bold, int(size)).getlength(text)


def _rgb(colour: str, alpha: int = 255) -> tuple[int, int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16), alpha


def template_png(record: WorkshopRecord, lang: str) -> bytes:
    """The filled template as a 1600×1600 PNG: the workshop's title and product above, the two
    figures below (trend on top, key obstacle at the bottom, innovation where they meet)."""
    width, height = PNG_SIZE
    margin = 48
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    y = margin
    for text, bold, size, colour, lines in (
        (record.title, True, 52, figures.INK, 2),
        (record.product, False, 34, "#444444", 2),
    ):
        for line in clipped_lines(text, _pil_measure(bold), size, width - 2 * margin, lines):
            draw.text((width / 2, y), line, font=_pil_font(bold, size), fill=colour, anchor="ma")
            y += int(size * 1.25)
    top = y + 16
    scale = min((width - 2 * margin) / X_RANGE, (height - top - margin) / Y_RANGE)
    cx, cy = width / 2, top + Y_RANGE / 2 * scale

    def point(x: float, y_units: float) -> tuple[float, float]:
        return cx + x * scale, cy - y_units * scale

    canvas = image.convert("RGBA")
    for subject, centre in (("trend", CY), ("obstacle", -CY)):
        fill = Image.new("RGBA", image.size, (0, 0, 0, 0))  # each figure tinted on its own layer
        ImageDraw.Draw(fill).ellipse(
            [*point(-RX, centre + RY), *point(RX, centre - RY)], fill=_rgb(COLOURS[subject], 26)
        )
        canvas = Image.alpha_composite(canvas, fill)
    image = canvas.convert("RGB")
    draw = ImageDraw.Draw(image)
    for subject, centre in (("trend", CY), ("obstacle", -CY)):
        draw.ellipse([*point(-RX, centre + RY), *point(RX, centre - RY)], outline=COLOURS[subject], width=10)
    texts = template_texts(record, lang)
    for subject in SUBJECTS:
        caption = t(f"template.{subject}", lang).upper()
        draw.text(
            point(0, CAPTION_Y[subject]),
            caption,
            font=_pil_font(True, 34),
            fill=COLOURS[subject],
            anchor="mm",
        )
        text = texts[subject] or t("template.placeholder", lang)
        bold = subject == "innovation"
        placed = fit(text, REGIONS[subject], _pil_measure(bold), scale=scale, sizes=range(46, 13, -2))
        for line, baseline in zip(placed.lines, placed.baselines, strict=True):
            draw.text(
                point(0, baseline),
                line,
                font=_pil_font(bold, int(placed.size)),
                fill=figures.INK if texts[subject] else "#888888",
                anchor="ms",
            )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# --------------------------------------------------------------------------- PDF

PAGE = landscape(A4)
INK = HexColor(figures.INK)
GREY = HexColor("#555555")


@dataclass(frozen=True)
class _Para:
    text: str
    bold: bool
    size: float
    colour: Color
    max_lines: int
    gap: float = 0.0  # space above


def _pdf_measure(bold: bool) -> Measure:
    regular, heavy = _register_fonts()
    font = heavy if bold else regular
    return lambda text, size: stringWidth(text, font, size)


def _layout(paras: Sequence[_Para], width: float, budget: float) -> list[tuple[_Para, float, list[str]]]:
    """Paragraphs wrapped to ``width``, shrunk until they fit in ``budget`` points of height;
    at the smallest size the lines that still do not fit are left out."""
    for factor in (1.0, 0.92, 0.85, 0.78, 0.72, 0.66, 0.6):
        laid = []
        used = 0.0
        for para in paras:
            size = para.size * factor
            lines = clipped_lines(para.text, _pdf_measure(para.bold), size, width, para.max_lines)
            used += para.gap * factor + len(lines) * size * 1.22
            laid.append((para, size, lines))
        if used <= budget:
            return laid
    kept, used = [], 0.0
    for para, size, lines in laid:
        fits = [
            line for i, line in enumerate(lines) if used + para.gap * 0.6 + (i + 1) * size * 1.22 <= budget
        ]
        if not fits:
            break
        used += para.gap * 0.6 + len(fits) * size * 1.22
        kept.append((para, size, fits))
    return kept


def _draw(canvas: Canvas, laid: Sequence[tuple[_Para, float, list[str]]], x: float, top: float) -> float:
    regular, bold = _register_fonts()
    y = top
    for para, size, lines in laid:
        y -= para.gap * size / para.size
        canvas.setFillColor(para.colour)
        canvas.setFont(bold if para.bold else regular, size)
        for line in lines:
            y -= size * 1.22
            canvas.drawString(x, y + size * 0.25, line)
    return y


def _why_paras(record: WorkshopRecord, subject: str, lang: str) -> list[_Para]:
    colour = HexColor(COLOURS[subject])
    paras = [_Para(t(f"why.{subject}", lang), True, 12, colour, 1)]
    chosen = record.chosen(subject)
    if chosen is None:
        return [*paras, _Para(t("why.none", lang), False, 9.5, GREY, 1, 2)]
    paras.append(_Para(chosen.text(lang), True, 10.5, INK, 4, 2))
    for line in why_lines(chosen, lang):
        rationale = bool(line.text) and line.text == chosen.rationale
        paras.append(_Para(line.plain(), False, 9, INK, 4 if rationale else 2, 1))
    if chosen.runners_up:
        paras.append(_Para(t("record.runners_up", lang), True, 8.5, GREY, 1, 3))
        shown = chosen.runners_up[:RUNNERS_UP_SHOWN]
        for n, runner in enumerate(shown, 2):
            text, votes = runner_up_text(runner, chosen, lang)
            paras.append(_Para(f"{n}. {text} — {votes}", False, 8.5, GREY, 1))
        more = len(chosen.runners_up) - len(shown)
        if more:
            paras.append(_Para(t("record.more", lang, n=more), False, 8.5, GREY, 1))
    return paras


def record_pdf(record: WorkshopRecord, lang: str) -> bytes:
    """One landscape A4 page for leadership: title, product, date and facilitator; the filled
    template; why each of the three was chosen and what came next. Long texts wrap and shrink;
    nothing runs past the page."""
    regular, bold = _register_fonts()
    page_w, page_h = PAGE
    margin = 30.0
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE)
    canvas.setTitle(f"{record.title} — {record.code}")
    canvas.setAuthor(t("app.title", lang))
    canvas.setSubject(record.product)

    date = when(record.finished_at or record.created_at)
    meta = " · ".join(
        part
        for part in (
            t("export.pdf.date", lang, date=date),
            t("export.pdf.facilitator", lang, name=record.facilitator_name)
            if record.facilitator_name
            else "",
            t("export.pdf.code", lang, code=record.code),
            t("record.map_version", lang, title=record.map_title(lang), n=record.map_version),
            status_name(record.status, lang),
        )
        if part
    )
    header = _layout(
        [
            _Para(record.title, True, 18, INK, 2),
            _Para(t("export.pdf.product", lang, product=record.product), False, 11, INK, 2, 3),
            _Para(meta, False, 8.5, GREY, 2, 3),
        ],
        page_w - 2 * margin,
        110,
    )
    body_top = _draw(canvas, header, margin, page_h - margin) - 12
    canvas.setStrokeColor(HexColor("#d0d7de"))
    canvas.setLineWidth(0.8)
    canvas.line(margin, body_top + 6, page_w - margin, body_top + 6)

    # Left: the template.
    body_h = body_top - margin
    left_w = 400.0
    scale = min(left_w / X_RANGE, body_h / Y_RANGE)
    cx, cy = margin + left_w / 2, margin + body_h / 2
    for subject, centre in (("trend", CY), ("obstacle", -CY)):
        colour = HexColor(COLOURS[subject])
        canvas.setStrokeColor(colour)
        canvas.setFillColor(colour, alpha=0.10)
        canvas.setLineWidth(2.5)
        canvas.ellipse(
            cx - RX * scale,
            cy + (centre - RY) * scale,
            cx + RX * scale,
            cy + (centre + RY) * scale,
            stroke=1,
            fill=1,
        )
    texts = template_texts(record, lang)
    for subject in SUBJECTS:
        canvas.setFillColor(HexColor(COLOURS[subject]))
        canvas.setFont(bold, 10)
        canvas.drawCentredString(
            cx, cy + CAPTION_Y[subject] * scale - 3.5, t(f"template.{subject}", lang).upper()
        )
        is_bold = subject == "innovation"
        text = texts[subject] or t("template.placeholder", lang)
        placed = fit(
            text,
            REGIONS[subject],
            _pdf_measure(is_bold),
            scale=scale,
            sizes=(16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6),
        )
        canvas.setFillColor(INK if texts[subject] else GREY)
        canvas.setFont(bold if is_bold else regular, placed.size)
        for line, baseline in zip(placed.lines, placed.baselines, strict=True):
            canvas.drawCentredString(cx, cy + baseline * scale, line)

    # Right: why each was chosen, and the runners-up.
    x = margin + left_w + 24
    width = page_w - margin - x
    block = body_h / 3
    for i, subject in enumerate(SUBJECTS):
        laid = _layout(_why_paras(record, subject, lang), width, block - 8)
        _draw(canvas, laid, x, body_top - i * block)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
