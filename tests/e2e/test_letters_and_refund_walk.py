"""Browser: issue 15's retention and cash pieces at 1366×768. A retention employee writes
to a customer with neither e-mail nor phone (a letter), prints today's letters as one PDF;
a cashier pays a customer's credit out in cash on a KW; HQ undoes a credit settlement."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_contract_walk import signed_in  # noqa: F401 - fixture
from tests.e2e.test_retention_walk import _active_contract
from tests.world import make_world

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]


def _shot(page: Any, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(Path(os.environ.get("PUNKT_E2E_SHOTS", tmp_path)) / name),
                    full_page=True)


def test_a_letter_printed_with_todays_letters(
        signed_in: Any, problems: Any, tmp_path: Path, settings: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    from punkt.customers.models import Customer
    from punkt.messaging.defaults import ensure_defaults
    from punkt.messaging.models import Message

    settings.VAR_DIR = tmp_path
    world = make_world()
    # An earlier browser test's flush removed the templates the migrations created.
    ensure_defaults()
    contract = _active_contract(world, ends_in=20)
    Customer.objects.filter(pk=contract.customer_id).update(email="", phone="")
    page = signed_in(world.retention_a.email)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"/retention/contracts/{contract.pk}/")
    expect(page.get_by_role("heading", name="List", exact=True)).to_be_visible()
    _shot(page, tmp_path, "retention-case-letter-1366.png")
    with page.expect_navigation():
        page.get_by_role("button", name="Przygotuj list").click()
    expect(page.get_by_text("List przygotowany")).to_be_visible()
    expect(page.get_by_test_id("attempts")).to_contain_text("list")
    with page.expect_navigation():
        page.get_by_role("link", name="Listy na dziś").first.click()
    waiting = page.get_by_test_id("letters-waiting")
    expect(waiting).to_contain_text("1 list czeka")
    expect(waiting).to_contain_text(contract.customer.display_name)
    _shot(page, tmp_path, "letters-today-1366.png")
    with page.expect_navigation():
        page.get_by_role("button", name="Wydrukuj wszystkie jako jeden PDF").click()
    expect(page.get_by_text("Żaden list nie czeka na wydruk.")).to_be_visible()
    batches = page.get_by_test_id("letter-batches")
    expect(batches).to_contain_text("właśnie wydrukowany")
    _shot(page, tmp_path, "letters-printed-1366.png")
    href = batches.get_by_test_id("batch-pdf").first.get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert Message.objects.get(channel="letter").status == "sent"
    problems.assert_clean()


def test_cashier_pays_credit_out_and_hq_undoes_a_settlement(
        signed_in: Any, problems: Any, tmp_path: Path, settings: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    from punkt.cashdesk import services
    from punkt.cashdesk.tests.factories import invoice
    from punkt.contracts.tests.factories import customer

    settings.VAR_DIR = tmp_path
    world = make_world()
    cust = customer(world)
    services.till_open(actor=world.cashier_a, branch_id=world.a.pk, opening_float="200.00")
    services.payment_register(actor=world.cashier_a, invoice_id=invoice(world, cust).pk,
                              amount="223.00", method="cash")  # 100,00 zł of credit
    wrong = invoice(world, cust)
    services.credit_apply(actor=world.cashier_a, invoice_id=wrong.pk)  # by mistake
    nxt = invoice(world, cust)

    # HQ undoes the settlement: the invoice reopens, the credit comes back.
    expert = signed_in(world.expert.email)
    expert.set_viewport_size({"width": 1366, "height": 768})
    expert.goto(f"/cashdesk/invoices/{wrong.pk}/")
    undo = expert.get_by_test_id("credit-undo")
    undo.get_by_role("textbox").fill("rozliczono z niewłaściwą fakturą")
    with expert.expect_navigation():
        undo.get_by_role("button", name="cofnij").click()
    expect(expert.get_by_text("Rozliczenie nadpłaty cofnięte")).to_be_visible()
    expect(expert.get_by_test_id("payments")).to_contain_text("korekta centrali")
    _shot(expert, tmp_path, "credit-undone-1366.png")

    # The cashier pays 40 zł of the credit out: a KW to print and sign.
    cashier = signed_in(world.cashier_a.email)
    cashier.set_viewport_size({"width": 1366, "height": 768})
    cashier.goto(f"/cashdesk/invoices/{nxt.pk}/")
    form = cashier.get_by_test_id("refund-form")
    expect(form).to_contain_text("100,00")
    form.get_by_test_id("refund-amount").fill("40,00")
    with cashier.expect_navigation():
        form.get_by_role("button", name="Wypłać (KW)").click()
    done = cashier.get_by_test_id("refund-done")
    expect(done).to_contain_text("KW/Z/AAA-01/")
    expect(cashier.get_by_test_id("balance")).to_contain_text("60,00")
    _shot(cashier, tmp_path, "credit-refund-1366.png")
    href = done.get_by_test_id("kw-link").get_attribute("href")
    response = cashier.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    problems.assert_clean()
