"""Retention pages: the worklist, one contract's contacts, today's letters, the churn
report, and the public page where a customer accepts a renewal proposal."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from punkt.contracts.reports import month_param, query_without_page
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.core.middleware import client_ip
from punkt.core.paging import paginate
from punkt.core.routes import scoped
from punkt.core.web import int_param, refusals_as_messages
from punkt.customers.models import CHANNEL_PURPOSE
from punkt.customers.selectors import has_consent
from punkt.messaging.models import Channel, MessageTemplate
from punkt.organization import permissions as org_perms
from punkt.organization.filters import branch_picker, working_branch
from punkt.retention import letters, selectors, services
from punkt.retention import permissions as perms
from punkt.retention.filters import WorklistFilter
from punkt.retention.models import Outcome, RetentionCase
from punkt.retention.workflows import CALL_OUTCOMES, RETENTION_FLOW


@scoped("list")
@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.RETENTION_WORK.code)
    htmx = getattr(request, "htmx", False)
    if htmx and request.GET.get("part") == "renewals":  # loaded after the list
        return render(request, "retention/worklist.html#renewals", {
            "to_prepare": selectors.renewals_to_prepare(user=request.user)})
    params = WorklistFilter(request.GET).params()
    params["horizon_days"] = horizon = params["horizon_days"] or selectors.default_horizon()
    qs = selectors.worklist(user=request.user, **params)
    listing = paginate(request, qs, sort=params["sort"], per_page=25, cap=2000)
    template = "retention/worklist.html" + ("#results" if htmx else "")
    return render(request, template, {
        "listing": listing, "horizons": selectors.HORIZONS, "horizon": horizon,
        "branch_picker": branch_picker(request.user, perms.RETENTION_WORK.code,
                                       request.GET.get("branch", ""))})


def _templates_for(customer: Any) -> Any:
    """The retention templates the page offers: letters for a customer with neither e-mail
    nor phone, e-mail and SMS otherwise."""
    templates = MessageTemplate.objects.filter(is_active=True).exclude(
        code__startswith="renewal-").exclude(code__startswith="end-of-term-")
    if customer.email or customer.phone:
        return templates.exclude(channel=Channel.LETTER)
    return templates.filter(channel=Channel.LETTER)


@scoped("branch")
@login_required
def case(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = selectors.case_contract(user=request.user, contract_id=contract_id)
    customer = contract.customer
    consents = {channel: has_consent(customer.pk, purpose)
                for channel, purpose in CHANNEL_PURPOSE.items()}
    case = getattr(contract, "retention_case", None)
    # No case yet: the first contact opens one.
    actions = RETENTION_FLOW.allowed_actions(
        case or RetentionCase(branch_id=contract.branch_id), request.user)
    return render(request, "retention/case.html", {
        "contract": contract, "customer": customer, "case": case,
        "attempts": selectors.attempts_of(contract), "consents": consents,
        "templates": _templates_for(customer),
        "actions": actions,
        "outcomes": [Outcome(o) for o in CALL_OUTCOMES if o in actions]})


@scoped("branch")
@login_required
@require_POST
def call(request: HttpRequest, contract_id: int) -> HttpResponse:
    selectors.case_contract(user=request.user, contract_id=contract_id)
    with refusals_as_messages(request):
        services.log_call(actor=request.user, contract_id=contract_id,
                          outcome=request.POST.get("outcome", ""),
                          reason=request.POST.get("reason", ""),
                          callback_on=request.POST.get("callback_on"),
                          note=request.POST.get("note", ""))
        messages.success(request, _("Call recorded."))
    return redirect("retention:case", contract_id=contract_id)


@scoped("branch")
@login_required
@require_POST
def send(request: HttpRequest, contract_id: int) -> HttpResponse:
    selectors.case_contract(user=request.user, contract_id=contract_id)
    with refusals_as_messages(request):
        attempt = services.send_template(actor=request.user, contract_id=contract_id,
                                         template_code=request.POST.get("template", ""))
        messages.success(request, _(
            "Letter prepared: print it with today's letters.") if attempt.channel == "letter"
            else _("Message queued: it goes out in a moment."))
    return redirect("retention:case", contract_id=contract_id)


@scoped("list")
@login_required
@require_http_methods(["GET", "POST"])
def letters_today(request: HttpRequest) -> HttpResponse:
    """Today's letters: the branch's letters waiting to be printed, printed as one PDF
    (POST; the page's key makes a second click harmless) and marked sent."""
    org_perms.ensure(request.user, perms.RETENTION_WORK.code)
    branch = working_branch(request.user, perms.RETENTION_WORK.code,
                            request.POST.get("branch") or request.GET.get("branch"))
    if request.method == "POST" and branch is not None:
        with refusals_as_messages(request, catch=(ValidationFailed, Conflict, NotFound)):
            batch = letters.print_batch(actor=request.user, branch_id=branch.pk,
                                        key=request.POST.get("key", ""))
            if not getattr(batch, "replayed", False):
                messages.success(request, _("Letters printed as %(number)s and marked sent "
                                            "(%(n)d): open the PDF and print it.")
                                 % {"n": batch.count, "number": batch.number})
            return redirect(f"{reverse('retention:letters')}?branch={branch.pk}&batch={batch.pk}")
        return redirect(f"{reverse('retention:letters')}?branch={branch.pk}")
    rows = list(letters.waiting(user=request.user, branch_id=branch.pk)[:letters.MAX_BATCH]) \
        if branch else []
    return render(request, "retention/letters.html", {
        "branch": branch, "letters": rows, "key": uuid.uuid4().hex,
        "batches": list(letters.batches(user=request.user, branch_id=branch.pk)[:20])
        if branch else [], "fresh": int_param(request.GET.get("batch")),
        "branch_picker": branch_picker(request.user, perms.RETENTION_WORK.code,
                                       str(branch.pk) if branch else "", blank=False)})


@scoped("branch")
@login_required
def letter_batch_pdf(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = letters.batch_get(user=request.user, batch_id=batch_id)
    response = HttpResponse(letters.batch_pdf(batch), content_type="application/pdf")
    name = f"listy-{batch.branch.code}-{timezone.localtime(batch.created_at):%Y-%m-%d}-{batch.pk}"
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@scoped("list")
@login_required
def churn(request: HttpRequest) -> HttpResponse:
    report = selectors.churn(user=request.user, branch_id=int_param(request.GET.get("branch")),
                             month=month_param(request.GET.get("month")),
                             page=request.GET.get("page", 1))
    return render(request, "retention/churn.html", {
        "report": report, "rows": report.rows, "query": query_without_page(request),
        "branch_picker": branch_picker(
            request.user, perms.RETENTION_REPORT.code, request.GET.get("branch", ""))})


@scoped("public")
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """No sign-in: the link in the renewal proposal is the customer's key."""
    try:
        confirmation = services.confirmation_for(token)
    except NotFound:
        return render(request, "retention/confirm.html", {"invalid": True}, status=404)
    error = None
    if request.method == "POST":
        try:
            confirmation = services.confirmation_accept(
                token=token, ip=client_ip(request),
                agent=request.headers.get("User-Agent", ""))
        except Conflict as exc:
            error = exc.message
    offer = confirmation.offer
    if confirmation.accepted_at is None and not services.is_open(confirmation):
        # Expired, declined or superseded: nothing about the customer is shown any more.
        return render(request, "retention/confirm.html", {"closed": True}, status=410)
    return render(request, "retention/confirm.html", {
        "confirmation": confirmation, "offer": offer, "lines": list(offer.lines.all()),
        "error": error}, status=409 if error else 200)
