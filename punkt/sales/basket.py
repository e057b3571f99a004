"""The counter's basket, kept in the seller's session until the sale is recorded (one
basket per branch). Prices are not kept: the sale takes the ones in force when it is
recorded; the page shows them from the price list."""

from __future__ import annotations

import uuid
from typing import Any

SESSION_KEY = "punkt.basket"
MAX_LINES = 100


def _all(session: Any) -> dict[str, Any]:
    data = session.get(SESSION_KEY)
    return data if isinstance(data, dict) else {}


def get(session: Any, branch_id: int) -> dict[str, Any]:
    basket = _all(session).get(str(branch_id))
    if not isinstance(basket, dict):
        basket = {}
    basket.setdefault("lines", [])
    basket.setdefault("customer", None)
    basket.setdefault("card", "")  # a scanned loyalty card's number (sales/cards.py)
    basket.setdefault("points", "")  # the card's points to redeem
    basket.setdefault("campaign_code", "")  # a leaflet's campaign code (R10.3)
    basket.setdefault("token", uuid.uuid4().hex)  # the sale's once-only key
    return basket


def save(session: Any, branch_id: int, basket: dict[str, Any]) -> None:
    data = _all(session)
    data[str(branch_id)] = basket
    session[SESSION_KEY] = data
    session.modified = True


def clear(session: Any, branch_id: int) -> None:
    data = _all(session)
    data.pop(str(branch_id), None)
    session[SESSION_KEY] = data
    session.modified = True


MAX_QUANTITY = 1000


def _quantity(value: Any, default: int) -> int:
    text = str(value or "").strip()
    if not (text.isdecimal() and text.isascii()):
        return default
    return max(1, min(int(text), MAX_QUANTITY))


def add(basket: dict[str, Any], product_id: int, quantity: int = 1) -> None:
    quantity = _quantity(quantity, 1)
    for line in basket["lines"]:
        if line["product_id"] == product_id:
            line["quantity"] = min(_quantity(line["quantity"], 1) + quantity, MAX_QUANTITY)
            return
    if len(basket["lines"]) < MAX_LINES:
        basket["lines"].append({"product_id": product_id, "quantity": quantity,
                                "discount_percent": "0"})


def update(basket: dict[str, Any], product_id: int, quantity: str, discount: str) -> None:
    """A whole quantity of 1–1000 (anything else keeps the previous one); the discount as
    typed (the sale checks it and names the line)."""
    for line in basket["lines"]:
        if line["product_id"] == product_id:
            line["quantity"] = _quantity(quantity, _quantity(line["quantity"], 1))
            line["discount_percent"] = discount.strip().replace(",", ".")[:6] or "0"


def remove(basket: dict[str, Any], product_id: int) -> None:
    basket["lines"] = [x for x in basket["lines"] if x["product_id"] != product_id]
