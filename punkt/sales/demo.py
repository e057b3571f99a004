"""Demo catalogue, stock and counter sales: accessories priced by an HQ price list, a
router manual, the HQ warehouse, Kraków's stock with norms (one product below), an order
in transit to Kraków, and the day's sales with one return."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from punkt.catalog import services as catalog
from punkt.catalog.models import Product
from punkt.core.demo import seeder
from punkt.customers.models import Customer, CustomerStatus
from punkt.inventory import services as inventory
from punkt.materials import services as materials
from punkt.materials.demo import _pdf
from punkt.materials.models import MaterialVersion
from punkt.organization.actors import Actor
from punkt.organization.models import Branch, Employee
from punkt.sales import services as sales

ACCESSORIES = """kod;nazwa;cena brutto;VAT
RTR-AX3000;Router Wi-Fi 6 AX3000;299,00;23
ONT-GPON;Terminal światłowodowy ONT;199,00;23
MESH-2;Zestaw Mesh (2 szt.);449,00;23
CBL-CAT6-5;Kabel sieciowy kat. 6, 5 m;24,99;23
PWR-12V;Zasilacz 12 V do routera;39,90;23
"""
#: (code, name, kind, EAN, HQ stock, Kraków stock, Kraków norm)
PRODUCTS = [
    ("RTR-AX3000", "Router Wi-Fi 6 AX3000", "product", "5901234123457", 120, 6, 4),
    ("ONT-GPON", "Terminal światłowodowy ONT", "product", "", 80, 2, 5),
    ("MESH-2", "Zestaw Mesh (2 szt.)", "product", "", 40, 3, 2),
    ("CBL-CAT6-5", "Kabel sieciowy kat. 6, 5 m", "accessory", "", 500, 25, 10),
    ("PWR-12V", "Zasilacz 12 V do routera", "accessory", "", 200, 1, 1),
]


def _staff(email: str) -> Employee | None:
    return Employee.objects.filter(email=email).first()


def _publish(expert: Actor, kind: str, title: str, name: str, data: bytes) -> MaterialVersion:
    material = materials.material_create(actor=expert, kind=kind, title=title)
    version = materials.version_create(
        actor=expert, material_id=material.pk, uploaded=SimpleUploadedFile(name, data),
        valid_from=timezone.localdate() - datetime.timedelta(days=3))
    return materials.version_publish(actor=expert, version_id=version.pk)


@seeder(45)
def seed_counter(actor: Actor) -> list[str]:
    branch = Branch.objects.filter(code="KRK-01").first()
    expert, manager = _staff("ekspert@demo.punkt.pl"), _staff("kierownik@demo.punkt.pl")
    service = _staff("obsluga@demo.punkt.pl")
    if branch is None or not (expert and manager and service) or Product.objects.exists():
        return []
    _publish(expert, "price_list", "Cennik akcesoriów", "cennik-akcesoriow.csv",
             ACCESSORIES.encode())
    manual = _publish(expert, "manual", "Instrukcja konfiguracji routera AX3000",
                      "instrukcja-ax3000.pdf",
                      _pdf("Router AX3000: polaczenie, haslo Wi-Fi, aktualizacja"))
    products = {}
    for code, name, kind, ean, hq_qty, krk_qty, norm in PRODUCTS:
        product = catalog.product_create(
            actor=expert, code=code, name=name, kind=kind, vat_rate="23", ean=ean,
            manual_id=manual.material_id if code == "RTR-AX3000" else None)
        products[code] = product
        inventory.receipt_record(actor=expert, product_id=product.pk, quantity=hq_qty,
                                 reason="PZ 41/2026")
        inventory.adjustment_record(actor=manager, branch_id=branch.pk, product_id=product.pk,
                                    quantity=krk_qty, reason="Inwentaryzacja otwarcia")
        inventory.norm_set(actor=manager, branch_id=branch.pk, product_id=product.pk,
                           min_norm=norm)
    # An order HQ has already shipped: the manager confirms its receipt.
    order = inventory.order_create(actor=manager, branch_id=branch.pk,
                                   lines={products["MESH-2"].pk: 2}, note="Na promocję Mesh")
    inventory.order_ship(actor=expert, order_id=order.pk)
    customer = (Customer.objects.filter(branch=branch, status=CustomerStatus.ACTIVE)
                .order_by("pk").first())
    sold = [sales.sale_create(actor=service, branch_id=branch.pk, payment_method="card",
                              customer_id=customer.pk if customer else None,
                              lines=[{"product_id": products["RTR-AX3000"].pk, "quantity": 1},
                                     {"product_id": products["CBL-CAT6-5"].pk,
                                      "quantity": 2}]),
            sales.sale_create(actor=service, branch_id=branch.pk, payment_method="cash",
                              lines=[{"product_id": products["PWR-12V"].pk, "quantity": 1,
                                      "discount_percent": "5"}])]
    cable = sold[0].lines.get(product=products["CBL-CAT6-5"])
    sales.sale_return(actor=service, sale_id=sold[0].pk, quantities={cable.pk: 1},
                      reason="Za krótki kabel")
    return [f"{len(products)} products with stock at HQ and Kraków, an order in transit, "
            f"{len(sold)} sales and a return"]
