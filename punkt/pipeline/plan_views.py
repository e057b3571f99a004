"""Pages of the sales plans (R11.6) and the manager's monthly pack (seed 000 step 1):
the branches' plans of a month (HQ: every branch), a branch's year (HQ sets it, fills a
year at once), a month's split among the branch's employees (the manager), the packs of
a month (HQ: every branch, sortable) and one branch's pack with its PDF."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from punkt.core import files
from punkt.core.errors import ValidationFailed
from punkt.core.paging import paginate
from punkt.core.routes import scoped
from punkt.core.web import int_param, is_htmx, refusals_as_messages
from punkt.organization import permissions as org_perms
from punkt.pipeline import documents, packs
from punkt.pipeline import permissions as perms
from punkt.pipeline import plans as P
from punkt.pipeline.models import MonthlyPack, SalesPlan

PACK_SORTS = {"branch": "branch__name", "sales": "sales_percent",
              "new": "new_customers", "goal": "goal_met"}


def _month(value: Any, default: datetime.date) -> datetime.date:
    try:
        return P.parse_month(value) if value else default
    except ValidationFailed:
        return default


def _inputs(request: HttpRequest, values: P.Values, suffix: str | None, *,
            prefix: str = "") -> list[dict[str, Any]]:
    """The inputs of one row: name ``<measure>-<suffix>`` (or ``<prefix>-<measure>``), the
    value posted back after a refusal, else the plan's."""
    out = []
    for m in P.MEASURES:
        name = f"{prefix}-{m.code}" if prefix else f"{m.code}-{suffix}"
        value = values[m.code]
        text = (str(value).replace(".", ",") if m.money else str(value)) if value else ""
        out.append({"name": name, "measure": m,
                    "shown": documents.shown(m, value) if value else "—",
                    "value": request.POST.get(name, text) if request.method == "POST"
                    else text})
    return out


def _months_around(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    return P.previous_month(month), P.next_month(month)


@scoped("list")
@login_required
def plans(request: HttpRequest) -> HttpResponse:
    """The branches' plans of a month (a branch's manager: theirs), paged."""
    org_perms.ensure(request.user, perms.PACK_VIEW.code)
    month = _month(request.GET.get("month"), P.current_month())
    branches = P.visible_branches(request.user, perms.PACK_VIEW).order_by("name", "pk")
    listing = paginate(request, branches, sort="name", per_page=50)
    shown = list(listing.page.object_list)
    found = {p.branch_id: p for p in SalesPlan.objects.visible_to(
        request.user, perms.PACK_VIEW).filter(month=month, employee__isnull=True)}
    rows = [{"branch": b, "planned": b.pk in found,
             "cells": [documents.shown(m, P.values_of(found.get(b.pk))[m.code])
                       for m in P.MEASURES]} for b in shown]
    before, after = _months_around(month)
    return render(request, "pipeline/plans.html", {
        "month": month, "before": before, "after": after, "rows": rows, "listing": listing,
        "measures": P.MEASURES, "locked": P.is_locked(month),
        "can_set": org_perms.can(request.user, perms.PLAN_SET.code)})


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def plan_year(request: HttpRequest, branch_id: int) -> HttpResponse:
    """A branch's plan for each month of a year; HQ changes the months not over and fills
    a year at once."""
    branch = P.branch_get(request.user, branch_id, perms.PACK_VIEW)
    year = int_param(request.GET.get("year") or request.POST.get("year")) \
        or P.current_month().year
    year = min(max(year, 2000), 2200)
    can_set = org_perms.can(request.user, perms.PLAN_SET.code, branch_id=branch.pk)
    error_field = ""
    if request.method == "POST":
        org_perms.ensure(request.user, perms.PLAN_SET.code, branch_id=branch.pk)
        with refusals_as_messages(request) as refused:
            if request.POST.get("action") == "fill":
                n = P.plan_fill_year(actor=request.user, branch_id=branch.pk, year=year,
                                     values={c: request.POST.get(f"fill-{c}")
                                             for c in P.CODES})
                messages.success(request, _("The plan was set for %(n)d months.") % {"n": n})
            else:
                grid = [(datetime.date(year, n, 1), None,
                         {c: request.POST.get(f"{c}-{year}-{n:02d}") for c in P.CODES})
                        for n in range(1, 13)
                        if not P.is_locked(datetime.date(year, n, 1))]
                n = P.plan_set_many(actor=request.user, branch_id=branch.pk, rows=grid)
                messages.success(request, _("Plans saved: %(n)d changed.") % {"n": n})
        if not refused.error:
            return redirect(f"{request.path}?year={year}")
        error_field = refused.error.field or ""
    months = [{"month": r.month, "locked": r.locked, "planned": r.plan is not None,
             "cells": _inputs(request, r.values, f"{r.month:%Y-%m}")}
            for r in P.branch_year(branch=branch, year=year)]
    return render(request, "pipeline/plan_year.html", {
        "branch": branch, "year": year, "rows": months, "measures": P.MEASURES,
        "can_set": can_set, "fill": _inputs(request, P.zero(), None, prefix="fill"),
        "current": P.current_month(), "error_field": error_field})


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def plan_split(request: HttpRequest, branch_id: int, month: str) -> HttpResponse:
    """A month's branch plan split among the branch's employees, with the sum check."""
    branch = P.branch_get(request.user, branch_id, perms.PACK_VIEW)
    first = _month(month, P.current_month())
    can_split = org_perms.can(request.user, perms.PLAN_SPLIT.code, branch_id=branch.pk)
    split = P.month_split(branch=branch, month=first)
    error_field = ""
    if request.method == "POST":
        org_perms.ensure(request.user, perms.PLAN_SPLIT.code, branch_id=branch.pk)
        with refusals_as_messages(request) as refused:
            rows = [(first, r.employee.pk,
                     {c: request.POST.get(f"{c}-{r.employee.pk}") for c in P.CODES})
                    for r in split.rows]
            n = P.plan_set_many(actor=request.user, branch_id=branch.pk, rows=rows)
            messages.success(request, _("Plans saved: %(n)d changed.") % {"n": n})
        if not refused.error:
            return redirect("pipeline:plan_split", branch_id=branch.pk,
                            month=packs.month_key(first))
        error_field = refused.error.field or ""
    before, after = _months_around(first)
    for r in split.rows:
        r.cells = _inputs(request, r.values, str(r.employee.pk))  # type: ignore[attr-defined]
    return render(request, "pipeline/plan_split.html", {
        "branch_plan": [documents.shown(m, P.values_of(split.branch_plan)[m.code])
                        for m in P.MEASURES],
        "sums": [documents.shown(m, split.sums[m.code]) for m in P.MEASURES],
        "differences": [(m, documents.shown(m, split.differences[m.code][0]),
                         documents.shown(m, split.differences[m.code][1]))
                        for m in P.MEASURES if m.code in split.differences],
        "branch": branch, "month": first, "split": split, "measures": P.MEASURES,
        "can_split": can_split, "before": before, "after": after, "error_field": error_field})


@scoped("list")
@login_required
def pack_list(request: HttpRequest) -> HttpResponse:
    """The packs of a month (default: the previous one) of every branch the user sees,
    sortable."""
    org_perms.ensure(request.user, perms.PACK_VIEW.code)
    month = _month(request.GET.get("month"), P.previous_month(P.current_month()))
    sort = request.GET.get("sort") or "branch"
    key = sort.lstrip("-")
    if key not in PACK_SORTS:
        sort, key = "branch", "branch"
    order = PACK_SORTS[key]
    qs = (MonthlyPack.objects.visible_to(request.user, perms.PACK_VIEW)
          .filter(month=month).select_related("branch", "prepared_by")
          .order_by(f"-{order}" if sort.startswith("-") else order, "pk"))
    listing = paginate(request, qs, sort=sort, per_page=50)
    branches = P.visible_branches(request.user, perms.PACK_VIEW)
    missing = branches.exclude(pk__in=MonthlyPack.objects.filter(month=month)
                               .values("branch_id")).order_by("name", "pk")[:20]
    before, after = _months_around(month)
    context = {"month": month, "before": before, "after": after, "listing": listing,
               "packs": list(listing.page.object_list), "missing": list(missing),
               "measures": P.MEASURES, "month_key": packs.month_key(month),
               "prepared_on": P.preparation_day(P.next_month(month))}
    if is_htmx(request):
        return render(request, "pipeline/packs.html#results", context)
    return render(request, "pipeline/packs.html", context)


def _pack(request: HttpRequest, branch_id: int, month: str) -> dict[str, Any]:
    branch = P.branch_get(request.user, branch_id, perms.PACK_VIEW)
    first = _month(month, P.previous_month(P.current_month()))
    kept = packs.stored(branch.pk, first)
    figures = kept.figures if kept else packs.compute(first, branch.pk)[branch.pk]
    return {"branch": branch, "month": first, "kept": kept, "figures": figures,
            "view": documents.pack_view(figures), "month_key": packs.month_key(first)}


@scoped("branch")
@login_required
def pack_detail(request: HttpRequest, branch_id: int, month: str) -> HttpResponse:
    """One branch's pack: as prepared (the stored snapshot), else computed now."""
    context = _pack(request, branch_id, month)
    before, after = _months_around(context["month"])
    context.update(before=before, after=after,
                   can_recompute=context["month"] < P.next_month(P.current_month()))
    return render(request, "pipeline/pack_detail.html", context)


@scoped("branch")
@login_required
@require_POST
def pack_recompute(request: HttpRequest, branch_id: int, month: str) -> HttpResponse:
    with refusals_as_messages(request):
        packs.recompute(actor=request.user, branch_id=branch_id, month=month)
        messages.success(request, _("The pack was prepared again from today's figures."))
    return redirect("pipeline:pack_detail", branch_id=branch_id, month=month)


@scoped("branch")
@login_required
def pack_pdf(request: HttpRequest, branch_id: int, month: str) -> HttpResponseBase:
    """The pack as a PDF, to print for the meeting."""
    context = _pack(request, branch_id, month)
    body = documents.pack_pdf(context["branch"], context["month"], context["figures"],
                              context["kept"])
    response = HttpResponse(body, content_type="application/pdf")
    code = "".join(ch for ch in context["branch"].code if ch.isascii() and ch.isalnum()
                   or ch == "-")
    response["Content-Disposition"] = (f'inline; filename="pakiet-{code}-'
                                       f'{context["month_key"]}.pdf"')
    response["Content-Security-Policy"] = files.file_csp("application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response
