"""The points ledger under random sequences of sales, returns, redemptions and expiries:
the balance never goes negative and equals the sum of its entries (C6's shape)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from punkt.core.errors import DomainError
from punkt.loyalty import services
from punkt.loyalty.models import Card, PointsEntry
from punkt.loyalty.tests import factories as f
from punkt.sales import services as sales

pytestmark = pytest.mark.django_db


class Ledger(RuleBasedStateMachine):
    world: Any = None
    shop: Any = None
    programme: Any = None

    @initialize()
    def setup(self) -> None:
        self.card = f.card(self.world, self.programme)
        self.sales: list[Any] = []
        self.day = 0

    @rule(product=st.integers(0, 2), quantity=st.integers(1, 3), points=st.integers(0, 600))
    def sell(self, product: int, quantity: int, points: int) -> None:
        item = (self.shop.router, self.shop.cable, self.shop.book)[product]
        held = Card.objects.get(pk=self.card.pk).points_balance
        try:
            sale = f.sell(self.world, (item, quantity), card=self.card, points=points or "")
        except DomainError as exc:
            assert exc.field == "points" and points > 0, exc.message
            return
        assert points <= held
        self.sales.append(sale)

    @rule(index=st.integers(0, 30), quantity=st.integers(1, 3))
    def give_back(self, index: int, quantity: int) -> None:
        if not self.sales:
            return
        sale = self.sales[index % len(self.sales)]
        left = sales.returnable(sale)
        line_id, can = next(iter(left.items()))
        if can == 0:
            return
        sales.sale_return(actor=self.world.service_a, sale_id=sale.pk,
                          quantities={str(line_id): min(quantity, can)}, reason="zwrot")

    @rule(days=st.integers(1, 500))
    def time_passes(self, days: int) -> None:
        self.day += days
        services.expire_points(datetime.date.today() + datetime.timedelta(days=self.day))

    @invariant()
    def balance_is_the_sum_of_entries_and_never_negative(self) -> None:
        if not hasattr(self, "card"):
            return
        assert services.balance_matches(self.card.pk)
        balances = PointsEntry.objects.filter(card=self.card).values_list("balance_after",
                                                                          flat=True)
        assert all(b >= 0 for b in balances)
        assert Card.objects.get(pk=self.card.pk).points_balance >= 0


def test_points_ledger_state_machine(world: Any) -> None:
    """(C6) random sales, returns, redemptions and expiries on one card."""
    from punkt.inventory.tests.factories import shop

    Ledger.world = world
    Ledger.shop = shop(world, stock_a=1000, stock_hq=0)
    Ledger.programme = f.programme(world, "points", points_valid_months="3")
    Ledger.TestCase.settings = settings(max_examples=12, stateful_step_count=12,
                                        deadline=None, suppress_health_check=list(HealthCheck))
    Ledger.TestCase().runTest()
