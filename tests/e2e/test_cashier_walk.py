"""Browser: the cashier's day (R8). The cashier opens the till, finds an invoice by the
customer's name and address, takes part of it in cash, prints the invoice's duplicate,
counts the drawer and closes the till 5 zł short; the manager acknowledges the
difference."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_contract_walk import signed_in  # noqa: F401 - fixture
from tests.world import make_world

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]


def test_cashier_takes_a_partial_payment_and_closes_with_a_difference(
        signed_in: Any, problems: Any, tmp_path: Path, settings: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    from punkt.cashdesk.models import Payment, TillSession
    from punkt.cashdesk.tests.factories import invoice

    settings.VAR_DIR = tmp_path
    world = make_world()
    inv = invoice(world)  # 123,00 zł for Zofia Żółkiewska, ul. Floriańska 1, 31-042 Kraków

    cashier = signed_in(world.cashier_a.email)
    with cashier.expect_navigation():
        cashier.locator("nav.mainnav").get_by_role("link", name="Kasa", exact=True).click()
    cashier.get_by_label("Pogotowie kasowe (gotówka w szufladzie), zł").fill("200,00")
    with cashier.expect_navigation():
        cashier.get_by_test_id("open-till").click()
    expect(cashier.get_by_test_id("latest")).to_contain_text("200,00\u00a0zł")  # the float

    # 1. No invoice at hand: first name, last name and the registered address.
    search = cashier.get_by_test_id("buyer-search")
    search.get_by_label("Imię").fill("Zofia")
    search.get_by_label("Nazwisko").fill("Żółkiewska")
    search.get_by_label("Kod pocztowy, miejscowość lub ulica").fill("Floriańska")
    with cashier.expect_navigation():
        search.get_by_role("button", name="Szukaj").click()
    with cashier.expect_navigation():
        cashier.get_by_test_id("found").get_by_role("link", name=inv.number).click()
    expect(cashier.get_by_test_id("outstanding")).to_have_text("123,00\u00a0zł")

    # 2. A partial payment in cash: the balance changes at once.
    cashier.get_by_test_id("amount").fill("100,00")
    cashier.get_by_label("gotówka").check()
    with cashier.expect_navigation():
        cashier.get_by_test_id("pay").click()
    expect(cashier.get_by_test_id("outstanding")).to_have_text("23,00\u00a0zł")
    expect(cashier.get_by_test_id("invoice-status")).to_have_text("opłacona częściowo")
    expect(cashier.get_by_test_id("balance")).to_contain_text("23,00")
    assert Payment.objects.get().amount == 100

    # 3. The duplicate of the invoice (a PDF marked DUPLIKAT).
    # Printing records the issue: a POST (with the page's CSRF token), never a link.
    form = cashier.get_by_test_id("duplicate-form")
    assert form.get_attribute("method") == "post"
    response = cashier.request.post(form.get_attribute("action") or "", form={
        "csrfmiddlewaretoken": form.locator("input[name=csrfmiddlewaretoken]").input_value()})
    assert response.status == 200 and response.body().startswith(b"%PDF")
    problems.assert_clean()

    # 4. Count: 300 zł expected, 295 zł in the drawer; the difference needs a note.
    cashier.goto("/cashdesk/close/")
    form = cashier.get_by_test_id("count-form")
    form.get_by_label("200 zł", exact=True).fill("1")
    form.get_by_label("50 zł", exact=True).fill("1")
    form.get_by_label("20 zł", exact=True).fill("2")
    form.get_by_label("5 zł", exact=True).fill("1")
    problems.expect_failure("/cashdesk/close/")
    with cashier.expect_navigation():
        cashier.get_by_test_id("close").click()
    expect(cashier.get_by_test_id("form-error")).to_contain_text("opisz różnicę")
    form = cashier.get_by_test_id("count-form")
    assert form.get_by_label("200 zł", exact=True).input_value() == "1"  # kept
    form.get_by_label("Uwagi (wymagane, gdy jest różnica)").fill("Źle wydana reszta")
    with cashier.expect_navigation():
        cashier.get_by_test_id("close").click()
    expect(cashier.get_by_test_id("difference")).to_contain_text("-5,00")
    session = TillSession.objects.get()

    # 5. The manager sees it on the dashboard and acknowledges the difference.
    manager = signed_in(world.manager_a.email)
    panel = manager.get_by_test_id("panel-tills")
    expect(panel).to_contain_text("-5,00")
    with manager.expect_navigation():
        panel.get_by_role("link").first.click()
    manager.get_by_label("Twoje uwagi (wymagane, gdy jest różnica)").fill(
        "Wyjaśnione z kasjerem")
    with manager.expect_navigation():
        manager.get_by_test_id("acknowledge").click()
    expect(manager.get_by_test_id("till-status")).to_have_text("zamknięta i sprawdzona")
    session.refresh_from_db()
    assert session.status == "acknowledged" and session.acknowledged_by == world.manager_a
    problems.assert_clean()


def test_till_search_results_fit_their_card_at_1366(
        signed_in: Any, problems: Any, tmp_path: Path, settings: Any) -> None:  # noqa: F811
    """The found invoices stay inside the search card on a 1366×768 till screen and
    "Do zapłaty" is not clipped (issue 15, bug 8)."""
    import os

    from punkt.cashdesk import services
    from punkt.cashdesk.tests.factories import invoice

    settings.VAR_DIR = tmp_path
    world = make_world()
    for _ in range(3):
        invoice(world)  # Zofia Żółkiewska, ul. Floriańska 1, 31-042 Kraków
    services.till_open(actor=world.cashier_a, branch_id=world.a.pk, opening_float="200.00")
    cashier = signed_in(world.cashier_a.email)
    cashier.set_viewport_size({"width": 1366, "height": 768})
    cashier.goto("/cashdesk/?first_name=Zofia&last_name=%C5%BB%C3%B3%C5%82kiewska"
                 "&address=Krak%C3%B3w")
    found = cashier.get_by_test_id("found")
    assert found.locator("tbody tr").count() == 3
    card = cashier.get_by_test_id("search-card").bounding_box()
    table = found.bounding_box()
    to_pay = found.get_by_role("columnheader", name="Do zapłaty").bounding_box()
    assert card and table and to_pay
    right = card["x"] + card["width"]
    assert table["x"] + table["width"] <= right + 0.5, (table, card)
    assert to_pay["x"] + to_pay["width"] <= right + 0.5, (to_pay, card)
    # Nothing hidden behind a scroll bar either: the whole table is in view.
    assert found.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
    cashier.screenshot(path=str(Path(os.environ.get("PUNKT_E2E_SHOTS", tmp_path))
                                / "till-1366.png"), full_page=True)
    problems.assert_clean()
