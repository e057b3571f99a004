"""Under each message of an e-mail ticket: the sender, the HTML as written (sanitised with
nh3 on intake) and the attachments — one query for the whole conversation."""

from __future__ import annotations

from collections.abc import Sequence

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from punkt.mailbox.models import InboundMail
from punkt.servicedesk import origins
from punkt.servicedesk.models import Channel, Ticket, TicketMessage


def mail_origins(ticket: Ticket, messages: Sequence[TicketMessage]) -> dict[int, SafeString]:
    mails = (InboundMail.objects.filter(ticket_message_id__in=[m.pk for m in messages])
             .prefetch_related("attachments"))
    return {mail.ticket_message_id: mark_safe(render_to_string(  # noqa: S308 (template-escaped)
        "mailbox/origin.html", {
            "mail": mail,
            # sanitised by nh3 when the mail was taken (parsing.sanitise): safe to show
            "html": mark_safe(mail.html),  # noqa: S308
            "attachments": list(mail.attachments.all())}))
        for mail in mails if mail.ticket_message_id is not None}


origins.register(Channel.EMAIL, mail_origins)
