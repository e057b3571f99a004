"""Team mailboxes read over IMAP, every mail taken from them (a ticket, a message on one,
ignored or refused — once: unique per mailbox and Message-ID, and per UIDVALIDITY and
UID), its attachments, and the replies sent out by e-mail."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from punkt.core import sealed
from punkt.core.badges import tones
from punkt.core.scoping import BranchScopedQuerySet


class Security(models.TextChoices):
    IMAPS = "imaps", _("IMAPS (TLS from the start)")
    STARTTLS = "starttls", _("STARTTLS")


class Mailbox(models.Model):
    """A team's address: its mail is fetched from ``folder`` after ``last_uid``."""

    team = models.ForeignKey("servicedesk.Team", verbose_name=_("team"),
                             on_delete=models.PROTECT, related_name="mailboxes")
    address = models.EmailField(_("address"), unique=True)
    host = models.CharField(_("IMAP server"), max_length=200)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(_("security"), max_length=10, choices=Security.choices,
                                default=Security.IMAPS)
    username = models.CharField(_("user name"), max_length=200)
    #: sealed (``punkt.core.sealed``) whenever the row is saved; read it with ``secret()``
    password = models.CharField(_("password"), max_length=600)
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    ticket_type = models.ForeignKey("servicedesk.TicketType", verbose_name=_("ticket type"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)
    #: one poll at a time: taken by a conditional update, expires if the worker dies
    lease_until = models.DateTimeField(null=True, blank=True)
    last_poll_at = models.DateTimeField(_("last poll"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    objects = BranchScopedQuerySet.as_manager()
    branch_scope = "team__branch"

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["address"]

    def __str__(self) -> str:
        return self.address

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.password = sealed.seal(self.password)
        super().save(*args, **kwargs)

    def secret(self) -> str:
        return sealed.unseal(self.password)


@tones(ticket="info", message="ok", ignored="", refused="err")
class Outcome(models.TextChoices):
    TICKET = "ticket", _("new ticket")
    MESSAGE = "message", _("joined a ticket")
    IGNORED = "ignored", _("ignored")
    REFUSED = "refused", _("refused")


class InboundMail(models.Model):
    """One mail taken from a mailbox, written in the transaction of what it made."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="mails")
    uidvalidity = models.BigIntegerField()
    uid = models.BigIntegerField()
    #: sha256 of the normalised Message-ID (of the raw mail when it has none)
    key = models.CharField(max_length=64)
    message_id = models.CharField(max_length=300, blank=True)
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    #: the HTML part, sanitised (nh3)
    html = models.TextField(blank=True)
    size = models.PositiveIntegerField(default=0)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    ticket = models.ForeignKey("servicedesk.Ticket", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    ticket_message = models.OneToOneField("servicedesk.TicketMessage", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="inbound")
    received_at = models.DateTimeField(default=timezone.now)

    objects = BranchScopedQuerySet.as_manager()
    branch_scope = "mailbox__team__branch"

    class Meta:
        verbose_name = _("incoming e-mail")
        verbose_name_plural = _("incoming e-mails")
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "key"], name="inbound_mail_once"),
            models.UniqueConstraint(fields=["mailbox", "uidvalidity", "uid"],
                                    name="inbound_mail_uid_once"),
        ]
        indexes = [models.Index(fields=["key"], name="inbound_mail_key")]

    def __str__(self) -> str:
        return f"{self.mailbox_id}:{self.uid} {self.outcome}"


class MailAttachment(models.Model):
    mail = models.ForeignKey(InboundMail, on_delete=models.PROTECT,
                             related_name="attachments")
    name = models.CharField(max_length=200)
    stored = models.CharField(max_length=100)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    objects = BranchScopedQuerySet.as_manager()
    branch_scope = "mail__mailbox__team__branch"

    def __str__(self) -> str:
        return self.name


@tones(queued="info", sending="warn", sent="ok", failed="err")
class OutboundStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class OutboundMail(models.Model):
    """A public reply going out by e-mail; its Message-ID threads the customer's answer."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="sent")
    ticket = models.ForeignKey("servicedesk.Ticket", on_delete=models.PROTECT,
                               related_name="+")
    ticket_message = models.OneToOneField("servicedesk.TicketMessage",
                                          on_delete=models.PROTECT, related_name="outbound")
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=300)
    message_id = models.CharField(max_length=300, unique=True)
    key = models.CharField(max_length=64, db_index=True)
    in_reply_to = models.CharField(max_length=300, blank=True)
    references = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=OutboundStatus.choices,
                              default=OutboundStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = BranchScopedQuerySet.as_manager()
    branch_scope = "ticket__branch"

    def __str__(self) -> str:
        return self.message_id
