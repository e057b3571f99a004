"""Two employees answering the same offer at once (C10): one answer counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from conftest import make_world
from punkt.contracts import services
from punkt.contracts.models import OfferStatus
from punkt.core.errors import DomainError
from punkt.customers.models import TimelineEntry
from punkt.organization.tests.test_concurrency import _race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers; row locks need PostgreSQL"),
]


def test_two_answers_at_once_one_wins(settings: Any, tmp_path: Any) -> None:
    from punkt.contracts.tests.test_offers import customer, publish

    settings.VAR_DIR = tmp_path
    w = make_world()
    prices = publish(w)
    offer = services.offer_create(actor=w.service_a, customer_id=customer(w).pk,
                                  lines=[{"price_item_id": prices.items.first().pk}])
    answers = iter([True, False, True, False])
    results = _race(4, lambda: services.offer_decide(
        actor=w.manager_a, offer_id=offer.pk, accepted=next(answers), reason="za drogo"))
    assert len([r for r in results if isinstance(r, DomainError)]) == 3
    offer.refresh_from_db()
    assert offer.status in (OfferStatus.ACCEPTED, OfferStatus.DECLINED)
    assert TimelineEntry.objects.filter(customer_id=offer.customer_id, kind="offer").count() == 2
