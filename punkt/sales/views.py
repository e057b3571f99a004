"""Counter pages: the basket and the sale, the branch's sales, one document with its
return form, and the sales report with its export."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from punkt.catalog.models import Product
from punkt.catalog.selectors import prices_at, product_list
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.core.exports import csv_response
from punkt.core.money import cents, vat_from_gross
from punkt.core.paging import paginate
from punkt.core.routes import scoped
from punkt.core.web import date_param, int_param, is_htmx, refusals_as_messages
from punkt.customers import selectors as customers
from punkt.customers.models import Customer
from punkt.inventory import selectors as stock
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor
from punkt.organization.filters import branch_picker, working_branch
from punkt.organization.models import Branch
from punkt.sales import basket as baskets
from punkt.sales import permissions as perms
from punkt.sales import selectors, services
from punkt.sales.models import PaymentMethod, ReceiptStatus, SaleKind


def _counter_branch(request: HttpRequest) -> Branch:
    # The role first: one whose roles sell nowhere (a cashier) is told that, not asked to
    # choose a branch she could not sell at either.
    org_perms.ensure(request.user, perms.SALE_CREATE.code)
    branch = working_branch(request.user, perms.SALE_CREATE.code,
                            request.GET.get("branch") or request.POST.get("branch"))
    if branch is None:
        raise ActionDenied(_("Sales are made at a branch: choose one."),
                           action=perms.SALE_CREATE.code)
    org_perms.ensure(request.user, perms.SALE_CREATE.code, branch.pk)
    return branch


def _basket_rows(user: Actor, branch: Branch, basket: dict[str, Any]
                 ) -> tuple[list[dict[str, Any]], Decimal]:
    ids = [line["product_id"] for line in basket["lines"]]
    products = {p.pk: p for p in Product.objects.filter(pk__in=ids)}
    prices = prices_at(branch_id=branch.pk, codes=[p.code for p in products.values()])
    in_stock = {pid: s.quantity for pid, s in stock.stock_of_products(user, branch.pk, ids).items()}
    rows, total = [], Decimal(0)
    for line in basket["lines"]:
        product = products.get(line["product_id"])
        if product is None:
            continue
        price = prices.get(product.code)
        value = None
        try:
            qty, pct = int(line["quantity"]), Decimal(str(line["discount_percent"]))
            if price is not None and pct.is_finite():
                value = cents(price.price_gross * qty * (100 - pct) / 100)
                total += value
        except (ValueError, InvalidOperation):
            pass
        rows.append({"product": product, "price": price, "quantity": line["quantity"],
                     "discount_percent": line["discount_percent"], "value": value,
                     "in_stock": in_stock.get(product.pk, 0)})
    return rows, total


@scoped("list")
@login_required
@require_http_methods(["GET", "POST"])
def counter(request: HttpRequest) -> HttpResponse:
    """The basket: find products (name, code or scanned EAN), set quantities and
    discounts, choose the customer (optional) and the payment, record the sale."""
    branch = _counter_branch(request)
    basket = baskets.get(request.session, branch.pk)
    if request.method == "POST":
        return _counter_post(request, branch, basket)
    customer_id = int_param(request.GET.get("customer"))
    if customer_id:
        basket["customer"] = customers.customer_get(user=request.user,
                                                    customer_id=customer_id).pk
        baskets.save(request.session, branch.pk, basket)
    q = request.GET.get("q", "")
    found = list(product_list(user=request.user, q=q)[:20]) if q.strip() else []
    if is_htmx(request) and request.GET.get("part") == "search":
        return render(request, "sales/counter.html#search", {
            "found": found, "branch": branch, "q": q})
    rows, total = _basket_rows(request.user, branch, basket)
    customer: Customer | None = None
    if basket["customer"]:
        try:
            customer = customers.customer_get(user=request.user,
                                              customer_id=basket["customer"])
        except NotFound:  # no longer visible to this seller: sell without them
            basket["customer"] = None
            baskets.save(request.session, branch.pk, basket)
    today = selectors.sale_list(user=request.user, filters={
        "branch_id": branch.pk, "day_from": timezone.localdate()})[:10]
    return render(request, "sales/counter.html", {
        "branch": branch, "basket": basket, "rows": rows, "total": total, "found": found,
        "q": q, "customer": customer, "methods": PaymentMethod.choices, "today": today,
        "error": request.session.pop("punkt.sale_error", None),
        "limit": services.discount_limit(request.user, branch.pk)})


def _counter_post(request: HttpRequest, branch: Branch, basket: dict[str, Any]) -> HttpResponse:
    op = request.POST.get("op", "")
    product_id = int_param(request.POST.get("product") or request.GET.get("product"))
    back = redirect("sales:counter")
    back["Location"] += f"?branch={branch.pk}"
    if op == "add" and product_id:
        if not Product.objects.filter(pk=product_id, is_active=True).exists():
            raise NotFound(_("Product not found."))
        baskets.add(basket, product_id, int_param(request.POST.get("quantity")) or 1)
    elif op == "update":
        _card_fields(request, basket)
        for line in list(basket["lines"]):
            pid = line["product_id"]
            baskets.update(basket, pid, request.POST.get(f"qty-{pid}", "1"),
                           request.POST.get(f"discount-{pid}", "0"))
    elif op == "remove" and product_id:
        baskets.remove(basket, product_id)
    elif op == "customer":
        basket["customer"] = None
    elif op == "clear":
        baskets.clear(request.session, branch.pk)
        return back
    elif op == "sell":
        _card_fields(request, basket)
        for line in list(basket["lines"]):
            pid = line["product_id"]
            if f"qty-{pid}" in request.POST:
                baskets.update(basket, pid, request.POST.get(f"qty-{pid}", "1"),
                               request.POST.get(f"discount-{pid}", "0"))
        try:
            sale = services.sale_create(
                actor=request.user, branch_id=branch.pk, lines=basket["lines"],
                payment_method=request.POST.get("payment_method", ""),
                customer_id=basket["customer"], key=f"basket:{basket['token']}",
                card=basket["card"], points=basket["points"],
                campaign_code=basket.get("campaign_code", ""))
        except (ValidationFailed, Conflict, ActionDenied) as exc:
            baskets.save(request.session, branch.pk, basket)
            request.session["punkt.sale_error"] = {"message": exc.message, "field": exc.field}
            return back
        baskets.clear(request.session, branch.pk)
        messages.success(request, _("Sale %(number)s recorded: %(total)s zł. The receipt "
                                    "goes to the register.")
                         % {"number": sale.number, "total": sale.total_gross})
        return redirect("sales:sale_detail", sale_id=sale.pk)
    baskets.save(request.session, branch.pk, basket)
    return back


def _card_fields(request: HttpRequest, basket: dict[str, Any]) -> None:
    """The loyalty card scanned (a scanner types the number) and the points to redeem."""
    if "card" in request.POST:
        basket["card"] = "".join(request.POST.get("card", "").split())[:20]
        basket["points"] = request.POST.get("points", "").strip()[:10]
    if "campaign_code" in request.POST:
        basket["campaign_code"] = "".join(request.POST.get("campaign_code", "").split())[:12]


def _period(request: HttpRequest) -> tuple[datetime.date, datetime.date]:
    """``?from=`` and ``?to=``: this month so far unless given; at most a year and a day."""
    today = timezone.localdate()
    start = date_param(request.GET.get("from")) or today.replace(day=1)
    end = date_param(request.GET.get("to")) or today
    if end < start:
        start, end = end, start
    return start, min(end, start + datetime.timedelta(days=366))


@scoped("list")
@login_required
def sale_list(request: HttpRequest) -> HttpResponse:
    start, end = _period(request)
    qs = selectors.sale_list(user=request.user, filters={
        "branch_id": request.GET.get("branch"), "kind": request.GET.get("kind"),
        "day_from": start, "day_to": end})
    listing = paginate(request, qs, sort="-created_at", per_page=50, cap=5000)
    return render(request, "sales/sale_list.html", {
        "listing": listing, "start": start, "end": end, "kinds": SaleKind.choices,
        "branch_picker": branch_picker(request.user, perms.SALE_VIEW.code,
                                       request.GET.get("branch", "")),
        "can_sell": org_perms.can(request.user, perms.SALE_CREATE.code),
        "can_report": org_perms.can(request.user, perms.SALE_REPORT.code)})


@scoped("branch")
@login_required
def sale_detail(request: HttpRequest, sale_id: int) -> HttpResponse:
    sale = selectors.sale_get(user=request.user, sale_id=sale_id)
    lines = list(sale.lines.select_related("product"))
    can_sell = org_perms.can(request.user, perms.SALE_CREATE.code, sale.branch_id)
    left = services.returnable(sale) if sale.kind == SaleKind.SALE else {}
    return render(request, "sales/sale_detail.html", {
        "sale": sale, "lines": [(x, left.get(x.pk, 0)) for x in lines],
        "vat": vat_from_gross((x.vat_rate, x.total_gross) for x in lines),
        "returns": list(sale.returns.all()) if sale.kind == SaleKind.SALE else [],
        "token": f"return:{uuid.uuid4().hex}",
        "can_return": can_sell and any(left.values()),
        "can_retry": can_sell and sale.receipt_status in (ReceiptStatus.FAILED,
                                                          ReceiptStatus.UNCERTAIN)})


@scoped("branch")
@login_required
@require_POST
def sale_return(request: HttpRequest, sale_id: int) -> HttpResponse:
    sale = selectors.sale_get(user=request.user, sale_id=sale_id)
    quantities = {k.removeprefix("ret-"): v for k, v in request.POST.items()
                  if k.startswith("ret-")}
    with refusals_as_messages(request):
        doc = services.sale_return(actor=request.user, sale_id=sale.pk, quantities=quantities,
                                   reason=request.POST.get("reason", ""),
                                   key=request.POST.get("token", ""))
        messages.success(request, _("Return %(number)s recorded: %(total)s zł to give back.")
                         % {"number": doc.number, "total": doc.total_gross})
        return redirect("sales:sale_detail", sale_id=doc.pk)
    return redirect("sales:sale_detail", sale_id=sale.pk)


@scoped("branch")
@login_required
@require_POST
def receipt_retry(request: HttpRequest, sale_id: int) -> HttpResponse:
    sale = selectors.sale_get(user=request.user, sale_id=sale_id)
    with refusals_as_messages(request):
        services.receipt_retry(actor=request.user, sale_id=sale.pk)
        messages.success(request, _("The receipt was sent to the register again."))
    return redirect("sales:sale_detail", sale_id=sale.pk)


REPORT_BY = {"branch": _("Branch"), "employee": _("Employee"), "product": _("Product"),
             "day": _("Day")}


@scoped("list")
@login_required
def report(request: HttpRequest) -> HttpResponseBase:
    start, end = _period(request)
    by = request.GET.get("by", "branch")
    by = by if by in REPORT_BY else "branch"
    rows = selectors.sales_report(user=request.user, day_from=start, day_to=end, by=by,
                                  branch_id=int_param(request.GET.get("branch")))
    if request.GET.get("format") == "csv":
        from punkt.core.audit import audit_record

        audit_record(action="sales.report.export", actor=request.user,
                     message=f"{by} {start}–{end}")
        return csv_response(f"sprzedaz-{by}-{start}-{end}.csv", [
            str(REPORT_BY[by]), _("Documents"), _("Units"), _("Sales (gross)"),
            _("Returns (gross)"), _("Net of returns")],
            ([r.label, r.documents, r.units, r.gross, r.returned, r.net_sales] for r in rows))
    return render(request, "sales/report.html", {
        "rows": rows, "start": start, "end": end, "by": by, "choices": REPORT_BY.items(),
        "total": sum((r.net_sales for r in rows), Decimal(0)),
        "branch_picker": branch_picker(request.user, perms.SALE_REPORT.code,
                                       request.GET.get("branch", ""))})
