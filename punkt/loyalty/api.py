"""API of loyalty cards: /api/v1/loyalty/cards (list, issue, get, its points entries),
block/unblock, rewards for points (list, exchange), the closed products the card opens.
Points are redeemed on a sale: ``card`` and ``points`` in
``POST /api/v1/branches/{id}/sales``. The same services as the pages."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from punkt.core.api import MAX_ID, Page, Strict, errors, known_id, page_slice
from punkt.core.errors import NotFound
from punkt.core.routes import scoped
from punkt.loyalty import closed, draws, rewards, selectors, services
from punkt.loyalty import permissions as perms
from punkt.loyalty.models import Card, DrawWinner, PointsEntry, PrizeDraw
from punkt.organization import permissions as org_perms

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


class RewardOut(Schema):
    id: int
    name: str
    points: int
    product_id: int | None


class RedeemIn(Strict):
    reward_id: int = Field(ge=1, le=MAX_ID)
    branch_id: int = Field(ge=1, le=MAX_ID, description="The branch handing the reward over")
    key: str = Field("", max_length=64, description="Once-only key: a retry exchanges "
                     "nothing more")


class RedemptionOut(Schema):
    id: int
    card_id: int
    reward_id: int
    reward: str
    points: int
    balance_after: int
    branch_id: int
    stock_movement_id: int | None
    created_at: datetime.datetime


@router.get("/loyalty/cards/{card_id}/rewards", response={200: list[RewardOut],
                                                          **errors(404)},
            operation_id="loyalty_card_rewards")
@scoped("branch")
def card_rewards(request: HttpRequest, card_id: int) -> list[dict[str, Any]]:
    """The active rewards of the card's programme (what its points may buy)."""
    card = selectors.card_get(user=request.user, card_id=known_id(card_id))
    return [{"id": r.pk, "name": r.name, "points": r.points, "product_id": r.product_id}
            for r in rewards.rewards_for(card)]


class ClosedOut(Schema):
    product_id: int
    product_code: str
    product: str
    min_tier: str = Field(description="\"\" (any card of the programme), silver, gold or "
                          "platinum")
    note: str
    open: bool = Field(description="Whether this card may buy the product now")
    state: Literal["open", "tier", "off"] = Field(
        description="open; tier: a higher tier opens it; off: the card is blocked or its "
        "programme inactive")


@router.get("/loyalty/cards/{card_id}/closed-products",
            response={200: list[ClosedOut], **errors(404)},
            operation_id="loyalty_card_closed_products")
@scoped("branch")
def card_closed_products(request: HttpRequest, card_id: int) -> list[dict[str, Any]]:
    """The products the card's programme keeps for its members, and whether this card
    opens each (a sale of a closed product without a qualifying card is refused on the
    line's ``product_id``)."""
    card = selectors.card_get(user=request.user, card_id=known_id(card_id))
    return [{"product_id": a.row.product_id, "product_code": a.row.product.code,
             "product": a.row.product.name, "min_tier": a.row.min_tier, "note": a.row.note,
             "open": a.open, "state": a.state} for a in closed.access_of(card)]


@router.post("/loyalty/cards/{card_id}/rewards", response={201: RedemptionOut,
                                                           **errors(404)},
             operation_id="loyalty_reward_redeem")
@scoped("branch")
def reward_redeem(request: HttpRequest, card_id: int, payload: RedeemIn) -> Status[Any]:
    """Exchange the card's points for a reward; a product leaves the branch's stock.
    Refused on ``reward`` when the points or the stock fall short (nothing written)."""
    card = selectors.card_get(user=request.user, card_id=known_id(card_id))
    done = rewards.reward_redeem(actor=request.user, card_id=card.pk,
                                 reward_id=payload.reward_id, branch_id=payload.branch_id,
                                 key=payload.key)
    return Status(201, {"id": done.pk, "card_id": done.card_id, "reward_id": done.reward_id,
                        "reward": done.reward.name, "points": -done.entry.points,
                        "balance_after": done.entry.balance_after,
                        "branch_id": done.branch_id, "stock_movement_id": done.movement_id,
                        "created_at": done.created_at})


# -- prize draws ---------------------------------------------------------------------------

class DrawIn(Strict):
    name: str = Field(max_length=120)
    programme_id: int = Field(ge=1, le=MAX_ID)
    period_from: datetime.date
    period_to: datetime.date
    min_purchases: Decimal = Field(Decimal(0), ge=0, max_digits=12, decimal_places=2)
    draw_on: datetime.date = Field(description="At the earliest the day after the period")
    prizes: list[tuple[str, int]] = Field(min_length=1, max_length=20,
                                          description='[["Tablet", 1], ["Słuchawki", 3]]')
    rules: str = Field(max_length=10000)


class DrawMoveIn(Strict):
    action: Literal["draw", "cancel"]
    witness: str = Field("", max_length=200, description="draw: required")
    reason: str = Field("", max_length=300, description="cancel: required")


class WinnerOut(Schema):
    place: int
    prize: str
    card_id: int
    card_number: str
    customer_id: int | None
    branch_id: int


class DrawOut(Schema):
    id: int
    name: str
    programme_id: int
    status: str
    period_from: datetime.date
    period_to: datetime.date
    min_purchases: Decimal
    draw_on: datetime.date
    prizes: list[tuple[str, int]]
    rules: str
    entrants: int
    seed: str
    entrants_digest: str
    witness: str
    drawn_at: datetime.datetime | None
    winners: list[WinnerOut] = Field(description="Of the caller's branches (HQ: all)")


class DrawQuery(Schema):
    status: Literal["", "planned", "drawn", "cancelled"] = ""
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class DrawList(Schema):
    items: list[DrawOut]
    page: Page


def _draw(request: HttpRequest, d: PrizeDraw, *, winners: bool = True) -> dict[str, Any]:
    rows: list[DrawWinner] = list(
        DrawWinner.objects.visible_to(request.user, perms.CARD_VIEW).filter(draw=d)
        .select_related("card")) if winners else []
    return {"id": d.pk, "name": d.name, "programme_id": d.programme_id, "status": d.status,
            "period_from": d.period_from, "period_to": d.period_to,
            "min_purchases": d.min_purchases, "draw_on": d.draw_on,
            "prizes": [(name, int(n)) for name, n in d.prizes], "rules": d.rules,
            "entrants": d.entrants, "seed": d.seed, "entrants_digest": d.entrants_digest,
            "witness": d.witness, "drawn_at": d.drawn_at,
            "winners": [{"place": w.place, "prize": w.prize, "card_id": w.card_id,
                         "card_number": w.card.number, "customer_id": w.card.customer_id,
                         "branch_id": w.branch_id} for w in rows]}


def _draw_get(draw_id: int) -> PrizeDraw:
    draw = PrizeDraw.objects.filter(pk=known_id(draw_id)).first()
    if draw is None:
        raise NotFound(_("Draw not found."))
    return draw


@router.get("/loyalty/draws", response={200: DrawList, **errors()},
            operation_id="loyalty_draw_list")
@scoped("global")
def draw_list(request: HttpRequest, q: Query[DrawQuery]) -> dict[str, Any]:
    """The company's prize draws, the latest first; winners only on one draw's page."""
    org_perms.ensure(request.user, perms.CARD_VIEW.code)
    qs = PrizeDraw.objects.order_by("-draw_on", "-pk")
    if q.status:
        qs = qs.filter(status=q.status)
    items, page = page_slice(qs, q.page, q.per_page)
    return {"items": [_draw(request, d, winners=False) for d in items], "page": page}


@router.post("/loyalty/draws", response={201: DrawOut, **errors()},
             operation_id="loyalty_draw_create")
@scoped("global")
def draw_create(request: HttpRequest, payload: DrawIn) -> Status[Any]:
    data = payload.model_dump()
    data["programme"] = data.pop("programme_id")
    data["prizes"] = "\n".join(f"{name}; {n}" for name, n in payload.prizes)
    draw = draws.draw_save(actor=request.user, data=data)
    return Status(201, _draw(request, draw))


@router.get("/loyalty/draws/{draw_id}", response={200: DrawOut, **errors(404)},
            operation_id="loyalty_draw_get")
@scoped("global")
def draw_get(request: HttpRequest, draw_id: int) -> dict[str, Any]:
    org_perms.ensure(request.user, perms.CARD_VIEW.code)
    return _draw(request, _draw_get(draw_id))


@router.post("/loyalty/draws/{draw_id}/moves", response={200: DrawOut, **errors(404, 409)},
             operation_id="loyalty_draw_move")
@scoped("global")
def draw_move(request: HttpRequest, draw_id: int, payload: DrawMoveIn) -> dict[str, Any]:
    """``draw``: the winners picked once (the seed and the entrants' digest kept);
    ``cancel``: a planned draw with a reason."""
    draw = _draw_get(draw_id)
    if payload.action == "draw":
        draw = draws.draw_run(actor=request.user, draw_id=draw.pk, witness=payload.witness)
    else:
        draw = draws.draw_cancel(actor=request.user, draw_id=draw.pk, reason=payload.reason)
    return _draw(request, draw)
