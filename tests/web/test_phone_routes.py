"""The phone's light pages on their routes, in process (Starlette's test client on the app's own
routes): identity by cookie, every step's screen, every tap stored once, and every refusal —
a bad token, a forged origin, a missing anti-forgery token, an oversized body, a closed step or
vote, an over-long text — answered with its message and nothing stored."""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.applications import Starlette

from tests.conftest import empty_database_url
from tests.scenario import STOPS, ballot_marks, build_day, build_workshop
from web import engine as web_engine
from web import phone
from workshop import services
from workshop.db.engine import create_tables, make_engine
from workshop.db.models import DayBallot, Note, Participant, Pick
from workshop.i18n import t
from workshop.rules.limits import NOTE_MAX
from workshop.services import Settings

with warnings.catch_warnings():
    # Starlette's test client would rather have its own fork of httpx; httpx itself is fine here.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

BASE = "http://testserver"


_ENGINES: dict[str, Engine] = {}


def engine_of(url: str) -> Engine:
    """The test's own engine on its database (closed when the test ends)."""
    if url not in _ENGINES:
        _ENGINES[url] = make_engine(url)
    return _ENGINES[url]


@pytest.fixture
def db_url(tmp_path, monkeypatch) -> Iterator[str]:
    url = empty_database_url(tmp_path, "phone.db")
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    # The routes' engine, and what was kept per database, go with the test's database.
    web_engine._engine_for(url).dispose()
    web_engine._engine_for.cache_clear()
    phone._secrets.clear()
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


def client() -> TestClient:
    return TestClient(Starlette(routes=phone.ROUTES), base_url=BASE, follow_redirects=False)


class _Page(HTMLParser):
    """The attributes of every element, and the page's text."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.text.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", "".join(parse(html).text))


def csrf_of(html: str) -> str:
    for tag, attrs in parse(html).elements:
        if tag == "meta" and attrs.get("name") == "csrf-token":
            return attrs["content"]
        if tag == "input" and attrs.get("name") == "csrf":
            return attrs["value"]
    raise AssertionError("no anti-forgery token on the page")


def phone_of(token: str, code: str) -> tuple[TestClient, str]:
    """A phone that opened its link: its client (with the cookie) and its page's token."""
    c = client()
    first = c.get(f"/phone?p={token}")
    assert first.status_code == 303
    assert first.headers["location"] == f"/phone?w={code}"
    page = c.get(first.headers["location"])
    assert page.status_code == 200
    return c, csrf_of(page.text)


def post(c: TestClient, path: str, data: dict, csrf: str, *, origin: str | None = BASE):  # type: ignore[no-untyped-def]
    headers = {"X-CSRF-Token": csrf}
    if origin is not None:
        headers["Origin"] = origin
    return c.post(path, data=data, headers=headers)


def stored(db_url: str, model) -> list:  # type: ignore[no-untyped-def]
    with Session(engine_of(db_url)) as session:
        return list(session.exec(select(model)).all())


# --------------------------------------------------------------------------- joining


def test_joining_makes_one_participant_and_keeps_the_token_in_a_cookie_not_the_address(db_url) -> None:
    built = build_workshop(db_url, stop="lobby", people=0)
    c = client()
    form = c.get(f"/join?code={built.code}&lang=ru")
    answer = post(
        c,
        "/join",
        {"code": built.code, "name": "Анна", "department": "Продажи", "csrf": csrf_of(form.text)},
        "",
    )

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/phone?w={built.code}"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"p_{built.code}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = c.get(answer.headers["location"])
    assert "Вы в сессии, Анна!" in text_of(page.text)
    assert [(p.name, p.department) for p in stored(db_url, Participant)] == [("Анна", "Продажи")]


def test_scanning_the_code_again_offers_to_continue_as_the_same_person(db_url) -> None:
    built = build_workshop(db_url, stop="lobby", people=2)
    c, _csrf = phone_of(built.tokens[1], built.code)
    again = c.get(f"/join?code={built.code}")
    assert "Продолжить как Борис" in text_of(again.text)
    assert f'href="/phone?w={built.code}"' in again.text


def test_a_join_refused_keeps_what_was_typed_with_the_reason(db_url) -> None:
    built = build_workshop(db_url, stop="lobby", people=0)
    c = client()
    csrf = csrf_of(c.get(f"/join?code={built.code}").text)
    long_name = "Константин" * 10
    answer = post(c, "/join", {"code": built.code, "name": long_name, "department": "ИТ", "csrf": csrf}, "")

    assert answer.status_code == 422
    assert "Поле «Ваше имя» длиннее 60 символов (100)." in text_of(answer.text)
    assert f'value="{long_name}"' in answer.text
    assert stored(db_url, Participant) == []


def test_an_unknown_code_and_a_forged_token_open_nothing_and_count_as_misses(db_url) -> None:
    build_workshop(db_url, stop="lobby", people=1)
    c = client()
    assert c.get("/join?code=ZZZZZZ").status_code == 404
    assert "Сессия с таким кодом не найдена." in text_of(c.get("/join?code=YYYYYY").text)
    assert "Эта ссылка участника не найдена" in text_of(c.get("/phone?p=forged-" + "x" * 30).text)
    assert c.get("/phone?w=ZZZZZZ").status_code == 404
    assert c.get("/phone/screen?w=ZZZZZZ").status_code == 404
    # The fifth miss spent the client's tries: now even a real code waits.
    assert c.get("/join?code=XXXXXX").status_code == 429


def test_a_phone_without_its_cookie_is_nobody(db_url) -> None:
    built = build_workshop(db_url, stop="lobby", people=1)
    answer = client().get(f"/phone?w={built.code}")
    assert answer.status_code == 404
    assert "Эта ссылка участника не найдена" in text_of(answer.text)


def test_one_workshops_cookie_opens_no_other_workshop(db_url) -> None:
    first = build_workshop(db_url, stop="lobby", people=1)
    second = build_workshop(db_url, stop="lobby", people=1)
    c = client()
    c.cookies.set(f"p_{second.code}", first.tokens[0])
    assert c.get(f"/phone?w={second.code}").status_code == 404


# --------------------------------------------------------------------------- every step


@pytest.mark.parametrize("stop", STOPS)
@pytest.mark.parametrize("lang", ["ru", "en"])
def test_every_step_renders_on_the_phone_in_both_languages(db_url, stop, lang) -> None:
    built = build_workshop(db_url, stop=stop, people=6)
    c, _csrf = phone_of(built.tokens[0], built.code)
    page = c.get(f"/phone?w={built.code}&lang={lang}")
    part = c.get(f"/phone/screen?w={built.code}&lang={lang}")

    assert page.status_code == 200 and part.status_code == 200
    assert f'<html lang="{lang}">' in page.text
    assert part.text.lstrip().startswith('<main id="screen"')
    assert ("Анна" in text_of(page.text)) and ("Ваше имя" not in page.text)


def test_the_safety_net_gets_nothing_while_nothing_changed_and_the_screen_once_it_did(db_url) -> None:
    built = build_workshop(db_url, stop="trends_pick", people=6)
    c, _csrf = phone_of(built.tokens[0], built.code)
    phase = re.search(r'data-phase="([^"]*)"', c.get(f"/phone/screen?w={built.code}").text).group(1)

    unchanged = f"/phone/screen?{urlencode({'w': built.code, 'phase': html.unescape(phase)})}"
    assert c.get(unchanged).status_code == 204
    with Session(engine_of(db_url)) as session:
        services.change_timer(session=session, workshop_id=built.workshop_id, action="pause")
    assert c.get(unchanged).status_code == 200


# --------------------------------------------------------------------------- taps


def test_a_tap_on_a_trend_saves_at_once_and_a_sixth_is_refused_with_its_message(db_url) -> None:
    built = build_workshop(db_url, stop="trends_pick", people=6)
    c, csrf = phone_of(built.tokens[0], built.code)
    with Session(engine_of(db_url)) as session:
        mine = services.picks_of(session=session, participant_id=built.participant_ids[0])
        for trend_id in mine:
            services.toggle_pick(
                session=session, participant_id=built.participant_ids[0], trend_id=trend_id, picked=False
            )
    page = c.get(f"/phone?w={built.code}")
    trend_ids = [int(x) for x in re.findall(r'data-trend="(\d+)"', page.text)]

    for n, trend_id in enumerate(trend_ids[:5], start=1):
        answer = post(c, f"/phone/pick?w={built.code}", {"trend": trend_id, "picked": "1"}, csrf)
        assert f'data-picked="{n}"' in answer.text
    refused = post(c, f"/phone/pick?w={built.code}", {"trend": trend_ids[5], "picked": "1"}, csrf)
    unpicked = post(c, f"/phone/pick?w={built.code}", {"trend": trend_ids[0]}, csrf)

    assert "Не больше 5 трендов" in text_of(refused.text)
    assert (
        f'id="pick-{trend_ids[5]}"' in refused.text
        and "checked" not in refused.text.split(f'id="pick-{trend_ids[5]}"')[1].split(">")[0]
    )
    assert 'data-picked="4"' in unpicked.text
    picks = [p.trend_id for p in stored(db_url, Pick) if p.participant_id == built.participant_ids[0]]
    assert sorted(picks) == sorted(trend_ids[1:5])


def test_a_note_is_stored_once_and_can_be_withdrawn(db_url) -> None:
    built = build_workshop(db_url, stop="obstacles_write", people=6)
    c, csrf = phone_of(built.tokens[0], built.code)
    before = len(stored(db_url, Note))
    sent = post(c, f"/phone/note?w={built.code}", {"text": "Доставка дорогая вечером"}, csrf)

    assert "Отправлено — уже на экране" in text_of(sent.text)
    assert "data-just-sent" in sent.text
    note = next(n for n in stored(db_url, Note) if n.text == "Доставка дорогая вечером")
    withdrawn = post(c, f"/phone/withdraw?w={built.code}", {"note": note.id}, csrf)
    assert "Стикер убран" in text_of(withdrawn.text)
    assert len(stored(db_url, Note)) == before


def test_an_idea_keeps_its_rationale(db_url) -> None:
    built = build_workshop(db_url, stop="innovations_write", people=6)
    c, csrf = phone_of(built.tokens[0], built.code)
    post(
        c,
        f"/phone/note?w={built.code}",
        {"text": "Семейная подписка", "rationale": "дешевле для семьи"},
        csrf,
    )
    idea = next(n for n in stored(db_url, Note) if n.text == "Семейная подписка")
    assert (idea.kind, idea.rationale) == ("innovation", "дешевле для семьи")


def test_a_note_over_the_limit_is_refused_and_comes_back_in_its_field(db_url) -> None:
    built = build_workshop(db_url, stop="obstacles_write", people=6)
    c, csrf = phone_of(built.tokens[0], built.code)
    before = len(stored(db_url, Note))
    text = "Очень длинная причина " * 20
    answer = post(c, f"/phone/note?w={built.code}", {"text": text}, csrf)

    assert answer.status_code == 200
    assert str(NOTE_MAX) in text_of(answer.text)
    assert text.strip() in answer.text  # in the textarea, to shorten, not lost
    assert "data-just-sent" not in answer.text
    assert len(stored(db_url, Note)) == before


def test_a_note_after_time_is_up_is_refused_and_the_text_stays(db_url) -> None:
    built = build_workshop(db_url, stop="obstacles_write_time_up", people=6)
    c, csrf = phone_of(built.tokens[0], built.code)
    before = len(stored(db_url, Note))
    answer = post(c, f"/phone/note?w={built.code}", {"text": "Поздняя мысль"}, csrf)

    assert "Время вышло" in text_of(answer.text)
    assert ">Поздняя мысль</textarea>" in answer.text
    assert len(stored(db_url, Note)) == before


def test_a_vote_is_counted_once_and_can_be_changed(db_url) -> None:
    built = build_workshop(db_url, stop="trends_vote_open", people=6)
    c, csrf = phone_of(built.tokens[0], built.code)
    first, second = built.option_ids[:2]
    post(c, f"/phone/vote?w={built.code}", {"poll": built.poll_id, "option": first}, csrf)
    changed = post(c, f"/phone/vote?w={built.code}", {"poll": built.poll_id, "option": second}, csrf)

    assert "Голос принят" in text_of(changed.text)
    assert "Изменить голос" in text_of(changed.text)
    with Session(engine_of(db_url)) as session:
        assert ballot_marks(session, built.poll_id) == {second: 1}


def test_dot_voting_spreads_dots_within_the_cap_and_over_the_total_is_refused(db_url) -> None:
    built = build_workshop(
        db_url, stop="trends_vote_open", people=6, settings=Settings(votes_per_person=3, cap_per_option=2)
    )
    c, csrf = phone_of(built.tokens[0], built.code)
    a, b, d = built.option_ids[:3]
    over = post(
        c,
        f"/phone/vote?w={built.code}",
        {"poll": built.poll_id, f"dots_{a}": 2, f"dots_{b}": 2, f"dots_{d}": 2},
        csrf,
    )
    with Session(engine_of(db_url)) as session:
        assert ballot_marks(session, built.poll_id) == {}
    post(c, f"/phone/vote?w={built.code}", {"poll": built.poll_id, f"dots_{a}": 2, f"dots_{b}": 1}, csrf)

    assert "Не больше 3 голосов всего." in text_of(over.text)
    with Session(engine_of(db_url)) as session:
        assert ballot_marks(session, built.poll_id) == {a: 2, b: 1}


def test_a_vote_after_the_poll_closed_is_refused_with_its_message(db_url) -> None:
    built = build_workshop(db_url, stop="trends_vote_open", people=6)
    c, csrf = phone_of(built.tokens[0], built.code)
    with Session(engine_of(db_url)) as session:
        services.close_poll(session=session, workshop_id=built.workshop_id, poll_id=built.poll_id)
        before = ballot_marks(session, built.poll_id)
    answer = post(
        c, f"/phone/vote?w={built.code}", {"poll": built.poll_id, "option": built.option_ids[0]}, csrf
    )

    assert "закрыто" in text_of(answer.text).lower()
    with Session(engine_of(db_url)) as session:
        assert ballot_marks(session, built.poll_id) == before


def test_a_note_when_the_step_moved_on_is_refused_with_its_message(db_url) -> None:
    built = build_workshop(db_url, stop="trends_pick", people=6)
    c, csrf = phone_of(built.tokens[0], built.code)
    before = len(stored(db_url, Note))
    answer = post(c, f"/phone/note?w={built.code}", {"text": "Не вовремя"}, csrf)
    assert "другой шаг" in text_of(answer.text).lower() or "шаг" in text_of(answer.text)
    assert len(stored(db_url, Note)) == before


# --------------------------------------------------------------------------- forgery


@pytest.mark.parametrize(
    ("origin", "csrf"),
    [("http://evil.example", "page"), (BASE, ""), (BASE, "forged-token"), (BASE, "other-phone")],
    ids=["foreign-origin", "no-token", "forged-token", "another-phones-token"],
)
def test_a_forged_tap_is_refused_and_nothing_is_stored(db_url, origin, csrf) -> None:
    built = build_workshop(db_url, stop="obstacles_write", people=6)
    c, own = phone_of(built.tokens[0], built.code)
    _other, others = phone_of(built.tokens[1], built.code)
    token = {"page": own, "other-phone": others}.get(csrf, csrf)
    before = len(stored(db_url, Note))
    answer = post(c, f"/phone/note?w={built.code}", {"text": "Подделка"}, token, origin=origin)

    assert answer.status_code == 403
    assert "не со страницы сессии" in text_of(answer.text)
    assert len(stored(db_url, Note)) == before


def test_a_cross_site_request_without_an_origin_is_refused(db_url) -> None:
    built = build_workshop(db_url, stop="obstacles_write", people=6)
    c, csrf = phone_of(built.tokens[0], built.code)
    answer = c.post(
        f"/phone/note?w={built.code}",
        data={"text": "Подделка"},
        headers={"X-CSRF-Token": csrf, "Sec-Fetch-Site": "cross-site"},
    )
    assert answer.status_code == 403


def test_an_oversized_body_is_refused_unread(db_url) -> None:
    built = build_workshop(db_url, stop="obstacles_write", people=6)
    c, csrf = phone_of(built.tokens[0], built.code)
    before = len(stored(db_url, Note))
    answer = post(c, f"/phone/note?w={built.code}", {"text": "x" * (phone.MAX_BODY + 10)}, csrf)

    assert answer.status_code == 413
    assert "Слишком много текста" in text_of(answer.text)
    assert len(stored(db_url, Note)) == before


def test_a_join_without_the_forms_own_token_is_refused(db_url) -> None:
    built = build_workshop(db_url, stop="lobby", people=0)
    answer = post(client(), "/join", {"code": built.code, "name": "Ева", "department": "ИТ", "csrf": "x"}, "")
    assert answer.status_code == 403
    assert stored(db_url, Participant) == []


# --------------------------------------------------------------------------- text is text


def test_participant_text_reaches_the_phone_only_as_text(db_url) -> None:
    built = build_workshop(db_url, stop="lobby", people=0)
    with Session(engine_of(db_url)) as session:
        _person, token = services.join(
            session=session, code=built.code, name='<img src=x onerror=alert(1)>"', department="<b>ИТ</b>"
        )
    c, _csrf = phone_of(token, built.code)
    page = c.get(f"/phone?w={built.code}")

    assert "<img src=x" not in page.text and "<b>ИТ</b>" not in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;&#34;" in page.text
    assert not any(tag in ("img", "b") and "onerror" in attrs for tag, attrs in parse(page.text).elements)


# --------------------------------------------------------------------------- an innovation day


def test_the_days_vote_on_a_phone_takes_another_groups_innovation_and_refuses_its_own(db_url) -> None:
    engine = engine_of(db_url)
    create_tables(engine)
    day = build_day(engine, groups=2, stops=("finished", "finished"))
    built = day.built
    with Session(engine) as session:
        services.open_day_vote(session=session, day_id=day.day_id)
    own_id, other_id = (b.workshop_id for b in built)
    own_code = day.codes[0]
    c, csrf = phone_of(built[0].tokens[0], own_code)
    screen = c.get(f"/phone/screen?w={own_code}")
    assert f'value="{other_id}"' in screen.text and f'value="{own_id}"' not in screen.text

    refused = post(c, f"/phone/day-vote?w={own_code}", {"group": str(own_id)}, csrf)
    assert refused.status_code == 200
    assert t("error.day_vote_own_group", "ru") in text_of(refused.text)
    assert stored(db_url, DayBallot) == []

    taken = post(c, f"/phone/day-vote?w={own_code}", {"group": str(other_id)}, csrf)
    assert t("phone.vote_saved", "ru") in text_of(taken.text)
    assert [(b.participant_id, b.workshop_id) for b in stored(db_url, DayBallot)] == [
        (built[0].participant_ids[0], other_id)
    ]
    assert post(c, f"/phone/day-vote?w={own_code}", {"group": "x"}, csrf).status_code == 400

    # The safety net's cheap check: nothing new while the vote stays as it is, the screen once closed.
    phase = next(
        a["data-phase"]
        for tag, a in parse(c.get(f"/phone/screen?w={own_code}").text).elements
        if "data-phase" in a
    )
    assert c.get(f"/phone/screen?{urlencode({'w': own_code, 'phase': phase})}").status_code == 204
    with Session(engine) as session:
        services.close_day_vote(session=session, day_id=day.day_id)
    closed = c.get(f"/phone/screen?{urlencode({'w': own_code, 'phase': phase})}")
    assert closed.status_code == 200
    assert t("phone.day_vote_closed", "ru") in text_of(closed.text)
