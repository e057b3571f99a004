"""Menu entries, the dashboard panels — what is below norm (managers), what waits to be
shipped (HQ) — and the stock column of the catalogue's pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from punkt.catalog.selectors import provides_stock
from punkt.core.navigation import NavItem, Panel, nav, panel
from punkt.core.roles import Role
from punkt.inventory import permissions as perms
from punkt.inventory import selectors
from punkt.inventory.models import OrderStatus, StockOrder
from punkt.organization.models import Branch

nav(NavItem(_("Stock"), "inventory:stock", perms.STOCK_VIEW.code, group="store", order=42,
            active_pattern=r"^/stock/(?!orders/)"))
nav(NavItem(_("Orders"), "inventory:order_list", perms.ORDER_FULFIL.code, group="store", order=43,
            active_pattern=r"^/stock/orders/"))

provides_stock(selectors.stock_of_products)


def _below(request: Any) -> dict[str, Any] | None:
    branches = Branch.objects.visible_to(request.user, perms.ORDER_CREATE.code).filter(
        is_active=True).order_by("name")[:5]
    rows = [(b, *selectors.below_norm_split(user=request.user, branch_id=b.pk))
            for b in branches]
    rows = [(b, goods, printed) for b, goods, printed in rows if goods or printed]
    return {"rows": rows} if rows else None


def _to_ship(request: Any) -> dict[str, Any] | None:
    n = StockOrder.objects.visible_to(request.user, perms.ORDER_FULFIL.code).filter(
        status=OrderStatus.SUBMITTED).count()
    return {"count": n} if n else None


panel(Panel(_("Below the minimum norm"), "inventory/panels/below.html",
            perms.ORDER_CREATE.code, _below, order=30, roles=frozenset({Role.MANAGER})))
panel(Panel(_("Orders to ship"), "inventory/panels/to_ship.html", perms.ORDER_FULFIL.code,
            _to_ship, order=30, roles=frozenset({Role.HQ_EXPERT})))
