"""What the pipeline puts on a customer's profile: the "New opportunity" button, the
Sales opportunities tab, the open sale in the summary (its stage) — or, between sales,
the next contact agreed (R11.5) — links from the timeline and the tasks, and opportunity
numbers found by the customer search box."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from punkt.customers.profile import (
    TAB_ROWS,
    Found,
    Matter,
    api_route,
    register_number_lookup,
    register_profile_matter,
    register_profile_panel,
    register_source_link,
    route,
)
from punkt.customers.timeline import register_kind, register_profile_action
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor
from punkt.pipeline import permissions as perms

register_kind("opportunity", _("Sales opportunity"))


@register_profile_action
def _new_opportunity(user: Actor, customer: Any) -> tuple[Any, str] | None:
    if not org_perms.can(user, perms.OPPORTUNITY_EDIT.code):
        return None
    return (_("New opportunity"),
            reverse("pipeline:opportunity_new") + f"?customer_id={customer.pk}")


def _opportunities(user: Actor, customer: Any) -> dict[str, Any]:
    from punkt.pipeline import selectors

    rows = list(selectors.customer_opportunities(user, customer).order_by("-id")
                [:TAB_ROWS + 1])
    return {"opportunities": rows[:TAB_ROWS], "more": len(rows) > TAB_ROWS}


register_profile_panel("opportunities", _("Sales opportunities"),
                       "pipeline/profile/tab.html", _opportunities, perms.OPPORTUNITY_VIEW.code,
                       order=45)


@register_profile_matter
def _open_sales(user: Actor, customer: Any) -> Iterable[Matter]:
    from punkt.pipeline import selectors

    if not org_perms.can(user, perms.OPPORTUNITY_VIEW.code):
        return []
    rows = list(selectors.customer_opportunities(user, customer).filter(status="open")
                .order_by("-id").values("pk", "number", "stage__name")[:10])
    if not rows:
        return []
    first = rows[0]
    text = (f"{first['number']}: {first['stage__name']}" if len(rows) == 1 else ngettext(
        "%(n)d open sale", "%(n)d open sales", len(rows)) % {"n": len(rows)})
    return [Matter(_("Sales opportunities"), text,
                   reverse("pipeline:opportunity_detail", args=[first["pk"]]), "info")]


register_source_link("pipeline.opportunity", route("pipeline:opportunity_detail"),
                     permission=perms.OPPORTUNITY_VIEW.code,
                     api=api_route("opportunity_get"))


@register_number_lookup
def _opportunity_number(user: Actor, number: str) -> Found | None:
    """``SZ/2026/000123``: the opportunity if the user may open it."""
    from punkt.pipeline import selectors

    if not number.startswith("SZ/"):
        return None
    row = selectors.opportunities(user).filter(number=number).first()
    if row is None:
        return None
    return Found(_("Sales opportunity"), row.number,
                 reverse("pipeline:opportunity_detail", args=[row.pk]))
