"""Menu entries and the dashboard panels: what is below norm (managers), what waits to
be shipped (HQ)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from punkt.core.navigation import NavItem, Panel, nav, panel
from punkt.core.roles import Role
from punkt.inventory import permissions as perms
from punkt.organization import permissions as org_perms

nav(NavItem(_("Stock"), "inventory:stock", perms.STOCK_VIEW.code, group="store", order=42,
            active_pattern=r"^/stock/(?!orders/)"))
nav(NavItem(_("Orders"), "inventory:order_list", perms.ORDER_FULFIL.code, group="store", order=43,
            active_pattern=r"^/stock/orders/"))


def _below(request: Any) -> dict[str, Any] | None:
    from punkt.inventory.selectors import below_norm_count
    from punkt.organization.models import Branch

    allowed = org_perms.access_of(request.user).branches_for(perms.ORDER_CREATE.code)
    if not allowed:
        return None
    rows = [(b, below_norm_count(b.pk)) for b in
            Branch.objects.filter(pk__in=allowed, is_active=True).order_by("name")[:5]]
    rows = [(b, n) for b, n in rows if n]
    return {"rows": rows} if rows else None


def _to_ship(request: Any) -> dict[str, Any] | None:
    from punkt.inventory.models import OrderStatus, StockOrder

    n = StockOrder.objects.filter(status=OrderStatus.SUBMITTED).count()
    return {"count": n} if n else None


panel(Panel(_("Below the minimum norm"), "inventory/panels/below.html",
            perms.ORDER_CREATE.code, _below, order=30, roles=frozenset({Role.MANAGER})))
panel(Panel(_("Orders to ship"), "inventory/panels/to_ship.html", perms.ORDER_FULFIL.code,
            _to_ship, order=30, roles=frozenset({Role.HQ_EXPERT})))
