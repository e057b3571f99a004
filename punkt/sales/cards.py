"""A card scanned at the counter (R13): its discount and points at a sale and a return.

Sales knows no loyalty programmes; the loyalty area, a higher layer, registers itself
here with :func:`provides_cards`. Before the sale is saved, ``check`` reads the card
(``ValidationFailed`` on ``card`` or ``points``) and returns a :class:`CardPlan`: the
discount per cent for every line and the value of the points redeemed, taken off the
total. After the sale is saved, ``record`` writes the card's side in the same
transaction (points, tier); ``returned`` does it for a return of a sale made with a
card. ``refusals`` names the basket's products the card (or no card) does not open —
products a programme keeps for its members — with the reason; sales refuses those lines
on their ``product_id``. Without a registered source a card number is refused and no
product is closed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.utils.translation import gettext as _

from punkt.core.errors import ValidationFailed

FIELD = "card"
POINTS_FIELD = "points"
MAX_LENGTH = 20
MAX_POINTS = 10_000_000


@dataclass
class CardPlan:
    number: str
    discount_percent: Decimal
    points: int
    points_value: Decimal
    found: Any


class Cards(Protocol):
    def check(self, *, actor: Any, branch_id: int, number: str, list_total: Decimal,
              points: int) -> CardPlan: ...

    def record(self, plan: CardPlan, sale: Any, actor: Any) -> None: ...

    def returned(self, doc: Any, actor: Any) -> None: ...

    def refusals(self, plan: CardPlan | None, product_ids: list[int]) -> dict[int, str]: ...


_source: Cards | None = None


def provides_cards(source: Cards) -> Cards:
    global _source
    _source = source
    return source


def normalise(number: Any) -> str:
    return "".join(str(number or "").split())


def points_wanted(points: Any) -> int:
    text = str(points if points is not None else "").strip()
    if not text:
        return 0
    if not (text.isascii() and text.isdecimal()) or int(text) > MAX_POINTS:
        raise ValidationFailed("invalid", _("Give the points to redeem as a whole number."),
                               field=POINTS_FIELD)
    return int(text)


def check(*, actor: Any, branch_id: int, number: Any, list_total: Decimal,
          points: Any) -> CardPlan | None:
    """``None`` without a card number; points need a card."""
    text = normalise(number)
    wanted = points_wanted(points)
    if not text:
        if wanted:
            raise ValidationFailed("required", _("Points are redeemed with a card: scan "
                                                 "the card."), field=FIELD)
        return None
    if len(text) > MAX_LENGTH or not text.isascii() or not text.isdigit() or _source is None:
        raise ValidationFailed("invalid", _("No active card has this number."), field=FIELD)
    return _source.check(actor=actor, branch_id=branch_id, number=text,
                         list_total=list_total, points=wanted)


def record(plan: CardPlan | None, sale: Any, actor: Any) -> None:
    if plan is not None and _source is not None:
        _source.record(plan, sale, actor)


def returned(doc: Any, actor: Any) -> None:
    if _source is not None:
        _source.returned(doc, actor)


def refusals(plan: CardPlan | None, product_ids: list[int]) -> dict[int, str]:
    """``{product id: why it is refused}`` for the products this sale's card (``plan``,
    None without a card) does not open; empty when nothing in the basket is closed."""
    if _source is None or not product_ids:
        return {}
    return _source.refusals(plan, product_ids)
