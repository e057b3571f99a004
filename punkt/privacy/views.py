"""Data-protection pages: the breach log (GDPR art. 33) and the register of processing
activities (art. 30) with its CSV and PDF exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from punkt.core.exports import csv_response
from punkt.core.paging import paginate
from punkt.core.routes import scoped
from punkt.core.web import is_htmx, refusals_as_messages, text_param
from punkt.organization import permissions as org_perms
from punkt.privacy import permissions as perms
from punkt.privacy import register, selectors, services
from punkt.privacy.models import BreachStatus, notify_hours
from punkt.privacy.workflows import BREACH_FLOW

BREACH_FIELDS = ("discovered_at", "occurred_at", "title", "description", "data_categories",
                 "subjects_count", "records_count", "consequences", "measures")


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def breach_list(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.BREACH_MANAGE.code)
    form = {name: request.POST.get(name, "") for name in BREACH_FIELDS}
    if request.method == "POST":
        with refusals_as_messages(request) as refused:
            breach = services.breach_record(actor=request.user, **form)
            messages.success(request, _("Breach %(number)s recorded. Notify UODO by "
                                        "%(when)s.") % {
                "number": breach.number,
                "when": timezone.localtime(breach.notify_by).strftime("%d.%m.%Y %H:%M")})
            return redirect("privacy:breach_detail", breach_id=breach.pk)
        error_field = refused.error.field if refused.error else None
    else:
        error_field = None
    status = text_param(request.GET.get("status"), 20)
    qs = selectors.breaches(user=request.user, status=status)
    listing = paginate(request, qs, sort="-discovered_at", per_page=25)
    template = "privacy/breach_list.html" + ("#results" if is_htmx(request) else "")
    return render(request, template, {
        "listing": listing, "statuses": BreachStatus.choices, "status": status, "form": form,
        "error_field": error_field, "hours": notify_hours(), "now": timezone.now()})


@scoped("global")
@login_required
def breach_detail(request: HttpRequest, breach_id: int) -> HttpResponse:
    breach = selectors.breach(user=request.user, breach_id=breach_id)
    return render(request, "privacy/breach_detail.html", {
        "breach": breach, "actions": BREACH_FLOW.allowed_actions(breach, request.user),
        "hours": notify_hours(), "now": timezone.now()})


@scoped("global")
@login_required
@require_POST
def breach_act(request: HttpRequest, breach_id: int, action: str) -> HttpResponse:
    selectors.breach(user=request.user, breach_id=breach_id)
    p = request.POST
    with refusals_as_messages(request):
        if action == "notify":
            services.breach_notify(actor=request.user, breach_id=breach_id,
                                   notified_at=p.get("notified_at") or None,
                                   authority_reference=p.get("authority_reference", ""),
                                   late_reason=p.get("late_reason", ""))
            messages.success(request, _("Notification to UODO recorded."))
        elif action == "not_required":
            services.breach_not_required(actor=request.user, breach_id=breach_id,
                                         reason=p.get("reason", ""))
            messages.success(request, _("Recorded: no notification required."))
        elif action == "close":
            services.breach_close(actor=request.user, breach_id=breach_id,
                                  measures=p.get("measures", ""),
                                  subjects_informed_at=p.get("subjects_informed_at") or None)
            messages.success(request, _("Breach closed."))
        else:
            messages.error(request, _("Unknown action."))
    return redirect("privacy:breach_detail", breach_id=breach_id)


@scoped("global")
@login_required
def register_page(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.REGISTER_VIEW.code)
    return render(request, "privacy/register.html", {
        "activities": register.activities(), "columns": register.COLUMNS,
        "controller": register.controller()})


@scoped("global")
@login_required
def register_csv(request: HttpRequest) -> StreamingHttpResponse:
    org_perms.ensure(request.user, perms.REGISTER_VIEW.code)
    return csv_response("rejestr-czynnosci-przetwarzania.csv", register.header(),
                        register.rows())


@scoped("global")
@login_required
def register_pdf(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.REGISTER_VIEW.code)
    response = HttpResponse(register.pdf(), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="rejestr-czynnosci-przetwarzania.pdf"'
    return response
