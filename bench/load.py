"""Load without a browser: W workshops at once, each a room projector, the facilitator's control
screen and 7 phones, against real server processes.

    python -m bench.load [--quick] [--naive] [--processes 2] [--out bench/results.json]
    python -m bench.load --only one --no-baseline --idle 0 --seconds 20 --out /tmp/load.json  # a trial

Per workshop (on the 36-trend map, the start page's default):
- 7 phones are ``practice.participant.SimulatedParticipant`` — the same simulated people the
  facilitator's practice mode adds: picks, obstacle notes, proposals, votes, each after a
  random pause (the *load*). They take a phone's path: the light phone pages in plain HTTP
  and the workshop's event stream (the baseline's phones are Streamlit pages: there its own
  simulated participant of that commit drives them).
- the room projector (``/projector?w=CODE&r=ROOM``) behaves as the browser's live element does: today
  it receives the board's data on the event stream and runs its page only when the layout key
  changes; every text a phone sent, every pick and every vote count is looked for in what the
  projector receives: *submit → projector* is the time from the phone sending to the
  projector receiving it.
- the facilitator (``/control?w=CODE&k=KEY``) listens the same way and moves the workshop on
  through the five steps when its people are done (or the step's share of time is up).

Two loads: *realistic* (each phone acts every 20–40 s) and *heavy* (every 2–6 s: about 1.7
actions per workshop per second). Configurations, in one run:
- *ours*: this checkout.
- *baseline*: the app before its big screens were patched live (``bench.baseline``: the
  commit whose projector and control screen reran their page on every change and rebuilt the
  Plotly trend map on every pick), run from a git worktree, with its own event protocol.
- *naive* (``--naive``): Streamlit's defaults and every screen rerunning its whole page on a
  timer (projector 1 s, phones 2 s), the way typical Streamlit voting apps refresh.
For each, W grows until the p95 of submit → projector passes 1 s or errors appear: the largest
W that held is the capacity.

Writes its keys of ``bench/results.json`` and ``bench/RESULTS.md`` (with ``--out``, of that
file and the Markdown beside it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import html
import importlib
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

import httpx
import psutil
from httpx_sse import aconnect_sse
from sqlmodel import Session, func, select

from bench import baseline
from bench.results_file import RESULTS, update
from practice.participant import Action, SimulatedParticipant
from practice.wsclient import Phone, Run, click, event_stream, tick
from tests.support import Server
from workshop import services
from workshop.db.engine import make_engine
from workshop.db.models import Ballot, Note, Participant, Pick, Poll, Workshop
from workshop.maps.store import latest_versions
from workshop.rules import steps
from workshop.rules.security import room_key

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "bench" / "RESULTS.md"
MAP_ID = "consumer-b2b-2026"
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
    projector_runs: int = 0  # page runs of the room projectors after their first
    projector_updates: int = 0  # board states (ours) or page runs (baseline) that reached them
    control_runs: int = 0  # page runs of the control screens that followed the workshop
    controls: int = 0  # facilitator's controls used
    projector_runs_not_by_controls: int = 0  # page runs of a projector no control preceded
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
BOARD = "board"  # ours: the board's data on the stream, a page run only for a new layout
RERUN = "rerun"  # the baseline: a page run on every change
TIMER = "timer"  # naive: a page run every second


def board_live(run: Run) -> dict | None:
    """The data of a page's live element in board mode (its ticket, layout and board state)."""
    for fm in run.messages:
        if fm.WhichOneof("type") != "delta" or fm.delta.WhichOneof("type") != "new_element":
            continue
        element = fm.delta.new_element
        if element.WhichOneof("type") != "bidi_component" or not element.bidi_component.json:
            continue
        try:
            data = json.loads(element.bidi_component.json)
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("mode") == "board":
            return data
    return None


def first_fragment(run: Run) -> str:
    return next(
        (
            fm.delta.fragment_id
            for fm in run.messages
            if fm.WhichOneof("type") == "delta" and fm.delta.fragment_id
        ),
        "",
    )


async def board_events(base: str, code: str, ticket: str):  # type: ignore[no-untyped-def]
    """The board's ``state`` messages on a big screen's event stream, with when each arrived."""
    async with (
        httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(30.0, read=None)) as client,
        aconnect_sse(client, "GET", f"/live/{code}", params={"t": ticket}) as source,
    ):
        async for event in source.aiter_sse():
            if event.event == "state":
                yield json.loads(event.data)["state"], time.perf_counter()


class Room:
    """One workshop's room projector: patched from the board's data (ours), or rerun on each
    pushed change (the baseline) or on a timer (naive); it notices when what the phones sent
    shows up.

    A phone reports its submit once its own page has answered, and the projector may show the
    note before that: so the room remembers when each note text (its k-th copy, since two people
    may write the same words) and each vote count first appeared, and a submit reported later is
    matched against that moment."""

    def __init__(self, base: str, code: str, room: str, tally: Tally, *, mode: str) -> None:
        self.base, self.code, self.room, self.tally, self.mode = base, code, room, tally, mode
        self.fragment_id = ""
        self.layout = ""
        self.card_seen: dict[tuple[str, int], float] = {}  # (text, k-th copy) → first seen
        self.cards_sent: dict[str, list[float]] = {}  # text → sent_at of each copy sent
        self.cards_matched: dict[str, int] = {}
        self.count_seen: dict[int, float] = {}  # vote count k → first seen, in the current vote
        self.ballots: list[float] = []  # sent_at of each first ballot, in the order reported
        self.ballots_matched = 0
        self.picks_seen: dict[int, float] = {}  # total picks k → first seen
        self.picks: list[float] = []
        self.picks_matched = 0
        self.controls_since_run = 0  # the facilitator's controls used since this screen last ran

    def _needle(self, text: str) -> str:
        # The board carries text as written; a page run carries it escaped in its HTML.
        return text if self.mode == BOARD else html.escape(text, quote=True)

    def note_sent(self, text: str, sent_at: float) -> None:
        needle = self._needle(text)
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

    def _saw(self, texts: list[str], picks: int | None, ballots: int | None, received_at: float) -> None:
        copies: dict[str, int] = {}
        for text in texts:
            copies[text] = copies.get(text, 0) + 1
        for text, n in copies.items():
            fresh = False
            for k in range(1, n + 1):
                if (text, k) not in self.card_seen:
                    self.card_seen[(text, k)] = received_at
                    fresh = True
            if fresh:
                self._match_cards(text)
        if picks is not None:
            for k in range(1, picks + 1):
                self.picks_seen.setdefault(k, received_at)
            self._match_picks()
        if ballots is not None:
            for k in range(1, ballots + 1):
                self.count_seen.setdefault(k, received_at)
            self._match_ballots()

    def _look_state(self, state: dict, received_at: float) -> None:
        wall = state.get("wall") or {}
        cards = wall.get("cards", [])
        texts = [c["text"] for c in cards] + [m["text"] for c in cards for m in c.get("merged", [])]
        picks = (state.get("picks") or {}).get("total")
        poll = state.get("poll")
        self._saw(texts, picks, poll["ballots"] if poll else None, received_at)

    def _look_html(self, body: str, received_at: float) -> None:
        picks = _PICKS.search(body)
        count = _COUNT.search(body)
        self._saw(
            _CARD.findall(body),
            int(picks.group(1)) if picks else None,
            int(count.group(1)) if count else None,
            received_at,
        )

    async def _rerun(self, phone: Phone, *, first: bool = False) -> Run:
        if first:
            run = await phone.open("projector", f"w={self.code}&r={self.room}")
        else:
            run = await phone.act([], fragment_id="" if self.mode == TIMER else self.fragment_id)
            self.tally.projector_runs += 1
            if self.controls_since_run:
                self.controls_since_run = 0
            else:
                self.tally.projector_runs_not_by_controls += 1
        now = time.perf_counter()
        self.fragment_id = self.fragment_id or first_fragment(run)
        live = board_live(run)
        if live is not None:
            self.layout = live["layout"]
            self._look_state(live["state"], now)
        else:
            bodies = [
                fm.delta.new_element.html.body
                for fm in run.messages
                if fm.WhichOneof("type") == "delta"
                and fm.delta.WhichOneof("type") == "new_element"
                and fm.delta.new_element.WhichOneof("type") == "html"
            ]
            self._look_html("\n".join(bodies), now)
        return run

    async def run(self, stop: asyncio.Event) -> None:
        async with Phone(self.base) as phone:
            first = await self._rerun(phone, first=True)
            if self.mode == TIMER:
                while not stop.is_set():
                    await asyncio.sleep(NAIVE_PROJECTOR_S)
                    await self._rerun(phone)
                return
            if self.mode == BOARD:
                live = board_live(first)
                if live is None:
                    self.tally.errors.append("projector: no board on the page")
                    return
                await self._follow_board(phone, live["ticket"], stop)
                return
            await self._follow_changes(phone, stop)

    async def _follow_board(self, phone: Phone, ticket: str, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                async for state, received_at in board_events(self.base, self.code, ticket):
                    self.tally.projector_updates += 1
                    self._look_state(state, received_at)
                    if state["layout"]["room"] != self.layout:
                        await self._rerun(phone)  # a new step or vote phase: the page draws it
                    if stop.is_set():
                        return
            except (httpx.HTTPError, OSError) as err:
                if not stop.is_set():
                    self.tally.errors.append(f"projector stream: {err!r}"[:200])
            await asyncio.sleep(0.5)

    async def _follow_changes(self, phone: Phone, stop: asyncio.Event) -> None:
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
                self.tally.projector_updates += 1
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
    when everyone is done, or when the step's time share is up. Meanwhile the screen follows the
    workshop as the browser's does: ours runs its page for a new layout only, the baseline on
    every change."""

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
        mode: str,
    ) -> None:  # type: ignore[no-untyped-def]
        self.base, self.engine, self.workshop_id, self.code, self.key = base, engine, workshop_id, code, key
        mean = sum(pace) / 2
        # How long a step may take at most: a few of each person's actions.
        self.window = {"trends_pick": 7 * mean, "obstacles_write": 5 * mean, "innovations_write": 3 * mean}
        self.vote_window = 3 * mean
        self.room, self.tally, self.mode = room, tally, mode
        self.fragment = ""
        self.layout = ""

    async def _click(self, phone: Phone, key: str, *, value: bool | None = None) -> bool:
        """Press the button (or tick the box) whose key is ``key`` — or, for a key ending in
        ``_``, the first whose key starts so."""
        run = await phone.act([], fragment_id=self.fragment)
        kind = "checkbox" if value is not None else "button"
        try:
            if key.endswith("_"):
                found = run.widgets(kind, key)
                if not found:
                    return False
                widget = found[0]
            else:
                widget = run.widget(kind, key)
        except LookupError:
            return False
        state = tick(widget, value) if value is not None else click(widget)
        after = await phone.act([state], fragment_id=widget.fragment_id)
        self.tally.controls += 1
        self.room.controls_since_run += 1
        live = board_live(after)
        if live is not None:
            self.layout = live["layout"]
        return True

    async def _follow(self, phone: Phone, ticket: str, stop: asyncio.Event) -> None:
        """The control screen's live element: a page run when its layout (or, for the baseline,
        anything) changes."""
        while not stop.is_set():
            try:
                if self.mode == BOARD:
                    async for state, _at in board_events(self.base, self.code, ticket):
                        if state["layout"]["facilitator"] != self.layout:
                            self.layout = state["layout"]["facilitator"]
                            await phone.act([], fragment_id=self.fragment)
                            self.tally.control_runs += 1
                else:
                    async for event in event_stream(self.base, f"/live/{self.code}?kinds=all"):
                        if event.name == "change":
                            await phone.act([], fragment_id=self.fragment)
                            self.tally.control_runs += 1
            except (httpx.HTTPError, OSError, EOFError, TimeoutError, asyncio.IncompleteReadError) as err:
                if not stop.is_set():
                    self.tally.errors.append(f"control stream: {err!r}"[:200])
            await asyncio.sleep(0.5)

    async def run(self, stop: asyncio.Event, go: asyncio.Event) -> None:
        async with Phone(self.base) as phone:
            first = await phone.open("control", f"w={self.code}&k={self.key}")
            self.fragment = first_fragment(first)
            live = board_live(first)
            follower = None
            if self.mode != TIMER:
                if live is not None:
                    self.layout = live["layout"]
                follower = asyncio.create_task(self._follow(phone, live["ticket"] if live else "", stop))
            try:
                await go.wait()
                await self._drive(phone, stop)
            finally:
                if follower is not None:
                    follower.cancel()

    async def _drive(self, phone: Phone, stop: asyncio.Event) -> None:
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
                    await self._click(phone, "advance")
            elif s.step == steps.TRENDS_PICK:
                if s.picked >= s.people or s.since > self.window["trends_pick"]:
                    await self._click(phone, "advance")
            elif s.step in steps.NOTE_KIND:
                if s.wrote >= s.people or s.since > self.window[s.step]:
                    await self._click(phone, "advance")
            elif s.step in steps.VOTE_STEPS:
                if s.poll_status == "ready":
                    self.room.new_vote()
                    await self._click(phone, "open_vote")
                elif s.poll_status == "open" and (s.ballots >= s.people or s.since > self.vote_window):
                    await self._click(phone, "close_vote")
                elif s.poll_status == "closed":
                    await self._click(phone, "reveal_vote")
                elif s.poll_status == "revealed" and s.tie and not s.decided:
                    await self._click(phone, "decide_")
                elif s.decided:
                    await self._click(phone, "advance")
            elif s.step == steps.PRESENTATION:
                if not s.agreed:
                    await self._click(phone, "agree", value=True)
                else:
                    await self._click(phone, "advance")


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
    projector_updates: int
    control_runs: int
    facilitator_controls: int
    phone_refreshes: int
    cpu_ms_per_action: float | None
    projector_reruns_per_action: float | None
    projector_reruns_not_by_controls_per_action: float | None
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
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total / 2**20


def make_workshops(engine, n: int) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        version = next(v for m, v in latest_versions(session=session) if m.id == MAP_ID)
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


@dataclass(frozen=True)
class Config:
    """One way of running the app for a level: whose code, which settings, how screens follow."""

    name: str
    mode: str  # BOARD, RERUN or TIMER
    root: Path = ROOT
    args: tuple[str, ...] = ()


def configs(naive: bool, *, with_baseline: bool = True) -> list[Config]:
    made = [Config("ours", BOARD)]
    try:
        if with_baseline:
            made.append(Config("baseline", RERUN, root=baseline.checkout()))
    except baseline.NoBaseline as err:
        print(f"baseline: skipped ({err})", flush=True)  # noqa: T201
    if naive:
        made.append(Config("naive", TIMER, args=tuple(NAIVE_ARGS)))
    return made


def participant_class(root: Path) -> type:
    """The simulated participant for the app in ``root``: this checkout's, whose phones are the
    light phone pages; another tree's own (the baseline's phones are Streamlit pages, which its
    own ``practice`` package drives), imported apart from this checkout's."""
    if root.resolve() == ROOT.resolve():
        return SimulatedParticipant
    return _own_participant(str(root.resolve()))


@functools.cache
def _own_participant(root: str) -> type:
    def practice_modules() -> list[str]:
        return [n for n in sys.modules if n == "practice" or n.startswith("practice.")]

    ours = {name: sys.modules.pop(name) for name in practice_modules()}
    sys.path.insert(0, root)
    try:
        module = importlib.import_module("practice.participant")
    finally:
        sys.path.remove(root)
        for name in practice_modules():
            del sys.modules[name]
        sys.modules.update(ours)
    return module.SimulatedParticipant


async def run_level(
    servers: list[Server],
    engine,  # type: ignore[no-untyped-def]
    *,
    config: Config,
    load: str,
    workshops: int,
    seconds: float,
    idle_s: float,
    seed: int = 1,
) -> Level:
    pace = LOADS[load]
    rng = random.Random(seed)
    tally = Tally()
    stop, go = asyncio.Event(), asyncio.Event()
    made = await asyncio.to_thread(make_workshops, engine, workshops)
    person_class = participant_class(config.root)
    tasks = []
    for i, (wid, code, key) in enumerate(made):
        base = servers[i % len(servers)].base
        room = Room(base, code, room_key(key, code), tally, mode=config.mode)

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

        facilitator = Facilitator(
            base, engine, wid, code, key, pace=pace, room=room, tally=tally, mode=config.mode
        )
        tasks.append(asyncio.create_task(room.run(stop)))
        tasks.append(asyncio.create_task(facilitator.run(stop, go)))
        for p in range(PEOPLE):
            person = person_class(
                base,
                code,
                name=f"Участник {p + 1}",
                department=DEPARTMENTS[p % len(DEPARTMENTS)],
                pace=pace,
                rng=random.Random(rng.random()),
                **({"refresh_every": NAIVE_PHONE_S} if config.mode == TIMER else {}),
                report=report,
            )
            tasks.append(asyncio.create_task(person.run(stop)))
    procs = [psutil.Process(s.proc.pid) for s in servers if s.proc is not None]
    me = psutil.Process()

    # Everyone joins; nobody acts until the facilitators start.
    deadline = time.perf_counter() + 120 + workshops
    wanted = workshops * PEOPLE
    joined = 0
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
        idle = _cpu(procs)  # cpu_percent(None) is the average since the last call
    tally.visible.clear()
    tally.visible_by_kind.clear()
    tally.actions.clear()
    tally.projector_runs = tally.projector_updates = tally.control_runs = tally.controls = 0
    tally.projector_runs_not_by_controls = 0
    tally.phone_refreshes = 0
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
    actions = len(tally.actions)
    return Level(
        config=config.name,
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
        actions=actions,
        errors=len(tally.errors),
        refused=tally.refused,
        server_cpu_pct=round(cpu, 1),
        idle_cpu_pct=None if idle is None else round(idle, 1),
        server_rss_mb=round(rss, 1),
        client_cpu_pct=round(client, 1),
        projector_runs=tally.projector_runs,
        projector_updates=tally.projector_updates,
        control_runs=tally.control_runs,
        facilitator_controls=tally.controls,
        phone_refreshes=tally.phone_refreshes,
        cpu_ms_per_action=round(cpu_s * 1000 / actions, 1) if actions else None,
        projector_reruns_per_action=round(tally.projector_runs / actions, 3) if actions else None,
        projector_reruns_not_by_controls_per_action=(
            round(tally.projector_runs_not_by_controls / actions, 3) if actions else None
        ),
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


def start_servers(db_url: str, processes: int, *, config: Config, logs: Path) -> list[Server]:
    servers = []
    for i in range(processes):
        server = Server(db_url, logs / f"server-{i}.log", extra_args=list(config.args), root=config.root)
        server.start()
        servers.append(server)
    return servers


PREPARE = """
import sys
from sqlmodel import Session
from workshop.db.engine import make_engine, upgrade
from workshop.maps.store import install_builtin_maps
engine = make_engine(sys.argv[1])
upgrade(engine)
with Session(engine) as session:
    install_builtin_maps(session=session)
"""


def fresh_database(folder: Path, root: Path) -> tuple[str, object]:
    """A new SQLite file with the schema and built-in maps of the code in ``root``."""
    import subprocess

    url = f"sqlite:///{folder / 'load.db'}"
    subprocess.run([sys.executable, "-c", PREPARE, url], cwd=root, check=True)
    return url, make_engine(url)


async def capacity(
    config: Config,
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
        url, engine = fresh_database(folder, config.root)
        servers = start_servers(url, processes, config=config, logs=folder)
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
            f"{config.name:8} {load:9} W={workshops:<4} p50={level.submit_to_projector_p50_s} "
            f"p95={level.submit_to_projector_p95_s} action_p95={level.action_p95_s} seen={level.seen} "
            f"errors={level.errors} cpu={level.server_cpu_pct}% idle={level.idle_cpu_pct}% "
            f"rss={level.server_rss_mb} MB client={level.client_cpu_pct}% "
            f"cpu/action={level.cpu_ms_per_action} ms reruns/action={level.projector_reruns_per_action}"
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
    # steps in their time.
    "full": {
        "heavy": ([1, 5, 10, 15, 20, 30, 40, 50, 60, 80, 100], 75.0),
        "realistic": ([1, 25, 50, 75, 100, 150, 200, 300], 120.0),
    },
    "quick": {"heavy": ([1, 10], 60.0), "realistic": ([1, 25], 90.0)},
}
# One workshop on the 36-trend map at the heavy pace, long enough for picks, notes and votes.
ONE_WORKSHOP_S = 150.0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer and shorter levels")
    parser.add_argument("--naive", action="store_true", help="also measure the naive configuration")
    parser.add_argument(
        "--processes", type=int, default=1, help="also run ours on this many app processes (heavy load)"
    )
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle CPU measured per level")
    parser.add_argument("--only", choices=["one", "heavy", "realistic"], help="run just this part")
    parser.add_argument("--no-baseline", action="store_true", help="measure without the baseline")
    parser.add_argument(
        "--seconds",
        type=float,
        help="measure each level this many seconds (a short trial; default: the plan's)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=RESULTS,
        help="the results file to update (default bench/results.json); its report is written beside it",
    )
    args = parser.parse_args()
    plan = PLANS["quick" if args.quick else "full"]
    if args.seconds:
        plan = {load: (levels, args.seconds) for load, (levels, _s) in plan.items()}
    one_s = args.seconds or ONE_WORKSHOP_S

    def log(line: str) -> None:
        print(line, flush=True)  # noqa: T201

    started = time.time()
    chosen = configs(args.naive, with_baseline=not args.no_baseline)
    one: dict[str, Level] = {}
    if args.only in (None, "one"):
        for config in chosen:
            [level] = asyncio.run(
                capacity(config, "heavy", [1], processes=1, seconds=one_s, idle_s=args.idle, log=log)
            )
            one[config.name] = level
    results: dict[str, dict[str, list[Level]]] = {c.name: {} for c in chosen}
    for load, (levels, seconds) in plan.items():
        if args.only not in (None, load):
            continue
        for config in chosen:
            idle = args.idle if config.mode != TIMER else 0.0
            results[config.name][load] = asyncio.run(
                capacity(config, load, levels, processes=1, seconds=seconds, idle_s=idle, log=log)
            )
    if args.processes > 1 and args.only in (None, "heavy"):
        levels, seconds = plan["heavy"]
        results[f"ours-{args.processes}p"] = {
            "heavy": asyncio.run(
                capacity(
                    chosen[0], "heavy", levels, processes=args.processes, seconds=seconds, idle_s=0.0, log=log
                )
            )
        }
    write_results(results, one, args, time.time() - started)
    return 0


def _one(level: Level) -> dict:
    return {
        "map": MAP_ID,
        "phones": PEOPLE,
        "load": "heavy",
        "seconds": level.seconds,
        "by_kind": level.by_kind,
        "submit_to_projector_p50_s": level.submit_to_projector_p50_s,
        "submit_to_projector_p95_s": level.submit_to_projector_p95_s,
        "cpu_ms_per_action": level.cpu_ms_per_action,
        "projector_reruns_per_action": level.projector_reruns_per_action,
        "projector_reruns_not_by_controls_per_action": level.projector_reruns_not_by_controls_per_action,
        "projector_runs": level.projector_runs,
        "facilitator_controls": level.facilitator_controls,
        "actions": level.actions,
        "errors": level.errors,
    }


def _per_load(levels: list[Level]) -> dict:
    held = [lv for lv in levels if lv.held]
    best = max(held, key=lambda lv: lv.workshops) if held else None
    return {
        "capacity": best.workshops if best else 0,
        "at_capacity": None
        if best is None
        else {
            "cpu_ms_per_action": best.cpu_ms_per_action,
            "projector_reruns_per_action": best.projector_reruns_per_action,
            "projector_reruns_not_by_controls_per_action": best.projector_reruns_not_by_controls_per_action,
            "submit_to_projector_p95_s": best.submit_to_projector_p95_s,
            "server_cpu_pct": best.server_cpu_pct,
            "idle_cpu_pct": best.idle_cpu_pct,
            "server_rss_mb": best.server_rss_mb,
        },
        "cpu_ms_per_action": [lv.cpu_ms_per_action for lv in levels],
        "projector_reruns_per_action": [lv.projector_reruns_per_action for lv in levels],
        "workshops": [lv.workshops for lv in levels],
    }


def write_results(
    results: dict[str, dict[str, list[Level]]], one: dict[str, Level], args: argparse.Namespace, took_s: float
) -> None:
    command = (
        "python -m bench.load"
        + (" --quick" if args.quick else "")
        + (" --naive" if args.naive else "")
        + (f" --only {args.only}" if args.only else "")
        + (" --no-baseline" if args.no_baseline else "")
        + (f" --seconds {args.seconds:g}" if args.seconds else "")
        + f" --processes {args.processes}"
    )
    values: dict = {
        "load_command": command,
        "load_took_s": round(took_s),
        "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]},
        "load_map": MAP_ID,
    }
    if "ours" in one:
        values["one_workshop_36_trends"] = _one(one["ours"])
        if "baseline" in one:
            values["one_workshop_36_trends"]["baseline"] = _one(one["baseline"])
    for load in LOADS:
        if load not in results.get("ours", {}):
            continue
        ours = results["ours"][load]
        entry = _per_load(ours)
        if "baseline" in results and load in results["baseline"]:
            entry["baseline"] = _per_load(results["baseline"][load])
        values[load] = entry
    values["capacity"] = {
        config: {load: largest_held(levels) for load, levels in loads.items()}
        for config, loads in results.items()
    }
    values["levels"] = {
        c: {load: [asdict(lv) for lv in lvs] for load, lvs in loads.items()} for c, loads in results.items()
    }
    if one:
        values["levels"]["one_workshop_36_trends"] = {c: asdict(lv) for c, lv in one.items()}
    update(values, args.out)
    rows = [
        "| config | load | W | sessions | submit→projector p50 | p95 | action p95 | errors "
        "| server CPU | idle CPU | RSS | CPU/action | projector reruns/action | held |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    every = [(f"{lv.config}, one workshop ({lv.seconds:g} s)", {"heavy": [lv]}) for lv in one.values()]
    for config, loads in every + list(results.items()):
        for load, levels in loads.items():
            for lv in levels:
                rows.append(
                    f"| {config} | {load} | {lv.workshops} | "
                    f"{lv.sessions} | {_s(lv.submit_to_projector_p50_s)} | "
                    f"{_s(lv.submit_to_projector_p95_s)} | {_s(lv.action_p95_s)} | {lv.errors} | "
                    f"{lv.server_cpu_pct}% | {'' if lv.idle_cpu_pct is None else f'{lv.idle_cpu_pct}%'} | "
                    f"{lv.server_rss_mb:.0f} MB | {lv.cpu_ms_per_action} ms | "
                    f"{lv.projector_reruns_per_action} | {'yes' if lv.held else 'no'} |"
                )
    summary = [
        f"- largest W holding p95 ≤ 1 s with 0 errors — {config}: "
        + ", ".join(f"{load} {w}" for load, w in loads.items())
        for config, loads in values["capacity"].items()
    ]
    report = REPORT if args.out == RESULTS else args.out.with_suffix(".md")
    report.write_text(
        "# Load bench\n\n"
        f"Command: `{command}` ({args.processes} app process(es) for ours; "
        f"{os.cpu_count()} cores; SQLite; the load generator runs on the same machine; the "
        f"{MAP_ID} map). Took {round(took_s / 60)} min.\n\n"
        + "\n".join(rows)
        + "\n\n"
        + "\n".join(summary)
        + "\n",
        encoding="utf-8",
    )


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f} s"


if __name__ == "__main__":
    sys.exit(main())
