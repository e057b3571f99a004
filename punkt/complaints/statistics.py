"""Complaint statistics (R7.4): complaints received in a period per cause, branch,
employee, kind, channel or product — how many, decided, upheld (wholly or partly),
rejected, answered in time, deemed accepted, the average days to a decision, the refunds
paid — and the share of customers who complained against seed 003's 10 %.

Read from the kept figures (``figures.py``: whole months per branch and dimension,
refreshed hourly) corrected by the complaints received or changed since — exact at every
moment, a fixed number of statements whatever the period: a branch sees its own
complaints, HQ every branch's (C1/C2).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import (
    Count,
    Min,
    Q,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punkt.complaints import figures
from punkt.complaints import permissions as perms
from punkt.complaints import served as served_customers
from punkt.complaints.clock import WARSAW
from punkt.complaints.figures import Key
from punkt.complaints.models import (
    ActionKind,
    ActionStatus,
    Cause,
    Complaint,
    ComplaintAction,
    ComplaintChannel,
    ComplaintFigure,
    ComplaintKind,
    CountedComplaint,
)
from punkt.core.reports import report_reads
from punkt.organization.actors import Actor

BY = {"cause": gettext_lazy("Cause"), "branch": gettext_lazy("Branch"),
      "handler": gettext_lazy("Employee"), "kind": gettext_lazy("Kind"),
      "channel": gettext_lazy("Channel"), "product": gettext_lazy("Product or service")}
#: seed 003: "about 10 % of customers complain" — the line the share is read against
BENCHMARK_PCT = 10
#: the rows a page shows (the largest; the CSV file has every row)
ROWS_MAX = 100


@dataclass
class Row:
    label: str
    received: int
    decided: int
    upheld: int
    partly: int
    rejected: int
    in_time: int
    deemed: int
    refunds: Decimal
    days: float | None
    key: Any = None

    @property
    def upheld_pct(self) -> int | None:
        return round(100 * (self.upheld + self.partly) / self.decided) if self.decided else None

    @property
    def in_time_pct(self) -> int | None:
        return round(100 * self.in_time / self.decided) if self.decided else None


@dataclass
class Statistics:
    start: datetime.date
    end: datetime.date
    by: str
    rows: list[Row]
    total: Row
    customers_complaining: int
    customers_served: int
    more: bool

    @property
    def share_pct(self) -> float | None:
        if not self.customers_served:
            return None
        return round(100 * self.customers_complaining / self.customers_served, 1)

    @property
    def above_benchmark(self) -> bool:
        return self.share_pct is not None and self.share_pct > BENCHMARK_PCT

    @cached_property  # each row's bar reads it: once, not once per row
    def most(self) -> int:
        return max((r.received for r in self.rows), default=0)


def _row(label: str, sums: dict[str, Any], key: Any = None) -> Row:
    took = sums["took"]
    days = (round(took.total_seconds() / sums["decided"] / 86400, 1)
            if took is not None and sums["decided"] else None)
    return Row(label=label, received=sums["received"], decided=sums["decided"],
               upheld=sums["upheld"], partly=sums["partly"], rejected=sums["rejected"],
               in_time=sums["in_time"], deemed=sums["deemed"], refunds=sums["refunds"],
               days=days, key=key)


def _labels(by: str, keys: list[Key]) -> dict[Key, str]:
    """The rows' names: one statement for the employees, branches or products shown."""
    if by == "cause":
        return {k: str(Cause(k[0]).label) if k[0] else _("not established yet") for k in keys}
    if by == "kind":
        return {k: str(ComplaintKind(k[0]).label) for k in keys}
    if by == "channel":
        return {k: str(ComplaintChannel(k[0]).label) for k in keys}
    if by == "branch":
        from punkt.organization.models import Branch

        names = dict(Branch.objects.filter(pk__in=[k[0] for k in keys])
                     .values_list("pk", "name"))
        return {k: names.get(k[0], "—") for k in keys}
    if by == "handler":
        from punkt.organization.models import Employee

        people = {pk: f"{first or ''} {last or ''}".strip() for pk, first, last in
                  Employee.objects.filter(pk__in=[k[0] for k in keys if k[0]])
                  .values_list("pk", "first_name", "last_name")}
        return {k: people.get(k[0]) or _("nobody") for k in keys}
    from punkt.catalog.models import Product

    products = dict(Product.objects.filter(pk__in=[k[0] for k in keys if k[0]])
                    .values_list("pk", "name"))
    return {k: products.get(k[0], "—") if k[0] else _("a contract's service") if k[1]
            else k[2] or "—" for k in keys}


def _key(by: str, key: Key) -> Any:
    """The row's key as the page and the tests know it."""
    if by != "product":
        return key[0]
    return ("p", key[0]) if key[0] else ("c", None) if key[1] else ("t", key[2])


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime,
                                                                 datetime.datetime]:
    tz = timezone.get_current_timezone()
    return (datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
            datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min,
                                      tzinfo=tz))


def _scopes(user: Actor, branch_id: int | None) -> dict[str, Any]:
    return {"scope": Complaint.objects.visible_to(user, perms.REPORT_VIEW, branch_id=branch_id),
            "counted_scope": CountedComplaint.objects.visible_to(
                user, perms.REPORT_VIEW, branch_id=branch_id),
            "kept_scope": ComplaintFigure.objects.visible_to(
                user, perms.REPORT_VIEW, branch_id=branch_id)}


def complaint_statistics(*, user: Actor, start: datetime.date, end: datetime.date,
                         by: str = "cause", branch_id: int | None = None,
                         live: bool = False, every_row: bool = False) -> Statistics:
    """Complaints received from ``start`` to ``end`` (local days, inclusive) that ``user``
    may report on, grouped ``by`` one of :data:`BY`: the kept figures corrected by what
    changed since (``figures.py``), or everything counted live (``live``) — the same."""
    by = by if by in BY else "cause"
    since, until = _bounds(start, end)
    scopes = _scopes(user, branch_id)
    with report_reads():
        limit = None if every_row else ROWS_MAX
        found = figures.ranked(**scopes, by=by, since=since, until=until, limit=limit,
                               live=live)
        complaining, served = served_customers.counted(user, branch_id, since, until,
                                                       live=live)
    labels = _labels(by, [k for k, _sums in found.rows])
    rows = [_row(labels[k], sums, _key(by, k)) for k, sums in found.rows]
    return Statistics(start=start, end=end, by=by,
                      rows=sorted(rows, key=lambda r: (-r.received, r.label)),
                      total=_row(_("All"), found.total), customers_complaining=complaining,
                      customers_served=served, more=found.groups > len(rows))


def csv_rows(stats: Statistics) -> Iterable[list[Any]]:
    for r in [*stats.rows, stats.total]:
        yield [r.label, r.received, r.decided, r.upheld, r.partly, r.rejected, r.upheld_pct,
               r.in_time, r.in_time_pct, r.deemed, r.days, r.refunds]


# -- the trend by month and the corrective actions ---------------------------------------

MONTHS = 12


@dataclass
class Month:
    first_day: datetime.date
    received: int
    decided: int
    upheld: int
    in_time: int
    deemed: int

    @property
    def upheld_pct(self) -> float | None:
        return round(100 * self.upheld / self.decided, 1) if self.decided else None

    @property
    def in_time_pct(self) -> float | None:
        return round(100 * self.in_time / self.decided, 1) if self.decided else None


def _first_days(last: datetime.date, months: int) -> list[datetime.date]:
    year, month = last.year, last.month
    days = []
    for _i in range(months):
        days.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return days[::-1]


def trend(*, user: Actor, last: datetime.date, branch_id: int | None = None,
          months: int = MONTHS, live: bool = False) -> list[Month]:
    """Complaints received in each of the ``months`` months up to ``last``'s (Warsaw
    months, oldest first, empty months included), from the kept figures."""
    firsts = _first_days(last, months)
    since = datetime.datetime.combine(firsts[0], datetime.time.min, tzinfo=WARSAW)
    until_day = (firsts[-1] + datetime.timedelta(days=32)).replace(day=1)
    until = datetime.datetime.combine(until_day, datetime.time.min, tzinfo=WARSAW)
    found = dict(figures.ranked(**_scopes(user, branch_id), by="month", since=since,
                                until=until, live=live).rows)
    result = []
    for day in firsts:
        row = found.get((figures.month_index(day),))
        result.append(Month(first_day=day, received=row["received"] if row else 0,
                            decided=row["decided"] if row else 0,
                            upheld=row["upheld"] + row["partly"] if row else 0,
                            in_time=row["in_time"] if row else 0,
                            deemed=row["deemed"] if row else 0))
    return result


@dataclass
class ActionsSummary:
    corrective_open: int
    preventive_open: int
    overdue: int
    to_verify: int
    oldest_overdue: datetime.date | None


def actions_summary(*, user: Actor, branch_id: int | None = None,
                    today: datetime.date | None = None) -> ActionsSummary:
    """Corrective and preventive actions not finished now (whatever the period): open, past
    their due date, done and waiting for verification."""
    today = today or timezone.localdate()
    open_ = Q(status=ActionStatus.OPEN)
    overdue = open_ & Q(due_on__lt=today)
    v = (ComplaintAction.objects.visible_to(user, perms.REPORT_VIEW, branch_id=branch_id)
         .order_by().aggregate(
             corrective=Count("pk", filter=open_ & Q(kind=ActionKind.CORRECTIVE)),
             preventive=Count("pk", filter=open_ & Q(kind=ActionKind.PREVENTIVE)),
             overdue=Count("pk", filter=overdue),
             to_verify=Count("pk", filter=Q(status=ActionStatus.DONE)),
             oldest=Min("due_on", filter=overdue)))
    return ActionsSummary(corrective_open=v["corrective"] or 0,
                          preventive_open=v["preventive"] or 0, overdue=v["overdue"] or 0,
                          to_verify=v["to_verify"] or 0, oldest_overdue=v["oldest"])
