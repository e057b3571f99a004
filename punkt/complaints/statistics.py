"""Complaint statistics (R7.4): complaints received in a period per cause, branch,
employee, kind, channel or product — how many, decided, upheld (wholly or partly),
rejected, answered in time, deemed accepted, the average days to a decision, the refunds
paid — and the share of customers who complained against seed 003's 10 %.

Counted in the database (one GROUP BY per page, the same on SQLite and PostgreSQL): a
branch sees its own complaints, HQ every branch's (C1/C2).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punkt.complaints import permissions as perms
from punkt.complaints.clock import WARSAW
from punkt.complaints.models import (
    ActionKind,
    ActionStatus,
    Cause,
    Complaint,
    ComplaintAction,
    ComplaintChannel,
    ComplaintKind,
    Outcome,
)
from punkt.organization.actors import Actor

BY = {"cause": gettext_lazy("Cause"), "branch": gettext_lazy("Branch"),
      "handler": gettext_lazy("Employee"), "kind": gettext_lazy("Kind"),
      "channel": gettext_lazy("Channel"), "product": gettext_lazy("Product or service")}
#: seed 003: "about 10 % of customers complain" — the line the share is read against
BENCHMARK_PCT = 10
ROWS_MAX = 200
_KEYS = {"cause": ("cause",), "branch": ("branch_id", "branch__name"),
         "handler": ("handler_id", "handler__first_name", "handler__last_name"),
         "kind": ("kind",), "channel": ("channel",),
         "product": ("sale_line__product_id", "sale_line__product__name", "of_contract",
                     "product_text")}


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

    @property
    def most(self) -> int:
        return max((r.received for r in self.rows), default=0)


def _aggregates() -> dict[str, Any]:
    decided = Q(decided_at__isnull=False)
    return {
        "received": Count("pk"),
        "decided": Count("pk", filter=decided),
        "upheld": Count("pk", filter=Q(outcome=Outcome.UPHELD)),
        "partly": Count("pk", filter=Q(outcome=Outcome.PARTLY_UPHELD)),
        "rejected": Count("pk", filter=Q(outcome=Outcome.REJECTED)),
        "in_time": Count("pk", filter=decided & Q(decided_at__lte=F("deadline"))),
        "deemed": Count("pk", filter=Q(deemed_accepted=True)),
        "refunds": Sum("refund_amount", filter=Q(refund_entry__isnull=False)),
        "took": Avg(ExpressionWrapper(F("decided_at") - F("received_at"),
                                      output_field=DurationField()), filter=decided),
    }


def _row(label: str, values: dict[str, Any], key: Any = None) -> Row:
    took = values.get("took")
    days = round(took.total_seconds() / 86400, 1) if took is not None else None
    return Row(label=label, received=values["received"] or 0, decided=values["decided"] or 0,
               upheld=values["upheld"] or 0, partly=values["partly"] or 0,
               rejected=values["rejected"] or 0, in_time=values["in_time"] or 0,
               deemed=values["deemed"] or 0, refunds=values["refunds"] or Decimal("0.00"),
               days=days, key=key)


def _label(by: str, v: dict[str, Any]) -> tuple[Any, str]:
    if by == "cause":
        return v["cause"], (str(Cause(v["cause"]).label) if v["cause"]
                            else _("not established yet"))
    if by == "branch":
        return v["branch_id"], v["branch__name"]
    if by == "handler":
        name = f'{v["handler__first_name"] or ""} {v["handler__last_name"] or ""}'.strip()
        return v["handler_id"], name or _("nobody")
    if by == "kind":
        return v["kind"], str(ComplaintKind(v["kind"]).label)
    if by == "channel":
        return v["channel"], str(ComplaintChannel(v["channel"]).label)
    if v["sale_line__product_id"]:
        return ("p", v["sale_line__product_id"]), v["sale_line__product__name"]
    if v["of_contract"]:
        return ("c", None), _("a contract's service")
    return ("t", v["product_text"]), v["product_text"] or "—"


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime,
                                                                 datetime.datetime]:
    tz = timezone.get_current_timezone()
    return (datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
            datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min,
                                      tzinfo=tz))


def complaint_statistics(*, user: Actor, start: datetime.date, end: datetime.date,
                         by: str = "cause", branch_id: int | None = None) -> Statistics:
    """Complaints received from ``start`` to ``end`` (local days, inclusive) that ``user``
    may report on, grouped ``by`` one of :data:`BY`."""
    by = by if by in BY else "cause"
    since, until = _bounds(start, end)
    scope = Complaint.objects.visible_to(user, perms.REPORT_VIEW, branch_id=branch_id)
    period: Any = scope.filter(received_at__gte=since, received_at__lt=until).order_by()
    if by == "product":  # every contract's service is one row (not one per contract)
        period = period.annotate(of_contract=Case(When(contract__isnull=False,
                                                       then=Value(True)),
                                                  default=Value(False),
                                                  output_field=BooleanField()))
    grouped = list(period.values(*_KEYS[by]).annotate(**_aggregates())
                   .order_by("-received")[:ROWS_MAX + 1])
    rows = []
    for values in grouped[:ROWS_MAX]:
        key, label = _label(by, values)
        rows.append(_row(label, values, key))
    total = _row(_("All"), period.aggregate(**_aggregates()))
    complaining = period.values("customer_id").distinct().count()
    return Statistics(start=start, end=end, by=by,
                      rows=sorted(rows, key=lambda r: (-r.received, r.label)),
                      total=total, customers_complaining=complaining,
                      customers_served=_customers_served(user, since, until, branch_id,
                                                         period),
                      more=len(grouped) > ROWS_MAX)


def _customers_served(user: Actor, since: datetime.datetime, until: datetime.datetime,
                      branch_id: int | None, complained: Any) -> int:
    """Customers who bought at the counter (returns aside), signed a contract or
    complained in the period, in the branches ``user`` sees: the denominator of the share
    who complained (so it never passes 100 %)."""
    from punkt.contracts.models import Contract
    from punkt.sales.models import Sale

    sales = Sale.objects.visible_to(user, perms.REPORT_VIEW, branch_id=branch_id).filter(
        created_at__gte=since, created_at__lt=until, customer__isnull=False, kind="sale")
    contracts = Contract.objects.visible_to(user, perms.REPORT_VIEW, branch_id=branch_id).filter(
        signed_at__gte=since, signed_at__lt=until)
    # the union of the period's customer ids (UNION drops the repeats), counted: as many
    # rows as the period has, where testing every customer against three subqueries read
    # the whole registry (150 ms at 1M customers)
    ids = sales.order_by().values("customer_id").union(
        contracts.order_by().values("customer_id"),
        complained.order_by().values("customer_id"))
    return ids.count()


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
          months: int = MONTHS) -> list[Month]:
    """Complaints received in each of the ``months`` months up to ``last``'s (Warsaw
    months, oldest first, empty months included): one GROUP BY."""
    firsts = _first_days(last, months)
    since = datetime.datetime.combine(firsts[0], datetime.time.min, tzinfo=WARSAW)
    until_day = (firsts[-1] + datetime.timedelta(days=32)).replace(day=1)
    until = datetime.datetime.combine(until_day, datetime.time.min, tzinfo=WARSAW)
    decided = Q(decided_at__isnull=False)
    found = {
        (v["month"].date() if isinstance(v["month"], datetime.datetime) else v["month"]): v
        for v in Complaint.objects.visible_to(user, perms.REPORT_VIEW, branch_id=branch_id)
        .filter(received_at__gte=since, received_at__lt=until).order_by()
        .annotate(month=TruncMonth("received_at", tzinfo=WARSAW)).values("month")
        .annotate(received=Count("pk"), decided=Count("pk", filter=decided),
                  upheld=Count("pk", filter=Q(outcome__in=(Outcome.UPHELD,
                                                           Outcome.PARTLY_UPHELD))),
                  in_time=Count("pk", filter=decided & Q(decided_at__lte=F("deadline"))),
                  deemed=Count("pk", filter=Q(deemed_accepted=True)))}
    empty = {"received": 0, "decided": 0, "upheld": 0, "in_time": 0, "deemed": 0}
    result = []
    for day in firsts:
        row: dict[str, Any] = dict(found.get(day) or empty)
        result.append(Month(first_day=day, **{k: row[k] for k in empty}))
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
