"""Simulated participants: what they type and choose, and how they take part — against a real
server, on the phone pages a person's browser uses (join form, phone page, its event stream and
posts), with the facilitator on the projector's controls."""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from sqlmodel import Session, select
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from practice import content
from practice.participant import Action, SimulatedParticipant
from practice.room import MAX_GROUP, reserve_names, start_practice
from practice.wsclient import Phone, ProtocolError, Run, click, event_stream, run_apart, tick
from tests.conftest import empty_database_url
from tests.scenario import build_workshop
from tests.support import Server
from workshop import services
from workshop.db.engine import make_engine
from workshop.db.models import Ballot, BallotMark, Note, Participant, Pick, Poll, PollOption, Trend, Workshop
from workshop.i18n import t
from workshop.rules.limits import DEPARTMENT_MAX, NAME_MAX, NOTE_MAX, RATIONALE_MAX

CYRILLIC = re.compile(r"[а-яё]", re.I)
SEEDS = range(200)
CODES = [f"J{n}" for n in range(1, 13)]
CUT = b"\x00"  # where the fake server pauses between writes
FAST = (0.2, 0.5)
WAIT_S = 45.0
GROUP = [("Анна", "Продажи"), ("Борис", "Маркетинг"), ("Вера", "Сервис")]


def theme_of(note: str, lang: str) -> int:
    return next(i for i, phrasings in enumerate(content.OBSTACLES[lang]) if note in phrasings)


# --------------------------------------------------------------------------- names


def test_practice_bots_are_named_as_bots_in_the_workshops_language() -> None:
    assert content.bot_name(1, "ru") == "Тренер-бот 1"
    assert content.bot_name(7, "en") == "Practice bot 7"
    assert content.bot_name(3, "xx") == "Тренер-бот 3"


def test_a_practice_group_comes_from_different_departments() -> None:
    for lang in content.LANGUAGES:
        departments = [content.department(n, lang) for n in range(1, MAX_GROUP + 1)]

        assert len(set(departments)) == MAX_GROUP
        assert all(0 < len(d) <= DEPARTMENT_MAX for d in departments)


def test_adding_more_bots_to_a_workshop_goes_on_with_the_numbering() -> None:
    first = reserve_names("PRACT1", 2, "ru")
    more = reserve_names("PRACT1", 3, "ru")
    other = reserve_names("PRACT2", 1, "en")

    assert [name for name, _d in first + more] == [f"Тренер-бот {n}" for n in range(1, 6)]
    assert other == [("Practice bot 1", content.department(1, "en"))]
    assert all(len(name) <= NAME_MAX for name, _d in first + more + other)


@pytest.mark.parametrize("count", [0, MAX_GROUP + 1])
def test_a_practice_group_has_one_to_seven_participants(count: int) -> None:
    with pytest.raises(ValueError):
        start_practice(base_url="http://127.0.0.1:9", code="PRACT3", count=count)


# --------------------------------------------------------------------------- obstacle notes


@pytest.mark.parametrize("lang", content.LANGUAGES)
def test_the_obstacle_pool_holds_sixty_different_notes_that_fit_a_note(lang: str) -> None:
    notes = [note for phrasings in content.OBSTACLES[lang] for note in phrasings]

    assert len(notes) == 60
    assert len(set(notes)) == 60
    assert all(0 < len(note) <= NOTE_MAX for note in notes)


@pytest.mark.parametrize("lang", content.LANGUAGES)
def test_obstacle_notes_are_written_in_the_workshops_language(lang: str) -> None:
    notes = [n for seed in SEEDS for n in content.obstacle_notes(random.Random(seed), lang, 4)]

    in_cyrillic = [bool(CYRILLIC.search(n)) for n in notes]
    assert all(in_cyrillic) if lang == "ru" else not any(in_cyrillic)


def test_one_person_writes_each_obstacle_theme_once() -> None:
    for seed in SEEDS:
        notes = content.obstacle_notes(random.Random(seed), "ru", 4)

        assert len(notes) == 4
        assert len({theme_of(n, "ru") for n in notes}) == 4


def test_a_room_writes_similar_obstacles_so_there_is_something_to_merge() -> None:
    rooms_with_a_repeat = 0
    for seed in SEEDS:
        rng = random.Random(seed)
        room = [n for _person in range(6) for n in content.obstacle_notes(rng, "en", 3)]
        themes = Counter(theme_of(n, "en") for n in room)
        rooms_with_a_repeat += max(themes.values()) >= 2

    assert rooms_with_a_repeat == len(SEEDS)


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [(3, 4, {3, 4}), (1, 8, {3, 4}), (4, 4, {4}), (1, 2, {2}), (5, 6, {5})],
)
def test_three_or_four_notes_within_the_workshops_bounds(low: int, high: int, expected: set[int]) -> None:
    counts = {content.note_count(random.Random(seed), low, high) for seed in SEEDS}

    assert counts == expected


# --------------------------------------------------------------------------- trend picks


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [(4, 5, {4, 5}), (1, 10, {4, 5}), (4, 4, {4}), (1, 3, {3}), (6, 8, {6})],
)
def test_four_or_five_trends_within_the_workshops_bounds(low: int, high: int, expected: set[int]) -> None:
    counts = {content.pick_count(random.Random(seed), low, high) for seed in SEEDS}

    assert counts == expected


def test_picked_trends_are_different_trends_of_the_map_and_the_room_shares_favourites() -> None:
    favourites: Counter[str] = Counter()
    for seed in SEEDS:
        picked = content.choose_trends(random.Random(seed), CODES, 5)

        assert len(picked) == len(set(picked)) == 5
        assert set(picked) <= set(CODES)
        favourites.update(picked)

    most, least = favourites.most_common()[0][1], favourites.most_common()[-1][1]
    assert most > 2 * least


def test_a_map_smaller_than_the_count_is_picked_whole() -> None:
    assert sorted(content.choose_trends(random.Random(1), CODES[:3], 5)) == CODES[:3]


# --------------------------------------------------------------------------- innovations


@pytest.mark.parametrize("lang", content.LANGUAGES)
def test_an_innovation_names_the_intersection_within_the_limits(lang: str) -> None:
    trend, obstacle = "J3 · «Я хочу сделать»", "Дорого для семьи"

    for seed in SEEDS:
        text, rationale = content.innovation(random.Random(seed), lang, trend=trend, obstacle=obstacle)

        assert 0 < len(text) <= NOTE_MAX
        assert 0 < len(rationale) <= RATIONALE_MAX
        assert obstacle in rationale
        assert "J3" not in text + rationale  # the trend by its title, as people say it
        assert "{" not in text + rationale


def test_an_innovation_shortens_a_long_trend_and_obstacle_to_fit() -> None:
    trend, obstacle = "J1 · " + "очень " * 60 + "длинный тренд", "слишком " * 60 + "длинная причина"

    for lang in content.LANGUAGES:
        for seed in SEEDS:
            text, rationale = content.innovation(random.Random(seed), lang, trend=trend, obstacle=obstacle)

            assert len(text) <= NOTE_MAX
            assert len(rationale) <= RATIONALE_MAX


def test_without_a_chosen_trend_or_obstacle_an_innovation_names_neither() -> None:
    for seed in SEEDS:
        text, rationale = content.innovation(random.Random(seed), "en", trend="", obstacle="")

        assert text and rationale
        assert "“" not in text + rationale


@pytest.mark.parametrize(("high", "expected"), [(3, {1, 2}), (2, {1, 2}), (1, {1})])
def test_one_or_two_innovations_never_above_the_workshops_maximum(high: int, expected: set[int]) -> None:
    assert {content.idea_count(random.Random(seed), high) for seed in SEEDS} == expected


# --------------------------------------------------------------------------- ballots


@pytest.mark.parametrize(("votes", "cap", "options"), [(3, 2, 4), (5, 1, 3), (4, 4, 2), (2, 1, 5)])
def test_dots_spend_the_votes_within_the_cap_per_option(votes: int, cap: int, options: int) -> None:
    labels = [f"option {n}" for n in range(options)]

    for seed in SEEDS:
        spread = content.dots(random.Random(seed), labels, votes=votes, cap=cap)

        assert len(spread) == options
        assert sum(spread) == min(votes, cap * options)
        assert max(spread) <= cap and min(spread) >= 0


def test_one_leans_towards_ones_own_note_in_a_vote() -> None:
    options = ["Дорого для семьи", "Долго ждать", "Неудобное приложение"]

    def share_of_first(mine: list[str]) -> float:
        rng = random.Random(5)
        return sum(content.ballot_choice(rng, options, mine=mine) == 0 for _ in range(4000)) / 4000

    assert share_of_first(["Дорого для семьи"]) > share_of_first([]) + 0.05


# --------------------------------------------------------------------------- on a real server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One app process for this module; each test builds a workshop of its own on it."""
    folder = tmp_path_factory.mktemp("practice")
    srv = Server(empty_database_url(folder, "workshop.db"), folder / "server.log")
    srv.start()
    yield srv
    srv.close()


class Database:
    """What the workshop holds: who joined, their picks, notes and ballots."""

    def __init__(self, db_url: str, workshop_id: int) -> None:
        self.engine = make_engine(db_url)
        self.workshop_id = workshop_id

    def close(self) -> None:
        self.engine.dispose()

    def workshop(self) -> Workshop:
        with Session(self.engine) as session:
            found = session.get(Workshop, self.workshop_id)
            assert found is not None
            return found

    def people(self) -> dict[str, int]:
        with Session(self.engine) as session:
            rows = session.exec(select(Participant).where(Participant.workshop_id == self.workshop_id))
            return {p.name: p.id for p in rows}

    def picks(self) -> dict[int, set[str]]:
        with Session(self.engine) as session:
            rows = session.exec(
                select(Pick.participant_id, Trend.code)
                .join(Trend, Trend.id == Pick.trend_id)
                .where(Pick.workshop_id == self.workshop_id)
            ).all()
        found: dict[int, set[str]] = {}
        for participant_id, code in rows:
            found.setdefault(participant_id, set()).add(code)
        return found

    def notes(self, kind: str) -> dict[int, list[Note]]:
        with Session(self.engine) as session:
            rows = session.exec(
                select(Note).where(Note.workshop_id == self.workshop_id, Note.kind == kind).order_by(Note.id)  # type: ignore[arg-type]
            ).all()
        found: dict[int, list[Note]] = {}
        for note in rows:
            found.setdefault(note.participant_id, []).append(note)
        return found

    def current_poll(self) -> Poll:
        with Session(self.engine) as session:
            poll = session.exec(
                select(Poll)
                .where(Poll.workshop_id == self.workshop_id, Poll.status != "cancelled")
                .order_by(Poll.id.desc())  # type: ignore[union-attr]
            ).first()
            assert poll is not None
            return poll

    def ballots(self, poll_id: int) -> dict[int, list[str]]:
        """Each participant's ballot: the options it marks, by the text the phone shows."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(Ballot.participant_id, PollOption, BallotMark.dots)
                .join(BallotMark, BallotMark.ballot_id == Ballot.id)
                .join(PollOption, PollOption.id == BallotMark.option_id)
                .where(Ballot.poll_id == poll_id)
            ).all()
            found: dict[int, list[str]] = {}
            for participant_id, option, dots in rows:
                trend = session.get(Trend, option.trend_id) if option.trend_id else None
                text = f"{trend.code} · {trend.title_ru}" if trend is not None else option.label
                found.setdefault(participant_id, []).extend([text] * dots)
            return found


async def until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not check():
        assert time.monotonic() < deadline, f"waited too long for {what}"
        await asyncio.sleep(0.1)


class Chair:
    """The facilitator: the projector's controls, pressed over Streamlit's websocket the way
    the facilitator's clicks send them."""

    def __init__(self, phone: Phone) -> None:
        self.phone = phone

    async def press(self, key: str) -> None:
        """The button ``key`` (for a key ending in ``_``, the first whose key starts so)."""
        page = await self.phone.act([])
        found = page.widgets("button", key) if key.endswith("_") else [page.widget("button", key)]
        done = await self.phone.act([click(found[0])])
        assert done.alerts_of("error") == [], done.alerts_of("error")

    async def check(self, key: str) -> None:
        page = await self.phone.act([])
        done = await self.phone.act([tick(page.widget("checkbox", key), True)])
        assert done.alerts_of("error") == [], done.alerts_of("error")


def settled_ballot(person: SimulatedParticipant, poll: Poll) -> bool:
    """The person has voted in ``poll`` as they meant to (and changed their vote, if they meant
    to)."""
    memory = person.memory.ballots.get(f"{poll.id}:{poll.round}")
    return memory is not None and memory.voted and (memory.changed or not memory.will_change)


def test_a_simulated_group_picks_writes_proposes_and_votes_on_the_phone_pages(server: Server) -> None:
    built = build_workshop(server.db_url, stop="lobby", people=0)
    db = Database(server.db_url, built.workshop_id)
    actions: dict[str, list[Action]] = {name: [] for name, _d in GROUP}
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
        for i, (name, department) in enumerate(GROUP)
    ]
    # Where each vote began and ended in each person's actions: (poll, {name: (from, to)}).
    windows: list[tuple[Poll, dict[str, tuple[int, int]]]] = []

    def ids() -> dict[str, int]:
        return db.people()

    def each(count: Callable[[int], int], target: Callable[[SimulatedParticipant], int | None]) -> bool:
        known = ids()
        return all(
            target(p) is not None and p.name in known and count(known[p.name]) == target(p) for p in people
        )

    async def vote(chair: Chair) -> None:
        await chair.press("open_vote")
        poll = db.current_poll()
        began = {name: len(acts) for name, acts in actions.items()}
        await until(
            lambda: len(db.ballots(poll.id)) == len(people) and all(settled_ballot(p, poll) for p in people),
            f"the {poll.subject} vote",
        )
        windows.append((poll, {name: (began[name], len(acts)) for name, acts in actions.items()}))
        await chair.press("close_vote")
        await chair.press("reveal_vote")
        if db.current_poll().tie:
            await chair.press("decide_")
        await chair.press("advance")

    async def workshop() -> None:
        stop = asyncio.Event()
        phones = [asyncio.create_task(p.run(stop)) for p in people]
        try:
            async with Phone(server.base) as projector:
                await projector.open("projector", f"w={built.code}&k={built.key}&lang=ru")
                chair = Chair(projector)
                await until(lambda: len(ids()) == len(people), "everyone to join")
                await chair.press("advance")
                await until(
                    lambda: each(lambda pid: len(db.picks().get(pid, ())), lambda p: p.memory.pick_target),
                    "the picks",
                )
                await chair.press("advance")
                await vote(chair)
                await until(
                    lambda: each(
                        lambda pid: len(db.notes("obstacle").get(pid, [])), lambda p: p.memory.note_target
                    ),
                    "the obstacle notes",
                )
                await chair.press("advance")
                await vote(chair)
                await until(
                    lambda: each(
                        lambda pid: len(db.notes("innovation").get(pid, [])), lambda p: p.memory.idea_target
                    ),
                    "the innovations",
                )
                await chair.press("advance")
                await vote(chair)
                await chair.check("agree")
                await chair.press("advance")
            await asyncio.wait_for(asyncio.gather(*phones), timeout=WAIT_S)
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*phones, return_exceptions=True), timeout=WAIT_S)

    try:
        run_apart(workshop)

        known = db.people()
        picks = db.picks()
        obstacles = db.notes("obstacle")
        innovations = db.notes("innovation")
        w = db.workshop()
        assert sorted(known) == sorted(name for name, _d in GROUP)
        assert all(p.finished for p in people)  # the phones followed the workshop to its end
        for person in people:
            done = actions[person.name]
            pid = known[person.name]
            assert [a for a in done if not a.ok] == []
            assert [a.kind for a in done if a.kind == "join"] == ["join"]
            assert all(a.done_at >= a.sent_at for a in done)
            assert {"open", "change"} <= {a.text for a in done if a.kind == "refresh"}
            assert picks[pid] == {a.text for a in done if a.kind == "pick"}
            assert w.picks_min <= len(picks[pid]) <= w.picks_max
            assert [n.text for n in obstacles[pid]] == [a.text for a in done if a.kind == "obstacle"]
            assert w.notes_min <= len(obstacles[pid]) <= w.notes_max
            assert [n.text for n in innovations[pid]] == [a.text for a in done if a.kind == "innovation"]
            assert all(n.rationale for n in innovations[pid])
        assert [poll.subject for poll, _w in windows] == ["trend", "obstacle", "innovation"]
        for poll, window in windows:
            ballots = db.ballots(poll.id)
            for person in people:
                start, end = window[person.name]
                said = [a.text for a in actions[person.name][start:end] if a.kind in ("vote", "revote")]
                assert said, (poll.subject, person.name)
                # The ballot the database holds is the one the phone last sent.
                assert ballots[known[person.name]] == [said[-1]], (poll.subject, person.name)
    finally:
        db.close()


def test_a_vote_sent_after_the_vote_closed_is_reported_as_refused_with_the_phones_message(
    server: Server,
) -> None:
    built = build_workshop(server.db_url, stop="trends_vote_open", people=2)
    assert built.poll_id is not None
    db = Database(server.db_url, built.workshop_id)
    actions: list[Action] = []

    def report(action: Action) -> None:
        actions.append(action)
        if action.kind == "refresh" and action.text == "open":
            # The facilitator closes the vote while this phone still shows the open ballot.
            with Session(db.engine) as session:
                services.close_poll(session=session, workshop_id=built.workshop_id, poll_id=built.poll_id)

    person = SimulatedParticipant(
        server.base,
        built.code,
        name="—",
        department="—",
        pace=FAST,
        rng=random.Random(2),
        lang="en",
        report=report,
        safety_poll=False,
    )
    person.token = built.tokens[0]  # back on the participant's own link

    async def vote() -> None:
        stop = asyncio.Event()
        phone = asyncio.create_task(person.run(stop))
        try:
            await until(lambda: any(a.kind in ("vote", "revote") for a in actions), "the vote")
        finally:
            stop.set()
            await asyncio.wait_for(phone, timeout=WAIT_S)

    try:
        run_apart(vote)

        votes = [a for a in actions if a.kind in ("vote", "revote")]
        assert [(a.kind, a.ok, a.error) for a in votes] == [("vote", False, t("error.voting_closed", "en"))]
        assert votes[0].done_at >= votes[0].sent_at
        assert db.ballots(built.poll_id) == {}
        assert sorted(db.people().values()) == sorted(built.participant_ids)  # nobody new joined
        assert person.token == built.tokens[0]
    finally:
        db.close()


def test_a_phone_cannot_join_a_finished_workshop_and_says_why(server: Server) -> None:
    built = build_workshop(server.db_url, stop="finished")
    db = Database(server.db_url, built.workshop_id)
    actions: list[Action] = []
    person = SimulatedParticipant(
        server.base,
        built.code,
        name="Зоя",
        department="ИТ",
        pace=FAST,
        rng=random.Random(3),
        report=actions.append,
    )

    try:
        run_apart(lambda: asyncio.wait_for(person.run(asyncio.Event()), timeout=WAIT_S))  # gives up by itself

        assert [(a.kind, a.ok, a.error) for a in actions] == [
            ("join", False, t("error.workshop_finished", "ru"))
        ]
        assert person.token is None
        assert sorted(db.people().values()) == sorted(built.participant_ids)
    finally:
        db.close()


# --------------------------------------------------------------------------- the big screens' client


def element(kind: str, fragment_id: str = "", **fields: object) -> ForwardMsg:
    message = ForwardMsg()
    message.delta.fragment_id = fragment_id
    proto = getattr(message.delta.new_element, kind)
    for name, value in fields.items():
        if isinstance(value, list):
            getattr(proto, name).extend(value)
        else:
            setattr(proto, name, value)
    return message


def test_a_run_finds_widgets_and_messages_by_their_keys() -> None:
    run = Run(
        [
            element("alert", "frag", body="Время вышло", format=Alert.ERROR),
            element("alert", "frag", body="Голос принят", format=Alert.SUCCESS),
            element("radio", "frag", id="$$ID-2-ballot_7", label="Выберите", options=["J1 · a", "J2 · b"]),
            element("button", "frag", id="$$ID-3-FormSubmitter:form_obstacle-Отправить", label="Отправить"),
            element("checkbox", "frag", id="$$ID-4-pick_37", label="**J1** · a", value=True, set_value=True),
            element("checkbox", "frag", id="$$ID-5-pick_38", label="**J2** · b"),
        ]
    )

    assert run.alerts_of("error") == ["Время вышло"]
    assert run.alerts_of("success") == ["Голос принят"]
    assert run.widget("radio", "ballot_7").options == ["J1 · a", "J2 · b"]
    assert run.form_submitter("form_obstacle") is not None
    assert [(w.key, w.value, w.fragment_id) for w in run.widgets("checkbox", "pick_")] == [
        ("pick_37", True, "frag"),
        ("pick_38", False, "frag"),
    ]
    assert run.find("radio", "ballot_8") is None


def test_a_large_element_the_screen_already_has_comes_back_from_a_hash() -> None:
    phone = Phone("http://127.0.0.1:9")
    first = element("html", body="<style>" + "x" * 20_000 + "</style>")
    first.hash, first.metadata.cacheable = "h1", True
    first.metadata.delta_path.extend([2, 0])
    again = ForwardMsg(ref_hash="h1")
    again.metadata.delta_path.extend([2, 5])

    kept = phone._received(first.SerializeToString())
    whole = phone._received(again.SerializeToString())

    assert kept.delta.new_element.html.body == whole.delta.new_element.html.body
    assert list(whole.metadata.delta_path) == [2, 5]
    with pytest.raises(ProtocolError):
        phone._received(ForwardMsg(ref_hash="never-sent").SerializeToString())


def test_a_widgets_key_is_what_the_page_named_it() -> None:
    run = Run([element("button", id="$$ID-ab12-FormSubmitter:join_form-Войти", label="Войти")])

    assert run.widgets("button")[0].key == "FormSubmitter:join_form-Войти"


class OneAnswer:
    """A server that answers one request with ``answer``, pausing at each ``CUT``."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.served = asyncio.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            for piece in self.answer.split(CUT):
                writer.write(piece)
                await writer.drain()
                await asyncio.sleep(0.01)
        finally:
            writer.close()
            await writer.wait_closed()
            self.served.set()

    async def ask(self, client):  # type: ignore[no-untyped-def]
        server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        async with server:
            result = await client(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}")
            await self.served.wait()
        return result


def chunked(*pieces: bytes) -> bytes:
    return CUT.join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + CUT + b"0\r\n\r\n"


def test_the_event_stream_reader_hears_events_split_across_chunks_and_skips_heartbeats() -> None:
    head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n" + CUT
    body = chunked(
        b'retry: 2000\nevent: hello\ndata: {"boot": "b1"}\n\n',
        b": ping\n\n",
        b"event: cha",
        b"nge\ndata: step,timer\r\n\r\n",
    )

    async def read(base: str) -> list[tuple[str, str]]:
        return [(e.name, e.data) async for e in event_stream(base, "/live/ABC234?kinds=step")]

    assert run_apart(lambda: OneAnswer(head + body).ask(read)) == [
        ("hello", '{"boot": "b1"}'),
        ("change", "step,timer"),
    ]
