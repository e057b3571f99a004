"""Offer and contract pages: offers from the price lists in force, contracts through
their workflow (prepare, sign, the manager's check, HQ)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from punkt.contracts import documents, reports, selectors, services
from punkt.contracts import permissions as perms
from punkt.contracts.models import Contract, ContractStatus, OfferStatus
from punkt.contracts.workflows import CONTRACT_FLOW, OFFER_FLOW
from punkt.core import files
from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.core.paging import paginate
from punkt.core.reports import reads_reports
from punkt.core.routes import scoped
from punkt.core.web import int_param, refusals_as_messages
from punkt.customers import selectors as customers
from punkt.materials import contract_template
from punkt.materials import selectors as materials
from punkt.materials.models import MaterialKind
from punkt.organization import permissions as org_perms
from punkt.organization.actors import employee_of
from punkt.organization.filters import branch_picker
from punkt.organization.models import Branch


def _lines_from(post: Any) -> list[dict[str, Any]]:
    lines = []
    for key, value in post.items():
        if key.startswith("qty_") and value.strip() not in ("", "0"):
            lines.append({"price_item_id": key.removeprefix("qty_"), "quantity": value.strip()})
    return lines


def _chosen(post: Any, branch_id: int) -> list[dict[str, Any]]:
    """The positions already on the form (``qty_<id>``) with their quantities as typed, to
    show them again after an error."""
    wanted = {int(k.removeprefix("qty_")): v for k, v in post.items()
              if k.startswith("qty_") and k.removeprefix("qty_").isdecimal()
              and len(k) < 20}
    items = selectors.price_items_in_force(branch_id=branch_id, ids=wanted)
    return [{"item": items[pk], "quantity": wanted[pk]} for pk in wanted if pk in items]


#: The offer form's search box takes at most this many characters.
ITEM_Q_MAX = 60


def _offer_part(request: HttpRequest, customer: Any) -> HttpResponse:
    """The offer form's htmx parts: the positions matching the search (``part=items``)
    and one chosen position as a row of the offer (``part=line``)."""
    template = "contracts/offer_form.html"
    if request.GET.get("part") == "items":
        q = request.GET.get("item_q", "")[:ITEM_Q_MAX]
        return render(request, template + "#items", {
            "customer": customer, "q": q,
            "matches": selectors.price_items_matching(branch_id=customer.branch_id, q=q)})
    item_id = int_param(request.GET.get("item"))
    if request.GET.get("part") != "line" or item_id is None:
        raise NotFound(_("This position is not in any price list of this branch."))
    if f"qty_{item_id}" in request.GET:
        return HttpResponse(status=204)  # already on the offer: nothing to add
    items = selectors.price_items_in_force(branch_id=customer.branch_id, ids=[item_id])
    if item_id not in items:
        raise NotFound(_("This position is not in any price list of this branch."))
    return render(request, template + "#line",
                  {"line": {"item": items[item_id], "quantity": 1}})


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def offer_create(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customers.customer_get(user=request.user, customer_id=customer_id)
    if request.method == "GET" and request.GET.get("part"):
        org_perms.ensure(request.user, perms.OFFER_CREATE.code, customer.branch_id)
        return _offer_part(request, customer)
    promos = materials.in_force_for_branch(branch_id=customer.branch_id,
                                           kind=MaterialKind.PROMO)
    error = None
    if request.method == "POST":
        try:
            offer = services.offer_create(
                actor=request.user, customer_id=customer.pk, lines=_lines_from(request.POST),
                promo_version_id=int_param(request.POST.get("promo")),
                note=request.POST.get("note", ""))
        except (ValidationFailed, Conflict) as exc:
            error = exc
        else:
            messages.success(request, _("Offer recorded on the customer's timeline."))
            return redirect("contracts:offer_detail", offer_id=offer.pk)
    return render(request, "contracts/offer_form.html", {
        "customer": customer, "promos": promos, "error": error, "posted": request.POST,
        "lines": _chosen(request.POST, customer.branch_id) if error else [],
        "in_force": selectors.price_items_matching(branch_id=customer.branch_id, q=""),
    }, status=422 if error else 200)


@scoped("branch")
@login_required
def offer_detail(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = selectors.offer_get(user=request.user, offer_id=offer_id)
    contract = selectors.contract_of_offer(user=request.user, offer=offer)
    actions = OFFER_FLOW.allowed_actions(offer, request.user)
    me = employee_of(request.user)
    return render(request, "contracts/offer_detail.html", {
        "offer": offer, "actions": actions, "contract": contract,
        # C11: whoever made the offer is never offered the approval of its discount
        "can_approve": "approve" in actions and (me is None
                                                 or me.pk != offer.created_by_id),
        "can_prepare": contract is None and offer.status == OfferStatus.ACCEPTED
        and org_perms.can(request.user, perms.CONTRACT_PREPARE.code, offer.branch_id)})


@scoped("branch")
@login_required
@require_POST
def offer_approve(request: HttpRequest, offer_id: int) -> HttpResponse:
    selectors.offer_get(user=request.user, offer_id=offer_id)
    with refusals_as_messages(request):
        services.offer_approve(actor=request.user, offer_id=offer_id)
        messages.success(request, _("Discount approved: the offer may be sent."))
    return redirect("contracts:offer_detail", offer_id=offer_id)


@scoped("branch")
@login_required
@require_POST
def offer_decide(request: HttpRequest, offer_id: int) -> HttpResponse:
    selectors.offer_get(user=request.user, offer_id=offer_id)
    accepted = request.POST.get("answer") == "accept"
    with refusals_as_messages(request):
        services.offer_decide(actor=request.user, offer_id=offer_id, accepted=accepted,
                              reason=request.POST.get("reason", ""))
        messages.success(request, _("Answer recorded."))
    return redirect("contracts:offer_detail", offer_id=offer_id)


# --- Contracts -------------------------------------------------------------------------

LIST_CAP = 1000


def _contract_context(request: HttpRequest, contract: Contract) -> dict[str, Any]:
    values = dict(contract.values)
    if values.get("identyfikator") and contract.customer.is_person:
        values["identyfikator"] = contract.customer.pesel_masked
    fields = [(contract_template.FIELDS.get(k, k), values.get(k, ""))
              for k in contract.template.template.get("fields", []) if k != "pozycje"]
    return {
        "contract": contract, "fields": fields, "lines": values.get("pozycje") or [],
        "actions": CONTRACT_FLOW.allowed_actions(contract, request.user),
        "events": selectors.contract_events(contract),
        "signatures": contract.template.template.get("signatures", []),
        "can_scan": contract.status in services.SCAN_STATES and org_perms.can(
            request.user, perms.CONTRACT_PREPARE.code, contract.branch_id),
        "problems": RETURN_PROBLEMS,
    }


#: Ready-made reasons on the manager's return form (plus a free note).
RETURN_PROBLEMS = [
    gettext_lazy("A signature is missing"),
    gettext_lazy("The customer's data are wrong or incomplete"),
    gettext_lazy("The scan is missing or unreadable"),
    gettext_lazy("Wrong term or start date"),
]


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def contract_prepare(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = selectors.offer_get(user=request.user, offer_id=offer_id)
    org_perms.ensure(request.user, perms.CONTRACT_PREPARE.code, offer.branch_id)
    templates = materials.in_force_for_branch(branch_id=offer.branch_id,
                                              kind=MaterialKind.CONTRACT_TEMPLATE)
    error = None
    if request.method == "POST":
        try:
            contract = services.contract_prepare(
                actor=request.user, offer_id=offer.pk,
                template_version_id=request.POST.get("template"),
                term_months=request.POST.get("term_months"),
                starts_on=request.POST.get("starts_on"),
                campaign_code=request.POST.get("campaign_code", ""))
        except (ValidationFailed, Conflict) as exc:
            error = exc
        else:
            messages.success(request, _("Contract prepared: print it when the document is "
                                        "ready and let the customer sign it."))
            return redirect("contracts:contract_detail", contract_id=contract.pk)
    start = services.default_start(offer=offer, today=timezone.localdate())
    return render(request, "contracts/contract_form.html", {
        "offer": offer, "templates": templates, "error": error, "posted": request.POST,
        "today": start}, status=422 if error else 200)


@scoped("list")
@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.CONTRACT_VIEW.code)
    sort = request.GET.get("sort", "-id")
    sort = sort if sort in selectors.CONTRACT_SORTS else "-id"
    qs = selectors.contract_list(user=request.user, params=request.GET, sort=sort)
    listing = paginate(request, qs, sort=sort, cap=LIST_CAP)
    template = "contracts/contract_list.html" + (
        "#results" if getattr(request, "htmx", False) else "")
    return render(request, template, {
        "listing": listing, "statuses": ContractStatus.choices,
        "branch_picker": branch_picker(request.user, perms.CONTRACT_VIEW.code,
                                       request.GET.get("branch", "")),
        "can_review": org_perms.can(request.user, perms.CONTRACT_APPROVE.code),
    })


@scoped("branch")
@login_required
def contract_detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, contract_id=contract_id)
    if getattr(request, "htmx", False) and request.GET.get("part") == "document":
        # Once the PDF is there, the part also enables the sign button (out of band).
        return render(request, "contracts/contract_detail.html#document", {
            "contract": contract,
            "actions": CONTRACT_FLOW.allowed_actions(contract, request.user)
            if contract.pdf_ready else []})
    return render(request, "contracts/contract_detail.html",
                  _contract_context(request, contract))


@scoped("branch")
@login_required
def contract_pdf(request: HttpRequest, contract_id: int) -> FileResponse:
    contract = selectors.contract_get(user=request.user, contract_id=contract_id)
    if not contract.pdf_ready:  # never the previous revision's document
        raise NotFound(_("The contract document is still being prepared."))
    audit_record(action="contracts.contract.pdf_view", obj=contract, actor=request.user,
                 branch_id=contract.branch_id)
    return files.response_for(contract.pdf_stored, documents.file_name(contract),
                              "application/pdf", area=documents.AREA)


@scoped("branch")
@login_required
def contract_scan(request: HttpRequest, contract_id: int) -> FileResponse:
    contract = selectors.contract_get(user=request.user, contract_id=contract_id)
    if not contract.scan_stored:
        raise NotFound(_("No scan has been attached."))
    audit_record(action="contracts.contract.scan_view", obj=contract, actor=request.user,
                 branch_id=contract.branch_id)
    return files.response_for(contract.scan_stored, contract.scan_name, contract.scan_type,
                              area=documents.AREA)


def _take_step(request: HttpRequest, contract_id: int, action: str) -> str:
    if action == "scan":  # not a step: the scan of a signed contract, before the check
        services.contract_attach_scan(actor=request.user, contract_id=contract_id,
                                      scan=request.FILES.get("file"))
        return _("Scan attached.")
    post = request.POST
    _contract, done = services.contract_step(
        actor=request.user, contract_id=contract_id, action=action, data=services.StepInput(
            scan=request.FILES.get("file"), signatures=post.getlist("signature"),
            problems=post.getlist("problem"), note=post.get("note", ""),
            reason=post.get("reason", ""), term_months=post.get("term_months"),
            starts_on=post.get("starts_on")))
    return done


@scoped("branch")
@login_required
@require_POST
def contract_action(request: HttpRequest, contract_id: int, action: str) -> HttpResponse:
    selectors.contract_get(user=request.user, contract_id=contract_id)
    from_review = request.POST.get("next", "") == "review"
    with refusals_as_messages(request) as refused:
        messages.success(request, _take_step(request, contract_id, action))
    if from_review and not refused:
        return redirect("contracts:review")
    # A refusal keeps the manager on the contract, its error shown there; the way back
    # to the queue is kept for the next try.
    url = reverse("contracts:contract_detail", kwargs={"contract_id": contract_id})
    return redirect(url + "?next=review" if from_review else url)


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def contract_terminate(request: HttpRequest, contract_id: int) -> HttpResponse:
    """The manager ends an active contract early: why, and its last day in force."""
    contract = selectors.contract_get(user=request.user, contract_id=contract_id)
    CONTRACT_FLOW.ensure_can(contract, "terminate", actor=request.user)
    error = None
    if request.method == "POST":
        try:
            services.contract_terminate(
                actor=request.user, contract_id=contract.pk,
                reason=request.POST.get("reason", ""),
                terminated_on=request.POST.get("terminated_on", ""))
        except (ValidationFailed, Conflict) as exc:
            error = exc
        else:
            messages.success(request, _("The contract is terminated."))
            return redirect("contracts:contract_detail", contract_id=contract.pk)
    return render(request, "contracts/terminate.html", {
        "contract": contract, "error": error, "posted": request.POST,
        "today": timezone.localdate()}, status=422 if error else 200)


@scoped("list")
@login_required
def review(request: HttpRequest) -> HttpResponse:
    """The manager's desk: the batches handed over, the signed contracts still waiting."""
    org_perms.ensure(request.user, perms.CONTRACT_APPROVE.code)
    contracts = list(selectors.review_queue(user=request.user)[:200])
    waiting = selectors.signed_waiting(user=request.user)
    branches = dict(Branch.objects.filter(pk__in=waiting).values_list("pk", "name"))
    return render(request, "contracts/review.html", {
        "contracts": contracts,
        "waiting": [(pk, branches.get(pk, pk), n) for pk, n in sorted(waiting.items())]})


@scoped("global")
@login_required
@require_POST
def review_collect(request: HttpRequest) -> HttpResponse:
    branch_id = int_param(request.POST.get("branch"))
    if branch_id is None:
        messages.error(request, _("Choose a branch."))
        return redirect("contracts:review")
    batch = services.batch_collect(actor=request.user, branch_id=branch_id)
    if batch is None:
        messages.info(request, _("No signed contracts are waiting."))
    else:
        messages.success(request, ngettext("%(n)d contract handed over for your check.",
                                           "%(n)d contracts handed over for your check.",
                                           batch.size) % {"n": batch.size})
    return redirect("contracts:review")


@scoped("list")
@login_required
@reads_reports
def report(request: HttpRequest) -> HttpResponse:
    """Contracts by state, movement and time to activation per branch and month (read
    from the kept figures), HQ materials' delivery."""
    org_perms.ensure(request.user, perms.CONTRACT_REPORT.code)
    this_month = timezone.localdate().replace(day=1)
    until = reports.month_param(request.GET.get("until")) or this_month
    since = reports.month_param(request.GET.get("since")) or reports.add_months(until, -11)
    branch = request.GET.get("branch", "")
    result = reports.contract_report(user=request.user, since=since, until=until,
                                     branch_id=int_param(branch),
                                     page=request.GET.get("page", 1))
    return render(request, "contracts/report.html", {
        "report": result, "rows": result.rows, "company": result.company,
        "since": result.since, "until": result.until, "query": reports.query_without_page(request),
        "statuses": ContractStatus.choices,
        "branch_picker": branch_picker(request.user, perms.CONTRACT_REPORT.code, branch),
        "deliveries": reports.material_delivery()
        if org_perms.access_of(request.user).is_hq else []})
