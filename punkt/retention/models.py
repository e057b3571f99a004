"""Retention of contracts that end soon (R5): one case per contract, its contact attempts,
and the renewal confirmation the customer accepts on a durable medium (Consumer Rights
Act art. 20)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from punkt.core.badges import tones
from punkt.core.scoping import BranchScopedQuerySet


class Outcome(models.TextChoices):
    RENEWED = "renewed", _("agreed to renew")
    DECLINED = "declined", _("declined")
    UNREACHABLE = "unreachable", _("unreachable")
    CALLBACK = "callback", _("call back later")
    MESSAGE = "message", _("message sent")


@tones(open="", offer_sent="info", renewed="ok", declined="err")
class CaseStatus(models.TextChoices):
    OPEN = "open", _("in progress")
    OFFER_SENT = "offer_sent", _("renewal offer sent, awaiting acceptance")
    RENEWED = "renewed", _("renewed")
    DECLINED = "declined", _("declined")


#: Cases in these states leave the worklist.
CLOSED = (CaseStatus.RENEWED, CaseStatus.DECLINED)


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("phone call")
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("letter")


class RetentionCase(models.Model):
    contract = models.OneToOneField("contracts.Contract", on_delete=models.PROTECT,
                                    related_name="retention_case")
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT,
                                 related_name="retention_cases")
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices,
                              default=CaseStatus.OPEN)
    last_outcome = models.CharField(_("last outcome"), max_length=12, choices=Outcome.choices,
                                    blank=True)
    callback_on = models.DateField(_("call back on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    renewal_offer = models.OneToOneField("contracts.Offer", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(status__in=CaseStatus.values),
                                              name="retention_case_status_valid")]
        indexes = [models.Index(fields=["branch", "status"], name="retention_case_branch"),
                   # "Callbacks due": the branch's cases with a call-back date, by date.
                   models.Index(fields=["branch", "callback_on"], name="retention_case_callback",
                                condition=Q(callback_on__isnull=False))]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.status}"


class ContactAttempt(models.Model):
    case = models.ForeignKey(RetentionCase, on_delete=models.CASCADE, related_name="contacts")
    channel = models.CharField(_("channel"), max_length=6, choices=ContactChannel.choices)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    callback_on = models.DateField(_("call back on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    message = models.ForeignKey("messaging.Message", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    branch_scope = "case__branch"
    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.channel}: {self.outcome}"


class RenewalConfirmation(models.Model):
    """The renewal proposal sent after a "yes" on the phone, and the customer's acceptance
    through the link in it. Only the hash of the link's token is stored."""

    offer = models.OneToOneField("contracts.Offer", on_delete=models.PROTECT,
                                 related_name="confirmation")
    case = models.ForeignKey(RetentionCase, on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    pdf_stored = models.CharField(max_length=80, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_ip = models.GenericIPAddressField(null=True, blank=True)
    accepted_agent = models.CharField(max_length=300, blank=True)

    branch_scope = "case__branch"
    objects = BranchScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"confirmation of offer {self.offer_id}"
