"""Pages of complaints: the list (nearest deadline first), the intake form (the customer
picked, the product picked from their purchases and contracts), the complaint page (its
clock with the rule named, history, the steps allowed now), the receipt PDF and files."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_http_methods, require_POST

from punkt.complaints import clock, documents, selectors, services
from punkt.complaints import permissions as perms
from punkt.complaints.models import (
    ActionKind,
    AttachmentKind,
    Cause,
    ComplaintAttachment,
    ComplaintChannel,
    ComplaintKind,
    ComplaintStatus,
    Demand,
    InformedBy,
    Outcome,
    RemedyKind,
)
from punkt.complaints.workflows import COMPLAINT_FLOW
from punkt.core import files
from punkt.core.errors import Conflict, NotFound
from punkt.core.money import format_pln
from punkt.core.paging import paginate
from punkt.core.routes import scoped
from punkt.core.web import date_param, int_param, is_htmx, refusals_as_messages, text_param
from punkt.customers import permissions as customer_perms
from punkt.customers.models import Customer
from punkt.customers.search import customers_named
from punkt.organization import permissions as org_perms
from punkt.organization.filters import branch_picker

FIELDS = ("customer_id", "kind", "demand", "customer_account", "employee_opinion",
          "sale_line_id", "contract_id", "product_text", "amount", "contract_days", "channel",
          "terms_version", "terms_shown", "ticket_id")
#: the attachment inputs of the intake form: (input name, kind)
UPLOADS = (("file_warranty", AttachmentKind.WARRANTY_CARD), ("file_proof", AttachmentKind.PROOF),
           ("file_photo", AttachmentKind.PHOTO))
#: the list counts at most this many complaints ("more than …" beyond: narrow it down)
LIST_CAP = 5000
STATUS_LABELS = {"open": gettext_lazy("open (all)"),
                 "undecided": gettext_lazy("waiting for a decision"),
                 "all": gettext_lazy("all")}


@scoped("list")
@login_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.COMPLAINT_VIEW.code)
    status = text_param(request.GET.get("status"), 20) or "open"
    if status not in selectors.STATUS_FILTERS:
        status = "open"
    overdue = request.GET.get("overdue") == "1"
    branch = int_param(request.GET.get("branch"))
    actions = request.GET.get("actions", "")
    actions = actions if actions in selectors.ACTION_FILTERS else ""
    query = text_param(request.GET.get("q"), selectors.SEARCH_MAX)
    qs = selectors.listing(user=request.user, status=status, overdue=overdue,
                           branch_id=branch, actions=actions, q=query).order_by("deadline", "id")
    listing = paginate(request, qs, sort="deadline", per_page=25, cap=LIST_CAP)
    now = timezone.now()
    for row in listing.page.object_list:
        row.days_left = clock.days_left(row.deadline, now)
    template = "complaints/complaint_list.html" + ("#results" if is_htmx(request) else "")
    return render(request, template, {
        "listing": listing, "status": status, "overdue": overdue, "actions": actions,
        "q": query,
        "action_filters": [("overdue", _("an action past its due date")),
                           ("to_verify", _("an action waiting for verification"))],
        "statuses": [(k, STATUS_LABELS[k]) for k in ("open", "undecided")]
        + list(ComplaintStatus.choices) + [("all", STATUS_LABELS["all"])],
        "picker": branch_picker(request.user, perms.COMPLAINT_VIEW.code, branch),
        "can_create": org_perms.can(request.user, perms.COMPLAINT_CREATE.code)})


def _prefill_from_ticket(request: HttpRequest, form: dict[str, Any]) -> Any:
    """``?ticket_id=``: the ticket's customer, its subject and first message as the
    customer's account, the channel "from a ticket"."""
    ticket_id = int_param(form.get("ticket_id"))
    if not ticket_id:
        return None
    from punkt.servicedesk import selectors as desk

    try:
        ticket = desk.ticket_get(user=request.user, ticket_id=ticket_id)
    except NotFound:
        if request.method == "GET":  # a stale link: the form without it (a POST is refused)
            form["ticket_id"] = ""
        return None
    if request.method == "GET":
        first = ticket.messages.filter(internal=False).order_by("id").first()
        form["customer_id"] = form["customer_id"] or str(ticket.customer_id or "")
        form["customer_account"] = form["customer_account"] or (
            f"{ticket.subject}\n{first.body}" if first else ticket.subject)
        form["channel"] = ComplaintChannel.TICKET
    return ticket


@scoped("self")
@login_required
@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.COMPLAINT_CREATE.code)
    source = request.POST if request.method == "POST" else request.GET
    form = {name: source.get(name, "") for name in FIELDS}
    ticket = _prefill_from_ticket(request, form)
    error_field = None
    if request.method == "POST":
        with refusals_as_messages(request) as refused:
            complaint = services.complaint_create(
                actor=request.user, **{k: v for k, v in form.items()},
                attachments=[(kind, request.FILES.get(name)) for name, kind in UPLOADS])
            messages.success(request, _("Complaint %(number)s registered; answer due "
                                        "%(due)s.") % {
                "number": complaint.number,
                "due": f"{complaint.deadline.astimezone(clock.WARSAW):%d.%m.%Y}"})
            return redirect("complaints:complaint_detail", complaint_id=complaint.pk)
        error_field = refused.error.field if refused.error else None
    customer = None
    if customer_id := int_param(form["customer_id"]):
        customer = (Customer.objects.visible_to(request.user, customer_perms.CUSTOMER_VIEW)
                    .filter(pk=customer_id).first())
    found: list[Customer] = []
    query = text_param(request.GET.get("q"), 100)
    if customer is None and query:
        ids = customers_named(user=request.user, text=query, limit=20)
        found = list(Customer.objects.filter(pk__in=ids).order_by("last_name", "pk"))
    lines = contracts = []
    if customer is not None:
        lines = list(selectors.customer_sale_lines(request.user, customer)[:50])
        contracts = list(selectors.customer_contracts(request.user, customer)[:50])
    return render(request, "complaints/complaint_new.html", {
        "form": form, "customer": customer, "ticket": ticket, "error_field": error_field,
        "query": query, "found": found, "lines": lines, "contracts": contracts,
        "kinds": [(k, label, clock.rule(k, clock.legal_days().get(k, 0)) if k != "business"
                   else _("days as agreed in the customer's contract"))
                  for k, label in ComplaintKind.choices],
        "demands": Demand.choices,
        "channels": [(c, label) for c, label in ComplaintChannel.choices
                     if c != ComplaintChannel.TICKET or ticket is not None],
        "uploads": [(name, AttachmentKind(kind).label) for name, kind in UPLOADS]})


@scoped("branch")
@login_required
def complaint_detail(request: HttpRequest, complaint_id: int) -> HttpResponse:
    complaint = selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    return render(request, "complaints/complaint_detail.html",
                  _detail_context(request, complaint))


def _detail_context(request: HttpRequest, complaint: Any, **letter_form: Any
                    ) -> dict[str, Any]:
    actions = services.allowed_actions(complaint, request.user)
    now = timezone.now()
    return {
        "complaint": complaint, "history": _labelled(selectors.history(complaint)[:200]),
        "attachments": list(complaint.attachments.all()[:20]),
        # the customer is informed with the answer letter (its own form below)
        "actions": [(a, COMPLAINT_FLOW.transitions[a].label) for a in actions
                    if a != "inform"],
        "rule": clock.rule(complaint.kind, complaint.days),
        "days_left": clock.days_left(complaint.deadline, now),
        "overdue": complaint.is_undecided and complaint.deadline < now,
        "may_attach": org_perms.can(request.user, perms.COMPLAINT_HANDLE.code,
                                    complaint.branch_id),
        "outcomes": Outcome.choices, "causes": Cause.choices, "informed": InformedBy.choices,
        "attachment_kinds": AttachmentKind.choices,
        "remedy_kinds": [(k, label) for k, label in RemedyKind.choices
                         if k != RemedyKind.REFUND],
        "remedy": _remedy_context(request, complaint),
        **_letters_context(request, complaint, "inform" in actions, letter_form),
        **_capa_context(request, complaint)}


def _letters_context(request: HttpRequest, complaint: Any, may_answer: bool,
                     form: dict[str, Any]) -> dict[str, Any]:
    """The letters sent, the answer's form (HQ's text for the decision, to edit) and the
    request to complete while the complaint is undecided."""
    from punkt.complaints import letters
    from punkt.complaints.models import LetterChannel

    may_handle = org_perms.can(request.user, perms.COMPLAINT_HANDLE.code, complaint.branch_id)
    rows = letters.letters_of(complaint)
    waiting = next((r for r in rows if r.awaiting_completion), None)
    context: dict[str, Any] = {
        "letters": rows, "may_handle": may_handle, "may_answer": may_answer,
        "may_request": may_handle and complaint.status in letters.UNDECIDED and waiting is None,
        "letter_channels": LetterChannel.choices, "letter_key": uuid.uuid4().hex,
        "complete_by": letters.completion_term(), "today": timezone.localdate(),
        "letter_form": form}
    if may_answer and not form:
        try:
            subject, body = letters.draft(complaint, request.user, "answer")
        except (NotFound, Conflict) as missing:  # no text from HQ: the form starts empty
            subject, body = "", ""
            context["letter_missing"] = missing.message
        context["letter_form"] = {
            "subject": subject, "body": body, "channel": "email" if complaint.customer.email
            else "post"}
    return context


def _capa_context(request: HttpRequest, complaint: Any) -> dict[str, Any]:
    """The corrective and preventive actions and what the reader may do with them."""
    from punkt.materials import permissions as material_perms
    from punkt.organization.actors import employee_of

    rows = list(complaint.actions.select_related("owner", "verified_by", "material")[:50])
    may_manage = org_perms.can(request.user, perms.CAPA_MANAGE.code, complaint.branch_id)
    me = employee_of(request.user)
    for row in rows:
        row.may_complete = row.status == "open" and me is not None and row.owner_id == me.pk
        row.may_verify = (row.status == "done" and may_manage and me is not None
                          and row.owner_id != me.pk)
    # the new action's form (its owners and HQ materials) is its own page, loaded into
    # this one when opened: the complaint page stays one read of each section
    return {
        "capa": rows, "may_add_capa": may_manage and bool(complaint.cause),
        "may_open_materials": org_perms.can(request.user,
                                            material_perms.MATERIAL_MANAGE.code),
        "today": timezone.localdate()}


def _capa_form_context(request: HttpRequest, complaint: Any,
                       form: dict[str, Any]) -> dict[str, Any]:
    from punkt.complaints import capa
    from punkt.materials.models import Material

    return {"complaint": complaint, "capa_kinds": ActionKind.choices,
            "capa_owners": capa.owners(complaint),
            "capa_materials": list(Material.objects.filter(is_archived=False)
                                   .order_by("kind", "title")[:200]),
            "today": timezone.localdate(), "form": form}


def _remedy_context(request: HttpRequest, complaint: Any) -> dict[str, Any]:
    """What the remedy's part of the page shows: the product a replacement hands over by
    default with the branch's stock of it, the stock movement and till entry with links to
    their pages for those who may open them."""
    from punkt.cashdesk import permissions as cash_perms
    from punkt.inventory import permissions as stock_perms
    from punkt.inventory.models import StockLevel

    context: dict[str, Any] = {"product": None, "in_stock": None}
    if complaint.sale_line_id and complaint.sale_line.product_id:
        context["product"] = complaint.sale_line.product
        context["in_stock"] = (StockLevel.objects.filter(
            branch_id=complaint.branch_id, product_id=complaint.sale_line.product_id)
            .values_list("quantity", flat=True).first() or 0)
    # the kind chosen in the form: what the customer demanded, when it can be done here
    context["default"] = (
        RemedyKind.REPLACEMENT if complaint.demand == "replacement" and context["product"]
        else RemedyKind.REPAIR if complaint.demand == "repair" else RemedyKind.OTHER)
    movement = complaint.stock_movement
    if movement is not None and org_perms.can(request.user, stock_perms.STOCK_VIEW.code,
                                              complaint.branch_id):
        context["movement_url"] = (reverse("inventory:movements")
                                   + f"?branch={movement.branch_id}"
                                   f"&product={movement.product_id}")
    entry = complaint.refund_entry
    if entry is not None and org_perms.can(request.user, cash_perms.CASH_REPORT.code,
                                           complaint.branch_id):
        context["till_url"] = reverse("cashdesk:till_detail", args=[entry.session_id])
    return context


def _labelled(events: Any) -> list[Any]:
    """History rows with their step and state named in the reader's language."""
    steps = {a: t.label for a, t in COMPLAINT_FLOW.transitions.items()}
    steps.update(register=pgettext("complaint", "Registered"), attach=_("File attached"),
                 pay_refund=_("Refund paid out at the till"),
                 capa_add=_("Corrective or preventive action set"),
                 capa_complete=_("Action carried out"), capa_verify=_("Action verified"),
                 capa_send_back=_("Action sent back"),
                 completion_request=_("Customer asked to complete the complaint"),
                 completion_record=_("Customer completed the complaint"),
                 completion_withdrawn=_("Request to complete closed: the complaint was decided"),
                 letter_posted=_("Letter posted"),
                 deemed_accepted=_("Deemed accepted (deadline passed)"))
    states = dict(ComplaintStatus.choices)
    rows = list(events)
    for row in rows:
        row.label = steps.get(row.action, row.action)
        row.to_label = states.get(row.to_status, "") if row.to_status != row.from_status else ""
    return rows


@scoped("branch")
@login_required
@require_POST
def complaint_act(request: HttpRequest, complaint_id: int, action: str) -> HttpResponse:
    selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    if action not in COMPLAINT_FLOW.transitions:
        raise NotFound(_("No such step."))
    fields = {name: request.POST.get(name, "")
              for name in services.FORM_FIELDS.get(action, ())}
    with refusals_as_messages(request):
        services.complaint_move(actor=request.user, complaint_id=complaint_id, action=action,
                                note=request.POST.get("note", ""), **fields)
        messages.success(request, _("Done: %(step)s.") % {
            "step": COMPLAINT_FLOW.transitions[action].label})
    return redirect("complaints:complaint_detail", complaint_id=complaint_id)


@scoped("branch")
@login_required
@require_POST
def complaint_attach(request: HttpRequest, complaint_id: int) -> HttpResponse:
    selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    with refusals_as_messages(request):
        services.attachment_add(actor=request.user, complaint_id=complaint_id,
                                kind=request.POST.get("kind"),
                                uploaded=request.FILES.get("file"))
        messages.success(request, _("File attached."))
    return redirect("complaints:complaint_detail", complaint_id=complaint_id)


@scoped("branch")
@login_required
def complaint_receipt(request: HttpRequest, complaint_id: int) -> HttpResponseBase:
    """The receipt as a PDF, to print at the counter (the same the customer gets by
    e-mail)."""
    complaint = selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    response = HttpResponse(documents.receipt_pdf(complaint), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.receipt_name(complaint)}"'
    response["Content-Security-Policy"] = files.file_csp("application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@scoped("branch")
@login_required
def complaint_file(request: HttpRequest, complaint_id: int, file_id: int) -> HttpResponseBase:
    complaint = selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    row = ComplaintAttachment.objects.filter(complaint=complaint, pk=file_id).first()
    if row is None:
        raise NotFound(_("The file is missing."))
    return files.response_for(row.stored, row.name, row.content_type, area=services.AREA)


@scoped("branch")
@login_required
@require_POST
def refund_pay(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """The cashier pays the ordered refund out from her till (from the dashboard's list of
    refunds to pay); a second click pays nothing more."""
    services.refund_get(user=request.user, complaint_id=complaint_id)
    with refusals_as_messages(request):
        complaint = services.refund_pay(actor=request.user, complaint_id=complaint_id)
        if getattr(complaint, "replayed", False):
            messages.info(request, _("The refund of complaint %(number)s was already paid "
                                     "out.") % {"number": complaint.number})
        else:
            messages.success(request, _("%(amount)s paid out to %(customer)s (complaint "
                                        "%(number)s): it is on your till's list.") % {
                "amount": format_pln(complaint.refund_amount or Decimal(0)),
                "customer": complaint.customer.display_name, "number": complaint.number})
    return redirect("core:dashboard")


CAPA_FIELDS = ("kind", "description", "owner_id", "due_on", "material_id", "procedure")


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def capa_add(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """The new corrective or preventive action: the form (its own page, or the part the
    complaint page loads when opened) and setting it. A refusal shows the form again
    with what was typed and the field named."""
    from punkt.complaints import capa

    complaint = selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    org_perms.ensure(request.user, perms.CAPA_MANAGE.code, complaint.branch_id)
    form = {k: request.POST.get(k, "") for k in CAPA_FIELDS}
    if request.method == "POST":
        with refusals_as_messages(request) as outcome:
            capa.action_add(actor=request.user, complaint_id=complaint_id, **form)
            messages.success(request, _("Action set; its owner is notified."))
            return redirect(reverse("complaints:complaint_detail", args=[complaint_id])
                            + "#capa")
        form["error_field"] = getattr(outcome.error, "field", "") or ""
    template = ("complaints/capa_form_part.html" if is_htmx(request)
                else "complaints/capa_form.html")
    return render(request, template, _capa_form_context(request, complaint, form),
                  status=400 if request.method == "POST" else 200)


@scoped("branch")
@login_required
@require_POST
def capa_move(request: HttpRequest, complaint_id: int, action_id: int, step: str
              ) -> HttpResponse:
    from punkt.complaints import capa
    from punkt.complaints.workflows import ACTION_FLOW

    selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    if step not in ACTION_FLOW.transitions:
        raise NotFound(_("No such step."))
    with refusals_as_messages(request):
        capa.action_move(actor=request.user, complaint_id=complaint_id, action_id=action_id,
                         step=step, note=request.POST.get("note", ""))
        messages.success(request, _("Done: %(step)s.") % {
            "step": ACTION_FLOW.transitions[step].label})
    return redirect(reverse("complaints:complaint_detail", args=[complaint_id]) + "#capa")


def _letter_refused(request: HttpRequest, complaint_id: int, error: Any,
                    form: dict[str, Any]) -> HttpResponse:
    """A refused letter: the page again with the text as written and the field named."""
    complaint = selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    context = _detail_context(request, complaint, **form)
    context["error_field"] = getattr(error, "field", None)
    return render(request, "complaints/complaint_detail.html", context, status=400)


@scoped("branch")
@login_required
@require_POST
def letter_answer(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """Send the answer letter; the complaint moves to "customer informed"."""
    from punkt.complaints import letters

    selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    form = {k: request.POST.get(k, "") for k in ("channel", "subject", "body", "note")}
    with refusals_as_messages(request) as refused:
        letter = letters.answer_send(actor=request.user, complaint_id=complaint_id,
                                     key=request.POST.get("key"), **form)
        messages.success(request, _("Answer sent: %(channel)s. The customer is informed.")
                         % {"channel": letter.get_channel_display()})
        return redirect(reverse("complaints:complaint_detail", args=[complaint_id])
                        + "#letters")
    return _letter_refused(request, complaint_id, refused.error, form)


@scoped("branch")
@login_required
@require_POST
def letter_preview(request: HttpRequest, complaint_id: int) -> HttpResponseBase:
    """The letter as written in the form, as a PDF: nothing is stored or sent."""
    from punkt.complaints import letters

    complaint = selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    org_perms.ensure(request.user, perms.COMPLAINT_HANDLE.code, complaint.branch_id)
    subject = text_param(request.POST.get("subject"), letters.SUBJECT_MAX) or complaint.number
    body = (request.POST.get("body") or "")[:letters.TEXT_MAX]
    channel = text_param(request.POST.get("channel"), 10)
    pdf = letters.letter_pdf(complaint, subject=subject, body=body, on=timezone.localdate(),
                             channel=channel)
    return _pdf_response(pdf, "podglad.pdf")


def _pdf_response(pdf: bytes, name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Content-Security-Policy"] = files.file_csp("application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@scoped("branch")
@login_required
def letter_pdf(request: HttpRequest, complaint_id: int, letter_id: int) -> HttpResponseBase:
    """A letter's PDF as it was sent."""
    complaint = selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    letter = complaint.letters.filter(pk=letter_id).first()
    if letter is None:
        raise NotFound(_("Letter not found."))
    letter.complaint = complaint
    return files.response_for(letter.pdf_stored, letter.file_name, "application/pdf",
                              area=services.AREA)


@scoped("branch")
@login_required
@require_POST
def letter_completion(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """Ask the customer to complete the complaint (HQ's text, the term counted)."""
    from punkt.complaints import letters

    selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    form = {k: request.POST.get(k, "") for k in ("channel", "missing")}
    with refusals_as_messages(request) as refused:
        letter = letters.completion_request(actor=request.user, complaint_id=complaint_id,
                                            key=request.POST.get("key"), **form)
        messages.success(request, _("Request sent (%(channel)s): the customer has until "
                                    "%(day)s.") % {"channel": letter.get_channel_display(),
                                                   "day": f"{letter.complete_by:%d.%m.%Y}"})
        return redirect(reverse("complaints:complaint_detail", args=[complaint_id])
                        + "#letters")
    return _letter_refused(request, complaint_id, refused.error,
                           {"request_" + k: v for k, v in form.items()})


@scoped("branch")
@login_required
@require_POST
def letter_step(request: HttpRequest, complaint_id: int, letter_id: int, step: str
                ) -> HttpResponse:
    """What the customer added to a request, or the posting of a letter."""
    from punkt.complaints import letters

    selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    with refusals_as_messages(request):
        if step == "completed":
            letters.completion_record(actor=request.user, complaint_id=complaint_id,
                                      letter_id=letter_id, note=request.POST.get("note"))
            messages.success(request, _("What the customer added is recorded."))
        elif step == "posted":
            letters.posting_record(actor=request.user, complaint_id=complaint_id,
                                   letter_id=letter_id, posted_on=request.POST.get("posted_on"),
                                   tracking_number=request.POST.get("tracking_number"))
            messages.success(request, _("The posting is recorded."))
        else:
            raise NotFound(_("No such step."))
    return redirect(reverse("complaints:complaint_detail", args=[complaint_id]) + "#letters")


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def letter_templates(request: HttpRequest) -> HttpResponse:
    """HQ's letters: the answer for each decision and the request to complete."""
    from punkt.complaints import letters
    from punkt.complaints.models import LetterTemplate

    org_perms.ensure(request.user, perms.LETTER_MANAGE.code)
    editing = int_param(request.GET.get("edit") or request.POST.get("template_id"))
    error_field = None
    form: dict[str, Any] = {}
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in ("name", "subject", "body")}
        with refusals_as_messages(request) as refused:
            letters.template_update(actor=request.user, template_id=editing, **form)
            messages.success(request, _("Letter saved."))
            return redirect("complaints:letter_templates")
        error_field = refused.error.field if refused.error else None
    rows = list(LetterTemplate.objects.select_related("updated_by").order_by("kind", "pk"))
    current = next((r for r in rows if r.pk == editing), None)
    if current is not None and not form:
        form = {"name": current.name, "subject": current.subject, "body": current.body}
    return render(request, "complaints/letter_templates.html", {
        "rows": rows, "current": current, "form": form, "error_field": error_field,
        "placeholders": letters.PLACEHOLDERS}, status=400 if error_field else 200)


@scoped("list")
@login_required
def complaint_statistics(request: HttpRequest) -> HttpResponseBase:
    """Complaints received in a period per cause, branch, employee, kind, channel or
    product, and the share of customers who complained (R7.4); CSV export."""
    import datetime

    from punkt.complaints import statistics
    from punkt.core.audit import audit_record
    from punkt.core.exports import csv_response

    org_perms.ensure(request.user, perms.REPORT_VIEW.code)
    today = timezone.localdate()
    start = date_param(request.GET.get("from")) or today.replace(day=1)
    end = date_param(request.GET.get("to")) or today
    if end < start:
        start, end = end, start
    end = min(end, start + datetime.timedelta(days=366))
    branch = request.GET.get("branch", "")
    as_csv = request.GET.get("format") == "csv"
    found = statistics.complaint_statistics(user=request.user, start=start, end=end,
                                            by=request.GET.get("by", "cause"),
                                            branch_id=int_param(branch), every_row=as_csv)
    if as_csv:
        audit_record(action="complaints.report.export", actor=request.user,
                     message=f"{found.by} {start}–{end}")
        return csv_response(f"reklamacje-{found.by}-{start}-{end}.csv", [
            str(statistics.BY[found.by]), pgettext("how many complaints", "Received"),
            _("Decided"), _("Upheld"),
            _("Partly upheld"), _("Rejected"), _("Upheld (%)"), _("Answered in time"),
            _("Answered in time (%)"), _("Deemed accepted"), _("Days to a decision (average)"),
            _("Refunds paid (PLN)")], statistics.csv_rows(found))
    months = statistics.trend(user=request.user, last=end, branch_id=int_param(branch))
    actions = statistics.actions_summary(user=request.user, branch_id=int_param(branch))
    return render(request, "complaints/statistics.html", {
        "stats": found, "choices": statistics.BY.items(), "months": months,
        "actions": actions, "charts": _statistics_charts(found, months),
        "list_url": reverse("complaints:complaint_list"),
        "benchmark": statistics.BENCHMARK_PCT,
        "picker": branch_picker(request.user, perms.REPORT_VIEW.code, branch)})


def _statistics_charts(found: Any, months: list[Any]) -> dict[str, Any]:
    from punkt.core import charts

    labels = [f"{m.first_day:%m.%Y}" for m in months]
    return {
        "rows": charts.bars(
            [charts.Bar(r.label, r.received,
                        note=_("(%(pct)s %% upheld)") % {"pct": r.upheld_pct}
                        if r.upheld_pct is not None else "") for r in found.rows[:12]],
            title=_("Complaints received"), testid="statistics-chart"),
        "received": charts.columns(labels, [m.received for m in months],
                                   title=_("Complaints received by month"),
                                   testid="trend-received"),
        "shares": charts.lines(labels, [
            charts.Series(_("Decided in time"), [m.in_time_pct for m in months], tone="3"),
            charts.Series(_("Upheld (wholly or partly)"), [m.upheld_pct for m in months],
                          tone="2")],
            title=_("Decided in time and upheld, % of the month's decisions"),
            fmt=charts.percent_format, testid="trend-shares"),
    }
