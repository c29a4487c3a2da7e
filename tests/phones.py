"""A participant's phone in the tests: the light pages of ``web.phone`` (join, pick, write, vote).

Two kinds of phone:

- in Chromium (Playwright's sync API): ``phone_context``/``new_phone`` make the browser, ``join``,
  ``open_phone``, ``pick``, ``write`` and ``vote`` tap what a person taps and wait for what a
  person waits for (a light page has no rerun to wait for: each helper waits for its outcome);
- ``HttpPhone``: no browser, the same requests the page's script sends (the cookie, the page's
  anti-forgery token, this site's ``Origin``), for phones in numbers.

A page opened from ``phone_context`` counts what its live connection did: ``window.__hellos``
(the event stream's greetings: one per connection, so a reconnect is the second) and
``window.__swaps`` (the step's part of the page swapped in). ``ready`` waits until the stream is
connected: from then on, no change of the workshop escapes the page.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import httpx
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.support import PHONE
from workshop.i18n import t

T = 15_000
LOCALES = {"ru": "ru-RU", "en": "en-US"}

# Instruments the page's own script from outside (it changes nothing the page does): the event
# stream's greetings and the screen's swaps are counted where the test can read them.
COUNT_LIVE = """
(() => {
  window.__hellos = 0;
  window.__swaps = 0;
  const Real = window.EventSource;
  if (Real) {
    const Counted = function (url, options) {
      const source = new Real(url, options);
      source.addEventListener('hello', () => { window.__hellos += 1; });
      window.__live = source;
      return source;
    };
    Counted.prototype = Real.prototype;
    Object.assign(Counted, { CONNECTING: 0, OPEN: 1, CLOSED: 2 });
    window.EventSource = Counted;
  }
  document.addEventListener('htmx:afterSettle', (e) => {
    if (e.detail.elt && e.detail.elt.id === 'screen') window.__swaps += 1;
  });
})();
"""


# --------------------------------------------------------------------------- Chromium


def phone_context(
    browser: Browser, *, lang: str = "ru", viewport: dict[str, int] | None = None, **options: Any
) -> BrowserContext:
    """A phone's browser (touch, mobile, its own cookies), its live connection counted."""
    context = browser.new_context(
        viewport=viewport or PHONE,
        locale=LOCALES.get(lang, lang),
        is_mobile=True,
        has_touch=True,
        **options,
    )
    context.add_init_script(COUNT_LIVE)
    return context


def new_phone(browser: Browser, **options: Any) -> Page:
    """A phone's page in a browser of its own (see ``phone_context``)."""
    return phone_context(browser, **options).new_page()


def screen(page: Page) -> Locator:
    """The step's part of the phone's page (swapped in place when the workshop changes)."""
    return page.locator("main#screen")


def ready(page: Page, *, hellos: int = 1, timeout: int = T) -> None:
    """The phone's page is up: its step's part is there, htmx and the page's script have loaded,
    and its event stream has said hello ``hellos`` times (the server listens for it from then)."""
    expect(screen(page)).to_be_attached(timeout=timeout)
    page.wait_for_function(
        "(n) => window.htmx && document.readyState === 'complete' && window.__hellos >= n",
        arg=hellos,
        timeout=timeout,
    )


def hellos(page: Page) -> int:
    return int(page.evaluate("window.__hellos || 0"))


def swaps(page: Page) -> int:
    return int(page.evaluate("window.__swaps || 0"))


def joined_url(code: str) -> re.Pattern[str]:
    """The phone's address after joining: the workshop's code, never the token."""
    return re.compile(rf".*/phone\?w={re.escape(code)}(&.*)?$")


def join(page: Page, base: str, code: str, name: str, department: str, *, lang: str | None = None) -> None:
    """Open the join link, type a name and a department, join; wait for the phone's page."""
    query = {"code": code, **({"lang": lang} if lang else {})}
    page.goto(f"{base}/join?{urlencode(query)}")
    form = page.locator("form#join-form")
    form.locator("input#name").fill(name)
    form.locator("input#department").fill(department)
    form.locator('button[type="submit"]').click()
    page.wait_for_url(joined_url(code), timeout=T)
    ready(page)


def open_phone(page: Page, base: str, token: str, *, lang: str | None = None) -> None:
    """Open a link that carries the token (it goes into the cookie; the address keeps the code)."""
    query = {"p": token, **({"lang": lang} if lang else {})}
    page.goto(f"{base}/phone?{urlencode(query)}")
    page.wait_for_url(re.compile(r".*/phone\?w=[A-Z0-9]+(&.*)?$"), timeout=T)
    assert "p=" not in page.url
    ready(page)


def who(page: Page) -> Locator:
    """The header: "Title · Name (Department)"."""
    return page.locator("header.who")


@contextlib.contextmanager
def swapped(page: Page, *, timeout: int = T) -> Iterator[None]:
    """Wait, after the block, for the step's part to have been swapped for a new one (a tap's
    answer or a change of the workshop): what is on it is then the answer, not the old part."""
    page.evaluate("() => { const s = document.getElementById('screen'); if (s) s.dataset.old = '1'; }")
    yield
    expect(page.locator("main#screen:not([data-old])")).to_be_attached(timeout=timeout)


def flash(page: Page, kind: str, text: str, *, exact: bool = False) -> Locator:
    """A message of ``kind`` (success, error, warning, info) whose text contains ``text`` (or,
    ``exact``, is ``text``)."""
    wanted = re.compile(rf"^\s*{re.escape(text)}\s*$") if exact else text
    return page.locator(f"p.flash.{kind}").filter(has_text=wanted)


def trend_box(page: Page, code: str) -> Locator:
    return page.locator(f'li.trend[data-code="{code}"] input[type="checkbox"]')


def pick(page: Page, code: str, *, picked: int | None = None) -> None:
    """Tap a trend's checkbox (it saves at once); with ``picked``, wait until the status counts
    that many."""
    trend_box(page, code).click()
    if picked is not None:
        expect(page.locator("#pick-status")).to_have_attribute("data-picked", str(picked), timeout=T)


def write(page: Page, text: str, why: str | None = None, *, lang: str = "ru") -> None:
    """Type a note (an obstacle's reason, or an idea with ``why``), send it, and see it sent: the
    message and the note among the phone's own."""
    form = page.locator("form.note-form")
    expect(form).to_be_visible(timeout=T)
    form.locator("textarea#note-text").fill(text)
    if why is not None:
        form.locator("input#note-why").fill(why)
    with swapped(page):
        form.get_by_role("button", name=t("phone.send", lang), exact=True).click()
    expect(flash(page, "success", t("phone.note_saved", lang), exact=True)).to_be_visible(timeout=T)
    expect(page.locator(".note-card[data-note]").filter(has_text=text).first).to_be_visible(timeout=T)


def vote(
    page: Page,
    option: str | re.Pattern[str] | None = None,
    *,
    dots: dict[str, int] | None = None,
    lang: str = "ru",
) -> None:
    """Vote for the option whose text contains ``option`` (one vote), or put ``dots`` on options
    by their text (dot voting); see "vote counted"."""
    ballot = page.locator("form.ballot")
    expect(ballot).to_be_visible(timeout=T)
    if option is not None:
        ballot.locator("label.option").filter(has_text=option).first.click()
    for text, n in (dots or {}).items():
        ballot.locator("label.option.dots").filter(has_text=text).first.locator("input").fill(str(n))
    button = ballot.locator('button[type="submit"]')
    with swapped(page):
        button.click()
    expect(flash(page, "success", t("phone.vote_saved", lang), exact=True)).to_be_visible(timeout=T)


# --------------------------------------------------------------------------- no browser


class _Fields(HTMLParser):
    """The anti-forgery token of a phone's page or of the join form, and the page's text."""

    def __init__(self) -> None:
        super().__init__()
        self.csrf = ""
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and a.get("name") == "csrf-token":
            self.csrf = a.get("content", "")
        elif tag == "input" and a.get("name") == "csrf":
            self.csrf = a.get("value", "")

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.text.append(data)


def _read(html: str) -> _Fields:
    fields = _Fields()
    fields.feed(html)
    return fields


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", "".join(_read(html).text)).strip()


class _LikeABrowser(httpx.HTTPTransport):
    """Sends a GET once more when the kept-alive connection it went out on was closed by the
    server meanwhile (reset before any answer), as a browser does. Under a storm a phone's thread
    can wait past the server's keep-alive time between two requests; nothing else is retried."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return super().handle_request(request)
        except (httpx.ReadError, httpx.RemoteProtocolError):
            if request.method != "GET":
                raise
            return super().handle_request(request)


class HttpPhone:
    """A phone without a browser: its cookies, its page's anti-forgery token, this site's Origin."""

    def __init__(self, base: str, *, lang: str = "ru", timeout: float = 60.0) -> None:
        self.base = base
        self.lang = lang
        self.code = ""
        self.csrf = ""
        self.client = httpx.Client(
            base_url=base,
            timeout=timeout,
            follow_redirects=False,
            headers={"Origin": base},
            transport=_LikeABrowser(),
        )

    def __enter__(self) -> HttpPhone:
        return self

    def __exit__(self, *exc) -> None:  # type: ignore[no-untyped-def]
        self.client.close()

    def _page(self, answer: httpx.Response) -> str:
        answer.raise_for_status()
        self.csrf = _read(answer.text).csrf or self.csrf
        return answer.text

    def join(self, code: str, name: str, department: str) -> str:
        """Join by the join link; returns the phone's page. The token stays in the cookie."""
        self._page(self.client.get("/join", params={"code": code, "lang": self.lang}))
        answer = self.client.post(
            f"/join?lang={self.lang}",
            data={"code": code, "csrf": self.csrf, "name": name, "department": department},
        )
        assert answer.status_code == 303, (answer.status_code, text_of(answer.text)[:300])
        self.code = code
        return self.open()

    def open(self, token: str | None = None) -> str:
        """The phone's page (by a link that carries ``token``, or by the cookie)."""
        if token is not None:
            answer = self.client.get("/phone", params={"p": token, "lang": self.lang})
            assert answer.status_code == 303, answer.status_code
            self.code = re.search(r"w=([A-Z0-9]+)", answer.headers["location"]).group(1)  # type: ignore[union-attr]
        return self._page(self.client.get("/phone", params={"w": self.code, "lang": self.lang}))

    @property
    def token(self) -> str | None:
        return self.client.cookies.get(f"p_{self.code}")

    def _tap(self, path: str, fields: dict[str, object]) -> str:
        answer = self.client.post(
            f"{path}?{urlencode({'w': self.code, 'lang': self.lang})}",
            data={k: str(v) for k, v in fields.items()},
            headers={"X-CSRF-Token": self.csrf, "HX-Request": "true"},
        )
        answer.raise_for_status()
        return answer.text

    def pick(self, trend_id: int, picked: bool = True) -> str:
        return self._tap("/phone/pick", {"trend": trend_id, **({"picked": "1"} if picked else {})})

    def note(self, text: str, rationale: str = "") -> str:
        return self._tap("/phone/note", {"text": text, "rationale": rationale})

    def vote(self, poll_id: int, option_id: int) -> str:
        return self._tap("/phone/vote", {"poll": poll_id, "option": option_id})

    def dots(self, poll_id: int, marks: dict[int, int]) -> str:
        return self._tap("/phone/vote", {"poll": poll_id, **{f"dots_{k}": v for k, v in marks.items()}})
