"""API of the catalogue, branch stock and counter sales (a sale takes an
``Idempotency-Key`` header: the same key again returns the same sale)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from punkt.catalog import selectors as catalog
from punkt.core.api import MAX_ID, Page, Strict, errors, known_id, page_slice
from punkt.core.errors import NotFound
from punkt.core.routes import scoped
from punkt.inventory import selectors as stock
from punkt.inventory import services as inventory
from punkt.inventory.models import StockOrder
from punkt.inventory.workflows import ORDER_FLOW
from punkt.organization import permissions as org_perms
from punkt.sales import selectors, services
from punkt.sales.models import Sale

router = Router(tags=["catalogue, stock and sales"])


class ProductQuery(Schema):
    q: str = Field("", max_length=100)
    kind: Literal["", "product", "accessory"] = ""
    branch_id: int | None = Field(None, ge=1, le=MAX_ID)
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class ProductOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    unit: str
    vat_rate: str
    ean: str
    is_active: bool
    price_gross: Decimal | None = None
    in_stock: int | None = None


class ProductList(Schema):
    items: list[ProductOut]
    page: Page


class LevelOut(Schema):
    product_id: int
    code: str
    name: str
    quantity: int
    in_transit: int
    min_norm: int
    below_norm: bool


class AdjustIn(Strict):
    product_id: int = Field(ge=1, le=MAX_ID)
    quantity: int = Field(ge=-100_000, le=100_000)
    reason: str = Field(min_length=1, max_length=300)


class MovementOut(Schema):
    id: int
    product_id: int
    kind: str
    quantity: int
    balance_after: int
    reason: str
    occurred_at: datetime.datetime


class OrderLineIn(Strict):
    product_id: int = Field(ge=1, le=MAX_ID)
    quantity: int = Field(ge=1, le=100_000)


class OrderIn(Strict):
    lines: list[OrderLineIn] = Field(min_length=1, max_length=500)
    note: str = Field("", max_length=500)


class OrderLineOut(Schema):
    product_id: int
    ordered: int
    shipped: int | None
    received: int | None
    difference_reason: str


class OrderOut(Schema):
    id: int
    number: str
    branch_id: int
    status: str
    created_at: datetime.datetime
    lines: list[OrderLineOut]
    allowed_actions: list[str]


class OrderActionIn(Strict):
    action: Literal["ship", "receive", "cancel", "refuse"]
    quantities: dict[str, int] = Field(default_factory=dict, max_length=500)
    reasons: dict[str, str] = Field(default_factory=dict, max_length=500)
    reason: str = Field("", max_length=500)


class SaleLineIn(Strict):
    product_id: int = Field(ge=1, le=MAX_ID)
    quantity: int = Field(1, ge=1, le=1000)
    discount_percent: Decimal = Field(Decimal(0), ge=0, le=100, decimal_places=2)


class SaleIn(Strict):
    lines: list[SaleLineIn] = Field(min_length=1, max_length=100)
    payment_method: Literal["cash", "card"]
    customer_id: int | None = Field(None, ge=1, le=MAX_ID)


class SaleLineOut(Schema):
    id: int
    product_id: int
    name: str
    quantity: int
    unit_price_gross: Decimal
    discount_percent: Decimal
    total_gross: Decimal
    vat_rate: str


class SaleOut(Schema):
    id: int
    number: str
    kind: str
    branch_id: int
    seller_id: int | None
    customer_id: int | None
    original_id: int | None
    payment_method: str
    total_gross: Decimal
    discount_gross: Decimal
    receipt_status: str
    receipt_number: str
    created_at: datetime.datetime
    lines: list[SaleLineOut]


class SaleQuery(Schema):
    branch_id: int | None = Field(None, ge=1, le=MAX_ID)
    kind: Literal["", "sale", "return"] = ""
    day_from: datetime.date | None = None
    day_to: datetime.date | None = None
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class SaleList(Schema):
    items: list[SaleOut]
    page: Page


class ReturnIn(Strict):
    quantities: dict[str, int] = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=300)


def _sale(s: Sale) -> dict[str, Any]:
    return {"id": s.pk, "number": s.number, "kind": s.kind, "branch_id": s.branch_id,
            "seller_id": s.seller_id, "customer_id": s.customer_id,
            "original_id": s.original_id, "payment_method": s.payment_method,
            "total_gross": s.total_gross, "discount_gross": s.discount_gross,
            "receipt_status": s.receipt_status, "receipt_number": s.receipt_number,
            "created_at": s.created_at,
            "lines": [{"id": x.pk, "product_id": x.product_id, "name": x.name,
                       "quantity": x.quantity, "unit_price_gross": x.unit_price_gross,
                       "discount_percent": x.discount_percent, "total_gross": x.total_gross,
                       "vat_rate": x.vat_rate} for x in s.lines.all()]}


def _order(o: StockOrder, user: Any) -> dict[str, Any]:
    return {"id": o.pk, "number": o.number, "branch_id": o.branch_id, "status": o.status,
            "created_at": o.created_at,
            "lines": [{"product_id": x.product_id, "ordered": x.ordered, "shipped": x.shipped,
                       "received": x.received, "difference_reason": x.difference_reason}
                      for x in o.lines.all()],
            "allowed_actions": ORDER_FLOW.allowed_actions(o, user)}


def _branch_visible(user: Any, branch_id: int, code: str) -> None:
    """Another branch's data answers 404, like its pages."""
    if not 0 < branch_id <= MAX_ID or not org_perms.can(user, code, branch_id):
        raise NotFound("Branch not found.")


@router.get("/products", response={200: ProductList, **errors()}, operation_id="product_list")
@scoped("global")
def product_list(request: HttpRequest, q: Query[ProductQuery]) -> dict[str, Any]:
    """Products and accessories; with ``branch_id``, the price in force there and its
    stock."""
    qs = catalog.product_list(user=request.user, q=q.q, kind=q.kind)
    items, page = page_slice(qs, q.page, q.per_page, cap=5000)
    prices, levels = {}, {}
    if q.branch_id:
        _branch_visible(request.user, q.branch_id, "inventory.stock.view")
        prices = catalog.prices_at(branch_id=q.branch_id, codes=[p.code for p in items])
        levels = dict(stock.levels(user=request.user, branch_id=q.branch_id)
                      .filter(product_id__in=[p.pk for p in items])
                      .values_list("product_id", "quantity"))
    return {"items": [{
        "id": p.pk, "code": p.code, "name": p.name, "kind": p.kind, "unit": p.unit,
        "vat_rate": p.vat_rate, "ean": p.ean, "is_active": p.is_active,
        "price_gross": prices[p.code].price_gross if p.code in prices else None,
        "in_stock": levels.get(p.pk, 0) if q.branch_id else None} for p in items],
        "page": page}


@router.get("/branches/{branch_id}/stock", response={200: list[LevelOut], **errors(404)},
            operation_id="stock_levels")
@scoped("branch")
def stock_levels(request: HttpRequest, branch_id: int, below_only: bool = False
                 ) -> list[dict[str, Any]]:
    _branch_visible(request.user, branch_id, "inventory.stock.view")
    return [{"product_id": lv.product_id, "code": lv.product.code, "name": lv.product.name,
             "quantity": lv.quantity, "in_transit": lv.in_transit, "min_norm": lv.min_norm,
             "below_norm": lv.below_norm}
            for lv in stock.levels(user=request.user, branch_id=branch_id,
                                   below_only=below_only)[:5000]]


@router.get("/branches/{branch_id}/stock-movements",
            response={200: list[MovementOut], **errors(404)}, operation_id="stock_movements")
@scoped("branch")
def stock_movements(request: HttpRequest, branch_id: int, product_id: int | None = None
                    ) -> list[Any]:
    """The newest 500 movements of the branch's stock (or of one product)."""
    _branch_visible(request.user, branch_id, "inventory.stock.view")
    return list(stock.movements(user=request.user, branch_id=branch_id,
                                product_id=product_id if product_id and product_id <= MAX_ID
                                else None)[:500])


@router.post("/branches/{branch_id}/stock-adjustments",
             response={201: MovementOut, **errors(404, 409)}, operation_id="stock_adjust")
@scoped("branch")
def stock_adjust(request: HttpRequest, branch_id: int, payload: AdjustIn) -> Status[Any]:
    _branch_visible(request.user, branch_id, "inventory.stock.view")
    return Status(201, inventory.adjustment_record(
        actor=request.user, branch_id=branch_id, product_id=payload.product_id,
        quantity=payload.quantity, reason=payload.reason))


@router.post("/branches/{branch_id}/stock-orders",
             response={201: OrderOut, **errors(404, 409)}, operation_id="stock_order_create")
@scoped("branch")
def stock_order_create(request: HttpRequest, branch_id: int, payload: OrderIn) -> Status[Any]:
    _branch_visible(request.user, branch_id, "inventory.stock.view")
    order = inventory.order_create(actor=request.user, branch_id=branch_id,
                                   lines={x.product_id: x.quantity for x in payload.lines},
                                   note=payload.note,
                                   key=f"api:{request.headers['Idempotency-Key']}"
                                   if request.headers.get("Idempotency-Key") else "")
    return Status(201, _order(order, request.user))


@router.get("/stock-orders/{order_id}", response={200: OrderOut, **errors(404)},
            operation_id="stock_order_get")
@scoped("branch")
def stock_order_get(request: HttpRequest, order_id: int) -> dict[str, Any]:
    return _order(stock.order_get(user=request.user, order_id=known_id(order_id)), request.user)


@router.post("/stock-orders/{order_id}/actions", response={200: OrderOut, **errors(404, 409)},
             operation_id="stock_order_action")
@scoped("branch")
def stock_order_action(request: HttpRequest, order_id: int, payload: OrderActionIn
                       ) -> dict[str, Any]:
    order = stock.order_get(user=request.user, order_id=known_id(order_id))
    if payload.action == "ship":
        order = inventory.order_ship(actor=request.user, order_id=order.pk,
                                     shipped=payload.quantities or None)
    elif payload.action == "receive":
        order = inventory.order_receive(actor=request.user, order_id=order.pk,
                                        received=payload.quantities or None,
                                        reasons=payload.reasons)
    else:
        order = inventory.order_cancel(actor=request.user, order_id=order.pk,
                                       reason=payload.reason)
    return _order(order, request.user)


@router.post("/branches/{branch_id}/sales", response={201: SaleOut, **errors(404, 409)},
             operation_id="sale_create")
@scoped("branch")
def sale_create(request: HttpRequest, branch_id: int, payload: SaleIn) -> Status[Any]:
    """Sell at the branch's counter; stock is taken at once (never below zero). Send an
    ``Idempotency-Key`` header to make a retry safe."""
    _branch_visible(request.user, branch_id, "sales.sale.create")
    sale = services.sale_create(
        actor=request.user, branch_id=branch_id, payment_method=payload.payment_method,
        customer_id=payload.customer_id,
        lines=[x.dict() for x in payload.lines],
        key=f"api:{request.headers['Idempotency-Key']}" if request.headers.get(
            "Idempotency-Key") else "")
    return Status(201, _sale(sale))


@router.get("/sales", response={200: SaleList, **errors()}, operation_id="sale_list")
@scoped("list")
def sale_list(request: HttpRequest, q: Query[SaleQuery]) -> dict[str, Any]:
    qs = selectors.sale_list(user=request.user, branch_id=q.branch_id, kind=q.kind,
                             day_from=q.day_from, day_to=q.day_to).prefetch_related("lines")
    items, page = page_slice(qs, q.page, q.per_page, cap=5000)
    return {"items": [_sale(s) for s in items], "page": page}


@router.get("/sales/{sale_id}", response={200: SaleOut, **errors(404)},
            operation_id="sale_get")
@scoped("branch")
def sale_get(request: HttpRequest, sale_id: int) -> dict[str, Any]:
    return _sale(selectors.sale_get(user=request.user, sale_id=known_id(sale_id)))


@router.post("/sales/{sale_id}/returns", response={201: SaleOut, **errors(404, 409)},
             operation_id="sale_return")
@scoped("branch")
def sale_return(request: HttpRequest, sale_id: int, payload: ReturnIn) -> Status[Any]:
    """Return units of a sale's lines (``{"<line id>": quantity}``) as a new document."""
    sale = selectors.sale_get(user=request.user, sale_id=known_id(sale_id))
    doc = services.sale_return(actor=request.user, sale_id=sale.pk,
                               quantities=payload.quantities, reason=payload.reason,
                               key=f"api:{request.headers['Idempotency-Key']}"
                               if request.headers.get("Idempotency-Key") else "")
    return Status(201, _sale(doc))
