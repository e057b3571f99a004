"""Invoice files from HQ: checked whole (errors by row and column), written whole or not at
all, once."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from punkt.cashdesk import imports
from punkt.cashdesk.models import ImportStatus, Invoice, InvoiceImport
from punkt.cashdesk.tasks import invoice_import_check, invoice_import_run
from punkt.cashdesk.tests.factories import invoice
from punkt.contracts.tests.factories import customer
from punkt.core.errors import ActionDenied, Conflict
from punkt.core.models import AuditEvent
from punkt.customers.models import TimelineEntry

pytestmark = pytest.mark.django_db

HEADER = ("numer faktury;klient;NIP;data wystawienia;termin płatności;okres;pozycja;ilość;"
          "stawka vat;netto;brutto;numer ksef\n")


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def upload(world: Any, text: str | bytes, name: str = "faktury.csv") -> InvoiceImport:
    data = text.encode("cp1250") if isinstance(text, str) else text
    job = imports.import_upload(actor=world.expert, uploaded=SimpleUploadedFile(name, data))
    invoice_import_check.call(job.pk)
    job.refresh_from_db()
    return job


def confirm(world: Any, job: InvoiceImport) -> InvoiceImport:
    imports.import_confirm(actor=world.expert, import_id=job.pk)
    invoice_import_run.call(job.pk)
    job.refresh_from_db()
    return job


def people(world: Any) -> tuple[Any, Any]:
    person = customer(world)
    firm = customer(world, kind="company", company_name="Hydro-Tech sp. z o.o.",
                    first_name="", last_name="", pesel="", nip="5260250274")
    return person, firm


def test_a_checked_file_is_recorded_whole(world: Any) -> None:
    person, firm = people(world)
    text = HEADER + (
        f"FV/2026/12/0001;{person.number};;01.12.2026;15.12.2026;12.2026;Internet 600;1;23;"
        "40,65;70,00;\n"
        ";;;;;;Dzierżawa routera;2;23;16,26;;\n"   # the same invoice's second line
        f"fv/2026/12/0002;;526-025-02-74;2026-12-01;2026-12-21;;Łącze 1 Gb/s;1;23;1000,00;"
        "1230,00;5260250274-20261201-0123456789AB-CD\n")
    job = upload(world, text)
    assert job.status == ImportStatus.CHECKED, job.errors
    assert (job.rows_total, job.invoices_total, job.customers_total) == (3, 2, 2)
    assert job.gross_total == Decimal("1300.00")
    assert not Invoice.objects.exists()  # the check writes nothing

    job = confirm(world, job)
    assert job.status == ImportStatus.DONE and job.invoices_imported == 2
    first = Invoice.objects.get(number="FV/2026/12/0001")
    # both name the seller they were issued by (one record, read once for the file)
    assert first.seller is not None
    assert set(Invoice.objects.values_list("seller_id", flat=True)) == {first.seller.pk}
    assert first.customer == person and first.buyer_lookup == "zolkiewska zofia"
    assert (first.net, first.vat, first.gross) == (Decimal("56.91"), Decimal("13.09"),
                                                   Decimal("70.00"))
    assert [line["quantity"] for line in first.lines] == ["1", "2"]
    assert first.issued_on == datetime.date(2026, 12, 1) and first.period == "12.2026"
    second = Invoice.objects.get(number="FV/2026/12/0002")
    assert second.customer == firm and second.is_business and second.in_ksef
    assert second.ksef_status == "accepted"
    assert TimelineEntry.objects.filter(kind="invoice", customer=firm,
                                        source_id=str(second.pk)).count() == 1
    assert AuditEvent.objects.filter(action="cashdesk.invoice_import.batch").count() == 1
    assert not imports.files.path_of(job.stored_name, area=imports.AREA).exists()

    with pytest.raises(Conflict):  # the button pressed again
        imports.import_confirm(actor=world.expert, import_id=job.pk)
    invoice_import_run.call(job.pk)  # a retried task
    assert Invoice.objects.count() == 2


def test_any_error_refuses_the_whole_file_naming_row_and_column(world: Any) -> None:
    person, _firm = people(world)
    recorded = invoice(world, person)
    text = HEADER + (
        f"FV/OK/1;{person.number};;01.12.2026;15.12.2026;;Internet;1;23;40,65;;\n"
        f"FV/BAD/2;{person.number};;01.12.2026;15.12.2026;;Internet;1;22;40,65;;\n"
        f"FV/BAD/3;K9999999;;01.12.2026;15.12.2026;;Internet;1;23;40,65;;\n"
        f"FV/BAD/4;{person.number};;01.12.2026;16.12.2026;;Internet;1;23;40,65;;\n"
        f"FV/BAD/4;;;;17.12.2026;;Router;1;23;1;;\n"
        f"{recorded.number};{person.number};;01.12.2026;15.12.2026;;Internet;1;23;10;;\n"
        f"FV/BAD/6;{person.number};;01.12.2026;15.12.2026;;Internet;1;23;40,65;51,00;\n"
        f"FV/BAD/7;{person.number};;1 grudnia;15.12.2026;;Internet;1;23;40,65;;\n"
        f"FV/BAD/8;{person.number};;01.12.2026;15.12.2026;;;1;23;40,65;;\n"
        f"FV/BAD/9;{person.number};;01.12.2026;15.12.2026;;Internet;-1;23;40,65;;\n"
        f"FV/BAD/10;;;01.12.2026;15.12.2026;;Internet;1;23;40,65;;\n")
    job = upload(world, text)
    assert job.status == ImportStatus.REJECTED
    assert [(e["row"], e["field"]) for e in job.errors] == [
        (3, "vat_rate"), (4, "customer"), (6, "due_on"), (7, "number"), (8, "gross"),
        (9, "issued_on"), (10, "line"), (11, "quantity"), (12, "customer")]
    assert "22" not in job.errors[0]["message"] and "VAT" in job.errors[0]["message"]
    assert Invoice.objects.count() == 1  # only the one recorded before
    with pytest.raises(Conflict):
        imports.import_confirm(actor=world.expert, import_id=job.pk)


@pytest.mark.parametrize(("text", "expected"), [
    ("numer faktury;netto\nFV/1;10\n", "lacks the columns"),
    (HEADER, "no invoice rows"),
])
def test_a_file_that_is_not_an_invoice_list(world: Any, text: str, expected: str) -> None:
    job = upload(world, text)
    assert job.status == ImportStatus.REJECTED
    assert expected in job.errors[0]["message"] and job.errors[0]["field"] == "file"


def test_an_xlsx_file_with_date_and_number_cells(world: Any) -> None:
    from openpyxl import Workbook

    person, _firm = people(world)
    wb = Workbook()
    ws = wb.active
    ws.append(["Invoice number", "Customer number", "Issue date", "Due date", "Name",
               "VAT rate", "Net amount"])
    ws.append(["FV/X/1", person.number, datetime.datetime(2026, 12, 1),
               datetime.date(2026, 12, 15), "Internet", 23, 40.65])
    buffer = io.BytesIO()
    wb.save(buffer)
    job = upload(world, buffer.getvalue(), "faktury.xlsx")
    assert job.status == ImportStatus.CHECKED, job.errors
    job = confirm(world, job)
    inv = Invoice.objects.get(number="FV/X/1")
    assert inv.gross == Decimal("50.00") and inv.due_on == datetime.date(2026, 12, 15)


def test_an_invoice_recorded_between_check_and_write_stops_the_whole_file(world: Any) -> None:
    person, _firm = people(world)
    text = HEADER + (
        f"FV/R/1;{person.number};;01.12.2026;15.12.2026;;Internet;1;23;40,65;;\n"
        f"FV/R/2;{person.number};;01.12.2026;15.12.2026;;Internet;1;23;40,65;;\n")
    job = upload(world, text)
    assert job.status == ImportStatus.CHECKED
    from punkt.cashdesk import services

    services.invoice_create(actor=world.expert, customer_id=person.pk, number="FV/R/2",
                            issued_on="2026-12-01", due_on="2026-12-15",
                            lines=[{"name": "Internet", "vat_rate": "23", "net": "1"}])
    job = confirm(world, job)
    assert job.status == ImportStatus.REJECTED
    assert [(e["row"], e["field"]) for e in job.errors] == [(3, "number")]
    assert not Invoice.objects.filter(number="FV/R/1").exists()


def test_only_hq_imports_invoices(world: Any, client_as: Any) -> None:
    with pytest.raises(ActionDenied):
        imports.import_upload(actor=world.cashier_a,
                              uploaded=SimpleUploadedFile("f.csv", HEADER.encode()))
    for user in (world.cashier_a, world.manager_a):
        assert client_as(user).get(reverse("cashdesk:invoice_imports")).status_code == 403
    person, _firm = people(world)
    client = client_as(world.expert)
    page = client.get(reverse("cashdesk:invoice_imports"))
    assert page.status_code == 200 and "termin płatności" in page.content.decode()
    sample = client.get(reverse("cashdesk:invoice_import_sample"))
    assert sample.status_code == 200 and "numer faktury" in b"".join(
        sample.streaming_content).decode("utf-8-sig")
    refused = client.post(reverse("cashdesk:invoice_imports"), {
        "file": SimpleUploadedFile("f.pdf", b"%PDF-1.4\n%%EOF\n")})
    assert refused.status_code == 422 and "jako plik CSV lub XLSX" in refused.content.decode()
    text = HEADER + f"FV/H/1;{person.number};;01.12.2026;15.12.2026;;Internet;1;23;10;;\n"
    response = client.post(reverse("cashdesk:invoice_imports"), {
        "file": SimpleUploadedFile("grudzień.csv", text.encode())})
    job = InvoiceImport.objects.get()
    assert response.status_code == 302 and job.original_name == "grudzień.csv"
    invoice_import_check.call(job.pk)
    page = client.get(reverse("cashdesk:invoice_import", args=[job.pk]))
    assert "Zapisz 1 fakturę" in page.content.decode()
    assert client.post(reverse("cashdesk:invoice_import", args=[job.pk])).status_code == 302
    invoice_import_run.call(job.pk)
    assert Invoice.objects.filter(number="FV/H/1").exists()
    other = client_as(world.manager_a).get(reverse("cashdesk:invoice_import", args=[job.pk]))
    assert other.status_code == 403
