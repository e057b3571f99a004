"""A small shop: the catalogue's products with stock at HQ and at branch A."""

from __future__ import annotations

from typing import Any

from punkt.catalog.tests.factories import Shop, catalogue
from punkt.inventory import services as inventory
from punkt.inventory.models import MovementKind


def shop(world: Any, *, stock_a: int = 5, stock_hq: int = 50) -> Shop:
    s = catalogue(world)
    for product in (s.router, s.cable, s.book):
        if stock_hq:
            inventory.receipt_record(actor=world.expert, product_id=product.pk,
                                     quantity=stock_hq, reason="PZ 1/2026")
        if stock_a:
            inventory.stock_move(branch_id=world.a.pk, product_id=product.pk, delta=stock_a,
                                 kind=MovementKind.RECEIPT, reason="opening stock")
    return s
