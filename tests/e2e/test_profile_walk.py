"""Browser: the customer profile as a 360° view (issue 15). An HQ expert opens a customer
with a contract, an invoice, a payment and contacts: the summary shows the balance and the
open matters, the record tabs switch without a reload, the timeline (near the top, grouped
by day) filters by kind and each entry links to its record; the search box jumps to an
invoice number."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_dashboard_walk import sign_in
from tests.world import PASSWORD, make_world

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]


def test_profile_tabs_and_timeline(page: Any, problems: Any, tmp_path: Path) -> None:
    from punkt.cashdesk import services as cash
    from punkt.cashdesk.tests.factories import invoice
    from punkt.contracts.tests.factories import prepared
    from punkt.customers import timeline

    shots = Path(os.environ.get("PUNKT_E2E_SHOTS", tmp_path))

    def settled() -> None:
        """htmx has swapped and wired the new content (a click before that is lost)."""
        page.wait_for_function("() => !document.querySelector("
                               "'.htmx-request, .htmx-swapping, .htmx-settling')")

    world = make_world()
    contract = prepared(world)
    cust = contract.customer
    inv = invoice(world, cust)
    cash.till_open(actor=world.cashier_a, branch_id=world.a.pk, opening_float="100")
    cash.payment_register(actor=world.cashier_a, invoice_id=inv.pk, amount="23.00",
                          method="cash")
    timeline.contact_log(actor=world.service_a, customer_id=cust.pk, kind="call",
                         subject="Pytanie o fakturę")
    timeline.note_add(actor=world.service_a, customer_id=cust.pk, body="Oddzwonić po 16")

    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, world.expert.email, PASSWORD)
    page.goto(f"/customers/{cust.pk}/")
    summary = page.get_by_test_id("profile-summary")
    assert "do zapłaty 100,00" in summary.get_by_test_id("summary-balance").inner_text()
    assert "w toku" in summary.get_by_test_id("summary-matters").inner_text()
    # The timeline starts in the first screen, grouped by day ("dziś"), not numbered.
    box = page.get_by_test_id("timeline").bounding_box()
    assert box and box["y"] < 500, box
    assert page.get_by_test_id("timeline-day").first.inner_text().lower() == "dziś"
    # The first tab loads by itself; the others switch without leaving the page.
    page.wait_for_selector("[data-testid=tab-contracts]")
    settled()
    assert page.locator(f"[data-testid=tab-contracts] a:has-text('{contract.number}')").count()
    page.screenshot(path=str(shots / "profile-1366.png"))
    url = page.url
    page.click("[data-tab=offers]")
    page.wait_for_selector("[data-testid=tab-offers]")
    settled()
    page.click("[data-tab=invoices]")
    page.wait_for_selector("[data-testid=tab-invoices]")
    assert page.locator(f"[data-testid=tab-invoices] a:has-text('{inv.number}')").count()
    assert page.url == url
    page.screenshot(path=str(shots / "profile-invoices-1366.png"), full_page=True)
    # Filter the timeline: only the contract's entries, then only contacts.
    page.select_option("[data-testid=timeline-kind]", "contract")
    page.wait_for_function("() => document.querySelectorAll('#timeline li[data-kind]').length"
                           " && [...document.querySelectorAll('#timeline li[data-kind]')]"
                           ".every(li => li.dataset.kind === 'contract')")
    settled()
    page.select_option("[data-testid=timeline-kind]", "contacts")
    page.wait_for_selector("#timeline li[data-kind=call]")
    settled()
    assert page.locator("#timeline li[data-kind=note]").count() == 0
    page.screenshot(path=str(shots / "profile-contacts-1366.png"))
    page.select_option("[data-testid=timeline-kind]", "")
    page.wait_for_selector("#timeline li[data-kind=payment]")
    # An entry links to its record: the payment to its invoice.
    with page.expect_navigation():
        page.click("#timeline li[data-kind=payment] [data-testid=entry-link]")
    assert page.url.endswith(f"/cashdesk/invoices/{inv.pk}/")
    # The customer search box takes an invoice number (any case) and jumps to it.
    page.goto("/customers/")
    page.locator("input[name=q]").press_sequentially(inv.number.lower())
    page.wait_for_selector("[data-testid=found-number]")
    settled()  # htmx's address update (pushState) would pass for a navigation
    page.press("input[name=q]", "Enter")
    page.wait_for_url(f"**/cashdesk/invoices/{inv.pk}/")
    problems.assert_clean()
