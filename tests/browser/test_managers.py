"""A manager, in Chromium: signs in, finds a finished workshop in the archive by a word typed in
another case, opens its record, downloads the one-page PDF and the JSON, hands the innovation
off, shares the presentation by a read-only link that a phone opens, revokes it, and imports the
JSON back as a second workshop."""

from __future__ import annotations

import re
import subprocess

import pytest
from playwright.sync_api import Page, expect

from tests.scenario import build_workshop
from tests.support import ARTIFACTS, PHONE, PROJECTOR, upload
from tests.texts import ru, ru_pattern

T = 20_000
PASSWORD = "long managers' passphrase"


@pytest.fixture(autouse=True)
def manager_password(monkeypatch) -> None:
    """The server process inherits the environment: the managers' area has a password."""
    monkeypatch.setenv("MANAGER_PASSWORD", PASSWORD)


def select_first_row(page: Page) -> None:
    """Tick the first row of the archive's table (a canvas grid: its row marker column)."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    expect(grid).to_be_visible(timeout=T)
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 18)


def test_a_manager_finds_exports_hands_off_and_shares_a_workshop(server, browser, tmp_path) -> None:
    built = build_workshop(server.db_url, stop="finished")
    manager = browser.new_context(viewport=PROJECTOR, locale="ru-RU", accept_downloads=True).new_page()

    manager.goto(f"{server.base}/manage")
    manager.locator(".st-key-sign_in_name input").fill("Марина")
    manager.locator(".st-key-sign_in_password input").fill("не тот")
    manager.get_by_role("button", name=ru("manage.sign_in")).click()
    expect(manager.get_by_text(ru("manage.wrong_password"))).to_be_visible(timeout=T)
    manager.locator(".st-key-sign_in_password input").fill(PASSWORD)
    manager.get_by_role("button", name=ru("manage.sign_in")).click()
    expect(manager.get_by_text(ru("manage.signed_in_as", name="Марина"))).to_be_visible(timeout=T)

    search = manager.locator(".st-key-archive_text input")
    search.fill("СЕМЕЙНАЯ ПОДПИСКА")
    search.press("Enter")
    expect(manager.get_by_text(ru("archive.found", total=1, page=1, pages=1))).to_be_visible(timeout=T)
    select_first_row(manager)
    manager.get_by_role("link", name=ru("manage.open_record", code=built.code)).click()
    expect(manager.get_by_text(ru("why.trend")).first).to_be_visible(timeout=T)
    manager.screenshot(path=str(ARTIFACTS / "20_manager_record.png"))

    with manager.expect_download(timeout=T) as download:
        manager.get_by_role("button", name=ru("record.download.pdf")).click()
    pdf = tmp_path / "leadership.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M)
    with manager.expect_download(timeout=T) as download:
        manager.get_by_role("button", name=ru("manage.export_json")).click()
    document = tmp_path / "workshop.json"
    download.value.save_as(document)
    assert "Семейная подписка со скидкой" in document.read_text(encoding="utf-8")

    # The hand-off: a bad e-mail is refused with a message and nothing typed is lost.
    manager.locator(".st-key-ho_name input").fill("Ирина Котова")
    manager.locator(".st-key-ho_email input").fill("irina@")
    manager.locator(".st-key-ho_role input").fill("Аккаунт-менеджер")
    manager.get_by_role("button", name=ru("handoff.assign_go"), exact=True).click()
    expect(manager.get_by_text(ru("handoff.bad_email"))).to_be_visible(timeout=T)
    expect(manager.locator(".st-key-ho_name input")).to_have_value("Ирина Котова")
    manager.locator(".st-key-ho_email input").fill("irina@example.com")
    manager.get_by_role("button", name=ru("handoff.assign_go"), exact=True).click()
    expect(manager.get_by_text(ru("handoff.change.status", status=ru("handoff.status.new")))).to_be_visible(
        timeout=T
    )
    manager.get_by_text(ru("handoff.status.checking"), exact=True).click()
    manager.locator(".st-key-ho_status_links textarea").fill("https://example.com/market-check")
    manager.get_by_role("button", name=ru("handoff.change_status")).click()
    expect(
        manager.get_by_text(ru("handoff.change.status", status=ru("handoff.status.checking"))).first
    ).to_be_visible(timeout=T)
    expect(manager.get_by_role("link", name="https://example.com/market-check")).to_be_visible(timeout=T)

    # A read-only link: a phone opens it without the password, until it is revoked.
    manager.get_by_role("button", name=ru("share.create")).click()
    expect(manager.get_by_text(ru("share.created"))).to_be_visible(timeout=T)
    link = manager.locator('[data-testid="stCode"]').first.inner_text().strip()
    assert re.fullmatch(rf"{re.escape(server.base)}/shared\?t=[\w-]+", link), link
    phone = browser.new_context(viewport=PHONE, locale="ru-RU", is_mobile=True).new_page()
    phone.goto(link)
    expect(phone.get_by_text("Инновации в доставке")).to_be_visible(timeout=T)
    expect(phone.get_by_text(ru("why.trend"))).to_be_visible(timeout=T)
    expect(phone.get_by_text(ru("manage.sign_out"))).to_have_count(0)
    phone.screenshot(path=str(ARTIFACTS / "21_shared_phone.png"), full_page=True)
    manager.get_by_role("button", name=ru("share.revoke")).click()
    expect(manager.get_by_text(ru("share.revoked"))).to_be_visible(timeout=T)
    expect(
        manager.get_by_text(
            re.compile("^" + ru_pattern("share.dead", revoked=r"\d{4}-.*", when=".*", by=".*"))
        )
    ).to_be_visible(timeout=T)
    phone.reload()
    expect(phone.get_by_text(ru("share.unknown"))).to_be_visible(timeout=T)
    expect(phone.get_by_text(ru("why.trend"))).to_have_count(0)

    # The JSON goes back in as a second workshop, findable in the archive at once.
    manager.get_by_role("link", name=ru("manage.back")).click()
    manager.locator(".st-key-manage_section").get_by_text(ru("manage.tab_import")).click()
    upload(manager, document)
    manager.get_by_role("button", name=ru("import.go")).click()
    expect(manager.get_by_text(re.compile(ru_pattern("import.done", code="[A-Z0-9]{6}")))).to_be_visible(
        timeout=T
    )
    manager.locator(".st-key-manage_section").get_by_text(ru("manage.tab_archive")).click()
    expect(manager.get_by_text(ru("archive.found", total=2, page=1, pages=1))).to_be_visible(timeout=T)
