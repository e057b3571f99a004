"""The loyalty index and sources page (R12.7) and its CSV export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from punkt.analytics import loyalty
from punkt.analytics import permissions as perms
from punkt.analytics.campaign_views import _period as _kpi_period
from punkt.core import charts
from punkt.core.audit import audit_record
from punkt.core.exports import table_response
from punkt.core.reauth import recent_authentication_required
from punkt.core.reports import reads_reports
from punkt.core.routes import scoped
from punkt.core.web import int_param
from punkt.organization import permissions as org_perms
from punkt.organization.filters import branch_picker


def _zl(value: Any) -> str:
    return f"{value:,.2f}".replace(",", " ").replace(".", ",")


@scoped("list")
@login_required
@reads_reports
def loyalty_page(request: HttpRequest) -> HttpResponse:
    """HQ: every branch or one; a manager: his branch."""
    org_perms.ensure(request.user, perms.GOALS_VIEW.code)
    branch = int_param(request.GET.get("branch"))
    span, error = _kpi_period(request)
    found = loyalty.report(request.user, span, branch_id=branch)
    labels = [date_format(m.month, "m.y") for m in found.months]
    chart = charts.lines(labels, [
        charts.Series(_("Revenue (zł, gross, less returns)"),
                      [m.revenue for m in found.months], tone="1"),
    ], title=_("Counter sales month by month"), fmt=_zl, testid="chart-months")
    buyers = charts.columns(labels, [m.buyers for m in found.months],
                            title=_("Customers buying at the counter per month"),
                            testid="chart-buyers")
    params = {k: str(v) for k, v in request.GET.items() if k in ("branch", "from", "to") and v}
    return render(request, "analytics/loyalty.html", {
        "report": found, "period": span, "error": error, "chart": chart,
        "buyers_chart": buyers,
        "picker": branch_picker(request.user, perms.GOALS_VIEW.code, branch),
        "export_url": reverse("analytics:loyalty_export") + "?" + urlencode(params),
        "can_export": org_perms.can(request.user, perms.ANALYTICS_EXPORT.code)})



@scoped("list")
@login_required
@recent_authentication_required
@reads_reports
def loyalty_export(request: HttpRequest) -> HttpResponseBase:
    """The figures, the months and the sources as CSV (C25); audited (C26)."""
    org_perms.ensure(request.user, perms.GOALS_VIEW.code)
    org_perms.ensure(request.user, perms.ANALYTICS_EXPORT.code)
    branch = int_param(request.GET.get("branch"))
    span, _error = _kpi_period(request)
    audit_record(action="analytics.loyalty.export", actor=request.user,
                 message=f"from={span.first:%Y-%m} to={span.last:%Y-%m} branch={branch or ''}")
    r = loyalty.report(request.user, span, branch_id=branch)

    def rows() -> Iterator[list[Any]]:
        yield [_("Buyers"), r.buyers]
        yield [_("Buying again"), r.repeat]
        yield [_("Loyalty index (%)"), r.index]
        yield [_("Revenue from existing customers (zł)"), r.revenue_existing]
        yield [_("Revenue from new customers (zł)"), r.revenue_new]
        yield [_("Revenue without a customer (zł)"), r.revenue_anonymous]
        yield [_("Recommended customers buying"), r.recommended_buyers]
        yield [_("Their purchases"), r.recommended_purchases]
        yield [_("Their revenue (zł)"), r.recommended_revenue]
        yield [_("Products per customer"), r.products_per_customer]
        yield []
        yield [_("Month"), _("Sales"), _("Revenue (zł)"), _("Customers buying"),
               _("Contracts signed")]
        for m in r.months:
            yield [f"{m.month:%Y-%m}", m.sales, m.revenue, m.buyers, m.contracts]
        yield []
        yield [_("Source"), _("Customers registered"), _("Customers buying"),
               _("Revenue (zł)")]
        for s in r.sources:
            yield [str(s.label), s.customers, s.buyers, s.revenue]

    stamp = timezone.localtime().strftime("%Y-%m-%d_%H%M")
    return table_response(request, f"lojalnosc_{span.first:%Y-%m}_{span.last:%Y-%m}_{stamp}.csv",
                        [_("Measure"), _("Value")], rows())


