"""What GDPR export, erasure and merge do with the customer's e-mails (C28)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from punkt.core import files
from punkt.core.processing import BASE_MEASURES, activity
from punkt.customers.gdpr import register_linked
from punkt.mailbox.models import InboundMail, MailAttachment, OutboundMail


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
                     "sender, texts and attachments"),
         measures=BASE_MEASURES)
