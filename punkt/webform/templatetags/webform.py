"""``{% web_origin message %}``: on the agent's ticket page, who wrote the first message of
a contact form ticket (name, e-mail, phone) and the attachment."""

from __future__ import annotations

from typing import Any

from django import template

from punkt.webform.models import WebContact

register = template.Library()


@register.inclusion_tag("webform/origin.html")
def web_origin(message: Any) -> dict[str, Any]:
    ticket_id = int(getattr(message, "ticket_id", 0) or 0)
    contact = WebContact.objects.filter(ticket_id=ticket_id).first()
    first = contact is not None and not (
        type(message).objects.filter(ticket_id=ticket_id, pk__lt=message.pk).exists())
    return {"contact": contact if first else None}
