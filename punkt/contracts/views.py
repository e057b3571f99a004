"""Offer pages: choose positions from the price lists in force, record the answer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from punkt.contracts import selectors, services
from punkt.contracts.workflows import OFFER_FLOW
from punkt.core.errors import Conflict, ValidationFailed
from punkt.core.routes import scoped
from punkt.customers import selectors as customers
from punkt.materials import selectors as materials
from punkt.materials.models import MaterialKind


def _lines_from(post: Any) -> list[dict[str, Any]]:
    lines = []
    for key, value in post.items():
        if key.startswith("qty_") and value.strip() not in ("", "0"):
            lines.append({"price_item_id": key.removeprefix("qty_"), "quantity": value.strip()})
    return lines


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def offer_create(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customers.customer_get(user=request.user, customer_id=customer_id)
    price_lists = materials.price_lists_in_force(branch_id=customer.branch_id)
    promos = materials.in_force_for_branch(branch_id=customer.branch_id,
                                           kind=MaterialKind.PROMO)
    error = None
    if request.method == "POST":
        try:
            promo = request.POST.get("promo") or None
            offer = services.offer_create(
                actor=request.user, customer_id=customer.pk, lines=_lines_from(request.POST),
                promo_version_id=int(promo) if promo and promo.isdecimal() and promo.isascii()
                else None,
                note=request.POST.get("note", ""))
        except (ValidationFailed, Conflict) as exc:
            error = exc
        else:
            messages.success(request, _("Offer recorded on the customer's timeline."))
            return redirect("contracts:offer_detail", offer_id=offer.pk)
    return render(request, "contracts/offer_form.html", {
        "customer": customer, "price_lists": price_lists, "promos": promos, "error": error,
        "posted": request.POST}, status=422 if error else 200)


@scoped("branch")
@login_required
def offer_detail(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = selectors.offer_get(user=request.user, offer_id=offer_id)
    return render(request, "contracts/offer_detail.html", {
        "offer": offer, "actions": OFFER_FLOW.allowed_actions(offer, request.user)})


@scoped("branch")
@login_required
@require_POST
def offer_decide(request: HttpRequest, offer_id: int) -> HttpResponse:
    selectors.offer_get(user=request.user, offer_id=offer_id)
    accepted = request.POST.get("answer") == "accept"
    try:
        services.offer_decide(actor=request.user, offer_id=offer_id, accepted=accepted,
                              reason=request.POST.get("reason", ""))
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Answer recorded."))
    return redirect("contracts:offer_detail", offer_id=offer_id)
