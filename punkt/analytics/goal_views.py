"""The three goals' page and the KPIs' page (HQ: every branch, a manager his branch), their
CSV exports."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from punkt.analytics import goals, kpis
from punkt.analytics import permissions as perms
from punkt.core import charts
from punkt.core.audit import audit_record
from punkt.core.errors import ValidationFailed
from punkt.core.exports import table_response
from punkt.core.reauth import recent_authentication_required
from punkt.core.reports import reads_reports
from punkt.core.routes import scoped
from punkt.core.web import int_param, text_param
from punkt.organization import permissions as org_perms
from punkt.organization.filters import branch_picker
from punkt.pipeline import plans
from punkt.pipeline.plans import parse_month

BRANCHES_PER_PAGE = 50


def chosen_month(value: Any, today: datetime.date | None = None) -> datetime.date:
    """The month asked for if the page offers it, else the last full month."""
    offered = goals.choosable_months(today)
    try:
        month = parse_month(value)
    except Exception:  # noqa: BLE001 — any bad text means "the default"
        return goals.default_month(today)
    return month if month in offered else goals.default_month(today)


def _label(month: datetime.date) -> str:
    return date_format(month, "m.Y")


def trend_charts(trend: list[goals.Figures]) -> dict[str, SafeString]:
    labels = [date_format(f.month, "m.y") for f in trend]
    return {
        "new": charts.lines(labels, [
            charts.Series(_("New customers"), [f.new for f in trend], tone="1"),
            charts.Series(_("Goal (+20%)"), [f.new_target for f in trend], tone="muted"),
        ], title=_("New customers per month against the goal"), testid="chart-new"),
        "materials": charts.columns(
            labels, [f.on_time_percent for f in trend], goal=100, goal_label=_("goal"),
            fmt=charts.percent_format, tone="ok",
            title=_("HQ materials opened within an hour of their creation"),
            testid="chart-materials"),
        "lost": charts.lines(labels, [
            charts.Series(_("Customers who left"), [f.lost for f in trend], tone="2"),
            charts.Series(_("Goal (−15%)"), [f.lost_target for f in trend], tone="muted"),
        ], title=_("Customers lost per month against the goal"), testid="chart-lost"),
    }


def _sort_links(request: HttpRequest, sort: str) -> dict[str, dict[str, str]]:
    out = {}
    for key in goals.SORTS:
        params: dict[str, str] = {k: str(v) for k, v in request.GET.items()
                                  if k not in ("sort", "page") and v}
        params["sort"] = f"-{key}" if sort == key else key
        state = ("ascending" if sort == key else "descending" if sort == f"-{key}"
                 else "none")
        out[key] = {"url": "?" + urlencode(params), "state": state}
    return out


@scoped("list")
@login_required
@reads_reports
def goals_page(request: HttpRequest) -> HttpResponse:
    """The three goals: company-wide (or the chosen branch's) trend over twelve months,
    and every branch in the chosen month, sortable by each goal."""
    org_perms.ensure(request.user, perms.GOALS_VIEW.code)
    branch = int_param(request.GET.get("branch"))
    month = chosen_month(request.GET.get("month"))
    sort = text_param(request.GET.get("sort"), 12) or "name"
    trend = goals.trend(request.user, branch_id=branch)
    table = goals.branches(request.user, month=month, sort=sort, branch_id=branch)
    page = Paginator(table.rows, BRANCHES_PER_PAGE).get_page(request.GET.get("page"))
    params: dict[str, str] = {k: str(v) for k, v in request.GET.items() if k != "page" and v}
    return render(request, "analytics/goals.html", {
        "trend": trend, "charts": trend_charts(trend), "table": table, "page": page,
        "month": month, "months": goals.choosable_months(), "branch": branch,
        "picker": branch_picker(request.user, perms.GOALS_VIEW.code, branch),
        "sorts": _sort_links(request, table.sort),
        "query": urlencode(params),
        "export_url": reverse("analytics:goals_export") + "?" + urlencode(
            {k: v for k, v in params.items() if k in ("branch", "month", "sort")}),
        "can_export": org_perms.can(request.user, perms.ANALYTICS_EXPORT.code)})


def _yes_no(value: bool | None) -> str:
    return "" if value is None else (_("yes") if value else _("no"))



@scoped("list")
@login_required
@recent_authentication_required
@reads_reports
def goals_export(request: HttpRequest) -> HttpResponseBase:
    """The chosen month's branches and the twelve months' company rows as CSV (text cells
    neutralised, C25); audited (C26)."""
    org_perms.ensure(request.user, perms.GOALS_VIEW.code)
    org_perms.ensure(request.user, perms.ANALYTICS_EXPORT.code)
    branch = int_param(request.GET.get("branch"))
    month = chosen_month(request.GET.get("month"))
    sort = text_param(request.GET.get("sort"), 12) or "name"
    audit_record(action="analytics.goals.export", actor=request.user,
                 message=f"month={month:%Y-%m} branch={branch or ''} sort={sort}"[:2000])
    trend = goals.trend(request.user, branch_id=branch)
    table = goals.branches(request.user, month=month, sort=sort, branch_id=branch)
    everyone = _("Branches seen") if branch is None else ""

    def line(f: goals.Figures, name: str) -> list[Any]:
        return [_label(f.month), name, f.new, f.new_last, f.new_target,
                "" if f.new_growth is None else f.new_growth, _yes_no(f.new_met),
                f.deliveries, f.on_time, f.on_time_percent,
                f.median_minutes, _yes_no(f.materials_met), f.lost,
                "" if f.lost_previous is None else f.lost_previous,
                "" if f.lost_target is None else f.lost_target, _yes_no(f.lost_met)]

    def rows() -> Iterator[list[Any]]:
        for f in trend:
            yield line(f, everyone or next((r.branch_name for r in table.rows), ""))
        for f in table.rows:
            yield line(f, f.branch_name)

    stamp = timezone.localtime().strftime("%Y-%m-%d_%H%M")
    return table_response(request, f"cele_{stamp}.csv", [
        _("Month"), _("Branch"), _("New customers"), _("Month before"), _("Goal (+20%)"),
        _("Growth (%)"), _("Goal met"), _("Materials delivered"), _("Opened within an hour"),
        _("Within an hour (%)"), _("Median delay (min)"), _("Goal met"),
        _("Customers who left"), _("Month before"), _("Goal (−15%)"), _("Goal met")], rows())


def _kpi_period(request: HttpRequest) -> tuple[kpis.Period, str]:
    try:
        return kpis.period(request.GET.get("from"), request.GET.get("to")), ""
    except ValidationFailed as exc:
        return kpis.period(), exc.message


@scoped("list")
@login_required
@reads_reports
def kpis_page(request: HttpRequest) -> HttpResponse:
    """Seed 003's KPIs for a period: HQ a row per branch (or the chosen branch's
    employees), a manager his branch's employees; against plan where one exists."""
    org_perms.ensure(request.user, perms.GOALS_VIEW.code)
    branch = int_param(request.GET.get("branch"))
    span, error = _kpi_period(request)
    found = kpis.report(request.user, span, branch_id=branch)
    params = {k: str(v) for k, v in request.GET.items() if k in ("branch", "from", "to") and v}
    page = Paginator(found.rows, BRANCHES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "analytics/kpis.html", {
        "report": found, "period": span, "error": error, "branch": branch, "page": page,
        "query": urlencode({k: str(v) for k, v in request.GET.items() if k != "page" and v}),
        "picker": branch_picker(request.user, perms.GOALS_VIEW.code, branch),
        "export_url": reverse("analytics:kpis_export") + "?" + urlencode(params),
        "can_export": org_perms.can(request.user, perms.ANALYTICS_EXPORT.code)})


@scoped("list")
@login_required
@recent_authentication_required
@reads_reports
def kpis_export(request: HttpRequest) -> HttpResponseBase:
    """The KPIs' rows and total as CSV (text cells neutralised, C25); audited (C26)."""
    org_perms.ensure(request.user, perms.GOALS_VIEW.code)
    org_perms.ensure(request.user, perms.ANALYTICS_EXPORT.code)
    branch = int_param(request.GET.get("branch"))
    span, _error = _kpi_period(request)
    audit_record(action="analytics.kpis.export", actor=request.user,
                 message=f"from={span.first:%Y-%m} to={span.last:%Y-%m} branch={branch or ''}")
    found = kpis.report(request.user, span, branch_id=branch)

    def line(k: kpis.Kpis, name: str) -> list[Any]:
        planned = {p["code"]: p for p in k.against_plan()}
        out = [name, k.registered, k.potential, k.converted, k.conversion,
               k.primary, k.primary_amount, k.repeat, k.repeat_amount, k.lost, k.restored,
               k.class_changes]
        for code in kpis.PLANNED:
            p = planned[code]
            out += [p["actual"], "" if p["plan"] is None else p["plan"],
                    "" if p["percent"] is None else p["percent"]]
        return out

    def rows() -> Iterator[list[Any]]:
        for k in found.rows:
            yield line(k, k.name)
        yield line(found.total, found.total.name or _("Total"))

    header = [_("Branch") if found.branch is None else _("Employee"), _("Customers registered"),
              _("Potential"), _("Converted"), _("Conversion (%)"), _("Primary sales"),
              _("Primary sales (zł)"), _("Repeat sales"), _("Repeat sales (zł)"),
              _("Customers lost"), _("Customers restored"), _("Class changes")]
    for m in plans.MEASURES:
        if m.code in kpis.PLANNED:
            header += [str(m.label), _("Plan"), _("Of plan (%)")]
    stamp = timezone.localtime().strftime("%Y-%m-%d_%H%M")
    return table_response(request, f"kpi_{span.first:%Y-%m}_{span.last:%Y-%m}_{stamp}.csv",
                          header, rows())
