"""Load without a browser: W workshops at once, each a room projector, the facilitator's control
screen and 7 phones, all speaking Streamlit's own websocket protocol to real server processes.

    python -m bench.load [--quick] [--processes 2] [--out bench/results.json]

Per workshop:
- 7 phones are ``practice.participant.SimulatedParticipant`` — the same simulated people the
  facilitator's practice mode adds — joining through the join page and acting on the phone page:
  picks, obstacle notes, proposals, votes, each after a random pause (the *load*).
- the room projector (``/projector?w=CODE``) listens to the workshop's event stream like the
  browser's live element and reruns its fragment on each change; every text a phone sent, and
  every vote count, is looked for in what the projector receives: *submit → projector* is the time
  from the phone sending to the projector receiving it.
- the facilitator (``/control?w=CODE&k=KEY``) moves the workshop on through the five steps when
  its people are done (or the step's share of time is up): opens, closes and reveals the votes.

Two loads: *realistic* (each phone acts every 20–40 s) and *heavy* (every 2–6 s: about 1.7
actions per workshop per second). Two configurations: *ours* (the repository's config: no
post-run garbage collection, pushed changes, fragments) and *naive* (Streamlit's defaults, and
every screen reruns its whole page on a timer: the projector each second, phones every 2 s, the
way typical Streamlit voting apps refresh). For each, W grows until the p95 of submit → projector
passes 1 s or errors appear: the largest W that held is the capacity.

Writes ``bench/results.json`` and ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil
from sqlmodel import Session, func, select

from practice.participant import Action, SimulatedParticipant
from practice.wsclient import Phone, click, event_stream, tick
from tests.support import Server
from workshop import services, steps
from workshop.db import make_engine
from workshop.models import Ballot, Note, Participant, Pick, Poll, Workshop
from workshop.trend_maps import install_builtin_maps, latest_versions

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results.json"
REPORT = ROOT / "bench" / "RESULTS.md"
PEOPLE = 7
LOADS = {"realistic": (20.0, 40.0), "heavy": (2.0, 6.0)}
NAIVE_ARGS = [
    "--runner.postScriptGC",
    "true",
    "--server.fileWatcherType",
    "auto",
    "--runner.fastReruns",
    "true",
]
NAIVE_PROJECTOR_S = 1.0
NAIVE_PHONE_S = 2.0
DEPARTMENTS = ["Продажи", "Маркетинг", "Сервис", "Логистика", "ИТ", "Финансы", "Продукт"]
TARGET_P95_S = 1.0


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


@dataclass
class Tally:
    """What one run measured."""

    visible: list[float] = field(default_factory=list)  # submit → projector, seconds
    visible_by_kind: dict[str, list[float]] = field(default_factory=dict)
    actions: list[float] = field(default_factory=list)  # a phone's action → its page answered
    errors: list[str] = field(default_factory=list)
    refused: int = 0
    projector_runs: int = 0
    phone_refreshes: int = 0  # phone page reruns that followed the workshop (not the person's)
    phone_actions: int = 0
    steps_done: int = 0
    finished: int = 0

    def seen(self, kind: str, seconds: float) -> None:
        self.visible.append(seconds)
        self.visible_by_kind.setdefault(kind, []).append(seconds)


_CARD = re.compile(r'<div class="note-card[^"]*">([^<]*)')
_COUNT = re.compile(r'class="big-number">(\d+) / \d+<')
_PICKS = re.compile(r"(?:отметок|picks): (\d+)")


class Room:
    """One workshop's room projector: reruns on each pushed change (or on a timer, naive) and
    notices when what the phones sent shows up.

    A phone reports its submit once its own page has answered, and the projector may show the
    note before that: so the room remembers when each note text (its k-th copy, since two people
    may write the same words) and each vote count first appeared, and a submit reported later is
    matched against that moment."""

    def __init__(self, base: str, code: str, tally: Tally, *, naive: bool) -> None:
        self.base, self.code, self.tally, self.naive = base, code, tally, naive
        self.fragment_id = ""
        self.card_seen: dict[tuple[str, int], float] = {}  # (escaped text, k-th copy) → first seen
        self.cards_sent: dict[str, list[float]] = {}  # escaped text → sent_at of each copy sent
        self.cards_matched: dict[str, int] = {}
        self.count_seen: dict[int, float] = {}  # vote count k → first seen, in the current vote
        self.ballots: list[float] = []  # sent_at of each first ballot, in the order reported
        self.ballots_matched = 0
        self.picks_seen: dict[int, float] = {}  # total picks k → first seen
        self.picks: list[float] = []
        self.picks_matched = 0

    def note_sent(self, text: str, sent_at: float) -> None:
        needle = html.escape(text, quote=True)
        self.cards_sent.setdefault(needle, []).append(sent_at)
        self._match_cards(needle)

    def ballot_sent(self, sent_at: float) -> None:
        self.ballots.append(sent_at)
        self._match_ballots()

    def pick_sent(self, sent_at: float) -> None:
        self.picks.append(sent_at)
        self._match_picks()

    def _match_picks(self) -> None:
        while self.picks_matched < len(self.picks) and self.picks_matched + 1 in self.picks_seen:
            k = self.picks_matched
            self.tally.seen("pick", max(0.0, self.picks_seen[k + 1] - self.picks[k]))
            self.picks_matched += 1

    def new_vote(self) -> None:
        self.count_seen, self.ballots, self.ballots_matched = {}, [], 0

    def _match_cards(self, needle: str) -> None:
        sent = self.cards_sent.get(needle, [])
        k = self.cards_matched.get(needle, 0)
        while k < len(sent) and (needle, k + 1) in self.card_seen:
            self.tally.seen("note", max(0.0, self.card_seen[(needle, k + 1)] - sent[k]))
            k += 1
        self.cards_matched[needle] = k

    def _match_ballots(self) -> None:
        while self.ballots_matched < len(self.ballots) and self.ballots_matched + 1 in self.count_seen:
            k = self.ballots_matched
            self.tally.seen("ballot", max(0.0, self.count_seen[k + 1] - self.ballots[k]))
            self.ballots_matched += 1

    def _look(self, body: str, received_at: float) -> None:
        copies: dict[str, int] = {}
        for text in _CARD.findall(body):
            copies[text] = copies.get(text, 0) + 1
        for text, n in copies.items():
            fresh = False
            for k in range(1, n + 1):
                if (text, k) not in self.card_seen:
                    self.card_seen[(text, k)] = received_at
                    fresh = True
            if fresh:
                self._match_cards(text)
        picks = _PICKS.search(body)
        if picks:
            for k in range(1, int(picks.group(1)) + 1):
                self.picks_seen.setdefault(k, received_at)
            self._match_picks()
        count = _COUNT.search(body)
        if count:
            for k in range(1, int(count.group(1)) + 1):
                self.count_seen.setdefault(k, received_at)
            self._match_ballots()

    async def _rerun(self, phone: Phone, *, first: bool = False) -> None:
        if first:
            run = await phone.open("projector", f"w={self.code}")
        else:
            run = await phone.act([], fragment_id="" if self.naive else self.fragment_id)
        now = time.perf_counter()
        self.tally.projector_runs += 1
        bodies = []
        for fm in run.messages:
            if fm.WhichOneof("type") != "delta":
                continue
            if fm.delta.fragment_id and not self.fragment_id:
                self.fragment_id = fm.delta.fragment_id
            if (
                fm.delta.WhichOneof("type") == "new_element"
                and fm.delta.new_element.WhichOneof("type") == "html"
            ):
                bodies.append(fm.delta.new_element.html.body)
        self._look("\n".join(bodies), now)

    async def run(self, stop: asyncio.Event) -> None:
        async with Phone(self.base) as phone:
            await self._rerun(phone, first=True)
            if self.naive:
                while not stop.is_set():
                    await asyncio.sleep(NAIVE_PROJECTOR_S)
                    await self._rerun(phone)
                return
            wake = asyncio.Event()

            async def listen() -> None:
                while not stop.is_set():
                    try:
                        async for event in event_stream(self.base, f"/live/{self.code}?kinds=all"):
                            if event.name == "change":
                                wake.set()
                    except (OSError, EOFError, TimeoutError, asyncio.IncompleteReadError) as err:
                        self.tally.errors.append(f"projector stream: {err!r}"[:200])
                    await asyncio.sleep(0.5)

            listener = asyncio.create_task(listen())
            try:
                while not stop.is_set():
                    waiter = asyncio.create_task(wake.wait())
                    stopper = asyncio.create_task(stop.wait())
                    await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
                    waiter.cancel()
                    stopper.cancel()
                    if stop.is_set():
                        break
                    wake.clear()
                    await self._rerun(phone)
            finally:
                listener.cancel()


# --------------------------------------------------------------------------- the facilitator


@dataclass
class State:
    step: str
    people: int
    picked: int  # people with at least the minimum of picks
    wrote: int  # people with at least the target of notes (obstacles) or one proposal
    poll_status: str
    ballots: int
    tie: bool
    decided: bool
    agreed: bool
    since: float


def read_state(engine, workshop_id: int, notes_target: int) -> State:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        w = session.get(Workshop, workshop_id)
        assert w is not None
        people = session.exec(select(func.count()).where(Participant.workshop_id == workshop_id)).one()
        picks = session.exec(
            select(Pick.participant_id, func.count())
            .where(Pick.workshop_id == workshop_id)
            .group_by(Pick.participant_id)
        ).all()
        kind = steps.NOTE_KIND.get(w.step, "obstacle")
        notes = session.exec(
            select(Note.participant_id, func.count())
            .where(Note.workshop_id == workshop_id, Note.kind == kind)
            .group_by(Note.participant_id)
        ).all()
        poll = session.exec(
            select(Poll)
            .where(Poll.workshop_id == workshop_id, Poll.status != "cancelled")
            .order_by(Poll.id.desc())  # type: ignore[union-attr]
        ).first()
        ballots = 0
        if poll is not None:
            ballots = session.exec(select(func.count()).where(Ballot.poll_id == poll.id)).one()
        target = notes_target if kind == "obstacle" else 1
        started = w.step_started_at.timestamp() if w.step_started_at else time.time()
        return State(
            step=w.step,
            people=people,
            picked=sum(1 for _p, n in picks if n >= w.picks_min),
            wrote=sum(1 for _p, n in notes if n >= target),
            poll_status=poll.status if poll is not None else "",
            ballots=ballots,
            tie=bool(poll and poll.tie),
            decided=bool(poll and poll.winner_option_id is not None),
            agreed=w.agreement_confirmed,
            since=time.time() - started,
        )


class Facilitator:
    """Moves one workshop through the five steps from its control screen, as a person would:
    when everyone is done, or when the step's time share is up."""

    def __init__(
        self,
        base: str,
        engine,
        workshop_id: int,
        code: str,
        key: str,
        *,
        pace: tuple[float, float],
        room: Room,
        tally: Tally,
    ) -> None:  # type: ignore[no-untyped-def]
        self.base, self.engine, self.workshop_id, self.code, self.key = base, engine, workshop_id, code, key
        mean = sum(pace) / 2
        # How long a step may take at most: a few of each person's actions.
        self.window = {"trends_pick": 7 * mean, "obstacles_write": 5 * mean, "innovations_write": 3 * mean}
        self.vote_window = 3 * mean
        self.room, self.tally = room, tally

    async def _click(self, phone: Phone, fragment: str, key: str, *, value: bool | None = None) -> bool:
        run = await phone.act([], fragment_id=fragment)
        try:
            widget = run.widget("checkbox" if value is not None else "button", key)
        except LookupError:
            return False
        state = tick(widget, value) if value is not None else click(widget)
        await phone.act([state], fragment_id=widget.fragment_id)
        return True

    async def run(self, stop: asyncio.Event, go: asyncio.Event) -> None:
        async with Phone(self.base) as phone:
            first = await phone.open("control", f"w={self.code}&k={self.key}")
            fragment = next(
                (
                    fm.delta.fragment_id
                    for fm in first.messages
                    if fm.WhichOneof("type") == "delta" and fm.delta.fragment_id
                ),
                "",
            )
            await go.wait()
            last_step = ""
            while not stop.is_set():
                await asyncio.sleep(1.0)
                s = await asyncio.to_thread(read_state, self.engine, self.workshop_id, 3)
                if s.step != last_step:
                    last_step = s.step
                    self.tally.steps_done += 1
                    if s.step in steps.VOTE_STEPS:
                        self.room.new_vote()
                if s.step == steps.FINISHED:
                    self.tally.finished += 1
                    return
                if s.step == steps.LOBBY:
                    if s.people >= PEOPLE:
                        await self._click(phone, fragment, "advance")
                elif s.step == steps.TRENDS_PICK:
                    if s.picked >= s.people or s.since > self.window["trends_pick"]:
                        await self._click(phone, fragment, "advance")
                elif s.step in steps.NOTE_KIND:
                    if s.wrote >= s.people or s.since > self.window[s.step]:
                        await self._click(phone, fragment, "advance")
                elif s.step in steps.VOTE_STEPS:
                    if s.poll_status == "ready":
                        self.room.new_vote()
                        await self._click(phone, fragment, "open_vote")
                    elif s.poll_status == "open" and (s.ballots >= s.people or s.since > self.vote_window):
                        await self._click(phone, fragment, "close_vote")
                    elif s.poll_status == "closed":
                        await self._click(phone, fragment, "reveal_vote")
                    elif s.poll_status == "revealed" and s.tie and not s.decided:
                        await self._click(phone, fragment, "decide")
                    elif s.decided:
                        await self._click(phone, fragment, "advance")
                elif s.step == steps.PRESENTATION:
                    if not s.agreed:
                        await self._click(phone, fragment, "agree", value=True)
                    else:
                        await self._click(phone, fragment, "advance")


# --------------------------------------------------------------------------- one load level


TEXT_KINDS = {"obstacle", "innovation"}
# What a phone does that is not an action of the person: following the workshop.
NOT_ACTIONS = {"refresh"}


@dataclass
class Level:
    config: str
    load: str
    workshops: int
    processes: int
    sessions: int
    seconds: float
    submit_to_projector_p50_s: float | None
    submit_to_projector_p95_s: float | None
    action_p50_s: float | None
    action_p95_s: float | None
    seen: int
    actions: int
    errors: int
    refused: int
    server_cpu_pct: float
    idle_cpu_pct: float | None
    server_rss_mb: float
    client_cpu_pct: float
    projector_runs: int
    phone_refreshes: int
    cpu_ms_per_action: float | None
    cpu_ms_per_rerun: float | None
    finished: int
    by_kind: dict[str, dict[str, float | None]]
    error_samples: list[str]

    @property
    def held(self) -> bool:
        p95 = self.submit_to_projector_p95_s
        return p95 is not None and p95 <= TARGET_P95_S and self.errors == 0


def _cpu(processes: list[psutil.Process]) -> float:
    return sum(p.cpu_percent(None) for p in processes)


def _rss_mb(processes: list[psutil.Process]) -> float:
    total = 0
    for p in processes:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def make_workshops(engine, n: int) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        version = next(v for m, v in latest_versions(session=session) if m.id == "customer-journey-2017")
        made = []
        for i in range(n):
            workshop, key = services.create_workshop(
                session=session,
                title=f"Нагрузка {i + 1}",
                product="Доставка продуктов",
                map_version_id=version.id,
                settings=services.Settings(pick_minutes=60, write_minutes=60, vote_minutes=60),
            )
            made.append((workshop.id, workshop.code, key))
        return made


async def run_level(
    servers: list[Server],
    engine,  # type: ignore[no-untyped-def]
    *,
    config: str,
    load: str,
    workshops: int,
    seconds: float,
    idle_s: float,
    seed: int = 1,
) -> Level:
    naive = config == "naive"
    pace = LOADS[load]
    rng = random.Random(seed)
    tally = Tally()
    stop, go = asyncio.Event(), asyncio.Event()
    made = await asyncio.to_thread(make_workshops, engine, workshops)
    tasks = []
    for i, (wid, code, key) in enumerate(made):
        base = servers[i % len(servers)].base
        room = Room(base, code, tally, naive=naive)

        def report(action: Action, room: Room = room) -> None:
            if action.kind == "connect" or (action.kind == "refresh" and not action.ok):
                tally.errors.append(f"{action.kind}: {action.text} {action.error}"[:200])
                return
            if action.kind in NOT_ACTIONS:
                tally.phone_refreshes += 1
                return
            tally.phone_actions += 1
            if not action.ok:  # the phone showed a refusal the rules make (time up, step moved on)
                tally.refused += 1
                return
            tally.actions.append(action.latency)
            if action.kind in TEXT_KINDS and action.text:
                room.note_sent(action.text, action.sent_at)
            elif action.kind == "vote":  # a first ballot (a changed one is "revote")
                room.ballot_sent(action.sent_at)
            elif action.kind == "pick":  # a tap that ticks a trend: the projector's pick total grows
                room.pick_sent(action.sent_at)

        facilitator = Facilitator(base, engine, wid, code, key, pace=pace, room=room, tally=tally)
        tasks.append(asyncio.create_task(room.run(stop)))
        tasks.append(asyncio.create_task(facilitator.run(stop, go)))
        for p in range(PEOPLE):
            person = SimulatedParticipant(
                base,
                code,
                name=f"Участник {p + 1}",
                department=DEPARTMENTS[p % len(DEPARTMENTS)],
                pace=pace,
                rng=random.Random(rng.random()),
                **({"refresh_every": NAIVE_PHONE_S} if naive else {}),
                report=report,
            )
            tasks.append(asyncio.create_task(person.run(stop)))
    procs = [psutil.Process(s.proc.pid) for s in servers if s.proc is not None]
    me = psutil.Process()

    # Everyone joins; nobody acts until the facilitators start.
    deadline = time.perf_counter() + 120 + workshops
    wanted = workshops * PEOPLE
    while time.perf_counter() < deadline:
        joined = await asyncio.to_thread(_joined, engine, [m[0] for m in made])
        if joined >= wanted:
            break
        await asyncio.sleep(1.0)
    else:
        tally.errors.append(f"only {joined} of {wanted} joined in time")
    idle = None
    if idle_s:
        await asyncio.sleep(3.0)  # the last joins' reruns settle
        _cpu(procs)
        await asyncio.sleep(idle_s)
        idle = _cpu(procs) / idle_s * idle_s  # cpu_percent(None) is the average since the last call
    tally.visible.clear()
    tally.visible_by_kind.clear()
    tally.actions.clear()
    tally.projector_runs = tally.phone_refreshes = 0
    go.set()
    _cpu(procs)
    me.cpu_percent(None)
    rss = 0.0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        await asyncio.sleep(1.0)
        rss = max(rss, _rss_mb(procs))
    cpu = _cpu(procs)
    client = me.cpu_percent(None)
    stop.set()
    await asyncio.wait(tasks, timeout=30)
    for task in tasks:
        task.cancel()
    sessions = workshops * (PEOPLE + 2)
    cpu_s = cpu / 100 * seconds
    # every page run the server made while measuring: each action's, the projectors', the phones'
    reruns = len(tally.actions) + tally.projector_runs + tally.phone_refreshes
    return Level(
        config=config,
        load=load,
        workshops=workshops,
        processes=len(servers),
        sessions=sessions,
        seconds=round(seconds, 1),
        submit_to_projector_p50_s=_round(percentile(tally.visible, 0.5)),
        submit_to_projector_p95_s=_round(percentile(tally.visible, 0.95)),
        action_p50_s=_round(percentile(tally.actions, 0.5)),
        action_p95_s=_round(percentile(tally.actions, 0.95)),
        seen=len(tally.visible),
        actions=len(tally.actions),
        errors=len(tally.errors),
        refused=tally.refused,
        server_cpu_pct=round(cpu, 1),
        idle_cpu_pct=None if idle is None else round(idle, 1),
        server_rss_mb=round(rss, 1),
        client_cpu_pct=round(client, 1),
        projector_runs=tally.projector_runs,
        phone_refreshes=tally.phone_refreshes,
        cpu_ms_per_action=round(cpu_s * 1000 / len(tally.actions), 1) if tally.actions else None,
        cpu_ms_per_rerun=round(cpu_s * 1000 / reruns, 1) if reruns else None,
        finished=tally.finished,
        by_kind={
            kind: {"n": len(v), "p50_s": _round(percentile(v, 0.5)), "p95_s": _round(percentile(v, 0.95))}
            for kind, v in tally.visible_by_kind.items()
        },
        error_samples=tally.errors[:5],
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _joined(engine, ids: list[int]) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.exec(select(func.count()).where(Participant.workshop_id.in_(ids))).one()  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- the whole bench


def start_servers(db_url: str, processes: int, *, naive: bool, logs: Path) -> list[Server]:
    servers = []
    for i in range(processes):
        server = Server(db_url, logs / f"server-{i}.log", extra_args=NAIVE_ARGS if naive else [])
        server.start()
        servers.append(server)
    return servers


def fresh_database(folder: Path) -> tuple[str, object]:
    from workshop.db import upgrade

    url = f"sqlite:///{folder / 'load.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        install_builtin_maps(session=session)
    return url, engine


async def capacity(
    config: str,
    load: str,
    levels: list[int],
    *,
    processes: int,
    seconds: float,
    idle_s: float,
    log: Callable[[str], None],
) -> list[Level]:
    """Run W = each of ``levels`` in turn (a fresh server and database each) until one fails."""
    done: list[Level] = []
    for workshops in levels:
        folder = Path(tempfile.mkdtemp(prefix="workshop-load-"))
        url, engine = fresh_database(folder)
        servers = start_servers(url, processes, naive=config == "naive", logs=folder)
        try:
            level = await run_level(
                servers, engine, config=config, load=load, workshops=workshops, seconds=seconds, idle_s=idle_s
            )
        finally:
            for server in servers:
                server.close()
            engine.dispose()  # type: ignore[attr-defined]
            shutil.rmtree(folder, ignore_errors=True)
        done.append(level)
        log(
            f"{config:6} {load:9} W={workshops:<4} p50={level.submit_to_projector_p50_s} "
            f"p95={level.submit_to_projector_p95_s} action_p95={level.action_p95_s} seen={level.seen} "
            f"errors={level.errors} cpu={level.server_cpu_pct}% idle={level.idle_cpu_pct}% "
            f"rss={level.server_rss_mb} MB client={level.client_cpu_pct}%"
        )
        if not level.held:
            break
    return done


def largest_held(levels: list[Level]) -> int:
    held = [lv.workshops for lv in levels if lv.held]
    return max(held) if held else 0


PLANS = {
    # load: (levels of W, seconds measured per level). Heavy runs last long enough for a workshop
    # to go through all five steps; realistic runs (an action every 20-40 s) cover the first
    # three steps in their time.
    "full": {"heavy": ([1, 3, 6, 10, 15, 20, 30], 75.0), "realistic": ([1, 25, 50, 75, 100, 150], 120.0)},
    # kept for a quick look: a few levels only
    "quick": {"heavy": ([1, 10], 60.0), "realistic": ([1, 25], 90.0)},
}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer and shorter levels")
    parser.add_argument(
        "--processes", type=int, default=1, help="also run ours on this many app processes (heavy load)"
    )
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle CPU measured per level")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    plan = PLANS["quick" if args.quick else "full"]

    def log(line: str) -> None:
        print(line, flush=True)  # noqa: T201

    results: dict[str, dict[str, list[Level]]] = {"ours": {}, "naive": {}}
    started = time.time()
    for load, (levels, seconds) in plan.items():
        results["ours"][load] = asyncio.run(
            capacity("ours", load, levels, processes=1, seconds=seconds, idle_s=args.idle, log=log)
        )
        results["naive"][load] = asyncio.run(
            capacity("naive", load, levels, processes=1, seconds=seconds, idle_s=0.0, log=log)
        )
    if args.processes > 1:
        levels, seconds = plan["heavy"]
        results[f"ours-{args.processes}p"] = {
            "heavy": asyncio.run(
                capacity(
                    "ours", "heavy", levels, processes=args.processes, seconds=seconds, idle_s=0.0, log=log
                )
            )
        }
    write_results(results, args, time.time() - started)
    return 0


def headline(results: dict[str, dict[str, list[Level]]]) -> Level:
    """The issue's reference run: realistic load at W = 50 (else the largest realistic run)."""
    runs = results["ours"]["realistic"]
    return next((lv for lv in runs if lv.workshops == 50), runs[-1])


def write_results(
    results: dict[str, dict[str, list[Level]]], args: argparse.Namespace, took_s: float
) -> None:
    head = headline(results)
    one = next((lv for lv in results["ours"]["heavy"] if lv.workshops == 1), None)
    capacities = {
        config: {load: largest_held(levels) for load, levels in loads.items()}
        for config, loads in results.items()
    }
    ratios = {}
    for load in LOADS:
        ours, naive = capacities["ours"].get(load, 0), capacities["naive"].get(load, 0)
        same = [
            (a, b)
            for a in results["ours"].get(load, [])
            for b in results["naive"].get(load, [])
            if a.workshops == b.workshops and a.submit_to_projector_p95_s and b.submit_to_projector_p95_s
        ]
        ratios[load] = {
            "capacity_ours_over_naive": None if not naive else round(ours / naive, 2),
            "capacity_ours": ours,
            "capacity_naive": naive,
            "p95_naive_over_ours_at_same_w": {
                str(a.workshops): round(b.submit_to_projector_p95_s / a.submit_to_projector_p95_s, 1)
                for a, b in same
            },
        }
    document = {
        "workshops": head.workshops,
        "sessions": head.sessions,
        "submit_to_projector_p50_s": head.submit_to_projector_p50_s,
        "submit_to_projector_p95_s": head.submit_to_projector_p95_s,
        "action_p95_s": head.action_p95_s,
        "errors": head.errors,
        "server_rss_mb": head.server_rss_mb,
        "server_cpu_pct": head.server_cpu_pct,
        "idle_server_cpu_pct": head.idle_cpu_pct,
        "load": head.load,
        "one_workshop_heavy_p95_s": one.submit_to_projector_p95_s if one else None,
        "capacity": capacities,
        "versus_naive": ratios,
        "command": "python -m bench.load"
        + (" --quick" if args.quick else "")
        + f" --processes {args.processes}",
        "processes": args.processes,
        "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]},
        "took_s": round(took_s),
        "levels": {
            c: {load: [asdict(lv) for lv in lvs] for load, lvs in loads.items()}
            for c, loads in results.items()
        },
    }
    args.out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    rows = [
        "| config | load | W | sessions | submit→projector p50 | p95 | action p95 | errors "
        "| server CPU | idle CPU | RSS | held |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for config, loads in results.items():
        for load, levels in loads.items():
            for lv in levels:
                rows.append(
                    f"| {config} | {load} | {lv.workshops} | {lv.sessions} | "
                    f"{_s(lv.submit_to_projector_p50_s)} | "
                    f"{_s(lv.submit_to_projector_p95_s)} | {_s(lv.action_p95_s)} | {lv.errors} | "
                    f"{lv.server_cpu_pct}% | {'' if lv.idle_cpu_pct is None else f'{lv.idle_cpu_pct}%'} | "
                    f"{lv.server_rss_mb:.0f} MB | {'yes' if lv.held else 'no'} |"
                )
    summary = [
        f"- largest W holding p95 ≤ 1 s with 0 errors — {config}: "
        + ", ".join(f"{load} {w}" for load, w in loads.items())
        for config, loads in capacities.items()
    ]
    REPORT.write_text(
        "# Load bench\n\n"
        f"Command: `{document['command']}` ({args.processes} app process(es) for ours; "
        f"{os.cpu_count()} cores; SQLite; the load generator runs on the same machine). "
        f"Took {round(took_s / 60)} min.\n\n" + "\n".join(rows) + "\n\n" + "\n".join(summary) + "\n",
        encoding="utf-8",
    )


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f} s"


if __name__ == "__main__":
    sys.exit(main())
