"""Issue 15: amounts too long for a Decimal (27 digits crashed the till's forms and the
invoice import's check), and an import that crashes ends FAILED with the reason shown."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from punkt.cashdesk import imports
from punkt.cashdesk.models import ImportStatus, InvoiceImport, Payment, TillEntry, TillSession
from punkt.cashdesk.tests.factories import invoice
from punkt.cashdesk.tests.test_imports import HEADER, confirm, people, upload
from punkt.core import money

pytestmark = pytest.mark.django_db

#: 27 digits before the decimal point: ``Decimal.quantize`` raised InvalidOperation (a 500).
LONG = "1" * 27 + ",00"


def test_long_amounts_are_field_errors_on_the_till_forms(world: Any, client_as: Any) -> None:
    inv = invoice(world)
    c = client_as(world.cashier_a)
    opened = c.post(reverse("cashdesk:till"), {"opening_float": LONG})
    assert opened.status_code == 422 and "1 000 000" in opened.content.decode()
    assert not TillSession.objects.exists()
    c.post(reverse("cashdesk:till"), {"opening_float": "100,00"})
    for amount in (LONG, "9" * 40, "1" * 11):
        paid = c.post(reverse("cashdesk:pay", args=[inv.pk]), {"amount": amount,
                                                               "method": "cash"})
        assert paid.status_code == 302
        assert "1 000 000" in c.get(paid["Location"]).content.decode()
        moved = c.post(reverse("cashdesk:cash"), {"kind": "cash_in", "amount": amount,
                                                  "reason": "wpłata"}, follow=True)
        assert moved.status_code == 200 and "1 000 000" in moved.content.decode()
    assert not Payment.objects.exists() and TillEntry.objects.count() == 1  # the float


@pytest.mark.parametrize("value", [LONG, "1" * 27, Decimal("1" * 27), 10**30, 1e30,
                                   "١٢", "1_000"])
def test_parse_amount_refuses_without_crashing(value: Any) -> None:
    with pytest.raises(ValueError):
        money.parse_amount(value)
    assert money.parse_amount("9 999 999 999,99") == money.MAX_AMOUNT


def test_a_long_net_in_an_invoice_file_is_a_cell_error(world: Any) -> None:
    person, _firm = people(world)
    with translation.override("en"):
        job = upload(world, HEADER + (
            f"FV/LONG/1;{person.number};;01.12.2026;15.12.2026;;Internet;1;23;{LONG};;\n"
            f"FV/LONG/2;{person.number};;01.12.2026;15.12.2026;;Internet;1;23;10,00;{LONG};\n"
            f"FV/LONG/3;{person.number};;01.12.2026;15.12.2026;;Internet;{'1' * 30};23;1;;\n"))
    assert job.status == ImportStatus.REJECTED
    assert [(e["row"], e["field"]) for e in job.errors] == [(2, "net"), (3, "gross"),
                                                           (4, "quantity")]


def test_a_crashing_check_ends_failed_with_the_reason_shown(
        world: Any, client_as: Any, monkeypatch: Any, caplog: Any) -> None:
    """A real crash: the bound lifted, the 27-digit net reaches ``quantize`` again."""
    person, _firm = people(world)
    monkeypatch.setattr(money, "MAX_AMOUNT", Decimal("1e40"))
    with caplog.at_level(logging.ERROR, logger="punkt.imports"):
        job = upload(world, HEADER + (
            f"FV/LONG/1;{person.number};;01.12.2026;15.12.2026;;Internet;1;23;{LONG};;\n"))
    assert job.status == ImportStatus.FAILED  # not "queued" for ever
    assert job.errors[0]["field"] == "file" and "nieoczekiwany" in job.errors[0]["message"]
    assert job.job is not None and job.job.status == "failed"
    assert any("InvalidOperation" in (r.exc_text or "") for r in caplog.records)
    assert not imports.files.path_of(job.stored_name, area=imports.AREA).exists()
    page = client_as(world.expert).get(reverse("cashdesk:invoice_import", args=[job.pk]))
    assert "nic nie zaimportowano" in page.content.decode()


def test_a_crashing_run_ends_failed_and_writes_nothing(world: Any, monkeypatch: Any,
                                                       caplog: Any) -> None:
    person, _firm = people(world)
    job = upload(world, HEADER + (
        f"FV/OK/1;{person.number};;01.12.2026;15.12.2026;;Internet;1;23;10,00;;\n"))
    assert job.status == ImportStatus.CHECKED
    # Between the check and the run the file's net becomes one that crashes the parser.
    path = imports.files.path_of(job.stored_name, area=imports.AREA)
    path.write_bytes(path.read_bytes().replace(b"10,00", LONG.encode()))
    monkeypatch.setattr(money, "MAX_AMOUNT", Decimal("1e40"))
    with caplog.at_level(logging.ERROR, logger="punkt.imports"):
        job = confirm(world, job)
    assert job.status == ImportStatus.FAILED and job.invoices_imported == 0
    assert "nieoczekiwany" in job.errors[0]["message"]
    assert caplog.records and not InvoiceImport.objects.filter(
        status=ImportStatus.RUNNING).exists()
