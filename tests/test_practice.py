"""Simulated participants without a server: what they type and choose, how their phone reads a
page and an event stream."""

from __future__ import annotations

import asyncio
import json
import random
import re
from collections import Counter

import pytest
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from practice import content
from practice.participant import Action
from practice.room import MAX_GROUP, reserve_names, start_practice
from practice.wsclient import Phone, ProtocolError, Run, event_stream, http_get, live_trigger, run_apart
from workshop.limits import DEPARTMENT_MAX, NAME_MAX, NOTE_MAX, RATIONALE_MAX

CYRILLIC = re.compile(r"[а-яё]", re.I)
SEEDS = range(200)
CODES = [f"J{n}" for n in range(1, 13)]
CUT = b"\x00"  # where the fake server pauses between writes


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


def test_labels_are_read_as_shown_without_markdown_escapes() -> None:
    assert content.plain(r"J1 · «Я хочу знать» \(2017\)\.") == "J1 · «Я хочу знать» (2017)."


def test_an_actions_latency_is_from_sent_to_done() -> None:
    action = Action("vote", "J1", sent_at=10.0, done_at=10.25, ok=True)

    assert action.latency == pytest.approx(0.25)
    assert action.error == ""


# --------------------------------------------------------------------------- reading a page


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


def test_a_run_finds_widgets_messages_and_the_live_element() -> None:
    live = {"code": "ABC234", "kinds": "step,poll,timer", "sig": "trends_vote|7|open||None", "poll_ms": 20000}
    run = Run(
        [
            element("bidi_component", "frag", id="$$ID-1-live_phone", json=json.dumps(live)),
            element("alert", "frag", body="Время вышло", format=Alert.ERROR),
            element("alert", "frag", body="Голос принят", format=Alert.SUCCESS),
            element("radio", "frag", id="$$ID-2-ballot_7", label="Выберите", options=["J1 · a", "J2 · b"]),
            element("button", "frag", id="$$ID-3-FormSubmitter:form_obstacle-Отправить", label="Отправить"),
            element("checkbox", "frag", id="$$ID-4-pick_37", label="**J1** · a", value=True, set_value=True),
            element("checkbox", "frag", id="$$ID-5-pick_38", label="**J2** · b"),
        ]
    )

    found = run.live()
    assert found is not None and found.data["sig"].startswith("trends_vote|7|open")
    assert found.fragment_id == "frag"
    assert live_trigger(found, "change:1").json_trigger_value == '[{"event": "event", "value": "change:1"}]'
    assert run.alerts_of("error") == ["Время вышло"]
    assert run.alerts_of("success") == ["Голос принят"]
    assert run.widget("radio", "ballot_7").options == ["J1 · a", "J2 · b"]
    assert run.form_submitter("form_obstacle") is not None
    assert [(w.key, w.value) for w in run.widgets("checkbox", "pick_")] == [
        ("pick_37", True),
        ("pick_38", False),
    ]
    assert run.values_set() == ["$$ID-4-pick_37"]
    assert run.find("radio", "ballot_8") is None


def test_a_large_element_the_phone_already_has_comes_back_from_a_hash() -> None:
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


# --------------------------------------------------------------------------- plain HTTP


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


def test_a_small_answer_is_read_to_its_length() -> None:
    body = b'{"rev":"3","phase":"lobby||||"}'
    answer = b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % len(body) + CUT + body

    async def read(base: str) -> tuple[int, bytes]:
        return await http_get(base, "/live/ABC234/sig")

    status, got = run_apart(lambda: OneAnswer(answer).ask(read))
    assert status == 200
    assert json.loads(got) == {"rev": "3", "phase": "lobby||||"}
