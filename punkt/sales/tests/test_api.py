"""Catalogue, stock and counter sales through the API."""

from __future__ import annotations

import json
from typing import Any

import pytest

from punkt.inventory.tests.factories import shop
from punkt.sales.models import Sale

pytestmark = pytest.mark.django_db


def post(client: Any, path: str, body: Any, **headers: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def test_sale_api(world: Any, client_as: Any) -> None:
    s = shop(world, stock_a=1)
    c = client_as(world.service_a)
    products = c.get("/api/v1/products", {"branch_id": world.a.pk, "q": "router"}).json()
    assert products["items"][0]["price_gross"] == "249.00"
    assert products["items"][0]["in_stock"] == 1
    url = f"/api/v1/branches/{world.a.pk}/sales"
    body = {"lines": [{"product_id": s.router.pk}], "payment_method": "card"}
    first = post(c, url, body, HTTP_IDEMPOTENCY_KEY="s-1")
    assert first.status_code == 201 and first.json()["total_gross"] == "249.00"
    again = post(c, url, body, HTTP_IDEMPOTENCY_KEY="s-1")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    other = post(c, url, {**body, "payment_method": "cash"}, HTTP_IDEMPOTENCY_KEY="s-1")
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"
    sold_out = post(c, url, body)
    assert sold_out.status_code == 409 and "Router" in sold_out.json()["message"]
    assert Sale.objects.count() == 1
    levels = c.get(f"/api/v1/branches/{world.a.pk}/stock").json()
    assert {x["code"]: x["quantity"] for x in levels}["RTR-AX"] == 0
    line = first.json()["lines"][0]["id"]
    ret = post(c, f"/api/v1/sales/{first.json()['id']}/returns",
               {"quantities": {str(line): 1}, "reason": "wada"})
    assert ret.status_code == 201 and ret.json()["kind"] == "return"
    bad = post(c, url, {"lines": [{"product_id": s.router.pk, "discount_percent": "50"}],
                        "payment_method": "card"})
    assert bad.status_code == 403


def test_stock_order_api(world: Any, client_as: Any) -> None:
    s = shop(world, stock_a=0)
    manager, expert = client_as(world.manager_a), client_as(world.expert)
    made = post(manager, f"/api/v1/branches/{world.a.pk}/stock-orders",
                {"lines": [{"product_id": s.cable.pk, "quantity": 3}]})
    assert made.status_code == 201 and made.json()["allowed_actions"] == ["cancel"]
    order = made.json()["id"]
    shipped = post(expert, f"/api/v1/stock-orders/{order}/actions", {"action": "ship"})
    assert shipped.json()["status"] == "shipped"
    got = post(manager, f"/api/v1/stock-orders/{order}/actions",
               {"action": "receive", "quantities": {str(s.cable.pk): 2}})
    assert got.status_code == 422 and got.json()["field"] == f"reason-{s.cable.pk}"
    got = post(manager, f"/api/v1/stock-orders/{order}/actions",
               {"action": "receive", "quantities": {str(s.cable.pk): 2},
                "reasons": {str(s.cable.pk): "uszkodzony"}})
    assert got.json()["status"] == "received"
