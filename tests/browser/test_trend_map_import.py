"""A facilitator imports a trend map from a CSV written by Russian Excel, edits one trend, runs
step 2 with it, and the projector's map shows the edited trend and the phones' picks."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.phones import join, new_phone, pick
from tests.support import ARTIFACTS, PROJECTOR, upload
from tests.texts import ru

T = 20_000
ROWS = [
    "code;category;title_ru;title_en;description_ru;description_en",
    "D1;Доставка;Доставка за час;One-hour delivery;Клиент ждёт заказ в течение часа;Orders within an hour",
    "D2;Доставка;Пункты выдачи рядом;Pick-up points nearby;Заказ забирают по пути;Collected on the way",
    "D3;Доставка;Тихая доставка;Quiet delivery;Курьер не звонит без нужды;The courier does not call",
    "P1;Оплата;Оплата по подписке;Subscription payment;Регулярный заказ со скидкой;A regular order, cheaper",
    "P2;Оплата;Оплата частями;Pay in parts;Рассрочка без банка;Instalments without a bank",
    "P3;Оплата;Оплата при получении;Pay on delivery;Платит после проверки;Pays after checking",
]
CSV = ("\n".join(ROWS) + "\n").encode("cp1251")


def stations(page: Page) -> dict[str, list[str]]:
    """The projector's trend map: each station's code → (its title, the pick count it shows)."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.metro-station')].map((s) => [
            s.dataset.code,
            [s.querySelector('.metro-title').textContent, s.querySelector('.metro-count').textContent],
        ]))"""
    )


def test_import_a_csv_edit_a_trend_and_see_picks_on_the_projector_map(server, browser, tmp_path) -> None:
    csv_path = tmp_path / "карта.csv"
    csv_path.write_bytes(CSV)
    facilitator = browser.new_context(viewport=PROJECTOR, locale="ru-RU").new_page()

    # Import: a preview first, then the save.
    facilitator.goto(f"{server.base}/maps")
    facilitator.get_by_role("tab", name=ru("maps.tab_import")).click()
    facilitator.locator(".st-key-m_title_ru input").fill("Доставка 2026")
    facilitator.locator(".st-key-m_title_en input").fill("Delivery 2026")
    facilitator.locator(".st-key-m_source input").fill("Команда продукта, ноябрь 2026")
    facilitator.locator(".st-key-m_source input").press("Tab")
    upload(facilitator, csv_path)
    expect(facilitator.get_by_text(ru("maps.preview", n=6))).to_be_visible(timeout=T)
    facilitator.get_by_role("button", name=ru("maps.save_import")).click()
    expect(facilitator.get_by_text(ru("maps.imported"))).to_be_visible(timeout=T)

    # Edit one trend of the imported map.
    facilitator.get_by_role("tab", name=ru("maps.tab_edit")).click()
    facilitator.get_by_role("combobox", name=ru("maps.choose")).click()
    facilitator.get_by_role("option", name=re.compile("Доставка 2026")).click()
    expect(facilitator.get_by_role("combobox", name=ru("maps.trend")).first).to_have_value("D1", timeout=T)
    title = facilitator.locator('[data-testid="stForm"] .st-key-e_tru_D1 input')
    title.fill("Доставка за 30 минут")
    facilitator.get_by_role("button", name=ru("maps.save_trend")).click()
    expect(facilitator.get_by_text(ru("maps.saved"))).to_be_visible(timeout=T)
    facilitator.screenshot(path=str(ARTIFACTS / "10_maps_page.png"), full_page=True)

    # A workshop on the edited map; two phones pick in step 2.
    facilitator.goto(f"{server.base}/")
    facilitator.locator(".st-key-ws_title input").fill("Доставка")
    facilitator.locator(".st-key-ws_product input").fill("Доставка продуктов")
    facilitator.get_by_role("combobox", name=ru("field.trend_map")).click()
    facilitator.get_by_role("option", name="Доставка 2026").click()
    facilitator.get_by_text(ru("start.settings")).click()
    facilitator.locator(".st-key-picks_min input").fill("2")
    facilitator.locator(".st-key-picks_min input").press("Tab")
    facilitator.get_by_role("button", name=ru("start.create_button")).click()
    facilitator.wait_for_url(re.compile(r".*/control\?.*controls=1.*"), timeout=T)
    code = re.search(r"w=([A-Z0-9]+)", facilitator.url).group(1)
    facilitator.get_by_role("link", name=ru("ctl.one_screen")).click()
    facilitator.wait_for_url(re.compile(r".*/projector\?.*"), timeout=T)

    phones = []
    for name, department in (("Анна", "Продажи"), ("Борис", "Логистика")):
        phone = new_phone(browser)
        join(phone, server.base, code, name, department)
        expect(phone.get_by_text(ru("phone.lobby", name=name))).to_be_visible(timeout=T)
        phones.append(phone)
    sidebar = facilitator.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("button", name=ru("ctl.start")).click()

    for phone in phones:
        expect(phone.locator('li.trend[data-code="D1"]')).to_contain_text("Доставка за 30 минут", timeout=T)
        pick(phone, "D1")
        expect(phone.locator("#pick-status")).to_contain_text(
            ru("phone.picked_n", n=1, low=2, high=5), timeout=T
        )
        pick(phone, "P2")
        expect(phone.locator("#pick-status")).to_contain_text(
            ru("phone.picked_n", n=2, low=2, high=5), timeout=T
        )

    expect(facilitator.get_by_text(ru("proj.pick_progress", n=2, total=2, picks=4))).to_be_visible(timeout=T)
    shown = stations(facilitator)
    assert sorted(shown) == ["D1", "D2", "D3", "P1", "P2", "P3"]
    assert shown["D1"] == ["Доставка за 30 минут", "2"]  # the edited title; both phones picked it
    assert shown["P2"] == ["Оплата частями", "2"]
    assert all(count == "" for code, (_title, count) in shown.items() if code not in ("D1", "P2"))
    facilitator.screenshot(path=str(ARTIFACTS / "11_projector_imported_map.png"))
    phones[0].screenshot(path=str(ARTIFACTS / "11_phone_imported_map.png"))
