"""The kept month table (:class:`~punkt.analytics.models.Activity`): every customer's
settlements per month, moved forward by each refresh from the settlements created since
the last one instead of re-read from years of payments (issue 19: at 20M payments the
re-read alone took longer than the whole refresh may).

A settlement adds to the month it was made in; a reversal (a payment cancelled at the
till, a credit settlement undone by HQ) subtracts its original from the original's month,
a return subtracts from its own month with no document — so the table equals, month by
month, what :func:`punkt.analytics.refresh.money_sources` computes from scratch.

How far it goes is in :class:`~punkt.analytics.models.ActivityMark`:

* ``settled_until`` — every settlement created before it is in the table for good;
* ``covered_until`` — those after it, up to this, are in it too, but also listed in
  :class:`~punkt.analytics.models.ActivityRecent`: the next move takes them out and reads
  them again, so a payment whose transaction committed a little late (its ``created_at``
  is when it was made, not when it became visible) is still counted. The margin is
  ``PUNKT_ANALYTICS_SETTLE_SECONDS`` (10 minutes).

Customers whose settlements changed hands (merged, unmerged, anonymised) are marked in
:class:`~punkt.analytics.models.ActivityDirty` and recounted whole by the next move.
``punkt analytics_refresh --rebuild`` builds the table again from scratch.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, IntegerField, Q, QuerySet, Value
from django.utils import timezone

from punkt.analytics.models import Activity, ActivityDirty, ActivityMark, ActivityRecent

logger = logging.getLogger("punkt.analytics")

UPSERT = ("ON CONFLICT (customer_id, month) DO UPDATE SET "
          "amount = analytics_activity.amount + excluded.amount, "
          "docs = analytics_activity.docs + excluded.docs")


def _span(qs: QuerySet[Any], lo: datetime.datetime | None, hi: datetime.datetime,
          field: str = "created_at") -> QuerySet[Any]:
    qs = qs.filter(**{f"{field}__lt": hi})
    return qs if lo is None else qs.filter(**{f"{field}__gte": lo})


def delta_sources(lo: datetime.datetime | None, hi: datetime.datetime,
                  customers: list[int] | None = None) -> list[tuple[str, list[Any]]]:
    """SELECTs of (c, m, a, d) for the settlements created in ``[lo, hi)`` (from the start
    when ``lo`` is None), optionally of some customers only."""
    from punkt.analytics.refresh import _grosze, _month_of, _ones_if, _sql
    from punkt.cashdesk.models import CreditUse, Payment
    from punkt.sales.models import Sale, SaleKind

    one = Value(1, output_field=IntegerField())
    parts = []
    for model, value in ((Payment, "allocated"), (CreditUse, "amount")):
        made = _span(model.objects.filter(reverses__isnull=True), lo, hi)
        undone = _span(model.objects.filter(reverses__isnull=False), lo, hi)
        if customers is not None:
            made = made.filter(customer_id__in=customers)
            undone = undone.filter(reverses__customer_id__in=customers)
        parts.append(made.annotate(c=F("customer_id"), m=_month_of("created_at"),
                                   a=_grosze(value), d=_ones_if(Q(amount__gt=0)))
                     .values_list("c", "m", "a", "d"))
        # the original's month and customer, its amount and document taken out again
        parts.append(undone.annotate(c=F("reverses__customer_id"),
                                     m=_month_of("reverses__created_at"),
                                     a=-_grosze(f"reverses__{value}"),
                                     d=-_ones_if(Q(reverses__amount__gt=0)))
                     .values_list("c", "m", "a", "d"))
    sales = _span(Sale.objects.filter(customer__isnull=False), lo, hi)
    if customers is not None:
        sales = sales.filter(customer_id__in=customers)
    parts.append(sales.filter(kind=SaleKind.SALE)
                 .annotate(c=F("customer_id"), m=_month_of("created_at"),
                           a=_grosze("total_gross"), d=one).values_list("c", "m", "a", "d"))
    parts.append(sales.filter(kind=SaleKind.RETURN)
                 .annotate(c=F("customer_id"), m=_month_of("created_at"),
                           a=-_grosze("total_gross"), d=Value(0, output_field=IntegerField()))
                 .values_list("c", "m", "a", "d"))
    return [_sql(p) for p in parts]


def _grouped(parts: list[tuple[str, list[Any]]]) -> tuple[str, list[Any]]:
    union = " UNION ALL ".join(sql for sql, _p in parts)
    params = [p for _sql_, ps in parts for p in ps]
    # WHERE 1 = 1: SQLite reads an ON CONFLICT after a bare SELECT … FROM as a join's ON
    return (f"SELECT u.c, u.m, SUM(u.a), SUM(u.d) FROM ({union}) u WHERE 1 = 1 "  # noqa: S608
            "GROUP BY u.c, u.m", params)


def _add(parts: list[tuple[str, list[Any]]], *, fresh: bool = False) -> int:
    from punkt.analytics.refresh import roomy

    sql, params = _grouped(parts)
    with connection.cursor() as cur:
        roomy(cur)
        cur.execute("INSERT INTO analytics_activity (customer_id, month, amount, docs) "
                    + sql + ("" if fresh else " " + UPSERT), params)
        return int(cur.rowcount or 0)


def _recent(lo: datetime.datetime, hi: datetime.datetime) -> None:
    """List the settlements of ``[lo, hi)`` as recent rows and add them."""
    sql, params = _grouped(delta_sources(lo, hi))
    with connection.cursor() as cur:
        cur.execute("INSERT INTO analytics_activityrecent (customer_id, month, amount, docs) "
                    + sql, params)
        cur.execute("INSERT INTO analytics_activity (customer_id, month, amount, docs) "  # noqa: S608
                    "SELECT customer_id, month, amount, docs FROM analytics_activityrecent "
                    "WHERE 1 = 1 " + UPSERT)


def _settle_margin() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(settings.PUNKT_ANALYTICS_SETTLE_SECONDS))


def build(until: datetime.datetime) -> ActivityMark:
    """The table from scratch, up to ``until`` (one transaction: a build stopped halfway
    leaves the previous table)."""
    started = time.monotonic()
    now = timezone.now()
    settled = min(now - _settle_margin(), until)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("TRUNCATE analytics_activity, analytics_activityrecent, "
                            "analytics_activitydirty")
        else:
            for model in (Activity, ActivityRecent, ActivityDirty):
                model.objects.all().delete()
        ActivityMark.objects.all().delete()
        _add(delta_sources(None, settled), fresh=True)
        if settled < until:
            _recent(settled, until)
        mark = ActivityMark.objects.create(settled_until=settled, covered_until=until,
                                           built_at=now, moved_at=now)
    logger.info("Analytics month table built up to %s in %.1f s", until,
                time.monotonic() - started)
    return mark


def move(until: datetime.datetime) -> bool:
    """Bring the table up to ``until``. False when it already goes further (a refresh as
    of an earlier day): that refresh reads the settlements itself."""
    now = timezone.now()
    with transaction.atomic():
        mark = ActivityMark.objects.select_for_update().order_by("pk").first()
        if mark is None:
            build(until)
            return True
        if until < mark.covered_until:
            return False
        settled = max(mark.settled_until, min(now - _settle_margin(), until))
        with connection.cursor() as cur:
            # the recent rows out again: they are read anew below
            cur.execute("INSERT INTO analytics_activity (customer_id, month, amount, docs) "  # noqa: S608
                        "SELECT customer_id, month, -amount, -docs "
                        "FROM analytics_activityrecent WHERE 1 = 1 " + UPSERT)
        ActivityRecent.objects.all().delete()
        dirty = list(ActivityDirty.objects.values_list("customer_id", flat=True))
        if dirty:
            Activity.objects.filter(customer_id__in=dirty).delete()
            _add(delta_sources(None, mark.settled_until, dirty))
            ActivityDirty.objects.filter(customer_id__in=dirty).delete()
        if settled > mark.settled_until:
            _add(delta_sources(mark.settled_until, settled))
        if settled < until:
            _recent(settled, until)
        mark.settled_until, mark.covered_until, mark.moved_at = settled, until, now
        mark.save(update_fields=["settled_until", "covered_until", "moved_at"])
    return True


def mark_dirty(customer_ids: Iterable[int]) -> None:
    """Recount these customers' months at the next move (their settlements changed
    hands)."""
    ids = sorted({int(i) for i in customer_ids})
    if ids and ActivityMark.objects.exists():
        ActivityDirty.objects.bulk_create([ActivityDirty(customer_id=i) for i in ids],
                                          ignore_conflicts=True)
