"""A simulated participant: a person with a phone, on the app's own phone pages.

It takes the path a phone's browser takes (``web.phone``), in plain HTTP: the join form
(``/join``: name and department, as a person types them), then the phone page (``/phone``) on
the cookie the server set — its token. It follows the workshop as the page's script does: it
fetches the step's part (``/phone/screen``) when the workshop's event stream (``/live/CODE``)
announces a change, once when a dropped stream comes back, when the step's countdown runs out,
and when the slow safety net (every 20 s; ``204`` while nothing changed) finds the step moved.
The person part reads the screen it was given and, after a random pace, ticks trends, writes
obstacle notes, proposes innovations and votes — each a form posted as the page posts it (this
site's ``Origin`` and the page's anti-forgery token).

Every post is reported as an :class:`Action` with ``time.perf_counter`` timestamps: sent, and
its answer arrived. A refusal the page shows (time up, the step moved on, the vote closed) is
reported with its message, never raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from httpx_sse import aconnect_sse

from practice import content
from workshop.rules import steps

RECONNECT_S = 2.0  # the event stream's ``retry`` until it says otherwise
KEEPALIVE_S = 3.0  # idle connections let go before the server's 5 s keep-alive closes them
SAFETY_NET_S = 20.0  # the page's cheap check (``SAFETY_NET_MS`` in web/assets/phone.js)
STREAM_READ_S = 60.0  # the stream sends a comment every 15 s: silence this long is a dead line
COOKIE = "p_"  # the phone's cookie per workshop: p_CODE holds the participant's token
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


class _Unavailable(Exception):
    """The server answered with an error of its own (a 5xx): a connection problem, retried."""


# --------------------------------------------------------------------------- reading a page

_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


@dataclass(eq=False)
class Element:
    """One element of a parsed page: its tag, attributes (entities decoded) and children."""

    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    def data(self, name: str, default: str = "") -> str:
        """The ``data-<name>`` attribute."""
        return self.attrs.get(f"data-{name}", default)

    def number(self, name: str, default: int = 0) -> int:
        """The ``data-<name>`` attribute as a whole number."""
        value = self.data(name)
        return int(value) if value.lstrip("-").isdigit() else default

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def text(self) -> str:
        """The text inside, with its white space collapsed as a browser shows it."""
        return " ".join("".join(self._texts()).split())

    def _texts(self) -> Iterator[str]:
        for child in self.children:
            if isinstance(child, str):
                yield child
            else:
                yield from child._texts()

    def iter(self) -> Iterator[Element]:
        """This element and every element inside it, in page order."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str = "", *, cls: str = "", **attrs: str | bool) -> list[Element]:
        """Elements inside (this one included) with the tag, the class and the attributes given
        (``data_step="x"``: ``data-step`` is "x"; ``True``: present; ``False``: absent)."""
        wanted = {name.replace("_", "-"): value for name, value in attrs.items()}
        return [
            e
            for e in self.iter()
            if (not tag or e.tag == tag)
            and (not cls or cls in e.classes)
            and all(
                (name in e.attrs) == value if isinstance(value, bool) else e.attrs.get(name) == value
                for name, value in wanted.items()
            )
        ]

    def find(self, tag: str = "", *, cls: str = "", **attrs: str | bool) -> Element | None:
        found = self.find_all(tag, cls=cls, **attrs)
        return found[0] if found else None


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self._open: list[Element] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self._open[-1].children.append(element)
        if tag not in _VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self._open[-1].children.append(data)


def parse_html(markup: str) -> Element:
    """A page or a part of one as a tree of :class:`Element` (the standard library's parser)."""
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    return builder.root


def flashes(root: Element, kind: str = "") -> list[str]:
    """The messages the page shows (``<p class="flash KIND">``), or those of one ``kind``."""
    return [
        p.text
        for p in root.find_all("p", cls="flash")
        if "hidden" not in p.attrs and (not kind or kind in p.classes) and p.text
    ]


@dataclass
class Trend:
    id: str
    code: str
    picked: bool


@dataclass
class NoteForm:
    kind: str
    action: str
    sent: int
    limit: int
    rationale: bool
    closed: bool  # its send button is disabled (the time is up)


@dataclass
class Ballot:
    poll: str
    round: int
    action: str
    voted: bool
    votes: int
    cap: int
    options: list[tuple[str, str]]  # (field name, the option's text as shown)
    single: bool  # one choice (``option=ID``), else dots (``dots_ID=N``)

    @property
    def key(self) -> str:
        return f"{self.poll}:{self.round}"


@dataclass
class Screen:
    """What the phone shows for the current step: the ``#screen`` part of the page, read."""

    step: str
    phase: str
    csrf: str
    received_at: float
    messages: dict[str, list[str]]
    heading: str
    countdown: tuple[float, float, float] | None  # deadline_ms, paused_s, server's now_ms
    trends: list[Trend]
    pick_action: str
    picked: int
    picks_low: int
    picks_high: int
    note_form: NoteForm | None
    notes: int  # this participant's notes shown on this step
    template: tuple[str, str]  # the chosen trend and obstacle an innovation is about
    ballot: Ballot | None
    poll_closed: bool

    @classmethod
    def read(cls, root: Element, received_at: float) -> Screen | None:
        main = root.find("main", id="screen")
        if main is None:
            return None
        try:
            csrf = str(json.loads(main.attrs.get("hx-headers", "{}")).get("X-CSRF-Token", ""))
        except ValueError:
            csrf = ""
        heading = main.find("h1")
        box = main.find(id="countdown")
        countdown = None
        if box is not None:
            countdown = (
                float(box.data("deadline-ms") or 0),
                float(box.data("paused-s") or 0),
                float(box.data("now-ms") or time.time() * 1000),
            )
        status = main.find(id="pick-status")
        trends = []
        pick_action = ""
        for row in main.find_all("li", cls="trend"):
            box_id = f"pick-{row.data('trend')}"
            tick = row.find("input", id=box_id)
            if tick is None:
                continue
            pick_action = pick_action or tick.attrs.get("hx-post", "")
            trends.append(Trend(row.data("trend"), row.data("code"), "checked" in tick.attrs))
        form = main.find("form", cls="note-form")
        note_form = None
        if form is not None:
            send = form.find("button", type="submit")
            note_form = NoteForm(
                kind=form.data("kind"),
                action=form.attrs.get("hx-post", ""),
                sent=form.number("sent-count"),
                limit=form.number("limit-count"),
                rationale=form.find(name="rationale") is not None,
                closed=send is None or "disabled" in send.attrs,
            )
        part = {p.data("part"): p.find("b") for p in main.find_all(data_part=True)}
        template = tuple(b.text if b is not None else "" for b in (part.get("trend"), part.get("obstacle")))
        return cls(
            step=main.data("step"),
            phase=main.data("phase"),
            csrf=csrf,
            received_at=received_at,
            messages={kind: flashes(main, kind) for kind in ("error", "warning", "success", "info")},
            heading=heading.text if heading is not None else "",
            countdown=countdown,
            trends=trends,
            pick_action=pick_action,
            picked=status.number("picked") if status is not None else 0,
            picks_low=status.number("low", 4) if status is not None else 4,
            picks_high=status.number("high", 5) if status is not None else 5,
            note_form=note_form,
            notes=len(main.find_all(data_note=True)),
            template=(template[0], template[1]),
            ballot=_ballot(main),
            poll_closed=main.find(cls="poll-state", data_status="closed") is not None,
        )

    def picked_after(self, root: Element, trend: Trend, wanted: bool) -> str:
        """Take in the answer to a tick (the ``#pick-status`` part); the refusal it shows, if any."""
        status = root.find(id="pick-status")
        if status is None:
            return " ".join(flashes(root, "error"))
        refusal = " ".join(s.text for s in status.find_all("strong", cls="error"))
        fixed = root.find("input", id=f"pick-{trend.id}")
        if fixed is not None:  # the box as the server holds it (sent back on a refusal)
            trend.picked = "checked" in fixed.attrs
        elif not refusal:
            trend.picked = wanted
        self.picked = status.number("picked", self.picked)
        self.picks_low = status.number("low", self.picks_low)
        self.picks_high = status.number("high", self.picks_high)
        return refusal

    def timeup_at(self) -> float | None:
        """When the countdown this screen shows runs out (a ``perf_counter`` time), if it runs."""
        if self.countdown is None:
            return None
        deadline_ms, paused_s, now_ms = self.countdown
        if paused_s > 0 or not deadline_ms:
            return None
        return self.received_at + (deadline_ms - now_ms) / 1000


def _ballot(main: Element) -> Ballot | None:
    form = main.find("form", cls="ballot")
    if form is None:
        return None
    radios = form.find_all("input", type="radio", name="option")
    options: list[tuple[str, str]] = []
    if radios:
        for label in form.find_all("label", cls="option"):
            radio = label.find("input", type="radio")
            if radio is not None:
                options.append((radio.attrs.get("value", ""), label.text))
    else:
        for label in form.find_all("label", cls="option"):
            box = label.find("input", type="number")
            if box is not None and box.attrs.get("name", "").startswith("dots_"):
                options.append((box.attrs["name"], label.text))
    if not options:
        return None
    return Ballot(
        poll=form.data("poll"),
        round=form.number("round", 1),
        action=form.attrs.get("hx-post", ""),
        voted=form.data("voted") == "1",
        votes=form.number("votes", 1),
        cap=form.number("cap", 1),
        options=options,
        single=bool(radios),
    )


# --------------------------------------------------------------------------- the person


@dataclass
class _Plan:
    kind: str
    text: str
    path: str
    fields: dict[str, str]
    done: Callable[[], None] = lambda: None
    trend: Trend | None = None  # a tick: the answer is the pick status only


@dataclass
class _BallotMemory:
    voted: bool
    will_change: bool
    changed: bool = False
    choice: int | None = None


@dataclass
class _Memory:
    """What the person remembers across screens (and reconnects)."""

    pick_target: int | None = None
    wanted_trends: list[str] = field(default_factory=list)
    picked: list[str] = field(default_factory=list)
    note_target: int | None = None
    notes: list[str] = field(default_factory=list)
    idea_target: int | None = None
    ideas: list[tuple[str, str]] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    ballots: dict[str, _BallotMemory] = field(default_factory=dict)
    # (phase, kind) where the phone refused: no second try until the phase changes
    refused: set[tuple[str, str]] = field(default_factory=set)


_RANGE = re.compile(r"(\d+)\s*[–-]\s*(\d+)")


class SimulatedParticipant:
    """One simulated person with a phone.

    ``pace`` is the range of seconds it waits before each thing it does; ``rng`` makes every
    choice (a seed repeats a run); ``lang`` is the language it types and reads in; ``report``
    hears every :class:`Action`. ``token`` is set once it has joined (set it beforehand to come
    back as a participant who joined already: the phone opens ``/phone?p=TOKEN``).
    ``safety_poll`` keeps the page's slow check; ``refresh_every`` (seconds) replaces listening
    with fetching the step's part on a timer, the way a polling app's phone refreshes."""

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
        parts = urlsplit(self.base_url)
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._client: httpx.AsyncClient | None = None
        self._screen: Screen | None = None
        self._live = ""
        self._csrf = ""
        self._wake = asyncio.Event()
        self._reasons: deque[str] = deque()
        self._timeups: set[tuple[float, float]] = set()  # countdowns whose end fetched the screen

    # ----------------------------------------------------------------------- reporting

    def _report(
        self,
        kind: str,
        text: str,
        sent_at: float,
        done_at: float | None = None,
        *,
        ok: bool = True,
        error: str = "",
    ) -> None:
        if self._report_to is None:
            return
        done = time.perf_counter() if done_at is None else done_at
        try:
            self._report_to(Action(kind, text, sent_at, done, ok, error))
        except Exception:  # noqa: BLE001 - a faulty reporter must not stop the participant
            self._report_to = None

    # ----------------------------------------------------------------------- the whole visit

    async def run(self, stop: asyncio.Event) -> None:
        """Take part until the workshop finishes or ``stop`` is set. Connection errors are
        reported and retried (``retries`` in a row at most); nothing but cancellation escapes.
        The phone keeps its cookies throughout, as a browser does."""
        failures = 0
        async with httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(self.timeout),
            headers={"Accept-Language": self.lang},
            # The server closes a connection idle for 5 s (uvicorn's keep-alive); a phone that
            # reused one just then would see it drop. A browser retries such a request; this
            # phone lets idle connections go first.
            limits=httpx.Limits(keepalive_expiry=KEEPALIVE_S),
        ) as client:
            self._client = client
            while not stop.is_set() and not self.finished:
                started = time.perf_counter()
                try:
                    await self._visit(stop)
                    failures = 0
                except asyncio.CancelledError:
                    raise
                except _Gone:
                    return
                except Exception as err:  # noqa: BLE001 - reported; the phone reloads the page
                    self._report(CONNECT, self.base_url, started, ok=False, error=_describe(err))
                    failures = failures + 1 if time.perf_counter() - started < 30 else 1
                    if failures > self.retries:
                        return
                    await _wait(stop, min(30.0, 1.0 * 2 ** (failures - 1)))

    async def _visit(self, stop: asyncio.Event) -> None:
        """One page load: arrive on the phone page and follow the workshop from there."""
        if not await self._arrive(stop):
            return
        helpers = [asyncio.create_task(self._stop_wakes(stop))]
        if self.refresh_every:
            helpers.append(asyncio.create_task(self._tick(self.refresh_every)))
        else:
            helpers.append(asyncio.create_task(self._listen(self._live)))
            if self.safety_poll:
                helpers.append(asyncio.create_task(self._poll()))
        try:
            await self._follow(stop)
        finally:
            for task in helpers:
                task.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)

    @property
    def _http(self) -> httpx.AsyncClient:
        assert self._client is not None, "run() holds the phone's client"
        return self._client

    def _posting(self) -> dict[str, str]:
        """What the page's script sends with every form: where it comes from, its token."""
        return {"Origin": self._origin, "X-CSRF-Token": self._csrf, "HX-Request": "true"}

    async def _arrive(self, stop: asyncio.Event) -> bool:
        """Open the phone page (joining first if need be); False when stopped meanwhile."""
        if self.token is None:
            where = await self._join(stop)
            if where is None:
                return False
        elif self._http.cookies.get(COOKIE + self.code) is not None:
            where = f"/phone?w={self.code}"  # the page's own address: a reload
        else:
            where = "/phone?" + urlencode({"p": self.token, "lang": self.lang})
        started = time.perf_counter()
        response = await self._http.get(where, follow_redirects=True)
        done = time.perf_counter()
        _raise_for_server(response)
        root = parse_html(response.text)
        screen = Screen.read(root, done)
        live = root.find(id="live")
        meta = root.find("meta", name="csrf-token")
        if response.status_code != 200 or screen is None or live is None:
            error = " ".join(flashes(root, "error")) or f"HTTP {response.status_code}: no phone page"
            self._report(REFRESH, "open", started, done, ok=False, error=error)
            raise _Gone()
        self.code = (response.url.params.get("w") or self.code).upper()
        self._live = live.data("live")
        self._csrf = meta.attrs.get("content", "") if meta is not None else screen.csrf
        self._screen = screen
        self._report(REFRESH, "open", started, done)
        return True

    async def _join(self, stop: asyncio.Event) -> str | None:
        """The join form, filled in after a pace; where the server sends the phone on."""
        who = f"{self.name} / {self.department}"
        response = await self._http.get(
            "/join", params={"code": self.code, "lang": self.lang}, follow_redirects=True
        )
        _raise_for_server(response)
        root = parse_html(response.text)
        form = root.find("form", id="join-form")
        if form is None:
            message = " ".join(flashes(root, "error") + flashes(root, "info")) or "no join form"
            self._report(JOIN, who, time.perf_counter(), ok=False, error=message)
            raise _Gone()
        fields = {
            i.attrs["name"]: i.attrs.get("value", "")
            for i in form.find_all("input", type="hidden")
            if i.attrs.get("name")
        }
        fields.update(name=self.name, department=self.department)
        if await _wait(stop, self.rng.uniform(*self.pace)):
            return None
        started = time.perf_counter()
        response = await self._http.post(
            form.attrs.get("action") or "/join", data=fields, headers={"Origin": self._origin}
        )
        done = time.perf_counter()
        _raise_for_server(response)
        where = response.headers.get("location", "")
        code = parse_qs(urlsplit(where).query).get("w", [self.code])[-1].upper()
        token = self._http.cookies.get(COOKIE + code)
        if response.status_code != 303 or not token:
            message = " ".join(flashes(parse_html(response.text), "error")) or f"HTTP {response.status_code}"
            self._report(JOIN, who, started, done, ok=False, error=message)
            raise _Gone()
        self.code, self.token = code, token
        self._report(JOIN, who, started, done)
        return where

    # ----------------------------------------------------------------------- the phone

    def _signal(self, why: str) -> None:
        self._reasons.append(why)
        self._wake.set()

    async def _stop_wakes(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._wake.set()

    async def _listen(self, url: str) -> None:
        """The page's event stream: a change fetches the step's part; every ``hello`` after the
        first (a stream back after a drop, perhaps from a new server process) fetches it once.
        A refused stream is not asked again (a browser's EventSource gives up on one too)."""
        opened = False
        reported = False
        retry_s = RECONNECT_S
        timeout = httpx.Timeout(self.timeout, read=STREAM_READ_S)
        while True:
            started = time.perf_counter()
            try:
                async with aconnect_sse(self._http, "GET", url, timeout=timeout) as source:
                    if source.response.status_code != 200:
                        error = f"HTTP {source.response.status_code}"
                        self._report(CONNECT, url.split("?", 1)[0], started, ok=False, error=error)
                        return
                    async for event in source.aiter_sse():
                        if event.retry:
                            retry_s = event.retry / 1000
                        if event.event == "hello":
                            reported = False
                            if opened:
                                self._signal("reconnect")
                            opened = True
                        elif event.event == "change":
                            self._signal("change")
            except asyncio.CancelledError:
                raise
            except Exception as err:  # noqa: BLE001 - the stream reconnects like EventSource
                if not reported:
                    reported = True
                    self._report(CONNECT, url.split("?", 1)[0], started, ok=False, error=_describe(err))
            await asyncio.sleep(retry_s)

    async def _poll(self) -> None:
        """The page's safety net: a cheap check of the step's part every ``SAFETY_NET_S``."""
        while True:
            await asyncio.sleep(SAFETY_NET_S)
            self._signal("poll")

    async def _tick(self, seconds: float) -> None:
        """Instead of listening: the step's part every ``seconds``, the way a phone of a polling
        app refreshes (for comparison on the load bench)."""
        while True:
            await asyncio.sleep(seconds)
            self._signal(TIMER)

    async def _refresh(self, why: str) -> None:
        """Fetch the step's part; the safety net asks only whether it changed (``204``: no)."""
        assert self._screen is not None
        params = {"w": self.code}
        if why == "poll":
            params["phase"] = self._screen.phase
        started = time.perf_counter()
        response = await self._http.get("/phone/screen", params=params, headers={"HX-Request": "true"})
        done = time.perf_counter()
        _raise_for_server(response)
        if response.status_code == 204:
            return
        root = parse_html(response.text)
        screen = Screen.read(root, done) if response.status_code == 200 else None
        if screen is None:
            error = " ".join(flashes(root, "error")) or f"HTTP {response.status_code}"
            self._report(REFRESH, why, started, done, ok=False, error=error)
            if response.status_code == 404:  # the phone is not known any more
                raise _Gone()
            return
        self._screen = screen
        self._report(REFRESH, why, started, done)

    # ----------------------------------------------------------------------- the person

    async def _follow(self, stop: asyncio.Event) -> None:
        next_at: float | None = None
        phase: str | None = None
        while not stop.is_set():
            screen = self._screen
            assert screen is not None
            if screen.phase != phase:
                phase, next_at = screen.phase, None
            if screen.step == steps.FINISHED:
                self.finished = True
                return
            timeup_at = None if self.refresh_every else self._timeup_at(screen)
            plan = self._plan(screen)
            now = time.perf_counter()
            if plan is None:
                next_at = None
            elif next_at is None:
                next_at = now + self.rng.uniform(*self.pace)
            deadlines = [t for t in (next_at, timeup_at) if t is not None]
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
                if reasons:
                    await self._refresh(_strongest(reasons))
                continue
            now = time.perf_counter()
            if timeup_at is not None and now >= timeup_at:
                assert screen.countdown is not None
                self._timeups.add(screen.countdown[:2])
                await self._refresh("timeup")
                continue
            if plan is not None and next_at is not None and now >= next_at:
                next_at = None
                await self._do(plan, screen)

    def _timeup_at(self, screen: Screen) -> float | None:
        """The page fetches its step's part once when a countdown it showed running runs out."""
        at = screen.timeup_at()
        if at is None or screen.countdown is None or screen.countdown[:2] in self._timeups:
            return None
        if at <= screen.received_at:  # shown as run out already: nothing to fetch
            self._timeups.add(screen.countdown[:2])
            return None
        return at

    async def _do(self, plan: _Plan, screen: Screen) -> None:
        started = time.perf_counter()
        response = await self._http.post(plan.path, data=plan.fields, headers=self._posting())
        done = time.perf_counter()
        _raise_for_server(response)
        root = parse_html(response.text)
        if response.status_code != 200:
            refusal = " ".join(flashes(root, "error")) or f"HTTP {response.status_code}"
        elif plan.trend is not None:
            refusal = screen.picked_after(root, plan.trend, plan.fields.get("picked") == "1")
        else:
            fresh = Screen.read(root, done)
            if fresh is not None:
                self._screen = fresh
            refusal = " ".join(fresh.messages["error"]) if fresh is not None else "no screen in the answer"
        if refusal:
            self.memory.refused.add((screen.phase, plan.kind))
            self._report(plan.kind, plan.text, started, done, ok=False, error=refusal)
            if response.status_code == 404:  # the phone is not known any more
                raise _Gone()
            return
        plan.done()
        self._report(plan.kind, plan.text, started, done)

    def _plan(self, screen: Screen) -> _Plan | None:
        if screen.step == steps.TRENDS_PICK:
            plan = self._plan_pick(screen)
        elif screen.step in steps.NOTE_KIND:
            plan = self._plan_note(screen, steps.NOTE_KIND[screen.step])
        elif screen.step in steps.VOTE_STEPS:
            plan = self._plan_vote(screen)
        else:
            plan = None
        if plan is not None and (screen.phase, plan.kind) in self.memory.refused:
            return None
        return plan

    def _plan_pick(self, screen: Screen) -> _Plan | None:
        if not screen.trends or not screen.pick_action:
            return None
        by_code = {t.code: t for t in screen.trends}
        checked = [t.code for t in screen.trends if t.picked]
        memory = self.memory
        if memory.pick_target is None:
            memory.pick_target = content.pick_count(self.rng, screen.picks_low, screen.picks_high)
            memory.wanted_trends = content.choose_trends(self.rng, list(by_code), memory.pick_target)
        memory.picked = checked
        if len(checked) >= memory.pick_target:
            return None
        code = next((c for c in memory.wanted_trends if c in by_code and c not in checked), None)
        if code is None:
            code = next(c for c in by_code if c not in checked)
        trend = by_code[code]
        return _Plan(
            PICK,
            code,
            screen.pick_action,
            {"trend": trend.id, "picked": "1"},
            lambda: memory.picked.append(code),
            trend=trend,
        )

    def _plan_note(self, screen: Screen, kind: str) -> _Plan | None:
        form = screen.note_form
        if form is None or form.closed or form.kind != kind or not form.action:
            return None
        mine = screen.notes
        memory = self.memory
        if kind == "obstacle":
            if memory.note_target is None:
                low, high = _range(screen.heading, default=(3, 4))
                memory.note_target = content.note_count(self.rng, low, min(high, form.limit or high))
                memory.notes = content.obstacle_notes(self.rng, self.lang, memory.note_target)
            if mine >= memory.note_target:
                return None
            text = memory.notes[min(mine, len(memory.notes) - 1)]
            return _Plan(OBSTACLE, text, form.action, {"text": text}, lambda: memory.written.append(text))
        if not form.rationale:
            return None
        if memory.idea_target is None:
            memory.idea_target = content.idea_count(self.rng, form.limit or 2)
        if mine >= memory.idea_target:
            return None
        trend, obstacle = screen.template
        while len(memory.ideas) <= mine:
            memory.ideas.append(content.innovation(self.rng, self.lang, trend=trend, obstacle=obstacle))
        text, rationale = memory.ideas[mine]
        fields = {"text": text, "rationale": rationale}
        return _Plan(INNOVATION, text, form.action, fields, lambda: memory.written.append(text))

    def _plan_vote(self, screen: Screen) -> _Plan | None:
        ballot = screen.ballot
        if ballot is None or not ballot.action:
            return None
        mine = [*self.memory.written, *self.memory.picked]
        remembered = self.memory.ballots.get(ballot.key)
        if remembered is None:
            remembered = self.memory.ballots[ballot.key] = _BallotMemory(
                voted=ballot.voted, will_change=self.rng.random() < CHANGE_VOTE_CHANCE
            )
        if remembered.voted and (remembered.changed or not remembered.will_change):
            return None
        kind = REVOTE if remembered.voted else VOTE

        def done() -> None:
            if remembered.voted:
                remembered.changed = True
            remembered.voted = True

        labels = [text for _name, text in ballot.options]
        if ballot.single:
            index = content.ballot_choice(self.rng, labels, mine=mine)
            if kind == REVOTE and len(labels) > 1:
                others = [i for i in range(len(labels)) if i != remembered.choice]
                index = others[content.ballot_choice(self.rng, [labels[i] for i in others], mine=mine)]
            remembered.choice = index
            fields = {"poll": ballot.poll, "option": ballot.options[index][0]}
            return _Plan(kind, labels[index], ballot.action, fields, done)
        spread = content.dots(self.rng, labels, votes=ballot.votes, cap=ballot.cap, mine=mine)
        fields = {"poll": ballot.poll} | {
            name: str(n) for (name, _text), n in zip(ballot.options, spread, strict=True)
        }
        text = "; ".join(f"{label} ×{n}" for label, n in zip(labels, spread, strict=True) if n)
        return _Plan(kind, text, ballot.action, fields, done)


# --------------------------------------------------------------------------- helpers


def _strongest(reasons: list[str]) -> str:
    """One fetch for several reasons: name the one that says most (a change over the poll)."""
    for why in ("change", "reconnect", TIMER, "poll"):
        if why in reasons:
            return why
    return reasons[-1]


def _range(text: str, *, default: tuple[int, int]) -> tuple[int, int]:
    """The step's bounds as its heading shows them ("3–4 reasons")."""
    match = _RANGE.search(text)
    if match:
        low, high = int(match.group(1)), int(match.group(2))
        if 0 < low <= high:
            return low, high
    return default


def _raise_for_server(response: httpx.Response) -> None:
    """A server error (or a proxy's, while the app restarts) is a connection problem."""
    if response.status_code >= 500:
        raise _Unavailable(f"HTTP {response.status_code} for {response.url.path}")


def _describe(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"


async def _wait(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep ``seconds`` unless ``stop`` is set first; True when stopped."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), max(0.0, seconds))
    return stop.is_set()
