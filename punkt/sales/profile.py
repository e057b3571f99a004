"""What the counter puts on a customer's profile: the Purchases tab and links from the
timeline to sales and returns."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, F, Q, Sum, When
from django.utils.translation import gettext_lazy as _

from punkt.customers.profile import (
    TAB_ROWS,
    api_route,
    register_profile_panel,
    register_source_link,
    route,
)
from punkt.organization.actors import Actor
from punkt.sales import permissions as perms
from punkt.sales.models import Sale, SaleKind

ZERO = Decimal("0.00")


def _sales(user: Actor, customer: Any) -> dict[str, Any]:
    rows = list(Sale.objects.visible_to(user, perms.SALE_VIEW).filter(customer=customer)
                .select_related("branch", "seller").order_by("-created_at", "-pk")[:TAB_ROWS + 1])
    return {"sales": rows[:TAB_ROWS], "more": len(rows) > TAB_ROWS}


def _recommended(user: Actor, customer: Any) -> dict[str, Any]:
    """The customers ``customer`` recommended (R12.7) with their counter purchases (sales
    less returns, the ones ``user`` may see): two queries."""
    from punkt.customers.recommendations import brought_by

    rows = list(brought_by(user, customer)[:TAB_ROWS + 1])
    ids = [r.customer_id for r in rows[:TAB_ROWS]]
    signed = Case(When(kind=SaleKind.RETURN, then=-F("total_gross")), default=F("total_gross"),
                  output_field=DecimalField(max_digits=14, decimal_places=2))
    grouped = (Sale.objects.visible_to(user, perms.SALE_VIEW).filter(customer_id__in=ids)
               .values("customer_id")
               .annotate(n=Count("pk", filter=Q(kind=SaleKind.SALE)), total=Sum(signed))
               .order_by())
    figures: dict[int, dict[str, Any]] = {f["customer_id"]: dict(f) for f in grouped}
    out = []
    for r in rows[:TAB_ROWS]:
        got = figures.get(r.customer_id, {})
        out.append({"customer": r.customer, "recorded_at": r.recorded_at,
                    "purchases": got.get("n", 0), "revenue": got.get("total") or ZERO})
    return {"recommended": out, "more": len(rows) > TAB_ROWS}


register_profile_panel("recommended", _("Recommended"), "sales/profile/recommended_tab.html",
                       _recommended, perms.SALE_VIEW.code, order=45)
register_profile_panel("sales", _("Purchases"), "sales/profile/sales_tab.html", _sales,
                       perms.SALE_VIEW.code, order=40)
register_source_link("sales.sale", route("sales:sale_detail"), permission=perms.SALE_VIEW.code,
                     api=api_route("sale_get"))
