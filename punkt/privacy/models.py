"""The breach log (GDPR art. 33) and the record of retention purges."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from punkt.core.badges import tones
from punkt.core.scoping import PunktQuerySet


@tones(open="err", notified="ok", not_required="info", closed="")
class BreachStatus(models.TextChoices):
    OPEN = "open", _("to assess / notify")
    NOTIFIED = "notified", _("notified to UODO")
    NOT_REQUIRED = "not_required", _("notification not required")
    CLOSED = "closed", _("closed")


def notify_hours() -> int:
    """Hours from discovery to notify the supervisory authority (GDPR art. 33(1))."""
    return int(getattr(settings, "PUNKT_BREACH_NOTIFY_HOURS", 72))


class Breach(models.Model):
    """A personal data breach: what, when discovered, whom it affects, what was done, and
    whether and when UODO was told. HQ-wide (not a branch's record)."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    discovered_at = models.DateTimeField(_("discovered"))
    occurred_at = models.DateTimeField(_("occurred"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened"))
    data_categories = models.CharField(_("categories of data"), max_length=500)
    subjects_count = models.PositiveIntegerField(_("number of data subjects (approx.)"))
    records_count = models.PositiveIntegerField(_("number of records (approx.)"), null=True,
                                                blank=True)
    consequences = models.TextField(_("likely consequences"), blank=True)
    measures = models.TextField(_("measures taken or proposed"))
    status = models.CharField(_("status"), max_length=12, choices=BreachStatus.choices,
                              default=BreachStatus.OPEN)
    notify_by = models.DateTimeField(_("notify UODO by"))
    notified_at = models.DateTimeField(_("notified to UODO"), null=True, blank=True)
    authority_reference = models.CharField(_("UODO reference"), max_length=100, blank=True)
    late_reason = models.TextField(_("reasons for the delay"), blank=True)
    not_required_reason = models.TextField(_("why no notification"), blank=True)
    subjects_informed_at = models.DateTimeField(_("data subjects informed"), null=True,
                                                blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = PunktQuerySet.as_manager()

    class Meta:
        verbose_name = _("personal data breach")
        verbose_name_plural = _("personal data breaches")
        indexes = [models.Index(fields=["status", "notify_by"], name="breach_status_due")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status == BreachStatus.OPEN

    def time_left(self, now: datetime.datetime | None = None) -> datetime.timedelta:
        """Until the 72-hour deadline (negative once it has passed)."""
        return self.notify_by - (now or timezone.now())

    def clock(self, now: datetime.datetime | None = None) -> dict[str, int | bool]:
        """The time left as whole hours and minutes, and whether it has run out."""
        left = self.time_left(now)
        minutes = int(abs(left.total_seconds()) // 60)
        return {"hours": minutes // 60, "minutes": minutes % 60,
                "overdue": left.total_seconds() < 0}

    @property
    def overdue(self) -> bool:
        return self.is_open and self.time_left() < datetime.timedelta(0)

    @property
    def notified_late(self) -> bool:
        return self.notified_at is not None and self.notified_at > self.notify_by


class PurgeRun(models.Model):
    """One run of the retention purge (dry or real), with its report per category."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    actor_label = models.CharField(max_length=100, blank=True)
    #: ``[{code, label, rule, period, cutoff, count, oldest, purged}]``
    report = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("retention purge")
        verbose_name_plural = _("retention purges")

    def __str__(self) -> str:
        return f"purge {self.started_at:%Y-%m-%d %H:%M}{' (dry run)' if self.dry_run else ''}"
