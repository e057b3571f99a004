"""API for offers (contracts follow)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from punkt.contracts import selectors, services
from punkt.contracts.models import Offer
from punkt.contracts.workflows import OFFER_FLOW
from punkt.core.api import Strict, errors
from punkt.core.routes import scoped
from punkt.customers import selectors as customers

router = Router(tags=["offers"])



class OfferLineIn(Strict):
    price_item_id: int
    quantity: int = Field(1, ge=1, le=999)


class OfferIn(Strict):
    lines: list[OfferLineIn] = Field(max_length=50)
    promo_version_id: int | None = None
    note: str = Field("", max_length=2000)


class DecisionIn(Strict):
    accepted: bool
    reason: str = Field("", max_length=500)


class OfferLineOut(Schema):
    code: str
    name: str
    unit: str
    price_gross: Decimal
    vat_rate: str
    quantity: int
    total_gross: Decimal


class OfferOut(Schema):
    id: int
    number: str
    customer_id: int
    branch_id: int
    status: str
    promo_version_id: int | None
    note: str
    total_gross: Decimal
    created_at: datetime.datetime
    decided_at: datetime.datetime | None
    decline_reason: str
    lines: list[OfferLineOut]
    allowed_actions: list[str]


def _out(offer: Offer, user: Any) -> dict[str, Any]:
    return {**{f: getattr(offer, f) for f in (
        "id", "number", "customer_id", "branch_id", "status", "note", "total_gross",
        "created_at", "decided_at", "decline_reason")},
        "promo_version_id": offer.promo_id, "lines": list(offer.lines.all()),
        "allowed_actions": OFFER_FLOW.allowed_actions(offer, user)}


@router.post("/customers/{customer_id}/offers", response={201: OfferOut, **errors(404, 409)},
             operation_id="offer_create")
@scoped("branch")
def offer_create(request: HttpRequest, customer_id: int, payload: OfferIn) -> Status[Any]:
    customers.customer_get(user=request.user, customer_id=customer_id)
    offer = services.offer_create(actor=request.user, customer_id=customer_id,
                                  lines=[line.dict() for line in payload.lines],
                                  promo_version_id=payload.promo_version_id, note=payload.note)
    return Status(201, _out(offer, request.user))


@router.get("/offers/{offer_id}", response={200: OfferOut, **errors(404)},
            operation_id="offer_get")
@scoped("branch")
def offer_get(request: HttpRequest, offer_id: int) -> Any:
    return _out(selectors.offer_get(user=request.user, offer_id=offer_id), request.user)


@router.post("/offers/{offer_id}/decision", response={200: OfferOut, **errors(404, 409)},
             operation_id="offer_decide")
@scoped("branch")
def offer_decide(request: HttpRequest, offer_id: int, payload: DecisionIn) -> Any:
    selectors.offer_get(user=request.user, offer_id=offer_id)
    offer = services.offer_decide(actor=request.user, offer_id=offer_id,
                                  accepted=payload.accepted, reason=payload.reason)
    return _out(offer, request.user)
