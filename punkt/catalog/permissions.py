"""Catalogue actions: everybody in a branch reads it; HQ keeps it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

PRODUCT_VIEW = registry.register(
    "catalog.product.view", gettext_lazy("See products, prices, stock and manuals"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.CASHIER, R.HQ_EXPERT, R.ADMIN])
PRODUCT_MANAGE = registry.register(
    "catalog.product.manage", gettext_lazy("Add and change products and accessories"),
    [R.HQ_EXPERT], scope="global")
HELP_RECORD = registry.register(
    "catalog.help.record",
    gettext_lazy("Record product help given to a customer on the timeline"),
    [R.MANAGER, R.SERVICE, R.RETENTION])
