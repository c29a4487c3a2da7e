"""What the company already tried, in Chromium: at the presentation the facilitator's screen and
remote show the earlier workshop that chose the same obstacle and innovation in other words —
its title, date, the hand-off's fate and why — every text of it literally, at 1920×1080 and at
360 px, with no serious accessibility finding."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from tests.conftest import empty_database_url
from tests.managers.test_memory import finished_with
from tests.scenario import Built, _build
from tests.support import ARTIFACTS, PROJECTOR, Server, serious_axe_violations, settled
from tests.texts import ru
from workshop.db.engine import create_tables, make_engine
from workshop.managers import handoff

T = 15_000
NARROW = {"width": 360, "height": 780}
EARLIER_OBSTACLE = "Слишком дорого для семьи с детьми"
EARLIER_IDEA = "Скидка на **семейную** подписку <b>весной</b>"
WHY_REJECTED = '<img src=x onerror="window.__owned=1"> клиенты не хотят платить за месяц вперёд'


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Built]]:
    folder: Path = tmp_path_factory.mktemp("memory")
    db_url = empty_database_url(folder, "memory.db")
    engine = make_engine(db_url)
    create_tables(engine)
    with Session(engine) as session:
        earlier = finished_with(engine, session, obstacle=EARLIER_OBSTACLE, innovation=EARLIER_IDEA)
        h = handoff.assign(
            session=session, workshop_id=earlier, name="Ирина", email="irina@example.com", by="Юлия"
        )
        t0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
        handoff.change_status(session=session, handoff_id=h.id, status="checking", by="Ирина", now=t0)
        handoff.change_status(
            session=session,
            handoff_id=h.id,
            status="rejected",
            by="Ирина",
            note=WHY_REJECTED,
            now=t0 + timedelta(days=3),
        )
    # this group chose «Дорого для семьи» and «Семейная подписка со скидкой»
    now = _build(engine, stop="presentation", people=6, settings=None)
    engine.dispose()
    server = Server(db_url, folder / "server.log")
    server.start()
    yield server, now
    server.close()


@pytest.mark.parametrize(
    ("where", "viewport"),
    [("projector", PROJECTOR), ("control", NARROW)],
    ids=["projector-1920", "remote-360"],
)
def test_the_facilitator_sees_what_the_company_made_of_the_same_idea_literally(
    room, screens, where, viewport
) -> None:
    server, built = room
    chair = screens(viewport=viewport)
    chair.goto(f"{server.base}/{where}?w={built.code}&k={built.key}")
    idea = chair.get_by_text(f"«{EARLIER_IDEA}»", exact=True)
    expect(idea).to_be_visible(timeout=T)
    settled(chair)

    expect(chair.get_by_text(f"«{EARLIER_OBSTACLE}»", exact=True)).to_be_visible()
    fate = chair.get_by_text(ru("handoff.status.rejected")).filter(has_text="Инновации в доставке")
    expect(fate.first).to_be_visible()
    # the same workshop chose both alike: its hand-off's note comes under each
    why = chair.get_by_text(f"— {WHY_REJECTED}", exact=True)
    expect(why).to_have_count(2)
    expect(why.first).to_be_visible()
    # the earlier workshop's texts are text: no bold, no element, no script ran
    assert chair.locator("img[src='x']").count() == 0
    assert chair.evaluate("window.__owned") is None
    assert idea.locator("b, strong").count() == 0

    width = chair.evaluate("() => document.documentElement.scrollWidth")
    idea.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    chair.screenshot(path=str(ARTIFACTS / f"company_memory_{where}_{viewport['width']}.png"))
    assert width <= viewport["width"], f"{width - viewport['width']}px of sideways scrolling"
    assert serious_axe_violations(chair) == []
