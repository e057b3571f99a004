"""Sales at the counter."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

SALE_VIEW = registry.register(
    "sales.sale.view", gettext_lazy("See sales and returns at the counter"),
    [R.MANAGER, R.SERVICE, R.HQ_EXPERT, R.ADMIN])
SALE_CREATE = registry.register(
    "sales.sale.create",
    gettext_lazy("Sell products and accessories at the counter and take returns"),
    [R.MANAGER, R.SERVICE])
DISCOUNT_LARGE = registry.register(
    "sales.discount.large",
    gettext_lazy("Give discounts above the employee's limit (up to the manager's)"),
    [R.MANAGER])
SALE_REPORT = registry.register(
    "sales.report.view",
    gettext_lazy("See sales and stock reports and export them"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN], kinds=["export"])
