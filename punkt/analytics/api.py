"""API of customer analytics: /api/v1/analytics/… — the same selectors as the pages,
figures of the current refresh (or of a month of its history, ``snapshot_id``)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Sum
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from punkt.analytics import goals, kpis, selectors
from punkt.analytics import permissions as perms
from punkt.analytics.models import Cell, Snapshot, Standing, zl
from punkt.core.api import Page, errors, known_id, page_slice
from punkt.core.errors import NotFound, ValidationFailed
from punkt.core.reports import reads_reports
from punkt.core.routes import scoped
from punkt.customers.models import Customer
from punkt.organization import permissions as org_perms

router = Router(tags=["customer analytics"])

Klass = Literal["A", "B", "C", "-"]
XKlass = Literal["X", "Y", "Z", "-"]
CategoryName = Literal["potential", "new", "regular", "lost", "restored"]


class SnapshotOut(Schema):
    id: int
    as_of: datetime.date
    finished_at: datetime.datetime | None
    window_months: int
    period_months: int
    abc_thresholds: list[int]
    xyz_thresholds: list[int]


class CellOut(Schema):
    category: str
    abc: str
    xyz: str
    customers: int
    turnover: Decimal


class BranchCountOut(Schema):
    branch_id: int
    branch_code: str
    customers: int
    turnover: Decimal


class MatrixOut(Schema):
    snapshot: SnapshotOut | None
    cells: list[CellOut]
    branches: list[BranchCountOut]


class MatrixQuery(Schema):
    branch_id: int | None = Field(None, ge=1, le=2**62)
    snapshot_id: int | None = Field(None, ge=1, le=2**62)


class StandingOut(Schema):
    customer_id: int
    customer_number: str
    customer_name: str
    branch_id: int
    as_of: datetime.date
    category: str
    abc: str
    xyz: str
    turnover: Decimal
    cv_percent: float | None
    previous_category: str
    previous_abc: str
    previous_xyz: str
    changed: bool


class StandingListOut(Schema):
    snapshot: SnapshotOut | None
    items: list[StandingOut]
    page: Page


class StandingQuery(Schema):
    abc: Klass | None = None
    xyz: XKlass | None = None
    category: CategoryName | None = None
    change: Literal["changed", "drop"] | None = None
    branch_id: int | None = Field(None, ge=1, le=2**62)
    snapshot_id: int | None = Field(None, ge=1, le=2**62)
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class CustomerClassesOut(Schema):
    current: StandingOut | None
    history: list[StandingOut]


def _snap(s: Snapshot | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {"id": s.pk, "as_of": s.as_of, "finished_at": s.finished_at,
            "window_months": s.window_months, "period_months": s.period_months,
            "abc_thresholds": [s.abc_a, s.abc_b], "xyz_thresholds": [s.xyz_x, s.xyz_y]}


def _row(s: Standing, as_of: datetime.date) -> dict[str, Any]:
    return {"customer_id": s.customer_id, "customer_number": s.customer.number,
            "customer_name": s.customer.display_name, "branch_id": s.branch_id,
            "as_of": as_of, "category": s.category, "abc": s.abc, "xyz": s.xyz,
            "turnover": zl(s.turnover),
            "cv_percent": None if s.cv is None else round(s.cv, 2),
            "previous_category": s.prev_category, "previous_abc": s.prev_abc,
            "previous_xyz": s.prev_xyz, "changed": s.changed}


def _snapshot_param(snapshot_id: int | None) -> Snapshot | None:
    return selectors.snapshot_for(snapshot_id) if snapshot_id else selectors.current()


@router.get("/analytics/matrix", response={200: MatrixOut, **errors()},
            operation_id="analytics_matrix")
@scoped("list")
@reads_reports
def analytics_matrix(request: HttpRequest, q: Query[MatrixQuery]) -> dict[str, Any]:
    """Customers and turnover per category × ABC × XYZ (the 9-cell table and the
    categories), over the branches the caller sees or one of them; and per branch."""
    org_perms.ensure(request.user, perms.ANALYTICS_VIEW.code)
    snap = _snapshot_param(q.snapshot_id)
    if snap is None:
        return {"snapshot": None, "cells": [], "branches": []}
    cells = (Cell.objects.visible_to(request.user, perms.ANALYTICS_VIEW, branch_id=q.branch_id)
             .filter(snapshot=snap))
    grouped = (cells.values("category", "abc", "xyz")
               .annotate(n=Sum("customers"), t=Sum("turnover"))
               .order_by("category", "abc", "xyz"))
    per_branch = (cells.values("branch_id", "branch__code")
                  .annotate(n=Sum("customers"), t=Sum("turnover")).order_by("branch__code"))
    return {"snapshot": _snap(snap),
            "cells": [{"category": r["category"], "abc": r["abc"], "xyz": r["xyz"],
                       "customers": r["n"], "turnover": zl(r["t"])}
                      for r in grouped],
            "branches": [{"branch_id": r["branch_id"], "branch_code": r["branch__code"],
                          "customers": r["n"], "turnover": zl(r["t"])}
                         for r in per_branch]}


@router.get("/analytics/customers", response={200: StandingListOut, **errors()},
            operation_id="analytics_customers")
@scoped("list")
@reads_reports
def analytics_customers(request: HttpRequest, q: Query[StandingQuery]) -> dict[str, Any]:
    """The customers of a cell, class, category or change, the biggest turnover first."""
    org_perms.ensure(request.user, perms.ANALYTICS_VIEW.code)
    snap = _snapshot_param(q.snapshot_id)
    qs = selectors.filtered(request.user, snap, branch_id=q.branch_id, abc=q.abc or "",
                            xyz=q.xyz or "", category=q.category or "", change=q.change or "")
    items, page = page_slice(qs, q.page, q.per_page, cap=10_000)
    return {"snapshot": _snap(snap), "items": [_row(s, snap.as_of) for s in items]
            if snap else [], "page": page}


@router.get("/analytics/customers/{customer_id}",
            response={200: CustomerClassesOut, **errors(404)},
            operation_id="analytics_customer")
@scoped("branch")
def analytics_customer(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    """One customer's category and classes now and month by month (newest first)."""
    known_id(customer_id)
    customer = (Customer.objects.visible_to(request.user, perms.ANALYTICS_VIEW)
                .filter(pk=customer_id).first())
    if customer is None:
        raise NotFound("Customer not found.")
    history = selectors.customer_history(request.user, customer)
    snap = selectors.current()
    rows = [_row(s, s.snapshot.as_of) for s in history]
    now = next((r for r, s in zip(rows, history, strict=True)
                if snap and s.snapshot_id == snap.pk), None)
    return {"current": now, "history": rows}


class GoalFiguresOut(Schema):
    month: datetime.date
    branch_id: int | None
    branch_name: str
    in_progress: bool
    new_customers: int
    new_customers_month_before: int
    new_customers_target: int
    new_customers_growth_percent: int | None
    new_customers_goal_met: bool
    materials_delivered: int
    materials_opened: int
    materials_within_hour: int
    materials_within_hour_percent: Decimal | None
    materials_median_delay_minutes: Decimal | None
    materials_goal_met: bool | None
    customers_lost: int
    customers_lost_month_before: int | None
    customers_lost_target: int | None
    customers_lost_goal_met: bool | None


class GoalsOut(Schema):
    trend: list[GoalFiguresOut]
    month: datetime.date
    branches: list[GoalFiguresOut]
    page: Page


class GoalsQuery(Schema):
    branch_id: int | None = Field(None, ge=1, le=2**62)
    month: str | None = Field(None, pattern=r"^\d{4}-\d{2}$",
                              description="YYYY-MM, one of the last twelve months")
    sort: Literal["name", "-name", "new", "-new", "growth", "-growth", "materials",
                  "-materials", "median", "-median", "lost", "-lost"] = "name"
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


def _goal(f: goals.Figures) -> dict[str, Any]:
    return {"month": f.month, "branch_id": f.branch_id, "branch_name": f.branch_name,
            "in_progress": f.in_progress, "new_customers": f.new,
            "new_customers_month_before": f.new_last, "new_customers_target": f.new_target,
            "new_customers_growth_percent": f.new_growth, "new_customers_goal_met": f.new_met,
            "materials_delivered": f.deliveries, "materials_opened": f.opened,
            "materials_within_hour": f.on_time,
            "materials_within_hour_percent": f.on_time_percent,
            "materials_median_delay_minutes": f.median_minutes,
            "materials_goal_met": f.materials_met, "customers_lost": f.lost,
            "customers_lost_month_before": f.lost_previous,
            "customers_lost_target": f.lost_target, "customers_lost_goal_met": f.lost_met}


@router.get("/analytics/goals", response={200: GoalsOut, **errors()},
            operation_id="analytics_goals")
@scoped("list")
@reads_reports
def analytics_goals(request: HttpRequest, q: Query[GoalsQuery]) -> dict[str, Any]:
    """Seed 000's three goals: the last twelve months over the branches the caller sees
    (or one of them), and each branch in ``month`` (default: the last full month)."""
    from punkt.analytics.goal_views import chosen_month

    org_perms.ensure(request.user, perms.GOALS_VIEW.code)
    month = chosen_month(q.month)
    if q.month and month.strftime("%Y-%m") != q.month:
        raise ValidationFailed("invalid", _("Choose one of the last twelve months."),
                               field="month")
    trend = goals.trend(request.user, branch_id=q.branch_id)
    table = goals.branches(request.user, month=month, sort=q.sort, branch_id=q.branch_id)
    pages = max(1, -(-len(table.rows) // q.per_page))
    number = min(q.page, pages)
    items = table.rows[(number - 1) * q.per_page:number * q.per_page]
    page = Page(count=len(table.rows), page=number, per_page=q.per_page, pages=pages)
    return {"trend": [_goal(f) for f in trend], "month": month,
            "branches": [_goal(f) for f in items], "page": page}


class PlannedOut(Schema):
    measure: str
    actual: Decimal
    plan: Decimal | None
    percent: int | None


class KpiOut(Schema):
    branch_id: int | None
    employee_id: int | None
    name: str
    registered: int
    potential: int
    converted: int
    conversion_percent: Decimal | None
    primary_sales: int
    primary_amount: Decimal
    repeat_sales: int
    repeat_amount: Decimal
    customers_lost: int
    customers_restored: int
    class_changes: int
    against_plan: list[PlannedOut]


class KpisOut(Schema):
    first_month: datetime.date
    last_month: datetime.date
    branch_id: int | None
    rows: list[KpiOut]
    total: KpiOut


class KpisQuery(Schema):
    branch_id: int | None = Field(None, ge=1, le=2**62)
    from_: str | None = Field(None, alias="from", description="YYYY-MM, the first month")
    to: str | None = Field(None, description="YYYY-MM, the last month (at most 12 months)")


def _kpi(k: kpis.Kpis) -> dict[str, Any]:
    return {"branch_id": k.branch_id or None, "employee_id": k.employee_id, "name": k.name,
            "registered": k.registered, "potential": k.potential, "converted": k.converted,
            "conversion_percent": k.conversion, "primary_sales": k.primary,
            "primary_amount": k.primary_amount, "repeat_sales": k.repeat,
            "repeat_amount": k.repeat_amount, "customers_lost": k.lost,
            "customers_restored": k.restored, "class_changes": k.class_changes,
            "against_plan": [{"measure": p["code"], "actual": p["actual"], "plan": p["plan"],
                              "percent": p["percent"]} for p in k.against_plan()]}


@router.get("/analytics/kpis", response={200: KpisOut, **errors()},
            operation_id="analytics_kpis")
@scoped("list")
@reads_reports
def analytics_kpis(request: HttpRequest, q: Query[KpisQuery]) -> dict[str, Any]:
    """Seed 003's KPIs for whole months ``from``–``to`` (default: the last three full
    months): a row per branch the caller sees, or per employee of ``branch_id`` (a
    manager: his branch), and the total; against the sales plan where one exists."""
    org_perms.ensure(request.user, perms.GOALS_VIEW.code)
    span = kpis.period(q.from_, q.to)
    found = kpis.report(request.user, span, branch_id=q.branch_id)
    return {"first_month": span.first, "last_month": span.last,
            "branch_id": found.branch.pk if found.branch else None,
            "rows": [_kpi(k) for k in found.rows], "total": _kpi(found.total)}


class EffectOut(Schema):
    branch_id: int | None = None
    branch_name: str = ""
    spent: Decimal
    customers: int
    buying: int
    sales: Decimal
    payments: Decimal
    coded_sales: int = 0
    coded_revenue: Decimal = Decimal("0.00")
    coded_contracts: int = 0
    coded_contract_value: Decimal = Decimal("0.00")
    coded_offers: int = 0
    coded_won: int = 0
    revenue: Decimal
    per_customer: Decimal | None
    per_zloty: Decimal | None


class CampaignEffectOut(EffectOut):
    campaign_id: int | None = None
    code: str = ""
    name: str = ""
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    branches: list[EffectOut] = []


class CampaignEffectsOut(Schema):
    first_month: datetime.date
    last_month: datetime.date
    rows: list[CampaignEffectOut]
    total: EffectOut
    truncated: bool


def _effect(f: Any) -> dict[str, Any]:
    return {"branch_id": getattr(f, "branch_id", None) or None,
            "branch_name": getattr(f, "branch_name", ""), "spent": f.spent,
            "customers": f.customers, "buying": f.buying, "sales": f.sales,
            "payments": f.payments, "coded_sales": f.coded_sales,
            "coded_revenue": f.coded_revenue, "coded_contracts": f.coded_contracts,
            "coded_contract_value": f.coded_contract_value, "coded_offers": f.coded_offers,
            "coded_won": f.coded_won, "revenue": f.revenue, "per_customer": f.per_customer,
            "per_zloty": f.per_zloty}


@router.get("/analytics/campaigns", response={200: CampaignEffectsOut, **errors()},
            operation_id="analytics_campaigns")
@scoped("list")
@reads_reports
def analytics_campaigns(request: HttpRequest, q: Query[KpisQuery]) -> dict[str, Any]:
    """Campaign effectiveness for the campaigns that ran in months ``from``–``to``
    (default: this month and the two before, as the page): cost, new and buying
    customers, their revenue since registration, per campaign and branch the caller
    sees."""
    from punkt.analytics import campaign_effect
    from punkt.pipeline import plans

    org_perms.ensure(request.user, perms.GOALS_VIEW.code)
    this = plans.current_month()
    span = kpis.period(q.from_ or plans.previous_month(plans.previous_month(this)),
                       q.to or this)
    last = plans.next_month(span.last) - datetime.timedelta(days=1)
    found = campaign_effect.report(request.user, first=span.first, last=last,
                                   branch_id=q.branch_id)
    rows = [{**_effect(r), "campaign_id": r.campaign.pk, "code": r.campaign.code,
             "name": r.campaign.name, "starts_on": r.campaign.starts_on,
             "ends_on": r.campaign.ends_on, "branches": [_effect(b) for b in r.branches]}
            for r in found.rows]
    return {"first_month": span.first, "last_month": span.last, "rows": rows,
            "total": _effect(found.total), "truncated": found.truncated}


class LoyaltyMonthOut(Schema):
    month: datetime.date
    sales: int
    revenue: Decimal
    buyers: int
    contracts: int


class LoyaltySourceOut(Schema):
    key: str
    label: str
    customers: int
    buyers: int
    revenue: Decimal


class LoyaltyOut(Schema):
    first_month: datetime.date
    last_month: datetime.date
    branch_id: int | None
    buyers: int
    repeat: int
    loyalty_index_percent: Decimal | None
    revenue: Decimal
    revenue_existing: Decimal
    revenue_new: Decimal
    revenue_anonymous: Decimal
    existing_share_percent: Decimal | None
    recommended_buyers: int
    recommended_purchases: int
    recommended_revenue: Decimal
    counter_buyers: int
    products: int
    products_per_customer: Decimal | None
    months: list[LoyaltyMonthOut]
    sources: list[LoyaltySourceOut]


@router.get("/analytics/loyalty", response={200: LoyaltyOut, **errors()},
            operation_id="analytics_loyalty")
@scoped("list")
@reads_reports
def analytics_loyalty(request: HttpRequest, q: Query[KpisQuery]) -> dict[str, Any]:
    """The loyalty index and sources (R12.7) for whole months ``from``–``to`` (default:
    this month and the two before it) at the branches the caller sees, or ``branch_id``."""
    from punkt.analytics import loyalty

    org_perms.ensure(request.user, perms.GOALS_VIEW.code)
    span = loyalty.period(q.from_, q.to)
    r = loyalty.report(request.user, span, branch_id=q.branch_id)
    return {"first_month": span.first, "last_month": span.last, "branch_id": q.branch_id,
            "buyers": r.buyers, "repeat": r.repeat, "loyalty_index_percent": r.index,
            "revenue": r.revenue, "revenue_existing": r.revenue_existing,
            "revenue_new": r.revenue_new, "revenue_anonymous": r.revenue_anonymous,
            "existing_share_percent": r.existing_share,
            "recommended_buyers": r.recommended_buyers,
            "recommended_purchases": r.recommended_purchases,
            "recommended_revenue": r.recommended_revenue, "counter_buyers": r.counter_buyers,
            "products": r.products, "products_per_customer": r.products_per_customer,
            "months": [vars(m) for m in r.months],
            "sources": [{"key": s.key, "label": str(s.label), "customers": s.customers,
                         "buyers": s.buyers, "revenue": s.revenue} for s in r.sources]}


class RefreshAskedOut(Schema):
    requested_at: datetime.datetime


@router.post("/analytics/refresh", response={202: RefreshAskedOut, **errors(409)},
             operation_id="analytics_refresh")
@scoped("global")
def analytics_refresh(request: HttpRequest) -> Status[Any]:
    """Queue the analytics refresh now (HQ, ``analytics.refresh.run``): 409 while one runs
    or when one was asked for in the last 10 minutes."""
    from punkt.analytics import services

    return Status(202, {"requested_at": services.refresh_request(actor=request.user)})


from punkt.analytics import segment_api  # noqa: E402, F401  (its operations join this router)
