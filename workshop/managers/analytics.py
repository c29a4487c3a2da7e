"""Analytics across workshops: what gets chosen, what keeps coming back, who takes part.

Everything is computed from the archive's index (``ArchiveEntry``/``ArchiveDepartment``) and,
for recurring obstacles, from the obstacle notes themselves. Similar obstacle texts are grouped
by their *gist* (``workshop.similarity``): the stems of the words that carry meaning, without
the small words — so «Дорого для семьи», «Слишком дорого, семья!» and «семье дорого» are one
group. Groups whose gists overlap strongly are joined (Jaccard ≥ ``SIMILAR``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from workshop.db.models import ArchiveDepartment, ArchiveEntry, Handoff, Note
from workshop.managers import archive
from workshop.rules.enums import Subject
from workshop.similarity import gist, jaccard

SIMILAR = 0.5


@dataclass
class ObstacleGroup:
    label: str  # the most frequent wording
    workshops: int  # in how many workshops it came up
    notes: int
    wordings: list[str]


def group_similar(texts_by_workshop: list[tuple[int, str]], *, limit: int = 15) -> list[ObstacleGroup]:
    """Group similar texts; the groups met in the most workshops first."""
    by_gist: dict[frozenset[str], list[tuple[int, str]]] = defaultdict(list)
    for workshop_id, text in texts_by_workshop:
        key = gist(text)
        if key:
            by_gist[key].append((workshop_id, text))
    # Largest gists-groups first; each joins the first existing cluster it resembles.
    ordered = sorted(by_gist.items(), key=lambda item: (-len({w for w, _ in item[1]}), sorted(item[0])))
    clusters: list[tuple[set[str], list[tuple[int, str]]]] = []
    index: dict[str, list[int]] = defaultdict(list)  # stem → clusters holding it
    for key, members in ordered:
        candidates = {i for stem in key for i in index[stem]}
        best, best_score = None, 0.0
        for i in sorted(candidates):
            score = jaccard(key, frozenset(clusters[i][0]))
            if score > best_score:
                best, best_score = i, score
        if best is not None and best_score >= SIMILAR:
            clusters[best][1].extend(members)
        else:
            clusters.append((set(key), list(members)))
            for stem in key:
                index[stem].append(len(clusters) - 1)
    groups = []
    for _key, members in clusters:
        wordings = Counter(text for _w, text in members)
        groups.append(
            ObstacleGroup(
                label=wordings.most_common(1)[0][0],
                workshops=len({w for w, _ in members}),
                notes=len(members),
                wordings=[text for text, _n in wordings.most_common(5)],
            )
        )
    groups.sort(key=lambda g: (-g.workshops, -g.notes, g.label))
    return groups[:limit]


def recurring_obstacles(*, session: Session, limit: int = 15) -> list[ObstacleGroup]:
    """Obstacle notes of all workshops, similar texts grouped; merged-away copies not counted twice."""
    rows = session.exec(
        select(Note.workshop_id, Note.text).where(
            Note.kind == Subject.OBSTACLE, col(Note.merged_into_id).is_(None)
        )
    ).all()
    return [g for g in group_similar([(w, t) for w, t in rows], limit=limit) if g.workshops > 1]


def top_trends(*, session: Session, limit: int = 15) -> list[tuple[str, int]]:
    archive.refresh(session)
    rows = session.exec(
        select(ArchiveEntry.trend, func.count())
        .where(ArchiveEntry.trend != "")
        .group_by(ArchiveEntry.trend)
        .order_by(func.count().desc(), ArchiveEntry.trend)
        .limit(limit)
    ).all()
    return [(trend, int(n)) for trend, n in rows]


def handoff_statuses(*, session: Session) -> dict[str, int]:
    """Innovations by hand-off status; ``""`` counts finished workshops not handed off yet."""
    archive.refresh(session)
    counts = dict(session.exec(select(Handoff.status, func.count()).group_by(Handoff.status)).all())
    waiting = session.exec(
        select(func.count())
        .select_from(ArchiveEntry)
        .where(
            ArchiveEntry.status == "finished",
            ArchiveEntry.innovation != "",
            ArchiveEntry.handoff_status == "",
        )
    ).one()
    return {"": int(waiting), **{k: int(v) for k, v in counts.items()}}


def departments(*, session: Session, limit: int = 20) -> list[tuple[str, int, int]]:
    """(department, participants, workshops), the largest first."""
    archive.refresh(session)
    rows = session.exec(
        select(
            ArchiveDepartment.key,
            ArchiveDepartment.name,
            func.sum(ArchiveDepartment.participants),
            func.count(),
        ).group_by(ArchiveDepartment.key, ArchiveDepartment.name)
    ).all()
    people: Counter[str] = Counter()
    workshops: Counter[str] = Counter()
    names: dict[str, Counter[str]] = defaultdict(Counter)
    for key, name, participants, count in rows:
        people[key] += int(participants)
        workshops[key] += int(count)
        names[key][name] += int(count)
    result = [(names[k].most_common(1)[0][0], people[k], workshops[k]) for k in people]
    result.sort(key=lambda r: (-r[1], archive.normalise(r[0])))
    return result[:limit]


@dataclass(frozen=True)
class Month:
    month: str  # "2026-11"
    workshops: int
    finished: int
    participants: int


def over_time(*, session: Session) -> list[Month]:
    """Workshops, finished workshops and participants per month of the workshop's date."""
    archive.refresh(session)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for created_at, status, participants in session.exec(
        select(ArchiveEntry.created_at, ArchiveEntry.status, ArchiveEntry.participants)
    ).all():
        key = _month(created_at)
        counts[key][0] += 1
        counts[key][1] += status == "finished"
        counts[key][2] += participants
    return [Month(k, *v) for k, v in sorted(counts.items())]


def _month(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"
