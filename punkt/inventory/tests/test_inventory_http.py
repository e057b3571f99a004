"""The stock pages through HTTP (Polish UI)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from punkt.inventory import services
from punkt.inventory.tests.factories import shop

pytestmark = pytest.mark.django_db


def test_order_page_says_order_not_sequence_and_received_not_date(world: Any,
                                                                  client_as: Any) -> None:
    """A stock order's "Order" is "Zamówienie" (not the sort order's "Kolejność"), and
    "Received" heads a quantity (not the date of "Data wpływu"): message contexts
    (issue 15, bug 7)."""
    s = shop(world, stock_a=0, stock_hq=10)
    order = services.order_create(actor=world.manager_a, branch_id=world.a.pk,
                                  lines={s.router.pk: 2})
    services.order_ship(actor=world.expert, order_id=order.pk)
    page = client_as(world.manager_a).get(
        reverse("inventory:order_detail", args=[order.pk])).content.decode()
    assert f"Zamówienie {order.number}" in page and "Kolejność" not in page
    head = re.search(r'<table data-testid="order-lines"><thead>(.*?)</thead>', page, re.S)
    assert head and "Przyjęto" in head.group(1) and "Data wpływu" not in page
    services.norm_set(actor=world.manager_a, branch_id=world.a.pk, product_id=s.cable.pk,
                      min_norm=3)
    new = client_as(world.manager_a).get(
        reverse("inventory:order_new", args=[world.a.pk])).content.decode()
    assert "Kolejność" not in new and "Do zamówienia" in new
