"""What one payment costs in round-trips to the database. The till's throughput goal
(≥ 200 payments/s from 16 clients, ``bench/run_cashdesk.py``) is mostly these statements:
the counts below fail as soon as the path grows — look at the printed list, and change the
number here only with a reason in the commit.

Counted as the test database sees them: a service's transaction is a savepoint pair here
(``BEGIN``/``COMMIT`` in production, which Django does not capture)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from punkt.cashdesk import services
from punkt.cashdesk.models import Payment
from punkt.cashdesk.tests.factories import invoice
from punkt.organization import services as org_services

pytestmark = pytest.mark.django_db

#: The key's claim (INSERT … ON CONFLICT), the till locked with its branch, the invoice
#: locked, its UPDATE, the payment, the till entry, the timeline entry, the audit row, the
#: key's UPDATE to its payment — and the transaction's savepoint pair.
SERVICE = 11
#: The service, plus the API token and the caller's access; no invoice re-read.
API = 13
#: A replay: the claim finds the key, and the key is read with its payment and invoice.
REPLAY = 4


def _listed(ctx: CaptureQueriesContext) -> str:
    return "\n".join(f"{n}. {q['sql'][:160]}" for n, q in enumerate(ctx.captured_queries, 1))


@pytest.fixture
def paying(world: Any) -> Any:
    inv = invoice(world, net="10000.00")
    services.till_open(actor=world.cashier_a, branch_id=world.a.pk, opening_float="0")
    # A first payment: whatever is read once per process (content types…) is read now.
    services.payment_register(actor=world.cashier_a, invoice_id=inv.pk, amount="1",
                              method="card", key="warm-up")
    return inv


def test_a_payment_through_the_service(world: Any, paying: Any) -> None:
    with CaptureQueriesContext(connection) as ctx:
        services.payment_register(actor=world.cashier_a, invoice_id=paying.pk, amount="1",
                                  method="cash", key="k-1")
    assert len(ctx.captured_queries) == SERVICE, _listed(ctx)
    with CaptureQueriesContext(connection) as ctx:
        again = services.payment_register(actor=world.cashier_a, invoice_id=paying.pk,
                                          amount="1", method="cash", key="k-1")
    assert getattr(again, "replayed", False)
    assert len(ctx.captured_queries) == REPLAY, _listed(ctx)
    # Without a key: no claim and no key update.
    with CaptureQueriesContext(connection) as ctx:
        services.payment_register(actor=world.cashier_a, invoice_id=paying.pk, amount="1",
                                  method="cash")
    assert len(ctx.captured_queries) == SERVICE - 2, _listed(ctx)


def test_a_payment_through_the_api(world: Any, paying: Any) -> None:
    _token, secret = org_services.api_token_create(actor=world.cashier_a, name="queries")
    c = Client()
    url = f"/api/v1/invoices/{paying.pk}/payments"
    body = json.dumps({"amount": "1.00", "method": "card"})

    def headers(key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {secret}", "Idempotency-Key": key}

    c.post(url, body, content_type="application/json", headers=headers("w"))
    with CaptureQueriesContext(connection) as ctx:
        r = c.post(url, body, content_type="application/json", headers=headers("k-2"))
    assert r.status_code == 201, r.content
    assert len(ctx.captured_queries) == API, _listed(ctx)
    # The answer is the invoice as the payment left it, though it was not read again.
    paying.refresh_from_db()
    assert r.json()["invoice_outstanding"] == str(paying.outstanding)
    assert r.json()["invoice_status"] == paying.status == "partial"
    # A replay answers the same, with the invoice as it stands now.
    again = c.post(url, body, content_type="application/json", headers=headers("k-2"))
    assert again.status_code == 201 and again.json()["id"] == r.json()["id"]
    assert again.json()["invoice_outstanding"] == str(paying.outstanding)
    assert Payment.objects.filter(pk=r.json()["id"]).exists()
