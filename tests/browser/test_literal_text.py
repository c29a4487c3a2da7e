"""Nothing a participant writes (nor an imported map) ever becomes markup: on the phone's light
pages (the trends to pick and their descriptions, the map's sections, the dot-voting options, the
header with the participant's name, their own notes) and in every widget of the facilitator's
screen that shows such text — checkbox labels, buttons, the facilitator's lists — Markdown,
HTML, link syntax, a bare address, Streamlit's colours and maths all stay the characters they
were, and no element is made from them."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.phones import new_phone, open_phone, ready, who
from tests.support import PROJECTOR, settled
from workshop import services
from workshop.db.engine import make_engine, upgrade
from workshop.db.models import Workshop
from workshop.maps.store import save_map, trends_of

T = 15_000
# What a phishing participant might type: each must show as these very characters.
HOSTILE = [
    "![t](http://e.vil/x.png)",
    "http://e.vil/phish",
    "www.e.vil",
    "a@e.vil",
    "**жирный** _курсив_",
    "<b>тег</b><img src=x>",
    ":red[красный] :material/home:",
    "$x^2$",
    "[ссылка](http://e.vil)",
]
# No participant text may make any of these inside a widget.
MARKUP = "a, img, strong, em, b, i, code, del, .katex, [data-testid='stIconMaterial']"


def markup_in(page: Page, scope: str) -> list[str]:
    """Elements that markup would have made inside ``scope`` (empty: everything stayed text)."""
    return page.evaluate(
        """([scope, markup]) => [...document.querySelectorAll(scope)].flatMap(
            (box) => [...box.querySelectorAll(markup)].map((el) => el.outerHTML.slice(0, 80)))""",
        [scope, MARKUP],
    )


def texts_of(page: Page, scope: str) -> str:
    """What the reader sees there (the invisible spaces that break autolinks show nothing)."""
    return " ".join(page.locator(scope).all_inner_texts()).replace("\u200b", "")


# The phone's page is the app's own template: these are all the elements it has, by place. Any
# other element under them was made from participant (or map) text.
PHONE_OWN = {
    "li.trend": "label, input, span, span > b:first-child, span > small",
    "header.who": "b:first-child",
    "label.option.dots": "span, input",
    ".note-card[data-note]": "span.why, form, form > input, form > button",
    "select#pick-category": "option",
}


def made_on_phone(page: Page) -> list[str]:
    """Elements on the phone's page that its template did not make (empty: all text stayed text),
    and anything that ran or loaded from participant text."""
    made = page.evaluate(
        """(own) => Object.entries(own).flatMap(([scope, allowed]) =>
            [...document.querySelectorAll(scope)].flatMap((box) =>
                [...box.querySelectorAll('*')].filter((el) => !el.matches(allowed))
                    .map((el) => `${scope}: ${el.outerHTML.slice(0, 80)}`)))""",
        PHONE_OWN,
    )
    made += page.evaluate(
        """() => [
            ...[...document.querySelectorAll('img, iframe, object, embed')].map((el) => el.outerHTML),
            ...[...document.querySelectorAll('script')].filter((el) => !el.src).map((el) => el.outerHTML),
            ...[...document.querySelectorAll('a')].filter((el) => !el.matches('.lang-switch'))
                .map((el) => el.outerHTML),
        ]"""
    )
    return made


def hostile_map() -> dict:
    trends = [
        {
            "code": f"H{i}",
            "category": "a" if i < 5 else "b",
            "title": {"ru": text[:120], "en": text[:120]},
            "description": {"ru": text, "en": text},
        }
        for i, text in enumerate(HOSTILE, 1)
    ]
    return {
        "id": "hostile",
        "title": {"ru": "Карта", "en": "Map"},
        "description": {"ru": "Проверка", "en": "Check"},
        "source": "Тест",
        "year": 2026,
        "categories": [
            {"id": "a", "title": {"ru": "**Раздел** [A](http://e.vil)", "en": "A"}},
            {"id": "b", "title": {"ru": "<i>Раздел Б</i>", "en": "B"}},
        ],
        "trends": trends,
    }


def test_participant_and_map_text_stays_literal_in_every_widget(server, browser) -> None:
    engine = make_engine(server.db_url)
    upgrade(engine)
    with Session(engine) as session:
        version = save_map(session=session, data=hostile_map())
        workshop, key = services.create_workshop(
            session=session,
            title="Проверка текста",
            product="Доставка",
            map_version_id=version.id,
            settings=services.Settings(picks_min=1, picks_max=3, votes_per_person=2, cap_per_option=2),
        )
        wid, code = workshop.id, workshop.code
        joined = [
            services.join(session=session, code=code, name=text[:60], department=f"Отдел {text[:40]}")
            for text in HOSTILE[:5]
        ]
        people = [(person.id, token) for person, token in joined]
        services.advance(session=session, workshop_id=wid)
        trend_ids = [t.id for t in trends_of(session=session, version_id=version.id)]
        for person, _token in people:
            services.set_picks(session=session, participant_id=person, trend_ids=trend_ids[:2])
    token = people[0][1]

    # The phone picking trends: the trends' titles and descriptions, the map's sections, the
    # participant's own name and department in the header.
    phone = new_phone(browser)
    open_phone(phone, server.base, token)
    expect(phone.locator("li.trend")).to_have_count(len(HOSTILE), timeout=T)
    assert made_on_phone(phone) == []
    for n, text in enumerate(HOSTILE, 1):
        row = phone.locator(f'li.trend[data-code="H{n}"]')
        assert row.locator("span > b").inner_text() == f"H{n}"
        assert text[:120] in row.locator("span").inner_text(), text
        assert row.locator("small").inner_text() == text
    assert who(phone).inner_text() == f"Проверка текста · {HOSTILE[0][:60]} (Отдел {HOSTILE[0][:40]})"
    sections = phone.locator("select#pick-category option").all_inner_texts()
    assert "**Раздел** [A](http://e.vil)" in sections and "<i>Раздел Б</i>" in sections
    # Choosing a section filters the list by the section's literal name.
    phone.locator("select#pick-category").select_option(label="<i>Раздел Б</i>")
    expect(phone.locator("li.trend:visible")).to_have_count(len(HOSTILE) - 4)
    phone.locator("select#pick-category").select_option(value="")
    assert phone.evaluate("document.body.dataset.owned") is None

    # The vote on the trends, with dots: the number inputs' labels carry the options.
    with Session(engine) as session:
        services.advance(session=session, workshop_id=wid)
        poll_id = services.current_poll(session=session, workshop=session.get(Workshop, wid)).id
        services.open_poll(session=session, workshop_id=wid, poll_id=poll_id)
    phone.reload()
    ready(phone)
    expect(phone.locator("input[name^='dots_']").first).to_be_visible(timeout=T)
    assert made_on_phone(phone) == []
    assert HOSTILE[0][:120] in texts_of(phone, "label.option.dots span")
    assert phone.get_by_label(f"H1 · {HOSTILE[0][:120]}").count() == 1

    # The facilitator's screen: the wall's tidy-up list and the door of a locked room.
    with Session(engine) as session:
        first = services.options_of(session=session, poll_id=poll_id)[0].id
        for person, _token in people:
            services.cast_ballot(session=session, participant_id=person, poll_id=poll_id, marks={first: 2})
        services.close_poll(session=session, workshop_id=wid, poll_id=poll_id)
        services.advance(session=session, workshop_id=wid)
        for (person, _token), text in zip(people, HOSTILE, strict=False):
            services.add_note(session=session, participant_id=person, text=text)
        services.lock_room(session=session, workshop_id=wid, locked=True)
        services.join(session=session, code=code, name=HOSTILE[0][:60], department=HOSTILE[3])
    chair = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()
    chair.goto(f"{server.base}/projector?w={code}&k={key}")
    expect(chair.locator('[data-part="tidy"] .tidy-item')).to_have_count(5, timeout=T)
    expect(chair.locator(".waiting-item")).to_have_count(1, timeout=T)
    settled(chair)
    for scope in ('[data-part="tidy"]', ".waiting-item", ".note-wall"):
        assert markup_in(chair, scope) == [], scope
    for text in HOSTILE[:5]:
        assert text in texts_of(chair, '[data-part="tidy"]') and text in texts_of(chair, ".note-wall")

    # A tie on the obstacles: the facilitator decides with a button naming each tied note.
    with Session(engine) as session:
        services.advance(session=session, workshop_id=wid)
        poll_id = services.current_poll(session=session, workshop=session.get(Workshop, wid)).id
        options = [o.id for o in services.options_of(session=session, poll_id=poll_id)]
        services.open_poll(session=session, workshop_id=wid, poll_id=poll_id)
        for (person, _token), option in zip(people, options[:2] * 2, strict=False):
            services.cast_ballot(session=session, participant_id=person, poll_id=poll_id, marks={option: 1})
        services.close_poll(session=session, workshop_id=wid, poll_id=poll_id)
        services.reveal_poll(session=session, workshop_id=wid, poll_id=poll_id)
    chair.reload()
    decide = chair.locator('[data-testid="stSidebar"] [class*="st-key-decide_"]')
    expect(decide).to_have_count(2, timeout=T)
    settled(chair)
    assert markup_in(chair, '[data-testid="stSidebar"] [class*="st-key-decide_"]') == []
    assert HOSTILE[0] in texts_of(chair, '[data-testid="stSidebar"] [class*="st-key-decide_"]')
    assert markup_in(chair, ".results") == [] and HOSTILE[0] in texts_of(chair, ".results")
    with Session(engine) as session:
        services.go_back(session=session, workshop_id=wid)

    # The phone's own notes, as their author sees them.
    phone.reload()
    ready(phone)
    mine = phone.locator(".note-card[data-note]")
    expect(mine).to_have_count(1, timeout=T)
    assert made_on_phone(phone) == []
    assert mine.evaluate("card => card.firstChild.textContent.trim()") == HOSTILE[0]
    assert phone.evaluate("document.body.dataset.owned") is None
    engine.dispose()
