"""The record of a workshop for managers: the timeline, the group, picks, notes, merges, every
vote round, what was chosen and why; ballots secret unless the workshop votes openly."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlmodel import Session, col, select
from streamlit.testing.v1 import AppTest

from workshop import services
from workshop.db.models import Ballot, BallotMark, Poll, Workshop
from workshop.managers.record import WorkshopRecord, workshop_record
from workshop.maps.store import trends_of
from workshop.rules import steps
from workshop.rules.errors import NotFound

PEOPLE = [
    ("Анна Петрова", "Продажи"),
    ("Борис Ким", "Маркетинг"),
    ("Вера Соколова", "Сервис"),
    ("Глеб Орлов", "Логистика"),
    ("Дина Юсупова", "ИТ"),
]
NAMES = [name for name, _department in PEOPLE]
HOSTILE = "**bold** <script>alert(1)</script> [x](javascript:alert(1))"
FORMULA = '=HYPERLINK("http://evil.example","click")'


@dataclass
class Run:
    """A workshop built through the services, with the ids a test asserts about."""

    workshop_id: int
    people: list[int]
    notes: dict[str, int] = field(default_factory=dict)


def _vote(session: Session, poll_id: int, people: list[int], choices: list[int]) -> None:
    for participant_id, option_id in zip(people, choices, strict=True):
        services.cast_ballot(
            session=session, participant_id=participant_id, poll_id=poll_id, marks={option_id: 1}
        )


def _current_poll(session: Session, workshop_id: int) -> tuple[int, list[int]]:
    poll = services.current_poll(session=session, workshop=session.get(Workshop, workshop_id))
    assert poll is not None
    return poll.id, [o.id for o in services.options_of(session=session, poll_id=poll.id)]


def run_workshop(
    session: Session,
    map_version_id: int,
    *,
    open_voting: bool = False,
    stop: str = steps.FINISHED,
    title: str = "Инновации в доставке",
    product: str = "Доставка продуктов за 2 часа",
    texts: dict[str, str] | None = None,
) -> Run:
    """A whole workshop: a tie on the trend settled by a runoff; an obstacle vote cancelled by a
    step back and held again; a typo fixed, a note withdrawn, two notes merged; a tie on the
    innovation broken by the facilitator. ``texts`` replaces notes (and ``name.why`` an idea's
    rationale) by their name."""
    texts = {
        "expensive": "Дорого для семьи",
        "dear": "Дорого",
        "late": "Курьеры опаздываютт",
        "hostile": HOSTILE,
        "formula": FORMULA,
        "kits": "Наборы с рецептами дешевле магазина",
        "subscription": "Семейная подписка со скидкой",
        "slots": "Точные окна доставки по 30 минут",
        "kits.why": "рецепт ведёт к покупке",
        "subscription.why": "регулярность снижает цену",
        "slots.why": "клиент знает, когда привезут",
        **(texts or {}),
    }
    workshop, _key = services.create_workshop(
        session=session,
        title=title,
        product=product,
        map_version_id=map_version_id,
        settings=services.Settings(),
        facilitator_name="Юлия Воликова",
        open_voting=open_voting,
    )
    wid = workshop.id
    people = [
        services.join(session=session, code=workshop.code, name=name, department=department)[0].id
        for name, department in PEOPLE
    ]
    run = Run(workshop_id=wid, people=people)
    if stop == steps.LOBBY:
        return run

    services.advance(session=session, workshop_id=wid)
    trends = trends_of(session=session, version_id=map_version_id)
    for i, pid in enumerate(people):
        picks = [trends[0].id, trends[1].id, trends[2 + i % 2].id, trends[4 + i % 3].id]
        services.set_picks(session=session, participant_id=pid, trend_ids=picks)
    services.advance(session=session, workshop_id=wid)
    poll_id, options = _current_poll(session, wid)
    services.open_poll(session=session, workshop_id=wid, poll_id=poll_id)
    _vote(session, poll_id, people, [options[0], options[0], options[1], options[1], options[2]])
    services.close_poll(session=session, workshop_id=wid, poll_id=poll_id)
    runoff = services.start_runoff(session=session, workshop_id=wid, poll_id=poll_id)
    tied = [o.id for o in services.options_of(session=session, poll_id=runoff.id)]
    _vote(session, runoff.id, people, [tied[0], tied[0], tied[1], tied[1], tied[0]])
    services.close_poll(session=session, workshop_id=wid, poll_id=runoff.id)
    services.reveal_poll(session=session, workshop_id=wid, poll_id=runoff.id)
    services.advance(session=session, workshop_id=wid)

    def note(name: str, who: int) -> None:
        rationale = texts.get(f"{name}.why", "")
        made = services.add_note(
            session=session, participant_id=people[who], text=texts[name], rationale=rationale
        )
        run.notes[name] = made.id

    for name, who in (("expensive", 0), ("dear", 1), ("late", 2), ("hostile", 3), ("formula", 4)):
        note(name, who)
    run.notes["withdrawn"] = services.add_note(
        session=session, participant_id=people[4], text="Передумала"
    ).id
    services.edit_note(session=session, workshop_id=wid, note_id=run.notes["late"], text="Курьеры опаздывают")
    services.advance(session=session, workshop_id=wid)
    poll_id, options = _current_poll(session, wid)
    services.open_poll(session=session, workshop_id=wid, poll_id=poll_id)
    _vote(session, poll_id, people[:2], [options[0], options[1]])
    services.go_back(session=session, workshop_id=wid)
    services.withdraw_note(session=session, participant_id=people[4], note_id=run.notes.pop("withdrawn"))
    services.merge_notes(
        session=session, workshop_id=wid, keep_id=run.notes["expensive"], merge_ids=[run.notes["dear"]]
    )
    services.advance(session=session, workshop_id=wid)
    poll_id, options = _current_poll(session, wid)
    services.open_poll(session=session, workshop_id=wid, poll_id=poll_id)
    # options: expensive (with "dear" merged in), late, hostile, formula
    _vote(session, poll_id, people, [options[0], options[0], options[0], options[1], options[2]])
    services.close_poll(session=session, workshop_id=wid, poll_id=poll_id)
    services.advance(session=session, workshop_id=wid)

    note("kits", 0)
    note("subscription", 1)
    note("slots", 2)
    if stop == steps.INNOVATIONS_WRITE:
        return run
    services.advance(session=session, workshop_id=wid)
    poll_id, options = _current_poll(session, wid)
    services.open_poll(session=session, workshop_id=wid, poll_id=poll_id)
    # options: kits, subscription, slots
    _vote(session, poll_id, people, [options[1], options[1], options[0], options[0], options[2]])
    services.close_poll(session=session, workshop_id=wid, poll_id=poll_id)
    services.decide_tie(session=session, workshop_id=wid, poll_id=poll_id, option_id=options[1])
    services.advance(session=session, workshop_id=wid)
    services.confirm_agreement(session=session, workshop_id=wid)
    services.advance(session=session, workshop_id=wid)
    return run


@pytest.fixture
def finished(session: Session, builtin_version: int) -> Run:
    return run_workshop(session, builtin_version)


@pytest.fixture
def record(session: Session, finished: Run) -> WorkshopRecord:
    return workshop_record(session=session, workshop_id=finished.workshop_id)


# --------------------------------------------------------------------------- the workshop


def test_record_holds_the_workshops_facts(record: WorkshopRecord, session: Session, finished: Run) -> None:
    workshop = session.get(Workshop, finished.workshop_id)

    assert (record.code, record.title, record.product) == (workshop.code, workshop.title, workshop.product)
    assert record.facilitator_name == "Юлия Воликова"
    assert record.lang == "ru"
    assert record.step == steps.FINISHED and record.status == "finished"
    assert record.finished_at is not None and record.finished_at >= record.created_at
    assert record.map_id == "customer-journey-2017" and record.map_version == 1
    assert (
        record.map_title("ru") and record.map_title("en") and record.map_title("ru") != record.map_title("en")
    )
    assert record.open_voting is False and record.show_authors is False
    assert record.agreement_confirmed is True


def test_timeline_is_in_order_and_each_stay_in_a_step_has_its_times(record: WorkshopRecord) -> None:
    times = [e.at for e in record.timeline]
    events = [e.event for e in record.timeline]

    assert times == sorted(times)
    assert events[0] == "created" and events[-1] == "entered"
    assert events.count("joined") == len(PEOPLE)
    assert {"runoff", "went_back", "merged", "edited", "decided_by_facilitator", "agreement"} <= set(events)
    assert [s.step for s in record.steps] == [
        steps.LOBBY,
        steps.TRENDS_PICK,
        steps.TRENDS_VOTE,
        steps.OBSTACLES_WRITE,
        steps.OBSTACLES_VOTE,
        steps.OBSTACLES_WRITE,  # went back: the vote was held again
        steps.OBSTACLES_VOTE,
        steps.INNOVATIONS_WRITE,
        steps.INNOVATIONS_VOTE,
        steps.PRESENTATION,
        steps.FINISHED,
    ]
    for stay, after in zip(record.steps, record.steps[1:], strict=False):
        assert stay.left_at == after.entered_at
        assert stay.seconds is not None and stay.seconds >= 0
    assert record.steps[-1].left_at is None and record.steps[-1].seconds is None


def test_roster_and_picks_name_people_and_their_departments(record: WorkshopRecord) -> None:
    assert [(p.name, p.department) for p in record.roster] == PEOPLE
    assert len(record.picks) == 4 * len(PEOPLE)
    assert {p.name for p in record.picks} == set(NAMES)
    first = [p for p in record.picks if p.name == "Анна Петрова"]
    assert {p.department for p in first} == {"Продажи"}
    assert all(p.trend_code and p.trend_title("ru") and p.trend_title("en") for p in record.picks)


def test_notes_keep_the_original_of_a_fixed_typo_and_drop_a_withdrawn_one(
    record: WorkshopRecord, finished: Run
) -> None:
    texts = {n.id: n for n in record.obstacles}

    assert set(texts) == {finished.notes[k] for k in ("expensive", "dear", "late", "hostile", "formula")}
    late = texts[finished.notes["late"]]
    assert (late.text, late.original_text) == ("Курьеры опаздывают", "Курьеры опаздываютт")
    assert late.edited_at is not None
    assert texts[finished.notes["hostile"]].original_text is None
    assert "Передумала" not in {n.text for n in record.obstacles}
    assert [n.rationale for n in record.innovations] == [
        "рецепт ведёт к покупке",
        "регулярность снижает цену",
        "клиент знает, когда привезут",
    ]


def test_note_authors_are_departments_only_unless_authors_were_shown(session: Session, finished: Run) -> None:
    hidden = workshop_record(session=session, workshop_id=finished.workshop_id)
    services.set_display(session=session, workshop_id=finished.workshop_id, show_authors=True)
    shown = workshop_record(session=session, workshop_id=finished.workshop_id)

    assert all(n.author is None for n in (*hidden.obstacles, *hidden.innovations))
    assert [n.department for n in hidden.obstacles] == ["Продажи", "Маркетинг", "Сервис", "Логистика", "ИТ"]
    assert [n.author for n in shown.obstacles] == NAMES


def test_a_merge_lists_the_kept_note_and_the_notes_merged_into_it(
    record: WorkshopRecord, finished: Run
) -> None:
    assert len(record.merges) == 1
    merge = record.merges[0]
    assert merge.kept.id == finished.notes["expensive"]
    assert [n.id for n in merge.merged] == [finished.notes["dear"]]
    assert next(n for n in record.obstacles if n.id == finished.notes["dear"]).merged_into == merge.kept.id


def test_every_vote_round_is_on_record_with_runoffs_and_cancelled_rounds(record: WorkshopRecord) -> None:
    rounds = [(p.subject, p.round, p.status, p.runoff, p.tie, p.decided_by) for p in record.polls]

    assert rounds == [
        ("trend", 1, "closed", False, True, None),
        ("trend", 2, "revealed", True, False, "vote"),
        ("obstacle", 1, "cancelled", False, False, None),
        ("obstacle", 2, "revealed", False, False, "vote"),  # held again after a step back: no runoff
        ("innovation", 1, "revealed", False, True, "facilitator"),
    ]
    trend_first, trend_runoff = record.polls_of("trend")
    assert [o.votes for o in trend_first.options][:3] == [2, 2, 1]
    assert [o.votes for o in trend_runoff.options] == [3, 2]
    assert [o.trend_code for o in trend_runoff.options] == [o.trend_code for o in trend_first.options[:2]]
    assert (
        trend_runoff.winner is not None
        and trend_runoff.winner.trend_code == trend_first.options[0].trend_code
    )
    cancelled = record.polls_of("obstacle")[0]
    assert cancelled.ballots == 2 and sum(o.votes or 0 for o in cancelled.options) == 2
    assert "Передумала" in {o.label for o in cancelled.options}  # its note is gone, its option stays
    assert all(p.ballots == len(PEOPLE) for p in record.polls if not p.cancelled)


def test_chosen_trend_says_why_rounds_picks_and_runners_up(record: WorkshopRecord) -> None:
    trend = record.trend

    assert trend is not None
    assert (trend.votes, trend.ballots, trend.rounds, trend.round) == (3, 5, 2, 2)
    assert trend.decided_by == "vote" and trend.tie is True
    assert trend.picked_by == len(PEOPLE) and set(trend.pickers) == set(NAMES)
    assert trend.text("en").startswith(trend.option.trend_code + " · ")
    runners = [(r.option.trend_code, r.round, r.option.votes) for r in trend.runners_up]
    first_round = record.polls_of("trend")[0]
    assert runners[0] == (first_round.options[1].trend_code, 2, 2)  # the runoff's loser first
    assert [r[1] for r in runners[1:]] == [1] * (len(first_round.options) - 2)
    assert [r[2] for r in runners[1:]] == sorted((r[2] for r in runners[1:]), reverse=True)
    assert trend.option.trend_code not in [r[0] for r in runners]


def test_chosen_obstacle_carries_the_notes_merged_into_it(record: WorkshopRecord, finished: Run) -> None:
    obstacle = record.obstacle

    assert obstacle is not None and obstacle.note is not None
    assert obstacle.note.id == finished.notes["expensive"] and obstacle.text("ru") == "Дорого для семьи"
    assert (obstacle.votes, obstacle.rounds, obstacle.decided_by, obstacle.tie) == (3, 1, "vote", False)
    assert [m.text for m in obstacle.merged] == ["Дорого"]
    assert obstacle.option.support == 2
    assert [r.option.label for r in obstacle.runners_up][:2] == ["Курьеры опаздывают", HOSTILE]


def test_chosen_innovation_was_the_facilitators_call_with_its_rationale(record: WorkshopRecord) -> None:
    innovation = record.innovation

    assert innovation is not None
    assert innovation.text("en") == "Семейная подписка со скидкой"
    assert innovation.decided_by == "facilitator" and innovation.tie is True
    assert innovation.rationale == "регулярность снижает цену"
    assert [(r.option.label, r.option.votes) for r in innovation.runners_up] == [
        ("Наборы с рецептами дешевле магазина", 2),
        ("Точные окна доставки по 30 минут", 1),
    ]


# --------------------------------------------------------------------------- secret and open ballots


def test_ballots_are_counts_only_without_open_voting(record: WorkshopRecord) -> None:
    options = [o for p in record.polls for o in p.options]

    assert options and all(o.voters is None for o in options)
    assert not any(name in repr(record.polls) for name in NAMES)


def test_open_voting_names_who_voted_for_what(session: Session, builtin_version: int) -> None:
    run = run_workshop(session, builtin_version, open_voting=True)

    record = workshop_record(session=session, workshop_id=run.workshop_id)

    runoff = record.polls_of("trend")[1]
    assert [[v.name for v in o.voters or ()] for o in runoff.options] == [
        ["Анна Петрова", "Борис Ким", "Дина Юсупова"],
        ["Вера Соколова", "Глеб Орлов"],
    ]
    assert all(v.dots == 1 for o in runoff.options for v in o.voters or ())
    assert [n.author for n in record.obstacles] == NAMES  # open voting names note authors too


def test_a_vote_still_open_shows_no_counts(session: Session, builtin_version: int) -> None:
    run = run_workshop(session, builtin_version, stop=steps.INNOVATIONS_WRITE)
    services.advance(session=session, workshop_id=run.workshop_id)
    poll_id, options = _current_poll(session, run.workshop_id)
    services.open_poll(session=session, workshop_id=run.workshop_id, poll_id=poll_id)
    services.cast_ballot(
        session=session, participant_id=run.people[0], poll_id=poll_id, marks={options[0]: 1}
    )

    record = workshop_record(session=session, workshop_id=run.workshop_id)

    poll = record.polls[-1]
    assert (poll.subject, poll.status, poll.ballots) == ("innovation", "open", 1)
    assert all(o.votes is None and o.voters is None for o in poll.options)
    assert record.status == "running" and record.innovation is None


def swap_ballots(session: Session, workshop_id: int) -> int:
    """In every poll, swap what two voters who chose differently chose: the same counts, other
    people behind them. Returns how many polls changed."""
    changed = 0
    for poll_id in session.exec(select(Poll.id).where(Poll.workshop_id == workshop_id)).all():
        marks = session.exec(
            select(BallotMark)
            .join(Ballot, col(Ballot.id) == BallotMark.ballot_id)
            .where(Ballot.poll_id == poll_id)
            .order_by(Ballot.participant_id)
        ).all()
        other = next((m for m in marks[1:] if m.option_id != marks[0].option_id), None)
        if other is not None:
            marks[0].option_id, other.option_id = other.option_id, marks[0].option_id
            session.add_all([marks[0], other])
            changed += 1
    session.commit()
    session.expire_all()
    return changed


def test_who_voted_for_what_changes_nothing_in_a_secret_record(
    session: Session, builtin_version: int
) -> None:
    run = run_workshop(session, builtin_version)
    before = workshop_record(session=session, workshop_id=run.workshop_id)

    changed = swap_ballots(session, run.workshop_id)
    after = workshop_record(session=session, workshop_id=run.workshop_id)

    assert changed >= 2
    assert after == before


# --------------------------------------------------------------------------- edge cases


def test_record_of_a_workshop_in_the_lobby_has_nothing_chosen(session: Session, builtin_version: int) -> None:
    run = run_workshop(session, builtin_version, stop=steps.LOBBY)

    record = workshop_record(session=session, workshop_id=run.workshop_id)

    assert record.status == "lobby" and record.finished_at is None
    assert len(record.roster) == len(PEOPLE)
    assert record.picks == record.obstacles == record.innovations == record.polls == record.merges == ()
    assert (record.trend, record.obstacle, record.innovation) == (None, None, None)
    assert [s.step for s in record.steps] == [steps.LOBBY] and record.steps[0].left_at is None


def test_record_of_an_unknown_workshop_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        workshop_record(session=session, workshop_id=424242)


# --------------------------------------------------------------------------- the record page's parts


def _show(db_url: str, workshop_id: int, lang: str) -> None:
    from sqlmodel import Session as DbSession

    from ui.record import export_buttons, show_record
    from workshop.db.engine import make_engine
    from workshop.managers.record import workshop_record

    with DbSession(make_engine(db_url)) as db:
        record = workshop_record(session=db, workshop_id=workshop_id)
    show_record(record, lang)
    export_buttons(record, lang)


def _database_with(tmp_path: Path, **options: object) -> tuple[str, Run]:
    from workshop.db.engine import create_tables, make_engine
    from workshop.maps.store import install_builtin_maps, latest_versions

    db_url = f"sqlite:///{tmp_path / 'record.db'}"
    engine = make_engine(db_url)
    create_tables(engine)
    with Session(engine) as db:
        install_builtin_maps(session=db)
        version = next(v for m, v in latest_versions(session=db) if m.id == "customer-journey-2017")
        run = run_workshop(db, version.id, **options)
    engine.dispose()
    return db_url, run


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_record_page_parts_show_everything_as_plain_text(tmp_path, lang: str) -> None:
    db_url, run = _database_with(tmp_path, open_voting=True)

    at = AppTest.from_function(_show, args=(db_url, run.workshop_id, lang), default_timeout=60).run()

    assert not at.exception
    markdown = "\n".join(m.value for m in at.markdown)
    assert "<script>" not in markdown and "**bold**" not in markdown
    assert len(at.tabs) == 5
    frames = [d.value for d in at.dataframe]
    cells = {str(v) for frame in frames for column in frame.columns for v in frame[column]}
    assert HOSTILE in cells and FORMULA in cells  # table cells hold the text as written
    assert "Анна Петрова; Борис Ким; Дина Юсупова" in cells  # open voting: the runoff's voters
    assert len(at.get("download_button")) == 6


def test_record_page_parts_show_a_workshop_still_in_the_lobby(tmp_path) -> None:
    db_url, run = _database_with(tmp_path, stop=steps.LOBBY)

    at = AppTest.from_function(_show, args=(db_url, run.workshop_id, "en"), default_timeout=60).run()

    assert not at.exception
    assert "Not chosen yet." in [c.value for c in at.caption]
    assert len(at.get("download_button")) == 6
