"""An innovation day in Chromium: three groups under one organizer. The organizer's screen follows
two groups' phones as people join and pick, starts every group that can start with one click
(naming the one that cannot), and fits a projector (1920×1080) and a phone (360 px) in both
languages with no serious accessibility finding."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import empty_database_url
from tests.phones import flash, join, new_phone, open_phone, swapped
from tests.scenario import Built, build_day
from tests.support import ARTIFACTS, PROJECTOR, Server, serious_axe_violations, settled
from workshop.db.engine import create_tables, make_engine
from workshop.i18n import t

T = 20_000  # the organizer's board reads the groups every 5 s
NARROW = {"width": 360, "height": 780}


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str, str, list[str]]]:
    folder: Path = tmp_path_factory.mktemp("day")
    db_url = empty_database_url(folder, "day.db")
    engine = make_engine(db_url)
    create_tables(engine)
    made = build_day(engine)
    engine.dispose()
    server = Server(db_url, folder / "server.log")
    server.start()
    yield server, made.code, made.key, made.codes
    server.close()


def card(page: Page, number: int):  # type: ignore[no-untyped-def]
    return page.locator(f".st-key-group_{number}")


def test_the_organizer_follows_two_groups_live_and_starts_every_group_that_can_start(day, browser) -> None:
    server, day_code, key, codes = day
    organizer = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
    organizer.goto(f"{server.base}/day?d={day_code}&k={key}&lang=ru")
    for number in (1, 2, 3):
        expect(card(organizer, number)).to_contain_text(t("day.people", "ru", n=0), timeout=T)
    organizer.wait_for_url(re.compile(r".*/day\?(?!.*k=).*"), timeout=T)  # the key left the address bar

    phones = []
    for code, name in ((codes[0], "Анна"), (codes[0], "Борис"), (codes[1], "Вера")):
        phone = new_phone(browser)
        join(phone, server.base, code, name, "Продажи")
        phones.append(phone)
    expect(card(organizer, 1)).to_contain_text(t("day.people", "ru", n=2), timeout=T)
    expect(card(organizer, 2)).to_contain_text(t("day.people", "ru", n=1), timeout=T)
    expect(card(organizer, 3)).to_contain_text(t("day.people", "ru", n=0))

    organizer.get_by_role("button", name=t("day.start", "ru")).click()

    expect(organizer.get_by_text(t("day.moved", "ru", groups="1, 2"))).to_be_visible(timeout=T)
    expect(
        organizer.get_by_text(re.compile(r"группа 3 — " + re.escape(t("refuse.nobody_joined", "ru"))))
    ).to_be_visible()
    for number in (1, 2):
        expect(card(organizer, number)).to_contain_text(t("step.trends_pick", "ru"), timeout=T)
        expect(card(organizer, number)).to_contain_text(re.compile(r"Осталось \d+:\d\d"))
    expect(card(organizer, 3)).to_contain_text(t("step.lobby", "ru"))
    for phone in phones:  # each group's phones follow their own group
        expect(phone.get_by_text(t("phone.pick_title", "ru", low=4, high=5))).to_be_visible(timeout=T)

    # a pick on a phone of group 1 is nothing the organizer must see; the step stays live
    phones[0].locator("li.trend input[type='checkbox']").first.click()
    expect(card(organizer, 2)).to_contain_text(t("day.open_facilitator", "ru"))
    facilitator = card(organizer, 1).get_by_role("link", name=t("day.open_facilitator", "ru"))
    href = facilitator.get_attribute("href") or ""
    assert f"w={codes[0]}" in href and "k=" in href and key not in href

    settled(organizer)
    ARTIFACTS.mkdir(exist_ok=True)
    organizer.screenshot(path=str(ARTIFACTS / "innovation_day_organizer_1920.png"))
    width = organizer.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PROJECTOR["width"]
    assert serious_axe_violations(organizer) == []


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_organizers_screen_fits_a_phone_in_both_languages(day, screens, lang) -> None:
    server, day_code, key, _codes = day
    organizer = screens(viewport=NARROW, locale="ru-RU" if lang == "ru" else "en-US")
    organizer.goto(f"{server.base}/day?d={day_code}&k={key}&lang={lang}")
    expect(card(organizer, 3)).to_contain_text(t("day.group", lang, n=3), timeout=T)
    settled(organizer)
    assert organizer.evaluate("document.documentElement.lang") in (lang, "en")  # Streamlit's own is "en"
    width = organizer.evaluate("() => document.documentElement.scrollWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    organizer.screenshot(path=str(ARTIFACTS / f"innovation_day_organizer_360_{lang}.png"), full_page=True)
    assert width <= NARROW["width"], f"{width - NARROW['width']}px of sideways scrolling"
    assert serious_axe_violations(organizer) == []


def test_the_create_form_for_a_day_fits_a_projector_and_refuses_a_day_without_a_title(day, screens) -> None:
    server, *_ = day
    page = screens(viewport=PROJECTOR)
    page.goto(f"{server.base}/day?lang=ru")
    expect(page.get_by_role("heading", name=t("day.create_title", "ru"))).to_be_visible(timeout=T)
    page.get_by_role("button", name=t("day.create_button", "ru")).click()
    expect(page.get_by_text("Заполните поле «Название»")).to_be_visible(timeout=T)
    settled(page)
    page.screenshot(path=str(ARTIFACTS / "innovation_day_create_1920.png"))
    assert serious_axe_violations(page) == []


@pytest.fixture(scope="module")
def finished_day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str, str, list[Built]]]:
    """A day whose groups 1 and 2 have run to the end (six people each); group 3 has not
    started. Yields the server, the day's code, the organizer's key and the two groups built."""
    folder: Path = tmp_path_factory.mktemp("finished-day")
    db_url = empty_database_url(folder, "day.db")
    engine = make_engine(db_url)
    create_tables(engine)
    made = build_day(engine, title="День инноваций <b>весной</b>", stops=("finished", "finished"))
    engine.dispose()
    server = Server(db_url, folder / "server.log")
    server.start()
    yield server, made.code, made.key, made.built
    server.close()


def test_the_gallery_shows_every_groups_template_in_turn_by_clicker_keys_and_buttons(
    finished_day, browser
) -> None:
    server, day_code, key, _codes = finished_day
    organizer = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
    organizer.goto(f"{server.base}/day?d={day_code}&k={key}&lang=ru")
    link = organizer.get_by_role("link", name=t("day.open_gallery", "ru"))
    expect(link).to_be_visible(timeout=T)
    href = link.get_attribute("href") or ""
    assert "g=" in href and key not in href

    wall = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
    wall.goto(href)
    slides = wall.locator(".gallery-slide")
    expect(slides).to_have_count(3, timeout=T)
    expect(wall.get_by_role("heading", name="День инноваций <b>весной</b>")).to_be_visible()  # as text
    where = wall.locator(".gallery-where")
    expect(where).to_have_text(t("day.gallery_where", "ru", i=1, n=3), timeout=T)
    first = slides.nth(0)
    expect(first).to_be_visible()
    expect(first).to_contain_text("Семейная подписка со скидкой")  # its innovation
    expect(first).to_contain_text("Дорого для семьи")  # its obstacle
    expect(slides.nth(1)).to_be_hidden()
    settled(wall)
    ARTIFACTS.mkdir(exist_ok=True)
    wall.screenshot(path=str(ARTIFACTS / "innovation_day_gallery_1920.png"))
    assert serious_axe_violations(wall) == []

    wall.keyboard.press("PageDown")  # a presenter's clicker
    expect(where).to_have_text(t("day.gallery_where", "ru", i=2, n=3))
    expect(slides.nth(1)).to_be_visible()
    expect(first).to_be_hidden()
    wall.keyboard.press("ArrowRight")
    expect(slides.nth(2)).to_contain_text(t("template.placeholder", "ru"))  # group 3 has chosen nothing yet
    wall.get_by_role("button", name=t("day.gallery_next", "ru")).click()
    expect(where).to_have_text(t("day.gallery_where", "ru", i=1, n=3))  # round again
    wall.keyboard.press("PageUp")
    expect(where).to_have_text(t("day.gallery_where", "ru", i=3, n=3))
    # the page draws the slides anew (it reads the groups again every 30 s): the slide shown stays
    wall.evaluate(
        """() => {
            const old = document.querySelector('.gallery');
            const fresh = old.cloneNode(true);
            fresh.querySelectorAll('.gallery-slide').forEach((s, i) => { s.hidden = i > 0; });
            fresh.querySelector('.gallery-where').textContent = '';
            old.replaceWith(fresh);
        }"""
    )
    expect(where).to_have_text(t("day.gallery_where", "ru", i=3, n=3))
    expect(slides.nth(2)).to_be_visible()
    expect(slides.nth(0)).to_be_hidden()

    # the gallery's link opens the gallery only; a wrong key sees nothing of the day
    wall.goto(f"{server.base}/day?d={day_code}&g=wrong-{'x' * 28}&lang=ru")
    expect(wall.get_by_text(t("error.day_not_found", "ru"))).to_be_visible(timeout=T)
    expect(wall.locator(".gallery-slide")).to_have_count(0)


def test_everyone_in_the_day_votes_the_best_innovation_of_another_group(finished_day, browser) -> None:
    server, day_code, key, built = finished_day
    organizer = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
    organizer.goto(f"{server.base}/day?d={day_code}&k={key}&lang=ru")
    first_group = new_phone(browser)
    open_phone(first_group, server.base, built[0].tokens[0])
    second_group = new_phone(browser)
    open_phone(second_group, server.base, built[1].tokens[0])
    expect(first_group.get_by_text(t("phone.thanks", "ru"))).to_be_visible(timeout=T)
    expect(first_group.locator("form.day-ballot")).to_have_count(0)  # not before the organizer opens it

    with swapped(first_group), swapped(second_group):
        organizer.get_by_role("button", name=t("day.vote_open", "ru")).click()
    expect(organizer.get_by_text(t("day.vote_opened", "ru"))).to_be_visible(timeout=T)

    # each phone offers the other finished group's innovation, never its own
    options = first_group.locator("form.day-ballot label.option")
    expect(options).to_have_count(1, timeout=T)
    expect(options).to_contain_text(t("day.group", "ru", n=2))
    expect(second_group.locator("form.day-ballot label.option")).to_contain_text(t("day.group", "ru", n=1))
    for phone in (first_group, second_group):
        phone.locator("form.day-ballot label.option").first.click()
        with swapped(phone):
            phone.locator("form.day-ballot button[type='submit']").click()
        expect(flash(phone, "success", t("phone.vote_saved", "ru"), exact=True)).to_be_visible(timeout=T)
    first_group.screenshot(path=str(ARTIFACTS / "innovation_day_vote_phone.png"), full_page=True)
    assert serious_axe_violations(first_group) == []

    expect(organizer.get_by_text(t("day.vote_count", "ru", k=2, n=12))).to_be_visible(timeout=T)
    organizer.get_by_role("button", name=t("day.vote_close", "ru")).click()
    results = organizer.locator(".day-results li")
    expect(results).to_have_count(2, timeout=T)
    expect(results.first).to_contain_text(t("day.votes", "ru", n=1))
    expect(first_group.get_by_text(t("phone.day_vote_closed", "ru"))).to_be_visible(timeout=T)
    settled(organizer)
    organizer.screenshot(path=str(ARTIFACTS / "innovation_day_vote_results_1920.png"), full_page=True)
    assert serious_axe_violations(organizer) == []
