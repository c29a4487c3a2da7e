"""A workshop as a JSON file and back: nothing lost, no secret out, a bad file refused whole.

The original is built through the services in an SQLite file (a tie the facilitator breaks, a tie
settled by a runoff, dot voting, a merge, an edited note, a hand-off with its history); the copy
goes into the test database, which is PostgreSQL when TEST_DATABASE_URL names one.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, col, func, select

from tests.conftest import BUILTIN_MAP
from tests.scenario import IDEAS, PEOPLE, build_workshop
from workshop import services
from workshop.db.engine import make_engine
from workshop.db.models import (
    Ballot,
    BallotMark,
    Handoff,
    HandoffEvent,
    Note,
    Participant,
    Pick,
    Poll,
    PollOption,
    ShareLink,
    StepLog,
    Trend,
    TrendMap,
    TrendMapVersion,
    Workshop,
    column_length,
)
from workshop.i18n import known
from workshop.managers import handoff as handoff_service
from workshop.maps.store import document_of, install_builtin_maps, latest_versions, save_map, trends_of
from workshop.rules.errors import AccessDenied, InvalidInput, NotFound
from workshop.rules.limits import NAME_MAX, NOTE_MAX
from workshop.rules.security import hash_secret
from workshop.transfer import export_json, import_json, schema

if TYPE_CHECKING:
    from tests.conftest import Group

SHARE_TOKEN = "read-only-link-token-of-the-original"
MERGED, KEPT = "Дорого", "Дорого для семьи"
TYPO, FIXED = "Курьеры опаздывают", "Курьеры часто опаздывают"
HOSTILE_IDEA = ("Курьер «за углом» <b>{name}</b> 💸", "рецепт ведёт к покупке; ' OR 1=1 --")


# --------------------------------------------------------------------------- the original


@dataclass
class Original:
    engine: Engine
    workshop_id: int
    code: str
    key: str
    tokens: list[str]
    data: bytes

    @property
    def document(self) -> dict[str, Any]:
        return json.loads(self.data)


def finish_with_a_runoff(session: Session, workshop_id: int, people: list[int]) -> None:
    """From the obstacle wall to the end: a merge, a fixed typo, a tie settled by a runoff, dot
    voting on the innovations, the method's check."""
    wid = workshop_id
    notes = {n.text: n for n in session.exec(select(Note).where(Note.workshop_id == wid)).all()}
    services.merge_notes(
        session=session, workshop_id=wid, keep_id=notes[KEPT].id, merge_ids=[notes[MERGED].id]
    )
    services.edit_note(session=session, workshop_id=wid, note_id=notes[TYPO].id, text=FIXED)
    services.set_display(
        session=session,
        workshop_id=wid,
        show_authors=True,
        sound=True,
        join_base_url="http://192.168.1.20:8501",
    )
    services.advance(session=session, workshop_id=wid)

    poll = services.current_poll(session=session, workshop=session.get(Workshop, wid))
    services.open_poll(session=session, workshop_id=wid, poll_id=poll.id)
    options = services.options_of(session=session, poll_id=poll.id)
    for i, pid in enumerate(people):  # two dots each, half on each of two notes: a tie
        services.cast_ballot(
            session=session, participant_id=pid, poll_id=poll.id, marks={options[i % 2].id: 2}
        )
    assert services.close_poll(session=session, workshop_id=wid, poll_id=poll.id).tie
    services.reveal_poll(session=session, workshop_id=wid, poll_id=poll.id)
    runoff = services.start_runoff(session=session, workshop_id=wid, poll_id=poll.id)
    tied = services.options_of(session=session, poll_id=runoff.id)
    for i, pid in enumerate(people):
        services.cast_ballot(
            session=session, participant_id=pid, poll_id=runoff.id, marks={tied[i // 4].id: 1}
        )
    assert services.close_poll(session=session, workshop_id=wid, poll_id=runoff.id).winner == tied[0].id
    services.reveal_poll(session=session, workshop_id=wid, poll_id=runoff.id)
    services.advance(session=session, workshop_id=wid)

    for pid, (idea, why) in zip(people, [*IDEAS, HOSTILE_IDEA], strict=False):
        services.add_note(session=session, participant_id=pid, text=idea, rationale=why)
    services.advance(session=session, workshop_id=wid)
    poll = services.current_poll(session=session, workshop=session.get(Workshop, wid))
    services.open_poll(session=session, workshop_id=wid, poll_id=poll.id)
    first, second = services.options_of(session=session, poll_id=poll.id)[:2]
    for i, pid in enumerate(people):
        marks = {first.id: 2} if i % 3 == 0 else {first.id: 1, second.id: 1}
        services.cast_ballot(session=session, participant_id=pid, poll_id=poll.id, marks=marks)
    services.close_poll(session=session, workshop_id=wid, poll_id=poll.id)
    services.reveal_poll(session=session, workshop_id=wid, poll_id=poll.id)
    services.advance(session=session, workshop_id=wid)
    services.confirm_agreement(session=session, workshop_id=wid)
    services.advance(session=session, workshop_id=wid)


def hand_off(session: Session, workshop_id: int) -> None:
    """A hand-off with two changes (through the hand-off service), a read-only link, open voting."""
    made = handoff_service.assign(
        session=session,
        workshop_id=workshop_id,
        name="Мария Петрова",
        email="maria@example.com",
        role="Менеджер продукта",
        by="Юлия",
        note="Проверить спрос",
    )
    handoff_service.change_status(
        session=session,
        handoff_id=made.id,
        status="checking",
        by="Мария Петрова",
        note="Опросили 12 семей.\nДвое готовы платить.",
        links="https://example.com/survey\nhttps://example.com/notes",
    )
    session.add(ShareLink(workshop_id=workshop_id, token_hash=hash_secret(SHARE_TOKEN), created_by="Юлия"))
    workshop = session.get(Workshop, workshop_id)
    workshop.open_voting = True
    session.add(workshop)
    session.commit()


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Original]:
    url = f"sqlite:///{tmp_path_factory.mktemp('original') / 'original.db'}"
    built = build_workshop(
        url, stop="obstacles_write", settings=services.Settings(votes_per_person=2, cap_per_option=2)
    )
    engine = make_engine(url)
    with Session(engine) as session:
        finish_with_a_runoff(session, built.workshop_id, built.participant_ids)
        hand_off(session, built.workshop_id)
        data = export_json(session=session, workshop_id=built.workshop_id)
    yield Original(engine, built.workshop_id, built.code, built.key, built.tokens, data)
    engine.dispose()


# --------------------------------------------------------------------------- helpers


def without_export_time(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "exported_at"}


def rows_of(session: Session, workshop_id: int) -> dict[str, int]:
    """How many rows of each table belong to the workshop."""
    workshop = session.get(Workshop, workshop_id)
    polls = select(Poll.id).where(Poll.workshop_id == workshop_id)
    ballots = select(Ballot.id).where(col(Ballot.poll_id).in_(polls))
    handoffs = select(Handoff.id).where(Handoff.workshop_id == workshop_id)

    def count(model: type, *where: Any) -> int:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()

    return {
        "trend": count(Trend, Trend.version_id == workshop.trend_map_version_id),
        "participant": count(Participant, Participant.workshop_id == workshop_id),
        "pick": count(Pick, Pick.workshop_id == workshop_id),
        "note": count(Note, Note.workshop_id == workshop_id),
        "poll": count(Poll, Poll.workshop_id == workshop_id),
        "polloption": count(PollOption, col(PollOption.poll_id).in_(polls)),
        "ballot": count(Ballot, col(Ballot.poll_id).in_(polls)),
        "ballotmark": count(BallotMark, col(BallotMark.ballot_id).in_(ballots)),
        "steplog": count(StepLog, StepLog.workshop_id == workshop_id),
        "handoff": count(Handoff, Handoff.workshop_id == workshop_id),
        "handoffevent": count(HandoffEvent, col(HandoffEvent.handoff_id).in_(handoffs)),
    }


def every_table(session: Session, skip: frozenset[str] | set[str] = frozenset()) -> dict[str, int]:
    return {
        table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in SQLModel.metadata.sorted_tables
        if table.name not in skip
    }


def results(session: Session, workshop_id: int) -> dict[tuple[str, int], dict[str, Any]]:
    """Each vote's count by option label, its winner and how it was decided."""
    found = {}
    for poll in session.exec(select(Poll).where(Poll.workshop_id == workshop_id)).all():
        options = {o.id: o.label for o in services.options_of(session=session, poll_id=poll.id)}
        result = services.count_poll(session=session, poll_id=poll.id)
        found[(poll.subject, poll.round)] = {
            "counts": {options[o]: n for o, n in result.counts.items()},
            "leaders": sorted(options[o] for o in result.leaders),
            "winner": options.get(poll.winner_option_id),
            "decided_by": poll.decided_by,
            "status": poll.status,
        }
    return found


def chosen(session: Session, workshop_id: int) -> tuple[str, str, str]:
    workshop = session.get(Workshop, workshop_id)
    trend = session.get(Trend, workshop.chosen_trend_id)
    obstacle = session.get(Note, workshop.chosen_obstacle_id)
    innovation = session.get(Note, workshop.chosen_innovation_id)
    assert trend.version_id == workshop.trend_map_version_id
    assert obstacle.workshop_id == innovation.workshop_id == workshop_id
    return trend.code, obstacle.text, innovation.text


def refusal(session: Session, data: bytes) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        import_json(session=session, data=data)
    assert known(caught.value.key), caught.value.key
    return caught.value


# --------------------------------------------------------------------------- without loss


def test_a_finished_workshop_comes_back_from_its_file_without_loss(
    original: Original, session: Session
) -> None:
    copy_ = import_json(session=session, data=original.data)
    again = json.loads(export_json(session=session, workshop_id=copy_.id))

    assert without_export_time(again) == without_export_time(original.document)
    assert copy_.code == original.code  # free here, so kept


def test_every_table_has_as_many_rows_in_the_copy_as_in_the_original(
    original: Original, session: Session
) -> None:
    with Session(original.engine) as source:
        expected = rows_of(source, original.workshop_id)

    copy_ = import_json(session=session, data=original.data)

    assert all(expected.values()), expected  # the original has rows in every table
    assert rows_of(session, copy_.id) == expected


def test_votes_count_the_same_in_the_copy(original: Original, session: Session) -> None:
    with Session(original.engine) as source:
        expected = results(source, original.workshop_id)

    copy_ = import_json(session=session, data=original.data)

    assert results(session, copy_.id) == expected
    assert expected[("trend", 1)]["decided_by"] == "facilitator"
    assert expected[("obstacle", 1)]["leaders"] == sorted([KEPT, "Долго ждать курьера"])
    assert expected[("obstacle", 2)]["winner"] == KEPT
    assert max(expected[("obstacle", 1)]["counts"].values()) == 6  # two dots from each of three


def test_the_chosen_trend_obstacle_and_innovation_point_at_the_same_rows(
    original: Original, session: Session
) -> None:
    with Session(original.engine) as source:
        expected = chosen(source, original.workshop_id)

    copy_ = import_json(session=session, data=original.data)

    assert chosen(session, copy_.id) == expected == (expected[0], KEPT, IDEAS[0][0])


def test_merges_and_edits_keep_their_notes_and_originals(original: Original, session: Session) -> None:
    copy_ = import_json(session=session, data=original.data)

    notes = {n.text: n for n in session.exec(select(Note).where(Note.workshop_id == copy_.id)).all()}
    assert notes[MERGED].merged_into_id == notes[KEPT].id
    assert notes[FIXED].original_text == TYPO and notes[FIXED].edited_at is not None
    assert notes[HOSTILE_IDEA[0]].rationale == HOSTILE_IDEA[1]


def test_the_step_log_names_the_copys_own_notes_and_options(original: Original, session: Session) -> None:
    copy_ = import_json(session=session, data=original.data)

    log = {
        e.event: e.detail for e in session.exec(select(StepLog).where(StepLog.workshop_id == copy_.id)).all()
    }
    notes = {n.text: n.id for n in session.exec(select(Note).where(Note.workshop_id == copy_.id)).all()}
    trend_vote = session.exec(select(Poll).where(Poll.workshop_id == copy_.id, Poll.subject == "trend")).one()
    assert log["merged"] == f"{notes[KEPT]} <- {notes[MERGED]}"
    assert log["edited"] == str(notes[FIXED])
    assert log["decided_by_facilitator"] == f"round 1: option {trend_vote.winner_option_id}"


def test_cyrillic_is_written_as_letters_and_survives(original: Original, session: Session) -> None:
    copy_ = import_json(session=session, data=original.data)

    assert "Анна".encode() in original.data and b"\\u04" not in original.data
    names = [p.name for p in services.roster(session=session, workshop_id=copy_.id)]
    assert names == [name for name, _department in PEOPLE[:6]]
    handoff = session.exec(select(Handoff).where(Handoff.workshop_id == copy_.id)).one()
    assert handoff.assignee_name == "Мария Петрова"


def test_a_hand_off_keeps_its_history_and_links(original: Original, session: Session) -> None:
    copy_ = import_json(session=session, data=original.data)

    handoff = session.exec(select(Handoff).where(Handoff.workshop_id == copy_.id)).one()
    events = session.exec(
        select(HandoffEvent).where(HandoffEvent.handoff_id == handoff.id).order_by(HandoffEvent.id)
    ).all()
    assert [(e.change, e.status) for e in events] == [("assigned", "new"), ("status", "checking")]
    assert events[1].links == "https://example.com/survey\nhttps://example.com/notes"
    assert events[1].note == "Опросили 12 семей.\nДвое готовы платить."


def test_a_workshop_in_the_lobby_round_trips_within_one_installation(
    session: Session, workshop_factory: Callable[..., Group]
) -> None:
    group = workshop_factory(5)
    data = export_json(session=session, workshop_id=group.workshop.id)

    copy_ = import_json(session=session, data=data)

    document, again = json.loads(data), json.loads(export_json(session=session, workshop_id=copy_.id))
    assert copy_.code != group.workshop.code
    assert copy_.trend_map_version_id == group.workshop.trend_map_version_id
    document["workshop"]["code"] = again["workshop"]["code"]
    assert without_export_time(again) == without_export_time(document)
    assert document["handoff"] is None and document["polls"] == []


# --------------------------------------------------------------------------- secrets and ids


def test_the_file_holds_no_secret(original: Original) -> None:
    with Session(original.engine) as source:
        hashes = [p.token_hash for p in services.roster(session=source, workshop_id=original.workshop_id)]
        hashes.append(source.get(Workshop, original.workshop_id).facilitator_key_hash)

    text = original.data.decode()

    for secret in (*original.tokens, original.key, SHARE_TOKEN, hash_secret(SHARE_TOKEN), *hashes):
        assert secret not in text
    assert "token" not in text and "key_hash" not in text


def test_references_in_the_file_are_its_own_not_database_ids(original: Original) -> None:
    def keys(value: object) -> Iterator[str]:
        if isinstance(value, dict):
            for key, item in value.items():
                yield key
                yield from keys(item)
        elif isinstance(value, list):
            for item in value:
                yield from keys(item)

    document = original.document

    assert not [k for k in keys(document) if k.endswith("_id")]
    assert document["participants"][0]["ref"] == "p1"
    assert document["polls"][0]["ballots"][0]["participant"].startswith("p")
    assert document["workshop"]["chosen_obstacle"].startswith("n")
    assert document["workshop"]["chosen_trend"] in {t["code"] for t in document["trend_map"]["trends"]}


# Columns that are not in the file: the row's own id, the owner it hangs under, secrets, the map's
# built-in flag (this installation's own) and the revision counter (a new workshop starts its own).
NOT_IN_THE_FILE = {"id", "workshop_id", "poll_id", "ballot_id", "handoff_id", "version_id"}
NOT_IN_THE_FILE |= {"token_hash", "facilitator_key_hash", "revision", "trend_map_version_id", "builtin"}
NOT_IN_THE_FILE |= {"room_key_hash"}  # a secret too
NOT_IN_THE_FILE |= {"admission"}  # only who took part is in the file
# A group of an innovation day goes into its own file as a workshop of its own: the day is not in it.
NOT_IN_THE_FILE |= {"day_id", "group_number"}


# Where each table's row is in the file: keys and list indexes.
SECTIONS = [
    (Workshop, ("workshop",)),
    (TrendMap, ("trend_map",)),
    (Trend, ("trend_map", "trends", 0)),
    (Participant, ("participants", 0)),
    (Pick, ("picks", 0)),
    (Note, ("notes", 0)),
    (Poll, ("polls", 0)),
    (PollOption, ("polls", 0, "options", 0)),
    (Ballot, ("polls", 0, "ballots", 0)),
    (BallotMark, ("polls", 0, "ballots", 0, "marks", 0)),
    (StepLog, ("step_log", 0)),
    (Handoff, ("handoff",)),
    (HandoffEvent, ("handoff", "events", 0)),
]


@pytest.mark.parametrize(("model", "path"), SECTIONS, ids=[m.__name__ for m, _p in SECTIONS])
def test_every_column_but_secrets_and_database_ids_is_in_the_file(
    original: Original, model: type, path: tuple
) -> None:
    """A column added to a table fails this until the file carries it (``x_id`` becomes ``x``)."""
    columns = {c.name for c in model.__table__.columns} - NOT_IN_THE_FILE
    section: Any = original.document
    for name in path:
        section = section[name]

    written = set(section)

    assert {c.removesuffix("_option_id").removesuffix("_id") for c in columns} <= written


def test_a_file_of_the_first_version_imports_with_one_time_for_obstacles_and_ideas(
    original: Original, session: Session
) -> None:
    old = json.loads(original.data)
    old["version"] = 1
    old["workshop"]["write_minutes"] = 12
    for name in ("ideas_minutes", "locked"):
        del old["workshop"][name]

    copy_ = import_json(session=session, data=json.dumps(old).encode())

    assert (copy_.write_minutes, copy_.ideas_minutes, copy_.locked) == (12, 12, False)


def test_the_copy_has_new_secrets_that_nobody_holds(original: Original, session: Session) -> None:
    copy_ = import_json(session=session, data=original.data)

    for token in original.tokens:
        assert services.participant_by_token(session=session, token=token) is None
    with pytest.raises(AccessDenied):
        services.facilitated_workshop(session=session, code=copy_.code, key=original.key)
    assert session.exec(select(func.count()).select_from(ShareLink)).one() == 0


# --------------------------------------------------------------------------- codes and maps


def test_importing_the_same_file_twice_makes_two_workshops_the_second_with_a_new_code(
    original: Original, session: Session
) -> None:
    first = import_json(session=session, data=original.data)
    second = import_json(session=session, data=original.data)

    assert first.code == original.code
    assert second.code != original.code and len(second.code) == 6
    assert rows_of(session, first.id) == rows_of(session, second.id)
    assert session.exec(select(func.count()).select_from(TrendMapVersion)).one() == 1


def test_an_identical_map_version_here_is_reused(original: Original, session: Session) -> None:
    install_builtin_maps(session=session)
    builtin = next(v for m, v in latest_versions(session=session) if m.id == BUILTIN_MAP)
    versions = session.exec(select(func.count()).select_from(TrendMapVersion)).one()

    copy_ = import_json(session=session, data=original.data)

    assert copy_.trend_map_version_id == builtin.id
    assert session.exec(select(func.count()).select_from(TrendMapVersion)).one() == versions


def test_the_map_is_created_when_this_installation_has_none(original: Original, session: Session) -> None:
    copy_ = import_json(session=session, data=original.data)

    trend_map = session.get(TrendMap, BUILTIN_MAP)
    written = original.document["trend_map"]
    assert (trend_map.title_ru, trend_map.year, trend_map.builtin) == (
        written["title_ru"],
        written["year"],
        False,
    )
    codes = [t.code for t in trends_of(session=session, version_id=copy_.trend_map_version_id)]
    assert codes == [t["code"] for t in written["trends"]]


def test_a_map_here_with_other_trends_is_left_alone_and_the_file_gets_an_archive_map(
    original: Original, session: Session
) -> None:
    with Session(original.engine) as source:
        document = document_of(
            session=source, version_id=source.get(Workshop, original.workshop_id).trend_map_version_id
        )
    document["title"]["ru"] = "Наша карта"
    document["trends"][0]["title"]["ru"] = "Другое название"
    save_map(session=session, data=document)

    copy_ = import_json(session=session, data=original.data)

    version = session.get(TrendMapVersion, copy_.trend_map_version_id)
    assert (version.map_id, version.version) == (f"{BUILTIN_MAP}-archive", 1)
    assert session.get(TrendMap, BUILTIN_MAP).title_ru == "Наша карта"
    assert session.get(TrendMap, f"{BUILTIN_MAP}-archive").title_ru.endswith("(архив)")
    # the installation's own map still starts new workshops with its own trends
    latest = next(v for m, v in latest_versions(session=session) if m.id == BUILTIN_MAP)
    assert trends_of(session=session, version_id=latest.id)[0].title_ru == "Другое название"
    # a second import of the same file reuses the archive map
    again = import_json(session=session, data=original.data)
    assert again.trend_map_version_id == copy_.trend_map_version_id
    first = trends_of(session=session, version_id=version.id)[0]
    assert first.title_ru == original.document["trend_map"]["trends"][0]["title_ru"]
    assert chosen(session, copy_.id)[0] == original.document["workshop"]["chosen_trend"]


# --------------------------------------------------------------------------- bad files


def put(path: str, value: Any) -> Callable[[dict], bytes]:
    """The valid file with the value at ``path`` (keys and list indexes, dotted) replaced."""

    def change(document: dict) -> bytes:
        *parents, last = (int(p) if p.isdigit() else p for p in path.split("."))
        target: Any = document
        for name in parents:
            target = target[name]
        target[last] = value
        return json.dumps(document, ensure_ascii=False).encode()

    return change


def drop(path: str) -> Callable[[dict], bytes]:
    def change(document: dict) -> bytes:
        *parents, last = (int(p) if p.isdigit() else p for p in path.split("."))
        target: Any = document
        for name in parents:
            target = target[name]
        del target[last]
        return json.dumps(document).encode()

    return change


def raw(old: str, new: str) -> Callable[[dict], bytes]:
    """The valid file's JSON text with ``old`` replaced by ``new``."""
    return lambda document: json.dumps(document, ensure_ascii=False).replace(old, new).encode()


def copy_participant(document: dict) -> bytes:
    document["participants"][1]["ref"] = document["participants"][0]["ref"]
    return json.dumps(document).encode()


def second_ballot(document: dict) -> bytes:
    ballots = document["polls"][0]["ballots"]
    ballots.append(copy.deepcopy(ballots[0]))
    return json.dumps(document).encode()


def mark_from_another_vote(document: dict) -> bytes:
    other = document["polls"][1]["options"][0]["ref"]
    document["polls"][0]["ballots"][0]["marks"][0]["option"] = other
    return json.dumps(document).encode()


def innovation_as_obstacle(document: dict) -> bytes:
    document["workshop"]["chosen_obstacle"] = document["workshop"]["chosen_innovation"]
    return json.dumps(document).encode()


# (case, the file, the message's key without "transfer.", the place it names)
BAD_FILES = [
    ("not JSON", lambda d: b'{"format": "innovation-workshop", oops', "not_json", None),
    ("random bytes", lambda d: random.Random(7).randbytes(4096), "not_utf8", None),
    ("empty", lambda d: b"", "empty", None),
    ("only blank lines", lambda d: b"\xef\xbb\xbf \r\n\n", "empty", None),
    ("over 5 MB", put("padding", "x" * 5_000_000), "too_big", None),
    ("10,000 levels deep", lambda d: b"[" * 10_000 + b"]" * 10_000, "too_deep", None),
    ("a list, not an object", lambda d: b"[]", "not_a_workshop", None),
    ("another format", put("format", "trend-map"), "not_a_workshop", None),
    ("version 3", put("version", 3), "wrong_version", None),
    ("version true", put("version", True), "wrong_version", None),
    ("NaN", raw('"deadline": null', '"deadline": NaN'), "bad_number", None),
    ("a 5000-digit number", raw('"round": 1', '"round": ' + "9" * 5000), "bad_number", None),
    ("a field named twice", raw('"version": 2', '"version": 2, "version": 3'), "duplicate_key", None),
    ("an unknown field", put("participants.0.token_hash", "f00d"), "unknown_field",
     "participants[1].token_hash"),
    ("a missing field", drop("notes.0.original_text"), "missing", "notes[1].original_text"),
    ("text where a list belongs", put("participants", "Анна"), "not_list", "participants"),
    ("a number where text belongs", put("workshop.title", 42), "not_text", "workshop.title"),
    ("true where a number belongs", put("polls.0.round", True), "not_whole_number", "polls[1].round"),
    ("an object where a list belongs", put("polls.0.options", {}), "not_list", "polls[1].options"),
    ("a name over its limit", put("participants.2.name", "Я" * (NAME_MAX + 1)), "too_long",
     "participants[3].name"),
    ("a note over its limit", put("notes.0.text", "я" * (NOTE_MAX + 1)), "too_long", "notes[1].text"),
    ("an empty name", put("participants.0.name", ""), "empty_text", "participants[1].name"),
    ("a time without a zone", put("participants.0.joined_at", "2026-03-01T10:00"), "bad_datetime",
     "participants[1].joined_at"),
    ("a time that is not one", put("workshop.created_at", "вчера"), "bad_datetime", "workshop.created_at"),
    ("a ballot of nobody", put("polls.0.ballots.0.participant", "p99"), "unknown_ref",
     "polls[1].ballots[1].participant"),
    ("a mark for another vote", mark_from_another_vote, "unknown_ref", "polls[1].ballots[1].marks[1].option"),
    ("a pick of no trend", put("picks.0.trend", "ZZZ"), "unknown_ref", "picks[1].trend"),
    ("a merge into no note", put("notes.0.merged_into", "n999"), "unknown_ref", "notes[1].merged_into"),
    ("an innovation as the obstacle", innovation_as_obstacle, "wrong_kind", "workshop.chosen_obstacle"),
    ("a trend vote listing a note", put("polls.0.options.0.note", "n1"), "option_subject",
     "polls[1].options[1]"),
    ("two participants with one id", copy_participant, "duplicate_ref", "participants[2].ref"),
    ("two ballots of one person", second_ballot, "duplicate_entry", None),
    ("an unknown step", put("workshop.step", "party"), "bad_choice", "workshop.step"),
    ("an unknown vote status", put("polls.0.status", "rigged"), "bad_choice", "polls[1].status"),
    ("a setting out of range", put("workshop.picks_max", 50), "out_of_range", "workshop.picks_max"),
    ("more dots than allowed", put("polls.0.ballots.0.marks.0.dots", 3), "bad_ballot",
     "polls[1].ballots[1].marks"),
    ("a NUL character", put("notes.0.text", "Дорого\x00"), "bad_characters", "notes[1].text"),
    ("a lone surrogate", raw('"Анна"', '"\\ud800"'), "bad_characters",
     "participants[1].name"),
    ("a right-to-left override", put("participants.0.name", "Анна\u202e"), "not_clean",
     "participants[1].name"),
    ("a line break in a department", put("participants.0.department", "Продажи\nИТ"), "not_clean",
     "participants[1].department"),
    ("a map id that is no slug", put("trend_map.id", "Not a slug"), "bad_map", None),
    ("a join code in lowercase", put("workshop.code", "abc234"), "bad_code", "workshop.code"),
    ("a script address", put("workshop.join_base_url", "javascript:alert(1)"), "bad_url",
     "workshop.join_base_url"),
    ("an unknown hand-off change", put("handoff.events.1.change", "deleted"), "bad_choice",
     "handoff.events[2].change"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "make", "key", "where"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_a_bad_file_is_refused_with_a_message_and_changes_nothing(
    original: Original,
    session: Session,
    workshop_factory: Callable[..., Group],
    case: str,
    make: Callable[[dict], bytes],
    key: str,
    where: str | None,
) -> None:
    workshop_factory(5)  # the installation already holds a map and a workshop
    before = every_table(session)
    data = make(copy.deepcopy(original.document))

    refused = refusal(session, data)

    assert refused.key == f"transfer.{key}"
    if where is not None:
        assert refused.args_dict["where"] == where
    session.rollback()
    assert every_table(session) == before


def paths(value: Any, path: tuple = ()) -> Iterator[tuple]:
    """Every place in the file, looking into the first entry of each list only."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*path, key))
    elif isinstance(value, list) and value:
        yield from paths(value[0], (*path, 0))


def test_any_wrong_value_anywhere_is_refused_with_a_message_never_an_exception(
    original: Original, session: Session
) -> None:
    places = [p for p in paths(original.document) if p]
    stored = 0

    for place in places:
        for wrong in (None, "ж", -1, [], {}, "ж" * 2001):
            document = copy.deepcopy(original.document)
            target = document
            for name in place[:-1]:
                target = target[name]
            target[place[-1]] = wrong
            try:
                import_json(session=session, data=json.dumps(document).encode())
            except InvalidInput as refused:
                assert known(refused.key), (place, wrong, refused.key)
            else:
                stored += 1

    assert len(places) > 100
    assert session.exec(select(func.count()).select_from(Workshop)).one() == stored


def test_a_failure_while_writing_leaves_neither_the_workshop_nor_its_map(
    original: Original, session: Session, engine: Engine
) -> None:
    """The hand-off's history is written last; a database without its table fails there."""
    HandoffEvent.__table__.drop(engine)

    with pytest.raises(DBAPIError):
        import_json(session=session, data=original.data)

    session.rollback()
    counts = every_table(session, skip={HandoffEvent.__tablename__})
    assert counts["workshop"] == counts["trendmap"] == counts["trendmapversion"] == 0
    assert set(counts.values()) == {0}


# --------------------------------------------------------------------------- export


def test_exporting_an_unknown_workshop_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound) as caught:
        export_json(session=session, workshop_id=404)

    assert caught.value.key == "error.workshop_not_found"


def test_a_record_pointing_outside_its_map_is_not_exported_but_named(
    session: Session, workshop_factory: Callable[..., Group]
) -> None:
    group = workshop_factory(5)
    other = next(v for m, v in latest_versions(session=session) if m.id != BUILTIN_MAP)
    stranger = trends_of(session=session, version_id=other.id)[0]
    session.add(Pick(workshop_id=group.workshop.id, participant_id=group.ids[0], trend_id=stranger.id))
    session.commit()

    with pytest.raises(NotFound) as caught:
        export_json(session=session, workshop_id=group.workshop.id)

    assert (caught.value.key, caught.value.args_dict["where"]) == (
        "transfer.export_inconsistent",
        "picks[1].trend",
    )


# --------------------------------------------------------------------------- the file's schema

# (the place changed in the valid file, the place the refusal names)
UNKNOWN_FIELDS = [
    ("comment", "comment"),
    ("workshop.facilitator_key_hash", "workshop.facilitator_key_hash"),
    ("trend_map.trends.0.builtin", "trend_map.trends[1].builtin"),
    ("polls.1.options.0.id", "polls[2].options[1].id"),
    ("polls.0.ballots.0.marks.0.weight", "polls[1].ballots[1].marks[1].weight"),
    ("handoff.events.1.by_email", "handoff.events[2].by_email"),
    ("step_log.0.a key with spaces", "step_log[1].a?key?with?spaces"),
]


@pytest.mark.parametrize(("path", "where"), UNKNOWN_FIELDS, ids=[w for _p, w in UNKNOWN_FIELDS])
def test_an_unknown_field_at_any_depth_is_refused_naming_the_field(
    original: Original, session: Session, path: str, where: str
) -> None:
    refused = refusal(session, put(path, "x")(copy.deepcopy(original.document)))

    assert (refused.key, refused.args_dict["where"]) == ("transfer.unknown_field", where)
    assert session.exec(select(func.count()).select_from(Workshop)).one() == 0


def test_an_objects_unknown_field_is_named_before_its_missing_and_bad_ones(
    original: Original, session: Session
) -> None:
    document = copy.deepcopy(original.document)
    note = document["notes"][1]
    del note["original_text"]
    note["text"] = 42
    note["colour"] = "yellow"

    refused = refusal(session, json.dumps(document).encode())

    assert (refused.key, refused.args_dict["where"]) == ("transfer.unknown_field", "notes[2].colour")
    del note["colour"]
    refused = refusal(session, json.dumps(document).encode())
    assert (refused.key, refused.args_dict["where"]) == ("transfer.missing", "notes[2].original_text")


STRICT_VALUES = [
    ("polls.0.round", "1", "not_whole_number", "polls[1].round"),
    ("polls.0.round", 1.0, "not_whole_number", "polls[1].round"),
    ("workshop.sound", 1, "not_boolean", "workshop.sound"),
    ("workshop.paused_remaining", "30", "not_number", "workshop.paused_remaining"),
    ("workshop.paused_remaining", False, "not_number", "workshop.paused_remaining"),
    ("participants.0.name", ["Анна"], "not_text", "participants[1].name"),
    ("handoff", [], "not_object", "handoff"),
    ("handoff.events.0.links", "https://example.com", "not_list", "handoff.events[1].links"),
    ("polls.0.ballots.0.participant", 1, "unknown_ref", "polls[1].ballots[1].participant"),
]


@pytest.mark.parametrize(
    ("path", "value", "key", "where"), STRICT_VALUES, ids=[f"{c[0]}={c[1]!r}" for c in STRICT_VALUES]
)
def test_the_file_is_read_strictly_a_value_of_another_type_is_refused(
    original: Original, session: Session, path: str, value: Any, key: str, where: str
) -> None:
    refused = refusal(session, put(path, value)(copy.deepcopy(original.document)))

    assert (refused.key, refused.args_dict["where"]) == (f"transfer.{key}", where)


def test_a_whole_number_of_seconds_paused_is_a_number(original: Original, session: Session) -> None:
    copy_ = import_json(session=session, data=put("workshop.paused_remaining", 90)(original.document))

    assert copy_.paused_remaining == 90.0


# (the table and column a text is stored in, its place in the file)
COLUMN_TEXTS = [
    (Participant, "name", "participants.0.name", "participants[1].name"),
    (Participant, "department", "participants.1.department", "participants[2].department"),
    (Note, "rationale", "notes.0.rationale", "notes[1].rationale"),
    (PollOption, "label", "polls.0.options.0.label", "polls[1].options[1].label"),
    (Handoff, "assignee_email", "handoff.assignee_email", "handoff.assignee_email"),
    (Trend, "title_en", "trend_map.trends.0.title_en", "trend_map.trends[1].title_en"),
    (TrendMap, "title_ru", "trend_map.title_ru", "trend_map.title_ru"),
    (Workshop, "product", "workshop.product", "workshop.product"),
]


@pytest.mark.parametrize(("model", "column", "path", "where"), COLUMN_TEXTS, ids=[c[3] for c in COLUMN_TEXTS])
def test_a_text_longer_than_its_column_is_refused_with_the_columns_limit(
    original: Original, session: Session, model: type, column: str, path: str, where: str
) -> None:
    longest = column_length(model, column)

    refused = refusal(session, put(path, "ж" * (longest + 1))(copy.deepcopy(original.document)))

    assert refused.key == "transfer.too_long"
    assert refused.args_dict == {"where": where, "max": longest}


def test_a_text_as_long_as_its_column_is_stored(original: Original, session: Session) -> None:
    longest = column_length(Participant, "name")

    copy_ = import_json(session=session, data=put("participants.0.name", "Ж" * longest)(original.document))

    names = [p.name for p in services.roster(session=session, workshop_id=copy_.id)]
    assert names[0] == "Ж" * longest


def test_column_length_is_the_tables_own_limit() -> None:
    assert column_length(Participant, "name") == NAME_MAX
    assert column_length(Note, "text") == NOTE_MAX
    with pytest.raises(TypeError):
        column_length(HandoffEvent, "note")  # unbounded text


SECTIONS_OF_THE_SCHEMA = [
    (schema.WorkshopFile, ()),
    (schema.WorkshopPart, ("workshop",)),
    (schema.TrendMapPart, ("trend_map",)),
    (schema.TrendRow, ("trend_map", "trends", 0)),
    (schema.ParticipantRow, ("participants", 0)),
    (schema.PickRow, ("picks", 0)),
    (schema.NoteRow, ("notes", 0)),
    (schema.PollRow, ("polls", 0)),
    (schema.OptionRow, ("polls", 0, "options", 0)),
    (schema.BallotRow, ("polls", 0, "ballots", 0)),
    (schema.MarkRow, ("polls", 0, "ballots", 0, "marks", 0)),
    (schema.LogRow, ("step_log", 0)),
    (schema.HandoffPart, ("handoff",)),
    (schema.HandoffEventRow, ("handoff", "events", 0)),
]


@pytest.mark.parametrize(
    ("part", "path"), SECTIONS_OF_THE_SCHEMA, ids=[p.__name__ for p, _path in SECTIONS_OF_THE_SCHEMA]
)
def test_the_schema_has_exactly_the_fields_the_export_writes(
    original: Original, part: type, path: tuple
) -> None:
    section: Any = original.document
    for name in path:
        section = section[name]

    assert sorted(part.model_fields) == sorted(section)


@pytest.mark.parametrize("constant", ["Infinity", "-Infinity"])
def test_infinity_is_refused_like_nan(original: Original, session: Session, constant: str) -> None:
    data = raw('"deadline": null', f'"deadline": {constant}')(copy.deepcopy(original.document))

    assert refusal(session, data).key == "transfer.bad_number"


def test_every_problem_the_schema_names_has_a_message() -> None:
    keys = {f"transfer.{problem}" for problem in schema.PROBLEMS}
    keys |= {key for key, _args in schema._PYDANTIC.values()} | {"transfer.bad_value"}

    assert sorted(key for key in keys if not known(key)) == []


def test_a_value_refused_for_a_reason_the_format_has_no_message_for_is_still_named() -> None:
    error: Any = {"type": "uuid_parsing", "loc": ("polls", 1, "options", 0, "label"), "msg": "?", "input": 1}

    refused = schema.refusal(error)

    assert (refused.key, refused.args_dict) == (
        "transfer.bad_value",
        {"where": "polls[2].options[1].label"},
    )
