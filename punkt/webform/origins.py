"""Under the first message of a contact-form ticket on the agent's page: who wrote (name,
e-mail, phone), the attachment and the way to revoke the customer's link — one query."""

from __future__ import annotations

from collections.abc import Sequence

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from punkt.core.phones import format_phone
from punkt.servicedesk import origins
from punkt.servicedesk.models import Channel, Ticket, TicketMessage
from punkt.webform.models import WebContact


def web_origins(ticket: Ticket, messages: Sequence[TicketMessage]) -> dict[int, SafeString]:
    contact = WebContact.objects.filter(ticket=ticket).first()
    if contact is None or not messages:
        return {}
    first = min(m.pk for m in messages)
    return {first: mark_safe(render_to_string(  # noqa: S308 (template-escaped)
        "webform/origin.html", {
            "contact": contact,
            "phone": format_phone(contact.phone) if contact.phone else ""}))}


origins.register(Channel.WEB, web_origins)
