"""Menu entries of the counter, and "Sell" on a customer's page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from punkt.core.navigation import NavItem, nav
from punkt.customers.models import Customer
from punkt.customers.timeline import register_profile_action
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor
from punkt.sales import permissions as perms

nav(NavItem(_("Counter"), "sales:counter", perms.SALE_CREATE.code, order=38,
            active_pattern=r"^/sales/counter/"))
nav(NavItem(_("Sales"), "sales:sale_list", perms.SALE_VIEW.code, group="store", order=39,
            active_pattern=r"^/sales/(?!counter/|report/)"))
nav(NavItem(_("Sales report"), "sales:report", perms.SALE_REPORT.code, group="reports",
            order=78, active_pattern=r"^/sales/report/"))


@register_profile_action
def _sell(user: Actor, customer: Customer) -> tuple[Any, str] | None:
    if not org_perms.can(user, perms.SALE_CREATE.code, customer.branch_id):
        return None
    return _("Sell"), (reverse("sales:counter")
                       + f"?branch={customer.branch_id}&customer={customer.pk}")
