"""Pages and API of the customer area: forms, errors, exports, imports, permissions."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from punkt.core.models import AuditEvent
from punkt.customers.models import (
    Customer,
    CustomerImport,
    CustomerWord,
    ImportStatus,
    TimelineEntry,
)
from punkt.customers.tests.factories import BASIS, CustomerFactory


def _customer(world: Any, **data: Any) -> Customer:
    return CustomerFactory.create(actor=world.service_a, branch=world.a, **data)


def test_register_by_form_with_errors_next_to_fields(world: Any, client_as: Any) -> None:
    client = client_as(world.service_a)
    form = {"kind": "person", "first_name": "Zofia", "last_name": "Żółkiewska",
            "pesel": "02270812344", "branch": world.a.pk, "source": "counter"}
    response = client.post(reverse("customers:customer_create"), form)
    assert response.status_code == 200
    assert "id_pesel_error" in response.content.decode()
    form["pesel"] = "02270812343"
    response = client.post(reverse("customers:customer_create"), form)
    assert "consents" in response.content.decode() and not Customer.objects.exists()
    form["consent_contract"] = "on"
    response = client.post(reverse("customers:customer_create"), form)
    customer = Customer.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/customers/{customer.pk}/")
    page = client.get(response.url).content.decode()
    assert "022708*****" in page and "02270812343" not in page
    assert AuditEvent.objects.filter(action="customers.customer.view").count() == 1
    # A second registration of the same PESEL asks for confirmation first.
    response = client.post(reverse("customers:customer_create"), form)
    assert 'data-testid="duplicates"' in response.content.decode()
    assert Customer.objects.count() == 1
    form["confirm_duplicate"] = "on"
    client.post(reverse("customers:customer_create"), form)
    assert Customer.objects.count() == 2


def test_profile_read_writes_only_its_access_log(world: Any, client_as: Any) -> None:
    """C21 with C26: opening a profile writes one audit row (a view of personal data) and
    nothing else; the API's read likewise."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = _customer(world)
    client = client_as(world.service_a)
    client.get("/")  # settle the session's last-seen stamp
    for url in (reverse("customers:customer_detail", args=[c.pk]), f"/api/v1/customers/{c.pk}"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        writes = [q["sql"] for q in ctx.captured_queries
                  if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
                  and "django_session" not in q["sql"]]
        assert len(writes) == 1 and "core_auditevent" in writes[0], writes


def test_new_customer_form_ticks_no_consent_and_refuses_without_the_basis(
        world: Any, client_as: Any) -> None:
    """Consent is an explicit act: the empty form ticks no box, and saving without the
    data-processing basis is refused next to its box (issue 15, bug 5)."""
    import re

    client = client_as(world.service_a)
    page = client.get(reverse("customers:customer_create")).content.decode()
    boxes = re.findall(r'<input type="checkbox" name="consent_[a-z_]+"[^>]*>', page)
    assert len(boxes) == 5 and not [b for b in boxes if "checked" in b]
    form = {"kind": "person", "first_name": "Zofia", "last_name": "Lis",
            "branch": world.a.pk, "source": "counter", "consent_marketing_sms": "on"}
    response = client.post(reverse("customers:customer_create"), form)
    text = response.content.decode()
    assert response.status_code == 200 and not Customer.objects.exists()
    error = re.search(r'<p class="error" id="id_consent_contract_error">([^<]+)</p>', text)
    assert error and "zgodę klienta na przetwarzanie danych" in error.group(1)
    box = re.search(r'<input type="checkbox" name="consent_contract"[^>]*>', text)
    assert box and "checked" not in box.group(0)


def test_note_through_htmx_returns_the_timeline(world: Any, client_as: Any) -> None:
    c = _customer(world)
    client = client_as(world.service_a)
    response = client.post(reverse("customers:note_add", args=[c.pk]),
                           {"body": "<script>alert(1)</script>{{7*7}}"}, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert response.status_code == 200 and 'id="timeline"' in text
    assert "<script>alert(1)" not in text and "&lt;script&gt;" in text and "{{7*7}}" in text
    response = client.post(reverse("customers:note_add", args=[c.pk]), {"body": ""},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert TimelineEntry.objects.filter(customer=c, kind="note").count() == 1


def test_cashier_sees_but_cannot_edit(world: Any, client_as: Any) -> None:
    c = _customer(world)
    client = client_as(world.cashier_a)
    assert client.get(reverse("customers:customer_detail", args=[c.pk])).status_code == 200
    assert client.get(reverse("customers:customer_edit", args=[c.pk])).status_code == 403
    assert client.get(reverse("customers:customer_create")).status_code == 403


def test_export_neutralises_formulas_masks_pesel_and_needs_reauth(world: Any,
                                                                  client_as: Any) -> None:
    _customer(world, first_name="=HYPERLINK(\"http://x\")", last_name="Atak",
              pesel="85010112345")
    url = reverse("customers:customer_export") + "?format=csv"
    fresh = client_as(world.manager_a, reauthenticated=False)
    response = fresh.get(url)
    assert response.status_code == 302 and "reauthenticate" in response.url
    response = client_as(world.manager_a).get(url)
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows[0][0] == "number"
    assert rows[1][2].startswith("'=HYPERLINK") and rows[1][5] == "850101*****"
    assert AuditEvent.objects.filter(action="customers.customer.export").count() == 1
    xlsx = client_as(world.manager_a).get(url.replace("csv", "xlsx"))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=2, column=3).value.startswith("'=")
    assert client_as(world.service_a).get(url).status_code == 403


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    return out.getvalue().encode("utf-8")


def test_import_dry_run_then_import_once(world: Any, client_as: Any, settings: Any,
                                         tmp_path: Any) -> None:
    from punkt.customers.tasks import import_check_task, import_run_task

    settings.VAR_DIR = tmp_path
    _customer(world, pesel="85010112345")
    content = _csv([
        ["kind", "first_name", "last_name", "pesel", "phone", "city", "consent_marketing_sms"],
        ["osoba", "Anna", "Nowak", "", "601 234 567", "Łódź", "tak"],
        ["person", "Ewa", "", "", "", "", ""],                       # no last name
        ["person", "Jan", "Kowalski", "85010112345", "", "", ""],    # exists already
        ["person", "Olga", "Zięba", "", "12", "", ""],               # bad phone
        ["firma", "", "", "", "", "Gdańsk", ""],                     # no company name
        ["osoba", "Zofia", "Lis", "90020312344", "", "", ""],        # registered meanwhile
    ])
    client = client_as(world.manager_a)
    response = client.post(reverse("customers:import_start"), {
        "branch": world.a.pk, "basis_confirmed": "on",
        "file": SimpleUploadedFile("klienci.csv", content, content_type="text/csv")})
    job = CustomerImport.objects.get()
    assert response.status_code == 302 and job.stored_name != "klienci.csv"
    import_check_task.call(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED and (job.rows_total, job.rows_valid) == (6, 2)
    assert [(e["row"], e["field"]) for e in job.errors] == [
        (3, "last_name"), (4, "pesel"), (5, "phone"), (6, "company_name")]
    assert Customer.objects.count() == 1  # the dry run wrote nothing
    page = client.get(reverse("customers:import_detail", args=[job.pk])).content.decode()
    assert 'data-testid="import-errors"' in page
    _customer(world, first_name="Zofia", last_name="Lis", pesel="90020312344")
    client.post(reverse("customers:import_detail", args=[job.pk]))
    response = client.post(reverse("customers:import_detail", args=[job.pk]))  # twice
    import_run_task.call(job.pk)
    import_run_task.call(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.rows_imported == 1
    assert (job.rows_valid, job.errors[-1]["row"], job.errors[-1]["field"]) == (1, 7, "pesel")
    assert Customer.objects.filter(pesel="90020312344").count() == 1
    anna = Customer.objects.get(last_name="Nowak")
    assert anna.phone == "+48601234567" and anna.branch_id == world.a.pk
    assert set(anna.consents.values_list("purpose", flat=True)) == {"contract",
                                                                    "marketing_sms"}
    assert set(CustomerWord.objects.filter(customer=anna).values_list("word", flat=True)) \
        == {"anna", "nowak", "lodz"}
    assert list((tmp_path / "imports").iterdir()) == []  # file and checked rows gone (C28)


def test_import_checks_the_file_again_when_the_checked_rows_are_unreadable(
        world: Any, settings: Any, tmp_path: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile as Upload

    from punkt.customers import imports as customer_io

    settings.VAR_DIR = tmp_path
    job = customer_io.import_upload(
        actor=world.manager_a, branch_id=world.a.pk, basis_confirmed=True,
        uploaded=Upload("k.csv", _csv([["kind", "first_name", "last_name"],
                                       ["osoba", "Anna", "Nowak"]]), "text/csv"))
    assert customer_io.load_checked(job) is None  # no dry run yet
    customer_io.save_checked(job, customer_io.validate_file(job))
    checked = customer_io.load_checked(job)
    assert checked is not None and [clean["last_name"] for _l, clean, _c in checked] == ["Nowak"]
    path = tmp_path / "imports" / f"{job.stored_name}.checked.json"
    path.write_text(path.read_text()[:20])  # cut off (a crash while writing, a full disk)
    assert customer_io.load_checked(job) is None
    path.write_text('{"format": 0, "rows": []}')  # written by an older version
    assert customer_io.load_checked(job) is None


def test_import_rejects_binary_and_other_branch(world: Any, client_as: Any, settings: Any,
                                                tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    client = client_as(world.manager_a)
    response = client.post(reverse("customers:import_start"), {
        "branch": world.a.pk, "basis_confirmed": "on",
        "file": SimpleUploadedFile("klienci.csv", b"\x00\x01\x02binary", "text/csv")})
    assert response.status_code == 200 and 'id="id_file_error"' in response.content.decode()
    response = client.post(reverse("customers:import_start"), {
        "branch": world.b.pk, "basis_confirmed": "on",
        "file": SimpleUploadedFile("k.csv", b"kind\n", "text/csv")})
    assert response.status_code == 200 and not CustomerImport.objects.exists()


def test_api_create_errors_and_masking(world: Any, client_as: Any) -> None:
    client = client_as(world.service_a)
    body = {"branch_id": world.a.pk, "kind": "person", "first_name": "Jan",
            "last_name": "Kowalski", "pesel": "85010112345", "consents": []}
    post = lambda b: client.post("/api/v1/customers", json.dumps(b),  # noqa: E731
                                 content_type="application/json")
    response = post(body)
    assert response.status_code == 422 and response.json()["field"] == "consents"
    response = post({**body, "consents": BASIS, "status": "merged"})
    assert response.status_code == 422 and response.json()["field"] == "status"
    response = post({**body, "consents": BASIS, "pesel": "85010112346"})
    assert response.status_code == 422 and response.json()["field"] == "pesel"
    response = post({**body, "consents": BASIS})
    assert response.status_code == 201
    data = response.json()
    assert data["pesel_masked"] == "850101*****" and "pesel" not in data
    response = post({**body, "consents": BASIS})
    assert response.status_code == 409 and response.json()["code"] == "possible_duplicate"
    found = client.get("/api/v1/customers?q=kowalsky").json()
    assert [i["id"] for i in found["items"]] == [data["id"]] and found["corrected"] == [
        "kowalsky"]
    cid = data["id"]
    assert client.post(f"/api/v1/customers/{cid}/notes", json.dumps({"body": "Notatka"}),
                       content_type="application/json").status_code == 201
    entries = client.get(f"/api/v1/customers/{cid}/timeline").json()
    assert entries[0]["kind"] == "note"
    response = client.post(f"/api/v1/customers/{cid}/consents",
                           json.dumps({"purpose": "marketing_email", "granted": False}),
                           content_type="application/json")
    assert response.status_code == 409
    consents = client.get(f"/api/v1/customers/{cid}/consents").json()
    assert {s["purpose"]: s["granted"] for s in consents["state"]}["contract"] is True


@pytest.mark.parametrize("url_name", ["customers:gdpr", "customers:merge"])
def test_hq_only_pages(world: Any, client_as: Any, url_name: str) -> None:
    c = _customer(world)
    assert client_as(world.manager_a).get(reverse(url_name, args=[c.pk])).status_code == 403
    assert client_as(world.expert).get(reverse(url_name, args=[c.pk])).status_code == 200


def test_anonymise_needs_the_typed_number(world: Any, client_as: Any) -> None:
    c = _customer(world)
    client = client_as(world.expert)
    url = reverse("customers:gdpr", args=[c.pk])
    client.post(url, {"action": "anonymise", "reason": "żądanie", "confirm": "nope"})
    c.refresh_from_db()
    assert c.is_active
    client.post(url, {"action": "anonymise", "reason": "żądanie", "confirm": c.number})
    c.refresh_from_db()
    assert c.status == "anonymised"
    export = client.get(reverse("customers:gdpr_export", args=[c.pk]))
    assert export.status_code == 200 and export.json()["customer"]["last_name"] == ""


def test_import_service_requires_the_basis(world: Any, settings: Any, tmp_path: Any) -> None:
    from punkt.core.errors import ValidationFailed
    from punkt.customers import imports as customer_io

    settings.VAR_DIR = tmp_path
    with pytest.raises(ValidationFailed) as exc:
        customer_io.import_upload(actor=world.manager_a, branch_id=world.a.pk,
                                  uploaded=SimpleUploadedFile("k.csv", b"kind\n", "text/csv"),
                                  basis_confirmed=False)
    assert exc.value.field == "basis_confirmed" and not CustomerImport.objects.exists()


def test_api_refuses_a_country_that_does_not_exist(world: Any, client_as: Any) -> None:
    """Issue 15: "XX" was taken as a country."""
    client = client_as(world.service_a)
    body = {"branch_id": world.a.pk, "kind": "person", "first_name": "Jan",
            "last_name": "Kowalski", "consents": BASIS}
    post = lambda b: client.post("/api/v1/customers", json.dumps(b),  # noqa: E731
                                 content_type="application/json")
    for field in ("country", "corr_country"):
        response = post({**body, field: "XX"})
        assert response.status_code == 422 and response.json()["field"] == field
    assert not Customer.objects.exists()
    assert post({**body, "country": "de", "corr_country": "XK"}).status_code == 201

