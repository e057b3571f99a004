"""A small shop: products with a price list in force at every branch, stock at HQ and at
branch A."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from punkt.catalog import services as catalog
from punkt.catalog.models import Product
from punkt.contracts.tests.factories import publish
from punkt.inventory import services as inventory
from punkt.inventory.models import MovementKind

PRICES = ("kod;nazwa;cena brutto;VAT\nRTR-AX;Router Wi-Fi 6;249,00;23\n"
          "CBL-5;Kabel sieciowy 5 m;19,99;23\nBOOK-1;Poradnik światłowodu;39,90;5\n").encode()


@dataclass
class Shop:
    router: Product
    cable: Product
    book: Product
    prices: Any


def shop(world: Any, *, stock_a: int = 5, stock_hq: int = 50) -> Shop:
    prices = publish(world, "price_list", PRICES, "akcesoria.csv", title="Cennik akcesoriów")
    router = catalog.product_create(actor=world.expert, code="RTR-AX", name="Router Wi-Fi 6",
                                    vat_rate="23", ean="5901234123457")
    cable = catalog.product_create(actor=world.expert, code="CBL-5", kind="accessory",
                                   name="Kabel sieciowy 5 m", vat_rate="23")
    book = catalog.product_create(actor=world.expert, code="BOOK-1", kind="accessory",
                                  name="Poradnik światłowodu", vat_rate="5")
    for product in (router, cable, book):
        if stock_hq:
            inventory.receipt_record(actor=world.expert, product_id=product.pk,
                                     quantity=stock_hq, reason="PZ 1/2026")
        if stock_a:
            inventory.stock_move(branch_id=world.a.pk, product_id=product.pk, delta=stock_a,
                                 kind=MovementKind.RECEIPT, reason="opening stock")
    return Shop(router, cable, book, prices)
