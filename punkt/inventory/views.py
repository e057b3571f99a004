"""Stock pages: a branch's stock with norms and adjustments, its ledger, orders from HQ
(proposal, shipping at HQ, receipt at the branch), and HQ's goods receipt."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from punkt.catalog.models import Product
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.core.paging import paginate
from punkt.core.routes import scoped
from punkt.inventory import permissions as perms
from punkt.inventory import selectors, services
from punkt.inventory.models import OrderStatus
from punkt.inventory.workflows import ORDER_FLOW
from punkt.organization import permissions as org_perms
from punkt.organization.filters import branch_options, working_branch
from punkt.organization.models import Branch


def _int(value: Any) -> int | None:
    text = str(value or "")
    return int(text) if text.isdecimal() and text.isascii() and len(text) < 19 else None


def _branch(request: HttpRequest) -> Branch:
    branch = working_branch(request.user, perms.STOCK_VIEW.code, request.GET.get("branch"))
    return branch if branch is not None else services.hq_branch()


def _branch_filter(request: HttpRequest, branch: Branch) -> dict[str, Any]:
    access = org_perms.access_of(request.user)
    allowed = access.branches_for(perms.STOCK_VIEW.code)
    many = allowed is None or len(allowed) > 1
    return {"branch_filter": many, "branch_options": branch_options(
        request.user, perms.STOCK_VIEW.code, str(branch.pk)) if many else None}


@scoped("list")
@login_required
def stock(request: HttpRequest) -> HttpResponse:
    branch = _branch(request)
    qs = selectors.levels(user=request.user, branch_id=branch.pk, q=request.GET.get("q", ""),
                          below_only=request.GET.get("below") == "1")
    listing = paginate(request, qs, sort="name", per_page=50, cap=5000)
    can_manage = org_perms.can(request.user, perms.STOCK_MANAGE.code, branch.pk)
    template = "inventory/stock.html" + ("#results" if request.htmx else "")
    return render(request, template, {
        "branch": branch, "listing": listing, "can_manage": can_manage,
        "can_order": branch.kind != "hq"
        and org_perms.can(request.user, perms.ORDER_CREATE.code, branch.pk),
        "can_receive_goods": branch.kind == "hq"
        and org_perms.can(request.user, perms.ORDER_FULFIL.code),
        "below": selectors.below_norm_count(branch.pk),
        "products": Product.objects.filter(is_active=True).order_by("name")[:1000]
        if can_manage else [],
        **_branch_filter(request, branch)})


@scoped("list")
@login_required
def movements(request: HttpRequest) -> HttpResponse:
    branch = _branch(request)
    qs = selectors.movements(user=request.user, branch_id=branch.pk,
                             product_id=_int(request.GET.get("product")))
    listing = paginate(request, qs, sort="-occurred_at", per_page=50, cap=5000)
    return render(request, "inventory/movements.html", {
        "branch": branch, "listing": listing, **_branch_filter(request, branch)})


def _post_branch(request: HttpRequest, branch_id: int) -> Branch:
    branch = Branch.objects.filter(pk=branch_id).first()
    if branch is None or not org_perms.can(request.user, perms.STOCK_VIEW.code, branch.pk):
        raise NotFound(_("Branch not found."))
    return branch


def _back(branch: Branch) -> HttpResponse:
    response = redirect("inventory:stock")
    response["Location"] += f"?branch={branch.pk}"
    return response


@scoped("branch")
@login_required
@require_POST
def norm(request: HttpRequest, branch_id: int) -> HttpResponse:
    branch = _post_branch(request, branch_id)
    try:
        services.norm_set(actor=request.user, branch_id=branch.pk,
                          product_id=request.POST.get("product"),
                          min_norm=request.POST.get("min_norm"))
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Norm saved."))
    return _back(branch)


@scoped("branch")
@login_required
@require_POST
def adjust(request: HttpRequest, branch_id: int) -> HttpResponse:
    branch = _post_branch(request, branch_id)
    try:
        services.adjustment_record(actor=request.user, branch_id=branch.pk,
                                   product_id=request.POST.get("product"),
                                   quantity=request.POST.get("quantity"),
                                   reason=request.POST.get("reason"))
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Adjustment recorded."))
    return _back(branch)


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def goods_receipt(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.ORDER_FULFIL.code)
    error = None
    if request.method == "POST":
        try:
            services.receipt_record(actor=request.user, product_id=request.POST.get("product"),
                                    quantity=request.POST.get("quantity"),
                                    reason=request.POST.get("reason"))
        except ValidationFailed as exc:
            error = exc
        else:
            messages.success(request, _("Receipt recorded in the HQ warehouse."))
            return redirect("inventory:goods_receipt")
    return render(request, "inventory/goods_receipt.html", {
        "error": error, "posted": request.POST,
        "products": Product.objects.filter(is_active=True).order_by("name")[:1000]},
        status=422 if error else 200)


@scoped("list")
@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if "status" not in request.GET and org_perms.access_of(request.user).is_hq:
        status = OrderStatus.SUBMITTED  # HQ's queue: what waits to be shipped
    qs = selectors.orders(user=request.user, status=status,
                          branch_id=_int(request.GET.get("branch")))
    listing = paginate(request, qs, sort="-created_at", per_page=50, cap=5000)
    return render(request, "inventory/order_list.html", {
        "listing": listing, "statuses": OrderStatus.choices, "status": status})


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def order_new(request: HttpRequest, branch_id: int) -> HttpResponse:
    branch = _post_branch(request, branch_id)
    proposal = services.order_proposal(user=request.user, branch_id=branch.pk)
    error = None
    if request.method == "POST":
        lines = {key.removeprefix("qty-"): value for key, value in request.POST.items()
                 if key.startswith("qty-")}
        try:
            order = services.order_create(actor=request.user, branch_id=branch.pk, lines=lines,
                                          note=request.POST.get("note", ""),
                                          key=f"form:{request.POST.get('key', '')}"[:80]
                                          if request.POST.get("key") else "")
        except (ValidationFailed, Conflict) as exc:
            error = exc
        else:
            messages.success(request, _("Order %(number)s sent to HQ.")
                             % {"number": order.number})
            return redirect("inventory:order_detail", order_id=order.pk)
    return render(request, "inventory/order_new.html", {
        "branch": branch, "proposal": proposal, "error": error, "posted": request.POST,
        "key": request.POST.get("key") or uuid.uuid4().hex},
        status=422 if error else 200)


@scoped("branch")
@login_required
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = selectors.order_get(user=request.user, order_id=order_id)
    actions = ORDER_FLOW.allowed_actions(order, request.user)
    return render(request, "inventory/order_detail.html", {
        "order": order, "lines": list(order.lines.select_related("product")),
        "actions": actions, "form_action": next(
            (a for a in ("ship", "receive") if a in actions), None)})


@scoped("branch")
@login_required
@require_POST
def order_action(request: HttpRequest, order_id: int, action: str) -> HttpResponse:
    order = selectors.order_get(user=request.user, order_id=order_id)
    post = request.POST
    try:
        if action == "ship":
            services.order_ship(actor=request.user, order_id=order.pk, shipped={
                k.removeprefix("qty-"): v for k, v in post.items() if k.startswith("qty-")})
            messages.success(request, _("Shipped: the goods are in transit."))
        elif action == "receive":
            services.order_receive(
                actor=request.user, order_id=order.pk,
                received={k.removeprefix("qty-"): v for k, v in post.items()
                          if k.startswith("qty-")},
                reasons={k.removeprefix("reason-"): v for k, v in post.items()
                         if k.startswith("reason-")})
            messages.success(request, _("Receipt confirmed: the goods are in stock."))
        elif action in ("cancel", "refuse"):
            services.order_cancel(actor=request.user, order_id=order.pk,
                                  reason=post.get("reason", ""))
            messages.success(request, _("Order cancelled."))
        else:
            raise NotFound(_("No such action."))
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    return redirect("inventory:order_detail", order_id=order.pk)


@scoped("list")
@login_required
def report(request: HttpRequest) -> HttpResponse:
    """Stock value (at the gross prices in force at each branch) and what is below norm,
    per branch, 25 branches a page; CSV of the page's branches."""
    org_perms.ensure(request.user, perms.STOCK_VIEW.code)
    allowed = org_perms.access_of(request.user).branches_for(perms.STOCK_VIEW.code)
    branches = Branch.objects.filter(is_active=True).order_by("name")
    if allowed is not None:
        branches = branches.filter(pk__in=allowed)
    listing = paginate(request, branches, sort="name", per_page=25, cap=5000)
    rows = [(b, selectors.stock_value(user=request.user, branch_id=b.pk),
             selectors.below_norm_count(b.pk)) for b in listing.page]
    if request.GET.get("format") == "csv":
        from punkt.core.audit import audit_record
        from punkt.core.exports import csv_response

        audit_record(action="inventory.report.export", actor=request.user)
        return csv_response("stany-magazynowe.csv", [
            _("Branch"), _("Products"), _("Units"), _("Value (gross)"), _("Without a price"),
            _("Below norm")], ([b.name, v.items, v.units, v.value_gross, v.unpriced, n]
                               for b, v, n in rows))
    return render(request, "inventory/report.html", {"listing": listing, "rows": rows})
