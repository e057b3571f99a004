"""Offer and contract actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

OFFER_VIEW = registry.register(
    "contracts.offer.view", gettext_lazy("See offers presented to customers"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.HQ_EXPERT, R.ADMIN])
OFFER_CREATE = registry.register(
    "contracts.offer.create",
    gettext_lazy("Record offers presented to customers and their answer"),
    [R.MANAGER, R.SERVICE, R.RETENTION])
