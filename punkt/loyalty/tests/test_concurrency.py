"""Races on PostgreSQL: two sales redeeming the same points at once — one wins (C10); the
ledger refuses UPDATE and DELETE."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from punkt.core.errors import DomainError
from punkt.inventory.tests.factories import shop
from punkt.loyalty.models import Card, EntryKind, PointsEntry
from punkt.loyalty.services import balance_matches
from punkt.loyalty.tests import factories as f
from punkt.organization.tests.test_concurrency import _race
from punkt.sales.models import Sale
from tests.world import make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers; row locks need PostgreSQL"),
]


def test_two_sales_redeeming_the_same_points_at_once_one_wins() -> None:
    """(C10) the card's row lock and the conditional update of its balance."""
    w = make_world()
    s = shop(w)
    card = f.card(w)
    f.sell(w, (s.router, 1), card=card)  # 249 points
    actors = iter([w.service_a, w.manager_a])
    results = _race(2, lambda: f.sell(w, (s.cable, 1), card=card, points="150",
                                      actor=next(actors)))
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and refused[0].field == "points"
    assert PointsEntry.objects.filter(card=card, kind=EntryKind.REDEEMED).count() == 1
    assert Sale.objects.count() == 2
    assert Card.objects.get(pk=card.pk).points_balance == 249 - 150 + 4
    assert balance_matches(card.pk)


def test_the_points_ledger_is_append_only() -> None:
    w = make_world()
    card = f.card(w)
    s = shop(w)
    f.sell(w, (s.router, 1), card=card)
    for sql in ("UPDATE loyalty_pointsentry SET points = 1",
                "DELETE FROM loyalty_pointsentry", "UPDATE loyalty_cardsale SET amount = 0"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
