"""Settlements written straight into their tables, dated as a test needs (the services
date everything now): counter sales and returns, payments for HQ's invoices (and their
reversals), credit settled against an invoice, contracts in force."""

from __future__ import annotations

import datetime
from decimal import Decimal
from itertools import count
from typing import Any

from django.utils import timezone

_serial = count(1)


def at(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    """A moment of ``day`` in Warsaw."""
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, minute))


def customer(world: Any, name: str, branch: Any = None, **data: Any) -> Any:
    from punkt.contracts.tests.factories import customer as make

    return make(world, branch=branch, actor=world.service_b if branch == world.b else None,
                last_name=name, **data)


def sale(world: Any, cust: Any, day: datetime.date, amount: str, *, kind: str = "sale",
         original: Any = None, hour: int = 12, minute: int = 0) -> Any:
    from punkt.sales.models import Sale

    return Sale.objects.create(kind=kind, branch_id=cust.branch_id, seller=world.service_a,
                               customer=cust, original=original, payment_method="card",
                               total_gross=Decimal(amount), receipt_status="printed",
                               created_at=at(day, hour, minute))


def _invoice(cust: Any, day: datetime.date, amount: Decimal) -> Any:
    from punkt.cashdesk.models import Invoice

    return Invoice.objects.create(number=f"FV/T/{next(_serial):06d}", customer=cust,
                                  buyer_name=cust.display_name, issued_on=day, due_on=day,
                                  net=amount, vat=Decimal(0), gross=amount, paid=amount,
                                  status="paid")


def _session(world: Any, cust: Any, day: datetime.date) -> Any:
    from punkt.cashdesk.models import TillSession

    return TillSession.objects.create(branch_id=cust.branch_id, cashier=world.cashier_a,
                                      business_day=day, status="closed",
                                      opening_float=Decimal(0), counted_total=Decimal(0))


def payment(world: Any, cust: Any, day: datetime.date, amount: str, *,
            reversed_on: datetime.date | None = None) -> Any:
    """A payment of ``amount`` for a new invoice of ``cust`` (reversed on ``reversed_on``)."""
    from punkt.cashdesk.models import Payment

    value = Decimal(amount)
    inv = _invoice(cust, day, value)
    session = _session(world, cust, day)
    paid = Payment.objects.create(invoice=inv, customer=cust, session=session,
                                  branch_id=cust.branch_id, cashier=world.cashier_a,
                                  method="card", amount=value, allocated=value,
                                  created_at=at(day))
    if reversed_on is not None:
        Payment.objects.create(invoice=inv, customer=cust, session=session,
                               branch_id=cust.branch_id, cashier=world.cashier_a,
                               method="card", amount=-value, allocated=-value,
                               reverses=paid, reason="pomyłka", created_at=at(reversed_on))
    return paid


def credit_use(world: Any, cust: Any, day: datetime.date, amount: str) -> Any:
    from punkt.cashdesk.models import CreditUse

    value = Decimal(amount)
    return CreditUse.objects.create(invoice=_invoice(cust, day, value), customer=cust,
                                    amount=value, branch_id=cust.branch_id,
                                    created_at=at(day))


def contract(world: Any, cust: Any, starts: datetime.date, ends: datetime.date, *,
             status: str = "active", terminated_on: datetime.date | None = None) -> Any:
    from punkt.contracts.models import Contract
    from punkt.contracts.tests.factories import prepared

    made = prepared(world, cust=cust, render=False,
                    actor=world.service_b if cust.branch_id == world.b.pk else None)
    Contract.objects.filter(pk=made.pk).update(status=status, starts_on=starts, ends_on=ends,
                                               terminated_on=terminated_on)
    return made
