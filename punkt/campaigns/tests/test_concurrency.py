"""Races on PostgreSQL (C10): a double click (or two employees) checking one print order
in adds the run to stock once; two orders at once cannot both spend the campaign's last
złoty."""

from __future__ import annotations

import pytest
from django.db import connection

from punkt.campaigns import services
from punkt.campaigns.models import PrintOrder, PrintOrderStatus
from punkt.campaigns.tests import factories as f
from punkt.core.errors import DomainError
from punkt.core.models import AuditEvent
from punkt.inventory.models import StockLevel, StockMovement
from punkt.organization.tests.test_concurrency import _race
from tests.world import make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers; row locks need PostgreSQL"),
]


def test_checking_a_delivery_in_twice_at_once_adds_it_once() -> None:
    """(C10) the order's row lock and the conditional update on its state."""
    w = make_world()
    order = f.print_order(w)
    actors = iter([w.service_a, w.manager_a, w.service_a])
    results = _race(3, lambda: services.print_order_move(actor=next(actors),
                                                         order_id=order.pk,
                                                         action="deliver"))
    assert len([r for r in results if isinstance(r, DomainError)]) == 2
    assert PrintOrder.objects.get(pk=order.pk).status == PrintOrderStatus.DELIVERED
    product = order.leaflet.product_id
    assert StockLevel.objects.get(branch=w.a, product_id=product).quantity == 1000
    assert StockMovement.objects.filter(product_id=product).count() == 1
    assert AuditEvent.objects.filter(action="campaigns.printorder.deliver").count() == 1


def test_two_orders_at_once_do_not_overspend_the_budget() -> None:
    """(C10) the campaign's row lock serialises the budget check: 300 zł fits one 190 zł
    run, not two."""
    w = make_world()
    lf = f.leaflet(w, f.campaign(w, budget="300,00"))
    shop = f.shop(w)
    actors = iter([w.service_a, w.manager_a])
    results = _race(2, lambda: services.print_order_create(
        actor=next(actors), leaflet_id=lf.pk, shop_id=shop.pk, quantity=1000))
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and refused[0].field == "quantity"
    assert PrintOrder.objects.filter(campaign_id=lf.campaign_id).count() == 1
    assert services.spent_on(lf.campaign_id) <= lf.campaign.budget
