"""Practice mode on a real server: simulated participants join through the join page, pick,
write and vote on the phone pages (plain HTTP and the workshop's event stream) while a
facilitator runs the steps from the projector's controls; and the controls' practice button
fills the room's roster."""

from __future__ import annotations

import asyncio
import random
import re
import signal
import time
from collections.abc import Callable
from datetime import timedelta

from playwright.sync_api import expect
from sqlmodel import Session, func, select

from practice.content import bot_name
from practice.participant import Action, SimulatedParticipant
from tests.scenario import OBSTACLES, build_workshop
from tests.support import PROJECTOR
from tests.wsclient import Phone, Run, click, run_apart, tick
from workshop import services
from workshop.db.engine import make_engine
from workshop.db.models import Ballot, BallotMark, Note, Participant, Pick, Poll, Workshop, utcnow
from workshop.i18n import t
from workshop.rules import steps

PEOPLE = [
    ("Анна", "Продажи"),
    ("Борис", "Маркетинг"),
    ("Вера", "Сервис"),
    ("Глеб", "Логистика"),
    ("Дина", "ИТ"),
    ("Егор", "Финансы"),
]
FAST = (0.2, 0.6)
QUIET_S = 1.5  # nobody has changed anything for this long: the room is done with the step
WAIT_S = 30.0
# What the rules refuse when a phone is a moment late: nothing else may be refused.
RULE_REFUSALS = {
    t(key, "ru")
    for key in ("error.step_moved_on", "error.time_up", "error.vote_time_up", "error.voting_closed")
}


class Room:
    """The test's view of the database: what the facilitator would see on the projector."""

    def __init__(self, db_url: str, workshop_id: int) -> None:
        self.engine = make_engine(db_url)
        self.workshop_id = workshop_id

    def workshop(self) -> Workshop:
        with Session(self.engine) as session:
            return session.get(Workshop, self.workshop_id)

    def people(self) -> list[Participant]:
        with Session(self.engine) as session:
            return list(session.exec(select(Participant).where(Participant.workshop_id == self.workshop_id)))

    def picks(self) -> dict[int, int]:
        with Session(self.engine) as session:
            rows = session.exec(
                select(Pick.participant_id, func.count())
                .where(Pick.workshop_id == self.workshop_id)
                .group_by(Pick.participant_id)
            ).all()
        return dict(rows)

    def notes(self, kind: str) -> list[Note]:
        with Session(self.engine) as session:
            return list(
                session.exec(select(Note).where(Note.workshop_id == self.workshop_id, Note.kind == kind))
            )

    def polls(self) -> list[Poll]:
        with Session(self.engine) as session:
            return list(
                session.exec(select(Poll).where(Poll.workshop_id == self.workshop_id).order_by(Poll.id))
            )

    def ballots(self, poll_id: int) -> list[Ballot]:
        with Session(self.engine) as session:
            return list(session.exec(select(Ballot).where(Ballot.poll_id == poll_id)))

    def marks(self, poll_id: int) -> dict[int, list[int]]:
        """Each ballot's dots, by participant."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(Ballot.participant_id, BallotMark.dots)
                .join(BallotMark, BallotMark.ballot_id == Ballot.id)
                .where(Ballot.poll_id == poll_id)
            ).all()
        marks: dict[int, list[int]] = {}
        for participant_id, dots in rows:
            marks.setdefault(participant_id, []).append(dots)
        return marks

    def current_poll(self) -> Poll:
        return [p for p in self.polls() if p.status != "cancelled"][-1]


async def settled(snapshot: Callable[[], object], ready: Callable[[object], bool]) -> object:
    """Wait until ``ready(snapshot())`` and then until the snapshot stops changing."""
    deadline = time.monotonic() + WAIT_S
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        now = snapshot()
        if now != last:
            last, since = now, time.monotonic()
        elif ready(now) and time.monotonic() - since >= QUIET_S:
            return now
        await asyncio.sleep(0.2)
    raise AssertionError(f"the room did not settle: {last!r}")


class Facilitator:
    """The projector with the facilitator's key, over the websocket: presses the sidebar's
    buttons by their keys, the way the facilitator's clicks do."""

    def __init__(self, phone: Phone) -> None:
        self.phone = phone

    async def page(self) -> Run:
        return await self.phone.act([])

    async def change(self, make) -> Run:  # type: ignore[no-untyped-def]
        page = await self.page()
        done = await self.phone.act([make(page)])
        assert done.alerts_of("error") == [], done.alerts_of("error")
        return done

    async def press(self, key: str, *before) -> Run:  # type: ignore[no-untyped-def]
        page = await self.page()
        states = [make(page) for make in before]
        done = await self.phone.act([*states, click(page.widget("button", key))])
        assert done.alerts_of("error") == [], done.alerts_of("error")
        return done


async def run_vote(room: Room, chair: Facilitator, people: int) -> None:
    """Open the vote, wait for every ballot, close and reveal; a tie gets a runoff once, then the
    facilitator's decision."""
    await chair.press("open_vote")
    while True:
        poll = room.current_poll()
        await settled(
            lambda p=poll: sorted((b.id, b.updated_at) for b in room.ballots(p.id)),
            lambda ballots: len(ballots) == people,
        )
        await chair.press("close_vote")
        await chair.press("reveal_vote")
        poll = room.current_poll()
        if not poll.tie or poll.decided_by:
            return
        if poll.round == 1:
            await chair.press("runoff")
            continue
        page = await chair.page()
        first = page.widgets("button", "decide_")[0]  # one click on the option chosen
        done = await chair.phone.act([click(first)])
        assert done.alerts_of("error") == [], done.alerts_of("error")
        return


def simulated(server, built, index: int, actions: list[Action], pace=FAST) -> SimulatedParticipant:  # type: ignore[no-untyped-def]
    """A simulated phone back on a participant's own link (their token)."""
    person = SimulatedParticipant(
        server.base,
        built.code,
        name="—",
        department="—",
        pace=pace,
        rng=random.Random(index),
        report=actions.append,
    )
    person.token = built.tokens[index]
    return person


async def until(check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not check():
        assert time.monotonic() < deadline, "waited too long"
        await asyncio.sleep(0.1)


def test_six_simulated_participants_take_a_whole_workshop_to_its_saved_result(server) -> None:
    built = build_workshop(server.db_url, stop="lobby", people=0)
    room = Room(server.db_url, built.workshop_id)
    actions: dict[str, list[Action]] = {name: [] for name, _d in PEOPLE}
    people = [
        SimulatedParticipant(
            server.base,
            built.code,
            name=name,
            department=department,
            pace=FAST,
            rng=random.Random(i),
            report=actions[name].append,
        )
        for i, (name, department) in enumerate(PEOPLE)
    ]

    async def workshop() -> None:
        stop = asyncio.Event()
        phones = [asyncio.create_task(p.run(stop)) for p in people]
        try:
            async with Phone(server.base) as projector:
                await projector.open("projector", f"w={built.code}&k={built.key}&lang=ru")
                chair = Facilitator(projector)
                await settled(lambda: len(room.people()), lambda n: n == len(PEOPLE))
                await chair.press("advance")
                await settled(room.picks, lambda p: len(p) == len(PEOPLE) and min(p.values()) >= 4)
                await chair.press("advance")
                await run_vote(room, chair, len(PEOPLE))
                await chair.press("advance")
                await settled(
                    lambda: sorted(n.participant_id for n in room.notes("obstacle")),
                    lambda ids: len(set(ids)) == len(PEOPLE) and all(ids.count(i) >= 3 for i in set(ids)),
                )
                await chair.press("advance")
                await run_vote(room, chair, len(PEOPLE))
                await chair.press("advance")
                await settled(
                    lambda: sorted(n.participant_id for n in room.notes("innovation")),
                    lambda ids: len(set(ids)) == len(PEOPLE),
                )
                await chair.press("advance")
                await run_vote(room, chair, len(PEOPLE))
                await chair.press("advance")
                await chair.change(lambda page: tick(page.widget("checkbox", "agree")))
                await chair.press("advance")
            await asyncio.wait_for(asyncio.gather(*phones), timeout=WAIT_S)
        finally:
            stop.set()
            for phone in phones:
                phone.cancel()

    started = time.monotonic()
    run_apart(workshop)
    took = time.monotonic() - started

    workshop_row = room.workshop()
    everyone = room.people()
    picks = room.picks()
    obstacles = room.notes("obstacle")
    innovations = room.notes("innovation")
    polls = [p for p in room.polls() if p.status != "cancelled"]
    done = [a for acts in actions.values() for a in acts]
    refused = [a for a in done if not a.ok]
    assert sorted(p.name for p in everyone) == sorted(name for name, _d in PEOPLE)
    assert all(p.finished for p in people)
    assert workshop_row.step == steps.FINISHED
    assert None not in (
        workshop_row.chosen_trend_id,
        workshop_row.chosen_obstacle_id,
        workshop_row.chosen_innovation_id,
    )
    assert len(picks) == 6
    assert all(4 <= n <= workshop_row.picks_max for n in picks.values()), picks
    per_author = {p.id: sum(n.participant_id == p.id for n in obstacles) for p in everyone}
    assert all(workshop_row.notes_min <= n <= workshop_row.notes_max for n in per_author.values()), per_author
    assert all(1 <= sum(n.participant_id == p.id for n in innovations) <= 2 for p in everyone)
    assert all(n.rationale for n in innovations)
    assert {p.subject for p in polls} == {"trend", "obstacle", "innovation"}
    assert all(len(room.ballots(p.id)) == 6 for p in polls), [(p.subject, p.round) for p in polls]
    assert [a for a in refused if a.error not in RULE_REFUSALS] == []
    written = {a.text for a in done if a.kind in ("obstacle", "innovation") and a.ok}
    assert written == {n.text for n in obstacles + innovations}
    assert all(a.done_at >= a.sent_at for a in done)
    assert took < 60


def test_simulated_phones_back_on_their_token_spread_dots_within_the_caps_shown(server) -> None:
    settings = services.Settings(votes_per_person=3, cap_per_option=2)
    built = build_workshop(server.db_url, stop="trends_vote_open", people=4, settings=settings)
    room = Room(server.db_url, built.workshop_id)
    actions: list[Action] = []
    people = [simulated(server, built, i, actions) for i in range(len(built.tokens))]

    async def vote() -> None:
        stop = asyncio.Event()
        phones = [asyncio.create_task(p.run(stop)) for p in people]
        try:
            await settled(lambda: room.marks(built.poll_id), lambda m: len(m) == len(people))
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*phones), timeout=WAIT_S)

    run_apart(vote)

    marks = room.marks(built.poll_id)
    assert sorted(marks) == sorted(built.participant_ids)
    assert all(sum(dots) == 3 and max(dots) <= 2 for dots in marks.values()), marks
    assert [a for a in actions if not a.ok] == []
    assert {a.kind for a in actions} >= {"refresh", "vote"}


def test_a_note_sent_after_time_is_up_is_reported_as_refused_once_with_the_phones_message(server) -> None:
    built = build_workshop(server.db_url, stop="obstacles_write", people=6)
    room = Room(server.db_url, built.workshop_id)
    actions: list[Action] = []

    def report(action: Action) -> None:
        actions.append(action)
        if action.kind == "refresh" and action.text == "open":
            # Time runs out while the phone still shows the form open (a page shown after the
            # time is up has its send button disabled).
            with Session(room.engine) as session:
                services.change_timer(
                    session=session,
                    workshop_id=built.workshop_id,
                    action="end",
                    now=utcnow() - timedelta(seconds=1),
                )

    person = SimulatedParticipant(
        server.base, built.code, name="—", department="—", pace=FAST, rng=random.Random(0), report=report
    )
    person.token = built.tokens[0]

    async def write() -> None:
        stop = asyncio.Event()
        phone = asyncio.create_task(person.run(stop))
        await until(lambda: any(a.kind == "obstacle" for a in actions))
        await asyncio.sleep(3 * FAST[1])
        stop.set()
        await asyncio.wait_for(phone, timeout=WAIT_S)

    run_apart(write)

    notes = [a for a in actions if a.kind == "obstacle"]
    assert [(a.ok, a.error) for a in notes] == [(False, t("error.time_up", "ru"))]
    assert len(room.notes("obstacle")) == len(OBSTACLES)


def test_a_simulated_phone_reports_a_lost_server_and_carries_on_when_it_is_back(server) -> None:
    built = build_workshop(server.db_url, stop="obstacles_write", people=6)
    room = Room(server.db_url, built.workshop_id)
    me = built.participant_ids[0]
    actions: list[Action] = []
    person = simulated(server, built, 0, actions, pace=(1.0, 1.5))

    def mine() -> int:
        return sum(n.participant_id == me for n in room.notes("obstacle"))

    async def write() -> None:
        stop = asyncio.Event()
        phone = asyncio.create_task(person.run(stop))
        try:
            await until(lambda: mine() == 2)
            server.stop(signal.SIGKILL)
            await until(lambda: any(a.kind == "connect" for a in actions))
            server.start()
            await until(lambda: mine() >= 3)
        finally:
            stop.set()
            await asyncio.wait_for(phone, timeout=WAIT_S)

    run_apart(write)

    lost = [a for a in actions if not a.ok]
    assert lost and {a.kind for a in lost} == {"connect"}
    # Once the server was back, the phone carried on as the same participant (its cookie): a
    # note it sent after the loss was taken.
    after = [a for a in actions if a.kind == "obstacle" and a.sent_at > max(x.done_at for x in lost)]
    assert after and all(a.ok for a in after), actions
    assert 3 <= mine() <= 4


def test_a_phone_refreshing_on_a_timer_follows_a_step_it_was_never_told_about(server) -> None:
    built = build_workshop(server.db_url, stop="lobby", people=1)
    room = Room(server.db_url, built.workshop_id)
    actions: list[Action] = []
    person = simulated(server, built, 0, actions)
    person.refresh_every = 0.5

    async def pick() -> None:
        stop = asyncio.Event()
        phone = asyncio.create_task(person.run(stop))
        try:
            await until(lambda: any(a.kind == "refresh" and a.text == "open" for a in actions))
            # Moved on in this process: the server's event stream never hears of it.
            with Session(room.engine) as session:
                services.advance(session=session, workshop_id=built.workshop_id)
            await until(lambda: room.picks().get(built.participant_ids[0], 0) >= 4)
        finally:
            stop.set()
            await asyncio.wait_for(phone, timeout=WAIT_S)

    run_apart(pick)

    refreshes = {a.text for a in actions if a.kind == "refresh"}
    assert refreshes == {"open", "timer"}
    assert 4 <= room.picks()[built.participant_ids[0]] <= 5


def test_the_practice_button_fills_the_roster_with_six_simulated_people(server, browser) -> None:
    built = build_workshop(server.db_url, stop="lobby", people=0)
    context = browser.new_context(viewport=PROJECTOR, locale="ru-RU")
    projector = context.new_page()

    projector.goto(f"{server.base}/projector?w={built.code}&k={built.key}")
    sidebar = projector.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("button", name=t("practice.add", "ru", n=6)).click()

    expect(projector.get_by_text(t("proj.roster", "ru", n=6))).to_be_visible(timeout=20_000)
    rows = projector.locator(".roster-row")
    for n in range(1, 7):
        expect(rows.filter(has_text=re.compile(rf"^{bot_name(n, 'ru')}\b"))).to_have_count(1)
    context.close()
