"""Issue 15: the API says what is wrong first — a failed token is 401 (not the session's
CSRF 403), a role that takes no payments is 403 (not "open the till first")."""

from __future__ import annotations

import json
from typing import Any

import pytest

from punkt.cashdesk.models import Payment, TillSession
from punkt.cashdesk.tests.factories import invoice

pytestmark = pytest.mark.django_db


def post(client: Any, path: str, body: Any, **extra: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json", **extra)


def test_a_revoked_token_on_a_write_is_401(world: Any) -> None:
    from django.test import Client

    from punkt.organization.models import ApiToken
    from punkt.organization.services import api_token_create

    client = Client(enforce_csrf_checks=True)  # as a real client: CSRF is checked
    token, secret = api_token_create(actor=world.cashier_a, name="kasa")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at="2026-01-01T00:00:00Z")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    answer = post(client, "/api/v1/till", {"branch_id": world.a.pk, "opening_float": "1"},
                  **auth)
    assert answer.status_code == 401 and answer.json()["code"] == "unauthenticated"
    assert post(client, "/api/v1/till", {"branch_id": world.a.pk,
                                         "opening_float": "1"}).status_code == 401


def test_the_session_still_needs_its_csrf_token(world: Any) -> None:
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(world.cashier_a, backend="punkt.organization.backends.EmployeeBackend")
    answer = post(c, "/api/v1/till", {"branch_id": world.a.pk, "opening_float": "1"})
    assert answer.status_code == 403 and not TillSession.objects.exists()


def test_the_role_comes_before_the_till(world: Any, client_as: Any) -> None:
    inv = invoice(world)
    c = client_as(world.retention_a)
    paid = post(c, f"/api/v1/invoices/{inv.pk}/payments", {"amount": "1.00", "method": "cash"},
                HTTP_IDEMPOTENCY_KEY="k-1")
    assert paid.status_code == 403 and paid.json()["code"] == "forbidden"
    moved = post(c, "/api/v1/till/cash", {"kind": "cash_in", "amount": "1", "reason": "x"})
    assert moved.status_code == 403
    credit = c.post(f"/api/v1/invoices/{inv.pk}/credit")
    assert credit.status_code == 403
    assert not Payment.objects.exists()
