"""The public contact form: who wrote a ticket through it (kept here, not on the ticket,
so erasure can empty it), the follow link's per-ticket secret (emptied to revoke every
link sent) and the e-mails sent to the sender (the receipt, a note of each public reply),
each once and tried again until it goes."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from punkt.core.badges import tones
from punkt.core.scoping import BranchScopedQuerySet


class WebContact(models.Model):
    """The sender of a ticket opened through the form."""

    ticket = models.OneToOneField("servicedesk.Ticket", on_delete=models.PROTECT,
                                  related_name="web_contact")
    name = models.CharField(_("name"), max_length=100, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    #: part of every follow link; emptied (erasure) or replaced (revocation) kills them
    secret = models.CharField(max_length=32, blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_stored = models.CharField(max_length=100, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    attachment_size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects = BranchScopedQuerySet.as_manager()
    branch_scope = "ticket__branch"

    class Meta:
        verbose_name = _("contact form sender")
        verbose_name_plural = _("contact form senders")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.email}"


class MailKind(models.TextChoices):
    RECEIPT = "receipt", pgettext_lazy("web form mail", "receipt")
    REPLY = "reply", _("reply notice")


@tones(queued="info", sending="warn", sent="ok", failed="err")
class MailStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class WebMail(models.Model):
    """An e-mail to the sender: the receipt of the first message or the note of a public
    reply — one per (kind, message); the address is read from the contact when sent."""

    contact = models.ForeignKey(WebContact, on_delete=models.PROTECT, related_name="mails")
    kind = models.CharField(max_length=10, choices=MailKind.choices)
    ticket_message = models.ForeignKey("servicedesk.TicketMessage", on_delete=models.PROTECT,
                                       related_name="+")
    status = models.CharField(max_length=10, choices=MailStatus.choices,
                              default=MailStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = BranchScopedQuerySet.as_manager()
    branch_scope = "contact__ticket__branch"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "ticket_message"],
                                               name="webmail_once")]
        indexes = [models.Index(fields=["status", "created_at"], name="webmail_status")]

    def __str__(self) -> str:
        return f"{self.kind} {self.ticket_message_id} {self.status}"
