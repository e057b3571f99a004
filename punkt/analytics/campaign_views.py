"""Campaign effectiveness (R10.3): the page (a chart and the table per campaign, each
with its branches) and its CSV export."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from punkt.analytics import campaign_effect, kpis
from punkt.analytics import permissions as perms
from punkt.core import charts
from punkt.core.audit import audit_record
from punkt.core.errors import ValidationFailed
from punkt.core.exports import table_response
from punkt.core.reauth import recent_authentication_required
from punkt.core.reports import reads_reports
from punkt.core.routes import scoped
from punkt.core.web import int_param
from punkt.organization import permissions as org_perms
from punkt.organization.filters import branch_picker
from punkt.pipeline import plans


def _period(request: HttpRequest) -> tuple[kpis.Period, str]:
    """``from``–``to`` months (default: this month and the two before it)."""
    this = plans.current_month()
    first = request.GET.get("from") or plans.previous_month(plans.previous_month(this))
    last = request.GET.get("to") or this
    try:
        return kpis.period(first, last), ""
    except ValidationFailed as exc:
        return kpis.period(plans.previous_month(plans.previous_month(this)), this), exc.message


def _days(span: kpis.Period) -> tuple[datetime.date, datetime.date]:
    return span.first, plans.next_month(span.last) - datetime.timedelta(days=1)


@scoped("list")
@login_required
@reads_reports
def campaigns_page(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.GOALS_VIEW.code)
    branch = int_param(request.GET.get("branch"))
    span, error = _period(request)
    first, last = _days(span)
    found = campaign_effect.report(request.user, first=first, last=last, branch_id=branch)
    params = {k: str(v) for k, v in request.GET.items() if k in ("branch", "from", "to") and v}
    shown = [r for r in found.rows[:15] if r.revenue or r.customers]
    chart = charts.bars(
        [charts.Bar(f"{r.campaign.code} · {r.campaign.name}", r.revenue,
                    url=reverse("campaigns:campaign_detail", args=[r.campaign.pk]),
                    note=_("(%(n)d new)") % {"n": r.customers}) for r in shown],
        title=_("Revenue from the customers each campaign brought (zł, gross)"),
        fmt=lambda v: f"{v:,.2f}".replace(",", " ").replace(".", ","),
        label_width=300, testid="chart-campaign-revenue")
    return render(request, "analytics/campaigns.html", {
        "report": found, "period": span, "error": error, "chart": chart,
        "picker": branch_picker(request.user, perms.GOALS_VIEW.code, branch),
        "export_url": reverse("analytics:campaigns_export") + "?" + urlencode(params),
        "can_export": org_perms.can(request.user, perms.ANALYTICS_EXPORT.code)})



@scoped("list")
@login_required
@recent_authentication_required
@reads_reports
def campaigns_export(request: HttpRequest) -> HttpResponseBase:
    """A row per campaign and branch (text cells neutralised, C25); audited (C26)."""
    org_perms.ensure(request.user, perms.GOALS_VIEW.code)
    org_perms.ensure(request.user, perms.ANALYTICS_EXPORT.code)
    branch = int_param(request.GET.get("branch"))
    span, _error = _period(request)
    first, last = _days(span)
    audit_record(action="analytics.campaigns.export", actor=request.user,
                 message=f"from={span.first:%Y-%m} to={span.last:%Y-%m} branch={branch or ''}")
    found = campaign_effect.report(request.user, first=first, last=last, branch_id=branch)

    def rows() -> Iterator[list[Any]]:
        for r in found.rows:
            c = r.campaign
            for b in r.branches or [campaign_effect.BranchFigures(branch_name="")]:
                yield [c.code, c.name, c.get_status_display(), c.starts_on.isoformat(),
                       c.ends_on.isoformat(), b.branch_name, b.spent, b.customers,
                       b.buying, b.sales, b.payments, b.coded_sales,
                       b.coded_revenue, b.coded_contracts,
                       b.coded_contract_value, b.coded_offers, b.coded_won,
                       b.revenue, b.per_customer, b.per_zloty]

    stamp = timezone.localtime().strftime("%Y-%m-%d_%H%M")
    return table_response(request, f"skutecznosc_kampanii_{stamp}.csv", [
        _("Campaign code"), _("Campaign"), _("Status"), _("From"), _("To"), _("Branch"),
        _("Cost (zł)"), _("New customers"), _("Buying customers"), _("Counter sales (zł)"),
        _("Paid on HQ invoices (zł)"), _("Sales with the code to other customers"),
        _("Their value less returns (zł)"), _("Contracts signed with the code"),
        _("Their value (zł)"), _("Opportunities with the code"), _("of them won"),
        _("Revenue (zł)"), _("Cost per new customer (zł)"),
        _("Revenue per 1 zł spent")], rows())
