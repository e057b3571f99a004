"""Tasks (anything someone must do by a date, linked to the record it is about) and
in-app notifications (the bell)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from punkt.core.badges import tones
from punkt.core.scoping import BranchScopedQuerySet, PunktQuerySet


@tones(open="info", done="ok", cancelled="")
class TaskStatus(models.TextChoices):
    OPEN = "open", _("to do")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class Task(models.Model):
    """Something an employee must do, by a deadline, about a record (a customer, a
    contract, a ticket…: ``subject_type``/``subject_id`` as the timeline stores sources)."""

    branch = models.ForeignKey("organization.Branch", verbose_name=_("branch"),
                               on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"),
                                 on_delete=models.PROTECT, related_name="tasks")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("given by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    title = models.CharField(_("task"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    subject_type = models.CharField(max_length=60, blank=True)
    subject_id = models.CharField(max_length=40, blank=True)
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices,
                              default=TaskStatus.OPEN)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="task_progress_0_100"),
        ]
        indexes = [
            models.Index(fields=["assignee", "due_at"], name="task_open_by_assignee",
                         condition=Q(status="open")),
            models.Index(fields=["branch", "due_at"], name="task_open_by_branch",
                         condition=Q(status="open")),
            models.Index(fields=["remind_at"], name="task_reminder_due",
                         condition=Q(status="open", reminded_at__isnull=True,
                                     remind_at__isnull=False)),
            models.Index(fields=["customer"], name="task_customer",
                         condition=Q(customer__isnull=False)),
            models.Index(fields=["subject_type", "subject_id"], name="task_subject",
                         condition=~Q(subject_type="")),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN

    def is_overdue(self) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < timezone.now()


class Notification(models.Model):
    """One line in an employee's bell: what happened, where to look, when it was read."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(max_length=40)
    title = models.CharField(_("notification"), max_length=300)
    url = models.CharField(max_length=500, blank=True)
    #: one notification per key: a job that runs twice does not notify twice (C13)
    key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = PunktQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once",
                                    condition=~Q(key="")),
        ]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_recent"),
            models.Index(fields=["recipient"], name="notification_unread",
                         condition=Q(read_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.title


class WorkPreference(models.Model):
    """An employee's choice of the daily e-mail summary of their work."""

    employee = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True,
                                    on_delete=models.CASCADE, related_name="work_preference")
    daily_digest = models.BooleanField(_("daily e-mail summary"), default=False)

    class Meta:
        verbose_name = _("work preference")
        verbose_name_plural = _("work preferences")

    def __str__(self) -> str:
        return f"{self.employee_id}: digest={self.daily_digest}"


class DigestSent(models.Model):
    """The day's summary claimed for an employee before it is sent: at most once a day,
    even when the job runs twice or the worker dies mid-send (C13)."""

    employee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["employee", "day"], name="digest_once")]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.day}"
