"""A simulated participant: a person with a phone, through the app's own pages.

It joins on the join page (name and department, as a person types them), keeps its token, and
follows the workshop on the phone page. The phone part behaves like the browser's live element:
it reruns the page's fragment only when the workshop's event stream announces a change, when a
dropped stream comes back, when the step's countdown runs out, or when the slow safety-net poll
finds the phone's fingerprint changed. The person part reads the page it was given and, after a
random pace, taps trends, writes obstacle notes, proposes innovations and votes.

Every submit is reported as an :class:`Action` with ``time.perf_counter`` timestamps: sent, and
the server's ``script_finished`` for that rerun. A refusal the phone shows (time up, the step
moved on) is reported with its message, never raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import random
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from practice import content
from practice.wsclient import (
    Phone,
    Run,
    Widget,
    choice,
    click,
    event_stream,
    http_get,
    live_trigger,
    number,
    text_value,
    tick,
)
from workshop import steps

# What a phone's live element listens to when the page does not say.
PHONE_KINDS = "step,poll,timer"
RECONNECT_S = 2.0  # the event stream's ``retry``
# Kinds of Action
JOIN, PICK, OBSTACLE, INNOVATION, VOTE, REVOTE, REFRESH, CONNECT = (
    "join",
    "pick",
    "obstacle",
    "innovation",
    "vote",
    "revote",
    "refresh",
    "connect",
)
CHANGE_VOTE_CHANCE = 0.25
CLOSED = "closed"
TIMER = "timer"


@dataclass(frozen=True)
class Action:
    """One thing a simulated participant did, with ``time.perf_counter`` timestamps.

    ``kind``: ``join`` (text: "name / department"), ``pick`` (a trend's code), ``obstacle`` and
    ``innovation`` (the note's text), ``vote`` and ``revote`` (the option's text as shown, or
    "text ×dots; ..." for dot voting); ``refresh`` is the phone following the workshop (text: why
    — ``open``, ``change``, ``timeup``, ``poll``, ``reconnect``, or ``timer`` with
    ``refresh_every``); ``connect`` a lost or refused connection (text: what). ``ok`` is False
    when the phone showed a refusal (``error`` holds the message) or the connection failed."""

    kind: str
    text: str
    sent_at: float
    done_at: float
    ok: bool
    error: str = ""

    @property
    def latency(self) -> float:
        return self.done_at - self.sent_at


class _Gone(Exception):
    """The workshop cannot be joined or followed any more (finished, unknown, token refused)."""


@dataclass
class _Plan:
    kind: str
    text: str
    states: list
    fragment_id: str
    done: Callable[[], None] = lambda: None


@dataclass
class _Ballot:
    voted: bool
    will_change: bool
    changed: bool = False
    choice: int | None = None


@dataclass
class _Memory:
    """What the person remembers across page runs (and reconnects)."""

    pick_target: int | None = None
    wanted_trends: list[str] = field(default_factory=list)
    picked: list[str] = field(default_factory=list)
    note_target: int | None = None
    notes: list[str] = field(default_factory=list)
    idea_target: int | None = None
    ideas: list[tuple[str, str]] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    ballots: dict[str, _Ballot] = field(default_factory=dict)
    # (phase, kind) where the phone refused: no second try until the phase changes
    refused: set[tuple[str, str]] = field(default_factory=set)


_RANGE = re.compile(r"(\d+)\s*[–-]\s*(\d+)")
_NUMBERS = re.compile(r"\d+")
_TEMPLATE_CARD = re.compile(r"<b>[^<]*</b>\s*(.*?)</div>", re.S)
_CODE = re.compile(r"^\*\*(.+?)\*\*")
_CONNECTION_ERRORS = (OSError, EOFError, TimeoutError, asyncio.IncompleteReadError)


class SimulatedParticipant:
    """One simulated person with a phone.

    ``pace`` is the range of seconds it waits before each thing it does; ``rng`` makes every
    choice (a seed repeats a run); ``lang`` is the language it types and reads in; ``report``
    hears every :class:`Action`. ``token`` is set once it has joined (set it beforehand to come
    back as a participant who joined already). ``safety_poll`` keeps the browser's slow
    fingerprint poll; ``refresh_every`` (seconds) replaces listening with rerunning the whole
    page on a timer, the way a polling app's phone refreshes."""

    def __init__(
        self,
        base_url: str,
        code: str,
        *,
        name: str,
        department: str,
        pace: tuple[float, float] = (3.0, 8.0),
        rng: random.Random,
        lang: str = "ru",
        report: Callable[[Action], None] | None = None,
        retries: int = 5,
        timeout: float = 60.0,
        safety_poll: bool = True,
        refresh_every: float | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.code = code.strip().upper()
        self.name = name
        self.department = department
        self.pace = pace
        self.rng = rng
        self.lang = content.language(lang)
        self.retries = retries
        self.timeout = timeout
        self.safety_poll = safety_poll
        self.refresh_every = refresh_every
        self._report_to = report
        self.token: str | None = None
        self.finished = False
        self.memory = _Memory()
        self._page: Run | None = None
        self._phone: Phone | None = None
        self._wake = asyncio.Event()
        self._reasons: deque[str] = deque()
        self._reload = False
        self._fired = 0
        self._timer_key: tuple[object, object] | None = None
        self._armed = False
        self._timeup_at: float | None = None
        self._timeup_fired = False

    # ----------------------------------------------------------------------- reporting

    def _report(self, kind: str, text: str, sent_at: float, *, ok: bool = True, error: str = "") -> None:
        if self._report_to is None:
            return
        try:
            self._report_to(Action(kind, text, sent_at, time.perf_counter(), ok, error))
        except Exception:  # noqa: BLE001 - a faulty reporter must not stop the participant
            self._report_to = None

    # ----------------------------------------------------------------------- the whole visit

    async def run(self, stop: asyncio.Event) -> None:
        """Take part until the workshop finishes or ``stop`` is set. Connection errors are
        reported and retried (``retries`` in a row at most); nothing but cancellation escapes."""
        failures = 0
        while not stop.is_set() and not self.finished:
            started = time.perf_counter()
            try:
                await self._visit(stop)
                failures = 0
            except asyncio.CancelledError:
                raise
            except _Gone:
                return
            except Exception as err:  # noqa: BLE001 - reported; the phone reconnects
                self._report(CONNECT, self.base_url, started, ok=False, error=f"{type(err).__name__}: {err}")
                failures = failures + 1 if time.perf_counter() - started < 30 else 1
                if failures > self.retries:
                    return
                await _wait(stop, min(30.0, 1.0 * 2 ** (failures - 1)))

    async def _visit(self, stop: asyncio.Event) -> None:
        """One connection: arrive on the phone page and follow the workshop from there."""
        self._reload = False
        async with Phone(self.base_url, timeout=self.timeout) as phone:
            self._phone = phone
            self._page = await self._arrive(phone, stop)
            if self._page is None:
                return
            live = self._page.live()
            if live is None:
                message = " ".join(self._page.alerts_of("error")) or "no phone page"
                self._report(REFRESH, "open", time.perf_counter(), ok=False, error=message)
                raise _Gone()
            helpers = [
                asyncio.create_task(self._stop_wakes(stop)),
                asyncio.create_task(self._watch_connection(phone)),
            ]
            if self.refresh_every:
                helpers.append(asyncio.create_task(self._tick(self.refresh_every)))
            else:
                code, kinds = live.data.get("code", self.code), str(live.data.get("kinds") or PHONE_KINDS)
                ticket = str(live.data.get("ticket", ""))
                helpers.append(asyncio.create_task(self._listen(code, kinds, ticket)))
                if self.safety_poll:
                    helpers.append(asyncio.create_task(self._poll()))
            try:
                await self._follow(phone, stop)
            finally:
                for task in helpers:
                    task.cancel()
                await asyncio.gather(*helpers, return_exceptions=True)

    async def _arrive(self, phone: Phone, stop: asyncio.Event) -> Run | None:
        if self.token is not None:
            started = time.perf_counter()
            page = await phone.open("phone", urlencode({"p": self.token, "lang": self.lang}))
            self._report(REFRESH, "open", started)
            return page
        page = await phone.open("join", urlencode({"code": self.code, "lang": self.lang}))
        name = page.find("text_input", "join_name")
        department = page.find("text_input", "join_department")
        submit = page.form_submitter("join_form")
        if name is None or department is None or submit is None:
            message = " ".join(page.alerts_of("error") + page.alerts_of("info")) or "no join form"
            self._report(
                JOIN, f"{self.name} / {self.department}", time.perf_counter(), ok=False, error=message
            )
            raise _Gone()
        if await _wait(stop, self.rng.uniform(*self.pace)):
            return None
        started = time.perf_counter()
        page = await phone.act(
            [text_value(name, self.name), text_value(department, self.department), click(submit)]
        )
        token = page.query.get("p")
        if not token:
            message = " ".join(page.alerts_of("error")) or "not joined"
            self._report(JOIN, f"{self.name} / {self.department}", started, ok=False, error=message)
            raise _Gone()
        self.token = token
        self._report(JOIN, f"{self.name} / {self.department}", started)
        return page

    # ----------------------------------------------------------------------- the phone

    def _signal(self, why: str) -> None:
        self._reasons.append(why)
        self._wake.set()

    async def _stop_wakes(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._wake.set()

    async def _watch_connection(self, phone: Phone) -> None:
        """A closed websocket (the server shutting down or restarting) ends this visit at once,
        even while the person is only waiting: its event stream must not hold the server up."""
        await phone.wait_closed()
        self._signal(CLOSED)

    async def _listen(self, code: str, kinds: str, ticket: str) -> None:
        """The live element's event stream: a change reruns the page; after a drop, the first
        hello reruns it once; a new server boot reloads the page (a new session)."""
        boot: str | None = None
        broken = False
        reported = False
        path = f"/live/{code}?{urlencode({'t': ticket, 'kinds': kinds})}"
        while True:
            started = time.perf_counter()
            try:
                async for event in event_stream(self.base_url, path, timeout=self.timeout):
                    if event.name == "hello":
                        reported = False
                        try:
                            now = json.loads(event.data).get("boot")
                        except ValueError:
                            now = None
                        if boot and now and now != boot:
                            self._reload = True
                            self._signal("reload")
                            return
                        boot = now or boot
                        if broken:
                            broken = False
                            await asyncio.sleep(0.3)
                            self._signal("reconnect")
                    elif event.name == "change":
                        self._signal("change")
                broken = True
            except asyncio.CancelledError:
                raise
            except Exception as err:  # noqa: BLE001 - the stream reconnects like EventSource
                broken = True
                if not reported:
                    reported = True
                    error = f"{type(err).__name__}: {err}"
                    self._report(CONNECT, f"/live/{code}", started, ok=False, error=error)
            await asyncio.sleep(RECONNECT_S)

    async def _poll(self) -> None:
        """The slow safety net: the phone's fingerprint, every ``poll_ms`` the page asks for."""
        while True:
            live = self._page.live() if self._page else None
            period = float(live.data.get("poll_ms", 20000)) / 1000 if live else 20.0
            await asyncio.sleep(max(1.0, period))
            live = self._page.live() if self._page else None
            if live is None:
                continue
            try:
                status, body = await http_get(
                    self.base_url,
                    f"/live/{live.data['code']}/sig?{urlencode({'t': live.data.get('ticket', '')})}",
                    timeout=self.timeout,
                )
                now = json.loads(body).get("phase") if status == 200 else None
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - offline: the event stream's reconnect refreshes
                continue
            if now and now != live.data.get("sig"):
                self._signal("poll")

    async def _tick(self, seconds: float) -> None:
        """Instead of listening: the whole page reruns every ``seconds``, the way a phone of a
        polling app refreshes (for comparison on the load bench)."""
        while True:
            await asyncio.sleep(seconds)
            self._signal(TIMER)

    def _watch_timer(self, live_data: dict) -> None:
        """The countdown: armed while running; when it runs out the page reruns once."""
        key = (live_data.get("deadline_ms"), live_data.get("paused_s"))
        if key != self._timer_key:
            self._timer_key, self._armed, self._timeup_fired = key, False, False
        self._timeup_at = None
        deadline, paused = key
        if deadline is None or paused is not None:
            return
        offset_ms = float(live_data.get("server_now_ms", time.time() * 1000)) - time.time() * 1000
        left = (float(deadline) - (time.time() * 1000 + offset_ms)) / 1000
        if left > 0:
            self._armed = True
        if self._armed and not self._timeup_fired:
            self._timeup_at = time.perf_counter() + max(0.0, left)

    async def _refresh(self, phone: Phone, why: str) -> None:
        live = self._page.live() if self._page else None
        if live is None:
            return
        self._fired += 1
        started = time.perf_counter()
        if why == TIMER:
            page = await phone.act([])
        else:
            page = await phone.act([live_trigger(live, f"{why}:{self._fired}")], fragment_id=live.fragment_id)
        if page.live() is not None:
            self._page = page
        self._report(REFRESH, why, started)

    # ----------------------------------------------------------------------- the person

    async def _follow(self, phone: Phone, stop: asyncio.Event) -> None:
        next_at: float | None = None
        phase = ""
        while not stop.is_set():
            live = self._page.live() if self._page else None
            if live is None:
                raise _Gone()
            if str(live.data.get("sig", "")) != phase:
                phase, next_at = str(live.data.get("sig", "")), None
            if phase.split("|", 1)[0] == steps.FINISHED:
                self.finished = True
                return
            if not self.refresh_every:
                self._watch_timer(live.data)
            plan = self._plan(self._page, phase)
            now = time.perf_counter()
            if plan is None:
                next_at = None
            elif next_at is None:
                next_at = now + self.rng.uniform(*self.pace)
            deadlines = [t for t in (next_at, self._timeup_at) if t is not None]
            timeout = max(0.0, min(deadlines) - now) if deadlines else None
            if not self._wake.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout)
            if stop.is_set():
                return
            if self._wake.is_set():
                self._wake.clear()
                reasons = list(self._reasons)
                self._reasons.clear()
                if CLOSED in reasons:
                    raise ConnectionError("the server closed the connection")
                if self._reload:
                    return
                if reasons:
                    await self._refresh(phone, reasons[-1])
                continue
            now = time.perf_counter()
            if self._timeup_at is not None and now >= self._timeup_at:
                self._timeup_fired = True
                await self._refresh(phone, "timeup")
                continue
            if plan is not None and next_at is not None and now >= next_at:
                next_at = None
                await self._do(phone, plan, phase)

    async def _do(self, phone: Phone, plan: _Plan, phase: str) -> None:
        started = time.perf_counter()
        page = await phone.act(plan.states, fragment_id=plan.fragment_id)
        errors = page.alerts_of("error")
        if page.live() is not None:
            self._page = page
        if errors:
            self.memory.refused.add((phase, plan.kind))
            self._report(plan.kind, plan.text, started, ok=False, error=" ".join(errors))
            return
        plan.done()
        self._report(plan.kind, plan.text, started)

    def _shown(self, widget: Widget) -> object:
        """The widget's value on this phone's screen."""
        return self._phone.value(widget) if self._phone is not None else widget.value

    def _plan(self, page: Run, phase: str) -> _Plan | None:
        step, _, rest = phase.partition("|")
        poll_id, _, rest = rest.partition("|")
        poll_status = rest.partition("|")[0]
        if step == steps.TRENDS_PICK:
            plan = self._plan_pick(page)
        elif step in steps.NOTE_KIND:
            plan = self._plan_note(page, steps.NOTE_KIND[step])
        elif step in steps.VOTE_STEPS and poll_status == "open":
            plan = self._plan_vote(page, poll_id)
        else:
            plan = None
        if plan is not None and (phase, plan.kind) in self.memory.refused:
            return None
        return plan

    def _plan_pick(self, page: Run) -> _Plan | None:
        boxes = page.widgets("checkbox", "pick_")
        if not boxes:
            return None
        by_code = {_trend_code(b): b for b in boxes}
        checked = [code for code, box in by_code.items() if self._shown(box)]
        memory = self.memory
        if memory.pick_target is None:
            low, high = _range(page, default=(4, 5))
            memory.pick_target = content.pick_count(self.rng, low, high)
            memory.wanted_trends = content.choose_trends(self.rng, list(by_code), memory.pick_target)
        memory.picked = checked
        if len(checked) >= memory.pick_target:
            return None
        code = next((c for c in memory.wanted_trends if c in by_code and c not in checked), None)
        if code is None:
            code = next(c for c in by_code if c not in checked)
        box = by_code[code]
        return _Plan(PICK, code, [tick(box, True)], box.fragment_id, lambda: memory.picked.append(code))

    def _plan_note(self, page: Run, kind: str) -> _Plan | None:
        area = page.find("text_area", f"note_{kind}")
        submit = page.form_submitter(f"form_{kind}")
        if area is None or submit is None:
            return None
        mine = len(page.widgets("button", "withdraw_"))
        memory = self.memory
        if kind == "obstacle":
            if memory.note_target is None:
                low, high = _range(page, default=(3, 4))
                memory.note_target = content.note_count(self.rng, low, high)
                memory.notes = content.obstacle_notes(self.rng, self.lang, memory.note_target)
            if mine >= memory.note_target:
                return None
            text = memory.notes[min(mine, len(memory.notes) - 1)]
            states = [text_value(area, text), click(submit)]
            return _Plan(OBSTACLE, text, states, submit.fragment_id, lambda: memory.written.append(text))
        why = page.find("text_input", f"why_{kind}")
        if why is None:
            return None
        if memory.idea_target is None:
            memory.idea_target = content.idea_count(self.rng, _sent_of(page, mine, default=2))
        if mine >= memory.idea_target:
            return None
        trend, obstacle = _template_parts(page)
        while len(memory.ideas) <= mine:
            memory.ideas.append(content.innovation(self.rng, self.lang, trend=trend, obstacle=obstacle))
        text, rationale = memory.ideas[mine]
        states = [text_value(area, text), text_value(why, rationale), click(submit)]
        return _Plan(INNOVATION, text, states, submit.fragment_id, lambda: memory.written.append(text))

    def _plan_vote(self, page: Run, poll_id: str) -> _Plan | None:
        button = page.find("button", f"vote_{poll_id}")
        if button is None:
            return None
        mine = [*self.memory.written, *self.memory.picked]
        radio = page.find("radio", f"ballot_{poll_id}")
        inputs = page.widgets("number_input", f"dots_{poll_id}_")
        if radio is None and not inputs:
            return None
        ballot = self.memory.ballots.get(poll_id)
        if ballot is None:
            already = any(self._shown(w) for w in ([radio] if radio is not None else inputs))
            ballot = self.memory.ballots[poll_id] = _Ballot(
                voted=already, will_change=self.rng.random() < CHANGE_VOTE_CHANCE
            )
        if ballot.voted and (ballot.changed or not ballot.will_change):
            return None
        kind = REVOTE if ballot.voted else VOTE

        def done() -> None:
            if ballot.voted:
                ballot.changed = True
            ballot.voted = True

        if radio is not None:
            options = [content.plain(o) for o in radio.options]
            index = content.ballot_choice(self.rng, options, mine=mine)
            if kind == REVOTE and len(options) > 1:
                others = [i for i in range(len(options)) if i != ballot.choice]
                index = others[content.ballot_choice(self.rng, [options[i] for i in others], mine=mine)]
            ballot.choice = index
            return _Plan(
                kind, options[index], [choice(radio, index), click(button)], button.fragment_id, done
            )
        labels = [content.plain(w.label) for w in inputs]
        votes, cap = _dot_rules(page, inputs)
        spread = content.dots(self.rng, labels, votes=votes, cap=cap, mine=mine)
        states = [number(w, n) for w, n in zip(inputs, spread, strict=True)] + [click(button)]
        text = "; ".join(f"{label} ×{n}" for label, n in zip(labels, spread, strict=True) if n)
        return _Plan(kind, text, states, button.fragment_id, done)


# --------------------------------------------------------------------------- reading the page


def _trend_code(box: Widget) -> str:
    match = _CODE.match(box.label)
    return content.plain(match.group(1)) if match else box.key


def _range(page: Run, *, default: tuple[int, int]) -> tuple[int, int]:
    """The step's bounds as its heading shows them ("Pick 4–5 trends")."""
    for text in page.texts("heading"):
        match = _RANGE.search(text)
        if match:
            low, high = int(match.group(1)), int(match.group(2))
            if 0 < low <= high:
                return low, high
    return default


def _sent_of(page: Run, sent: int, *, default: int) -> int:
    """The most notes the step takes, from the line "Sent 1 of 3" (the first number is what this
    phone has sent)."""
    for text in page.texts("markdown"):
        numbers = [int(n) for n in _NUMBERS.findall(text)]
        if len(numbers) == 2 and numbers[0] == sent and numbers[1] >= sent:
            return numbers[1]
    return default


def _template_parts(page: Run) -> tuple[str, str]:
    """The trend and the obstacle the innovation step shows in its template."""
    for body in page.texts("html"):
        if "note-card" in body and "<b>" in body:
            parts = [html.unescape(p).strip() for p in _TEMPLATE_CARD.findall(body)]
            if len(parts) >= 2:
                return parts[0], parts[1]
    return "", ""


def _dot_rules(page: Run, inputs: list[Widget]) -> tuple[int, int]:
    """Dots per person and per option: the caption above the inputs says both."""
    cap = max((int(w.proto.max) for w in inputs if w.proto.has_max), default=1)
    for text in page.texts("markdown"):
        numbers = [int(n) for n in _NUMBERS.findall(text)]
        if len(numbers) == 2 and numbers[1] <= numbers[0] and numbers[1] >= cap:
            return numbers[0], numbers[1]
    return cap, cap


async def _wait(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep ``seconds`` unless ``stop`` is set first; True when stopped."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), max(0.0, seconds))
    return stop.is_set()
