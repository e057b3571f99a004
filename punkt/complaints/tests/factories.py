"""Building blocks of the complaints' tests: a customer of branch A with a purchase, and a
complaint registered at A's counter."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from punkt.complaints import services


def purchase(world: Any, cust: Any, *, branch: Any = None, name: str = "Router Wi-Fi 6") -> Any:
    """A sale line of ``cust`` at ``branch`` (A), made directly (the sale's own rules are
    the sales area's tests)."""
    from punkt.catalog.models import Product
    from punkt.sales.models import Sale, SaleLine

    product = Product.objects.filter(code="RK-ROUTER").first() or Product.objects.create(
        code="RK-ROUTER", name=name, vat_rate="23")
    sale = Sale.objects.create(branch=branch or world.a, seller=world.service_a, customer=cust,
                               payment_method="cash", total_gross=Decimal("399.00"))
    return SaleLine.objects.create(sale=sale, product=product, name=name, quantity=1,
                                   unit_price_gross=Decimal("399.00"),
                                   total_gross=Decimal("399.00"), vat_rate="23")


def complaint(world: Any, *, actor: Any = None, cust: Any = None, **fields: Any) -> Any:
    from punkt.contracts.tests.factories import customer

    cust = cust or customer(world)
    data: dict[str, Any] = {
        "customer_id": cust.pk, "kind": "consumer_goods", "demand": "repair",
        "customer_account": "Router się restartuje co godzinę.",
        "employee_opinion": "Potwierdzam, dioda miga na czerwono.",
        "terms_version": "Regulamin reklamacji 2026", "terms_shown": True}
    if "sale_line_id" not in fields and "contract_id" not in fields \
            and "product_text" not in fields:
        data["sale_line_id"] = purchase(world, cust).pk
    data.update(fields)
    return services.complaint_create(actor=actor or world.service_a, **data)
