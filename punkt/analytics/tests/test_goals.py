"""The three goals of seed 000 on a world built by hand, every figure computed on paper
in the comments: new customers (+20 %), materials within the hour, customers lost (−15 %),
per branch and company-wide, Warsaw month edges, the branch scope (C1), a fixed number of
queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.utils import timezone

from punkt.analytics import goals
from punkt.analytics.tests.factories import at, customer
from punkt.contracts.models import MonthlyFigures
from punkt.customers.models import Customer
from punkt.materials.models import Delivery, Material, MaterialVersion

D = dt.date
APR, MAY, JUN = D(2026, 4, 1), D(2026, 5, 1), D(2026, 6, 1)
_serial = count(1)


def registered(world: Any, branch: Any, when: dt.datetime, *, merged: bool = False) -> Any:
    c = customer(world, f"Nowak{next(_serial)}", branch=branch)
    Customer.objects.filter(pk=c.pk).update(created_at=when)
    if merged:
        other = customer(world, f"Kopia{next(_serial)}", branch=branch)
        Customer.objects.filter(pk=other.pk).update(created_at=when - dt.timedelta(days=400))
        Customer.objects.filter(pk=c.pk).update(merged_into=other, status="merged")
    return c


def version(world: Any, created: dt.datetime, published: dt.datetime) -> MaterialVersion:
    m = Material.objects.create(kind="promo", title=f"Ulotka {next(_serial)}")
    return MaterialVersion.objects.create(
        material=m, number=1, status="published", valid_from=created.date(),
        file_name="u.pdf", stored_name=f"goal-{next(_serial)}", content_type="application/pdf",
        size=10, created_at=created, published_at=published)


def delivery(v: MaterialVersion, branch: Any, opened: dt.datetime | None, *,
             delivered: dt.datetime | None = None) -> Delivery:
    return Delivery.objects.create(version=v, branch=branch,
                                   delivered_at=delivered or v.published_at or v.created_at,
                                   received_at=opened, opened_at=opened)


def warsaw(day: D, hour: int, minute: int = 0) -> dt.datetime:
    return at(day, hour, minute)


@pytest.fixture
def paper(world: Any) -> Any:
    """The world whose goals the tests compute on paper.

    New customers — A: May 5 (one at 23:59 on 31 May, Warsaw), June 6 (one at 00:30 on
    1 June, Warsaw; a merged duplicate in June not counted); B: May 3, June 3.

    Materials — V1 created 10.06 10:00, published 10:20: A opens 10:50 (50 min), B 11:30
    (90 min, late). V2 created 20.06 09:00, published 09:05: A opens 10:00 (exactly 60 min:
    in time), B never (counted, late). V3 created 31.05 23:30 (May), published 01.06 00:10:
    A opens 00:20 (50 min, May); B, opened after the publication, gets it on 15.06 08:00
    and opens 08:30 (30 min from its delivery, June).

    Lost (the contracts' kept figures) — A: April 5, May 4, June 3; B: May 2, June 2.
    """
    for _ in range(4):
        registered(world, world.a, warsaw(D(2026, 5, 12), 10))
    registered(world, world.a, warsaw(D(2026, 5, 31), 23, 59))
    for _ in range(5):
        registered(world, world.a, warsaw(D(2026, 6, 12), 10))
    registered(world, world.a, warsaw(D(2026, 6, 1), 0, 30))
    registered(world, world.a, warsaw(D(2026, 6, 2), 10), merged=True)
    for month in (5, 6):
        for _ in range(3):
            registered(world, world.b, warsaw(D(2026, month, 3), 9))

    v1 = version(world, warsaw(D(2026, 6, 10), 10), warsaw(D(2026, 6, 10), 10, 20))
    delivery(v1, world.a, warsaw(D(2026, 6, 10), 10, 50))
    delivery(v1, world.b, warsaw(D(2026, 6, 10), 11, 30))
    v2 = version(world, warsaw(D(2026, 6, 20), 9), warsaw(D(2026, 6, 20), 9, 5))
    delivery(v2, world.a, warsaw(D(2026, 6, 20), 10))
    delivery(v2, world.b, None)
    v3 = version(world, warsaw(D(2026, 5, 31), 23, 30), warsaw(D(2026, 6, 1), 0, 10))
    delivery(v3, world.a, warsaw(D(2026, 6, 1), 0, 20))
    delivery(v3, world.b, warsaw(D(2026, 6, 15), 8, 30), delivered=warsaw(D(2026, 6, 15), 8))

    kept: list[tuple[Any, D, int]] = [(world.a, APR, 5), (world.a, MAY, 4), (world.a, JUN, 3),
                                       (world.b, MAY, 2), (world.b, JUN, 2)]
    for branch, first, left in kept:
        MonthlyFigures.objects.create(branch=branch, month=first, left=left)
    return world


def test_company_trend_computed_on_paper(paper: Any) -> None:
    apr, may, jun = goals.trend(paper.expert, last=JUN, months=3)
    assert [f.month for f in (apr, may, jun)] == [APR, MAY, JUN]
    # new: April 0, May 5 + 3 = 8, June 6 + 3 = 9; June's target ⌈1.2 × 8⌉ = 10: not met,
    # growth 1/8 = 12.5 % → 13 (half up); May against an empty April: met, no growth
    assert (apr.new, may.new, jun.new) == (0, 8, 9)
    assert (jun.new_last, jun.new_target, jun.new_growth, jun.new_met) == (8, 10, 13, False)
    assert (may.new_target, may.new_growth, may.new_met) == (0, None, True)
    assert (apr.new_met, apr.new_target) == (False, 0)
    # materials: June 5 deliveries (A 50, 60; B 90, never, 30 from its delivery), 3 in
    # time = 60.0 %; the delays opened 30, 50, 60, 90 → median (50 + 60) / 2 = 55.0
    assert (jun.deliveries, jun.on_time, jun.opened) == (5, 3, 4)
    assert jun.on_time_percent == Decimal("60.0") and jun.median_minutes == Decimal("55.0")
    assert jun.materials_met is False
    assert (may.deliveries, may.on_time, may.median_minutes, may.materials_met) == (
        1, 1, Decimal("50.0"), True)
    assert (apr.deliveries, apr.on_time_percent, apr.median_minutes, apr.materials_met) == (
        0, None, None, None)
    # lost: April 5, May 4 + 2 = 6, June 3 + 2 = 5; June 100 × 5 ≤ 85 × 6 (500 ≤ 510): met,
    # at most 6 × 85 // 100 = 5; May 600 > 425: not met; April: March unknown
    assert (apr.lost, may.lost, jun.lost) == (5, 6, 5)
    assert (jun.lost_previous, jun.lost_target, jun.lost_met, jun.lost_change) == (
        6, 5, True, -17)
    assert (may.lost_met, may.lost_change) == (False, 20)
    assert (apr.lost_previous, apr.lost_met) == (None, None)


def test_each_branch_computed_on_paper(paper: Any) -> None:
    table = goals.branches(paper.expert, month=JUN)
    a, b = sorted(table.rows, key=lambda f: f.branch_id != paper.a.pk)
    assert (a.branch_id, b.branch_id) == (paper.a.pk, paper.b.pk)
    # A: 6 after 5 → target ⌈6.0⌉ = 6, met, +20 %; B: 3 after 3 → target ⌈3.6⌉ = 4, not met
    assert (a.new, a.new_last, a.new_target, a.new_growth, a.new_met) == (6, 5, 6, 20, True)
    assert (b.new, b.new_last, b.new_target, b.new_growth, b.new_met) == (3, 3, 4, 0, False)
    # A: 50 and 60 min, both in time, median 55.0; B: 90, never, 30 → 1 of 3 = 33.3 %,
    # median of 30 and 90 = 60.0
    assert (a.deliveries, a.on_time, a.on_time_percent, a.median_minutes, a.materials_met) \
        == (2, 2, Decimal("100.0"), Decimal("55.0"), True)
    assert (b.deliveries, b.on_time, b.on_time_percent, b.median_minutes, b.materials_met) \
        == (3, 1, Decimal("33.3"), Decimal("60.0"), False)
    # A: 3 after 4 (300 ≤ 340, met, at most 3); B: 2 after 2 (200 > 170, not met)
    assert (a.lost, a.lost_previous, a.lost_target, a.lost_met) == (3, 4, 3, True)
    assert (b.lost, b.lost_previous, b.lost_target, b.lost_met) == (2, 2, 1, False)
    may = {f.branch_id: f for f in goals.branches(paper.expert, month=MAY).rows}
    # B's April has no kept figures: the goal is unknown, as on the churn report
    assert (may[paper.b.pk].lost_previous, may[paper.b.pk].lost_met) == (None, None)


def test_the_table_sorts_by_each_goal(paper: Any) -> None:
    def order(sort: str) -> list[int | None]:
        return [f.branch_id for f in goals.branches(paper.expert, month=JUN, sort=sort).rows]

    a, b = paper.a.pk, paper.b.pk
    assert order("new") == [b, a] and order("-new") == [a, b]
    assert order("materials") == [b, a] and order("-materials") == [a, b]
    assert order("median") == [a, b] and order("lost") == [b, a] and order("-lost") == [a, b]
    assert order("growth") == [b, a]
    assert order("nonsense") == order("name")


def test_a_manager_sees_only_his_branch(paper: Any) -> None:
    """C1: A's manager gets A's figures as the trend and only A in the table, even when he
    asks for B."""
    jun = goals.trend(paper.manager_a, last=JUN, months=1)[0]
    assert (jun.new, jun.deliveries, jun.on_time, jun.lost) == (6, 2, 2, 3)
    assert [f.branch_id for f in goals.branches(paper.manager_a, month=JUN).rows] == [paper.a.pk]
    forced = goals.trend(paper.manager_a, last=JUN, months=1, branch_id=paper.b.pk)[0]
    assert (forced.new, forced.deliveries, forced.lost) == (0, 0, 0)
    assert goals.branches(paper.manager_a, month=JUN, branch_id=paper.b.pk).rows == []
    one = goals.trend(paper.expert, last=JUN, months=1, branch_id=paper.b.pk)[0]
    assert (one.new, one.deliveries, one.lost) == (3, 3, 2)


def test_a_delivery_whose_hour_is_not_over_waits(world: Any) -> None:
    """Not opened and created 10 minutes ago: not counted yet; opened after 5 minutes:
    counted, in time."""
    now = timezone.now()
    fresh = version(world, now - dt.timedelta(minutes=10), now - dt.timedelta(minutes=9))
    delivery(fresh, world.a, None)
    delivery(fresh, world.b, now - dt.timedelta(minutes=5))
    this = goals.trend(world.expert, months=1)[0]
    assert this.in_progress
    assert (this.deliveries, this.on_time, this.median_minutes) == (1, 1, Decimal("5.0"))


def test_twelve_months_in_four_queries(paper: Any, django_assert_max_num_queries: Any) -> None:
    goals.trend(paper.expert, last=JUN)  # the user's access is read once and kept
    with django_assert_max_num_queries(4):
        found = goals.trend(paper.expert, last=JUN)
    assert [f.month for f in found][0] == D(2025, 7, 1) and len(found) == 12
    goals.branches(paper.expert, month=JUN)
    with django_assert_max_num_queries(5):
        goals.branches(paper.expert, month=JUN, sort="-lost")
