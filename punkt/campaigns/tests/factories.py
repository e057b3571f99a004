"""Building blocks of the campaigns' tests: products with prices in force, an HQ leaflet
template, a print shop, a campaign, a leaflet and a print order."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from punkt.campaigns import services

PRICES = (b"kod;nazwa;cena brutto;VAT\nKMP-ROUTER;Router Wi-Fi 6;199,00;23\n"
          b"KMP-TV;Pakiet TV Komfort;49,99;23\n")
TEMPLATE_PDF = b"%PDF-1.4\n% HQ leaflet artwork\n"


def products(world: Any) -> list[Any]:
    """Two catalogue products with prices in the price list in force at every branch."""
    from punkt.catalog.models import Product
    from punkt.contracts.tests.factories import publish

    if not Product.objects.filter(code="KMP-ROUTER").exists():
        publish(world, "price_list", PRICES, "cennik-kampania.csv", title="Cennik kampanii")
    return [Product.objects.get_or_create(code=code, defaults={"name": name})[0]
            for code, name in (("KMP-ROUTER", "Router Wi-Fi 6"),
                               ("KMP-TV", "Pakiet TV Komfort"))]


def leaflet_template(world: Any, *, branch: Any = None) -> Any:
    """An HQ leaflet template published to every branch (or one)."""
    from punkt.contracts.tests.factories import publish
    from punkt.materials.models import Material

    material = Material.objects.filter(kind="leaflet_template").first()
    version = publish(world, "leaflet_template", TEMPLATE_PDF, "ulotka.pdf", branch=branch,
                      material_id=material.pk if material else None,
                      title="Ulotka jesienna")
    version.material.description = "Zapraszamy do salonu po jesienne nowości!"
    version.material.save(update_fields=["description"])
    return version


def shop(world: Any, **data: Any) -> Any:
    return services.shop_save(actor=world.expert, data={
        "name": "Drukarnia Pod Wierzbą", "email": "zamowienia@drukarnia.example.pl",
        "prices": "500; 120,00\n1000; 190,00\n2500; 380,00", **data})


def campaign(world: Any, *, actor: Any = None, **data: Any) -> Any:
    today = timezone.localdate()
    actor = actor or world.manager_a
    values: dict[str, Any] = {
        "name": "Jesień z routerem", "goal": "Nowi klienci internetu w okolicy",
        "starts_on": today, "ends_on": today + datetime.timedelta(days=30),
        "budget": "500,00", "code": "", "product_ids": [p.pk for p in products(world)]}
    if actor == world.expert:
        values["all_branches"] = True
    values.update(data)
    return services.campaign_create(actor=actor, data=values)


def leaflet(world: Any, camp: Any = None, *, actor: Any = None, branch: Any = None) -> Any:
    camp = camp or campaign(world)
    version = leaflet_template(world)
    return services.leaflet_create(actor=actor or world.service_a, campaign_id=camp.pk,
                                   branch_id=(branch or world.a).pk, template_id=version.pk)


def print_order(world: Any, lf: Any = None, *, actor: Any = None, quantity: int = 1000,
                the_shop: Any = None) -> Any:
    lf = lf or leaflet(world)
    return services.print_order_create(actor=actor or world.service_a, leaflet_id=lf.pk,
                                       shop_id=(the_shop or shop(world)).pk,
                                       quantity=quantity)


def money(text: str) -> Decimal:
    return Decimal(text)
