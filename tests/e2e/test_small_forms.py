"""Two forms as staff use them at 1366 px: the offer form searches the price lists and
adds positions as rows (no table of every position); the till's opening float shows
its "zł" beside the box, clear of the focus ring.

Run: ``pytest tests/e2e -m e2e``. Uses Debian's /usr/bin/chromium (see conftest.py).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_dashboard_walk import sign_in
from tests.world import PASSWORD, make_world

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]


def test_offer_form_finds_positions_and_records_the_offer(
        page: Any, problems: Any, tmp_path: Path, settings: Any) -> None:
    from playwright.sync_api import expect

    from punkt.contracts.models import Offer
    from punkt.contracts.tests.factories import customer, hq_materials

    settings.VAR_DIR = tmp_path
    world = make_world()
    hq_materials(world)  # INT-300 Internet 300 59,99; RTR-1 Router 249
    zofia = customer(world)
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, world.service_a.email, PASSWORD)
    page.goto(f"/contracts/offers/new/{zofia.pk}/")
    expect(page.get_by_test_id("offer-items").locator("tbody tr")).to_have_count(0)

    page.get_by_test_id("item-search").fill("rout")
    expect(page.get_by_test_id("item-results").locator("tbody tr")).to_have_count(1)
    page.get_by_test_id("add-RTR-1").click()
    page.get_by_test_id("add-RTR-1").click()  # twice: still one row
    page.get_by_test_id("item-search").fill("internet")
    page.get_by_test_id("add-INT-300").click()
    lines = page.get_by_test_id("offer-items").locator("tbody tr")
    expect(lines).to_have_count(2)
    page.get_by_label("Ilość: Internet 300").fill("2")
    page.get_by_role("button", name="Usuń: Router").click()
    expect(lines).to_have_count(1)
    with page.expect_navigation():
        page.get_by_role("button", name="Zapisz ofertę").click()
    offer = Offer.objects.get()
    assert offer.total_gross == Decimal("119.98")
    assert page.url.endswith(f"/contracts/offers/{offer.pk}/")
    problems.assert_clean()


def test_the_opening_float_unit_sits_clear_of_the_box(page: Any, problems: Any) -> None:
    world = make_world()
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, world.cashier_a.email, PASSWORD)
    page.goto("/cashdesk/")
    box = page.get_by_label("Pogotowie kasowe (gotówka w szufladzie), zł")
    box.focus()
    found = page.evaluate("""() => {
      const input = document.querySelector('[data-testid=opening-float]');
      const unit = input.parentElement.querySelector('.unit');
      const style = getComputedStyle(input);
      const ring = parseFloat(style.outlineWidth) + parseFloat(style.outlineOffset);
      const a = input.getBoundingClientRect(), b = unit.getBoundingClientRect();
      return {ring_right: a.right + ring, unit_left: b.left, unit: unit.textContent,
              same_line: b.top < a.bottom && b.bottom > a.top};
    }""")
    assert found["unit"] == "zł" and found["same_line"], found
    assert found["unit_left"] >= found["ring_right"], f"the focus ring covers “zł”: {found}"
    problems.assert_clean()
