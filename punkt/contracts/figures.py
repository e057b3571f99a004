"""Contract figures per branch and month (:class:`MonthlyFigures`), kept incrementally.

What one contract adds to the figures is a function of its row alone
(:func:`contribution`). Every change of a contract takes a :func:`snapshot` before and
after and adds the difference (:func:`diff`, :func:`apply`) in the same transaction, as
one ``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`` whose rows are sorted by
branch and month: concurrent changes add up without lost updates or deadlocks between
them. :func:`rebuild` computes the same sums from the contracts (SQL on PostgreSQL; the
contribution of each row on SQLite) — after an upgrade or a restore, or to check.
"""

from __future__ import annotations

import calendar
import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncMonth
from django.utils import timezone

from punkt.contracts.models import WAS_ACTIVE, Contract, ContractStatus, MonthlyFigures

FAST_SECONDS = 3 * 24 * 3600
STATE = {s: f"state_{s}" for s in ContractStatus.values}
#: The columns that are sums (all but the longest activation).
SUMS: tuple[str, ...] = tuple(
    str(f.column) for f in MonthlyFigures._meta.concrete_fields
    if f.column not in ("id", "branch_id", "month", "activation_max_seconds"))
MAXES = ("activation_max_seconds",)

Key = tuple[int, datetime.date]


@dataclass(frozen=True)
class Snapshot:
    """The fields of a contract its figures depend on."""

    branch_id: int
    created_at: datetime.datetime
    status: str
    signed_at: datetime.datetime | None
    finalised_at: datetime.datetime | None
    renews_id: int | None
    ends_on: datetime.date
    terminated_on: datetime.date | None
    left_on: datetime.date | None


def snapshot(c: Contract) -> Snapshot:
    return Snapshot(c.branch_id, c.created_at, c.status, c.signed_at, c.finalised_at,
                    c.renews_id, c.ends_on, c.terminated_on, c.left_on)


@dataclass
class Delta:
    sums: dict[Key, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    maxes: dict[Key, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, other: Delta, sign: int = 1) -> None:
        for key, counts in other.sums.items():
            for name, n in counts.items():
                self.sums[key][name] += sign * n
        if sign > 0:
            for key, values in other.maxes.items():
                for name, v in values.items():
                    self.maxes[key][name] = max(self.maxes[key].get(name, v), v)

    def rows(self) -> list[tuple[Key, dict[str, int], dict[str, int]]]:
        keys = {k for k, c in self.sums.items() if any(c.values())} | {
            k for k, m in self.maxes.items() if any(m.values())}
        return [(k, {n: v for n, v in self.sums.get(k, Counter()).items() if v},
                 self.maxes.get(k, {})) for k in sorted(keys)]


def month_of(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return value.replace(day=1)


def seconds_between(start: datetime.datetime, end: datetime.datetime) -> int:
    """Whole seconds, as the database computes them (each instant floored)."""
    return calendar.timegm(end.utctimetuple()) - calendar.timegm(start.utctimetuple())


def contribution(s: Snapshot) -> Delta:
    d = Delta()
    b = s.branch_id
    cohort = (b, month_of(s.created_at))
    d.sums[cohort][STATE[s.status]] += 1
    if s.status in WAS_ACTIVE and s.finalised_at is not None:
        d.sums[(b, month_of(s.finalised_at))]["started"] += 1
        if s.renews_id is not None:
            d.sums[(b, month_of(s.finalised_at))]["renewed"] += 1
        if s.signed_at is not None:
            took = seconds_between(s.signed_at, s.finalised_at)
            d.sums[cohort]["activated"] += 1
            d.sums[cohort]["activation_seconds"] += took
            d.sums[cohort]["activated_within_3_days"] += took <= FAST_SECONDS
            d.maxes[cohort]["activation_max_seconds"] = took
    if s.signed_at is not None:
        d.sums[(b, month_of(s.signed_at))]["signed"] += 1
    if s.status == ContractStatus.ENDED:
        d.sums[(b, month_of(s.ends_on))]["ended"] += 1
    if s.status == ContractStatus.TERMINATED and s.terminated_on is not None:
        d.sums[(b, month_of(s.terminated_on))]["terminated"] += 1
    if s.left_on is not None:
        d.sums[(b, month_of(s.left_on))]["left"] += 1
    return d


def diff(before: Snapshot | None, after: Snapshot | None) -> Delta:
    d = Delta()
    if after is not None:
        d.add(contribution(after))
    if before is not None:
        d.add(contribution(before), -1)
    return d


def _upsert_sql(n_rows: int) -> str:
    q = connection.ops.quote_name
    table = q(MonthlyFigures._meta.db_table)
    columns = ", ".join(q(c) for c in ("branch_id", "month", *SUMS, *MAXES))
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    sets = [f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in SUMS] + [
        f"{q(c)} = {greatest}({table}.{q(c)}, excluded.{q(c)})" for c in MAXES]
    one = "(" + ", ".join(["%s"] * (2 + len(SUMS) + len(MAXES))) + ")"
    # Table and column names come from the model, values are parameters.
    head = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
    return (head + ", ".join([one] * n_rows)
            + f" ON CONFLICT (branch_id, month) DO UPDATE SET {', '.join(sets)}")


def apply(delta: Delta) -> None:
    """Add ``delta`` to the figures (one statement; rows in branch and month order)."""
    rows = delta.rows()
    if not rows:
        return
    params: list[Any] = []
    for (branch_id, month), sums, maxes in rows:
        params += [branch_id, month, *(sums.get(c, 0) for c in SUMS),
                   *(maxes.get(c, 0) for c in MAXES)]
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(len(rows)), params)


def track(contract: Contract, before: Snapshot | None) -> None:
    """Add the change of ``contract`` since ``before`` (None: a new contract)."""
    apply(diff(before, snapshot(contract)))


# --- Rebuild ---------------------------------------------------------------------------

def _month(value: Any) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _sql_totals() -> Delta:
    d = Delta()
    qs = Contract.objects.order_by()
    for r in (qs.annotate(m=TruncMonth("created_at")).values("branch_id", "m", "status")
              .annotate(n=Count("pk"))):
        d.sums[(r["branch_id"], _month(r["m"]))][STATE[r["status"]]] += r["n"]
    table = Contract._meta.db_table
    took = RawSQL(f"FLOOR(EXTRACT(EPOCH FROM {table}.finalised_at))"  # noqa: S611
                  f" - FLOOR(EXTRACT(EPOCH FROM {table}.signed_at))", ())
    activation: Any = (
        qs.filter(status__in=WAS_ACTIVE, finalised_at__isnull=False, signed_at__isnull=False)
        .annotate(m=TruncMonth("created_at"), took=took).values("branch_id", "m")
        .annotate(n=Count("pk"), total=Sum("took"), longest=Max("took"),
                  fast=Count("pk", filter=Q(took__lte=FAST_SECONDS))))
    for a in activation:
        key = (a["branch_id"], _month(a["m"]))
        d.sums[key].update({"activated": a["n"], "activation_seconds": int(a["total"]),
                            "activated_within_3_days": a["fast"]})
        d.maxes[key]["activation_max_seconds"] = int(a["longest"])
    flows: list[tuple[str, Any, Q]] = [
        ("signed", "signed_at", Q(signed_at__isnull=False)),
        ("started", "finalised_at", Q(status__in=WAS_ACTIVE, finalised_at__isnull=False)),
        ("renewed", "finalised_at", Q(status__in=WAS_ACTIVE, finalised_at__isnull=False,
                                      renews__isnull=False)),
        ("ended", "ends_on", Q(status=ContractStatus.ENDED)),
        ("terminated", "terminated_on", Q(status=ContractStatus.TERMINATED,
                                          terminated_on__isnull=False)),
        ("left", "left_on", Q(left_on__isnull=False)),
    ]
    for name, column, condition in flows:
        flow: Any = (qs.filter(condition).annotate(m=TruncMonth(column))
                     .values("branch_id", "m").annotate(n=Count("pk")))
        for f in flow:
            d.sums[(f["branch_id"], _month(f["m"]))][name] += f["n"]
    return d


def _python_totals() -> Delta:
    d = Delta()
    for c in Contract.objects.only(
            "branch_id", "created_at", "status", "signed_at", "finalised_at", "renews_id",
            "ends_on", "terminated_on", "left_on").iterator(chunk_size=5000):
        d.add(contribution(snapshot(c)))
    return d


def totals() -> Delta:
    """The figures as the contracts say they are now."""
    return _sql_totals() if connection.vendor == "postgresql" else _python_totals()


def rebuild() -> int:
    """Recompute every figure from the contracts; the number of rows written. Contracts
    cannot change meanwhile (PostgreSQL: a SHARE lock; SQLite has one writer)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {Contract._meta.db_table} IN SHARE MODE")
        MonthlyFigures.objects.all().delete()
        rows = [MonthlyFigures(branch_id=b, month=m, **sums, **maxes)
                for (b, m), sums, maxes in totals().rows()]
        MonthlyFigures.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def stored() -> dict[Key, dict[str, int]]:
    """The figures as kept (non-zero values), to compare with :func:`totals`."""
    out: dict[Key, dict[str, int]] = {}
    for row in MonthlyFigures.objects.all():
        values = {c: getattr(row, c) for c in (*SUMS, *MAXES) if getattr(row, c)}
        if values:
            out[(row.branch_id, row.month)] = values
    return out


def expected() -> dict[Key, dict[str, int]]:
    out = {k: {n: v for n, v in {**sums, **maxes}.items() if v}
           for k, sums, maxes in totals().rows()}
    return {k: v for k, v in out.items() if v}
