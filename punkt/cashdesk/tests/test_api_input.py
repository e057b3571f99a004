"""Issue 15: what the API takes as an amount and as a body — refused with a 4xx naming
the field, never guessed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from punkt.cashdesk.models import TillSession
from punkt.cashdesk.tests.factories import invoice

pytestmark = pytest.mark.django_db

#: 27 digits before the decimal point.
LONG = "1" * 27 + ",00"


def post(client: Any, path: str, body: Any, **extra: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json", **extra)


@pytest.mark.parametrize("amount", ["1_000", "١٢", " 12", "1e3", "+5", "0x10", LONG,
                                    "1" * 27, 10**30])
def test_the_api_refuses_amounts_python_would_read(world: Any, client_as: Any,
                                                   amount: Any) -> None:
    c = client_as(world.cashier_a)
    opened = post(c, "/api/v1/till", {"branch_id": world.a.pk, "opening_float": amount})
    assert opened.status_code == 422 and opened.json()["field"] == "opening_float"
    assert not TillSession.objects.exists()


def test_the_api_still_takes_numbers_and_plain_text_amounts(world: Any,
                                                            client_as: Any) -> None:
    c = client_as(world.cashier_a)
    assert post(c, "/api/v1/till", {"branch_id": world.a.pk,
                                    "opening_float": "100.5"}).status_code == 201
    inv = invoice(world)
    paid = post(c, f"/api/v1/invoices/{inv.pk}/payments", {"amount": 12.5, "method": "card"})
    assert paid.status_code == 201 and paid.json()["amount"] == "12.50"


@pytest.mark.parametrize(("content_type", "status"), [
    ("text/plain", 415), ("application/x-www-form-urlencoded", 415),
    ("application/json; charset=latin-1", 415), ("application/json; charset=iso-8859-2", 415),
    ("application/json; charset=utf-8", 201), ("application/json", 201)])
def test_the_api_takes_json_as_json_in_utf8(world: Any, client_as: Any, content_type: str,
                                           status: int) -> None:
    from punkt.organization.services import api_token_create

    _t, secret = api_token_create(actor=world.cashier_a, name="kasa")
    body = json.dumps({"branch_id": world.a.pk, "opening_float": "10.00"})
    answer = client_as(world.cashier_a).post(
        "/api/v1/till", body, content_type=content_type,
        HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert answer.status_code == status, answer.content
    if status == 415:
        assert answer.json() == {"code": "unsupported_media_type",
                                 "message": answer.json()["message"], "field": "Content-Type"}
        assert not TillSession.objects.exists()


def test_the_api_refuses_bytes_that_are_not_utf8_json(world: Any, client_as: Any) -> None:
    c = client_as(world.cashier_a)
    latin = c.post("/api/v1/till", '{"branch_id": 1, "opening_float": "10", "x": "żółw"}'
                   .encode("cp1250"), content_type="application/json")
    assert latin.status_code == 400 and latin.json()["field"] == "body"
    broken = c.post("/api/v1/till", b'{"branch_id": ', content_type="application/json")
    assert broken.status_code == 400 and broken.json()["field"] == "body"
