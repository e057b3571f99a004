"""The cashier's pages through HTTP (Polish UI): till, search, payment, documents, close,
acknowledgement."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from punkt.cashdesk.models import Payment, TillSession, TillStatus
from punkt.cashdesk.tests.factories import invoice
from punkt.contracts.tests.factories import customer
from punkt.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_cashier_day_through_the_pages(world: Any, client_as: Any) -> None:
    inv = invoice(world)  # 123,00 zł, Zofia Żółkiewska, 31-042 Kraków
    c = client_as(world.cashier_a)
    page = c.get(reverse("cashdesk:till"))
    assert "Otwórz kasę" in page.content.decode()
    bad = c.post(reverse("cashdesk:till"), {"opening_float": "abc"})
    assert bad.status_code == 422 and "Podaj kwotę" in bad.content.decode()
    c.post(reverse("cashdesk:till"), {"opening_float": "200,00"})
    session = TillSession.objects.get()
    found = c.get(reverse("cashdesk:till"), {"first_name": "Zofia", "last_name": "Żółkiewska",
                                             "address": "31-042"}).content.decode()
    assert inv.number in found and "123,00" in found
    missing = c.get(reverse("cashdesk:till"), {"first_name": "Zofia",
                                               "last_name": "Żółkiewska"}).content.decode()
    assert "Podaj adres" in missing
    jump = c.get(reverse("cashdesk:till"), {"number": inv.number})
    assert jump["Location"] == reverse("cashdesk:invoice", args=[inv.pk])
    form = c.get(jump["Location"]).content.decode()
    assert 'data-testid="pay-form"' in form
    key = form.split('name="key" value="')[1].split('"')[0]
    for _ in range(2):  # a double click posts the same form twice
        c.post(reverse("cashdesk:pay", args=[inv.pk]), {"amount": "23,00", "method": "cash",
                                                        "key": key})
    assert Payment.objects.count() == 1
    page = c.get(jump["Location"]).content.decode()
    assert "100,00" in page and "częściowo" in page
    # The customer's profile shows the new balance at once.
    profile = client_as(world.service_a).get(
        reverse("customers:customer_detail", args=[inv.customer_id])).content.decode()
    assert "do zapłaty 100,00\xa0zł" in profile
    refused = c.post(reverse("cashdesk:pay", args=[inv.pk]), {"amount": "0", "method": "cash"})
    assert "kwota" in c.get(refused["Location"]).content.decode().lower()
    payment = Payment.objects.get()
    kp = c.get(reverse("cashdesk:kp", args=[payment.pk]))
    assert kp.status_code == 200 and kp.content.startswith(b"%PDF")
    assert c.get(reverse("cashdesk:duplicate", args=[inv.pk])).status_code == 405  # no GET
    dup = c.post(reverse("cashdesk:duplicate", args=[inv.pk]))
    assert dup.status_code == 200 and dup.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="cashdesk.invoice.duplicate").count() == 1
    close = c.post(reverse("cashdesk:close"), {"count-200": "1", "count-20": "1"})
    assert close.status_code == 422 and "różnic" in close.content.decode()
    done = c.post(reverse("cashdesk:close"), {"count-200": "1", "count-20": "1",
                                              "note": "brak 3 zł"})
    assert done["Location"] == reverse("cashdesk:till_detail", args=[session.pk])
    session.refresh_from_db()
    assert session.difference == Decimal("-3.00")
    manager = client_as(world.manager_a)
    assert "Kasy do sprawdzenia" in manager.get("/").content.decode()
    manager.post(reverse("cashdesk:acknowledge", args=[session.pk]), {"note": ""})
    session.refresh_from_db()
    assert session.status == TillStatus.CLOSED
    manager.post(reverse("cashdesk:acknowledge", args=[session.pk]),
                 {"note": "wyjaśnione z kasjerem"})
    session.refresh_from_db()
    assert session.status == TillStatus.ACKNOWLEDGED
    report = manager.get(reverse("cashdesk:cash_report", args=[session.pk]))
    assert report.status_code == 200 and report.content.startswith(b"%PDF")


def test_who_may_do_what(world: Any, client_as: Any) -> None:
    inv = invoice(world)
    assert client_as(world.service_a).get(reverse("cashdesk:till")).status_code == 403
    assert client_as(world.service_a).get(
        reverse("cashdesk:invoice", args=[inv.pk])).status_code == 403
    assert client_as(world.manager_a).post(reverse("cashdesk:pay", args=[inv.pk]), {
        "amount": "1", "method": "cash"}).status_code in (302, 403)
    assert not Payment.objects.exists()


def test_business_cash_limit_on_the_page(world: Any, client_as: Any) -> None:
    firm = customer(world, kind="company", company_name="Hurtownia Sp. z o.o.",
                    nip="5260250995", pesel="", first_name="", last_name="")
    big = invoice(world, firm, net="12200.00")
    c = client_as(world.cashier_a)
    c.post(reverse("cashdesk:till"), {"opening_float": "0"})
    page = c.get(reverse("cashdesk:invoice", args=[big.pk])).content.decode()
    assert "art. 19" in page and 'value="cash" disabled' in page
    c.post(reverse("cashdesk:pay", args=[big.pk]), {"amount": "100", "method": "cash"})
    assert not Payment.objects.exists()
    assert "art. 19" in c.get(reverse("cashdesk:invoice", args=[big.pk])).content.decode()


def test_ksef_invoice_gets_its_visualisation(world: Any, client_as: Any) -> None:
    inv = invoice(world, ksef_number="5260250995-20261110-0A1B2C3D4E5F-AB",
                  verification_url="https://ksef.mf.gov.pl/client-app/invoice/check/x")
    c = client_as(world.cashier_a)
    page = c.get(reverse("cashdesk:invoice", args=[inv.pk])).content.decode()
    assert "Wizualizacja KSeF" in page
    pdf = c.post(reverse("cashdesk:duplicate", args=[inv.pk]))
    assert pdf.content.startswith(b"%PDF")
    assert "wizualizacja-ksef" in pdf["Content-Disposition"]


def test_takings_per_cashier_and_day(world: Any, client_as: Any) -> None:
    inv = invoice(world)
    c = client_as(world.cashier_a)
    c.post(reverse("cashdesk:till"), {"opening_float": "0"})
    c.post(reverse("cashdesk:pay", args=[inv.pk]), {"amount": "23", "method": "cash",
                                                    "key": "t1"})
    c.post(reverse("cashdesk:pay", args=[inv.pk]), {"amount": "100", "method": "card",
                                                    "key": "t2"})
    page = client_as(world.manager_a).get(reverse("cashdesk:takings")).content.decode()
    assert "23,00" in page and "100,00" in page
    export = client_as(world.manager_a).get(reverse("cashdesk:takings"), {"format": "csv"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert ";2;23,00;100,00;" in text


def test_till_list_says_the_till_is_open_in_the_feminine(world: Any, client_as: Any) -> None:
    """The till list says "otwarta" (kasa) beside "zamknięta, czeka na kierownika", not
    "otwarte" (a message context, issue 15, bug 7)."""
    from punkt.cashdesk import services

    services.till_open(actor=world.cashier_a, branch_id=world.a.pk, opening_float="100.00")
    page = client_as(world.manager_a).get(reverse("cashdesk:till_list")).content.decode()
    table = page[page.index('data-testid="till-table"'):]
    assert ">otwarta</span>" in table and "otwarte" not in page
