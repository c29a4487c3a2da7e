"""A revealed vote the back row can read: with 2, 8, 17 or 40 options, in Russian and English, with
the longest texts a note may have, every label lies whole inside the results, none overlaps
another, the winner and the tied options stand out, and a long list keeps its leaders large."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from tests.conftest import empty_database_url
from tests.scenario import Built, build_workshop
from tests.support import Server, settled
from workshop import services
from workshop.db.engine import make_engine
from workshop.db.models import Note, Workshop
from workshop.rules.limits import NOTE_MAX

T = 15_000
COUNTS = [2, 8, 17, 40]
WORDS = "Доставка слишком дорогая для семьи с детьми и курьер приезжает поздно вечером".split()

# Each label's box, whether its text is whole, and the results' own box.
GEOMETRY = """
() => {
  const results = document.querySelector('.results');
  const box = results.getBoundingClientRect();
  const labels = [...results.querySelectorAll('.result-label')].map((label) => {
    const r = label.getBoundingClientRect();
    return {
      text: label.firstChild.textContent,
      left: r.left, right: r.right, top: r.top, bottom: r.bottom,
      clipped: label.scrollWidth > label.clientWidth + 1 || label.scrollHeight > label.clientHeight + 1,
    };
  });
  return {box: {left: box.left, right: box.right, top: box.top, bottom: box.bottom}, labels};
}
"""


def longest_note(n: int) -> str:
    """A note as long as the limit allows, and different from every other."""
    text = f"{n}. " + " ".join(WORDS[(n + i) % len(WORDS)] for i in range(60))
    return text[:NOTE_MAX]


def revealed(db_url: str, options: int, *, tie: bool) -> Built:
    built = build_workshop(
        db_url, stop="obstacles_write", people=6, settings=services.Settings(notes_max=8, write_minutes=60)
    )
    engine = make_engine(db_url)
    with Session(engine) as session:
        scenario = [
            n.id for n in session.exec(select(Note).where(Note.workshop_id == built.workshop_id)).all()
        ]
        for n in range(options - len(scenario)):
            pid = built.participant_ids[n % 6]
            services.add_note(session=session, participant_id=pid, text=longest_note(n))
        if options < len(scenario):  # fewer options: the scenario's other notes merge into the first
            services.merge_notes(
                session=session,
                workshop_id=built.workshop_id,
                keep_id=scenario[0],
                merge_ids=scenario[options:],
            )
        services.advance(session=session, workshop_id=built.workshop_id)
        poll = services.current_poll(session=session, workshop=session.get(Workshop, built.workshop_id))
        option_ids = [o.id for o in services.options_of(session=session, poll_id=poll.id)]
        services.open_poll(session=session, workshop_id=built.workshop_id, poll_id=poll.id)
        # The last two options lead: 3 votes each for a tie, or 4 and 2.
        chosen = (
            [option_ids[-1]] * 3 + [option_ids[-2]] * 3
            if tie
            else [option_ids[-1]] * 4 + [option_ids[-2]] * 2
        )
        for pid, option in zip(built.participant_ids, chosen, strict=True):
            services.cast_ballot(session=session, participant_id=pid, poll_id=poll.id, marks={option: 1})
        services.close_poll(session=session, workshop_id=built.workshop_id, poll_id=poll.id)
        services.reveal_poll(session=session, workshop_id=built.workshop_id, poll_id=poll.id)
    engine.dispose()
    return built


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict]]:
    folder: Path = tmp_path_factory.mktemp("results")
    db_url = empty_database_url(folder, "results.db")
    built = {(n, tie): revealed(db_url, n, tie=tie) for n in COUNTS for tie in (False, True)}
    server = Server(db_url, folder / "server.log")
    server.start()
    yield server, built
    server.close()


def overlapping(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"] - 1
        and b["left"] < a["right"] - 1
        and a["top"] < b["bottom"] - 1
        and b["top"] < a["bottom"] - 1
    )


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("options", COUNTS)
@pytest.mark.parametrize("tie", [False, True], ids=["winner", "tie"])
def test_every_label_of_a_revealed_vote_is_whole_inside_and_apart(room, screens, lang, options, tie) -> None:
    server, built = room
    workshop = built[(options, tie)]
    page: Page = screens(locale=f"{lang}-{lang.upper()}")
    page.goto(f"{server.base}/projector?{workshop.room_query}&lang={lang}")
    expect(page.locator(".result")).to_have_count(options, timeout=T)
    settled(page)

    shape = page.evaluate(GEOMETRY)
    box, labels = shape["box"], shape["labels"]
    flagged = page.locator(".result.tied" if tie else ".result.winner").count()
    large = page.locator(".results-large .result").count()
    page.close()

    assert len(labels) == options
    for label in labels:
        assert not label["clipped"], label["text"][:40]
        assert box["left"] - 1 <= label["left"] and label["right"] <= box["right"] + 1, label["text"][:40]
        assert box["top"] - 1 <= label["top"] and label["bottom"] <= box["bottom"] + 1, label["text"][:40]
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not overlapping(a, b), (a["text"][:30], b["text"][:30])
    assert flagged == (2 if tie else 1)
    # With many options the leaders stay large and the rest go compact; a few are all large.
    assert large == (options if options <= 8 else 5)
