"""Two app processes behind haproxy on one PostgreSQL database (python -m scripts.scale_out).

The projector is served by one process and a phone by the other; what the phone sends shows on
the projector within a second, carried from process to process by LISTEN/NOTIFY. New browsers
spread over the processes, and a phone whose process dies carries on with a live one (its event
stream comes back there; the light page asks for its screen, no reload and no joining again).

PostgreSQL is the one TEST_DATABASE_URL names (make test's PostgreSQL run) or a throwaway server
from Debian's packages; haproxy is Debian's, installed here if missing. Without them this fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bench.latency import MARK_CLICK, OBSERVE
from scripts.scale_out import (
    STICKY_COOKIE,
    Cluster,
    find_haproxy,
    install_haproxy,
    prepare_database,
    throwaway_postgres,
)
from tests.phones import COUNT_LIVE, open_phone, ready, swaps, who, write
from tests.scenario import build_workshop
from tests.support import ARTIFACTS, PHONE, PROJECTOR, free_port, live_ticket
from workshop.services import Settings

T = 15_000

# When each note's card first appears on the projector (a MutationObserver, so no polling delay).
# The boot id of the process that answers this page's requests: the first event on its stream.
BOOT_OF_PAGE = """
async ([code, ticket]) => {
  const query = '?kinds=step&t=' + encodeURIComponent(ticket);
  const answer = await fetch('/live/' + code + query, { cache: 'no-store' });
  const reader = answer.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('\\n\\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.cancel();
  return JSON.parse(text.match(/^data: (.*)$/m)[1]).boot;
}
"""


def boot_of(base: str, code: str, ticket: str) -> str:
    """The boot id a process announces, asked directly (past the proxy)."""
    query = urllib.parse.urlencode({"kinds": "step", "t": ticket})
    with urllib.request.urlopen(f"{base}/live/{code}?{query}", timeout=10) as stream:
        for raw in stream:
            line = raw.decode().strip()
            if line.startswith("data: "):
                return json.loads(line[len("data: ") :])["boot"]
    raise AssertionError(f"{base} sent no hello")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    haproxy = find_haproxy()
    if haproxy is None:
        install_haproxy()
        haproxy = find_haproxy()
    if haproxy is None:
        pytest.fail("haproxy is not installed and could not be installed: run `make haproxy` as root")
    with contextlib.ExitStack() as stack:
        url = os.environ.get("TEST_DATABASE_URL", "")
        if url:
            from workshop.db.engine import make_engine

            engine = make_engine(url)
            with engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            engine.dispose()
        else:
            url = stack.enter_context(throwaway_postgres())
        prepare_database(url)
        run_dir: Path = tmp_path_factory.mktemp("scale-out")
        cluster = Cluster(
            database_url=url,
            processes=2,
            port=free_port(),
            address="127.0.0.1",
            run_dir=run_dir,
            haproxy=haproxy,
        )
        stack.callback(cluster.stop)
        cluster.start()
        yield cluster


def pinned_page(browser: Browser, cluster: Cluster, process: str, **context_options) -> Page:  # type: ignore[no-untyped-def]
    """A browser whose stickiness cookie sends it to ``process`` (app1, app2)."""
    context = browser.new_context(locale="ru-RU", **context_options)
    context.add_cookies([{"name": STICKY_COOKIE, "value": process, "url": cluster.base}])
    context.add_init_script(COUNT_LIVE)  # a phone's live connection counted (tests.phones)
    return context.new_page()


def sticky_cookie(page: Page) -> str:
    [value] = [c["value"] for c in page.context.cookies() if c["name"] == STICKY_COOKIE]
    return value


def send_note(phone: Page, text: str) -> None:
    write(phone, text)


def test_new_browsers_spread_over_the_processes_by_a_cookie(cluster: Cluster) -> None:
    assigned = []
    for _ in range(4):  # four phones behind one network address, none with a cookie yet
        with urllib.request.urlopen(cluster.base + "/", timeout=10) as answer:
            cookie = answer.headers.get("Set-Cookie", "")
        assert cookie.startswith(f"{STICKY_COOKIE}="), cookie
        assert "HttpOnly" in cookie
        assigned.append(cookie.split(";")[0].split("=")[1])

    assert set(assigned) == {"app1", "app2"}


def test_a_phone_on_one_process_and_the_projector_on_another_agree_within_a_second(
    cluster: Cluster, browser: Browser
) -> None:
    settings = Settings(notes_max=8, write_minutes=60)
    built = build_workshop(cluster.database_url, stop="obstacles_write", people=6, settings=settings)
    projector = pinned_page(browser, cluster, "app1", viewport=PROJECTOR)
    projector.goto(f"{cluster.base}/projector?{built.room_query}")
    expect(projector.locator(".note-card").first).to_be_visible(timeout=T)
    phone = pinned_page(browser, cluster, "app2", viewport=PHONE, is_mobile=True, has_touch=True)
    open_phone(phone, cluster.base, built.tokens[0])
    expect(phone.locator("form.note-form textarea#note-text")).to_be_visible(timeout=T)

    # Each page is served by its own process: the boot id its requests meet is that process's.
    ticket = live_ticket(cluster.database_url, built.code)
    app1, app2 = (
        boot_of(cluster.app_base(1), built.code, ticket),
        boot_of(cluster.app_base(2), built.code, ticket),
    )
    assert app1 != app2
    assert projector.evaluate(BOOT_OF_PAGE, [built.code, ticket]) == app1
    assert phone.evaluate(BOOT_OF_PAGE, [built.code, ticket]) == app2
    assert (sticky_cookie(projector), sticky_cookie(phone)) == ("app1", "app2")

    projector.evaluate(OBSERVE)
    phone.evaluate(MARK_CLICK)
    latencies = []
    for n in range(1, 6):
        text = f"Из другого процесса {n}: курьер не звонит"
        send_note(phone, text)  # sent, and shown on the phone as sent
        projector.wait_for_function("t => t in window.__seen", arg=text, timeout=T)
        clicked = phone.evaluate("window.__clicked")
        seen = projector.evaluate("t => window.__seen[t]", text)
        latencies.append((seen - clicked) / 1000)
    projector.screenshot(path=str(ARTIFACTS / "scale_out_projector.png"))

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "scale_out_latency.json").write_text(json.dumps({"click_to_projector_s": latencies}) + "\n")
    assert max(latencies) < 1.0, latencies
    assert (sticky_cookie(projector), sticky_cookie(phone)) == ("app1", "app2")
    projector.context.close()
    phone.context.close()


def test_a_phone_whose_process_dies_reloads_on_the_other_and_carries_on(
    cluster: Cluster, browser: Browser
) -> None:
    built = build_workshop(cluster.database_url, stop="obstacles_write", people=6)
    projector = pinned_page(browser, cluster, "app1", viewport=PROJECTOR)
    projector.goto(f"{cluster.base}/projector?{built.room_query}")
    phone = pinned_page(browser, cluster, "app2", viewport=PHONE, is_mobile=True, has_touch=True)
    open_phone(phone, cluster.base, built.tokens[0])
    expect(who(phone)).to_contain_text("Анна (Продажи)", timeout=T)
    phone.evaluate("window.__samePage = 1")
    swapped_before = swaps(phone)

    # The phone's process is killed; the proxy sends the phone's event stream to the other one,
    # whose new boot id makes the page ask for its screen there (no reload: the phone is its
    # cookie, and the other process reads the same database).
    cluster.apps[1].stop(signal.SIGKILL)
    ready(phone, hellos=2)
    phone.wait_for_function("(n) => window.__swaps > n", arg=swapped_before, timeout=T)
    assert phone.evaluate("window.__samePage") == 1

    expect(who(phone)).to_contain_text("Анна (Продажи)", timeout=T)
    assert sticky_cookie(phone) == "app1"
    send_note(phone, "После падения процесса: нет оплаты картой")
    expect(projector.locator(".note-card").filter(has_text="После падения процесса")).to_be_visible(timeout=T)
    projector.context.close()
    phone.context.close()
