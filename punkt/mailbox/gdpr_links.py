"""What GDPR export, erasure and merge do with the customer's e-mails (C28)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from punkt.core import files
from punkt.core.processing import BASE_MEASURES, activity, midnight, retention_category
from punkt.customers.gdpr import AddressEraser, register_address_eraser, register_linked
from punkt.mailbox.models import InboundMail, MailAttachment, OutboundMail
from punkt.servicedesk.gdpr_links import (
    WITHOUT_CUSTOMER,
    WITHOUT_CUSTOMER_RULE,
    erase_sender_texts,
    without_customer,
)


def _scrub_inbound(qs: Any) -> None:
    """The row stays (it keeps the mail from being taken twice) without who wrote what."""
    InboundMail.objects.filter(pk__in=qs.values("pk")).update(
        message_id="", from_address="", from_name="", subject="", html="", reason="")


def _scrub_outbound(qs: Any) -> None:
    OutboundMail.objects.filter(pk__in=qs.values("pk")).update(
        to="", subject="", in_reply_to="", references="", error="")


def _delete_attachments(qs: Any) -> None:
    rows = list(MailAttachment.objects.filter(pk__in=qs.values("pk")))
    for row in rows:
        files.path_of(row.stored, area="mailbox").unlink(missing_ok=True)
    MailAttachment.objects.filter(pk__in=[r.pk for r in rows]).delete()


register_linked(InboundMail, field="ticket__customer", erase=_scrub_inbound,
                keep_reason="the record that the e-mail was taken once (sender removed)",
                move_on_merge=False, export_exclude=("key",))
register_linked(OutboundMail, field="ticket__customer", erase=_scrub_outbound,
                keep_reason="the record of the reply sent (address removed)",
                move_on_merge=False, export_exclude=("key",))
register_linked(MailAttachment, field="mail__ticket__customer", erase=_delete_attachments,
                move_on_merge=False)

activity("mailbox.mail",
         name=_("E-mail to the service desk"),
         purpose=_("Turning customers' e-mails into tickets and answering them by e-mail"),
         legal_basis=_("GDPR art. 6(1)(b) and (f)"),
         subjects=_("Customers; anyone who writes to a team's address"),
         data=_("The sender's address and name, the e-mail's subject, text and attachments, "
                "the replies sent"),
         recipients=_("Employees of the team the mailbox belongs to, HQ"),
         retention=_("As long as the ticket; e-mails of an erased customer lose their "
                     "sender, texts and attachments; so do e-mails of people without a "
                     "customer record 3 years after their ticket's resolution (or their "
                     "arrival, when they opened none)"),
         measures=BASE_MEASURES)


def _old_mails_without_customer(cutoff: datetime.date) -> Any:
    return InboundMail.objects.filter(
        Q(ticket__isnull=True, received_at__lt=midnight(cutoff))
        | Q(ticket__in=without_customer(cutoff))).exclude(
        message_id="", from_address="", from_name="", subject="", html="", reason="")


def _purge_mails(ids: list[Any]) -> int:
    mails = InboundMail.objects.filter(pk__in=ids)
    _delete_attachments(MailAttachment.objects.filter(mail__in=mails))
    _scrub_outbound(OutboundMail.objects.filter(
        ticket_id__in=mails.exclude(ticket__isnull=True).values("ticket_id")).exclude(to=""))
    _scrub_inbound(mails)
    return len(ids)


retention_category(
    "mailbox.mail_without_customer",
    label=_("E-mails of people without a customer record: sender, texts, attachments"),
    rule=WITHOUT_CUSTOMER_RULE, default=WITHOUT_CUSTOMER,
    expired=_old_mails_without_customer, date_field="received_at", purge=_purge_mails,
    action=_("sender, subject, text and attachments removed, the replies' addresses too; "
             "the record that each e-mail was taken once kept"))



def _mails_from(address: str) -> Any:
    return InboundMail.objects.filter(from_address__iexact=address).filter(
        Q(ticket__isnull=True) | Q(ticket__customer__isnull=True))


def _erase_sender(address: str) -> int:
    ids = list(_mails_from(address).values_list("pk", flat=True))
    mails = InboundMail.objects.filter(pk__in=ids)
    tickets = [t for t in mails.values_list("ticket_id", flat=True) if t is not None]
    erase_sender_texts(tickets)
    _scrub_outbound(OutboundMail.objects.filter(ticket_id__in=tickets, to__iexact=address))
    _delete_attachments(MailAttachment.objects.filter(mail__in=mails))
    _scrub_inbound(mails)
    return len(ids)


register_address_eraser("mailbox", AddressEraser(
    label=_("E-mail: the sender, the e-mails' texts and attachments, the replies' address"),
    count=lambda address: _mails_from(address).count(), erase=_erase_sender,
    names=lambda address: [n for n in _mails_from(address).values_list("from_name", flat=True)
                           if n]))
