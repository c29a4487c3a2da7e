"""An innovation day as one JSON file and back: the day, its groups' workshops and the day-wide
vote survive, no secret goes out, a bad file is refused whole and writes nothing.

The original day is built through the services in an SQLite file of its own: three groups, two
run to the end and one still in its lobby with two people, the day started and its vote open with
four ballots. The copy goes into the test database, a fresh installation (PostgreSQL when
TEST_DATABASE_URL names one).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, func, select

from tests.conftest import BUILTIN_MAP
from tests.scenario import PEOPLE, _build
from workshop import services
from workshop.db.engine import create_tables, make_engine
from workshop.db.models import DayBallot, InnovationDay, Note, Participant, Workshop
from workshop.i18n import known
from workshop.maps.store import install_builtin_maps, latest_versions
from workshop.rules.enums import DayVote
from workshop.rules.errors import AccessDenied, InvalidInput, NotFound
from workshop.rules.security import room_key, secret_matches
from workshop.transfer import export_json
from workshop.transfer.day import (
    DayBallotRow,
    DayFile,
    DayPart,
    GroupRow,
    VoterPart,
    export_day_json,
    import_day_json,
)

TITLE, PRODUCT = "День инноваций", "Доставка продуктов"

# The day's ballots, cast in this order: (voter's group, voter's place in it, for group).
CAST = [(1, 0, 2), (1, 1, 2), (2, 0, 1), (2, 1, 1)]  # (voter group, voter, for group)


# --------------------------------------------------------------------------- the original


@dataclass
class Original:
    engine: Engine
    day_id: int
    key: str
    tokens: list[str]
    data: bytes

    @property
    def document(self) -> dict[str, Any]:
        return json.loads(self.data)


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Original]:
    url = f"sqlite:///{tmp_path_factory.mktemp('day') / 'original.db'}"
    engine = make_engine(url)
    create_tables(engine)
    with Session(engine) as session:
        install_builtin_maps(session=session)
        version = next(v.id for m, v in latest_versions(session=session) if m.id == BUILTIN_MAP)
        day, key = services.create_day(
            session=session,
            title=TITLE,
            product=PRODUCT,
            held_on="2026-12-03",
            map_version_id=version,
            settings=services.Settings(pick_minutes=5, notes_max=3, notes_min=2),
            groups=3,
        )
        groups = services.groups_of(session=session, day_id=day.id)
        keys = [(g.id, services.facilitator_key(key, g)) for g in groups]
        services.start_day(session=session, day_id=day.id)  # nobody in the rooms yet: all wait
        session.commit()  # the read ends: the builder writes through its own sessions
        built = [
            _build(engine, stop="finished", people=6, settings=None, existing=keys[0]),
            _build(engine, stop="finished", people=6, settings=None, existing=keys[1]),
            _build(engine, stop="lobby", people=2, settings=None, existing=keys[2]),
        ]
        services.open_day_vote(session=session, day_id=day.id)
        for voter_group, place, for_group in CAST:
            services.cast_day_ballot(
                session=session,
                participant_id=built[voter_group - 1].participant_ids[place],
                workshop_id=groups[for_group - 1].id,
            )
        data = export_day_json(session=session, day_id=day.id)
        tokens = [token for b in built for token in b.tokens]
        yield Original(engine, day.id, key, tokens, data)
    engine.dispose()


# --------------------------------------------------------------------------- helpers


def utc(value: datetime | None) -> datetime | None:
    """A stored time as UTC (SQLite gives it back without its zone)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def day_facts(session: Session, day_id: int) -> dict[str, Any]:
    day = session.get(InnovationDay, day_id)
    assert day is not None
    return {
        "title": day.title,
        "product": day.product,
        "held_on": day.held_on,
        "lang": day.lang,
        **{name: getattr(day, name) for name in services.Settings.setting_names()},
        "started_at": utc(day.started_at),
        "vote_status": day.vote_status,
    }


def groups_facts(session: Session, day_id: int) -> list[tuple[int, str, str, str, int]]:
    """Each group: its number, title, step, chosen innovation and how many took part."""
    found = []
    for group in services.groups_of(session=session, day_id=day_id):
        innovation = session.get(Note, group.chosen_innovation_id) if group.chosen_innovation_id else None
        people = services.roster(session=session, workshop_id=group.id)
        assert group.group_number is not None
        found.append(
            (group.group_number, group.title, group.step, innovation.text if innovation else "", len(people))
        )
    return found


def ballots_of(session: Session, day_id: int) -> list[tuple[int, str, int]]:
    """The day's ballots: the voter's group and name, the group they voted for."""
    found = []
    for ballot in session.exec(select(DayBallot).where(DayBallot.day_id == day_id)).all():
        voter = session.get(Participant, ballot.participant_id)
        assert voter is not None
        own, voted_for = session.get(Workshop, voter.workshop_id), session.get(Workshop, ballot.workshop_id)
        assert own is not None and voted_for is not None
        assert own.day_id == voted_for.day_id == day_id
        assert own.group_number is not None and voted_for.group_number is not None
        found.append((own.group_number, voter.name, voted_for.group_number))
    return sorted(found)


def every_table(session: Session, skip: frozenset[str] | set[str] = frozenset()) -> dict[str, int]:
    return {
        table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in SQLModel.metadata.sorted_tables
        if table.name not in skip
    }


def without_export_times(document: dict[str, Any]) -> dict[str, Any]:
    """The day file without the time each group's workshop was written out."""
    document = copy.deepcopy(document)
    for group in document["groups"]:
        del group["workshop"]["exported_at"]
    return document


def keys_of(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from keys_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from keys_of(item)


@pytest.fixture
def copied(original: Original, session: Session) -> tuple[InnovationDay, str]:
    """The original day imported into the test's fresh installation."""
    return import_day_json(session=session, data=original.data)


# --------------------------------------------------------------------------- without loss


def test_a_day_comes_back_with_its_facts_groups_innovations_and_ballots(
    original: Original, session: Session, copied: tuple[InnovationDay, str]
) -> None:
    day, _key = copied
    with Session(original.engine) as source:
        expected_day = day_facts(source, original.day_id)
        expected_groups = groups_facts(source, original.day_id)
        expected_ballots = ballots_of(source, original.day_id)

    assert day_facts(session, day.id) == expected_day
    assert expected_day["held_on"] == date(2026, 12, 3)
    assert (expected_day["pick_minutes"], expected_day["notes_max"], expected_day["notes_min"]) == (5, 3, 2)
    assert expected_day["vote_status"] == DayVote.OPEN and expected_day["started_at"] is not None
    assert groups_facts(session, day.id) == expected_groups
    assert [(n, title) for n, title, *_rest in expected_groups] == [
        (n, f"{TITLE} — группа {n}") for n in (1, 2, 3)
    ]
    assert [innovation != "" for *_rest, innovation, _people in expected_groups] == [True, True, False]
    assert ballots_of(session, day.id) == expected_ballots
    assert expected_ballots == sorted(
        (group, PEOPLE[place][0], for_group) for group, place, for_group in CAST
    )


def test_the_day_vote_counts_the_same_in_the_copy(
    original: Original, session: Session, copied: tuple[InnovationDay, str]
) -> None:
    day, _key = copied
    with Session(original.engine) as source:
        before = services.day_vote(session=source, day_id=original.day_id)
    after = services.day_vote(session=session, day_id=day.id)

    assert (after.status, after.ballots, after.people, after.leaders) == (
        before.status,
        before.ballots,
        before.people,
        before.leaders,
    )
    assert [(o.number, o.innovation, o.votes) for o in after.options] == [
        (o.number, o.innovation, o.votes) for o in before.options
    ]
    assert {o.number: o.votes for o in after.options} == {1: 2, 2: 2}


def test_exporting_the_copy_gives_the_same_file_but_for_each_workshops_export_time(
    original: Original, session: Session, copied: tuple[InnovationDay, str]
) -> None:
    """Into a fresh installation every group keeps its join code; the only values that must
    differ are the times each group's workshop was written out (``exported_at``). The day's own
    code, creation time and ballots' times are not in the file."""
    day, _key = copied
    again = json.loads(export_day_json(session=session, day_id=day.id))

    assert without_export_times(again) == without_export_times(original.document)
    assert [g["workshop"]["exported_at"] for g in again["groups"]] != [
        g["workshop"]["exported_at"] for g in original.document["groups"]
    ]


def test_importing_a_day_twice_makes_two_days_whose_groups_have_their_own_codes(
    original: Original, session: Session
) -> None:
    first, _key = import_day_json(session=session, data=original.data)
    second, _key = import_day_json(session=session, data=original.data)

    assert first.code != second.code
    first_codes = {g.code for g in services.groups_of(session=session, day_id=first.id)}
    second_codes = {g.code for g in services.groups_of(session=session, day_id=second.id)}
    assert len(first_codes) == len(second_codes) == 3 and not first_codes & second_codes
    assert ballots_of(session, first.id) == ballots_of(session, second.id)
    again = without_export_times(json.loads(export_day_json(session=session, day_id=second.id)))
    for group in again["groups"]:
        assert group["workshop"]["workshop"]["code"] in second_codes
        del group["workshop"]["workshop"]["code"]  # taken here by the first copy: a new one
    expected = without_export_times(original.document)
    for group in expected["groups"]:
        del group["workshop"]["workshop"]["code"]
    assert again == expected


def test_a_day_in_its_lobby_with_no_vote_round_trips_within_one_installation(
    session: Session, builtin_version: int
) -> None:
    day, _key = services.create_day(
        session=session,
        title=TITLE,
        product=PRODUCT,
        held_on="2026-12-03",
        map_version_id=builtin_version,
        settings=services.Settings(),
        groups=2,
        lang="en",
    )
    data = export_day_json(session=session, day_id=day.id)

    copy_, _key = import_day_json(session=session, data=data)

    assert (copy_.started_at, copy_.vote_status, copy_.lang) == (None, DayVote.NOT_OPENED, "en")
    assert copy_.trend_map_version_id == builtin_version  # the same map version here: reused
    assert [(n, step, people) for n, _t, step, _i, people in groups_facts(session, copy_.id)] == [
        (1, "lobby", 0),
        (2, "lobby", 0),
    ]
    again = json.loads(export_day_json(session=session, day_id=copy_.id))
    assert again["day"] == json.loads(data)["day"]
    assert again["day_ballots"] == []


# --------------------------------------------------------------------------- secrets and keys


def test_the_copy_has_a_new_code_and_organizer_key_that_open_it_its_gallery_and_its_groups(
    original: Original, session: Session, copied: tuple[InnovationDay, str]
) -> None:
    day, key = copied

    assert key != original.key
    assert secret_matches(key, day.organizer_key_hash)
    assert services.organized_day(session=session, code=day.code, key=key).id == day.id
    gallery = services.gallery_link_key(key, day)
    assert services.gallery_day(session=session, code=day.code, key=gallery).id == day.id
    with pytest.raises(AccessDenied):
        services.organized_day(session=session, code=day.code, key=original.key)
    for group in services.groups_of(session=session, day_id=day.id):
        facilitator = services.facilitator_key(key, group)
        assert services.facilitated_workshop(session=session, code=group.code, key=facilitator).id == group.id
        room = room_key(facilitator, group.code)
        assert services.room_workshop(session=session, code=group.code, room=room).id == group.id
        with pytest.raises(AccessDenied):
            services.facilitated_workshop(
                session=session, code=group.code, key=services.facilitator_key(original.key, group)
            )


def test_the_day_file_holds_no_secret_and_no_database_id(original: Original) -> None:
    with Session(original.engine) as source:
        day = source.get(InnovationDay, original.day_id)
        assert day is not None
        groups = services.groups_of(session=source, day_id=original.day_id)
        keys = [services.facilitator_key(original.key, g) for g in groups]
        secrets = [
            original.key,
            services.gallery_link_key(original.key, day),
            day.organizer_key_hash,
            day.gallery_key_hash,
            *keys,
            *(room_key(k, g.code) for k, g in zip(keys, groups, strict=True)),
            *(g.facilitator_key_hash for g in groups),
            *original.tokens,
        ]
        code = day.code

    text = original.data.decode()

    assert [s for s in secrets if s in text] == []
    assert code not in text
    assert not [k for k in keys_of(original.document) if k.endswith(("_id", "_hash")) or k == "token"]
    assert original.document["day_ballots"][0] == {"voter": {"group": 1, "participant": "p1"}, "for_group": 2}


def test_each_group_is_the_file_export_json_writes_for_its_workshop(original: Original) -> None:
    with Session(original.engine) as source:
        groups = services.groups_of(session=source, day_id=original.day_id)
        alone = [json.loads(export_json(session=source, workshop_id=g.id)) for g in groups]

    embedded = [g["workshop"] for g in original.document["groups"]]

    assert [g["number"] for g in original.document["groups"]] == [1, 2, 3]
    for inside, own in zip(embedded, alone, strict=True):
        assert {**inside, "exported_at": None} == {**own, "exported_at": None}


def test_the_schema_has_exactly_the_fields_the_export_writes(original: Original) -> None:
    document = original.document

    assert set(DayFile.model_fields) == set(document)
    assert set(DayPart.model_fields) == set(document["day"])
    assert set(GroupRow.model_fields) == set(document["groups"][0])
    assert set(DayBallotRow.model_fields) == set(document["day_ballots"][0])
    assert set(VoterPart.model_fields) == set(document["day_ballots"][0]["voter"])


# Columns of the day not in the file: its id, its join code, secrets, the map version (its groups
# carry the map), the revision counter and the creation time (a new day starts its own).
NOT_IN_THE_DAY = {"id", "code", "organizer_key_hash", "gallery_key_hash", "trend_map_version_id"}
NOT_IN_THE_DAY |= {"revision", "created_at"}


def test_every_column_of_the_day_but_secrets_and_database_ids_is_in_the_file(original: Original) -> None:
    """A column added to the day fails this until the file carries it."""
    columns = {c.name for c in InnovationDay.__table__.columns} - NOT_IN_THE_DAY  # type: ignore[attr-defined]

    assert columns == set(original.document["day"])


# --------------------------------------------------------------------------- refused whole


def put(path: str, value: Any) -> Callable[[dict[str, Any]], bytes]:
    """The valid file with the value at ``path`` (``groups.1.workshop.notes.0.text``) changed."""

    def change(document: dict[str, Any]) -> bytes:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        target: Any = document
        for name in parents:
            target = target[name]
        target[last] = value
        return json.dumps(document, ensure_ascii=False).encode()

    return change


def raw(old: str, new: str) -> Callable[[dict[str, Any]], bytes]:
    """The valid file's text with ``old`` (once) replaced by ``new``."""

    def change(document: dict[str, Any]) -> bytes:
        text = json.dumps(document, ensure_ascii=False)
        assert old in text
        return text.replace(old, new, 1).encode()

    return change


def a_workshop_file(document: dict[str, Any]) -> bytes:
    return json.dumps(document["groups"][0]["workshop"]).encode()


def a_second_ballot(document: dict[str, Any]) -> bytes:
    document["day_ballots"].append(dict(document["day_ballots"][0]))
    return json.dumps(document).encode()


# (case, the change, the refusal's key, the place it names or None)
BAD_FILES = [
    ("a workshop's file, not a day's", a_workshop_file, "not_a_workshop", None),
    ("another format", put("format", "innovation-week"), "not_a_workshop", None),
    ("another version", put("version", 2), "wrong_version", None),
    ("not JSON", lambda _d: b"{", "not_json", None),
    ("a key twice", raw('"format": "innovation-day"', '"format": "innovation-day", "format": "x"'),
     "duplicate_key", None),
    ("an unknown field at the top", put("exported_at", "2026-12-03T10:00:00+00:00"), "unknown_field",
     "exported_at"),
    ("an unknown field in the day", put("day.organizer_key", "x"), "unknown_field", "day.organizer_key"),
    ("an unknown field in a ballot", put("day_ballots.0.weight", 2), "unknown_field",
     "day_ballots[1].weight"),
    ("an unknown field in a voter", put("day_ballots.0.voter.name", "Анна"), "unknown_field",
     "day_ballots[1].voter.name"),
    ("a day without its title", lambda d: put("day", {k: v for k, v in d["day"].items() if k != "title"})(d),
     "missing", "day.title"),
    ("a title with a line break", put("day.title", "День\nинноваций"), "not_clean", "day.title"),
    ("a date that is no date", put("day.held_on", "3 декабря"), "bad_value", "day.held_on"),
    ("a date that does not exist", put("day.held_on", "2026-02-30"), "bad_value", "day.held_on"),
    ("a start without a time zone", put("day.started_at", "2026-12-03T09:00"), "bad_datetime",
     "day.started_at"),
    ("an unknown vote status", put("day.vote_status", "rigged"), "bad_choice", "day.vote_status"),
    ("a setting out of range for the map", put("day.picks_max", 50), "out_of_range", "day.picks_max"),
    ("no group", put("groups", []), "bad_value", "groups"),
    ("two groups with one number", put("groups.1.number", 1), "duplicate_entry", "groups[2].number"),
    ("a group number as text", put("groups.1.number", "2"), "not_whole_number", "groups[2].number"),
    ("a group number over twelve", put("groups.2.number", 13), "out_of_range", "groups[3].number"),
    ("a ballot for the voter's own group", put("day_ballots.0.for_group", 1), "bad_ballot",
     "day_ballots[1].for_group"),
    ("a ballot for a group without an innovation", put("day_ballots.0.for_group", 3), "bad_ballot",
     "day_ballots[1].for_group"),
    ("a ballot for no group", put("day_ballots.0.for_group", 9), "unknown_ref", "day_ballots[1].for_group"),
    ("a ballot of an unknown participant", put("day_ballots.0.voter.participant", "p99"), "unknown_ref",
     "day_ballots[1].voter.participant"),
    ("a ballot of someone the group does not have", put("day_ballots.3.voter.participant", "p7"),
     "unknown_ref", "day_ballots[4].voter.participant"),
    ("a ballot from no group", put("day_ballots.0.voter.group", 7), "unknown_ref",
     "day_ballots[1].voter.group"),
    ("two ballots of one person", a_second_ballot, "duplicate_entry", "day_ballots[5].voter"),
    ("ballots in a vote never opened", put("day.vote_status", ""), "bad_ballot", "day_ballots[1]"),
    ("a group's workshop that is a list", put("groups.0.workshop", []), "not_object", "groups[1].workshop"),
    ("a group's workshop of another format", put("groups.0.workshop.format", "x"), "not_a_workshop",
     "groups[1].workshop"),
    ("a group's workshop with an empty name", put("groups.1.workshop.participants.0.name", ""),
     "empty_text", "groups[2].workshop.participants[1].name"),
    ("a group's workshop with a ballot of nobody",
     put("groups.1.workshop.polls.0.ballots.0.participant", "p99"), "unknown_ref",
     "groups[2].workshop.polls[1].ballots[1].participant"),
    ("a group's workshop with an unknown field", put("groups.2.workshop.workshop.colour", "red"),
     "unknown_field", "groups[3].workshop.workshop.colour"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "make", "key", "where"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_a_bad_day_file_is_refused_whole_naming_the_place_and_nothing_is_written(
    original: Original,
    session: Session,
    builtin_version: int,
    case: str,
    make: Callable[[dict[str, Any]], bytes],
    key: str,
    where: str | None,
) -> None:
    services.create_day(  # the installation already holds a map and a day
        session=session,
        title=TITLE,
        product=PRODUCT,
        held_on="2026-12-03",
        map_version_id=builtin_version,
        settings=services.Settings(),
        groups=1,
    )
    before = every_table(session)
    data = make(copy.deepcopy(original.document))

    with pytest.raises(InvalidInput) as caught:
        import_day_json(session=session, data=data)

    refused = caught.value
    assert known(refused.key), refused.key
    assert refused.key == f"transfer.{key}"
    if where is not None:
        assert refused.args_dict["where"] == where
    session.rollback()
    assert every_table(session) == before


def test_a_failure_while_writing_the_ballots_leaves_no_day_no_group_and_no_map(
    original: Original, session: Session, engine: Engine
) -> None:
    """The day's ballots are written last, after every group's workshop; a database without
    their table fails there, and the groups already imported go with the day."""
    DayBallot.__table__.drop(engine)  # type: ignore[attr-defined]

    with pytest.raises(DBAPIError):
        import_day_json(session=session, data=original.data)

    session.rollback()
    counts = every_table(session, skip={str(DayBallot.__tablename__)})
    assert counts["innovationday"] == counts["workshop"] == counts["participant"] == counts["trendmap"] == 0
    assert set(counts.values()) == {0}


# --------------------------------------------------------------------------- export


def test_exporting_an_unknown_day_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound) as caught:
        export_day_json(session=session, day_id=404)

    assert caught.value.key == "error.day_not_found"


def test_a_day_ballot_of_someone_outside_the_days_rooms_is_not_exported_but_named(
    original: Original, session: Session, copied: tuple[InnovationDay, str]
) -> None:
    day, _key = copied
    stranger = services.groups_of(session=session, day_id=day.id)[0]
    stranger.day_id = None  # a group taken out of the day by hand: its voters are outside the day
    session.add(stranger)
    session.commit()

    with pytest.raises(NotFound) as caught:
        export_day_json(session=session, day_id=day.id)

    assert (caught.value.key, caught.value.args_dict["where"]) == (
        "transfer.export_inconsistent",
        "day_ballots[1].voter",
    )
