"""The app's words for what a workshop record holds: times and durations, the names of
subjects, steps, statuses and events, poll titles, vote counts, and why each was chosen. Each
in the reader's language (``workshop.i18n.t``); shared by every export and the record page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from workshop.i18n import known, t
from workshop.managers.record import Chosen, OptionRecord, PollRecord, RunnerUp, WorkshopRecord
from workshop.rules.enums import Subject

SUBJECTS = tuple(Subject)
SUBJECT_STEP = {"trend": 2, "obstacle": 3, "innovation": 4}


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
    return t(key, lang) if known(key) else fallback


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
    if chosen.subject == Subject.TREND:
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


def voters_text(option: OptionRecord) -> str:
    """``Anna; Boris (2)``: who voted for an option, with their dots when more than one."""
    return "; ".join(f"{v.name} ({v.dots})" if v.dots != 1 else v.name for v in option.voters or ())
