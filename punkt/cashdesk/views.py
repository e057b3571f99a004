"""The cashier's pages: the till (open, find an invoice, take a payment, cash in/out,
count and close), an invoice with its duplicate, KP receipts, and the tills a manager
checks with their daily cash reports."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from punkt.cashdesk import documents, selectors, services
from punkt.cashdesk import permissions as perms
from punkt.cashdesk.models import EntryKind, PaymentMethod, TillStatus
from punkt.cashdesk.workflows import allowed_actions
from punkt.core.audit import audit_record
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.core.forms import apply_error
from punkt.core.money import format_pln
from punkt.core.paging import paginate
from punkt.core.routes import scoped
from punkt.core.web import date_param, int_param, refusals_as_messages
from punkt.customers.profile import link_sources
from punkt.organization import permissions as org_perms
from punkt.organization.filters import working_branch


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@scoped("self")
@login_required
@require_http_methods(["GET", "POST"])
def till(request: HttpRequest) -> HttpResponse:
    """The cashier's desk: the open till and the invoice search, or the form to open."""
    org_perms.ensure(request.user, perms.PAYMENT_TAKE.code)
    session = services.till_current(request.user)
    error = None
    if session is None:
        branch = working_branch(request.user, perms.PAYMENT_TAKE.code,
                                request.POST.get("branch") or request.GET.get("branch"))
        if request.method == "POST":
            try:
                services.till_open(actor=request.user, branch_id=branch.pk if branch else 0,
                                   opening_float=request.POST.get("opening_float", ""))
            except (ValidationFailed, Conflict, NotFound) as exc:
                error = exc
            else:
                messages.success(request, _("Till open."))
                return redirect("cashdesk:till")
        return render(request, "cashdesk/till_open.html", {
            "branch": branch, "error": error, "posted": request.POST},
            status=422 if error else 200)
    found: list[Any] = []
    searched = False
    q = request.GET
    try:
        if q.get("number", "").strip():
            searched = True
            invoice = selectors.invoice_by_number(user=request.user, number=q["number"])
            if invoice is not None:
                return redirect("cashdesk:invoice", invoice_id=invoice.pk)
        elif any(q.get(k, "").strip() for k in ("first_name", "last_name", "address")):
            searched = True
            found = selectors.invoices_by_buyer(
                user=request.user, first_name=q.get("first_name", ""),
                last_name=q.get("last_name", ""), address=q.get("address", ""),
                unpaid_only=q.get("all") != "1")
    except ValidationFailed as exc:
        error = exc
    entries = list(session.entries.select_related("payment__invoice")
                   .only("created_at", "kind", "amount", "payment__invoice__number")
                   .order_by("-pk")[:15])
    return render(request, "cashdesk/till.html", {
        "session": session, "found": found, "searched": searched, "error": error,
        "entries": entries, "actions": allowed_actions(session, request.user),
        "stale": session.business_day != services.today()})


@scoped("self")
@login_required
@require_POST
def cash(request: HttpRequest) -> HttpResponse:
    with refusals_as_messages(request):
        services.cash_move(actor=request.user, kind=request.POST.get("kind", ""),
                           amount=request.POST.get("amount", ""),
                           reason=request.POST.get("reason", ""))
        messages.success(request, _("Recorded in the till."))
    return redirect("cashdesk:till")


@scoped("self")
@login_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.PAYMENT_TAKE.code)
    session = services.till_current(request.user)
    if session is None:
        messages.error(request, _("Your till is not open."))
        return redirect("cashdesk:till")
    error = None
    if request.method == "POST":
        counted = {d: request.POST.get(f"count-{d}", "") for d in services.DENOMINATIONS}
        try:
            closed = services.till_close(actor=request.user, session_id=session.pk,
                                         counted=counted, note=request.POST.get("note", ""))
        except ValidationFailed as exc:
            error = exc
        except Conflict as exc:  # closed meanwhile (another tab): nothing changed (C7)
            messages.error(request, exc.message)
            return redirect("cashdesk:till_detail", session_id=session.pk)
        else:
            messages.success(request, _("Till closed: the manager will check it."))
            return redirect("cashdesk:till_detail", session_id=closed.pk)
    return render(request, "cashdesk/close.html", {
        "session": session, "denominations": services.DENOMINATIONS, "error": error,
        "posted": request.POST}, status=422 if error else 200)


@scoped("global")
@login_required
def invoice(request: HttpRequest, invoice_id: int) -> HttpResponse:
    inv = selectors.invoice_get(user=request.user, invoice_id=invoice_id)
    session = services.till_current(request.user)
    actions = allowed_actions(session, request.user)
    limit = services.business_to_business_cash_limit()
    return render(request, "cashdesk/invoice.html", {
        "invoice": inv, "payments": selectors.invoice_payments(user=request.user, invoice=inv),
        "credit_uses": selectors.invoice_credit_uses(user=request.user, invoice=inv),
        "balance": selectors.balance(inv.customer_id), "can_pay": "pay" in actions,
        "actions": actions, "session": session, "methods": PaymentMethod.choices,
        "no_cash": inv.is_business and inv.gross > limit, "limit": limit,
        "can_correct": org_perms.can(request.user, perms.CREDIT_CORRECT.code),
        "refund_error": request.session.pop("punkt.refund_error", None),
        "refund_done": selectors.refund_get(user=request.user, refund_id=done)
        if (done := request.session.pop("punkt.refund_done", None)) else None,
        "key": uuid.uuid4().hex, "error": request.session.pop("punkt.pay_error", None),
        "vat": documents.vat_summary(inv)})


@scoped("global")
@login_required
@require_POST
def pay(request: HttpRequest, invoice_id: int) -> HttpResponse:
    inv = selectors.invoice_get(user=request.user, invoice_id=invoice_id)
    try:
        payment = services.payment_register(
            actor=request.user, invoice_id=inv.pk, amount=request.POST.get("amount", ""),
            method=request.POST.get("method", ""), key=f"form:{request.POST.get('key', '')}"
            if request.POST.get("key") else "")
    except (ValidationFailed, Conflict, NotFound) as exc:
        request.session["punkt.pay_error"] = {"message": exc.message, "field": exc.field}
        return redirect("cashdesk:invoice", invoice_id=inv.pk)
    if not getattr(payment, "replayed", False):
        messages.success(request, _("Payment %(number)s of %(amount)s taken.")
                         % {"number": payment.number,
                            "amount": format_pln(payment.amount)})
    return redirect("cashdesk:invoice", invoice_id=inv.pk)


@scoped("global")
@login_required
@require_POST
def settle_credit(request: HttpRequest, invoice_id: int) -> HttpResponse:
    inv = selectors.invoice_get(user=request.user, invoice_id=invoice_id)
    try:
        use = services.credit_apply(actor=request.user, invoice_id=inv.pk)
    except (ValidationFailed, Conflict, NotFound) as exc:
        request.session["punkt.pay_error"] = {"message": exc.message, "field": exc.field}
        return redirect("cashdesk:invoice", invoice_id=inv.pk)
    messages.success(request, _("%(amount)s of the customer's credit settled against this "
                                "invoice.") % {"amount": format_pln(use.amount)})
    return redirect("cashdesk:invoice", invoice_id=inv.pk)


@scoped("global")
@login_required
@require_POST
def refund(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The customer's credit paid out in cash at the cashier's till (a KW document); back
    to the invoice the cashier found the customer through."""
    org_perms.ensure(request.user, perms.PAYMENT_TAKE.code)
    back = int_param(request.POST.get("invoice"))
    inv = selectors.invoice_get(user=request.user, invoice_id=back) if back else None
    target = redirect("cashdesk:invoice", invoice_id=inv.pk) if inv else redirect(
        "cashdesk:till")
    try:
        done = services.credit_refund(
            actor=request.user, customer_id=inv.customer_id if inv else customer_id,
            amount=request.POST.get("amount", ""), reason=request.POST.get("reason", ""),
            key=f"form:{request.POST.get('key', '')}" if request.POST.get("key") else "")
    except (ValidationFailed, Conflict, NotFound) as exc:
        request.session["punkt.refund_error"] = {"message": exc.message, "field": exc.field}
        return target
    if not getattr(done, "replayed", False):
        messages.success(request, _("%(amount)s of credit paid out in cash: %(number)s.")
                         % {"amount": format_pln(done.amount), "number": done.number})
    request.session["punkt.refund_done"] = done.pk
    return target


@scoped("branch")
@login_required
def kw(request: HttpRequest, refund_id: int) -> HttpResponse:
    """The KW document of a credit paid out in cash."""
    done = selectors.refund_get(user=request.user, refund_id=refund_id)
    audit_record(action="cashdesk.refund.print", obj=done, actor=request.user,
                 branch_id=done.branch_id)
    return _pdf(documents.kw_refund_pdf(done), f"{done.number.replace('/', '-')}.pdf")


@scoped("global")
@login_required
@require_POST
def credit_undo(request: HttpRequest, use_id: int) -> HttpResponse:
    """HQ undoes a credit settlement made by mistake (the invoice reopens)."""
    org_perms.ensure(request.user, perms.CREDIT_CORRECT.code)
    use = selectors.credit_use_get(user=request.user, use_id=use_id)
    with refusals_as_messages(request):
        services.credit_use_reverse(actor=request.user, use_id=use.pk,
                                    reason=request.POST.get("reason", ""))
        messages.success(request, _("Credit settlement undone: the invoice is open again and "
                                    "the customer has the credit back."))
    return redirect("cashdesk:invoice", invoice_id=use.invoice_id)


@scoped("global")
@login_required
@require_POST
def duplicate(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """Printing a duplicate records its issue (a DuplicateIssue row and an audit row):
    a POST, never a link a prefetcher or scanner could follow."""
    inv = selectors.invoice_get(user=request.user, invoice_id=invoice_id)
    issue = services.duplicate_issue(actor=request.user, invoice_id=inv.pk)
    data = documents.invoice_pdf(inv, reissued_on=timezone.localtime(issue.issued_at).date())
    kind = "wizualizacja-ksef" if inv.in_ksef else "duplikat"
    return _pdf(data, f"{kind}-{inv.number.replace('/', '-')}.pdf")


@scoped("branch")
@login_required
def kp(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = selectors.payment_get(user=request.user, payment_id=payment_id)
    audit_record(action="cashdesk.payment.print", obj=payment, actor=request.user,
                 branch_id=payment.branch_id)
    return _pdf(documents.kp_pdf(payment), f"{payment.number.replace('/', '-')}.pdf")


@scoped("branch")
@login_required
@require_POST
def reverse(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = selectors.payment_get(user=request.user, payment_id=payment_id)
    with refusals_as_messages(request):
        services.payment_reverse(actor=request.user, payment_id=payment.pk,
                                 reason=request.POST.get("reason", ""))
        messages.success(request, _("Payment reversed."))
    return redirect("cashdesk:invoice", invoice_id=payment.invoice_id)


@scoped("list")
@login_required
def till_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.till_list(user=request.user)
    status = request.GET.get("status", "")
    if status in TillStatus.values:
        qs = qs.filter(status=status)
    listing = paginate(request, qs, sort="-business_day", per_page=50, cap=5000)
    return render(request, "cashdesk/till_list.html", {
        "listing": listing, "statuses": TillStatus.choices, "status": status})


@scoped("branch")
@login_required
def till_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.till_get(user=request.user, session_id=session_id)
    entries = list(session.entries.select_related("payment__invoice", "actor",
                                                  "refund__customer")
                   .order_by("created_at", "pk"))
    link_sources(request.user, session.branch_id, entries)  # a complaint's refund
    # The cashier's own open till stays blind: the expected amount shows once counted.
    blind = session.status == TillStatus.OPEN and session.cashier_id == request.user.pk
    return render(request, "cashdesk/till_detail.html", {
        "session": session, "entries": entries, "blind": blind,
        "expected": None if blind else services.expected_cash(session),
        "can_acknowledge": "acknowledge" in allowed_actions(session, request.user),
        "kinds": EntryKind})


@scoped("branch")
@login_required
@require_POST
def acknowledge(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.till_get(user=request.user, session_id=session_id)
    # Acknowledging one's own till is refused as a message, not a 403 page.
    with refusals_as_messages(request, catch=(ValidationFailed, Conflict, ActionDenied)):
        services.till_acknowledge(actor=request.user, session_id=session.pk,
                                  note=request.POST.get("note", ""))
        messages.success(request, _("Till checked."))
    return redirect("cashdesk:till_detail", session_id=session.pk)


@scoped("branch")
@login_required
def cash_report(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.till_get(user=request.user, session_id=session_id)
    entries = list(session.entries.select_related("payment__invoice", "refund")
                   .order_by("created_at", "pk"))
    audit_record(action="cashdesk.report.print", obj=session, actor=request.user,
                 branch_id=session.branch_id)
    return _pdf(documents.cash_report_pdf(session, entries),
                f"raport-kasowy-{session.business_day:%Y-%m-%d}-{session.pk}.pdf")


@scoped("list")
@login_required
def takings(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Payments per cashier and day, with a CSV export."""
    today = timezone.localdate()
    start = date_param(request.GET.get("from")) or today - datetime.timedelta(days=6)
    end = date_param(request.GET.get("to")) or today
    start, end = min(start, end), max(start, end)
    rows = selectors.takings(user=request.user, day_from=start, day_to=end)
    if request.GET.get("format") == "csv":
        from punkt.core.exports import csv_response

        audit_record(action="cashdesk.report.export", actor=request.user,
                     message=f"{start}–{end}")
        return csv_response(f"wplaty-{start}-{end}.csv", [
            _("Day"), _("Branch"), _("Cashier"), _("Payments"), _("Cash"), _("Card"),
            _("Difference")], ([r.session.business_day.isoformat(), r.session.branch.name,
                                r.session.cashier.get_full_name(), r.payments, r.cash, r.card,
                                r.session.difference] for r in rows))
    return render(request, "cashdesk/takings.html", {"rows": rows, "start": start,
                                                     "end": end})


# --- Invoice files from HQ -------------------------------------------------------------

class InvoiceImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"), help_text=gettext_lazy(
        "First row: column names; a row per invoice line. Up to 20 MB, 200,000 rows."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx"


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def invoice_imports(request: HttpRequest) -> HttpResponse:
    """HQ uploads a file of invoices; the recent files and their state."""
    from punkt.cashdesk import imports
    from punkt.cashdesk.models import InvoiceImport

    org_perms.ensure(request.user, perms.INVOICE_MANAGE.code)
    form = InvoiceImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.import_upload(actor=request.user, uploaded=form.cleaned_data["file"])
        except ValidationFailed as exc:
            apply_error(form, exc)
        else:
            return redirect("cashdesk:invoice_import", import_id=job.pk)
    columns = [(name, label, aliases[0] if aliases else "")
               for name, (label, aliases) in imports.COLUMNS.items()]
    return render(request, "cashdesk/invoice_imports.html", {
        "form": form, "columns": columns, "required": imports.REQUIRED,
        "recent": InvoiceImport.objects.select_related("created_by")[:20]},
        status=422 if form.errors else 200)


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def invoice_import(request: HttpRequest, import_id: int) -> HttpResponse:
    from punkt.cashdesk import imports

    job = imports.import_get(user=request.user, import_id=import_id)
    if request.method == "POST":
        with refusals_as_messages(request, catch=(Conflict,)):
            job = imports.import_confirm(actor=request.user, import_id=job.pk)
            messages.success(request, _("Import started."))
        return redirect("cashdesk:invoice_import", import_id=job.pk)
    template = "cashdesk/invoice_import.html"
    if getattr(request, "htmx", False):
        template += "#status"
    return render(request, template, {"job": job, "errors": job.errors[:500]})


@scoped("global")
@login_required
def invoice_import_sample(request: HttpRequest) -> StreamingHttpResponse:
    """A file to start from: one invoice of two lines, in the columns' Polish names."""
    from punkt.core.exports import csv_response

    org_perms.ensure(request.user, perms.INVOICE_MANAGE.code)
    header = ["numer faktury", "klient", "data wystawienia", "data sprzedaży",
              "termin płatności", "okres", "pozycja", "ilość", "stawka vat", "netto", "brutto",
              "numer ksef"]
    today = timezone.localdate()
    due = today + datetime.timedelta(days=14)
    first = [f"FV/{today:%Y/%m}/000001", "K0000001", today.strftime("%d.%m.%Y"),
             today.strftime("%d.%m.%Y"), due.strftime("%d.%m.%Y"), f"{today:%m.%Y}"]
    return csv_response("faktury-wzor.csv", header, [
        [*first, "Abonament Internet 300 Mb/s", "1", "23", "40,65", "61,50", ""],
        [*[""] * 6, "Dzierżawa routera", "1", "23", "9,35", "", ""]])
