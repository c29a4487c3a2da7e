"""The record as a Markdown summary. What people wrote is escaped (``markdown_literal``): it
shows literally, never as markup."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from workshop.i18n import t
from workshop.managers.record import PollRecord, WorkshopRecord
from workshop.render.tables import Cell, Table, roster_table, steps_table
from workshop.render.words import (
    SUBJECTS,
    decided_name,
    poll_status_name,
    poll_title,
    runner_up_text,
    status_name,
    subject_name,
    voters_text,
    when,
    why_lines,
    yes,
)
from workshop.rules.enums import Subject
from workshop.rules.text import markdown_literal


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
    out = [*_facts(record, lang), *_template(record, lang)]
    for subject in SUBJECTS:
        out += _why_chosen(record, subject, lang)
    out += [f"## {t('record.roster', lang)}", "", *_md_table(roster_table(record, lang))]
    out += [f"## {t('record.picks', lang)}", "", *_md_table(_picks_table(record, lang))]
    for kind, heading in ((Subject.OBSTACLE, "record.obstacles"), (Subject.INNOVATION, "record.innovations")):
        out += [f"## {t(heading, lang)}", "", *_md_table(_notes_table(record, kind, lang))]
    out += _merges(record, lang)
    out += [f"## {t('record.polls', lang)}", ""]
    for poll in record.polls:
        out += _poll(record, poll, lang)
    out += [f"## {t('record.steps', lang)}", "", *_md_table(steps_table(record, lang))]
    return "\n".join(out).encode("utf-8")


def _facts(record: WorkshopRecord, lang: str) -> list[str]:
    """The title and the workshop's facts, one per line."""
    md = markdown_literal
    return [
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
    ]


def _template(record: WorkshopRecord, lang: str) -> list[str]:
    """The template: what was chosen for each subject (trend, obstacle, innovation)."""
    out = [f"## {t('record.template', lang)}", ""]
    for subject in SUBJECTS:
        chosen = record.chosen(subject)
        text = markdown_literal(chosen.text(lang)) if chosen else t("why.none", lang)
        out.append(f"- **{subject_name(subject, lang)}:** {text}")
    out.append("")
    return out


def _why_chosen(record: WorkshopRecord, subject: str, lang: str) -> list[str]:
    """Why the subject's choice was made, and the runners-up after it."""
    md = markdown_literal
    chosen = record.chosen(subject)
    out = [f"## {t(f'why.{subject}', lang)}", ""]
    if chosen is None:
        return [*out, t("why.none", lang), ""]
    out += [f"**{md(chosen.text(lang))}**", ""]
    out += [
        f"- {line.label}" + (f": {md(line.text)}" if line.text else "") for line in why_lines(chosen, lang)
    ]
    if chosen.runners_up:
        out += ["", f"{t('record.runners_up', lang)}:", ""]
        for i, runner in enumerate(chosen.runners_up, 2):  # the chosen one is first
            text, votes = runner_up_text(runner, chosen, lang)
            out.append(f"{i}. {md(text)} — {votes}")
    out.append("")
    return out


def _picks_table(record: WorkshopRecord, lang: str) -> Table:
    """Each trend picked, with how many picked it, the most picked first."""
    picked = Counter((p.trend_code, p.trend_title(lang)) for p in record.picks)
    return Table(
        (t("record.col.trend", lang), t("record.col.picked_by", lang)),
        tuple((f"{code} · {title}", n) for (code, title), n in picked.most_common()),
    )


def _notes_table(record: WorkshopRecord, kind: str, lang: str) -> Table:
    """The obstacles or innovations; an innovation's rationale, and authors when they are named."""
    return Table(
        (
            "#",
            t("record.col.text", lang),
            t("record.col.original_text", lang),
            *([t("record.col.rationale", lang)] if kind == Subject.INNOVATION else []),
            t("record.col.department", lang),
            *([t("record.col.author", lang)] if record.authors_named else []),
            t("record.col.merged_into", lang),
        ),
        tuple(
            (
                n.id,
                n.text,
                n.original_text or "",
                *([n.rationale] if kind == Subject.INNOVATION else []),
                n.department,
                *([n.author or ""] if record.authors_named else []),
                f"#{n.merged_into}" if n.merged_into else "",
            )
            for n in record.notes(kind)
        ),
    )


def _merges(record: WorkshopRecord, lang: str) -> list[str]:
    """Each kept note with the notes merged into it; nothing when none were merged."""
    if not record.merges:
        return []
    md = markdown_literal
    out = [f"## {t('record.merges', lang)}", ""]
    for merge in record.merges:
        merged = "; ".join(f"#{m.id} {md(m.text)}" for m in merge.merged)
        out.append(f"- #{merge.kept.id} {md(merge.kept.text)} ← {merged}")
    out.append("")
    return out


def _poll(record: WorkshopRecord, poll: PollRecord, lang: str) -> list[str]:
    """A poll: its facts, then its options by votes; who voted for each when voting was open."""
    facts = [poll_status_name(poll.status, lang), t("record.ballots_n", lang, n=poll.ballots)]
    if poll.decided_by:
        facts.append(decided_name(poll.decided_by, lang))
    if poll.tie:
        facts.append(t("record.detail.tie", lang))
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
    return [f"### {poll_title(poll, lang)}", "", "; ".join(facts), "", *_md_table(options)]
