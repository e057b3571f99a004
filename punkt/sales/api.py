"""API of counter sales (a sale takes an ``Idempotency-Key`` header: the same key again
returns the same sale)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from punkt.core.api import (
    MAX_ID,
    Amount,
    Page,
    Strict,
    errors,
    known_branch,
    known_id,
    page_slice,
)
from punkt.core.routes import scoped
from punkt.sales import permissions as perms
from punkt.sales import selectors, services
from punkt.sales.models import Sale

#: One tag with the catalogue and stock operations (the API's documentation groups them).
router = Router(tags=["catalogue, stock and sales"])


class SaleLineIn(Strict):
    product_id: int = Field(ge=1, le=MAX_ID)
    quantity: int = Field(1, ge=1, le=1000)
    discount_percent: Amount = Field(Decimal(0), ge=0, le=100, decimal_places=2)


class SaleIn(Strict):
    lines: list[SaleLineIn] = Field(min_length=1, max_length=100)
    payment_method: Literal["cash", "card"]
    customer_id: int | None = Field(None, ge=1, le=MAX_ID)
    #: A loyalty card's number (its discount and points apply) and the points redeemed.
    card: str = Field("", max_length=20, pattern=r"^[0-9]*$")
    points: int = Field(0, ge=0, le=10_000_000)
    campaign_code: str = Field("", max_length=12, description="A leaflet's campaign code the "
                               "customer gave: a campaign running at the branch")


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
    campaign_code: str = ""
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


def _key(request: HttpRequest) -> str:
    key = request.headers.get("Idempotency-Key")
    return f"api:{key}" if key else ""


def _sale(s: Sale) -> dict[str, Any]:
    return {"id": s.pk, "number": s.number, "kind": s.kind, "branch_id": s.branch_id,
            "seller_id": s.seller_id, "customer_id": s.customer_id,
            "original_id": s.original_id, "payment_method": s.payment_method,
            "total_gross": s.total_gross, "discount_gross": s.discount_gross,
            "receipt_status": s.receipt_status, "receipt_number": s.receipt_number,
            "campaign_code": s.campaign_code, "created_at": s.created_at,
            "lines": [{"id": x.pk, "product_id": x.product_id, "name": x.name,
                       "quantity": x.quantity, "unit_price_gross": x.unit_price_gross,
                       "discount_percent": x.discount_percent, "total_gross": x.total_gross,
                       "vat_rate": x.vat_rate} for x in s.lines.all()]}


@router.post("/branches/{branch_id}/sales", response={201: SaleOut, **errors(404, 409)},
             operation_id="sale_create")
@scoped("branch")
def sale_create(request: HttpRequest, branch_id: int, payload: SaleIn) -> Status[Any]:
    """Sell at the branch's counter; stock is taken at once (never below zero). Send an
    ``Idempotency-Key`` header to make a retry safe."""
    known_branch(request.user, branch_id, perms.SALE_CREATE.code)
    sale = services.sale_create(
        actor=request.user, branch_id=branch_id, payment_method=payload.payment_method,
        customer_id=payload.customer_id, lines=[x.dict() for x in payload.lines],
        key=_key(request), card=payload.card, points=payload.points or "",
        campaign_code=payload.campaign_code)
    return Status(201, _sale(sale))


@router.get("/sales", response={200: SaleList, **errors()}, operation_id="sale_list")
@scoped("list")
def sale_list(request: HttpRequest, q: Query[SaleQuery]) -> dict[str, Any]:
    qs = selectors.sale_list(user=request.user, filters=q.model_dump(exclude={"page", "per_page"}))
    qs = qs.prefetch_related("lines")
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
                               key=_key(request))
    return Status(201, _sale(doc))
