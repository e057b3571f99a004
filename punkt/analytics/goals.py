"""Seed 000's three improvement goals, per branch and company-wide, month by month (Warsaw
calendar months) — each counted by the rule its area already keeps (``docs/analytics.md``,
"The three goals"):

* **new customers, +20 % a month** — customers registered in the month, merged duplicates
  left out (the sales plans' "new customers", :func:`punkt.pipeline.plans.goal`: met when
  the month has at least ⌈1.2 × last month's⌉ and at least one);
* **HQ materials within an hour of their creation** — the deliveries whose clock started in
  the month (the version's creation; for a branch opened after the publication, the
  delivery there — :func:`punkt.materials.selectors.clock_start`), opened at the branch
  within the hour (the materials' delivery report's rule); a delivery not opened yet counts
  once its hour is over; the median delay of those opened; met when every one was in time;
* **customers lost, −15 % a month** — the contracts' churn (``MonthlyFigures.left``:
  customers whose contract ended or was terminated with no other active contract and no
  renewal, at the branch where it was signed — seed 000 speaks of customers "who signed a
  contract at the branch"), :func:`punkt.retention.selectors.goal_met`.

Every figure is read set-based: one grouped query per goal for any number of branches and
months, one more for the medians (window functions) — the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone

from punkt.analytics import permissions as perms
from punkt.contracts.models import MonthlyFigures
from punkt.customers.models import Customer
from punkt.materials.models import Delivery
from punkt.materials.selectors import GOAL as DELIVERY_GOAL
from punkt.organization.actors import Actor
from punkt.organization.models import Branch, BranchKind
from punkt.pipeline.plans import WARSAW, month_bounds, next_month, previous_month
from punkt.pipeline.plans import goal as growth_goal
from punkt.retention.selectors import goal_met as churn_goal_met

MONTHS = 12
SORTS = ("name", "new", "growth", "materials", "median", "lost")


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_until(last: datetime.date, n: int = MONTHS) -> list[datetime.date]:
    """The ``n`` months ending with ``last``, oldest first."""
    return [add_months(last.replace(day=1), i - n + 1) for i in range(n)]


@dataclass
class Figures:
    """What one branch (or every branch seen, ``branch_id`` None) did in one month."""

    month: datetime.date
    branch_id: int | None = None
    branch_name: str = ""
    in_progress: bool = False
    #: customers registered in the month and in the month before
    new: int = 0
    new_last: int = 0
    #: deliveries counted (opened, or their hour over), of those opened within the hour
    deliveries: int = 0
    on_time: int = 0
    opened: int = 0
    median_minutes: Decimal | None = None
    #: customers who left in the month; the month before (None: no figures kept for it)
    lost: int = 0
    lost_previous: int | None = None

    @property
    def new_goal(self) -> dict[str, Any]:
        return growth_goal(self.new, self.new_last)

    @property
    def new_target(self) -> int:
        return int(self.new_goal["target"])

    @property
    def new_growth(self) -> int | None:
        return self.new_goal["growth"]  # type: ignore[no-any-return]

    @property
    def new_met(self) -> bool:
        return bool(self.new_goal["met"])

    @property
    def on_time_percent(self) -> Decimal | None:
        if not self.deliveries:
            return None
        return (Decimal(self.on_time * 100) / self.deliveries).quantize(Decimal("0.1"))

    @property
    def materials_met(self) -> bool | None:
        return None if not self.deliveries else self.on_time == self.deliveries

    @property
    def lost_target(self) -> int | None:
        """The most customers who may leave for the goal: 85 % of the month before."""
        return None if self.lost_previous is None else self.lost_previous * 85 // 100

    @property
    def lost_met(self) -> bool | None:
        return churn_goal_met(self.lost, self.lost_previous)

    @property
    def lost_change(self) -> int | None:
        """Whole percent against the month before (negative: fewer left)."""
        if not self.lost_previous:
            return None
        return int((Decimal((self.lost - self.lost_previous) * 100) / self.lost_previous)
                   .quantize(Decimal("1"), rounding="ROUND_HALF_UP"))


def _month(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(WARSAW)
        return value.date().replace(day=1)
    return value.replace(day=1)  # type: ignore[no-any-return]


Key = tuple[int | None, datetime.date]


def _clock_start() -> Case:
    return Case(When(Q(version__published_at__isnull=False)
                     & Q(delivered_at__gt=F("version__published_at")),
                     then=F("delivered_at")),
                default=F("version__created_at"), output_field=DateTimeField())


def _collect(user: Actor, months: list[datetime.date], *, by_branch: bool,
             branch_id: int | None, now: datetime.datetime) -> dict[Key, Figures]:
    """Figures of ``months`` (and, for the comparisons, the month before the first) per
    branch (``by_branch``) or summed over every branch the user sees (key None): five
    queries whatever the number of branches and months."""
    first = previous_month(months[0])
    start, _ = month_bounds(first)
    _, end = month_bounds(months[-1])
    group = ["branch_id"] if by_branch else []
    raw: dict[Key, dict[str, Any]] = defaultdict(dict)

    def key(row: dict[str, Any], month_field: str = "m") -> Key:
        return (row["branch_id"] if by_branch else None, _month(row[month_field]))

    customers = (Customer.objects.visible_to(user, perms.GOALS_VIEW, branch_id=branch_id)
                 .filter(created_at__gte=start, created_at__lt=end, merged_into__isnull=True)
                 .annotate(m=TruncMonth("created_at", tzinfo=WARSAW))
                 .values(*group, "m").annotate(n=Count("id")).order_by())
    for r in customers:
        raw[key(r)]["new"] = r["n"]

    deliveries = (Delivery.objects.visible_to(user, perms.GOALS_VIEW, branch_id=branch_id)
                  .annotate(started=_clock_start())
                  .filter(started__gte=start, started__lt=end))
    counted = (deliveries
               .filter(Q(opened_at__isnull=False) | Q(started__lte=now - DELIVERY_GOAL))
               .annotate(m=TruncMonth("started", tzinfo=WARSAW))
               .values(*group, "m")
               .annotate(n=Count("id"), opened=Count("opened_at"),
                         on_time=Count("id", filter=Q(
                             opened_at__lte=F("started") + Value(DELIVERY_GOAL))))
               .order_by())
    for r in counted:
        raw[key(r)].update(deliveries=r["n"], opened=r["opened"], on_time=r["on_time"])

    # the median delay: the middle one (or two) of each group's delays, ranked in SQL
    partition = [F("branch_id"), F("m")] if by_branch else [F("m")]
    ranked = (deliveries.filter(opened_at__isnull=False)
              .annotate(m=TruncMonth("started", tzinfo=WARSAW),
                        delay=ExpressionWrapper(F("opened_at") - F("started"),
                                                output_field=DurationField()))
              .annotate(rank=Window(RowNumber(), partition_by=partition,
                                    order_by=[F("delay").asc(), F("id").asc()]),
                        size=Window(Count("id"), partition_by=partition)))
    middle: dict[Key, list[datetime.timedelta]] = defaultdict(list)
    for r in (ranked.filter(Q(rank=(F("size") + 1) / 2) | Q(rank=(F("size") + 2) / 2))
              .values(*group, "m", "delay")):
        middle[key(r)].append(r["delay"])
    for k, delays in middle.items():
        seconds = sum(d.total_seconds() for d in delays) / len(delays)
        raw[k]["median"] = (Decimal(str(seconds)) / 60).quantize(Decimal("0.1"))

    lost = (MonthlyFigures.objects.visible_to(user, perms.GOALS_VIEW, branch_id=branch_id)
            .filter(month__gte=first, month__lte=months[-1])
            .values(*group, "month").annotate(left_sum=Sum("left")).order_by())
    for r in lost:
        raw[key(r, "month")]["lost"] = int(r["left_sum"] or 0)

    out: dict[Key, Figures] = {}
    this_month = timezone.localdate().replace(day=1)
    owners = {k[0] for k in raw} if by_branch else {None}
    for owner in owners:
        for m in months:
            here, before = raw.get((owner, m), {}), raw.get((owner, previous_month(m)), {})
            out[(owner, m)] = Figures(
                month=m, branch_id=owner, in_progress=m >= this_month,
                new=here.get("new", 0), new_last=before.get("new", 0),
                deliveries=here.get("deliveries", 0), on_time=here.get("on_time", 0),
                opened=here.get("opened", 0), median_minutes=here.get("median"),
                lost=here.get("lost", 0), lost_previous=before.get("lost"))
    return out


def trend(user: Actor, *, branch_id: int | None = None, last: datetime.date | None = None,
          months: int = MONTHS) -> list[Figures]:
    """The three goals month by month (oldest first), ending with ``last`` (default: this
    month, in progress), for one branch or every branch the user sees together."""
    last = (last or timezone.localdate()).replace(day=1)
    span = months_until(last, months)
    found = _collect(user, span, by_branch=False, branch_id=branch_id, now=timezone.now())
    return [found[(None, m)] for m in span]


def _sort_key(sort: str) -> Any:
    name = sort.lstrip("-")

    def missing_last(value: Any) -> tuple[int, Any]:
        return (1 if value is None else 0, value if value is not None else 0)

    keys = {
        "name": lambda f: (f.branch_name.lower(), f.branch_id),
        "new": lambda f: (f.new, f.branch_name.lower()),
        "growth": lambda f: (missing_last(f.new_growth), f.branch_name.lower()),
        "materials": lambda f: (missing_last(f.on_time_percent), f.branch_name.lower()),
        "median": lambda f: (missing_last(f.median_minutes), f.branch_name.lower()),
        "lost": lambda f: (f.lost, f.branch_name.lower()),
    }
    return keys.get(name, keys["name"])


@dataclass
class BranchTable:
    month: datetime.date
    rows: list[Figures] = field(default_factory=list)
    sort: str = "name"


def branches(user: Actor, *, month: datetime.date, sort: str = "name",
             branch_id: int | None = None) -> BranchTable:
    """Every branch the user sees (or the one chosen) with its three goals in ``month``,
    sorted by ``sort`` (a name of :data:`SORTS`, ``-`` first for descending)."""
    month = month.replace(day=1)
    sort = sort if sort.lstrip("-") in SORTS else "name"
    found = _collect(user, [month], by_branch=True, branch_id=branch_id, now=timezone.now())
    rows = []
    for b in (Branch.objects.visible_to(user, perms.GOALS_VIEW)
              .filter(kind=BranchKind.BRANCH, **({"pk": branch_id} if branch_id else {}))
              .only("pk", "name").order_by("name", "pk")):
        row = found.get((b.pk, month)) or Figures(
            month=month, branch_id=b.pk, in_progress=month >= timezone.localdate().replace(day=1))
        row.branch_name = b.name
        rows.append(row)
    rows.sort(key=_sort_key(sort), reverse=sort.startswith("-"))
    return BranchTable(month=month, rows=rows, sort=sort)


def default_month(today: datetime.date | None = None) -> datetime.date:
    """The last full month: the one the table shows unless another is chosen."""
    return previous_month((today or timezone.localdate()).replace(day=1))


def choosable_months(today: datetime.date | None = None) -> list[datetime.date]:
    """The months the page offers, newest first: this one and the eleven before."""
    return list(reversed(months_until((today or timezone.localdate()).replace(day=1))))


__all__ = ["MONTHS", "SORTS", "BranchTable", "Figures", "add_months", "branches",
           "choosable_months", "default_month", "months_until", "next_month", "trend"]
