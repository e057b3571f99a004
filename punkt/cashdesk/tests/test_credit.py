"""Credit (an overpayment) settled against the customer's next invoice, and a customer's
invoices, payments and credit following them through a merge."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import translation

from punkt.cashdesk import selectors, services
from punkt.cashdesk.models import CreditUse, InvoiceStatus, Payment, TillEntry
from punkt.cashdesk.tests.factories import invoice
from punkt.contracts.tests.factories import customer
from punkt.core.errors import Conflict
from punkt.customers.models import TimelineEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def overpaid(world: Any, extra: str = "50.00") -> Any:
    """A customer who paid their 123 zł invoice with 123 + ``extra``; the till is open."""
    cust = customer(world)
    first = invoice(world, cust)
    services.till_open(actor=world.cashier_a, branch_id=world.a.pk, opening_float="100")
    services.payment_register(actor=world.cashier_a, invoice_id=first.pk,
                              amount=Decimal("123.00") + Decimal(extra), method="cash")
    return cust


def test_credit_settles_the_next_invoice_as_far_as_it_goes(world: Any) -> None:
    cust = overpaid(world, "50.00")
    nxt = invoice(world, cust, net="20.00")  # 24.60
    third = invoice(world, cust)  # 123.00
    entries = TillEntry.objects.count()
    use = services.credit_apply(actor=world.cashier_a, invoice_id=nxt.pk)
    assert use.amount == Decimal("24.60")
    nxt.refresh_from_db()
    assert (nxt.paid, nxt.status) == (Decimal("24.60"), InvoiceStatus.PAID)
    assert selectors.balance(cust.pk).credit == Decimal("25.40")
    use2 = services.credit_apply(actor=world.cashier_a, invoice_id=third.pk)
    assert use2.amount == Decimal("25.40")
    third.refresh_from_db()
    assert (third.paid, third.status) == (Decimal("25.40"), InvoiceStatus.PARTIAL)
    b = selectors.balance(cust.pk)
    assert (b.credit, b.due) == (Decimal(0), Decimal("97.60"))
    with pytest.raises(Conflict) as no_credit:
        services.credit_apply(actor=world.cashier_a, invoice_id=third.pk)
    assert no_credit.value.code == "no_credit"
    with pytest.raises(Conflict) as paid:
        services.credit_apply(actor=world.cashier_a, invoice_id=nxt.pk)
    assert paid.value.code == "paid"
    assert TillEntry.objects.count() == entries  # no cash moved
    subjects = list(TimelineEntry.objects.filter(customer=cust, kind="payment")
                    .values_list("subject", flat=True))
    assert sum("of credit settled against invoice" in s for s in subjects) == 2


def test_used_credit_cannot_be_reversed_away(world: Any) -> None:
    cust = overpaid(world, "50.00")
    payment = Payment.objects.get(customer=cust)
    services.credit_apply(actor=world.cashier_a, invoice_id=invoice(world, cust).pk)
    with pytest.raises(Conflict) as exc:
        services.payment_reverse(actor=world.cashier_a, payment_id=payment.pk,
                                 reason="mistake")
    assert exc.value.code == "credit_used" and "50,00" in exc.value.message
    assert selectors.balance(cust.pk).credit == Decimal(0)
    assert not Payment.objects.filter(reverses=payment).exists()


def test_credit_needs_an_open_till(world: Any) -> None:
    cust = customer(world)
    inv = invoice(world, cust)
    with pytest.raises(Conflict) as exc:
        services.credit_apply(actor=world.cashier_a, invoice_id=inv.pk)
    assert exc.value.code == "till_closed"


def test_invoices_payments_and_credit_follow_a_merge(world: Any) -> None:
    from punkt.customers.gdpr import customer_merge

    merged = overpaid(world, "10.00")
    survivor = customer(world)
    services.credit_apply(actor=world.cashier_a, invoice_id=invoice(world, merged).pk)
    before = selectors.balance(merged.pk)
    customer_merge(actor=world.expert, survivor_id=survivor.pk, merged_id=merged.pk)
    after = selectors.balance(survivor.pk)
    assert (after.due, after.credit) == (before.due, before.credit)
    assert Payment.objects.filter(customer=survivor).count() == 1
    assert CreditUse.objects.filter(customer=survivor).count() == 1
    if connection.vendor == "postgresql":
        from django.db import transaction
        from django.db.utils import DatabaseError

        with pytest.raises(DatabaseError), transaction.atomic():
            Payment.objects.filter(customer=survivor).update(amount=Decimal("1.00"))
        with pytest.raises(DatabaseError), transaction.atomic():
            CreditUse.objects.filter(customer=survivor).delete()


def test_settling_credit_through_the_page_and_the_api(world: Any, client_as: Any) -> None:
    from django.urls import reverse

    cust = overpaid(world, "30.00")
    second, third = invoice(world, cust, net="10.00"), invoice(world, cust)  # 12,30 / 123,00
    c = client_as(world.cashier_a)
    page = c.get(reverse("cashdesk:invoice", args=[second.pk])).content.decode()
    assert 'data-testid="settle-credit"' in page and "30,00" in page
    with translation.override("pl"):
        done = c.post(reverse("cashdesk:settle_credit", args=[second.pk]), follow=True)
    text = done.content.decode()
    assert 'data-testid="credit-use"' in text and "12,30" in text
    again = c.post(reverse("cashdesk:settle_credit", args=[second.pk]), follow=True)
    assert "pay-error" in again.content.decode() and "jest już opłacona" in again.content.decode()
    api = c.post(f"/api/v1/invoices/{third.pk}/credit", "{}", content_type="application/json")
    assert api.status_code == 201, api.content
    body = api.json()
    assert (body["amount"], body["credit_left"], body["invoice_outstanding"]) == (
        "17.70", "0.00", "105.30")
    none_left = c.post(f"/api/v1/invoices/{third.pk}/credit", "{}",
                       content_type="application/json")
    assert none_left.status_code == 409 and none_left.json()["code"] == "no_credit"
    # Before the credit of another customer is touched: a service employee has no till.
    other = overpaid_again = invoice(world, cust)
    refused = client_as(world.service_a).post(f"/api/v1/invoices/{other.pk}/credit", "{}",
                                              content_type="application/json")
    assert refused.status_code in (403, 409) and overpaid_again.pk == other.pk
    assert CreditUse.objects.filter(customer=cust).count() == 2
