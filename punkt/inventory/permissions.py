"""Stock actions: branch staff see their stock; the manager keeps norms, counts and
orders; HQ runs the warehouse and fulfils orders."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

STOCK_VIEW = registry.register(
    "inventory.stock.view", gettext_lazy("See the branch's stock and its movements"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.CASHIER, R.HQ_EXPERT, R.ADMIN])
STOCK_MANAGE = registry.register(
    "inventory.stock.manage",
    gettext_lazy("Set minimum stock norms and record stock adjustments with a reason"),
    [R.MANAGER, R.HQ_EXPERT])
ORDER_CREATE = registry.register(
    "inventory.order.create",
    gettext_lazy("Order goods from HQ and confirm their receipt"), [R.MANAGER])
ORDER_FULFIL = registry.register(
    "inventory.order.fulfil",
    gettext_lazy("Fulfil branch orders from the HQ warehouse and record deliveries to it"),
    [R.HQ_EXPERT], scope="global")
