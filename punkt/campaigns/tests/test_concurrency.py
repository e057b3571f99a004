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


def test_two_hand_outs_at_once_never_take_more_than_the_stock() -> None:
    """(C10) the stock level's conditional update: 1000 leaflets fit one hand-out of 700,
    not two; nothing is recorded for the refused one."""
    from punkt.campaigns.models import Distribution
    from punkt.campaigns.services import distribution

    w = make_world()
    lf = f.leaflet(w)
    order = f.print_order(w, lf)
    services.print_order_move(actor=w.service_a, order_id=order.pk, action="deliver")
    actors = iter([w.service_a, w.manager_a])
    results = _race(2, lambda: distribution.distribution_record(
        actor=next(actors), leaflet_id=lf.pk, kind="counter", quantity=700))
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and refused[0].field == "quantity"
    assert Distribution.objects.filter(leaflet=lf).count() == 1
    assert StockLevel.objects.get(branch=w.a, product_id=lf.product_id).quantity == 300


def test_two_managers_cancelling_at_once_put_the_leaflets_back_once() -> None:
    """(C10) the record's row lock and the conditional update on its state."""
    from punkt.campaigns.services import distribution

    w = make_world()
    lf = f.leaflet(w)
    order = f.print_order(w, lf)
    services.print_order_move(actor=w.service_a, order_id=order.pk, action="deliver")
    row = distribution.distribution_record(actor=w.service_a, leaflet_id=lf.pk,
                                           kind="counter", quantity=400)
    results = _race(3, lambda: distribution.distribution_move(
        actor=w.manager_a, distribution_id=row.pk, action="cancel", reason="pomyłka"))
    assert len([r for r in results if isinstance(r, DomainError)]) == 2
    assert StockLevel.objects.get(branch=w.a, product_id=lf.product_id).quantity == 1000
    assert StockMovement.objects.filter(product_id=lf.product_id).count() == 3
