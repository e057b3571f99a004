"""``{% mail_origin message %}``: where a ticket's message came from when it came by
e-mail — the sender, the HTML (sanitised with nh3 on intake) and the attachments."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import mark_safe

from punkt.mailbox.models import InboundMail

register = template.Library()


@register.inclusion_tag("mailbox/origin.html")
def mail_origin(message: Any) -> dict[str, Any]:
    mail = (InboundMail.objects.filter(ticket_message_id=getattr(message, "pk", None))
            .prefetch_related("attachments").first())
    if mail is None:
        return {"mail": None}
    # sanitised by nh3 when the mail was taken (parsing.sanitise): safe to show
    return {"mail": mail, "html": mark_safe(mail.html),  # noqa: S308
            "attachments": list(mail.attachments.all())}
