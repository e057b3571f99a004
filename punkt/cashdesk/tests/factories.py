"""Invoices for the cashier's tests."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from punkt.cashdesk import services
from punkt.cashdesk.models import Invoice
from punkt.contracts.tests.factories import customer

_serial = iter(range(1, 10**6))


def invoice(world: Any, cust: Any = None, *, net: str = "100.00", rate: str = "23",
            **extra: Any) -> Invoice:
    """An invoice for ``cust`` (default: a new customer of branch A): 100 zł net + 23%."""
    cust = cust or customer(world)
    today = timezone.localdate()
    return services.invoice_create(
        actor=world.expert, customer_id=cust.pk, number=f"FV/2026/11/{next(_serial):06d}",
        issued_on=today - datetime.timedelta(days=10), due_on=today + datetime.timedelta(days=4),
        lines=[{"name": "Internet 600 Mb/s — listopad 2026", "vat_rate": rate, "net": net}],
        **extra)


def gross(inv: Invoice) -> Decimal:
    inv.refresh_from_db()
    return inv.gross
