"""Sellers racing for the last units (C8), on PostgreSQL where rows really lock."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from punkt.core.errors import DomainError
from punkt.inventory.models import StockLevel, StockMovement
from punkt.organization.tests.test_concurrency import _race
from punkt.sales import services
from punkt.sales.models import Sale
from tests.world import make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers; row locks need PostgreSQL"),
]


def test_eight_sellers_one_last_unit(settings: Any, tmp_path: Any) -> None:
    from punkt.inventory.tests.factories import shop

    settings.VAR_DIR = tmp_path
    w = make_world()
    s = shop(w, stock_a=1, stock_hq=0)
    results = _race(8, lambda: services.sale_create(
        actor=w.service_a, branch_id=w.a.pk, payment_method="cash",
        lines=[{"product_id": s.router.pk, "quantity": 1}]))
    sold = [r for r in results if isinstance(r, Sale)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(sold) == 1 and len(refused) == 7, results
    assert StockLevel.objects.get(branch=w.a, product=s.router).quantity == 0
    assert Sale.objects.count() == 1
    assert StockMovement.objects.filter(product=s.router, kind="sale").count() == 1


def test_crossed_baskets_do_not_deadlock(settings: Any, tmp_path: Any) -> None:
    """Two baskets holding the same two products in opposite order: both go through
    (products are taken in one order), stock ends exact."""
    from punkt.inventory.tests.factories import shop

    settings.VAR_DIR = tmp_path
    w = make_world()
    s = shop(w, stock_a=8, stock_hq=0)
    baskets = iter([[s.router, s.cable], [s.cable, s.router]] * 4)
    results = _race(8, lambda: services.sale_create(
        actor=w.service_a, branch_id=w.a.pk, payment_method="card",
        lines=[{"product_id": p.pk, "quantity": 1} for p in next(baskets)]))
    assert all(isinstance(r, Sale) for r in results), results
    assert StockLevel.objects.get(branch=w.a, product=s.router).quantity == 0
    assert StockLevel.objects.get(branch=w.a, product=s.cable).quantity == 0


def test_one_form_many_clicks_one_sale(settings: Any, tmp_path: Any) -> None:
    from punkt.inventory.tests.factories import shop

    settings.VAR_DIR = tmp_path
    w = make_world()
    s = shop(w, stock_a=5, stock_hq=0)
    results = _race(6, lambda: services.sale_create(
        actor=w.service_a, branch_id=w.a.pk, payment_method="card", key="form-xyz",
        lines=[{"product_id": s.router.pk, "quantity": 1}]))
    assert all(isinstance(r, Sale) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert StockLevel.objects.get(branch=w.a, product=s.router).quantity == 4
