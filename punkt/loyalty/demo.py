"""Demo loyalty: HQ's programmes of every kind (the tiered one keeps two products for its
members), and in Kraków a points card with sales that earned and redeemed points, a
tiered card, and a bearer card."""

from __future__ import annotations

import datetime

from django.utils import timezone

from punkt.catalog.models import Product
from punkt.core.demo import seeder
from punkt.customers.models import Customer, CustomerStatus
from punkt.loyalty import draws, services
from punkt.loyalty.models import Programme
from punkt.organization.actors import Actor
from punkt.organization.models import Branch, Employee
from punkt.sales import services as sales

PROGRAMMES = [
    {"name": "Karta Punkt Plus", "kind": "points", "points_per_zloty": "1",
     "point_value": "0,02", "points_valid_months": "24",
     "rewards": "Kabel sieciowy Cat 6, 5 m | 150 | CBL-CAT6-5\nBilet do kina dla dwojga | 400\n"
                "Bezpłatna konfiguracja sieci w domu | 600"},
    {"name": "Srebro, Złoto, Platyna", "kind": "tiered", "silver_from": "500",
     "silver_percent": "3", "gold_from": "1500", "gold_percent": "5",
     "platinum_from": "5000", "platinum_percent": "8", "vip_from": "500",
     "vip_benefits": "Obsługa bez kolejki, stały opiekun w oddziale, bezpłatna "
                     "instalacja sprzętu.",
     # closed resources (R13.1): the demo's silver card opens the first, not the second
     "closed": "MESH-2 | srebrny | Zestaw Mesh tylko dla posiadaczy karty\n"
               "ONT-GPON | platinum | Terminal z montażem przez technika bez opłaty"},
    {"name": "Karta rabatowa na okaziciela", "kind": "bearer", "discount_percent": "5"},
    {"name": "Karta imienna 7%", "kind": "personal", "discount_percent": "7"},
    {"name": "Im więcej, tym taniej", "kind": "progressive",
     "scale": "300: 2; 600: 4; 1000: 6"},
]


def _staff(email: str) -> Employee | None:
    return Employee.objects.filter(email=email).first()


@seeder(89)
def seed_loyalty(actor: Actor) -> list[str]:
    branch = Branch.objects.filter(code="KRK-01").first()
    expert, service = _staff("ekspert@demo.punkt.pl"), _staff("obsluga@demo.punkt.pl")
    if branch is None or not (expert and service) or Programme.objects.exists():
        return []
    made = {p["name"]: services.programme_save(actor=expert, data=p) for p in PROGRAMMES}
    people = list(Customer.objects.filter(branch=branch, status=CustomerStatus.ACTIVE)
                  .order_by("pk")[:2])
    products = {p.code: p for p in Product.objects.filter(code__in=["RTR-AX3000",
                                                                    "CBL-CAT6-5"])}
    if len(people) < 2 or len(products) < 2:
        return [f"{len(made)} loyalty programmes"]
    points = services.card_issue(actor=service, branch_id=branch.pk,
                                 programme_id=made["Karta Punkt Plus"].pk,
                                 customer_id=people[0].pk)
    tiered = services.card_issue(actor=service, branch_id=branch.pk,
                                 programme_id=made["Srebro, Złoto, Platyna"].pk,
                                 customer_id=people[1].pk)
    services.card_issue(actor=service, branch_id=branch.pk,
                        programme_id=made["Karta rabatowa na okaziciela"].pk)
    router, cable = products["RTR-AX3000"].pk, products["CBL-CAT6-5"].pk
    sales.sale_create(actor=service, branch_id=branch.pk, payment_method="card",
                      customer_id=people[0].pk, card=points.number,
                      lines=[{"product_id": router, "quantity": 1}])
    sales.sale_create(actor=service, branch_id=branch.pk, payment_method="cash",
                      customer_id=people[0].pk, card=points.number, points="100",
                      lines=[{"product_id": cable, "quantity": 1}])
    sales.sale_create(actor=service, branch_id=branch.pk, payment_method="card",
                      customer_id=people[1].pk, card=tiered.number,
                      lines=[{"product_id": router, "quantity": 2}])
    today = timezone.localdate()
    rules = ("Losowanie wśród kart programu, którymi w okresie akcji zapłacono za zakupy. "
             "Każda karta bierze udział raz. Zwycięzców losuje centrala w obecności komisji; "
             "oddział zawiadamia ich telefonicznie, nagrodę odbiera się w oddziale w ciągu "
             "30 dni.")
    for programme, name, prizes in (
            ("Srebro, Złoto, Platyna", "Świąteczne losowanie", "Router Wi-Fi 6; 1"),
            ("Karta Punkt Plus", "Noworoczne losowanie", "Tablet; 1\nSłuchawki; 2")):
        draws.draw_save(actor=expert, data={
            "name": name, "programme": made[programme].pk, "period_from": today,
            "period_to": today, "draw_on": today + datetime.timedelta(days=1),
            "prizes": prizes, "rules": rules, "min_purchases": "0"})
    return [f"{len(made)} loyalty programmes; 3 cards in Kraków with sales earning and "
            "redeeming points; 2 prize draws to draw tomorrow"]
