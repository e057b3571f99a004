"""Browser: loyalty (R13). A customer-service employee issues a points card to a customer
from the profile, sells a router with the scanned card (points earned on what was paid),
and at a later sale the customer redeems the points for a discount; the card's page shows
the entries, each linked to its sale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_dashboard_walk import sign_in
from tests.world import PASSWORD, make_world

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]


def _sell(page: Any, code: str, search: str, card: str, points: str = "") -> None:
    from playwright.sync_api import expect

    page.goto("/sales/counter/")
    page.get_by_test_id("product-search").fill(search)
    add = page.get_by_test_id(f"add-{code}")
    expect(add).to_be_visible()
    with page.expect_navigation():
        add.click()
    page.get_by_test_id("card-number").fill(card)
    page.get_by_test_id("card-points").fill(points)
    with page.expect_navigation():
        page.get_by_test_id("sell").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sprzedaż S")


def test_a_card_earns_points_at_one_sale_and_redeems_them_at_the_next(
        page: Any, problems: Any, tmp_path: Path, settings: Any) -> None:
    from playwright.sync_api import expect

    from punkt.contracts.tests.factories import customer
    from punkt.inventory.tests.factories import shop
    from punkt.loyalty.models import Card
    from punkt.loyalty.tests.factories import programme
    from punkt.sales.models import Sale

    settings.VAR_DIR = tmp_path
    world = make_world()
    shop(world)
    programme(world, "points", name="Karta Punkt Plus")
    c = customer(world)

    sign_in(page, world.service_a.email, PASSWORD)
    # 1. From the customer's profile: issue a loyalty card of the points programme.
    page.goto(f"/customers/{c.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Wydaj kartę lojalnościową").first.click()
    expect(page.get_by_test_id("card-customer")).to_contain_text(c.display_name)
    with page.expect_navigation():
        page.get_by_test_id("issue").click()
    card = Card.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(card.number)
    expect(page.get_by_test_id("card-points")).to_contain_text("0")
    problems.assert_clean()

    # 2. A router sold with the scanned card: 249 zł paid, 249 points.
    _sell(page, "RTR-AX", "router", card.number)
    expect(page.get_by_test_id("sale-total")).to_have_text("249,00 zł")
    page.goto(f"/loyalty/{card.pk}/")
    expect(page.get_by_test_id("card-points")).to_contain_text("249")
    first = Sale.objects.get()
    expect(page.get_by_test_id("entries")).to_contain_text(first.number)

    # 3. Redeeming more than the card holds is refused, naming the points.
    page.goto("/sales/counter/")
    page.get_by_test_id("product-search").fill("kabel")
    with page.expect_navigation():
        page.get_by_test_id("add-CBL-5").click()
    page.get_by_test_id("card-number").fill(card.number)
    page.get_by_test_id("card-points").fill("500")
    with page.expect_navigation():
        page.get_by_test_id("sell").click()
    expect(page.get_by_test_id("sale-error")).to_contain_text("249")
    assert Sale.objects.count() == 1

    # 4. The next sale redeems 100 points (10,00 zł off the 19,99 zł cable).
    page.get_by_test_id("card-points").fill("100")
    with page.expect_navigation():
        page.get_by_test_id("sell").click()
    expect(page.get_by_test_id("sale-total")).to_have_text("9,99 zł")
    page.goto(f"/loyalty/{card.pk}/")
    expect(page.get_by_test_id("card-points")).to_contain_text("158")  # 249 − 100 + 9
    entries = page.get_by_test_id("entries")
    expect(entries).to_contain_text("wykorzystane")
    expect(entries).to_contain_text("-100")
    second = Sale.objects.exclude(pk=first.pk).get()
    with page.expect_navigation():
        entries.get_by_role("link", name=second.number).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(second.number)
    problems.assert_clean()
