"""The trend map on the wall at 1920x1080: every title at least 24 px, none touching another,
none cut, every station on the screen — for each built-in map, a map of two long lines, and a map
too big for one screen, which shows a page at a time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.conftest import empty_database_url
from tests.scenario import build_workshop
from tests.support import PROJECTOR, Server, settled
from workshop.db.engine import make_engine, upgrade
from workshop.maps.store import install_builtin_maps, save_map
from workshop.rules.security import room_key

T = 15_000
BUILT_IN = ["consumer-b2b-2026", "marketing-2017", "sales-2017", "customer-journey-2017", "customer-shifts"]
# The longest titles a map may have (120 characters) with words of a real map's length.
LONG_TITLE = (
    "Персональные цены и подписки для семей с детьми, доставка за час и пункт выдачи у дома, экономия"
)

# Every visible station label's box, its font size and whether its text is cut.
LABELS = """
() => [...document.querySelectorAll('.metro-line:not([hidden]) .metro-station')].map((s) => {
  const label = s.querySelector('.metro-label');
  const r = label.getBoundingClientRect();
  const cell = s.getBoundingClientRect();
  return {
    code: s.dataset.code,
    size: parseFloat(getComputedStyle(label).fontSize),
    left: r.left, right: r.right, top: r.top, bottom: r.bottom,
    inCell: r.left >= cell.left - 1 && r.right <= cell.right + 1,
    cut: label.scrollWidth > label.clientWidth + 1,
  };
})
"""


def made_map(map_id: str, categories: int, per_category: int, title: str) -> dict:
    return {
        "id": map_id,
        "title": {"ru": map_id, "en": map_id},
        "description": {"ru": "Проверка", "en": "Check"},
        "source": "Тест",
        "year": 2026,
        "categories": [
            {"id": f"c{c}", "title": {"ru": f"Раздел {c + 1}: длинное название", "en": f"Section {c + 1}"}}
            for c in range(categories)
        ],
        "trends": [
            {
                "code": f"{chr(65 + c)}{i + 1}",
                "category": f"c{c}",
                "title": {"ru": f"{title[: 60 + (i * 7) % 60]}", "en": "Trend"},
                "description": {"ru": "о", "en": "a"},
            }
            for c in range(categories)
            for i in range(per_category)
        ],
    }


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    folder: Path = tmp_path_factory.mktemp("map")
    db_url = empty_database_url(folder, "map.db")
    engine = make_engine(db_url)
    upgrade(engine)
    with Session(engine) as session:
        install_builtin_maps(session=session)
        save_map(session=session, data=made_map("two-long-lines", 2, 18, LONG_TITLE))
        save_map(session=session, data=made_map("eight-lines", 8, 6, LONG_TITLE))
    engine.dispose()
    links = {}
    for map_id in [*BUILT_IN, "two-long-lines", "eight-lines"]:
        built = build_workshop(db_url, stop="trends_pick", people=6, map_id=map_id)
        links[map_id] = f"w={built.code}&r={room_key(built.key, built.code)}"
    server = Server(db_url, folder / "server.log")
    server.start()
    yield server, links
    server.close()


FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


def labels_of(page: Page) -> list[dict]:
    """The labels once the layout holds still: fonts loaded, rows paginated, two frames alike."""
    settled(page)
    page.evaluate("() => document.fonts.ready.then(() => true)")
    before = page.evaluate(LABELS)
    for _ in range(50):
        page.evaluate(FRAMES)
        now = page.evaluate(LABELS)
        if now == before:
            return now
        before = now
    raise AssertionError("the map's labels kept moving")


def overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"] - 1
        and b["left"] < a["right"] - 1
        and a["top"] < b["bottom"] - 1
        and b["top"] < a["bottom"] - 1
    )


@pytest.mark.parametrize("map_id", [*BUILT_IN, "two-long-lines", "eight-lines"])
def test_every_title_is_large_whole_apart_and_on_the_screen(room, screens, map_id) -> None:
    server, links = room
    page = screens()
    page.goto(f"{server.base}/projector?{links[map_id]}")
    expect(page.locator(".metro-station").first).to_be_visible(timeout=T)

    labels = labels_of(page)
    page.close()

    assert labels, map_id
    assert min(label["size"] for label in labels) >= 24, map_id
    assert all(label["inCell"] and not label["cut"] for label in labels), [
        label["code"] for label in labels if not label["inCell"] or label["cut"]
    ]
    assert max(label["bottom"] for label in labels) <= PROJECTOR["height"], map_id
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not overlap(a, b), (a["code"], b["code"])


def test_a_map_too_big_for_one_screen_shows_a_page_at_a_time(room, screens) -> None:
    server, links = room
    page = screens()
    page.goto(f"{server.base}/projector?{links['eight-lines']}")
    expect(page.locator(".metro-page").first).to_be_visible(timeout=T)
    pages = page.locator(".metro-page").count()

    seen: list[set[str]] = []
    for turn in range(pages):
        expect(page.locator('.metro-page[aria-current="page"]')).to_have_text(str(turn + 1))
        seen.append({label["code"] for label in labels_of(page)})
        page.keyboard.press("ArrowRight")  # a presenter's clicker sends the arrow keys
    page.close()

    assert pages >= 2
    assert all(seen) and sum(len(codes) for codes in seen) == 48
    assert len(set().union(*seen)) == 48  # every trend on exactly one page
