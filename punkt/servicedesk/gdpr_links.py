"""What GDPR export, erasure and merge do with tickets and their messages (C28)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from punkt.core.processing import (
    BASE_MEASURES,
    FROM_YEAR_END,
    Period,
    activity,
    midnight,
    retention_category,
)
from punkt.customers.gdpr import register_linked
from punkt.servicedesk.models import DONE_STATES, Ticket, TicketDecision, TicketMessage

#: tickets of people with no customer record: kept while a claim could still be brought
WITHOUT_CUSTOMER = Period(years=3, counted_from=FROM_YEAR_END)
WITHOUT_CUSTOMER_RULE = _("3 years from the end of the year the ticket ended: claims "
                          "connected with running a business (Civil Code art. 118)")


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
                     "their texts; tickets of people without a customer record lose them 3 "
                     "years after their resolution"),
         measures=BASE_MEASURES)


def without_customer(cutoff: datetime.date) -> QuerySet[Ticket]:
    """Tickets of people with no customer record (a web form's or an e-mail's sender, a
    caller) that ended before ``cutoff`` — resolved, or closed without a resolution (a
    duplicate merged away): the channels purge their senders' details with them (mailbox,
    web form, chat). ``ended`` is the moment counted from."""
    return (Ticket.objects.filter(customer__isnull=True, status__in=DONE_STATES)
            .annotate(ended=Coalesce("resolved_at", "closed_at"))
            .filter(ended__lt=midnight(cutoff)))


def _purge_tickets(ids: list[Any]) -> int:
    _scrub_messages(TicketMessage.objects.filter(ticket_id__in=ids))
    _scrub_decisions(TicketDecision.objects.filter(ticket_id__in=ids))
    _scrub_tickets(Ticket.objects.filter(pk__in=ids))
    return len(ids)


retention_category(
    "servicedesk.tickets_without_customer",
    label=_("Tickets of people without a customer record: subject and texts"),
    rule=WITHOUT_CUSTOMER_RULE, default=WITHOUT_CUSTOMER,
    expired=lambda cutoff: without_customer(cutoff).exclude(subject="—"),
    date_field="ended", purge=_purge_tickets,
    action=_("subject, messages and decisions emptied; who handled it when, and the SLA "
             "figures, kept"))


def erase_sender_texts(ticket_ids: list[Any]) -> list[int]:
    """A person without a customer record erased by e-mail address (``sender_erase``): the
    tickets they opened lose what the retention purge takes (subject, every message — the
    replies quote them — decisions, the reason it was weighty), and so do the tickets
    split from them (the split copies a message); returns the tickets so emptied."""
    ids = set(Ticket.objects.filter(pk__in=ticket_ids, customer__isnull=True)
              .values_list("pk", flat=True))
    ids |= set(Ticket.objects.filter(split_from__in=ids, customer__isnull=True)
               .values_list("pk", flat=True))
    _purge_tickets(sorted(ids))
    return sorted(ids)
