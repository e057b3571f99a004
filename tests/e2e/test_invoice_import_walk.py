"""Browser: HQ imports a file of invoices (R8.1) — refused whole with the row and column of
its error, then, corrected, checked, confirmed and recorded; at the till the cashier finds
the imported invoice and settles the customer's earlier overpayment against it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_contract_walk import signed_in  # noqa: F401 - fixture
from tests.e2e.test_dashboard_walk import open_menu_for
from tests.world import make_world

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]

HEADER = "numer faktury;klient;data wystawienia;termin płatności;pozycja;stawka vat;netto\n"


def _run_worker() -> None:
    """What the background worker does with the queued file."""
    from punkt.cashdesk.models import ImportStatus, InvoiceImport
    from punkt.cashdesk.tasks import invoice_import_check, invoice_import_run

    for job in InvoiceImport.objects.filter(status=ImportStatus.QUEUED):
        invoice_import_check.call(job.pk)
    for job in InvoiceImport.objects.filter(status=ImportStatus.RUNNING):
        invoice_import_run.call(job.pk)


def test_hq_imports_invoices_and_the_cashier_settles_credit(
        signed_in: Any, problems: Any, tmp_path: Path, settings: Any) -> None:  # noqa: F811
    from django.urls import reverse
    from playwright.sync_api import expect

    from punkt.cashdesk import services
    from punkt.cashdesk.models import CreditUse, Invoice
    from punkt.cashdesk.tests.factories import invoice
    from punkt.contracts.tests.factories import customer

    settings.VAR_DIR = tmp_path
    world = make_world()
    cust = customer(world)  # Zofia Żółkiewska, Kraków
    earlier = invoice(world, cust)  # 123,00 zł, paid with 150,00: 27,00 zł of credit
    services.till_open(actor=world.cashier_a, branch_id=world.a.pk, opening_float="100")
    services.payment_register(actor=world.cashier_a, invoice_id=earlier.pk, amount="150.00",
                              method="card")

    hq = signed_in(world.expert.email)
    url = reverse("cashdesk:invoice_imports")
    open_menu_for(hq, url)
    with hq.expect_navigation():
        hq.locator(f'nav.mainnav a[href="{url}"]').click()
    expect(hq.get_by_test_id("import-columns")).to_contain_text("termin płatności")

    def upload(name: str, text: str) -> None:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        hq.get_by_label("Plik CSV lub XLSX").set_input_files(str(path))
        with hq.expect_navigation():
            hq.get_by_role("button", name="Prześlij i sprawdź").click()
        expect(hq.get_by_test_id("import-state")).to_have_text("w kolejce do sprawdzenia")
        _run_worker()  # the page polls: the outcome arrives without a reload

    # 1. Row 3 has a VAT rate that does not exist: nothing is recorded.
    upload("grudzien.csv", HEADER
           + f"FV/2026/12/7001;{cust.number};01.12.2026;15.12.2026;Internet 600;23;81,30\n"
           + ";;;;Dzierżawa routera;22;8,13\n")
    expect(hq.get_by_test_id("import-state")).to_have_text("odrzucony: plik zawiera błędy")
    errors = hq.get_by_test_id("import-errors")
    expect(errors).to_contain_text("3")
    expect(errors).to_contain_text("vat_rate")
    assert not Invoice.objects.filter(number="FV/2026/12/7001").exists()

    # 2. Corrected: checked, shown, confirmed, recorded.
    hq.goto(url)
    upload("grudzien-poprawiony.csv", HEADER
           + f"FV/2026/12/7001;{cust.number};01.12.2026;15.12.2026;Internet 600;23;81,30\n"
           + ";;;;Dzierżawa routera;23;8,13\n")
    expect(hq.get_by_test_id("import-state")).to_have_text("sprawdzony, czeka na potwierdzenie")
    expect(hq.get_by_test_id("import-gross")).to_have_text("110,00\u00a0zł")
    with hq.expect_navigation():
        hq.get_by_role("button", name="Zapisz 1 fakturę").click()
    _run_worker()
    expect(hq.get_by_test_id("import-state")).to_have_text("zaimportowany")
    imported = Invoice.objects.get(number="FV/2026/12/7001")
    assert imported.customer_id == cust.pk and str(imported.gross) == "110.00"

    # 3. At the till: the imported invoice by its number, the credit settled against it.
    cashier = signed_in(world.cashier_a.email)
    cashier.goto(reverse("cashdesk:till"))
    cashier.get_by_test_id("invoice-number").fill("fv/2026/12/7001")
    with cashier.expect_navigation():
        cashier.get_by_test_id("invoice-number").press("Enter")
    expect(cashier.get_by_test_id("credit-form")).to_contain_text("27,00\u00a0zł")
    with cashier.expect_navigation():
        cashier.get_by_test_id("settle-credit").click()
    expect(cashier.get_by_test_id("outstanding")).to_have_text("83,00\u00a0zł")
    expect(cashier.get_by_test_id("credit-use")).to_contain_text("27,00\u00a0zł")
    expect(cashier.get_by_test_id("credit-form")).to_have_count(0)
    assert CreditUse.objects.get().amount == 27
    problems.assert_clean()
