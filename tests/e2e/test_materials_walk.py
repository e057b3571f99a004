"""Browser: an HQ expert publishes a price list to every branch; a customer-service
employee finds it in "Z centrali" marked new, opens its positions, and it is no longer new."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_dashboard_walk import open_menu_for, seed_demo, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]

PRICES = "kod;nazwa;cena brutto;VAT\nINT-600;Internet światłowodowy 600 Mb/s;69,99;23\n"


def test_publish_price_list_and_branch_opens_it(page: Any, problems: Any, browser: Any,
                                                live_server: Any, tmp_path: Path,
                                                settings: Any) -> None:
    settings.VAR_DIR = tmp_path
    seed_demo()
    sign_in(page, "ekspert@demo.punkt.pl")
    open_menu_for(page, "/materials/manage/")
    page.click('nav.mainnav a[href="/materials/manage/"]')
    page.select_option("select[name=kind]", "price_list")
    page.fill("input[name=title]", "Cennik <b>zima</b>")
    with page.expect_navigation():
        page.click("main form.card button[type=submit]")
    csv_file = tmp_path / "cennik.csv"
    csv_file.write_text(PRICES, encoding="utf-8")
    page.set_input_files("input[name=file]", str(csv_file))
    page.fill("input[name=valid_from]", "2026-01-01")
    with page.expect_navigation():
        page.click("form[enctype] button[type=submit]")
    problems.confirm("Opublikować")  # "Publish this version to the branches now?"
    with page.expect_navigation():
        page.click("form[action$='/publish/'] button[type=submit]")
    assert page.locator("[data-testid=versions] .badge.ok").count() == 1
    problems.assert_clean()

    other = browser.new_context(base_url=live_server.url, locale="pl-PL")
    branch = other.new_page()
    sign_in(branch, "obsluga@demo.punkt.pl")
    branch.click('nav.mainnav a[href="/materials/"]')
    row = branch.locator("[data-testid=materials] tr.new")
    assert row.count() == 1 and "Cennik <b>zima</b>" in row.inner_text()  # shown as text
    row.locator("[data-testid=open-material] button").first.click()  # a POST
    branch.wait_for_selector("[data-testid=price-items]")
    assert "69,99 zł" in branch.locator("[data-testid=price-items]").inner_text()
    branch.goto("/materials/")
    assert branch.locator("[data-testid=materials] tr.new").count() == 0
    other.close()
