"""The refresh: every customer's category (R2.5) and ABC/XYZ class (R12.3, R12.4),
computed set-based — four ``INSERT … SELECT`` statements, window functions, no row
read into Python — into a new :class:`~punkt.analytics.models.Snapshot`, then switched to
in one short transaction. A refresh that stops anywhere before the switch (an error, a
killed worker) leaves the previous snapshot the current one, untouched; its partial rows
belong to a snapshot no reader looks at and are swept by the next refresh.

The rules, their edge cases and why: ``docs/analytics.md``. In short, with ``M`` the
as-of month, ``w`` the window and every source reduced to months of activity:

* potential — no settlement up to ``M``;
* new — the first settlement within the window ``[M-w+1, M]``;
* lost — settlements before the window, none in it;
* restored — settlements in the window after a gap of more than ``w`` months (the
  customer had been lost) and before it;
* regular — the rest: settlements in the window and without such a gap before them.

The months come from the kept month table (:mod:`punkt.analytics.kept`), which each
refresh first moves forward from the settlements made since the last one; a refresh as of
a day the table has already passed (history built afterwards) reads the settlements into
its working rows instead. Either way the customers' rows are one pass over the months.

The same refresh keeps the segment matrix's rows of the new snapshot before the switch
(:mod:`punkt.analytics.segment_state`, three more ``INSERT … SELECT``).

Settlements: payments taken for HQ's invoices (what was allocated to invoices, reversals
subtracted) and credit settled against invoices, counter sales (returns subtracted) —
these are the turnover — and contracts, active in every month they are in force (no
turnover of their own: their money arrives as invoices).
"""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import BigIntegerField, F, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, ExtractMonth, ExtractYear, Round
from django.utils import timezone

from punkt.analytics import kept, segment_state
from punkt.analytics.models import (
    Cell,
    Monthly,
    Snapshot,
    SnapshotStatus,
    Standing,
    month_index,
)

logger = logging.getLogger("punkt.analytics")

#: A refresh still "running" after this long was killed: the next one takes over.
STALE_AFTER = datetime.timedelta(hours=2)


@dataclass(frozen=True)
class Rules:
    window: int = 3
    period: int = 12
    abc_a: int = 50
    abc_b: int = 80
    xyz_x: int = 10
    xyz_y: int = 25

    @classmethod
    def from_settings(cls) -> Rules:
        abc = [int(v) for v in str(settings.PUNKT_ANALYTICS_ABC).split(",")]
        xyz = [int(v) for v in str(settings.PUNKT_ANALYTICS_XYZ).split(",")]
        rules = cls(window=int(settings.PUNKT_ANALYTICS_WINDOW_MONTHS),
                    period=int(settings.PUNKT_ANALYTICS_PERIOD_MONTHS),
                    abc_a=abc[0], abc_b=abc[1], xyz_x=xyz[0], xyz_y=xyz[1])
        rules.check()
        return rules

    def check(self) -> None:
        if not 1 <= self.window <= 36:
            raise ValueError("PUNKT_ANALYTICS_WINDOW_MONTHS must be 1–36")
        if not self.window <= self.period <= 60:
            raise ValueError("PUNKT_ANALYTICS_PERIOD_MONTHS must be between the window and 60")
        if not 0 < self.abc_a < self.abc_b < 100:
            raise ValueError("PUNKT_ANALYTICS_ABC must be two percents 0 < A < B < 100")
        if not 0 <= self.xyz_x < self.xyz_y <= 1000:
            raise ValueError("PUNKT_ANALYTICS_XYZ must be two percents 0 ≤ X < Y")


def _month_of(field: Any) -> Any:
    """``year * 12 + month - 1`` of a date, or of a moment in Warsaw's calendar (integers:
    PostgreSQL's EXTRACT gives numerics, several times slower to add and group by)."""
    return (Cast(ExtractYear(field), IntegerField()) * Value(12)
            + Cast(ExtractMonth(field), IntegerField()) - Value(1))


def roomy(cursor: Any) -> None:
    """Give the current transaction's big sorts and groupings room in memory
    (``PUNKT_ANALYTICS_WORK_MEM``) on PostgreSQL instead of spilling to disk."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT set_config('work_mem', %s, true)",
                       [str(settings.PUNKT_ANALYTICS_WORK_MEM)])


def _grosze(field: Any) -> Any:
    return Cast(Round(F(field) * Value(100)), BigIntegerField())


def _ones_if(condition: Q) -> Any:
    from django.db.models import Case, When

    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _sql(qs: QuerySet[Any]) -> tuple[str, list[Any]]:
    sql, params = qs.order_by().query.sql_with_params()
    return sql, list(params)


def money_sources(until: datetime.datetime) -> list[tuple[str, list[Any]]]:
    """SELECTs of (c, m, a, d): customer, month, grosze, positive documents."""
    from punkt.cashdesk.models import CreditUse, Payment
    from punkt.sales.models import Sale, SaleKind

    # a payment reversed (a mistake corrected at the till) never happened: neither it nor
    # its reversal counts; likewise a credit settlement undone by HQ
    payments = (Payment.objects.filter(created_at__lt=until, reverses__isnull=True,
                                       reversed_by__isnull=True)
                .annotate(c=F("customer_id"), m=_month_of("created_at"),
                          a=_grosze("allocated"), d=_ones_if(Q(amount__gt=0)))
                .values_list("c", "m", "a", "d"))
    credit = (CreditUse.objects.filter(created_at__lt=until, reverses__isnull=True,
                                       reversed_by__isnull=True)
              .annotate(c=F("customer_id"), m=_month_of("created_at"),
                        a=_grosze("amount"), d=_ones_if(Q(amount__gt=0)))
              .values_list("c", "m", "a", "d"))
    sales = (Sale.objects.filter(created_at__lt=until, customer__isnull=False,
                                 kind=SaleKind.SALE)
             .annotate(c=F("customer_id"), m=_month_of("created_at"),
                       a=_grosze("total_gross"), d=Value(1, output_field=IntegerField()))
             .values_list("c", "m", "a", "d"))
    returns = (Sale.objects.filter(created_at__lt=until, customer__isnull=False,
                                   kind=SaleKind.RETURN)
               .annotate(c=F("customer_id"), m=_month_of("created_at"),
                         a=-_grosze("total_gross"), d=Value(0, output_field=IntegerField()))
               .values_list("c", "m", "a", "d"))
    return [_sql(payments), _sql(credit), _sql(sales), _sql(returns)]


def contract_spans(as_of: datetime.date) -> tuple[str, list[Any]]:
    """SELECT of (c, f, t): a contract in force from month f to month t."""
    from punkt.contracts.models import WAS_ACTIVE, Contract

    spans = (Contract.objects.filter(status__in=list(WAS_ACTIVE), starts_on__lte=as_of)
             .annotate(c=F("customer_id"), f=_month_of("starts_on"),
                       t=_month_of(Coalesce("terminated_on", "ends_on")))
             .values_list("c", "f", "t"))
    return _sql(spans)


def _end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day`` in Warsaw."""
    nxt = day + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime(nxt.year, nxt.month, nxt.day))


# --- the steps (each one statement; a refresh may stop between any two) -----------------

def insert_monthly(snap: Snapshot) -> None:
    parts = money_sources(_end_of(snap.as_of))
    union = " UNION ALL ".join(sql for sql, _p in parts)
    params = [p for _sql_, ps in parts for p in ps]
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO analytics_monthly (snapshot_id, customer_id, month, amount, docs) "  # noqa: S608 (ints, compiled ORM)
            f"SELECT {int(snap.pk)}, u.c, u.m, SUM(u.a), SUM(u.d) FROM ({union}) u "
            "GROUP BY u.c, u.m", params)


#: where the refresh reads the months: the kept table, or a refresh's working rows
KEPT = "analytics_activity"


def working(snap: Snapshot) -> str:
    return ("(SELECT customer_id, month, amount, docs FROM analytics_monthly "  # noqa: S608
            f"WHERE snapshot_id = {int(snap.pk)})")


def insert_standing(snap: Snapshot, previous: Snapshot | None, source: str = KEPT) -> None:
    """Every active customer's row of ``snap`` from the months in ``source`` (the kept
    table or :func:`working`) and the contracts. One pass over the months: per customer
    the first and last month of activity, the first in the window (``e``), the last before
    the window (the gap before ``e`` — nothing can lie between the window's start and
    ``e``), and the period's sum and sum of squares."""
    pg = connection.vendor == "postgresql"
    s, m, w = int(snap.pk), int(snap.month), int(snap.window_months)
    ws, ps = m - w + 1, m - int(snap.period_months) + 1
    prev = int(previous.pk) if previous else 0
    inp = f"CASE WHEN f >= {ps} THEN a END"
    # Σx² exactly on PostgreSQL (numeric); SQLite adds the squares as floats (exact to
    # 2^53: monthly turnovers up to ~900,000 zł), its integer SUM would overflow instead.
    squares = f"SUM(CAST({inp} AS NUMERIC) * {inp})" if pg else f"TOTAL({inp} * {inp})"
    real = "DOUBLE PRECISION" if pg else "REAL"
    x2, y2 = int(snap.xyz_x) ** 2, int(snap.xyz_y) ** 2
    spans, params = contract_spans(snap.as_of)
    dev = "(cat.n * cat.q - cat.s * cat.s)"
    # only integers of our own, our table names and the ORM's compiled SELECT are put
    # into the text
    sql = f"""
INSERT INTO analytics_standing (snapshot_id, customer_id, branch_id, category, abc, xyz,
    turnover, cv, first_month, last_month, prev_category, prev_abc, prev_xyz)
WITH act AS (
    SELECT customer_id AS c, month AS f, month AS t, amount AS a,
           CASE WHEN docs > 0 THEN 1 ELSE 0 END AS k
      FROM {source} mo WHERE month <= {m}
    UNION ALL
    SELECT k.c, k.f, CASE WHEN k.t > {m} THEN {m} ELSE k.t END, NULL, 1 FROM ({spans}) k
     WHERE k.f <= {m}
),
agg AS (
    SELECT c, MIN(CASE WHEN k = 1 THEN f END) AS first_m,
           MAX(CASE WHEN k = 1 THEN t END) AS last_m,
           MIN(CASE WHEN k = 1 AND t >= {ws} THEN CASE WHEN f > {ws} THEN f ELSE {ws} END
               END) AS e,
           MAX(CASE WHEN k = 1 AND f < {ws} THEN CASE WHEN t < {ws - 1} THEN t
               ELSE {ws - 1} END END) AS prev_m,
           SUM({inp}) AS s, {squares} AS q
      FROM act GROUP BY c
),
cat AS (
    SELECT cu.id AS c, cu.branch_id AS br,
           CASE WHEN a.first_m IS NULL THEN 'potential'
                WHEN a.first_m >= {ws} THEN 'new'
                WHEN a.last_m < {ws} THEN 'lost'
                WHEN a.e - a.prev_m > {w} THEN 'restored'
                ELSE 'regular' END AS category,
           a.first_m, a.last_m, COALESCE(a.s, 0) AS s, a.q,
           {m} - CASE WHEN a.first_m > {ps} THEN a.first_m ELSE {ps} END + 1 AS n
      FROM customers_customer cu
      LEFT JOIN agg a ON a.c = cu.id
     WHERE cu.status = 'active'
),
ranked AS (
    SELECT c, SUM(s) OVER (ORDER BY s DESC) - SUM(s) OVER (PARTITION BY s) AS before_s,
           SUM(s) OVER () AS total
      FROM cat WHERE s > 0 AND category <> 'potential'
)
SELECT {s}, cat.c, cat.br, cat.category,
       CASE WHEN r.c IS NULL THEN ''
            WHEN r.before_s * 100 < {int(snap.abc_a)} * r.total THEN 'A'
            WHEN r.before_s * 100 < {int(snap.abc_b)} * r.total THEN 'B'
            ELSE 'C' END,
       CASE WHEN r.c IS NULL OR cat.category = 'new' THEN ''
            WHEN 10000 * {dev} <= {x2} * cat.s * cat.s THEN 'X'
            WHEN 10000 * {dev} <= {y2} * cat.s * cat.s THEN 'Y'
            ELSE 'Z' END,
       cat.s,
       CASE WHEN r.c IS NULL OR cat.category = 'new' THEN NULL
            ELSE CAST(100.0 * SQRT(CASE WHEN {dev} > 0 THEN {dev} ELSE 0 END) / cat.s
                      AS {real}) END,
       cat.first_m, cat.last_m,
       COALESCE(p.category, ''), COALESCE(p.abc, ''), COALESCE(p.xyz, '')
  FROM cat
  LEFT JOIN ranked r ON r.c = cat.c
  LEFT JOIN analytics_standing p ON p.snapshot_id = {prev} AND p.customer_id = cat.c
"""  # noqa: S608
    with transaction.atomic(), connection.cursor() as cur:
        roomy(cur)
        cur.execute(sql, params)


def insert_cells(snap: Snapshot) -> None:
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO analytics_cell (snapshot_id, branch_id, category, abc, xyz, "  # noqa: S608
            "customers, turnover) "
            f"SELECT {int(snap.pk)}, branch_id, category, abc, xyz, COUNT(*), SUM(turnover) "
            f"FROM analytics_standing WHERE snapshot_id = {int(snap.pk)} "
            "GROUP BY branch_id, category, abc, xyz")


def switch(snap: Snapshot, started: float) -> bool:
    """The one transaction that makes ``snap`` the current snapshot."""
    with transaction.atomic():
        n = Standing.objects.filter(snapshot=snap).count()
        return bool(Snapshot.objects.filter(pk=snap.pk, status=SnapshotStatus.RUNNING).update(
            status=SnapshotStatus.DONE, finished_at=timezone.now(), customers=n,
            seconds=round(time.monotonic() - started, 3)))


def previous_of(snap: Snapshot) -> Snapshot | None:
    """The snapshot the changes are flagged against: the last finished one of an earlier
    month."""
    return Snapshot.objects.done().filter(month__lt=snap.month).order_by(
        "-month", "-as_of", "-id").first()


def sweep() -> None:
    """Delete what readers no longer look at: working rows, failed refreshes and every
    finished snapshot but the last of its month (that one is the month's history); the
    kept segment rows of every snapshot but the current one."""
    segment_state.sweep(Snapshot.objects.current())
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("TRUNCATE analytics_monthly")  # one refresh at a time: all ours
    else:
        Monthly.objects.all().delete()
    keep: dict[int, int] = {}
    for pk, month in Snapshot.objects.done().order_by("as_of", "id").values_list("pk", "month"):
        keep[month] = pk
    gone = list(Snapshot.objects.exclude(status=SnapshotStatus.RUNNING)
                .exclude(pk__in=keep.values()).values_list("pk", flat=True))
    if gone:
        Cell.objects.filter(snapshot_id__in=gone).delete()
        Standing.objects.filter(snapshot_id__in=gone).delete()
        Snapshot.objects.filter(pk__in=gone).delete()


def _claim(as_of: datetime.date, rules: Rules, slot: str) -> Snapshot | None:
    """A new running snapshot, or None when this slot was refreshed already or another
    refresh is running (C9). A refresh left running by a killed worker is failed first."""
    stale = timezone.now() - STALE_AFTER
    Snapshot.objects.filter(status=SnapshotStatus.RUNNING, started_at__lt=stale).update(
        status=SnapshotStatus.FAILED, error="stopped (the worker was lost)")
    try:
        with transaction.atomic():
            return Snapshot.objects.create(
                slot=slot, as_of=as_of, month=month_index(as_of), window_months=rules.window,
                period_months=rules.period, abc_a=rules.abc_a, abc_b=rules.abc_b,
                xyz_x=rules.xyz_x, xyz_y=rules.xyz_y)
    except IntegrityError:
        return None


def refresh(*, as_of: datetime.date | None = None, slot: str = "",
            rules: Rules | None = None) -> Snapshot | None:
    """Compute a new snapshot as of ``as_of`` (default: today) and switch to it. Returns
    it, or None when there was nothing to do (the slot's refresh ran already, another is
    running). An error marks the snapshot failed and is raised again; the previous
    snapshot stays the current one."""
    from punkt.analytics import services

    rules = rules or Rules.from_settings()
    rules.check()
    as_of = as_of or timezone.localdate()
    snap = _claim(as_of, rules, slot)
    if snap is None:
        return None
    started = time.monotonic()
    try:
        previous = previous_of(snap)
        if kept.move(_end_of(as_of)):
            source = KEPT
        else:  # as of a day the kept months have passed: read the settlements
            insert_monthly(snap)
            source = working(snap)
        insert_standing(snap, previous, source)
        insert_cells(snap)
        segment_state.build(snap)
        if not switch(snap, started):  # pragma: no cover — failed meanwhile as stale
            raise RuntimeError("the refresh was taken over")
    except Exception as exc:
        Snapshot.objects.filter(pk=snap.pk).update(status=SnapshotStatus.FAILED,
                                                   finished_at=timezone.now(),
                                                   error=repr(exc)[:500])
        logger.exception("Analytics refresh %s failed", snap.pk)
        raise
    snap.refresh_from_db()
    logger.info("Analytics refresh %s: %s customers in %.1f s", snap.pk, snap.customers,
                snap.seconds)
    services.give_class_drop_tasks(snap)
    sweep()
    return snap


def backfill(months: int, *, today: datetime.date | None = None) -> list[Snapshot]:
    """Snapshots as of the last day of each of the ``months`` previous months, oldest
    first, then today's: the history of a fresh installation."""
    today = today or timezone.localdate()
    ends = []
    first = today.replace(day=1)
    for _i in range(months):
        last = first - datetime.timedelta(days=1)
        ends.append(last)
        first = last.replace(day=1)
    done = []
    for day in [*reversed(ends), today]:
        snap = refresh(as_of=day)
        if snap is not None:
            done.append(snap)
    return done
