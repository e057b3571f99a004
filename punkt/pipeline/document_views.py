"""Pages of a sale's documents: prepared and sent from the opportunity page (the offer in
versions with its discounts, the minutes, the acceptance act, the questionnaire), the
discount approved by another person (C11), the PDF; and the customer's link from the
e-mail (no sign-in): a page with the document's name and a button that downloads the PDF
— the opening is recorded on that POST, so a mail scanner following the link does not
count as the customer opening it (and no GET writes, C21)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from punkt.core.errors import NotFound
from punkt.core.routes import scoped
from punkt.core.web import refusals_as_messages
from punkt.pipeline import sales_documents as docs
from punkt.pipeline import selectors


def _back(opportunity_id: int) -> HttpResponse:
    response = redirect("pipeline:opportunity_detail", opportunity_id=opportunity_id)
    response["Location"] += "#documents"
    return response


def offer_lines_from(post: Any) -> list[dict[str, Any]]:
    """The form's positions: ``qty_<id>`` above 0 chosen, with ``discount_<id>``."""
    lines = []
    for key, value in post.items():
        if not key.startswith("qty_") or not key[4:].isdecimal():
            continue
        quantity = str(value).strip()
        if quantity in ("", "0"):
            continue
        lines.append({"price_item_id": key[4:], "quantity": quantity,
                      "discount": post.get(f"discount_{key[4:]}", "")})
    return lines


@scoped("branch")
@login_required
@require_POST
def offer_create(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id)
    with refusals_as_messages(request):
        document = docs.offer_version_create(
            actor=request.user, opportunity_id=opportunity_id,
            lines=offer_lines_from(request.POST),
            valid_until=request.POST.get("valid_until", ""),
            text=request.POST.get("text", ""))
        if document.offer and document.offer.status == "awaiting":
            messages.warning(request, _("Offer %(number)s prepared; its discount is above the "
                                        "limit, so it awaits approval by the branch manager "
                                        "or HQ before it can be sent.")
                             % {"number": document.number})
        else:
            messages.success(request, _("Offer %(number)s prepared.")
                             % {"number": document.number})
    return _back(opportunity_id)


@scoped("branch")
@login_required
@require_POST
def document_create(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id)
    with refusals_as_messages(request):
        document = docs.document_create(
            actor=request.user, opportunity_id=opportunity_id,
            kind=request.POST.get("kind", ""), text=request.POST.get("text", ""),
            invoice_ref=request.POST.get("invoice_ref", ""))
        messages.success(request, _("%(doc)s %(number)s prepared.") % {
            "doc": document.get_kind_display().capitalize(), "number": document.number})
    return _back(opportunity_id)


@scoped("branch")
@login_required
@require_POST
def document_send(request: HttpRequest, document_id: int) -> HttpResponse:
    document = docs.document_get(user=request.user, document_id=document_id)
    with refusals_as_messages(request):
        sent = docs.document_send(actor=request.user, document_id=document_id)
        messages.success(request, _("%(number)s is being sent to %(to)s.") % {
            "number": sent.number, "to": sent.sent_to})
    return _back(document.opportunity_id)


@scoped("branch")
@login_required
@require_POST
def document_approve(request: HttpRequest, document_id: int) -> HttpResponse:
    document = docs.document_get(user=request.user, document_id=document_id)
    with refusals_as_messages(request):
        docs.document_approve(actor=request.user, document_id=document_id)
        messages.success(request, _("Discount approved: the offer may be sent."))
    return _back(document.opportunity_id)


def _pdf(document: Any, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(docs.document_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        not inline, document.file_name) or "inline"
    return response


@scoped("branch")
@login_required
def document_pdf(request: HttpRequest, document_id: int) -> HttpResponse:
    return _pdf(docs.document_get(user=request.user, document_id=document_id))


@scoped("public")
@require_http_methods(["GET", "POST"])
def document_link(request: HttpRequest, token: str) -> HttpResponse:
    """No sign-in: the signed link in the e-mail names one document and nothing else."""
    try:
        document = docs.document_for_link(token)
    except NotFound:
        return render(request, "pipeline/document_link.html", {"invalid": True}, status=404)
    except docs.LinkExpired:
        return render(request, "pipeline/document_link.html", {"expired": True}, status=410)
    if request.method == "POST":
        return _pdf(docs.document_opened(token=token), inline=False)
    return render(request, "pipeline/document_link.html", {"document": document})
