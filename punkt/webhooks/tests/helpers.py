from __future__ import annotations

from typing import Any

from punkt.webhooks import services
from punkt.webhooks.models import Subscription

TICKET_EVENTS = ["ticket.assigned", "ticket.created", "ticket.message_added",
                 "ticket.sla_breached", "ticket.status_changed", "ticket.transferred"]


def subscribe(world: Any, url: str, *, events: list[str] | None = None,
              branch: Any = None, name: str = "CRM") -> tuple[Subscription, str]:
    return services.subscription_create(actor=world.admin, name=name, url=url,
                                        events=events or TICKET_EVENTS,
                                        branch_id=getattr(branch, "pk", None))
