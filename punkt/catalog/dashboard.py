"""Menu entry of the catalogue and the "product help" action on a customer's page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from punkt.catalog import permissions as perms
from punkt.core.navigation import NavItem, nav
from punkt.customers.models import Customer
from punkt.customers.timeline import register_profile_action
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor

nav(NavItem(_("Catalogue"), "catalog:product_list", perms.PRODUCT_VIEW.code,
            group="store", order=40))


@register_profile_action
def _help(user: Actor, customer: Customer) -> tuple[Any, str] | None:
    if not org_perms.can(user, perms.HELP_RECORD.code, customer.branch_id):
        return None
    return _("Product help"), reverse("catalog:help_record", args=[customer.pk])
