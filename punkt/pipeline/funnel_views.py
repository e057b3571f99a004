"""The funnel and refusals report's page and its CSV (``funnel.py``), and the pages of the
deal import (``imports.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from punkt.core import charts
from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, ValidationFailed
from punkt.core.exports import csv_response
from punkt.core.forms import apply_error
from punkt.core.reauth import recent_authentication_required
from punkt.core.reports import reads_reports
from punkt.core.routes import scoped
from punkt.core.web import int_param, refusals_as_messages
from punkt.organization import permissions as org_perms
from punkt.organization.filters import branch_picker
from punkt.organization.models import Branch, Employee
from punkt.pipeline import funnel
from punkt.pipeline import permissions as perms


def _period(request: HttpRequest) -> tuple[funnel.Period, str]:
    try:
        return funnel.period(request.GET.get("from"), request.GET.get("to")), ""
    except ValidationFailed as exc:
        return funnel.default_period(), exc.message


def _report(request: HttpRequest) -> tuple[funnel.Report, str, int | None, int | None]:
    span, error = _period(request)
    branch = int_param(request.GET.get("branch"))
    owner = int_param(request.GET.get("owner"))
    return funnel.report(request.user, span, branch_id=branch, owner_id=owner), error, \
        branch, owner


def _employees(request: HttpRequest, scope: funnel.Scope, branch: Branch | None
               ) -> list[Employee]:
    """The employee filter's choices: the chosen branch's people (or the only branch's)."""
    if scope.owner_id is not None:
        return []
    if branch is None:
        seen = list(Branch.objects.visible_to(request.user, scope.permission)
                    .filter(kind="branch").values_list("pk", flat=True)[:2])
        if len(seen) != 1:
            return []
        branch = Branch.objects.get(pk=seen[0])
    return list(Employee.objects.filter(memberships__branch=branch).distinct()
                .order_by("last_name", "first_name", "pk")[:300])


def _charts(found: funnel.Report) -> dict[str, SafeString]:
    conversion = charts.bars([
        charts.Bar(s.name, s.reached, url=s.url,
                   note=f"({charts.percent_format(s.of_first)})" if s.of_first is not None
                   else "") for s in found.stages],
        title=_("Opportunities opened in the period that reached each stage"),
        testid="chart-conversion")
    refusals = charts.bars([charts.Bar(f"{r.stage}: {r.reason}", r.count, url=r.url,
                                       tone="warn") for r in found.refusals],
                           title=_("Refusals by stage and reason"), label_width=300,
                           testid="chart-refusals")
    losses = charts.bars([charts.Bar(f"{r.stage}: {r.reason}", r.count, url=r.url, tone="err")
                          for r in found.losses],
                         title=_("Losses by stage and reason"), label_width=300,
                         testid="chart-losses")
    timing = charts.bars([charts.Bar(s.name, s.median_days, tone="2") for s in found.stages
                          if s.stays],
                         title=_("Median days in each stage"), testid="chart-time")
    people = charts.bars([charts.Bar(r.name, r.win_rate, url=r.url, tone="ok",
                                     note=f"({r.won}/{r.closed})")
                          for r in found.employees if r.win_rate is not None],
                         title=_("Win rate per employee"), fmt=charts.percent_format,
                         testid="chart-employees")
    branches = charts.bars([charts.Bar(r.name, r.win_rate, url=r.url, tone="ok",
                                       note=f"({r.won}/{r.closed})")
                            for r in found.branches if r.win_rate is not None],
                           title=_("Win rate per branch"), fmt=charts.percent_format,
                           testid="chart-branches")
    return {"conversion": conversion, "refusals": refusals, "losses": losses,
            "time": timing, "employees": people, "branches": branches}


@scoped("list")
@login_required
@reads_reports
def funnel_page(request: HttpRequest) -> HttpResponse:
    """The funnel and refusals report (R12.6) of a period, a branch and an employee."""
    scope = funnel.scope_of(request.user)
    found, error, branch, owner = _report(request)
    params = {k: str(v) for k, v in request.GET.items()
              if k in ("branch", "owner", "from", "to") and v}
    return render(request, "pipeline/funnel.html", {
        "report": found, "error": error, "charts": _charts(found),
        "picker": branch_picker(request.user, scope.permission.code, branch),
        "employees": _employees(request, scope, found.branch), "owner": owner,
        "export_url": reverse("pipeline:funnel_export") + "?" + urlencode(params),
        "can_export": org_perms.can(request.user, perms.FUNNEL_EXPORT.code),
        "can_import": org_perms.can(request.user, perms.DEAL_IMPORT.code)})


def _n(value: Any) -> str:
    return "" if value is None else str(value).replace(".", ",")


@scoped("list")
@login_required
@recent_authentication_required
@reads_reports
def funnel_export(request: HttpRequest) -> StreamingHttpResponse:
    """The report as CSV, one row per figure, sections named (text cells neutralised,
    C25); audited (C26)."""
    org_perms.ensure(request.user, perms.FUNNEL_EXPORT.code)
    found, _error, branch, owner = _report(request)
    span = found.period
    audit_record(action="pipeline.funnel.export", actor=request.user,
                 message=f"from={span.first} to={span.last} branch={branch or ''} "
                         f"owner={owner or ''}")

    def rows() -> Iterator[list[Any]]:
        section = _("Conversion")
        for s in found.stages:
            yield [section, s.name, "", s.reached, _n(s.of_first), _n(s.of_previous),
                   "", "", "", "", ""]
        yield [section, _("Won"), "", found.won_of_opened, _n(found.won_percent), "",
               "", "", "", "", ""]
        section = _("Time in stage")
        for s in found.stages:
            yield [section, s.name, "", s.stays, "", "", _n(s.average_days),
                   _n(s.median_days), "", "", ""]
        for section, items in ((_("Refusals"), found.refusals), (_("Losses"), found.losses)):
            for r in items:
                yield [section, r.stage, r.reason, r.count, "", "", "", "", "", "", ""]
        for section, rates in ((_("Win rate per employee"), found.employees),
                               (_("Win rate per branch"), found.branches)):
            for w in rates:
                yield [section, "", w.name, w.closed, "", "", "", "", w.won, w.lost,
                       _n(w.win_rate)]

    stamp = timezone.localtime().strftime("%Y-%m-%d_%H%M")
    return csv_response(f"lejek_{span.first}_{span.last}_{stamp}.csv", [
        _("Section"), _("Stage"), _("Reason / name"), _("Count"), _("Of the first stage (%)"),
        _("Of the previous stage (%)"), _("Average days"), _("Median days"), _("Won"),
        _("Lost"), _("Win rate (%)")], rows())


# --- the deal import -----------------------------------------------------------------

class DealImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"), help_text=gettext_lazy(
        "First row: column names; a row per deal. Up to 20 MB, 20,000 rows."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx"


@scoped("list")
@login_required
@require_http_methods(["GET", "POST"])
def deal_imports(request: HttpRequest) -> HttpResponse:
    """The manager (his branch) or HQ uploads a file of existing deals; the recent files."""
    from punkt.pipeline import imports

    org_perms.ensure(request.user, perms.DEAL_IMPORT.code)
    branch = int_param(request.POST.get("branch") or request.GET.get("branch"))
    form = DealImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.import_upload(actor=request.user, branch_id=branch,
                                        uploaded=form.cleaned_data["file"])
        except ValidationFailed as exc:
            if exc.field == "branch":
                messages.error(request, exc.message)
            else:
                apply_error(form, exc)
        else:
            return redirect("pipeline:deal_import", import_id=job.pk)
    columns = [(name, label, aliases[0] if aliases else "")
               for name, (label, aliases) in imports.COLUMNS.items()]
    return render(request, "pipeline/deal_imports.html", {
        "form": form, "columns": columns, "required": imports.REQUIRED,
        "picker": branch_picker(request.user, perms.DEAL_IMPORT.code, branch),
        "recent": imports.imports_visible_to(request.user).select_related(
            "created_by", "branch")[:20]},
        status=422 if form.errors else 200)


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def deal_import(request: HttpRequest, import_id: int) -> HttpResponse:
    from punkt.pipeline import imports

    job = imports.import_get(user=request.user, import_id=import_id)
    if request.method == "POST":
        with refusals_as_messages(request, catch=(Conflict,)):
            job = imports.import_confirm(actor=request.user, import_id=job.pk)
            messages.success(request, _("Import started."))
        return redirect("pipeline:deal_import", import_id=job.pk)
    template = "pipeline/deal_import.html"
    if getattr(request, "htmx", False):
        template += "#status"
    return render(request, template, {"job": job, "errors": job.errors[:500]})


@scoped("list")
@login_required
def deal_import_sample(request: HttpRequest) -> StreamingHttpResponse:
    """A file to start from: three deals (open, won, lost) in the columns' Polish names."""
    from punkt.pipeline import imports

    org_perms.ensure(request.user, perms.DEAL_IMPORT.code)
    return csv_response("transakcje-wzor.csv", imports.SAMPLE_HEADER, imports.sample_rows())
