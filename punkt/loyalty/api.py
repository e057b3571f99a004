"""API of loyalty cards: /api/v1/loyalty/cards (list, issue, get, its points entries),
block/unblock. Points are redeemed on a sale: ``card`` and ``points`` in
``POST /api/v1/branches/{id}/sales``. The same services as the pages."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from punkt.core.api import MAX_ID, Page, Strict, errors, known_id, page_slice
from punkt.core.routes import scoped
from punkt.loyalty import selectors, services
from punkt.loyalty.models import Card, PointsEntry

router = Router(tags=["loyalty"])


class CardIn(Strict):
    programme_id: int = Field(ge=1, le=MAX_ID)
    branch_id: int = Field(ge=1, le=MAX_ID, description="The issuing branch")
    customer_id: int | None = Field(None, ge=1, le=MAX_ID,
                                    description="Required for a personal card, none for "
                                    "a bearer card")


class CardMoveIn(Strict):
    action: Literal["block", "unblock"]
    reason: str = Field("", max_length=300, description="block: required")


class CardOut(Schema):
    id: int
    number: str
    programme_id: int
    programme: str
    kind: str
    customer_id: int | None
    branch_id: int
    tier: str
    status: str
    points: int
    points_value: Decimal
    issued_at: datetime.datetime


class CardQuery(Schema):
    q: str = Field("", max_length=100, description="A card number (or its start) or the "
                   "customer's name")
    branch_id: int | None = Field(None, ge=1, le=MAX_ID)
    programme_id: int | None = Field(None, ge=1, le=MAX_ID)
    status: Literal["", "active", "blocked"] = ""
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class CardList(Schema):
    items: list[CardOut]
    page: Page


class EntryOut(Schema):
    id: int
    kind: str
    points: int
    balance_after: int
    sale_id: int | None
    expires_on: datetime.date | None
    created_at: datetime.datetime


class EntryQuery(Schema):
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class EntryList(Schema):
    items: list[EntryOut]
    page: Page


def _card(c: Card) -> dict[str, Any]:
    return {"id": c.pk, "number": c.number, "programme_id": c.programme_id,
            "programme": c.programme.name, "kind": c.programme.kind,
            "customer_id": c.customer_id, "branch_id": c.branch_id, "tier": c.tier,
            "status": c.status, "points": c.points_balance,
            "points_value": services.points_value(c.programme, c.points_balance),
            "issued_at": c.issued_at}


def _entry(e: PointsEntry) -> dict[str, Any]:
    return {"id": e.pk, "kind": e.kind, "points": e.points, "balance_after": e.balance_after,
            "sale_id": e.sale_id, "expires_on": e.expires_on, "created_at": e.created_at}


@router.get("/loyalty/cards", response={200: CardList, **errors()},
            operation_id="loyalty_card_list")
@scoped("list")
def card_list(request: HttpRequest, q: Query[CardQuery]) -> dict[str, Any]:
    """Cards issued at the branches where the caller sees cards."""
    qs = selectors.card_list(user=request.user, branch_id=q.branch_id, status=q.status,
                             programme_id=q.programme_id, q=q.q)
    items, page = page_slice(qs, q.page, q.per_page)
    return {"items": [_card(c) for c in items], "page": page}


@router.post("/loyalty/cards", response={201: CardOut, **errors(404)},
             operation_id="loyalty_card_create")
@scoped("self")
def card_create(request: HttpRequest, payload: CardIn) -> Status[Any]:
    """Issue a card at a branch; its number is generated (EAN-13 with a check digit)."""
    card = services.card_issue(actor=request.user, branch_id=payload.branch_id,
                               programme_id=payload.programme_id,
                               customer_id=payload.customer_id)
    return Status(201, _card(selectors.card_get(user=request.user, card_id=card.pk)))


@router.get("/loyalty/cards/{card_id}", response={200: CardOut, **errors(404)},
            operation_id="loyalty_card_get")
@scoped("branch")
def card_get(request: HttpRequest, card_id: int) -> dict[str, Any]:
    return _card(selectors.card_get(user=request.user, card_id=known_id(card_id)))


@router.get("/loyalty/cards/{card_id}/entries", response={200: EntryList, **errors(404)},
            operation_id="loyalty_card_entries")
@scoped("branch")
def card_entries(request: HttpRequest, card_id: int, q: Query[EntryQuery]) -> dict[str, Any]:
    """The card's points ledger, newest first: earned, redeemed, expired, reversed."""
    card = selectors.card_get(user=request.user, card_id=known_id(card_id))
    items, page = page_slice(selectors.entries(user=request.user, card=card), q.page,
                             q.per_page)
    return {"items": [_entry(e) for e in items], "page": page}


@router.post("/loyalty/cards/{card_id}/moves", response={200: CardOut, **errors(404, 409)},
             operation_id="loyalty_card_move")
@scoped("branch")
def card_move(request: HttpRequest, card_id: int, payload: CardMoveIn) -> dict[str, Any]:
    card = selectors.card_get(user=request.user, card_id=known_id(card_id))
    services.card_move(actor=request.user, card_id=card.pk, action=payload.action,
                       reason=payload.reason)
    return _card(selectors.card_get(user=request.user, card_id=card.pk))


