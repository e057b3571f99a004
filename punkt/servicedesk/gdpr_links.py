"""What GDPR export, erasure and merge do with tickets and their messages (C28)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from punkt.core.processing import BASE_MEASURES, activity
from punkt.customers.gdpr import register_linked
from punkt.servicedesk.models import Ticket, TicketDecision, TicketMessage


def _scrub_tickets(qs: Any) -> None:
    """The ticket stays (the team's workload and SLA figures) without what it said."""
    qs.update(subject="—", weighty_reason="")


def _scrub_messages(qs: Any) -> None:
    """Messages are append-only; erasure may only empty their texts."""
    TicketMessage.objects.filter(pk__in=qs.values("pk")).exclude(
        body="", author_label="").update(body="", author_label="")


def _scrub_decisions(qs: Any) -> None:
    """A weighty matter's proposal and the manager's comment quote the customer."""
    TicketDecision.objects.filter(pk__in=qs.values("pk")).exclude(
        proposal="", comment="").update(proposal="", comment="")


register_linked(Ticket, erase=_scrub_tickets,
                keep_reason="the service office's work record and SLA figures (text removed)")
register_linked(TicketMessage, field="ticket__customer", erase=_scrub_messages,
                keep_reason="the conversation's record of who answered when (text removed)",
                move_on_merge=False)
register_linked(TicketDecision, field="ticket__customer", erase=_scrub_decisions,
                keep_reason="who proposed and who decided a weighty matter, when (text "
                            "removed)", move_on_merge=False)

activity("servicedesk.tickets",
         name=_("Customer service tickets"),
         purpose=_("Handling customers' questions, requests and faults reported at the "
                   "counter or by phone; keeping the service deadlines (SLA)"),
         legal_basis=_("GDPR art. 6(1)(b) and (f)"),
         subjects=_("Customers; callers; employees"),
         data=_("The customer, the matter reported, the conversation with the customer, "
                "internal notes, who handled it and when"),
         recipients=_("Employees of the branch and of the teams the ticket is routed to, HQ"),
         retention=_("As long as the customer's record; tickets of an erased customer lose "
                     "their texts"),
         measures=BASE_MEASURES)
