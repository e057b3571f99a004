"""``{% web_origin message %}``: on the agent's ticket page, who wrote the first message of
a contact form ticket (name, e-mail, phone) and the attachment."""

from __future__ import annotations

from typing import Any

from django import template

from punkt.webform.models import WebContact

register = template.Library()


@register.inclusion_tag("webform/origin.html", takes_context=True)
def web_origin(context: Any, message: Any) -> dict[str, Any]:
    ticket_id = int(getattr(message, "ticket_id", 0) or 0)
    contact = WebContact.objects.filter(ticket_id=ticket_id).first()
    first = contact is not None and not (
        type(message).objects.filter(ticket_id=ticket_id, pk__lt=message.pk).exists())
    if not first or contact is None:
        return {"contact": None}
    from punkt.core.phones import format_phone
    from punkt.servicedesk.services import may_handle

    user = context.get("user")
    return {"contact": contact, "phone": format_phone(contact.phone) if contact.phone else "",
            "csrf_token": context.get("csrf_token"),
            "may_revoke": bool(contact.secret) and user is not None
            and may_handle(contact.ticket, user)}
