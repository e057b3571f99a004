"""The complaint share's customers served (``served.py``): kept per scope and period up to
a watermark, plus the customers added since — the same numbers as counted live, worked
out on paper here."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from punkt.complaints import served, statistics
from punkt.complaints.models import Complaint
from punkt.complaints.tests.factories import complaint, purchase

pytestmark = pytest.mark.django_db


def _ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def _year() -> tuple[datetime.datetime, datetime.datetime]:
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    return (datetime.datetime.combine(today - datetime.timedelta(days=365), datetime.time.min,
                                      tzinfo=tz),
            datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time.min,
                                      tzinfo=tz))


def _bought(world: Any, cust: Any, days_ago: int = 0) -> None:
    from punkt.sales.models import Sale

    line = purchase(world, cust)
    if days_ago:
        Sale.objects.filter(pk=line.sale_id).update(created_at=_ago(days_ago))


def _complained(world: Any, cust: Any, days_ago: int = 0) -> None:
    """A complaint about a purchase made that day."""
    c = complaint(world, cust=cust)
    if days_ago:
        from punkt.sales.models import Sale

        Complaint.objects.filter(pk=c.pk).update(received_at=_ago(days_ago),
                                                 updated_at=_ago(days_ago))
        Sale.objects.filter(lines__pk=c.sale_line_id).update(created_at=_ago(days_ago))


def _signed(world: Any, days_ago: int) -> Any:
    from punkt.contracts.models import Contract
    from punkt.contracts.tests.factories import prepared

    contract = prepared(world, render=False)
    Contract.objects.filter(pk=contract.pk).update(signed_at=_ago(days_ago))
    return contract.customer


def _both(user: Any) -> tuple[tuple[int, int], tuple[int, int]]:
    since, until = _year()
    return (served.counted(user, None, since, until),
            served.counted(user, None, since, until, live=True))


def test_kept_up_to_the_watermark_and_the_customers_added_since(world: Any) -> None:
    from punkt.contracts.tests.factories import customer

    anna, bogdan, celina, damian = (customer(world) for _ in range(4))
    _bought(world, anna, days_ago=40)
    _bought(world, anna, days_ago=100)  # the same customer twice: one
    _complained(world, bogdan, days_ago=20)
    _bought(world, celina, days_ago=400)  # before the year: not served in it
    signed = _signed(world, days_ago=10)
    # a year for HQ: anna, bogdan (complained), the contract's customer
    kept, live = _both(world.expert)
    assert kept == live == (1, 3)
    since, until = _year()
    assert cache.get(served._key("all", since, until)) is not None
    # now: anna complains (served already: complaining +1), celina buys (served +1),
    # damian complains (both +1), the contract's customer buys again (nothing)
    _complained(world, anna)
    _bought(world, celina)
    _complained(world, damian)
    _bought(world, signed)
    kept, live = _both(world.expert)
    assert kept == live == (3, 5)
    stats = statistics.complaint_statistics(user=world.expert, start=since.date(),
                                            end=until.date() - datetime.timedelta(days=1))
    assert (stats.customers_complaining, stats.customers_served) == (3, 5)


def test_the_kept_count_is_read_not_counted_again(world: Any) -> None:
    from punkt.contracts.tests.factories import customer

    _bought(world, customer(world), days_ago=30)
    assert served.refresh()["periods"] == 3
    since, until = _year()
    upto, complaining, count = cache.get(served._key("all", since, until))
    assert (complaining, count) == (0, 1)
    # what the page adds to is the kept value: change it, the page shows the change
    cache.set(served._key("all", since, until), (upto, 7, 70))
    assert served.counted(world.expert, None, since, until) == (7, 70)
    assert served.counted(world.expert, None, since, until, live=True) == (0, 1)


def test_too_many_added_since_the_watermark_counts_the_period_again(
        world: Any, monkeypatch: Any) -> None:
    from punkt.contracts.tests.factories import customer

    _bought(world, customer(world), days_ago=30)
    since, until = _year()
    served.counted(world.expert, None, since, until)
    _bought(world, customer(world))
    _bought(world, customer(world))
    monkeypatch.setattr(served, "MOST_ADDED", 1)
    # kept at its old watermark, the two added are more than one: counted again
    assert served.counted(world.expert, None, since, until) == (0, 3)


def test_one_branch_is_counted_live_and_branches_never_mix(world: Any) -> None:
    from punkt.contracts.tests.factories import customer

    assert served.scope_key(world.manager_a, None) is None
    assert served.scope_key(world.expert, world.a.pk) is None
    assert served.scope_key(world.expert, None) == "all"
    _bought(world, customer(world), days_ago=5)
    other = customer(world, branch=world.b, actor=world.service_b)
    line = purchase(world, other, branch=world.b)
    assert line.sale.branch_id == world.b.pk
    since, until = _year()
    assert served.counted(world.manager_a, None, since, until) == (0, 1)
    assert served.counted(world.expert, world.b.pk, since, until) == (0, 1)
    assert served.counted(world.expert, None, since, until) == (0, 2)
