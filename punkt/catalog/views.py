"""Catalogue pages: the product list with price and stock at the user's branch, a
product's page with its manual, HQ's product form, and recording help for a customer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from punkt.catalog import permissions as perms
from punkt.catalog import selectors, services
from punkt.catalog.models import ProductKind
from punkt.core.errors import ValidationFailed
from punkt.core.paging import paginate
from punkt.core.routes import scoped
from punkt.core.web import int_param, is_htmx
from punkt.customers import selectors as customers
from punkt.customers.models import Customer
from punkt.materials.models import Material, MaterialKind, VatRate
from punkt.organization import permissions as org_perms
from punkt.organization.filters import working_branch


@scoped("global")
@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.product_list(user=request.user, q=request.GET.get("q", ""),
                                kind=request.GET.get("kind", "") if request.GET.get("kind")
                                in ProductKind.values else "",
                                active_only=request.GET.get("all") != "1")
    branch = working_branch(request.user, perms.PRODUCT_VIEW.code, request.GET.get("branch"))
    listing = paginate(request, qs, sort="name", per_page=50, cap=5000)
    products = list(listing.page)
    prices = selectors.prices_at(branch_id=branch.pk, codes=[p.code for p in products]) \
        if branch else {}
    stock = selectors.stock_at(user=request.user, branch_id=branch.pk,
                               product_ids=[p.pk for p in products]) if branch else {}
    rows = [(p, prices.get(p.code), stock.get(p.pk)) for p in products]
    customer = _customer(request)
    template = "catalog/product_list.html" + ("#results" if is_htmx(request) else "")
    return render(request, template, {
        "listing": listing, "rows": rows, "branch": branch, "kinds": ProductKind.choices,
        "customer": customer,
        "can_manage": org_perms.can(request.user, perms.PRODUCT_MANAGE.code)})


def _customer(request: HttpRequest) -> Customer | None:
    """The customer being helped (``?customer=``), when the user may see them."""
    customer_id = int_param(request.GET.get("customer"))
    if customer_id is None:
        return None
    return customers.customer_get(user=request.user, customer_id=customer_id)


@scoped("global")
@login_required
def product_detail(request: HttpRequest, product_id: int) -> HttpResponse:
    product = selectors.product_get(user=request.user, product_id=product_id)
    branch = working_branch(request.user, perms.PRODUCT_VIEW.code, request.GET.get("branch"))
    price = manual = level = None
    if branch is not None:
        price = selectors.prices_at(branch_id=branch.pk, codes=[product.code]).get(product.code)
        manual = selectors.manual_at(product, branch_id=branch.pk)
        level = selectors.stock_at(user=request.user, branch_id=branch.pk,
                                   product_ids=[product.pk]).get(product.pk)
    customer = _customer(request)
    return render(request, "catalog/product_detail.html", {
        "product": product, "branch": branch, "price": price, "manual": manual,
        "level": level, "customer": customer,
        "can_help": customer is not None and org_perms.can(
            request.user, perms.HELP_RECORD.code, customer.branch_id),
        "can_manage": org_perms.can(request.user, perms.PRODUCT_MANAGE.code)})


FORM_FIELDS = ("code", "name", "kind", "unit", "vat_rate", "ean", "description", "manual_id")


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def product_form(request: HttpRequest, product_id: int | None = None) -> HttpResponse:
    org_perms.ensure(request.user, perms.PRODUCT_MANAGE.code)
    product = selectors.product_get(user=request.user, product_id=product_id) \
        if product_id else None
    error = None
    if request.method == "POST":
        data: dict[str, Any] = {f: request.POST.get(f, "") for f in FORM_FIELDS}
        data["is_active"] = request.POST.get("is_active") == "1"
        try:
            if product is None:
                product = services.product_create(actor=request.user, **data)
                messages.success(request, _("Product added."))
            else:
                services.product_update(actor=request.user, product_id=product.pk, **data)
                messages.success(request, _("Product saved."))
        except ValidationFailed as exc:
            error = exc
        else:
            return redirect("catalog:product_detail", product_id=product.pk)
    return render(request, "catalog/product_form.html", {
        "product": product, "error": error, "posted": request.POST if error else None,
        "kinds": ProductKind.choices[:2], "vat_rates": VatRate.choices,
        "manuals": Material.objects.filter(kind=MaterialKind.MANUAL, is_archived=False)
        .order_by("title")}, status=422 if error else 200)


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def help_record(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customers.customer_get(user=request.user, customer_id=customer_id)
    org_perms.ensure(request.user, perms.HELP_RECORD.code, customer.branch_id)
    error = None
    if request.method == "POST":
        try:
            services.help_record(actor=request.user, customer_id=customer.pk,
                                 product_id=int_param(request.POST.get("product")) or 0,
                                 note=request.POST.get("note", ""))
        except ValidationFailed as exc:
            error = exc
        else:
            messages.success(request, _("The help is on the customer's timeline."))
            return redirect("customers:customer_detail", customer_id=customer.pk)
    return render(request, "catalog/help_form.html", {
        "customer": customer, "error": error, "posted": request.POST,
        "products": selectors.product_list(user=request.user)[:500]},
        status=422 if error else 200)
