"""Races on PostgreSQL: workers sending at once never send one delivery twice (the lease
taken by a conditional update; ``SKIP LOCKED`` when picking due rows)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from punkt.core import events
from punkt.organization.tests.test_concurrency import _race
from punkt.webhooks import services
from punkt.webhooks.models import Delivery, DeliveryStatus
from punkt.webhooks.tests.conftest import Receiver
from punkt.webhooks.tests.helpers import subscribe
from tests.world import make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers; row locks need PostgreSQL"),
]


def _publish(n: int) -> list[int]:
    with transaction.atomic():
        for i in range(n):
            events.publish("ticket.created", {"ticket": {"id": i}}, branch_id=None)
    return list(Delivery.objects.order_by("pk").values_list("pk", flat=True))


def test_two_workers_sending_one_delivery_send_it_once(receiver: Receiver) -> None:
    receiver.script("/slow", [("sleep", 0.3)])
    w = make_world()
    subscribe(w, receiver.url("/slow"))
    [pk] = _publish(1)
    results = _race(4, lambda: services.deliver(pk))
    assert sorted(results) == ["busy", "busy", "busy", DeliveryStatus.DELIVERED]
    assert len(receiver.requests) == 1
    assert Delivery.objects.get(pk=pk).attempts == 1


def test_workers_picking_due_deliveries_share_them_without_repeats(
        receiver: Receiver) -> None:
    w = make_world()
    subscribe(w, receiver.url("/ok"))
    ids = _publish(30)
    results: list[Any] = _race(3, lambda: services.deliver_due(limit=30))
    assert sum(r.get(DeliveryStatus.DELIVERED, 0) for r in results) == 30
    sent = [r.headers["Punkt-Delivery"] for r in receiver.requests]
    assert len(sent) == len(set(sent)) == 30
    assert Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.DELIVERED,
                                   attempts=1).count() == 30
