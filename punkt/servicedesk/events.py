"""The service desk's business events (``punkt/core/events.py``), for outgoing webhooks.

``services.py`` and ``sla.py`` call :func:`emit` in the transaction of the change; the
payload is the ticket as the API shows it (no customer's name: the receiver asks the API
with its own token when it needs more), plus what the event is about.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy

from punkt.core import events
from punkt.servicedesk.models import Ticket, TicketMessage

AREA = "servicedesk"
_TICKET = {"id": 17, "number": "ZG/2026/000017", "subject": "Router restarts",
           "status": "open", "priority": "normal", "channel": "email", "type_id": 2,
           "team": {"id": 3, "name": "Biuro obsługi Kraków"}, "branch_id": 2,
           "assignee_id": 8, "customer_id": 41, "sla_state": "ok",
           "created_at": "2026-12-01T09:30:00+00:00",
           "first_response_due": "2026-12-01T13:30:00+00:00",
           "resolve_due": "2026-12-08T09:30:00+00:00",
           "url": "https://punkt.example.pl/servicedesk/tickets/17/"}
_MESSAGE = {"id": 90, "body": "Dzień dobry, …", "from": "customer",
            "author": "Jan Kowalski", "created_at": "2026-12-01T10:02:00+00:00"}

events.register("ticket.created", gettext_lazy("a ticket was opened"), area=AREA,
                example={"ticket": {**_TICKET, "status": "new"}, "message": _MESSAGE})
events.register("ticket.status_changed", gettext_lazy("a ticket moved to another status"),
                area=AREA, example={"ticket": _TICKET, "from": "new", "to": "open"})
events.register("ticket.assigned", gettext_lazy("a ticket was given to someone else"),
                area=AREA, example={"ticket": _TICKET, "previous_assignee_id": None})
events.register("ticket.transferred",
                gettext_lazy("a ticket was transferred to another team"), area=AREA,
                example={"ticket": _TICKET, "from_team": {"id": 3, "name": "Biuro obsługi"},
                         "to_team": {"id": 5, "name": "Dział techniczny"},
                         "reason": "Needs a technician"})
events.register("ticket.message_added",
                gettext_lazy("a public reply or a customer's message on a ticket"),
                area=AREA, example={"ticket": _TICKET, "message": _MESSAGE})
events.register("ticket.sla_breached", gettext_lazy("a ticket's SLA deadline passed"),
                area=AREA, example={"ticket": {**_TICKET, "sla_state": "breached"},
                                    "breached_at": "2026-12-01T13:30:00+00:00"})


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def ticket_data(ticket: Ticket) -> dict[str, Any]:
    base = str(getattr(settings, "PUNKT_PUBLIC_URL", "")).rstrip("/")
    return {"id": ticket.pk, "number": ticket.number, "subject": ticket.subject,
            "status": ticket.status, "priority": ticket.priority, "channel": ticket.channel,
            "type_id": ticket.type_id, "team": {"id": ticket.team_id,
                                                "name": ticket.team.name},
            "branch_id": ticket.branch_id, "assignee_id": ticket.assignee_id,
            "customer_id": ticket.customer_id, "sla_state": ticket.sla_state,
            "created_at": _when(ticket.created_at),
            "first_response_due": _when(ticket.first_response_due),
            "resolve_due": _when(ticket.resolve_due),
            "url": base + reverse("servicedesk:ticket_detail", args=[ticket.pk])}


def message_data(message: TicketMessage) -> dict[str, Any]:
    author = message.author.full_name if message.author_id and message.author else ""
    return {"id": message.pk, "body": message.body,
            "from": "staff" if message.author_id else "customer",
            "author": author or message.author_label, "created_at": _when(message.created_at)}


def emit(event: str, ticket: Ticket, *, message: TicketMessage | None = None,
         **extra: Any) -> None:
    """Publish ``event`` about ``ticket`` (and ``message``) in the current transaction.
    Internal notes are never published."""
    if message is not None and message.internal:
        return
    data: dict[str, Any] = {"ticket": ticket_data(ticket), **extra}
    if message is not None:
        data["message"] = message_data(message)
    events.publish(event, data, branch_id=ticket.branch_id)


class Moves:
    """``_apply``'s before and after: every status move and every change of assignee."""

    def __init__(self, ticket: Ticket) -> None:
        self.status, self.assignee_id = ticket.status, ticket.assignee_id

    def publish(self, ticket: Ticket) -> None:
        if ticket.status != self.status:
            moved: dict[str, Any] = {"from": self.status, "to": ticket.status}
            emit("ticket.status_changed", ticket, **moved)
        if ticket.assignee_id != self.assignee_id and ticket.assignee_id is not None:
            emit("ticket.assigned", ticket, previous_assignee_id=self.assignee_id)
