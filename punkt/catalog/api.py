"""API of the catalogue: products and accessories, with the price in force at a branch and
its stock there."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from punkt.catalog import permissions as perms
from punkt.catalog import selectors
from punkt.core.api import MAX_ID, Page, errors, known_branch, page_slice
from punkt.core.routes import scoped

#: One tag with the stock and sales operations (the API's documentation groups them).
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


@router.get("/products", response={200: ProductList, **errors()}, operation_id="product_list")
@scoped("global")
def product_list(request: HttpRequest, q: Query[ProductQuery]) -> dict[str, Any]:
    """Products and accessories; with ``branch_id``, the price in force there and its
    stock."""
    qs = selectors.product_list(user=request.user, q=q.q, kind=q.kind)
    items, page = page_slice(qs, q.page, q.per_page, cap=5000)
    prices, levels = {}, {}
    if q.branch_id:
        known_branch(request.user, q.branch_id, perms.PRODUCT_VIEW.code)
        prices = selectors.prices_at(branch_id=q.branch_id, codes=[p.code for p in items])
        levels = {pid: s.quantity for pid, s in selectors.stock_at(
            user=request.user, branch_id=q.branch_id, product_ids=[p.pk for p in items]).items()}
    return {"items": [{
        "id": p.pk, "code": p.code, "name": p.name, "kind": p.kind, "unit": p.unit,
        "vat_rate": p.vat_rate, "ean": p.ean, "is_active": p.is_active,
        "price_gross": prices[p.code].price_gross if p.code in prices else None,
        "in_stock": levels.get(p.pk, 0) if q.branch_id else None} for p in items],
        "page": page}
