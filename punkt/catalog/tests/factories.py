"""A small shop's catalogue: three products with a price list in force at every branch
(their stock: ``punkt.inventory.tests.factories.shop``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from punkt.catalog import services as catalog
from punkt.catalog.models import Product
from punkt.contracts.tests.factories import publish

PRICES = ("kod;nazwa;cena brutto;VAT\nRTR-AX;Router Wi-Fi 6;249,00;23\n"
          "CBL-5;Kabel sieciowy 5 m;19,99;23\nBOOK-1;Poradnik światłowodu;39,90;5\n").encode()


@dataclass
class Shop:
    router: Product
    cable: Product
    book: Product
    prices: Any


def catalogue(world: Any) -> Shop:
    prices = publish(world, "price_list", PRICES, "akcesoria.csv", title="Cennik akcesoriów")
    router = catalog.product_create(actor=world.expert, code="RTR-AX", name="Router Wi-Fi 6",
                                    vat_rate="23", ean="5901234123457")
    cable = catalog.product_create(actor=world.expert, code="CBL-5", kind="accessory",
                                   name="Kabel sieciowy 5 m", vat_rate="23")
    book = catalog.product_create(actor=world.expert, code="BOOK-1", kind="accessory",
                                  name="Poradnik światłowodu", vat_rate="5")
    return Shop(router, cable, book, prices)
