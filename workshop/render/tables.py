"""The record as tables: one row per note, vote, pick, person, step or event, with the app's
words for its columns, in the reader's language. The spreadsheet, the Markdown summary and the
record page show these; the CSV files are two of them, every cell inert (``inert``).

A Russian CSV is separated by semicolons (what Excel expects in a Russian locale), an English one
by commas; both are UTF-8 with a byte order mark.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from workshop.i18n import t
from workshop.managers.days import DayRecord
from workshop.managers.record import WorkshopRecord
from workshop.render.words import (
    SUBJECT_STEP,
    SUBJECTS,
    decided_name,
    duration,
    event_detail,
    event_name,
    poll_status_name,
    status_name,
    step_name,
    subject_name,
    voters_text,
    when,
    why_lines,
    yes,
)
from workshop.rules.enums import Subject

CSV_DELIMITER = {"ru": ";", "en": ","}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # how a formula starts, to a spreadsheet


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


def _votes_by_round(
    record: WorkshopRecord, subject: str, *, trend_code: str | None = None, note_id: int | None = None
) -> dict[int, int | None]:
    """Votes per round for the option of one trend (by code) or one note (by id); None while a
    poll is not closed."""
    return {
        poll.round: option.votes
        for poll in record.polls_of(subject)
        for option in poll.options
        if (option.trend_code == trend_code if trend_code is not None else option.note_id == note_id)
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
        votes = _votes_by_round(record, "trend", trend_code=code)
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
    for kind in [k for k in (Subject.OBSTACLE, Subject.INNOVATION) if k in kinds]:
        chosen = record.chosen(kind)
        for note in record.notes(kind):
            votes = _votes_by_round(record, kind, note_id=note.id)
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


# --------------------------------------------------------------------------- CSV


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


# --------------------------------------------------------------------------- an innovation day


def day_groups_table(day: DayRecord, lang: str) -> Table:
    """One row per group of the day: its facts, what it chose and its day-wide votes."""
    rows = []
    for group in day.groups:
        texts = {s: (c.text(lang) if (c := group.record.chosen(s)) else "") for s in SUBJECTS}
        rows.append(
            (
                group.number,
                group.record.title,
                group.record.code,
                step_name(group.record.step, lang),
                len(group.record.roster),
                texts[Subject.TREND],
                texts[Subject.OBSTACLE],
                texts[Subject.INNOVATION],
                group.day_votes if day.vote_status else None,
            )
        )
    columns = (
        "day.col.group",
        "record.fact.title",
        "record.fact.code",
        "record.fact.step",
        "record.fact.participants",
        "template.trend",
        "template.obstacle",
        "template.innovation",
        "day.col.day_votes",
    )
    return Table(tuple(t(c, lang) for c in columns), tuple(rows))


def day_facts_table(day: DayRecord, lang: str) -> Table:
    """The day's facts, one per row, and the day-wide vote's outcome."""
    leaders = ", ".join(t("day.group", lang, n=n) for n in day.leaders)
    rows: list[tuple[Cell, ...]] = [
        (t("record.fact.code", lang), day.code),
        (t("record.fact.title", lang), day.title),
        (t("record.fact.product", lang), day.product),
        (t("field.held_on", lang), day.held_on.isoformat()),
        (t("day.col.groups", lang), len(day.groups)),
        (
            t("day.vote_title", lang),
            t("day.vote_count", lang, k=day.ballots, n=day.people) if day.vote_status else "",
        ),
        (t("day.col.leaders", lang), leaders),
    ]
    return Table((t("record.col.what", lang), t("record.col.value", lang)), tuple(rows))
