"""Shop windows and interiors (R10.2): display guidance issued by HQ (for all or chosen
branches) or by a branch manager (for the branch), made from an HQ material, and one
display task per branch, completed with photos and accepted or returned.

A task belongs to its branch; guidance is seen by whoever sees one of its tasks
(:meth:`GuidanceQuerySet.visible_to`), HQ every one. Photos are files under
``VAR_DIR/displays`` (``punkt/core/files.py``, C24), served only through the record they
belong to."""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from punkt.core.access import Principal
from punkt.core.badges import tones
from punkt.core.scoping import BranchScopedQuerySet, PunktQuerySet


class GuidanceQuerySet(PunktQuerySet["Guidance"]):
    def visible_to(self, user: Principal | None, permission: Any, *,
                   branch_id: int | None = None) -> Self:
        """The guidance with a task at a branch where ``user`` holds ``permission`` (HQ
        roles: every one)."""
        tasks = DisplayTask.objects.visible_to(user, permission, branch_id=branch_id)
        return self.filter(pk__in=tasks.values("guidance_id"))


class Guidance(models.Model):
    """What the window or interior should look like, with a due date: issued once, one
    :class:`DisplayTask` for each branch it is for."""

    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("issued by"))
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"))
    material = models.ForeignKey("materials.Material", on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("HQ material"))
    campaign = models.ForeignKey("campaigns.Campaign", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("campaign"))
    due_on = models.DateField(_("due date"))
    all_branches = models.BooleanField(_("all branches"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = GuidanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("display guidance")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["-created_at"], name="display_guidance_new")]

    def __str__(self) -> str:
        return self.title


@tones(todo="warn", completed="info", accepted="ok", returned="err")
class TaskStatus(models.TextChoices):
    TODO = "todo", pgettext_lazy("display task", "to do")
    COMPLETED = "completed", pgettext_lazy("display task", "completed, to check")
    ACCEPTED = "accepted", pgettext_lazy("display task", "accepted")
    RETURNED = "returned", pgettext_lazy("display task", "returned to redo")


#: States in which the branch still has to arrange the display (overdue after the due date).
OPEN_STATES = (TaskStatus.TODO, TaskStatus.RETURNED)


class DisplayTask(models.Model):
    """One branch's display of a guidance: done by the branch's staff with photos, checked
    by the manager (not the one who did it) or HQ."""

    guidance = models.ForeignKey(Guidance, on_delete=models.PROTECT, related_name="tasks")
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("branch"))
    #: the version of the HQ material in force at the branch when the task was issued
    material_version = models.ForeignKey("materials.MaterialVersion", on_delete=models.PROTECT,
                                         related_name="+", verbose_name=_("material version"))
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices,
                              default=TaskStatus.TODO)
    #: how many times it was completed (photos are kept per round)
    round = models.PositiveSmallIntegerField(default=0)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("completed by"))
    comment = models.CharField(_("comment"), max_length=1000, blank=True)
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("checked by"))
    return_reason = models.CharField(_("reason for return"), max_length=500, blank=True)
    #: the last day the branch was reminded of it being overdue (once a day, C9)
    reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("display task")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["guidance", "branch"], name="display_task_unique"),
            models.CheckConstraint(condition=Q(status__in=TaskStatus.values),
                                   name="display_task_status_valid"),
            models.CheckConstraint(condition=Q(status__in=("todo",)) | Q(round__gt=0),
                                   name="display_task_round"),
        ]
        indexes = [models.Index(fields=["branch", "status", "due_on"], name="display_task_branch"),
                   models.Index(fields=["status", "due_on"], name="display_task_due")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"WT{self.pk:06d}"

    def is_overdue(self, today: Any = None) -> bool:
        today = today or timezone.localdate()
        return self.status in OPEN_STATES and self.due_on < today


class ReferencePhoto(models.Model):
    """A photo of how it should look, uploaded with the guidance (besides the HQ
    material's own file)."""

    guidance = models.ForeignKey(Guidance, on_delete=models.CASCADE, related_name="photos")
    name = models.CharField(max_length=220)
    stored = models.CharField(max_length=80)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = PunktQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class TaskPhoto(models.Model):
    """A photo of the display as the branch arranged it: the evidence of one round."""

    task = models.ForeignKey(DisplayTask, on_delete=models.CASCADE, related_name="photos")
    round = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=220)
    stored = models.CharField(max_length=80)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = BranchScopedQuerySet.as_manager()
    branch_scope = "task__branch"

    class Meta:
        ordering = ["round", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name
