"""What the service desk puts on a customer's profile: the "New ticket" button, the
Tickets tab, the open tickets in the summary, links from the timeline and ticket
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
    register_number_lookup,
    register_profile_matter,
    register_profile_panel,
    register_source_link,
    route,
)
from punkt.customers.timeline import register_kind, register_profile_action
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor
from punkt.servicedesk import permissions as perms
from punkt.servicedesk.models import OPEN_STATES

# Not a "contact" kind: a ticket writes several entries (opened, replies, resolved), which
# would count one conversation three times among "my recent contacts".
register_kind("ticket", _("Ticket"))


@register_profile_action
def _new_ticket(user: Actor, customer: Any) -> tuple[Any, str] | None:
    if not org_perms.can(user, perms.TICKET_CREATE.code):
        return None
    return _("New ticket"), reverse("servicedesk:ticket_new") + f"?customer_id={customer.pk}"


def _tickets(user: Actor, customer: Any) -> dict[str, Any]:
    from punkt.servicedesk import selectors

    rows = list(selectors.customer_tickets(user, customer).order_by("-id")[:TAB_ROWS + 1])
    return {"tickets": rows[:TAB_ROWS], "more": len(rows) > TAB_ROWS}


register_profile_panel("tickets", _("Tickets"), "servicedesk/profile/tickets_tab.html",
                       _tickets, perms.TICKET_VIEW.code, order=50)


@register_profile_matter
def _open_tickets(user: Actor, customer: Any) -> Iterable[Matter]:
    from punkt.servicedesk import selectors

    if not org_perms.can(user, perms.TICKET_VIEW.code):
        return []
    rows = list(selectors.customer_tickets(user, customer).filter(status__in=OPEN_STATES)
                .order_by("resolve_due", "id").values("pk", "number", "subject")[:10])
    if not rows:
        return []
    first = rows[0]
    text = f"{first['number']}: {first['subject']}" if len(rows) == 1 else ngettext(
        "%(n)d open ticket", "%(n)d open tickets", len(rows)) % {"n": len(rows)} + (
        "+" if len(rows) == 10 else "")
    return [Matter(_("Tickets"), text,
                   reverse("servicedesk:ticket_detail", args=[first["pk"]]), "info")]


register_source_link("servicedesk.ticket", route("servicedesk:ticket_detail"),
                     permission=perms.TICKET_VIEW.code)


@register_number_lookup
def _ticket_number(user: Actor, number: str) -> Found | None:
    """``ZG/2026/000123``: the ticket if the user may open it, else its customer's profile."""
    from punkt.customers import permissions as customer_perms
    from punkt.customers.models import Customer
    from punkt.servicedesk import selectors
    from punkt.servicedesk.models import Ticket

    if not number.startswith("ZG/"):
        return None
    row = selectors.tickets(user).filter(number=number).first()
    if row is not None:
        return Found(_("Ticket"), row.number,
                     reverse("servicedesk:ticket_detail", args=[row.pk]))
    customer_id = (Ticket.objects.filter(number=number, customer__isnull=False)
                   .values_list("customer_id", flat=True).first())
    if customer_id and Customer.objects.visible_to(user, customer_perms.CUSTOMER_VIEW).filter(
            pk=customer_id).exists():
        return Found(_("Ticket"), number,
                     reverse("customers:customer_detail", args=[customer_id]))
    return None
