"""The "New offer" button on a customer's profile."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from punkt.contracts import permissions as perms
from punkt.customers.timeline import register_profile_action
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor


@register_profile_action
def _new_offer(user: Actor, customer: Any) -> tuple[Any, str] | None:
    if not org_perms.can(user, perms.OFFER_CREATE.code, customer.branch_id):
        return None
    return _("New offer"), reverse("contracts:offer_create", args=[customer.pk])
