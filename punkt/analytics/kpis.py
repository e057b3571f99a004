"""Seed 003's KPIs of the sales staff (R12.5) per employee and branch for a period of
whole Warsaw months, against the sales plan where one exists (``docs/analytics.md``,
"KPIs"). A purchase is a counter sale to a known customer (``sales.Sale``, a receipt, not a
return) or a contract signed (``contracts.Contract.signed_at``); the customer's first
purchase ever is their **primary sale**, every later one a **repeat sale**:

* registered — customers registered in the period (merged duplicates left out), by who
  registered them; **converted** — of those, the ones whose first purchase came by the
  period's end; **potential** — the rest; conversion = converted / registered;
* primary sales — first purchases made in the period (count; amount: the receipt's gross
  total — a contract's money arrives as HQ's invoices and has no amount here), by the
  seller or the employee who prepared the contract; repeat sales likewise;
* lost, restored, class changes — from the analytics' monthly history: customers who
  became *lost* (or *restored*) in a month of the period, and those whose ABC or XYZ class
  changed, attributed to who registered the customer;
* against plan — the sales plans' own actuals (:func:`punkt.pipeline.plans.actuals`, not
  counted again here) and plans summed over the period's months.

Sales in new product lines need product lines, which products do not have yet: the
column is not shown (``docs/progress.md``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.analytics import permissions as perms
from punkt.analytics.models import Category, Snapshot, SnapshotStatus, Standing, month_index
from punkt.contracts.models import Contract
from punkt.core.errors import ValidationFailed
from punkt.customers.models import Customer
from punkt.organization.actors import Actor
from punkt.organization.models import Branch, BranchKind, Employee
from punkt.pipeline import plans
from punkt.pipeline.models import SalesPlan
from punkt.sales.models import Sale, SaleKind

MAX_MONTHS = 12
#: the plan's measures the page compares (the others have no KPI beside them)
PLANNED = ("new_customers", "contracts", "sales_net", "won")

Key = tuple[int, int | None]


@dataclass
class Kpis:
    """One employee of a branch (``employee_id``), or the branch's total (None)."""

    branch_id: int
    employee_id: int | None = None
    name: str = ""
    registered: int = 0
    converted: int = 0
    primary: int = 0
    primary_amount: Decimal = Decimal("0.00")
    repeat: int = 0
    repeat_amount: Decimal = Decimal("0.00")
    lost: int = 0
    restored: int = 0
    class_changes: int = 0
    actual: dict[str, Decimal | int] = field(default_factory=plans.zero)
    plan: dict[str, Decimal | int] | None = None

    @property
    def potential(self) -> int:
        return self.registered - self.converted

    @property
    def conversion(self) -> Decimal | None:
        if not self.registered:
            return None
        return (Decimal(self.converted * 100) / self.registered).quantize(Decimal("0.1"))

    def against_plan(self) -> list[dict[str, Any]]:
        out = []
        for m in plans.MEASURES:
            if m.code not in PLANNED:
                continue
            planned = None if self.plan is None else self.plan[m.code]
            out.append({"code": m.code, "label": m.label, "money": m.money,
                        "actual": self.actual[m.code], "plan": planned,
                        "percent": plans.percent(self.actual[m.code], planned or 0)})
        return out

    def add(self, other: Kpis) -> None:
        for name in ("registered", "converted", "primary", "primary_amount", "repeat",
                     "repeat_amount", "lost", "restored", "class_changes"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for code in plans.CODES:
            self.actual[code] += other.actual[code]  # type: ignore[operator]


@dataclass
class Period:
    first: datetime.date
    last: datetime.date

    @property
    def months(self) -> list[datetime.date]:
        out, m = [], self.first
        while m <= self.last:
            out.append(m)
            m = plans.next_month(m)
        return out

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        return plans.month_bounds(self.first)[0], plans.month_bounds(self.last)[1]


def period(first: Any = None, last: Any = None, today: datetime.date | None = None) -> Period:
    """``YYYY-MM`` to ``YYYY-MM`` inclusive (default: the last three full months); at most
    twelve months, not after this one; a bad one refused naming ``from`` or ``to``."""
    this = plans.current_month(today)
    end = plans.parse_month(last, field="to") if last not in (None, "") \
        else plans.previous_month(this)
    start = plans.parse_month(first, field="from") if first not in (None, "") \
        else plans.previous_month(plans.previous_month(end))
    if end > this:
        raise ValidationFailed("invalid", _("The period cannot end after this month."),
                               field="to")
    if start > end:
        raise ValidationFailed("invalid", _("The period must start before it ends."),
                               field="from")
    if len(Period(start, end).months) > MAX_MONTHS:
        raise ValidationFailed("invalid", _("Choose at most twelve months."), field="from")
    return Period(start, end)


def _first_purchase() -> tuple[Any, Any]:
    """Per customer: the first counter sale's moment and id, the first signature's."""
    sale = (Sale.objects.filter(customer=OuterRef("customer_id"), kind=SaleKind.SALE)
            .order_by("created_at", "id"))
    contract = (Contract.objects.filter(customer=OuterRef("customer_id"),
                                        signed_at__isnull=False)
                .order_by("signed_at", "id"))
    return sale, contract


def _collect(user: Actor, span: Period, *, branch_id: int | None) -> dict[Key, Kpis]:
    """Every measure per (branch, employee): nine grouped queries (plus the plans'
    actuals, five per month) whatever the number of branches and employees."""
    start, end = span.bounds
    out: dict[Key, Kpis] = {}
    r: Any

    def row(branch: int, employee: int | None) -> Kpis:
        return out.setdefault((branch, employee), Kpis(branch, employee))

    first_sale, first_contract = _first_purchase()
    sales = (Sale.objects.visible_to(user, perms.GOALS_VIEW, branch_id=branch_id)
             .filter(kind=SaleKind.SALE, customer__isnull=False,
                     created_at__gte=start, created_at__lt=end)
             .annotate(primary=ExpressionWrapper(
                 Q(pk=Subquery(first_sale.values("id")[:1]))
                 & ~Exists(first_contract.filter(signed_at__lte=OuterRef("created_at"))),
                 output_field=BooleanField()))
             .values("branch_id", "seller_id", "primary")
             .annotate(n=Count("id"), amount=Sum("total_gross")).order_by())
    for r in sales:
        k = row(r["branch_id"], r["seller_id"])
        amount = Decimal(str(r["amount"] or 0)).quantize(Decimal("0.01"))
        if r["primary"]:
            k.primary += r["n"]
            k.primary_amount += amount
        else:
            k.repeat += r["n"]
            k.repeat_amount += amount

    contracts = (Contract.objects.visible_to(user, perms.GOALS_VIEW, branch_id=branch_id)
                 .filter(signed_at__gte=start, signed_at__lt=end)
                 .annotate(primary=ExpressionWrapper(
                     Q(pk=Subquery(first_contract.values("id")[:1]))
                     & ~Exists(first_sale.filter(created_at__lt=OuterRef("signed_at"))),
                     output_field=BooleanField()))
                 .values("branch_id", "prepared_by_id", "primary")
                 .annotate(n=Count("id")).order_by())
    for r in contracts:
        k = row(r["branch_id"], r["prepared_by_id"])
        if r["primary"]:
            k.primary += r["n"]
        else:
            k.repeat += r["n"]

    bought = Q(Exists(Sale.objects.filter(customer=OuterRef("pk"), kind=SaleKind.SALE,
                                          created_at__lt=end))) | Q(Exists(
        Contract.objects.filter(customer=OuterRef("pk"), signed_at__lt=end)))
    registered = (Customer.objects.visible_to(user, perms.GOALS_VIEW, branch_id=branch_id)
                  .filter(created_at__gte=start, created_at__lt=end, merged_into__isnull=True)
                  .annotate(converted=ExpressionWrapper(bought, output_field=BooleanField()))
                  .values("branch_id", "created_by_id", "converted")
                  .annotate(n=Count("id")).order_by())
    for r in registered:
        k = row(r["branch_id"], r["created_by_id"])
        k.registered += r["n"]
        if r["converted"]:
            k.converted += r["n"]

    snapshots = _month_snapshots(span)
    if snapshots:
        history = (Standing.objects.visible_to(user, perms.GOALS_VIEW, branch_id=branch_id)
                   .filter(snapshot_id__in=snapshots)
                   .values("branch_id", "customer__created_by_id")
                   .annotate(lost=Count("id", filter=Q(category=Category.LOST)
                                        & ~Q(prev_category__in=[Category.LOST, ""])),
                             restored=Count("id", filter=Q(category=Category.RESTORED)
                                            & ~Q(prev_category__in=[Category.RESTORED, ""])),
                             reclassed=Count("id", filter=~Q(prev_category="")
                                           & (~Q(prev_abc=F("abc")) | ~Q(prev_xyz=F("xyz")))))
                   .order_by())
        for r in history:
            if r["lost"] or r["restored"] or r["reclassed"]:
                k = row(r["branch_id"], r["customer__created_by_id"])
                k.lost += r["lost"]
                k.restored += r["restored"]
                k.class_changes += r["reclassed"]

    allowed = set(Branch.objects.visible_to(user, perms.GOALS_VIEW).values_list("pk", flat=True))
    only = branch_id or (next(iter(allowed)) if len(allowed) == 1 else None)
    for month in span.months:
        for (b, e), values in plans.actuals(month, only).items():
            if b in allowed:
                k = row(b, e)
                for code in plans.CODES:
                    k.actual[code] += values[code]  # type: ignore[operator]
    return out


def _month_snapshots(span: Period) -> list[int]:
    """The kept snapshot of each month of the period (the last finished one)."""
    found: dict[int, int] = {}
    for pk, month in (Snapshot.objects.filter(status=SnapshotStatus.DONE,
                                              month__gte=month_index(span.first),
                                              month__lte=month_index(span.last))
                      .order_by("month", "as_of", "pk").values_list("pk", "month")):
        found[month] = pk
    return list(found.values())


def _plans(user: Actor, span: Period, *, branch_id: int | None
           ) -> dict[Key, dict[str, Decimal | int]]:
    out: dict[Key, dict[str, Decimal | int]] = {}
    rows: Any = (SalesPlan.objects.visible_to(user, perms.GOALS_VIEW, branch_id=branch_id)
            .filter(month__gte=span.first, month__lte=span.last)
            .values("branch_id", "employee_id")
            .annotate(**{c: Sum(c) for c in plans.CODES}).order_by())
    for r in rows:
        out[(r["branch_id"], r["employee_id"])] = {c: r[c] or 0 for c in plans.CODES}
    return out


@dataclass
class Report:
    period: Period
    #: per branch (branch_id None) or per employee of the chosen branch, then the total
    rows: list[Kpis]
    total: Kpis
    branch: Branch | None


def report(user: Actor, span: Period, *, branch_id: int | None = None) -> Report:
    """HQ without a branch: one row per branch; a branch (a manager's own): one row per
    employee who did anything or has a plan, the branch's total last."""
    found = _collect(user, span, branch_id=branch_id)
    planned = _plans(user, span, branch_id=branch_id)
    branches = {b.pk: b for b in Branch.objects.visible_to(user, perms.GOALS_VIEW)
                .filter(kind=BranchKind.BRANCH, **({"pk": branch_id} if branch_id else {}))}
    per_branch: dict[int, Kpis] = {}
    for (b, _e), k in found.items():
        if b in branches:
            per_branch.setdefault(b, Kpis(b, None, branches[b].name)).add(k)
    for (b, e), values in planned.items():
        if b in branches and e is None:
            per_branch.setdefault(b, Kpis(b, None, branches[b].name)).plan = values
    chosen = branches.get(branch_id) if branch_id else (
        next(iter(branches.values())) if len(branches) == 1 else None)
    total = Kpis(0, None, "")
    for k in per_branch.values():
        total.add(k)
    if chosen is None:
        rows = sorted((per_branch.get(b) or Kpis(b, None, branch.name)
                       for b, branch in branches.items()),
                      key=lambda k: (k.name.lower(), k.branch_id))
        if any(k.plan for k in rows):
            total.plan = plans.zero()
            for k in rows:
                for c in plans.CODES:
                    total.plan[c] += (k.plan or plans.zero())[c]  # type: ignore[operator]
        return Report(span, rows, total, None)
    people = {(b, e): k for (b, e), k in found.items() if b == chosen.pk}
    for (b, e), values in planned.items():
        if b == chosen.pk and e is not None:
            people.setdefault((b, e), Kpis(b, e)).plan = values
    names = {e.pk: e.get_full_name() or e.email for e in
             Employee.objects.filter(pk__in=[e for (_b, e) in people if e is not None])}
    rows = []
    for (_b, e), k in people.items():
        k.name = names.get(e, "") if e is not None else _("nobody (imported, system)")
        rows.append(k)
    rows.sort(key=lambda k: (k.employee_id is None, k.name.lower(), k.employee_id or 0))
    branch_total = per_branch.get(chosen.pk, Kpis(chosen.pk, None, chosen.name))
    branch_total.name = chosen.name
    return Report(span, rows, branch_total, chosen)


def today_period(today: datetime.date | None = None) -> Period:
    return period(today=today or timezone.localdate())
