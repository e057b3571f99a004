"""Outgoing webhooks: the administrator decides which systems hear of which events."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

WEBHOOK_MANAGE = registry.register(
    "webhooks.subscription.manage",
    gettext_lazy("Manage outgoing webhooks: addresses, events, secrets and the delivery log"),
    [R.ADMIN], scope="global")
