"""Payments at once (C5), on PostgreSQL where rows really lock and keys really race."""

from __future__ import annotations

import itertools
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction

from punkt.cashdesk import services
from punkt.cashdesk.models import Invoice, Payment, TillEntry
from punkt.core.errors import DomainError
from punkt.customers.models import TimelineEntry
from punkt.organization.tests.test_concurrency import _race
from tests.world import make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers; row locks need PostgreSQL"),
]


def test_one_key_many_requests_one_payment() -> None:
    from punkt.cashdesk.tests.factories import invoice

    w = make_world()
    inv = invoice(w)
    services.till_open(actor=w.cashier_a, branch_id=w.a.pk, opening_float="0")
    results = _race(12, lambda: services.payment_register(
        actor=w.cashier_a, invoice_id=inv.pk, amount="40.00", method="cash", key="same-key"))
    # Every request waited for the first at the key and was answered with its payment:
    # no second posting, and no 409 for a legitimate retry.
    assert all(isinstance(r, Payment) for r in results), results
    assert {r.pk for r in results} == set(Payment.objects.values_list("pk", flat=True))
    assert sum(1 for r in results if not getattr(r, "replayed", False)) == 1
    assert Payment.objects.count() == 1
    assert TillEntry.objects.filter(kind="payment").count() == 1
    assert TimelineEntry.objects.filter(kind="payment").count() == 1
    inv.refresh_from_db()
    assert inv.paid == Decimal("40.00")
    # After it finished, the same key answers with the same payment.
    again = services.payment_register(actor=w.cashier_a, invoice_id=inv.pk, amount="40",
                                      method="cash", key="same-key")
    assert again.pk == Payment.objects.get().pk


def test_two_cashiers_paying_one_invoice_never_overpay_it() -> None:
    from punkt.cashdesk.tests.factories import invoice
    from punkt.core.roles import Role
    from tests.world import make_user

    w = make_world()
    second = make_user("kasjer2.a@test.pl", Role.CASHIER, w.a)
    inv = invoice(w)  # 123.00
    for cashier in (w.cashier_a, second):
        services.till_open(actor=cashier, branch_id=w.a.pk, opening_float="0")
    cashiers = iter([w.cashier_a, second] * 4)
    results = _race(8, lambda: services.payment_register(
        actor=next(cashiers), invoice_id=inv.pk, amount="50.00", method="card"))
    payments = [r for r in results if isinstance(r, Payment)]
    inv.refresh_from_db()
    assert inv.paid == Decimal("123.00")
    assert sum(p.allocated for p in payments) == Decimal("123.00")
    assert sum(p.to_credit for p in payments) == Decimal(50 * len(payments)) - Decimal("123")
    assert all(isinstance(r, Payment) or r.code == "paid" for r in results)
    assert Invoice.objects.get(pk=inv.pk).status == "paid"


def test_one_credit_settled_at_once_on_many_invoices_is_spent_once() -> None:
    from punkt.cashdesk import selectors
    from punkt.cashdesk.models import CreditUse
    from punkt.cashdesk.tests.factories import invoice
    from punkt.contracts.tests.factories import customer

    w = make_world()
    cust = customer(w)
    first = invoice(w, cust)  # 123.00, paid with 173.00: 50.00 of credit
    services.till_open(actor=w.cashier_a, branch_id=w.a.pk, opening_float="0")
    services.payment_register(actor=w.cashier_a, invoice_id=first.pk, amount="173.00",
                              method="card")
    others = [invoice(w, cust, net="20.00") for _ in range(4)]  # 24.60 each
    turn = itertools.cycle(others)
    lock = threading.Lock()

    def settle() -> Any:
        with lock:
            target = next(turn)
        return services.credit_apply(actor=w.cashier_a, invoice_id=target.pk)

    results = _race(8, settle)
    uses = [r for r in results if isinstance(r, CreditUse)]
    assert sum((u.amount for u in uses), Decimal(0)) == Decimal("50.00"), results
    assert all(isinstance(r, CreditUse) or r.code in {"no_credit", "paid"} for r in results)
    assert selectors.credit_left(cust.pk) == Decimal(0)
    paid = sum((i.paid for i in Invoice.objects.filter(pk__in=[o.pk for o in others])),
               Decimal(0))
    assert paid == Decimal("50.00")


def test_one_credit_settlement_undone_at_once_by_two_experts_is_undone_once() -> None:
    from punkt.cashdesk import selectors
    from punkt.cashdesk.models import CreditUse
    from punkt.cashdesk.tests.factories import invoice
    from punkt.contracts.tests.factories import customer
    from punkt.core.roles import Role
    from tests.world import make_user

    w = make_world()
    second = make_user("ekspert2@test.pl", Role.HQ_EXPERT, w.hq)
    cust = customer(w)
    services.till_open(actor=w.cashier_a, branch_id=w.a.pk, opening_float="0")
    services.payment_register(actor=w.cashier_a, invoice_id=invoice(w, cust).pk,
                              amount="173.00", method="card")  # 50.00 of credit
    wrong = invoice(w, cust)
    use = services.credit_apply(actor=w.cashier_a, invoice_id=wrong.pk)
    experts = iter([w.expert, second] * 3)
    lock = threading.Lock()

    def undo() -> Any:
        with lock:
            expert = next(experts)
        return services.credit_use_reverse(actor=expert, use_id=use.pk, reason="mistake")

    results = _race(6, undo)
    reversals = [r for r in results if isinstance(r, CreditUse)]
    assert len(reversals) == 1, results
    assert all(isinstance(r, CreditUse) or r.code == "reversed" for r in results), results
    assert CreditUse.objects.filter(reverses=use).count() == 1
    assert selectors.credit_left(cust.pk) == Decimal("50.00")
    wrong.refresh_from_db()
    assert (wrong.paid, wrong.status) == (Decimal(0), "open")


def test_two_cashiers_refunding_one_credit_pay_it_out_once() -> None:
    from punkt.cashdesk import selectors
    from punkt.cashdesk.models import CreditRefund
    from punkt.cashdesk.tests.factories import invoice
    from punkt.contracts.tests.factories import customer
    from punkt.core.roles import Role
    from tests.world import make_user

    w = make_world()
    second = make_user("kasjer2.a@test.pl", Role.CASHIER, w.a)
    cust = customer(w)
    for cashier in (w.cashier_a, second):
        services.till_open(actor=cashier, branch_id=w.a.pk, opening_float="500")
    services.payment_register(actor=w.cashier_a, invoice_id=invoice(w, cust).pk,
                              amount="173.00", method="card")  # 50.00 of credit
    cashiers = iter([w.cashier_a, second] * 4)
    lock = threading.Lock()

    def refund() -> Any:
        with lock:
            cashier = next(cashiers)
        return services.credit_refund(actor=cashier, customer_id=cust.pk, amount="50.00")

    results = _race(8, refund)
    refunds = [r for r in results if isinstance(r, CreditRefund)]
    assert len(refunds) == 1, results
    assert all(isinstance(r, CreditRefund) or r.code == "no_credit" for r in results), results
    assert CreditRefund.objects.count() == 1
    assert TillEntry.objects.filter(kind="refund").count() == 1
    assert selectors.credit_left(cust.pk) == Decimal(0)


def test_one_refund_key_many_requests_one_refund() -> None:
    from punkt.cashdesk.models import CreditRefund
    from punkt.cashdesk.tests.factories import invoice
    from punkt.contracts.tests.factories import customer

    w = make_world()
    cust = customer(w)
    services.till_open(actor=w.cashier_a, branch_id=w.a.pk, opening_float="500")
    services.payment_register(actor=w.cashier_a, invoice_id=invoice(w, cust).pk,
                              amount="223.00", method="card")  # 100.00 of credit
    results = _race(8, lambda: services.credit_refund(
        actor=w.cashier_a, customer_id=cust.pk, amount="30.00", key="refund-key"))
    assert all(isinstance(r, CreditRefund) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert CreditRefund.objects.count() == 1
    assert TillEntry.objects.filter(kind="refund").count() == 1


def _hold_first(w: Any, inv: Any, *, amount: str, commit: bool,
                second: Any) -> tuple[Any, Any]:
    """The first request with key "held" posts and keeps its transaction open; ``second``
    (another request with that key) starts then, and must still be waiting at the key when
    the first ends (committed or rolled back). Returns (first's payment, second's result)."""

    class Rollback(Exception):
        pass

    posted = threading.Event()
    release = threading.Event()
    out: dict[str, Any] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                out["first"] = services.payment_register(
                    actor=w.cashier_a, invoice_id=inv.pk, amount=amount, method="cash",
                    key="held")
                posted.set()
                release.wait(10)
                if not commit:
                    raise Rollback
        except Rollback:
            pass
        finally:
            posted.set()
            connection.close()

    def other() -> None:
        try:
            out["second"] = second()
        except DomainError as exc:
            out["second"] = exc
        finally:
            connection.close()

    a = threading.Thread(target=first)
    a.start()
    assert posted.wait(10)
    b = threading.Thread(target=other)
    b.start()
    b.join(0.5)
    waited = b.is_alive()
    release.set()
    a.join(10)
    b.join(10)
    assert waited, "the second request did not wait for the first one's key"
    return out.get("first"), out.get("second")


def test_a_retry_waits_for_the_request_in_flight_and_gets_its_payment() -> None:
    from punkt.cashdesk.tests.factories import invoice

    w = make_world()
    inv = invoice(w)
    services.till_open(actor=w.cashier_a, branch_id=w.a.pk, opening_float="0")
    first, second = _hold_first(w, inv, amount="40.00", commit=True, second=lambda: (
        services.payment_register(actor=w.cashier_a, invoice_id=inv.pk, amount="40",
                                  method="cash", key="held")))
    assert isinstance(second, Payment) and second.pk == first.pk, second
    assert getattr(second, "replayed", False)
    assert Payment.objects.count() == 1 and TillEntry.objects.filter(kind="payment").count() == 1


def test_a_retry_posts_when_the_request_in_flight_fails() -> None:
    from punkt.cashdesk.tests.factories import invoice

    w = make_world()
    inv = invoice(w)
    services.till_open(actor=w.cashier_a, branch_id=w.a.pk, opening_float="0")
    first, second = _hold_first(w, inv, amount="40.00", commit=False, second=lambda: (
        services.payment_register(actor=w.cashier_a, invoice_id=inv.pk, amount="40",
                                  method="cash", key="held")))
    assert isinstance(second, Payment) and not getattr(second, "replayed", False), second
    assert list(Payment.objects.values_list("pk", flat=True)) == [second.pk]
    inv.refresh_from_db()
    assert inv.paid == Decimal("40.00")


def test_the_same_key_with_another_amount_in_flight_is_refused() -> None:
    from punkt.cashdesk.tests.factories import invoice

    w = make_world()
    inv = invoice(w)
    services.till_open(actor=w.cashier_a, branch_id=w.a.pk, opening_float="0")
    _first, second = _hold_first(w, inv, amount="40.00", commit=True, second=lambda: (
        services.payment_register(actor=w.cashier_a, invoice_id=inv.pk, amount="41",
                                  method="cash", key="held")))
    assert isinstance(second, DomainError), second
    assert (second.status, second.code, second.field) == (422, "key_reused",
                                                          "Idempotency-Key")
    assert Payment.objects.count() == 1
