"""The customer's credit paid out in cash at the till (issue 15): a KW document numbered
per branch and year, once per idempotency key, by a cashier at her open till; the drawer
and the credit both shrink; audited and on the customer's timeline."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from punkt.cashdesk import selectors, services
from punkt.cashdesk.models import CreditRefund, TillEntry
from punkt.cashdesk.tests.factories import invoice
from punkt.cashdesk.tests.test_credit import overpaid
from punkt.contracts.tests.factories import customer
from punkt.core.errors import ActionDenied, Conflict, ValidationFailed
from punkt.core.models import AuditEvent
from punkt.customers.models import TimelineEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def test_credit_paid_out_in_cash_shrinks_the_credit_and_the_drawer(world: Any) -> None:
    cust = overpaid(world, "50.00")  # float 100 + 173 cash in the drawer
    session = services.till_current(world.cashier_a)
    assert session is not None and services.expected_cash(session) == Decimal("273.00")
    refund = services.credit_refund(actor=world.cashier_a, customer_id=cust.pk,
                                    amount="30,00", reason="customer asked")
    year = session.business_day.year
    assert refund.number == f"KW/Z/AAA-01/{year}/00001"
    assert (refund.amount, refund.branch_id, refund.session_id) == (
        Decimal("30.00"), world.a.pk, session.pk)
    assert selectors.credit_left(cust.pk) == Decimal("20.00")
    assert services.expected_cash(session) == Decimal("243.00")
    entry = TillEntry.objects.get(refund=refund)
    assert (entry.kind, entry.amount, entry.cash) == ("refund", Decimal("-30.00"),
                                                      Decimal("-30.00"))
    event = AuditEvent.objects.get(action="cashdesk.credit.refund")
    assert event.actor_id == world.cashier_a.pk and refund.number in event.message
    assert TimelineEntry.objects.filter(customer=cust, kind="payment",
                                        subject__contains=refund.number).exists()
    # The rest: the next number of the branch and year; then no credit is left.
    rest = services.credit_refund(actor=world.cashier_a, customer_id=cust.pk, amount="20")
    assert rest.number == f"KW/Z/AAA-01/{year}/00002"
    with pytest.raises(Conflict) as none_left:
        services.credit_refund(actor=world.cashier_a, customer_id=cust.pk, amount="1")
    assert none_left.value.code == "no_credit"
    # A payment whose overpayment was paid out cannot be reversed away.
    from punkt.cashdesk.models import Payment

    with pytest.raises(Conflict) as used:
        services.payment_reverse(actor=world.cashier_a,
                                 payment_id=Payment.objects.get(customer=cust).pk,
                                 reason="mistake")
    assert used.value.code == "credit_used"


def test_refund_refuses_more_than_the_credit_or_the_drawer(world: Any) -> None:
    cust = overpaid(world, "50.00")
    with pytest.raises(ValidationFailed) as too_much:
        services.credit_refund(actor=world.cashier_a, customer_id=cust.pk, amount="50.01")
    assert (too_much.value.field, "50,00" in too_much.value.message) == ("amount", True)
    for bad in ("", "abc", "-5", "0", "1" * 30):
        with pytest.raises(ValidationFailed) as invalid:
            services.credit_refund(actor=world.cashier_a, customer_id=cust.pk, amount=bad)
        assert invalid.value.field == "amount"
    services.cash_move(actor=world.cashier_a, kind="cash_out", amount="250.00",
                       reason="to the safe")  # 23.00 left in the drawer
    with pytest.raises(Conflict) as drawer:
        services.credit_refund(actor=world.cashier_a, customer_id=cust.pk, amount="30")
    assert drawer.value.code == "not_enough_cash"
    assert CreditRefund.objects.count() == 0
    assert selectors.credit_left(cust.pk) == Decimal("50.00")


def test_refund_needs_the_cashiers_role_first_then_an_open_till(world: Any) -> None:
    cust = overpaid(world, "50.00")
    for user in (world.retention_a, world.manager_a, world.expert, world.service_a):
        with pytest.raises(ActionDenied):
            services.credit_refund(actor=user, customer_id=cust.pk, amount="abc")
    session = services.till_current(world.cashier_a)
    assert session is not None
    services.till_close(actor=world.cashier_a, session_id=session.pk,
                        counted={"100": "2", "50": "1", "20": "1", "2": "1", "1": "1"})
    with pytest.raises(Conflict) as closed:
        services.credit_refund(actor=world.cashier_a, customer_id=cust.pk, amount="10")
    assert closed.value.code == "till_closed"
    assert CreditRefund.objects.count() == 0


def test_the_same_key_pays_out_once(world: Any) -> None:
    cust = overpaid(world, "50.00")
    first = services.credit_refund(actor=world.cashier_a, customer_id=cust.pk, amount="10",
                                   key="k-1")
    again = services.credit_refund(actor=world.cashier_a, customer_id=cust.pk, amount="10.00",
                                   key="k-1")
    assert again.pk == first.pk and getattr(again, "replayed", False)
    with pytest.raises(ValidationFailed) as other:
        services.credit_refund(actor=world.cashier_a, customer_id=cust.pk, amount="11",
                               key="k-1")
    assert other.value.field == "Idempotency-Key"
    assert CreditRefund.objects.count() == 1
    assert selectors.credit_left(cust.pk) == Decimal("40.00")


def test_numbers_run_per_branch_and_year(world: Any) -> None:
    from punkt.core.roles import Role
    from tests.world import make_user

    cust_a = overpaid(world, "10.00")
    cashier_b = make_user("kasjer.b@test.pl", Role.CASHIER, world.b)
    cust_b = customer(world)
    services.till_open(actor=cashier_b, branch_id=world.b.pk, opening_float="100")
    services.payment_register(actor=cashier_b, invoice_id=invoice(world, cust_b).pk,
                              amount="133.00", method="cash")
    a = services.credit_refund(actor=world.cashier_a, customer_id=cust_a.pk, amount="10")
    b = services.credit_refund(actor=cashier_b, customer_id=cust_b.pk, amount="10")
    assert a.number.startswith("KW/Z/AAA-01/") and a.number.endswith("/00001")
    assert b.number.startswith("KW/Z/BBB-01/") and b.number.endswith("/00001")
    number, text = services.next_number("KW/Z", world.a, 2099)
    assert (number, text) == (1, "KW/Z/AAA-01/2099/00001")


def test_refund_through_the_page_the_kw_and_the_api(world: Any, client_as: Any) -> None:
    cust = overpaid(world, "50.00")
    inv = invoice(world, cust)
    c = client_as(world.cashier_a)
    page = c.get(reverse("cashdesk:invoice", args=[inv.pk])).content.decode()
    assert 'data-testid="refund-form"' in page and 'value="50,00"' in page
    url = reverse("cashdesk:refund", args=[cust.pk])
    assert c.get(url).status_code == 405  # no GET writes
    bad = c.post(url, {"amount": "60", "invoice": inv.pk, "key": "x1"}, follow=True)
    assert 'data-testid="refund-error"' in bad.content.decode()
    assert CreditRefund.objects.count() == 0
    done = c.post(url, {"amount": "20,00", "invoice": inv.pk, "key": "x2"}, follow=True)
    text = done.content.decode()
    refund = CreditRefund.objects.get()
    assert 'data-testid="kw-link"' in text and refund.number in text
    c.post(url, {"amount": "20,00", "invoice": inv.pk, "key": "x2"})  # a double click
    assert CreditRefund.objects.count() == 1
    pdf = c.get(reverse("cashdesk:kw", args=[refund.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="cashdesk.refund.print").count() == 1
    till = c.get(reverse("cashdesk:till_detail", args=[refund.session_id])).content.decode()
    assert refund.number in till
    # Another cashier of the branch does not see the KW; the branch's manager does.
    from punkt.core.roles import Role
    from tests.world import make_user

    other = make_user("kasjer2.a@test.pl", Role.CASHIER, world.a)
    assert client_as(other).get(reverse("cashdesk:kw", args=[refund.pk])).status_code == 404
    assert client_as(world.manager_a).get(
        reverse("cashdesk:kw", args=[refund.pk])).status_code == 200
    # The API, with a key: replayed once, refused for another amount.
    api = f"/api/v1/customers/{cust.pk}/credit/refunds"
    first = c.post(api, {"amount": "5.00"}, content_type="application/json",
                   headers={"Idempotency-Key": "api-1"})
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["number"].endswith("/00002") and body["credit_left"] == "25.00"
    again = c.post(api, {"amount": "5.00"}, content_type="application/json",
                   headers={"Idempotency-Key": "api-1"})
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    other_amount = c.post(api, {"amount": "6.00"}, content_type="application/json",
                          headers={"Idempotency-Key": "api-1"})
    assert other_amount.status_code == 422
    assert other_amount.json()["field"] == "Idempotency-Key"
    too_much = c.post(api, {"amount": "99.00"}, content_type="application/json")
    assert too_much.status_code == 422 and too_much.json()["field"] == "amount"
    refused = client_as(world.retention_a).post(api, {"amount": "5.00"},
                                                content_type="application/json")
    assert refused.status_code == 403
    assert selectors.credit_left(cust.pk) == Decimal("25.00")
