"""What complaints put on a customer's profile: the "New complaint" button, the
Complaints tab, the open complaints in the summary (the nearest deadline first), links
from the timeline and complaint numbers found by the customer search box."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from punkt.complaints import permissions as perms
from punkt.complaints.models import ComplaintStatus
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
from punkt.servicedesk.links import register_ticket_link

register_kind("complaint", _("Complaint"))


@register_profile_action
def _new_complaint(user: Actor, customer: Any) -> tuple[Any, str] | None:
    if not org_perms.can(user, perms.COMPLAINT_CREATE.code):
        return None
    return (_("New complaint"),
            reverse("complaints:complaint_new") + f"?customer_id={customer.pk}")


def _complaints(user: Actor, customer: Any) -> dict[str, Any]:
    from punkt.complaints import selectors

    rows = list(selectors.customer_complaints(user, customer).order_by("-id")[:TAB_ROWS + 1])
    return {"complaints": rows[:TAB_ROWS], "more": len(rows) > TAB_ROWS}


register_profile_panel("complaints", _("Complaints"), "complaints/profile/tab.html",
                       _complaints, perms.COMPLAINT_VIEW.code, order=55)


@register_profile_matter
def _open_complaints(user: Actor, customer: Any) -> Iterable[Matter]:
    from punkt.complaints import selectors

    if not org_perms.can(user, perms.COMPLAINT_VIEW.code):
        return []
    rows = list(selectors.customer_complaints(user, customer)
                .exclude(status=ComplaintStatus.CLOSED).order_by("deadline", "id")
                .values("pk", "number", "deadline", "deemed_accepted")[:10])
    if not rows:
        return []
    first = rows[0]
    text = (f"{first['number']}: " + str(_("answer due %(day)s")) % {
        "day": f"{first['deadline']:%d.%m.%Y}"} if len(rows) == 1 else ngettext(
        "%(n)d open complaint", "%(n)d open complaints", len(rows)) % {"n": len(rows)})
    tone = "err" if any(r["deemed_accepted"] for r in rows) else "warn"
    return [Matter(_("Complaints"), text,
                   reverse("complaints:complaint_detail", args=[first["pk"]]), tone)]


register_source_link("complaints.complaint", route("complaints:complaint_detail"),
                     permission=perms.COMPLAINT_VIEW.code)


@register_number_lookup
def _complaint_number(user: Actor, number: str) -> Found | None:
    """``RK/2026/000123``: the complaint if the user may open it."""
    from punkt.complaints import selectors

    if not number.startswith("RK/"):
        return None
    row = selectors.complaints(user).filter(number=number).first()
    if row is None:
        return None
    return Found(_("Complaint"), row.number,
                 reverse("complaints:complaint_detail", args=[row.pk]))


@register_ticket_link
def _ticket_complaint(user: Actor, ticket: Any) -> tuple[Any, str, str] | None:
    """On the ticket page: its complaint, or the button turning the ticket into one."""
    from punkt.complaints import selectors

    if not org_perms.can(user, perms.COMPLAINT_VIEW.code):
        return None
    row = selectors.ticket_complaint(user, ticket.pk)
    if row is not None:
        return (_("Complaint %(number)s") % {"number": row.number},
                reverse("complaints:complaint_detail", args=[row.pk]), "ticket-complaint")
    if not org_perms.can(user, perms.COMPLAINT_CREATE.code):
        return None
    return (_("Turn into a complaint"),
            reverse("complaints:complaint_new") + f"?ticket_id={ticket.pk}",
            "ticket-to-complaint")
