"""Deal files (issue 18 item 9): checked whole (errors by row and column, another branch's
customer refused), written whole or not at all, once; XLSX; who may import; the sample."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from punkt.contracts.tests.factories import customer
from punkt.core.errors import ActionDenied, Conflict, ValidationFailed
from punkt.core.models import AuditEvent
from punkt.customers.models import TimelineEntry
from punkt.pipeline import funnel, imports
from punkt.pipeline.models import DealImport, DealImportStatus, Opportunity, OpportunityEvent
from punkt.pipeline.tasks import deal_import_check, deal_import_run

pytestmark = pytest.mark.django_db

HEADER = ("klient;tytuł;kwota;etap;opiekun;oddział;miesiąc zamknięcia;status;powód;"
          "data utworzenia;data zamknięcia;uwagi\n")


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def upload(actor: Any, branch: Any, text: str | bytes, name: str = "transakcje.csv"
           ) -> DealImport:
    data = text.encode("utf-8") if isinstance(text, str) else text
    job = imports.import_upload(actor=actor, branch_id=branch.pk,
                                uploaded=SimpleUploadedFile(name, data))
    deal_import_check.call(job.pk)
    job.refresh_from_db()
    return job


def confirm(actor: Any, job: DealImport) -> DealImport:
    imports.import_confirm(actor=actor, import_id=job.pk)
    deal_import_run.call(job.pk)
    job.refresh_from_db()
    return job


def test_a_checked_file_is_written_whole(world: Any) -> None:
    person = customer(world)
    firm = customer(world, kind="company", company_name="Hydro-Tech sp. z o.o.",
                    first_name="", last_name="", pesel="", nip="5260250274")
    seller = world.service_a.email
    text = "nip;" + HEADER + (
        f";{person.number};Abonament firmowy;4 800,00;Oferta;{seller};{world.a.code};"
        "02.2027;otwarta;;02.11.2026;;pierwsza rozmowa\n"
        f";{person.number};Internet 1 Gb/s;1200;;{seller.upper()};;;wygrana;;03.11.2026;"
        "20.11.2026;\n"
        f"526-025-02-74;;Telewizja;;Prezentacja;{world.retention_a.email};;;przegrana;"
        "Brak potrzeby;2026-11-04;2026-11-06;\n")
    job = upload(world.manager_a, world.a, text)
    assert job.status == DealImportStatus.CHECKED, job.errors
    assert (job.rows_total, job.deals_total, job.amount_total) == (3, 3, Decimal("6000.00"))
    assert not Opportunity.objects.exists()  # the check writes nothing

    job = confirm(world.manager_a, job)
    assert job.status == DealImportStatus.DONE and job.deals_imported == 3
    deals = {o.title: o for o in Opportunity.objects.select_related("stage", "loss_reason")}
    offer = deals["Abonament firmowy"]
    assert (offer.customer_id, offer.stage.code, offer.status, offer.amount,
            offer.expected_close, offer.owner_id, offer.notes) == (
        person.pk, "offer", "open", Decimal("4800.00"), datetime.date(2027, 2, 1),
        world.service_a.pk, "pierwsza rozmowa")
    assert offer.number.startswith("SZ/") and offer.closed_at is None
    won = deals["Internet 1 Gb/s"]
    assert (won.stage.code, won.status) == ("closing", "won")
    lost = deals["Telewizja"]
    assert lost.loss_reason is not None
    assert (lost.customer_id, lost.status, lost.stage.code, lost.loss_reason.label) == (
        firm.pk, "lost", "presentation", "Brak potrzeby")
    assert len({o.number for o in deals.values()}) == 3
    assert OpportunityEvent.objects.filter(action="import").count() == 3
    assert OpportunityEvent.objects.get(action="lost").reason == lost.loss_reason
    assert TimelineEntry.objects.filter(kind="opportunity", customer=firm).count() == 1
    assert AuditEvent.objects.filter(action="pipeline.deal_import.batch").count() == 1
    # the customers' next steps are kept with the import (R11.5)
    from punkt.pipeline import next_steps

    assert next_steps.kept() == next_steps.computed()
    assert next_steps.kept()[firm.pk][0] == "none" and next_steps.kept()[person.pk][0] == "sale"
    # the funnel counts what was imported
    found = funnel.report(world.manager_a, funnel.Period(datetime.date(2026, 11, 1),
                                                         datetime.date(2026, 11, 30)))
    assert found.opened == 3 and found.won_of_opened == 1
    assert [(r.reason, r.count) for r in found.losses] == [("Brak potrzeby", 1)]
    assert found.total.win_rate == Decimal("50.0")
    # a second confirmation changes nothing
    with pytest.raises(Conflict):
        imports.import_confirm(actor=world.manager_a, import_id=job.pk)
    assert deal_import_run.call(job.pk) == 0 and Opportunity.objects.count() == 3


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(world: Any) -> None:
    mine = customer(world)
    theirs = customer(world, branch=world.b, actor=world.service_b)
    seller = world.service_a.email
    text = HEADER + (
        f"{mine.number};Dobry wiersz;100;;{seller};;;;;;;\n"                      # row 2: fine
        f"{theirs.number};Cudzy klient;100;;{seller};;;;;;;\n"                    # row 3
        f"{mine.number};;-5;Nieznany;kasjer.a@example.com;{world.b.code};13.2027;;;;;\n"
        f"{mine.number};Przegrana;;Oferta;{seller};;;przegrana;;;;\n"             # row 5
        f"{mine.number};Wygrana nie na końcu;;Oferta;{seller};;;wygrana;;;;\n"    # row 6
        f"{mine.number};Zamknięta otwarta;;;{seller};;;otwarta;;31.12.2099;01.01.2026;\n"
        f"K12;Nie ma;;;{seller};;;zrobiona;Cena;;;\n")                            # row 8
    job = upload(world.manager_a, world.a, text)
    assert job.status == DealImportStatus.REJECTED
    cells = {(e["row"], e["field"]) for e in job.errors}
    assert {(3, "customer"), (4, "title"), (4, "amount"), (4, "stage"), (4, "owner"),
            (4, "branch"), (4, "expected_close"), (5, "reason"), (6, "stage"),
            (7, "created"), (7, "closed"), (8, "customer"), (8, "status")} <= cells
    assert (2, "customer") not in cells
    theirs_error = next(e for e in job.errors if e["row"] == 3)
    assert "may see" in theirs_error["message"]
    assert not Opportunity.objects.exists()


def test_a_file_without_its_columns_is_refused_whole(world: Any) -> None:
    job = upload(world.manager_a, world.a, "tytuł;kwota\nCoś;10\n")
    assert job.status == DealImportStatus.REJECTED
    assert job.errors[0]["field"] == "file" and "customer" in job.errors[0]["message"]


def test_an_xlsx_file_with_date_and_number_cells(world: Any) -> None:
    from openpyxl import Workbook

    person = customer(world)
    wb = Workbook()
    ws = wb.active
    ws.append(["Customer number", "Title", "Amount", "Stage", "Seller", "Status", "Reason",
               "Created date", "Closed date", "Expected close"])
    ws.append([person.number, "Router", 99.5, "Porozumienie", world.service_a.email,
               "lost", "Inny powód", datetime.datetime(2026, 10, 1), datetime.date(2026, 10, 5),
               datetime.date(2026, 12, 15)])
    buffer = io.BytesIO()
    wb.save(buffer)
    job = upload(world.expert, world.a, buffer.getvalue(), "transakcje.xlsx")
    assert job.status == DealImportStatus.CHECKED, job.errors
    job = confirm(world.expert, job)
    o = Opportunity.objects.get()
    assert (o.amount, o.stage.code, o.status, o.expected_close) == (
        Decimal("99.50"), "agreement", "lost", datetime.date(2026, 12, 1))
    assert o.created_at.date() == datetime.date(2026, 10, 1) and o.branch == world.a


def test_a_customer_hidden_meanwhile_stops_the_whole_file(world: Any) -> None:
    """Checked again at the write: a row that no longer passes fails the file, nothing
    written (all or nothing)."""
    a, b = customer(world), customer(world)
    text = HEADER + "".join(f"{c.number};Umowa;;;{world.service_a.email};;;;;;;\n" for c in (a, b))
    job = upload(world.manager_a, world.a, text)
    assert job.status == DealImportStatus.CHECKED
    type(b).objects.filter(pk=b.pk).update(branch=world.b)  # moved to another branch
    job = confirm(world.manager_a, job)
    assert job.status == DealImportStatus.REJECTED and not Opportunity.objects.exists()
    assert {(e["row"], e["field"]) for e in job.errors} == {(3, "customer")}


def test_who_may_import_and_into_which_branch(world: Any, client_as: Any) -> None:
    data = (HEADER + "K1;x;;;a@b.pl;;;;;;;\n").encode()
    for actor in (world.service_a, world.cashier_a):
        with pytest.raises(ActionDenied):
            imports.import_upload(actor=actor, branch_id=world.a.pk,
                                  uploaded=SimpleUploadedFile("t.csv", data))
    with pytest.raises(ValidationFailed) as refused:
        imports.import_upload(actor=world.manager_a, branch_id=world.b.pk,
                              uploaded=SimpleUploadedFile("t.csv", data))
    assert refused.value.field == "branch"
    job = upload(world.manager_b, world.b, data)
    # another branch's import is a 404 for the manager of A, seen by HQ
    page = reverse("pipeline:deal_import", args=[job.pk])
    assert client_as(world.manager_a).get(page).status_code == 404
    assert client_as(world.expert).get(page).status_code == 200
    assert client_as(world.service_a).get(reverse("pipeline:deal_imports")).status_code == 403
    listing = client_as(world.manager_a).get(reverse("pipeline:deal_imports"))
    assert listing.status_code == 200 and "t.csv" not in listing.content.decode()


def test_the_pages_upload_check_and_confirm(world: Any, client_as: Any) -> None:
    person = customer(world)
    c = client_as(world.manager_a)
    text = HEADER + f"{person.number};Światłowód;150,00;;{world.service_a.email};;;;;;;\n"
    response = c.post(reverse("pipeline:deal_imports"),
                      {"file": SimpleUploadedFile("deals.csv", text.encode())})
    assert response.status_code == 302
    job = DealImport.objects.get()
    assert job.branch == world.a and job.status == DealImportStatus.QUEUED
    deal_import_check.call(job.pk)
    body = c.get(reverse("pipeline:deal_import", args=[job.pk])).content.decode()
    assert 'data-testid="import-confirm"' in body and 'data-testid="import-deals">1<' in body
    assert c.post(reverse("pipeline:deal_import", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == DealImportStatus.RUNNING


def test_the_sample_file_passes_its_own_check(world: Any, client_as: Any) -> None:
    response = client_as(world.manager_a).get(reverse("pipeline:deal_import_sample"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == imports.SAMPLE_HEADER and len(rows) == 4
    # with real customers and seller put in, the sample is a good file
    people = [customer(world) for _ in range(3)]
    for row, person in zip(rows[1:], people, strict=True):
        row[0], row[4] = person.number, world.service_a.email
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    job = upload(world.manager_a, world.a, out.getvalue())
    assert job.status == DealImportStatus.CHECKED, job.errors
    assert client_as(world.service_a).get(
        reverse("pipeline:deal_import_sample")).status_code == 403
