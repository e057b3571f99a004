"""The kept month table equals, after every move, the months computed from scratch: new
settlements, a payment committed late (inside the settling margin), reversals of old
payments, an undone credit settlement, returns, a merge, a rebuild; a refresh as of a day
the table has passed reads the settlements itself and gets the same classes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from punkt.analytics import kept, refresh
from punkt.analytics.models import (
    Activity,
    ActivityDirty,
    ActivityMark,
    ActivityRecent,
    Standing,
)
from punkt.analytics.refresh import Rules
from punkt.analytics.tests.factories import credit_use, customer, payment, sale

RULES = Rules(window=3, period=6)


def from_scratch(until: dt.datetime) -> dict[tuple[int, int], tuple[int, int]]:
    parts = refresh.money_sources(until)
    union = " UNION ALL ".join(sql for sql, _p in parts)
    params = [p for _s, ps in parts for p in ps]
    with connection.cursor() as cur:
        cur.execute(f"SELECT u.c, u.m, SUM(u.a), SUM(u.d) FROM ({union}) u "  # noqa: S608
                    "GROUP BY u.c, u.m", params)
        return {(c, m): (int(a), int(d)) for c, m, a, d in cur.fetchall()}


def kept_rows() -> dict[tuple[int, int], tuple[int, int]]:
    return {(r.customer_id, r.month): (r.amount, r.docs) for r in Activity.objects.all()
            if r.amount or r.docs}


def moved(until: dt.datetime) -> dict[tuple[int, int], tuple[int, int]]:
    assert kept.move(until)
    return kept_rows()


@pytest.fixture
def people(world: Any) -> dict[str, Any]:
    return {name: customer(world, name) for name in ("Anna", "Bolek", "Celina", "Dawid")}


@override_settings(PUNKT_ANALYTICS_SETTLE_SECONDS=600)
def test_every_move_equals_the_months_from_scratch(world: Any, people: dict[str, Any]) -> None:
    from punkt.cashdesk.models import CreditUse, Payment
    from punkt.customers.gdpr import customer_merge

    today = timezone.localdate()
    until = refresh._end_of(today)
    old = today - dt.timedelta(days=70)
    a, b, c, d = (people[n] for n in ("Anna", "Bolek", "Celina", "Dawid"))
    first = sale(world, a, old, "300.00")
    sale(world, a, old, "100.00", kind="return", original=first)
    paid = payment(world, b, old, "250.00")
    payment(world, b, old - dt.timedelta(days=40), "80.00", reversed_on=old)
    credit = credit_use(world, c, old, "40.00")
    sale(world, d, today, "12.00")
    assert not ActivityMark.objects.exists()
    assert moved(until) == from_scratch(until) != {}
    assert ActivityMark.objects.get().covered_until == until

    # a sale made five minutes ago but committed only now (after the move): inside the
    # margin, so the next move reads it
    late = sale(world, c, today, "70.00")
    type(late).objects.filter(pk=late.pk).update(created_at=timezone.now()
                                                 - dt.timedelta(minutes=5))
    assert kept_rows() != from_scratch(until)
    assert ActivityRecent.objects.exists()
    # an old payment reversed today, a credit settlement undone by HQ today
    Payment.objects.create(invoice=paid.invoice, customer=b, session=paid.session,
                           branch_id=b.branch_id, cashier=world.cashier_a, method="card",
                           amount=-paid.amount, allocated=-paid.allocated, reverses=paid,
                           reason="pomyłka")
    CreditUse.objects.create(invoice=credit.invoice, customer=c, amount=-credit.amount,
                             branch_id=c.branch_id, reverses=credit)
    assert moved(until) == from_scratch(until)

    # Bolek's settlements become Anna's: both recounted
    customer_merge(actor=world.expert, survivor_id=a.pk, merged_id=b.pk)
    assert set(ActivityDirty.objects.values_list("customer_id", flat=True)) == {a.pk, b.pk}
    assert moved(until) == from_scratch(until)
    assert not ActivityDirty.objects.exists()
    assert not any(cid == b.pk for cid, _m in kept_rows())

    # a day later: the table goes on from where it stopped; the day before is not moved to
    tomorrow = refresh._end_of(today + dt.timedelta(days=1))
    sale(world, d, today, "5.00")
    assert moved(tomorrow) == from_scratch(tomorrow)
    assert kept.move(until) is False
    assert kept.build(tomorrow).covered_until == tomorrow
    assert kept_rows() == from_scratch(tomorrow)


@override_settings(PUNKT_ANALYTICS_SETTLE_SECONDS=600)
def test_a_late_commit_older_than_the_margin_waits_for_a_rebuild(
        world: Any, people: dict[str, Any]) -> None:
    until = refresh._end_of(timezone.localdate())
    kept.move(until)
    late = sale(world, people["Anna"], timezone.localdate(), "70.00")
    type(late).objects.filter(pk=late.pk).update(created_at=timezone.now()
                                                 - dt.timedelta(minutes=20))
    assert moved(until) != from_scratch(until)
    kept.build(until)
    assert kept_rows() == from_scratch(until)


def test_refreshes_through_the_kept_table_and_from_scratch_agree(
        world: Any, people: dict[str, Any]) -> None:
    """History built after today's refresh (as of month ends the table has passed) reads
    the settlements itself; a rebuild then today's refresh give the same rows again."""
    today = timezone.localdate()
    a, b, c = people["Anna"], people["Bolek"], people["Celina"]
    for months_back, amount in ((8, "100.00"), (5, "90.00"), (4, "110.00"), (1, "50.00")):
        day = today - dt.timedelta(days=30 * months_back)
        sale(world, a, day, amount)
        payment(world, b, day, str(Decimal(amount) * 3))
    sale(world, c, today - dt.timedelta(days=200), "999.00")
    now = refresh.refresh(as_of=today, rules=RULES)
    assert now is not None and ActivityMark.objects.exists()
    earlier = refresh.refresh(as_of=today - dt.timedelta(days=31), rules=RULES)
    assert earlier is not None

    def rows(snap: Any) -> list[tuple[Any, ...]]:
        return sorted(Standing.objects.filter(snapshot=snap).values_list(
            "customer_id", "category", "abc", "xyz", "turnover", "first_month", "last_month"))

    first = rows(now)
    assert {r[1] for r in first} >= {"regular", "lost"}
    # today again, after a rebuild: the same figures
    kept.build(refresh._end_of(today))
    again = refresh.refresh(as_of=today, rules=RULES, slot="again")
    assert again is not None and rows(again) == first
