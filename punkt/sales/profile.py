"""What the counter puts on a customer's profile: the Purchases tab and links from the
timeline to sales and returns."""

from __future__ import annotations

from typing import Any

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
from punkt.sales.models import Sale


def _sales(user: Actor, customer: Any) -> dict[str, Any]:
    rows = list(Sale.objects.visible_to(user, perms.SALE_VIEW).filter(customer=customer)
                .select_related("branch", "seller").order_by("-created_at", "-pk")[:TAB_ROWS + 1])
    return {"sales": rows[:TAB_ROWS], "more": len(rows) > TAB_ROWS}


register_profile_panel("sales", _("Purchases"), "sales/profile/sales_tab.html", _sales,
                       perms.SALE_VIEW.code, order=40)
register_source_link("sales.sale", route("sales:sale_detail"), permission=perms.SALE_VIEW.code,
                     api=api_route("sale_get"))
