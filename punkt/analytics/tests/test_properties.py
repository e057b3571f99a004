"""Hypothesis properties of ABC (R12.3) and XYZ (R12.4) as the refresh computes them in
SQL: the classes' shares add up to the whole, the classes depend on the turnovers alone
(not on the order the settlements were recorded or the customers registered), a bigger
turnover never gets a worse class, and they agree with the rule written out in Python."""

from __future__ import annotations

import datetime as dt
import random
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from punkt.analytics import refresh
from punkt.analytics.models import ActivityMark, Snapshot, Standing
from punkt.analytics.refresh import Rules
from punkt.analytics.tests.factories import customer, sale

RULES = Rules(window=3, period=6)
AS_OF = dt.date(2026, 6, 30)
POOL = 8


def reference_abc(turnovers: list[int], a: int = 50, b: int = 80) -> list[str]:
    """The rule of ``docs/analytics.md``: a customer's class is decided by the share of
    the customers with a strictly bigger turnover (ties share one class)."""
    total = sum(turnovers)
    out = []
    for t in turnovers:
        before = Fraction(sum(x for x in turnovers if x > t), total)
        out.append("A" if before < Fraction(a, 100) else "B" if before < Fraction(b, 100)
                   else "C")
    return out


def reference_xyz(months: list[int], x: int = 10, y: int = 25) -> str:
    n, s = len(months), sum(months)
    var_n2 = n * sum(v * v for v in months) - s * s  # n² σ²
    cv2 = Fraction(var_n2, s * s)                   # (σ / mean)²
    return "X" if cv2 <= Fraction(x * x, 10000) else "Y" if cv2 <= Fraction(y * y, 10000) \
        else "Z"


def _run(world: Any, pool: list[Any], plan: list[tuple[int, list[int]]], seed: int
         ) -> dict[int, tuple[str, str, int]]:
    """Record ``plan`` (customer index → six monthly amounts in grosze) in a shuffled
    order, refresh, and return customer index → (ABC, XYZ, turnover)."""
    from punkt.sales.models import Sale

    Sale.objects.all().delete()
    Snapshot.objects.all().delete()
    # history rewritten: the kept month table is built again (``analytics_refresh
    # --rebuild``), as it would be after settlements were deleted
    ActivityMark.objects.all().delete()
    entries = [(i, month, amount) for i, months in plan
               for month, amount in enumerate(months, start=1) if amount]
    random.Random(seed).shuffle(entries)
    for i, month, amount in entries:
        sale(world, pool[i], dt.date(2026, month, 3), f"{amount / 100:.2f}")
    snap = refresh.refresh(as_of=AS_OF, rules=RULES)
    assert snap is not None
    index = {c.pk: i for i, c in enumerate(pool)}
    return {index[r.customer_id]: (r.abc, r.xyz, r.turnover)
            for r in Standing.objects.filter(snapshot=snap)}


monthly_amounts = st.lists(st.integers(min_value=0, max_value=2_000_000), min_size=6,
                           max_size=6).filter(lambda m: m[0] > 0)  # bought in January


def test_abc_and_xyz_properties(world: Any) -> None:
    pool = [customer(world, f"P{i}") for i in range(POOL)]

    @settings(max_examples=25, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(st.lists(monthly_amounts, min_size=1, max_size=POOL), st.integers(0, 10**6))
    def check(plans: list[list[int]], seed: int) -> None:
        plan = list(enumerate(plans))
        got = _run(world, pool, plan, seed)
        sums = [sum(m) for _i, m in plan]
        total = sum(sums)
        # every customer who bought is classed, and the turnovers add up to the whole
        assert sum(got[i][2] for i, _m in plan) == total
        by_class = {k: sum(got[i][2] for i, _m in plan if got[i][0] == k) for k in "ABC"}
        assert sum(by_class.values()) == total
        # A holds at least half of the turnover; without its last customers, less than half
        assert 2 * by_class["A"] >= total
        # the rule written out, and so: ties share a class, more never means a worse class
        assert [got[i][0] for i, _m in plan] == reference_abc(sums)
        for i, mi in plan:
            for j, mj in plan:
                if sum(mi) > sum(mj):
                    assert got[i][0] <= got[j][0]
        assert [got[i][1] for i, _m in plan] == [reference_xyz(m) for _i, m in plan]
        # the same world recorded in another order and by other customers: same classes
        moved = [((i + 3) % POOL, m) for i, m in plan]
        again = _run(world, pool, moved, seed + 1)
        assert [again[(i + 3) % POOL][:2] for i, _m in plan] == [got[i][:2] for i, _m in plan]

    check()
