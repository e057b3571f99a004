"""The complaint share's denominator: the customers served in a period — who bought at the
counter (returns aside), signed a contract or complained — and those who complained,
counted distinct over the branches a user sees.

A distinct count does not add up over months or branches (a customer served in March
and in May is one customer of the year), so the kept complaint figures cannot give it.
Counted live, HQ's year reads every counter sale of the year: half a second at 1.36M
sales. So it is kept per scope and period, as the statistics page asks for it:

- the count up to a watermark ``upto`` (a few minutes before it was made: a sale stamped
  earlier may commit later, see :data:`~punkt.complaints.figures.SETTLE`) is kept in the
  cache, keyed by the scope (every branch, or the set a regional user sees) and the
  period's bounds;
- the page adds the customers served after ``upto`` (an hour's sales at most, read from
  the ``created_at``/``signed_at``/``received_at`` indexes) who were not served between
  the period's start and ``upto`` (looked up by customer: a few index probes each).

So the count is exact at every moment for what is added. What is *changed* before the
watermark — two customer records merged, a sale's customer corrected — shows when the
kept count expires (:data:`KEEP`, an hour: the hourly ``complaints.figures`` job counts
the standard periods anew for every branch, :func:`refresh`). One branch is counted live:
its own indexes make that cheap.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.core.cache import cache
from django.db.models import IntegerField, QuerySet, Value
from django.utils import timezone

from punkt.complaints import permissions as perms
from punkt.complaints.figures import SETTLE
from punkt.complaints.models import Complaint
from punkt.core.reports import read_connection
from punkt.core.scoping import branch_ids_visible
from punkt.organization.actors import Actor

#: how long a kept count is used: after it, the next page counts it again
KEEP = datetime.timedelta(hours=1)
#: the most customers added after the watermark looked up one by one; more (a job that
#: stopped running for days) and the period is counted again
MOST_ADDED = 20_000


def scope_key(user: Actor, branch_id: int | None) -> str | None:
    """The key of the branches counted — ``None`` when that is one branch (counted live)."""
    if branch_id:
        return None
    ids = branch_ids_visible(user, perms.REPORT_VIEW)
    if ids is None:
        return "all"
    if len(ids) < 2:
        return None
    return "b" + hashlib.sha256(",".join(map(str, sorted(ids))).encode()).hexdigest()[:40]


def _sources(user: Actor | None, branch_id: int | None, since: datetime.datetime,
             until: datetime.datetime) -> list[tuple[QuerySet[Any], int]]:
    """(rows, 1 for a complaint) of each source in the period;
    ``user`` None: every branch."""
    from punkt.contracts.models import Contract
    from punkt.sales.models import Sale

    def scoped(model: Any) -> QuerySet[Any]:
        if user is None:
            return model.objects.all()
        return model.objects.visible_to(user, perms.REPORT_VIEW, branch_id=branch_id)

    return [
        (scoped(Complaint).filter(received_at__gte=since, received_at__lt=until), 1),
        (scoped(Sale).filter(created_at__gte=since, created_at__lt=until,
                             customer__isnull=False, kind="sale"), 0),
        (scoped(Contract).filter(signed_at__gte=since, signed_at__lt=until), 0),
    ]


def _union(parts: list[tuple[QuerySet[Any], int]]) -> tuple[str, list[Any]]:
    sqls, params = [], []
    for qs, flag in parts:
        sql, ps = qs.order_by().annotate(
            x_c=Value(flag, output_field=IntegerField())).values_list(
            "customer_id", "x_c").query.sql_with_params()
        sqls.append(f"SELECT u.customer_id, u.x_c FROM ({sql}) u")  # noqa: S608
        params += list(ps)
    return " UNION ALL ".join(sqls), params


def count_live(user: Actor | None, branch_id: int | None, since: datetime.datetime,
               until: datetime.datetime) -> tuple[int, int]:
    """(complaining, served) from the sources themselves: one statement, two distinct
    counts over the customer ids (a sort each — on PostgreSQL faster than grouping per
    customer, whose hash spills at 200,000 customers)."""
    if until <= since:
        return 0, 0
    sql, params = _union(_sources(user, branch_id, since, until))
    with read_connection().cursor() as cur:
        cur.execute("SELECT COUNT(DISTINCT a.customer_id), "  # noqa: S608
                    f"COUNT(DISTINCT CASE WHEN a.x_c = 1 THEN a.customer_id END) FROM ({sql}) a",
                    params)
        served, complaining = cur.fetchone()
    return int(complaining), int(served)


def _key(scope: str, since: datetime.datetime, until: datetime.datetime) -> str:
    return f"complaints:served:{scope}:{since.isoformat()}:{until.isoformat()}"


def _kept(user: Actor | None, branch_id: int | None, scope: str, since: datetime.datetime,
          until: datetime.datetime, now: datetime.datetime) -> tuple[datetime.datetime, int, int]:
    """(upto, complaining, served) counted up to ``upto``: from the cache, or counted now
    and kept."""
    found = cache.get(_key(scope, since, until))
    if found is not None:
        return datetime.datetime.fromisoformat(found[0]), found[1], found[2]
    upto = max(since, min(until, now - SETTLE))
    complaining, served = count_live(user, branch_id, since, upto)
    cache.set(_key(scope, since, until), (upto.isoformat(), complaining, served),
              int(KEEP.total_seconds()))
    return upto, complaining, served


def counted(user: Actor, branch_id: int | None, since: datetime.datetime,
            until: datetime.datetime, *, live: bool = False) -> tuple[int, int]:
    """(complaining, served) in ``[since, until)`` over the branches ``user`` reports on
    (narrowed to ``branch_id``): kept up to a watermark plus the customers added since,
    or everything live (``live``) — the same number."""
    scope = None if live else scope_key(user, branch_id)
    if scope is None:
        return count_live(user, branch_id, since, until)
    now = timezone.now()
    upto, complaining, served = _kept(user, branch_id, scope, since, until, now)
    if upto >= until:
        return complaining, served
    added = _added(user, branch_id, since, upto, until)
    if added is None:  # too many to look up one by one: count the period again
        cache.delete(_key(scope, since, until))
        upto, complaining, served = _kept(user, branch_id, scope, since, until, now)
        added = _added(user, branch_id, since, upto, until)
        if added is None:  # as many within the last minutes: count it all
            return count_live(user, branch_id, since, until)
    return complaining + added[0], served + added[1]


def _added(user: Actor | None, branch_id: int | None, since: datetime.datetime,
           upto: datetime.datetime, until: datetime.datetime) -> tuple[int, int] | None:
    """(complaining, served) who first show in ``[upto, until)`` of the period: the
    customers of that stretch not served (not complaining) in ``[since, upto)``."""
    sql, params = _union(_sources(user, branch_id, upto, until))
    with read_connection().cursor() as cur:
        cur.execute(f"SELECT DISTINCT a.customer_id, a.x_c FROM ({sql}) a "  # noqa: S608
                    f"LIMIT {MOST_ADDED + 1}", params)
        rows = cur.fetchall()
    if len(rows) > MOST_ADDED:
        return None
    if not rows:
        return 0, 0
    complained = {c for c, flag in rows if flag == 1}
    everyone = {c for c, _flag in rows}
    before_served: set[int] = set()
    before_complained: set[int] = set()
    if upto > since:
        # the complaints first: who complained before was served before
        for qs, flag in _sources(user, branch_id, since, upto):
            ids = sorted(everyone - before_served)
            if not ids:
                break
            found = set(qs.filter(customer_id__in=ids).order_by()
                        .values_list("customer_id", flat=True).distinct())
            before_served |= found
            if flag:
                before_complained = found
    return len(complained - before_complained), len(everyone - before_served)


def refresh(now: datetime.datetime | None = None) -> dict[str, Any]:
    """Count anew, for every branch, the periods the statistics page opens on — this
    month, the last 12 months (366 days to today), last month — and keep them
    (:data:`KEEP`); the ``complaints.figures`` job runs it hourly after the figures."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first = today.replace(day=1)
    before = (first - datetime.timedelta(days=1)).replace(day=1)
    tz = timezone.get_current_timezone()

    def at(day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)

    tomorrow = today + datetime.timedelta(days=1)
    kept = []
    for start, end in ((first, tomorrow), (today - datetime.timedelta(days=365), tomorrow),
                       (before, first)):
        since, until = at(start), at(end)
        cache.delete(_key("all", since, until))
        kept.append(_kept(None, None, "all", since, until, now))
    return {"periods": len(kept), "served": [k[2] for k in kept]}
