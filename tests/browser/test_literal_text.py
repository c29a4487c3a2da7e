"""Nothing a participant writes (nor an imported map) ever becomes markup: in every widget that
shows such text — checkbox labels and their help, radio options, number labels, select options,
buttons, the facilitator's lists, the managers' record — Markdown, HTML, link syntax, a bare
address, Streamlit's colours and maths all stay the characters they were."""

from __future__ import annotations

from urllib.parse import urlencode

from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.support import PHONE, PROJECTOR, settled
from workshop import services
from workshop.db import make_engine, upgrade
from workshop.i18n import t
from workshop.models import Workshop
from workshop.trend_maps import save_map, trends_of

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

    # The phone picking trends: checkbox labels, their help, the category filter.
    phone = browser.new_context(viewport=PHONE, locale="ru-RU", is_mobile=True).new_page()
    phone.goto(f"{server.base}/phone?{urlencode({'p': token})}")
    expect(phone.locator('[data-testid="stCheckbox"]').first).to_be_visible(timeout=T)
    settled(phone)
    assert markup_in(phone, '[data-testid="stCheckbox"]') == []
    for text in HOSTILE:
        assert text[:120] in texts_of(phone, '[data-testid="stCheckbox"]'), text
    phone.locator('[data-testid="stCheckbox"] [data-testid="stTooltipIcon"]').first.hover()
    tooltip = phone.locator('[data-testid="stTooltipContent"]')
    expect(tooltip).to_be_visible(timeout=T)
    assert markup_in(phone, '[data-testid="stTooltipContent"]') == []
    assert HOSTILE[0] in tooltip.inner_text().replace("\u200b", "")
    phone.mouse.move(1, 1)  # the tooltip goes
    expect(tooltip).to_be_hidden(timeout=T)
    combobox = phone.get_by_role("combobox", name=t("phone.category", "ru"))
    combobox.scroll_into_view_if_needed()
    combobox.click()
    options = phone.get_by_role("option")
    expect(options.first).to_be_visible(timeout=T)
    assert "**Раздел** [A](http://e.vil)" in " ".join(options.all_inner_texts()).replace("\u200b", "")
    assert markup_in(phone, '[role="listbox"]') == []
    phone.keyboard.press("Escape")

    # The vote on the trends, with dots: the number inputs' labels carry the options.
    with Session(engine) as session:
        services.advance(session=session, workshop_id=wid)
        poll_id = services.current_poll(session=session, workshop=session.get(Workshop, wid)).id
        services.open_poll(session=session, workshop_id=wid, poll_id=poll_id)
    phone.reload()
    expect(phone.locator('[data-testid="stNumberInput"]').first).to_be_visible(timeout=T)
    settled(phone)
    assert markup_in(phone, '[data-testid="stNumberInput"]') == []
    assert HOSTILE[0][:120] in texts_of(phone, '[data-testid="stNumberInput"]')

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
    expect(phone.get_by_text(HOSTILE[0]).first).to_be_visible(timeout=T)
    settled(phone)
    assert markup_in(phone, '[data-testid="stMain"] .note-card') == []
    engine.dispose()
