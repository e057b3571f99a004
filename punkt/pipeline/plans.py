"""Sales plans per branch, employee and month (R11.6) and what was done against them.

HQ sets each branch's plan for a month; the branch's manager splits it among the branch's
employees (the split is checked against the branch's plan: a warning, not a refusal — a
manager may plan above HQ). A plan of a past month is locked. Every change is audited.

What was done (the actuals) is read set-based for one month and any number of branches at
once — one grouped query per source, whatever the number of branches or employees — from
the records that exist (``docs/sales-plans.md``):

* counter sales (``sales``), net of VAT, returns subtracted, by the seller;
* what was collected on HQ's invoices at the branch's till (``cashdesk``: the amount
  allocated to invoices, a payment reversed and its reversal left out — the rule of
  ``punkt.analytics.refresh.money_sources``), by the cashier;
* contracts signed (``contracts``: the month of ``signed_at``, the rule of the kept
  ``MonthlyFigures.signed``), by the employee who prepared them;
* new customers registered at the branch (``customers``; merged duplicates left out),
  by the employee who registered them;
* opportunities won (this area), by their owner.

Months are Warsaw's calendar months: from midnight of the first day in Warsaw to midnight
of the next month's first day (a DST change inside the month shifts nothing).
"""

from __future__ import annotations

import datetime
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punkt.core.audit import audit_record
from punkt.core.errors import ValidationFailed
from punkt.core.money import AmountTooLarge, cents, parse_amount, vat_from_gross
from punkt.core.roles import Role
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Branch, BranchKind, Employee, Membership
from punkt.pipeline import permissions as perms
from punkt.pipeline.models import SalesPlan

WARSAW = ZoneInfo("Europe/Warsaw")
#: seed 000's goal: 20 % more new customers a month
GOAL_GROWTH = Decimal("1.20")
COUNT_MAX = 1_000_000
MONTH_TEXT = re.compile(r"^(\d{4})-(\d{2})$")
#: the roles whose holders get a share of the branch's plan
PLANNED_ROLES = (Role.MANAGER, Role.SERVICE, Role.RETENTION, Role.CASHIER)


@dataclass(frozen=True)
class Measure:
    code: str
    label: Promise
    money: bool


MEASURES: tuple[Measure, ...] = (
    Measure("sales_net", gettext_lazy("Counter sales (net, PLN)"), True),
    Measure("collected", gettext_lazy("Collected on HQ invoices (PLN)"), True),
    Measure("contracts", gettext_lazy("Contracts signed"), False),
    Measure("new_customers", gettext_lazy("New customers"), False),
    Measure("won", gettext_lazy("Sales won"), False),
)
CODES: tuple[str, ...] = tuple(m.code for m in MEASURES)
Values = dict[str, Decimal | int]


def zero() -> Values:
    return {m.code: Decimal("0.00") if m.money else 0 for m in MEASURES}


# --- months ----------------------------------------------------------------------------

def current_month(today: datetime.date | None = None) -> datetime.date:
    return (today or timezone.localdate()).replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Midnight in Warsaw of the month's first day and of the next month's first day."""
    start = datetime.datetime.combine(month.replace(day=1), datetime.time.min, tzinfo=WARSAW)
    end = datetime.datetime.combine(next_month(month), datetime.time.min, tzinfo=WARSAW)
    return start, end


def parse_month(value: Any, *, field: str = "month") -> datetime.date:
    """``YYYY-MM`` (or a date: its month) → the month's first day; else refused naming
    ``field``."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    match = MONTH_TEXT.match(str(value or "").strip())
    if match and 2000 <= int(match[1]) <= 2200 and 1 <= int(match[2]) <= 12:
        return datetime.date(int(match[1]), int(match[2]), 1)
    raise ValidationFailed("invalid", _("Give the month as YYYY-MM."), field=field)


def is_locked(month: datetime.date, today: datetime.date | None = None) -> bool:
    """A plan of a month that is over can no longer be changed."""
    return month < current_month(today)


def last_friday(month: datetime.date) -> datetime.date:
    day = next_month(month) - datetime.timedelta(days=1)
    return day - datetime.timedelta(days=(day.weekday() - 4) % 7)


def preparation_day(month: datetime.date) -> datetime.date:
    """The working day before the month's last Friday: the day the packs of the previous
    month are prepared for the meeting on that Friday."""
    from punkt.core.calendar import is_working_day

    day = last_friday(month) - datetime.timedelta(days=1)
    while not is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day


def percent(actual: Decimal | int, plan: Decimal | int) -> int | None:
    """Whole percent of the plan (half up); None without a plan."""
    if not plan:
        return None
    return int((Decimal(actual) * 100 / Decimal(plan)).quantize(Decimal("1"),
                                                                 rounding="ROUND_HALF_UP"))


def goal(this: int, last: int) -> dict[str, Any]:
    """Seed 000's goal: this month's new customers at least 20 % above last month's
    (rounded up to a whole customer); a month with none is never met."""
    target = math.ceil(Decimal(last) * GOAL_GROWTH)
    growth = percent(this - last, last) if last else None
    return {"this": this, "last": last, "target": target, "growth": growth,
            "met": this > 0 and this >= target}


# --- values ----------------------------------------------------------------------------

def parse_values(values: Mapping[str, Any]) -> Values:
    """Every measure from ``values`` (blank → 0): money as people type it, counts as whole
    numbers; the first bad one refused naming its field."""
    out = zero()
    for m in MEASURES:
        raw = values.get(m.code)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        if m.money:
            try:
                out[m.code] = parse_amount(raw)
            except AmountTooLarge:
                raise ValidationFailed("too_large", _("The amount is too large."),
                                       field=m.code) from None
            except ValueError:
                raise ValidationFailed(
                    "invalid", _("Give an amount in PLN, e.g. 12 500,00."),
                    field=m.code) from None
        else:
            text = str(raw).strip()
            if isinstance(raw, bool) or not (text.isascii() and text.isdigit()) \
                    or int(text) > COUNT_MAX:
                raise ValidationFailed("invalid", _("Give a whole number from 0 to %(n)d.")
                                       % {"n": COUNT_MAX}, field=m.code)
            out[m.code] = int(text)
    return out


def values_of(plan: SalesPlan | None) -> Values:
    if plan is None:
        return zero()
    return {c: getattr(plan, c) for c in CODES}


# --- changes ---------------------------------------------------------------------------

def _branch(branch_id: Any) -> Branch:
    try:
        pk = int(str(branch_id))
    except (TypeError, ValueError):
        raise ValidationFailed("invalid", _("Choose a branch."), field="branch_id") from None
    branch = Branch.objects.filter(pk=pk, kind=BranchKind.BRANCH).first()
    if branch is None:
        raise ValidationFailed("invalid", _("Choose a branch."), field="branch_id")
    return branch


def planned_employees(branch_id: int) -> list[Employee]:
    """The branch's active staff in the roles that sell (one query)."""
    ids = (Membership.objects.filter(branch_id=branch_id, is_active=True,
                                     role__in=[str(r) for r in PLANNED_ROLES],
                                     employee__is_active=True)
           .values("employee_id"))
    return list(Employee.objects.filter(pk__in=ids).order_by("last_name", "first_name", "pk"))


@transaction.atomic
def plan_set(*, actor: Actor, branch_id: Any, month: Any, values: Mapping[str, Any],
             employee_id: Any = None, today: datetime.date | None = None) -> SalesPlan:
    """Set the branch's plan for a month (HQ: ``pipeline.plan.set``) or, with
    ``employee_id``, one employee's share (the manager: ``pipeline.plan.split``)."""
    code = perms.PLAN_SET.code if employee_id in (None, "") else perms.PLAN_SPLIT.code
    org_perms.ensure(actor, code)
    branch = _branch(branch_id)
    org_perms.ensure(actor, code, branch_id=branch.pk)
    first = parse_month(month)
    if is_locked(first, today):
        raise ValidationFailed("locked", _("The plan of a month that is over is locked."),
                               field="month")
    employee: Employee | None = None
    if employee_id not in (None, ""):
        employee = next((e for e in planned_employees(branch.pk)
                         if str(e.pk) == str(employee_id).strip()), None)
        if employee is None:
            raise ValidationFailed("invalid", _("Choose an employee of the branch."),
                                   field="employee_id")
    new = parse_values(values)
    rows = SalesPlan.objects.select_for_update().filter(branch=branch, month=first,
                                                        employee=employee)
    plan = rows.first()
    if plan is None:
        try:
            with transaction.atomic():
                plan = SalesPlan.objects.create(branch=branch, month=first, employee=employee,
                                                updated_by=employee_of(actor), **new)
            before = zero()
        except IntegrityError:  # set at the same moment by someone else: change theirs
            plan = rows.get()
            before = values_of(plan)
    else:
        before = values_of(plan)
    changes = {c: [str(before[c]), str(new[c])] for c in CODES if before[c] != new[c]}
    if plan.pk and any(getattr(plan, c) != new[c] for c in CODES):
        for c in CODES:
            setattr(plan, c, new[c])
        plan.updated_by = employee_of(actor)
        plan.save()
    audit_record(action="pipeline.plan.set", obj=plan, actor=actor, branch_id=branch.pk,
                 changes={"month": first.isoformat(),
                          "employee": employee.pk if employee else None, **changes})
    return plan


@transaction.atomic
def plan_fill_year(*, actor: Actor, branch_id: Any, year: Any, values: Mapping[str, Any],
                   today: datetime.date | None = None) -> int:
    """The same branch plan for every month of ``year`` not yet over; how many were set."""
    org_perms.ensure(actor, perms.PLAN_SET.code)
    text = str(year or "").strip()
    if not (text.isascii() and text.isdigit()) or not 2000 <= int(text) <= 2200:
        raise ValidationFailed("invalid", _("Give the year, e.g. 2027."), field="year")
    parse_values(values)  # refused before anything is written
    months = [datetime.date(int(text), n, 1) for n in range(1, 13)]
    open_months = [m for m in months if not is_locked(m, today)]
    if not open_months:
        raise ValidationFailed("locked", _("Every month of that year is over."), field="year")
    for m in open_months:
        plan_set(actor=actor, branch_id=branch_id, month=m, values=values, today=today)
    return len(open_months)


@transaction.atomic
def plan_set_many(*, actor: Actor, branch_id: Any,
                  rows: Iterable[tuple[Any, Any, Mapping[str, Any]]],
                  today: datetime.date | None = None) -> int:
    """Several plans of one branch at once — ``(month, employee_id or None, values)`` each
    (the year's grid, the month's split) — all or none; a refusal names the row's field
    as ``<measure>-<month>`` or ``<measure>-<employee id>``. Rows whose values did not
    change are left alone; how many were set."""
    done = 0
    for month, employee_id, values in rows:
        first = parse_month(month)
        current = SalesPlan.objects.filter(branch_id=branch_id, month=first,
                                           employee=employee_id or None).first()
        try:
            new = parse_values(values)
            if current is not None and values_of(current) == new:
                continue
            if current is None and new == zero():
                continue
            plan_set(actor=actor, branch_id=branch_id, month=first, values=values,
                     employee_id=employee_id, today=today)
        except ValidationFailed as exc:
            where = employee_id if employee_id else first.strftime("%Y-%m")
            field = f"{exc.field}-{where}" if exc.field in CODES else exc.field
            label = (first.strftime("%m.%Y") if not employee_id else
                     str(Employee.objects.filter(pk=employee_id).first() or employee_id))
            raise ValidationFailed(exc.code, f"{label}: {exc.message}", field=field) from None
        done += 1
    return done


# --- reads -----------------------------------------------------------------------------

def visible_branches(user: Actor, permission: Any) -> Any:
    return Branch.objects.visible_to(user, permission).filter(kind=BranchKind.BRANCH)


def branch_get(user: Actor, branch_id: Any, permission: Any) -> Branch:
    return visible_branches(user, permission).get_or_not_found(
        branch_id, missing=_("Branch not found."))


@dataclass
class MonthRow:
    month: datetime.date
    plan: SalesPlan | None
    locked: bool
    values: Values


def branch_year(*, branch: Branch, year: int, today: datetime.date | None = None
                ) -> list[MonthRow]:
    """The branch's plan for each month of ``year`` (one query)."""
    plans = {p.month: p for p in SalesPlan.objects.filter(
        branch=branch, employee__isnull=True, month__year=year)}
    out = []
    for n in range(1, 13):
        m = datetime.date(year, n, 1)
        out.append(MonthRow(m, plans.get(m), is_locked(m, today), values_of(plans.get(m))))
    return out


@dataclass
class SplitRow:
    employee: Employee
    values: Values
    planned: bool


@dataclass
class Split:
    branch: Branch
    month: datetime.date
    locked: bool
    branch_plan: SalesPlan | None
    rows: list[SplitRow]
    sums: Values
    #: measure code → (the employees' sum, the branch's plan) where they differ
    differences: dict[str, tuple[Decimal | int, Decimal | int]]


def month_split(*, branch: Branch, month: datetime.date, today: datetime.date | None = None
                ) -> Split:
    """The branch's plan for ``month`` and each employee's share, with the sum check."""
    plans = list(SalesPlan.objects.filter(branch=branch, month=month))
    branch_plan = next((p for p in plans if p.employee_id is None), None)
    by_employee = {p.employee_id: p for p in plans if p.employee_id is not None}
    people = planned_employees(branch.pk)
    known = {e.pk for e in people}
    # a share kept for someone who has since left the branch still counts in the sum
    gone = [i for i in by_employee if i not in known]
    people += list(Employee.objects.filter(pk__in=gone))
    rows = [SplitRow(e, values_of(by_employee.get(e.pk)), e.pk in by_employee)
            for e in people]
    sums = zero()
    for r in rows:
        for c in CODES:
            sums[c] += r.values[c]  # type: ignore[operator]
    target = values_of(branch_plan)
    differences = {c: (sums[c], target[c]) for c in CODES
                   if branch_plan is not None and sums[c] != target[c]}
    return Split(branch, month, is_locked(month, today), branch_plan, rows, sums, differences)


def plans_of(user: Actor, *, month: datetime.date | None = None, branch_id: int | None = None
             ) -> Any:
    """Plans the user may read: the branches' (plan setters and pack readers) and their
    own."""
    from django.db.models import Q

    qs = SalesPlan.objects.visible_to(user, perms.PACK_VIEW, branch_id=branch_id)
    me = employee_of(user)
    if me is not None and org_perms.can(user, perms.PLAN_OWN.code):
        own = SalesPlan.objects.filter(employee=me)
        if branch_id:
            own = own.filter(branch_id=branch_id)
        qs = SalesPlan.objects.filter(Q(pk__in=qs.values("pk")) | Q(pk__in=own.values("pk")))
    if month is not None:
        qs = qs.filter(month=month)
    return qs.select_related("branch", "employee").order_by("-month", "branch__name",
                                                            "employee_id", "pk")


# --- actuals ---------------------------------------------------------------------------

#: (branch id, employee id or None) → values
Actuals = dict[tuple[int, int | None], Values]


def actuals(month: datetime.date, branch_id: int | None = None) -> Actuals:
    """What was done in ``month`` per branch and employee, of one branch or (None) of
    every branch: five grouped queries either way. Callers check who may read it."""
    from punkt.cashdesk.models import Payment
    from punkt.contracts.models import Contract
    from punkt.customers.models import Customer
    from punkt.pipeline.models import Opportunity, OpportunityStatus
    from punkt.sales.models import SaleKind, SaleLine

    start, end = month_bounds(month)
    out: Actuals = defaultdict(zero)

    def scoped(qs: Any, path: str) -> Any:
        return qs if branch_id is None else qs.filter(**{path: branch_id})

    lines = scoped(SaleLine.objects.filter(sale__created_at__gte=start,
                                           sale__created_at__lt=end), "sale__branch_id")
    for r in (lines.values("sale__branch_id", "sale__seller_id", "sale__kind", "vat_rate")
              .annotate(gross=Sum("total_gross")).order_by()):
        # the net taken out of the sum per rate, as the receipts' VAT is (core.money)
        (vat,) = vat_from_gross([(r["vat_rate"], cents(Decimal(str(r["gross"] or 0))))])
        sign = -1 if r["sale__kind"] == SaleKind.RETURN else 1
        key = (r["sale__branch_id"], r["sale__seller_id"])
        out[key]["sales_net"] += sign * vat.net  # type: ignore[operator]

    payments = scoped(Payment.objects.filter(created_at__gte=start, created_at__lt=end,
                                             reverses__isnull=True,
                                             reversed_by__isnull=True), "branch_id")
    for r in payments.values("branch_id", "cashier_id").annotate(a=Sum("allocated")).order_by():
        out[(r["branch_id"], r["cashier_id"])]["collected"] += cents(Decimal(str(r["a"] or 0)))  # type: ignore[operator]

    contracts = scoped(Contract.objects.filter(signed_at__gte=start, signed_at__lt=end),
                       "branch_id")
    for r in contracts.values("branch_id", "prepared_by_id").annotate(n=Count("id")).order_by():
        out[(r["branch_id"], r["prepared_by_id"])]["contracts"] += r["n"]  # type: ignore[operator]

    customers = scoped(Customer.objects.filter(created_at__gte=start, created_at__lt=end,
                                               merged_into__isnull=True), "branch_id")
    for r in customers.values("branch_id", "created_by_id").annotate(n=Count("id")).order_by():
        out[(r["branch_id"], r["created_by_id"])]["new_customers"] += r["n"]  # type: ignore[operator]

    won = scoped(Opportunity.objects.filter(status=OpportunityStatus.WON,
                                            closed_at__gte=start, closed_at__lt=end),
                 "branch_id")
    for r in won.values("branch_id", "owner_id").annotate(n=Count("id")).order_by():
        out[(r["branch_id"], r["owner_id"])]["won"] += r["n"]  # type: ignore[operator]

    for values in out.values():
        for m in MEASURES:
            if m.money:
                values[m.code] = Decimal(values[m.code]).quantize(Decimal("0.01"))
    return dict(out)


def branch_totals(found: Actuals) -> dict[int, Values]:
    totals: dict[int, Values] = defaultdict(zero)
    for (branch_id, _employee), values in found.items():
        for c in CODES:
            totals[branch_id][c] += values[c]  # type: ignore[operator]
    return dict(totals)


def new_customers(month: datetime.date, branch_id: int | None = None) -> dict[int, int]:
    """New customers per branch in ``month`` (one query)."""
    from punkt.customers.models import Customer

    start, end = month_bounds(month)
    qs = Customer.objects.filter(created_at__gte=start, created_at__lt=end,
                                 merged_into__isnull=True)
    if branch_id is not None:
        qs = qs.filter(branch_id=branch_id)
    return {r["branch_id"]: r["n"] for r in
            qs.values("branch_id").annotate(n=Count("id")).order_by()}


def own_month(user: Actor, today: datetime.date | None = None) -> dict[str, Any] | None:
    """The user's plan for this month against what they did so far (the "My plan"
    panel); None without a plan."""
    me = employee_of(user)
    if me is None or not org_perms.can(user, perms.PLAN_OWN.code):
        return None
    month = current_month(today)
    plans = list(SalesPlan.objects.filter(employee=me, month=month).select_related("branch"))
    if not plans:
        return None
    branch_ids = [p.branch_id for p in plans]  # one, unless they moved in the month
    found: Actuals = {}
    for b in branch_ids:
        found.update(actuals(month, b))
    rows = []
    for m in MEASURES:
        plan = sum((getattr(p, m.code) for p in plans), Decimal(0) if m.money else 0)
        done = sum((found.get((b, me.pk), zero())[m.code] for b in branch_ids),
                   Decimal(0) if m.money else 0)
        if plan or done:
            rows.append({"measure": m, "plan": plan, "actual": done,
                         "percent": percent(done, plan)})
    return {"month": month, "rows": rows}
