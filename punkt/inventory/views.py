"""Stock pages: a branch's stock with norms and adjustments, its ledger, orders from HQ
(proposal, shipping at HQ, receipt at the branch), and HQ's goods receipt."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from punkt.catalog.models import Product
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.core.paging import paginate
from punkt.core.reports import reads_reports
from punkt.core.routes import scoped
from punkt.core.web import int_param, is_htmx, refusals_as_messages
from punkt.customers.profile import link_sources
from punkt.inventory import permissions as perms
from punkt.inventory import selectors, services
from punkt.inventory.models import OrderStatus
from punkt.inventory.workflows import ORDER_FLOW
from punkt.organization import permissions as org_perms
from punkt.organization.filters import branch_picker, working_branch
from punkt.organization.models import Branch

VIEW = perms.STOCK_VIEW.code


def _branch(request: HttpRequest) -> Branch:
    branch = working_branch(request.user, VIEW, request.GET.get("branch"))
    return branch if branch is not None else services.hq_branch()


def _products() -> list[Product]:
    return list(Product.objects.filter(is_active=True).order_by("name")[:1000])


@scoped("list")
@login_required
def stock(request: HttpRequest) -> HttpResponse:
    branch = _branch(request)
    qs = selectors.levels(user=request.user, branch_id=branch.pk, filters={
        "q": request.GET.get("q", ""), "below_only": request.GET.get("below"),
        "kind": request.GET.get("kind", "")})
    below_goods, below_printed = selectors.below_norm_split(user=request.user,
                                                             branch_id=branch.pk)
    listing = paginate(request, qs, sort="name", per_page=50, cap=5000)
    can_manage = org_perms.can(request.user, perms.STOCK_MANAGE.code, branch.pk)
    template = "inventory/stock.html" + ("#results" if is_htmx(request) else "")
    return render(request, template, {
        "branch": branch, "listing": listing, "can_manage": can_manage,
        "can_order": branch.kind != "hq"
        and org_perms.can(request.user, perms.ORDER_CREATE.code, branch.pk),
        "can_receive_goods": branch.kind == "hq"
        and org_perms.can(request.user, perms.ORDER_FULFIL.code),
        "below": below_goods, "below_printed": below_printed,
        "kind": request.GET.get("kind", ""),
        "products": _products() if can_manage else [],
        "branch_picker": branch_picker(request.user, VIEW, branch, blank=False)})


@scoped("list")
@login_required
def movements(request: HttpRequest) -> HttpResponse:
    branch = _branch(request)
    qs = selectors.movements(user=request.user, branch_id=branch.pk,
                             product_id=int_param(request.GET.get("product")))
    listing = paginate(request, qs, sort="-occurred_at", per_page=50, cap=5000)
    link_sources(request.user, branch.pk, listing.page.object_list)  # a sale, a complaint
    return render(request, "inventory/movements.html", {"branch": branch, "listing": listing})


def _post_branch(request: HttpRequest, branch_id: int) -> Branch:
    return Branch.objects.visible_to(request.user, VIEW).get_or_not_found(
        branch_id, missing=_("Branch not found."))


def _back(branch: Branch) -> HttpResponse:
    response = redirect("inventory:stock")
    response["Location"] += f"?branch={branch.pk}"
    return response


@scoped("branch")
@login_required
@require_POST
def norm(request: HttpRequest, branch_id: int) -> HttpResponse:
    branch = _post_branch(request, branch_id)
    with refusals_as_messages(request):
        services.norm_set(actor=request.user, branch_id=branch.pk,
                          product_id=request.POST.get("product"),
                          min_norm=request.POST.get("min_norm"))
        messages.success(request, _("Norm saved."))
    return _back(branch)


@scoped("branch")
@login_required
@require_POST
def adjust(request: HttpRequest, branch_id: int) -> HttpResponse:
    branch = _post_branch(request, branch_id)
    with refusals_as_messages(request):
        services.adjustment_record(actor=request.user, branch_id=branch.pk,
                                   product_id=request.POST.get("product"),
                                   quantity=request.POST.get("quantity"),
                                   reason=request.POST.get("reason"))
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
        "error": error, "posted": request.POST, "products": _products()},
        status=422 if error else 200)


@scoped("list")
@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if "status" not in request.GET and org_perms.access_of(request.user).is_hq:
        status = OrderStatus.SUBMITTED  # HQ's queue: what waits to be shipped
    qs = selectors.orders(user=request.user, status=status,
                          branch_id=int_param(request.GET.get("branch")))
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


def _by_product(post: dict[str, str], prefix: str) -> dict[str, str]:
    """The form's per-line fields (``qty-<product id>``) by product id."""
    return {k.removeprefix(prefix): v for k, v in post.items() if k.startswith(prefix)}


@scoped("branch")
@login_required
@require_POST
def order_action(request: HttpRequest, order_id: int, action: str) -> HttpResponse:
    order = selectors.order_get(user=request.user, order_id=order_id)
    post = request.POST.dict()
    if action not in ("ship", "receive", "cancel", "refuse"):
        raise NotFound(_("No such action."))
    with refusals_as_messages(request):
        if action == "ship":
            services.order_ship(actor=request.user, order_id=order.pk,
                                shipped=_by_product(post, "qty-"))
            messages.success(request, _("Shipped: the goods are in transit."))
        elif action == "receive":
            services.order_receive(actor=request.user, order_id=order.pk,
                                   received=_by_product(post, "qty-"),
                                   reasons=_by_product(post, "reason-"))
            messages.success(request, _("Receipt confirmed: the goods are in stock."))
        else:
            services.order_cancel(actor=request.user, order_id=order.pk,
                                  reason=post.get("reason", ""))
            messages.success(request, _("Order cancelled."))
    return redirect("inventory:order_detail", order_id=order.pk)


@scoped("list")
@login_required
@reads_reports
def report(request: HttpRequest) -> HttpResponseBase:
    """Stock value (at the gross prices in force at each branch) and what is below norm,
    per branch, 25 branches a page; CSV of the page's branches."""
    org_perms.ensure(request.user, VIEW)
    branches = Branch.objects.visible_to(request.user, VIEW).filter(is_active=True)
    listing = paginate(request, branches.order_by("name"), sort="name", per_page=25, cap=5000)
    rows = [(b, selectors.stock_value(user=request.user, branch_id=b.pk),
             selectors.below_norm_count(user=request.user, branch_id=b.pk))
            for b in listing.page]
    if request.GET.get("format") == "csv":
        from punkt.core.audit import audit_record
        from punkt.core.exports import csv_response

        audit_record(action="inventory.report.export", actor=request.user)
        return csv_response("stany-magazynowe.csv", [
            _("Branch"), _("Products"), _("Units"), _("Value (gross)"), _("Without a price"),
            _("Below norm")], ([b.name, v.items, v.units, v.value_gross, v.unpriced, n]
                               for b, v, n in rows))
    return render(request, "inventory/report.html", {"listing": listing, "rows": rows})
