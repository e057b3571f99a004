"""The cashier's API: invoices, payments with an Idempotency-Key, the till."""

from __future__ import annotations

import json
from typing import Any

import pytest

from punkt.cashdesk.models import Payment
from punkt.cashdesk.tests.factories import invoice
from punkt.contracts.tests.factories import customer

pytestmark = pytest.mark.django_db


def post(client: Any, path: str, body: Any, **headers: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def test_payment_api_with_idempotency_key(world: Any, client_as: Any) -> None:
    inv = invoice(world)
    c = client_as(world.cashier_a)
    assert c.get("/api/v1/till").status_code == 404
    opened = post(c, "/api/v1/till", {"branch_id": world.a.pk, "opening_float": "100.00"})
    assert opened.status_code == 201 and opened.json()["expected_cash"] == "100.00"
    found = c.get("/api/v1/invoices", {"first_name": "Zofia", "last_name": "Żółkiewska",
                                       "address": "Kraków"}).json()
    assert [i["number"] for i in found] == [inv.number]
    url = f"/api/v1/invoices/{inv.pk}/payments"
    first = post(c, url, {"amount": "50.00", "method": "cash"}, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["invoice_outstanding"] == "73.00" and body["invoice_status"] == "partial"
    again = post(c, url, {"amount": "50.00", "method": "cash"}, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    other = post(c, url, {"amount": "60.00", "method": "cash"}, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"
    bad = post(c, url, {"amount": "-1", "method": "cash"})
    assert bad.status_code == 422
    assert Payment.objects.count() == 1
    balance = c.get(f"/api/v1/customers/{inv.customer_id}/balance").json()
    assert balance["due"] == "73.00"
    rev = post(c, f"/api/v1/payments/{body['id']}/reversal", {"reason": "pomyłka"})
    assert rev.status_code == 201 and rev.json()["amount"] == "-50.00"
    assert (rev.json()["invoice_outstanding"], rev.json()["invoice_status"]) == ("123.00",
                                                                                "open")
    closed = post(c, "/api/v1/till/close", {"counted": {"100": 1}})
    assert closed.status_code == 200 and closed.json()["difference"] == "0.00"
    assert post(c, url, {"amount": "1", "method": "cash"}).status_code == 409


def test_invoice_api_for_hq(world: Any, client_as: Any) -> None:
    cust = customer(world)
    body = {"number": "FV/API/1", "customer_id": cust.pk, "issued_on": "2026-11-01",
            "due_on": "2026-11-15", "lines": [{"name": "Internet", "vat_rate": "23",
                                               "net": "100.00"}], "gross": "123.00"}
    expert = client_as(world.expert)
    made = post(expert, "/api/v1/invoices", body)
    assert made.status_code == 201 and made.json()["gross"] == "123.00"
    dup = post(expert, "/api/v1/invoices", body)
    assert dup.status_code == 422 and dup.json()["field"] == "number"
    assert post(client_as(world.cashier_a), "/api/v1/invoices",
                {**body, "number": "FV/API/2"}).status_code == 403
    got = client_as(world.cashier_a).get("/api/v1/invoices?number=fv/api/1").json()
    assert got[0]["outstanding"] == "123.00"
