"""Messages to customers (e-mail, SMS, printed letters), kept as sent: the archive of what
the customer received on a durable medium."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from punkt.core.badges import tones
from punkt.core.scoping import BranchScopedQuerySet, PunktQuerySet


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")
    #: A printed letter, posted in a window envelope: queued until the branch prints the
    #: day's letters as one batch (:class:`LetterBatch`); never sent by the worker.
    LETTER = "letter", _("letter")


class MessageKind(models.TextChoices):
    #: Needs the customer's marketing consent for the channel at send time (C14).
    MARKETING = "marketing", _("marketing")
    #: Contract and legally required notices: sent without marketing consent.
    SERVICE = "service", _("service")


@tones(queued="", sending="info", sent="ok", failed="err", skipped="warn", uncertain="warn",
       bounced="err", cancelled="")
class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    SKIPPED = "skipped", _("not sent: no consent")
    UNCERTAIN = "uncertain", _("interrupted: check before sending again")
    #: The recipient's server returned it (a delivery status notification, ``bounces.py``).
    BOUNCED = "bounced", _("returned: not delivered")
    #: Its mass mailing was cancelled before it went out.
    CANCELLED = "cancelled", pgettext_lazy("message", "cancelled")


class Message(models.Model):
    customer = models.ForeignKey("customers.Customer", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="messages")
    branch = models.ForeignKey("organization.Branch", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=6, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices)
    to = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    attachment_stored = models.CharField(max_length=80, blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MessageStatus.choices,
                              default=MessageStatus.QUEUED)
    error = models.CharField(max_length=500, blank=True)
    #: Once-only key ("eot:<contract>"): a second message with it is never created (C9).
    key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    sending_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    #: The SMS gateway's delivery report said the phone received it (``sms_reports.py``).
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    #: A letter's print run (the day's letters of a branch, printed as one PDF).
    letter_batch = models.ForeignKey("LetterBatch", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="letters")

    #: A message without a branch is seen only by company-wide roles.
    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=Channel.values),
                                   name="message_channel_valid"),
            models.CheckConstraint(condition=Q(status__in=MessageStatus.values),
                                   name="message_status_valid"),
        ]
        indexes = [models.Index(fields=["customer", "-created_at"], name="message_customer"),
                   models.Index(fields=["source_type", "source_id"], name="message_source"),
                   # a mass mailing's next batch (``mass.claim``): only its queued rows
                   models.Index(fields=["source_type", "source_id", "id"],
                                condition=Q(status="queued"), name="message_source_queued"),
                   # a delivery report names the gateway's id (``sms_reports.record``)
                   models.Index(fields=["provider_id"],
                                condition=Q(channel="sms") & ~Q(provider_id=""),
                                name="message_sms_provider")]

    def __str__(self) -> str:
        return f"{self.channel} → {self.to}: {self.subject or self.body[:40]}"


class MessageTemplate(models.Model):
    """A ready text HQ keeps for retention e-mails, SMS and letters and for notices. Placeholders
    from :data:`punkt.messaging.services.PLACEHOLDERS`; values are inserted as plain text."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(_("channel"), max_length=6, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PunktQuerySet.as_manager()

    class Meta:
        ordering = ["channel", "name"]

    def __str__(self) -> str:
        return self.name


class LetterBatch(models.Model):
    """One print run of a branch's queued letters: one PDF, every letter in it marked sent.
    ``key`` is the page's (or the API client's) once-only key: printing again with it
    gives the same batch back instead of a second run."""

    key = models.CharField(max_length=100, unique=True)
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    count = models.PositiveIntegerField(_("letters"))
    pdf_stored = models.CharField(max_length=80)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["branch", "-created_at"], name="letter_batch_branch")]

    def __str__(self) -> str:
        return f"L{self.pk:07d}"

    @property
    def number(self) -> str:
        return str(self)


class Suppression(models.Model):
    """An address that must not get mass messages any more: a hard bounce (the recipient's
    server said the mailbox does not exist, ``bounces.py``). Mailings skip it when they
    queue and when they send; an employee correcting the customer's address is the way
    back (the new address is not suppressed)."""

    channel = models.CharField(_("channel"), max_length=6, choices=Channel.choices)
    #: e-mail lower-cased; phone as stored on the customer
    address = models.CharField(_("address"), max_length=254)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PunktQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "address"],
                                               name="suppression_once")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.address}"
