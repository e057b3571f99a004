"""API of branch stock and orders from HQ (an order takes an ``Idempotency-Key`` header:
the same key again returns the same order)."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from punkt.core.api import MAX_ID, Strict, errors, known_branch, known_id
from punkt.core.routes import scoped
from punkt.inventory import permissions as perms
from punkt.inventory import selectors, services
from punkt.inventory.models import StockOrder
from punkt.inventory.workflows import ORDER_FLOW
from punkt.organization.actors import Actor

#: One tag with the catalogue and sales operations (the API's documentation groups them).
router = Router(tags=["catalogue, stock and sales"])
VIEW = perms.STOCK_VIEW.code


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


def _order(o: StockOrder, user: Actor) -> dict[str, Any]:
    return {"id": o.pk, "number": o.number, "branch_id": o.branch_id, "status": o.status,
            "created_at": o.created_at,
            "lines": [{"product_id": x.product_id, "ordered": x.ordered, "shipped": x.shipped,
                       "received": x.received, "difference_reason": x.difference_reason}
                      for x in o.lines.all()],
            "allowed_actions": ORDER_FLOW.allowed_actions(o, user)}


def _key(request: HttpRequest) -> str:
    key = request.headers.get("Idempotency-Key")
    return f"api:{key}" if key else ""


@router.get("/branches/{branch_id}/stock", response={200: list[LevelOut], **errors(404)},
            operation_id="stock_levels")
@scoped("branch")
def stock_levels(request: HttpRequest, branch_id: int, below_only: bool = False
                 ) -> list[dict[str, Any]]:
    known_branch(request.user, branch_id, VIEW)
    return [{"product_id": lv.product_id, "code": lv.product.code, "name": lv.product.name,
             "quantity": lv.quantity, "in_transit": lv.in_transit, "min_norm": lv.min_norm,
             "below_norm": lv.below_norm}
            for lv in selectors.levels(user=request.user, branch_id=branch_id,
                                       filters={"below_only": below_only})[:5000]]


@router.get("/branches/{branch_id}/stock-movements",
            response={200: list[MovementOut], **errors(404)}, operation_id="stock_movements")
@scoped("branch")
def stock_movements(request: HttpRequest, branch_id: int, product_id: int | None = None
                    ) -> list[Any]:
    """The newest 500 movements of the branch's stock (or of one product)."""
    known_branch(request.user, branch_id, VIEW)
    return list(selectors.movements(user=request.user, branch_id=branch_id,
                                    product_id=product_id if product_id and product_id <= MAX_ID
                                    else None)[:500])


@router.post("/branches/{branch_id}/stock-adjustments",
             response={201: MovementOut, **errors(404, 409)}, operation_id="stock_adjust")
@scoped("branch")
def stock_adjust(request: HttpRequest, branch_id: int, payload: AdjustIn) -> Status[Any]:
    known_branch(request.user, branch_id, VIEW)
    return Status(201, services.adjustment_record(
        actor=request.user, branch_id=branch_id, product_id=payload.product_id,
        quantity=payload.quantity, reason=payload.reason))


@router.post("/branches/{branch_id}/stock-orders",
             response={201: OrderOut, **errors(404, 409)}, operation_id="stock_order_create")
@scoped("branch")
def stock_order_create(request: HttpRequest, branch_id: int, payload: OrderIn) -> Status[Any]:
    known_branch(request.user, branch_id, VIEW)
    order = services.order_create(actor=request.user, branch_id=branch_id,
                                  lines={x.product_id: x.quantity for x in payload.lines},
                                  note=payload.note, key=_key(request))
    return Status(201, _order(order, request.user))


@router.get("/stock-orders/{order_id}", response={200: OrderOut, **errors(404)},
            operation_id="stock_order_get")
@scoped("branch")
def stock_order_get(request: HttpRequest, order_id: int) -> dict[str, Any]:
    return _order(selectors.order_get(user=request.user, order_id=known_id(order_id)),
                  request.user)


@router.post("/stock-orders/{order_id}/actions", response={200: OrderOut, **errors(404, 409)},
             operation_id="stock_order_action")
@scoped("branch")
def stock_order_action(request: HttpRequest, order_id: int, payload: OrderActionIn
                       ) -> dict[str, Any]:
    # An action outside the order's allowed_actions is refused with the reason: 409 when
    # its state does not allow it, 403 when the caller's role does not.
    order = selectors.order_get(user=request.user, order_id=known_id(order_id))
    if payload.action == "ship":
        order = services.order_ship(actor=request.user, order_id=order.pk,
                                    shipped=payload.quantities or None)
    elif payload.action == "receive":
        order = services.order_receive(actor=request.user, order_id=order.pk,
                                       received=payload.quantities or None,
                                       reasons=payload.reasons)
    else:
        order = services.order_cancel(actor=request.user, order_id=order.pk,
                                      reason=payload.reason)
    return _order(order, request.user)
