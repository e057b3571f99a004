"""Subscriptions of other systems to our events, and the outbox of their deliveries.

A ``Delivery`` is written in the transaction of the change that published the event
(``punkt/core/events.py``), so it exists if and only if the change committed; a worker
sends it later, holding a lease (``lease_until``, ``claim``) so that one worker at a time
sends it and a dead worker's delivery is tried again when the lease runs out."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from punkt.core.badges import tones
from punkt.core.scoping import PunktQuerySet


class Subscription(models.Model):
    """Another system's address that hears of the chosen events (of one branch, or all)."""

    name = models.CharField(_("name"), max_length=100)
    url = models.CharField(_("address (URL)"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    #: only the events of this branch (None: of every branch)
    only_branch = models.ForeignKey("organization.Branch", verbose_name=_("branch"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    #: the signing secret (``whsec_…``), shown once when made or rotated
    secret = models.CharField(max_length=100)
    #: the secret before the last rotation, still signing until ``previous_secret_until``
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(_("switched off"), null=True, blank=True)
    disabled_reason = models.CharField(_("why it was switched off"), max_length=300,
                                       blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)

    objects = PunktQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


@tones(pending="info", delivered="ok", failed="err")
class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class Delivery(models.Model):
    """One event for one subscription: the JSON body as it goes out (the same on every
    attempt), its state and its last attempt."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE,
                                     related_name="deliveries")
    event = models.CharField(_("event"), max_length=60)
    #: the receiver's idempotency key (``Punkt-Delivery``): the same on every attempt
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    body = models.TextField()
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    #: every attempt so far (the log); ``step``: failures since the last "send again"
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    step = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True,
                                                        blank=True)
    last_duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    last_error = models.CharField(_("error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = PunktQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["next_attempt_at"], name="webhook_delivery_due",
                         condition=Q(status="pending")),
            models.Index(fields=["subscription", "-id"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.uuid}"
