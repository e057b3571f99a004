"""Pages of customer analytics: the ABC×XYZ table with the categories (a branch's, or
every branch's for HQ), the customer list behind each cell and its CSV export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from punkt.analytics import permissions as perms
from punkt.analytics import selectors, services
from punkt.analytics.models import ABC, XYZ, Category, month_label, zl
from punkt.core.audit import audit_record
from punkt.core.errors import Conflict
from punkt.core.exports import table_response
from punkt.core.paging import paginate
from punkt.core.reauth import recent_authentication_required
from punkt.core.reports import reads_reports
from punkt.core.routes import scoped
from punkt.core.web import int_param, is_htmx, text_param
from punkt.organization import permissions as org_perms
from punkt.organization.filters import branch_picker

#: how many customers the drill-down counts before it says "more than …"
COUNT_CAP = 10_000


def _filters(request: HttpRequest) -> dict[str, Any]:
    return {"abc": text_param(request.GET.get("abc"), 1),
            "xyz": text_param(request.GET.get("xyz"), 1),
            "category": text_param(request.GET.get("category"), 12),
            "change": text_param(request.GET.get("change"), 10)}


def _link(base: dict[str, Any], **extra: Any) -> str:
    params = {k: v for k, v in {**base, **extra}.items() if v not in (None, "")}
    return reverse("analytics:customers") + ("?" + urlencode(params) if params else "")


@scoped("list")
@login_required
@reads_reports
def matrix(request: HttpRequest) -> HttpResponse:
    """The 9-cell table, the categories and the chart of the chosen (or current) refresh."""
    org_perms.ensure(request.user, perms.ANALYTICS_VIEW.code)
    branch = int_param(request.GET.get("branch"))
    snap = selectors.snapshot_for(request.GET.get("snapshot"))
    m = selectors.matrix(request.user, snap, branch_id=branch)
    base = {"branch": branch or "", "snapshot": snap.pk if snap and
            request.GET.get("snapshot") else ""}

    def share(t: int) -> float:
        return round(100 * t / m.turnover, 1) if m.turnover > 0 else 0

    grid = [{"abc": a, "total": {"n": m.rows[a][0], "zl": zl(m.rows[a][1]),
                                 "share": share(m.rows[a][1]),
                                 "url": _link(base, abc=a)},
             "only": {"n": m.abc_only[a][0], "zl": zl(m.abc_only[a][1]),
                      "url": _link(base, abc=a, xyz="-")},
             "cells": [{"xyz": x, "n": m.cells[a][x][0], "zl": zl(m.cells[a][x][1]),
                        "share": share(m.cells[a][x][1]), "url": _link(base, abc=a, xyz=x)}
                       for x in XYZ]} for a in ABC]
    cols = [{"xyz": x, "n": m.cols[x][0], "zl": zl(m.cols[x][1]),
             "url": _link(base, xyz=x)} for x in XYZ]
    top = max([1, *m.categories.values()])
    categories = [{"value": v, "label": label, "n": m.categories.get(v, 0), "y": 14 * i,
                   "width": round(130 * m.categories.get(v, 0) / top),
                   "url": _link(base, category=v)}
                  for i, (v, label) in enumerate(Category.choices)]
    return render(request, "analytics/matrix.html", {
        "snap": snap, "m": m, "grid": grid, "cols": cols, "categories": categories,
        "turnover": zl(m.turnover), "history": selectors.history_snapshots(),
        "picker": branch_picker(request.user, perms.ANALYTICS_VIEW.code, branch),
        "all_url": _link(base), "drops_url": _link(base, change="drop"),
        "changed_url": _link(base, change="changed"),
        "can_export": org_perms.can(request.user, perms.ANALYTICS_EXPORT.code),
        "can_refresh": org_perms.can(request.user, perms.REFRESH_RUN.code),
        "running": selectors.running_refresh(), "asked": services.refresh_asked()})


@scoped("global")
@login_required
@require_POST
def refresh_now(request: HttpRequest) -> HttpResponse:
    """HQ starts the analytics refresh now (queued for the worker); back to the table."""
    try:
        services.refresh_request(actor=request.user)
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The refresh is queued: the figures change when it ends "
                                    "(a few minutes)."))
    return redirect("analytics:matrix")


@scoped("list")
@login_required
@reads_reports
def customers(request: HttpRequest) -> HttpResponse:
    """The customers of a cell, a class, a category or a change, the biggest turnover first."""
    org_perms.ensure(request.user, perms.ANALYTICS_VIEW.code)
    branch = int_param(request.GET.get("branch"))
    snap = selectors.snapshot_for(request.GET.get("snapshot"))
    found = _filters(request)
    qs = selectors.filtered(request.user, snap, branch_id=branch, **found)
    listing = paginate(request, qs, sort="-turnover", per_page=50, cap=COUNT_CAP)
    params = {k: v for k, v in {**found, "branch": branch or "",
                                "snapshot": request.GET.get("snapshot", "")}.items() if v}
    template = "analytics/customers.html" + ("#results" if is_htmx(request) else "")
    return render(request, template, {
        "snap": snap, "listing": listing, "f": found, "abc": ABC, "xyz": XYZ,
        "categories": Category.choices, "history": selectors.history_snapshots(),
        "picker": branch_picker(request.user, perms.ANALYTICS_VIEW.code, branch),
        "export_url": reverse("analytics:export") + "?" + urlencode(params),
        "matrix_url": reverse("analytics:matrix") + "?" + urlencode(
            {k: v for k, v in params.items() if k in ("branch", "snapshot")}),
        "can_export": org_perms.can(request.user, perms.ANALYTICS_EXPORT.code)})


@scoped("list")
@login_required
@recent_authentication_required
@reads_reports
def export(request: HttpRequest) -> HttpResponseBase:
    """The drill-down's customers as CSV (formula cells neutralised, C25); audited (C26)."""
    org_perms.ensure(request.user, perms.ANALYTICS_EXPORT.code)
    branch = int_param(request.GET.get("branch"))
    snap = selectors.snapshot_for(request.GET.get("snapshot"))
    found = _filters(request)
    audit_record(action="analytics.classes.export", actor=request.user,
                 message=f"snapshot={getattr(snap, 'pk', '')} branch={branch or ''} "
                         f"filters={sorted(found.items())}"[:2000])
    qs = selectors.filtered(request.user, snap, branch_id=branch, **found)
    labels = dict(Category.choices)

    def rows() -> Iterator[list[Any]]:
        for s in qs.iterator(chunk_size=2000):
            yield [s.customer.number, s.customer.display_name, s.branch.code,
                   str(labels.get(s.category, s.category)), s.abc, s.xyz, zl(s.turnover),
                   "" if s.cv is None else f"{s.cv:.1f}".replace(".", ","),
                   s.prev_abc + s.prev_xyz, month_label(s.first_month)
                   if s.first_month is not None else ""]

    stamp = timezone.localtime().strftime("%Y-%m-%d_%H%M")
    return table_response(request, f"klienci_abc_xyz_{stamp}.csv", [
        _("Customer number"), _("Customer"), _("Branch"), _("Category"), "ABC", "XYZ",
        _("Turnover (zł)"), _("Coefficient of variation (%)"), _("Previous class"),
        _("First settlement")], rows())
