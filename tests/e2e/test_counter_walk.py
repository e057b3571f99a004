"""Browser: the counter (R6). A customer-service employee finds the last router by name,
adds it to the basket and records the sale; the branch's stock then shows zero and the
sale's page shows the document. A second try to sell it is refused with the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_dashboard_walk import sign_in
from tests.world import PASSWORD, make_world

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]


def test_seller_sells_the_last_unit_and_stock_shows_zero(page: Any, problems: Any,
                                                         tmp_path: Path, settings: Any) -> None:
    from playwright.sync_api import expect

    from punkt.inventory.models import StockLevel
    from punkt.inventory.tests.factories import shop
    from punkt.sales.models import Sale

    settings.VAR_DIR = tmp_path
    world = make_world()
    s = shop(world, stock_a=1)

    sign_in(page, world.service_a.email, PASSWORD)
    with page.expect_navigation():
        page.locator("nav.mainnav").get_by_role("link", name="Stanowisko sprzedaży").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.a.name)

    # 1. Find the router by name (results come in as you type) and add it.
    page.get_by_test_id("product-search").fill("router")
    add = page.get_by_test_id("add-RTR-AX")
    expect(add).to_be_visible()
    with page.expect_navigation():
        add.click()
    basket = page.get_by_test_id("basket")
    expect(basket).to_contain_text("Router Wi-Fi 6")
    expect(page.get_by_test_id("basket-total")).to_have_text("249,00 zł")

    # 2. Cash; record the sale: the sale's page, the receipt on its way to the register.
    basket.get_by_label("gotówka").check()
    with page.expect_navigation():
        page.get_by_test_id("sell").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sprzedaż S")
    expect(page.get_by_test_id("sale-total")).to_have_text("249,00 zł")
    sale = Sale.objects.get()
    assert sale.payment_method == "cash" and sale.total_gross == 249
    problems.assert_clean()

    # 3. The branch's stock shows zero.
    page.goto("/stock/")
    expect(page.get_by_test_id("qty-RTR-AX")).to_have_text("0")
    assert StockLevel.objects.get(branch=world.a, product=s.router).quantity == 0

    # 4. Selling it again is refused with the reason, and nothing is recorded.
    page.goto("/sales/counter/")
    page.get_by_test_id("product-search").fill("RTR-AX")
    with page.expect_navigation():
        page.get_by_test_id("add-RTR-AX").click()
    with page.expect_navigation():
        page.get_by_test_id("sell").click()
    expect(page.get_by_test_id("sale-error")).to_contain_text("Za mało na stanie")
    expect(page.get_by_test_id("sale-error")).to_contain_text("zostało 0")
    assert Sale.objects.count() == 1
    problems.assert_clean()
