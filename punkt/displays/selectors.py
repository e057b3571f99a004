"""Reads of display guidance and tasks, starting from ``visible_to``: a branch sees its
own tasks and the guidance they come from, HQ every one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.displays import permissions as perms
from punkt.displays.models import (
    OPEN_STATES,
    DisplayTask,
    Guidance,
    ReferencePhoto,
    TaskPhoto,
    TaskStatus,
)
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor

#: the task list's status filter: "open" (to do or returned), a status, "overdue", "all"
STATUS_FILTERS = ("open", *TaskStatus.values, "overdue", "all")


def guidance_list(*, user: Actor, q: str = "", branch_id: int | None = None
                  ) -> QuerySet[Guidance]:
    """The guidance the user sees, newest first, with its tasks counted by state (of the
    branches the user sees)."""
    org_perms.ensure(user, perms.DISPLAY_VIEW.code)
    qs = Guidance.objects.visible_to(user, perms.DISPLAY_VIEW, branch_id=branch_id)
    text = " ".join((q or "").split())[:100]
    if text:
        qs = qs.filter(title__icontains=text)
    seen = DisplayTask.objects.visible_to(user, perms.DISPLAY_VIEW, branch_id=branch_id)
    today = timezone.localdate()
    mine = Q(tasks__in=seen)
    return qs.select_related("branch", "material", "campaign").annotate(
        task_count=Count("tasks", filter=mine, distinct=True),
        accepted_count=Count("tasks", filter=mine & Q(tasks__status=TaskStatus.ACCEPTED),
                             distinct=True),
        to_check_count=Count("tasks", filter=mine & Q(tasks__status=TaskStatus.COMPLETED),
                             distinct=True),
        overdue_count=Count("tasks", filter=mine & Q(tasks__status__in=OPEN_STATES,
                                                     tasks__due_on__lt=today),
                            distinct=True),
    ).order_by("-created_at", "-pk")


def guidance_get(*, user: Actor, guidance_id: Any) -> Guidance:
    org_perms.ensure(user, perms.DISPLAY_VIEW.code)
    return (Guidance.objects.visible_to(user, perms.DISPLAY_VIEW)
            .select_related("branch", "material", "campaign", "created_by")
            .get_or_not_found(guidance_id, missing=_("Display guidance not found.")))


@dataclass
class Overview:
    """One guidance across the branches the user sees: which have the display accepted,
    which are waiting, returned or overdue."""

    tasks: list[Any]
    counts: dict[str, int] = field(default_factory=dict)
    overdue: int = 0

    @property
    def total(self) -> int:
        return len(self.tasks)


def overview(*, user: Actor, guidance: Guidance) -> Overview:
    today = timezone.localdate()
    tasks = list(DisplayTask.objects.visible_to(user, perms.DISPLAY_VIEW)
                 .filter(guidance=guidance)
                 .select_related("branch", "completed_by", "checked_by")
                 .annotate(photo_count=Count("photos"))
                 .order_by("branch__name", "pk"))
    counts = {s: 0 for s in TaskStatus.values}
    overdue = 0
    for t in tasks:
        counts[t.status] += 1
        t.overdue = t.is_overdue(today)  # type: ignore[attr-defined]
        overdue += t.overdue  # type: ignore[attr-defined]
    return Overview(tasks=tasks, counts=counts, overdue=overdue)


def reference_photos(guidance: Guidance) -> list[ReferencePhoto]:
    return list(guidance.photos.all())


def reference_photo(*, user: Actor, guidance_id: Any, photo_id: Any) -> ReferencePhoto:
    guidance = guidance_get(user=user, guidance_id=guidance_id)
    return ReferencePhoto.objects.filter(guidance=guidance).get_or_not_found(
        photo_id, missing=_("The file is missing."))


def task_list(*, user: Actor, status: str = "open", branch_id: int | None = None,
              guidance_id: int | None = None, q: str = "") -> QuerySet[DisplayTask]:
    org_perms.ensure(user, perms.DISPLAY_VIEW.code)
    qs = DisplayTask.objects.visible_to(user, perms.DISPLAY_VIEW, branch_id=branch_id)
    today = timezone.localdate()
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATES)
    elif status == "overdue":
        qs = qs.filter(status__in=OPEN_STATES, due_on__lt=today)
    elif status in TaskStatus.values:
        qs = qs.filter(status=status)
    if guidance_id:
        qs = qs.filter(guidance_id=guidance_id)
    text = " ".join((q or "").split())[:100]
    if text:
        qs = qs.filter(guidance__title__icontains=text)
    return qs.select_related("branch", "guidance", "completed_by").order_by("due_on", "pk")


def task_get(*, user: Actor, task_id: Any) -> DisplayTask:
    org_perms.ensure(user, perms.DISPLAY_VIEW.code)
    return (DisplayTask.objects.visible_to(user, perms.DISPLAY_VIEW)
            .select_related("branch", "guidance__material", "guidance__campaign",
                            "guidance__branch", "guidance__created_by", "material_version",
                            "completed_by", "checked_by")
            .get_or_not_found(task_id, missing=_("Display task not found.")))


def task_photos(task: DisplayTask) -> list[TaskPhoto]:
    return list(TaskPhoto.objects.filter(task=task).select_related("uploaded_by"))


def task_photo(*, user: Actor, task_id: Any, photo_id: Any) -> TaskPhoto:
    """One evidence photo, through its task: another branch's is a 404."""
    task = task_get(user=user, task_id=task_id)
    return (TaskPhoto.objects.visible_to(user, perms.DISPLAY_VIEW).filter(task=task)
            .get_or_not_found(photo_id, missing=_("The file is missing.")))


def to_do(*, user: Actor, limit: int = 6) -> list[DisplayTask]:
    """The tasks the user's branches still have to arrange, the most urgent first."""
    today = timezone.localdate()
    rows = list(DisplayTask.objects.visible_to(user, perms.DISPLAY_COMPLETE)
                .filter(status__in=OPEN_STATES).select_related("guidance", "branch")
                .order_by("due_on", "pk")[:limit])
    for t in rows:
        t.overdue = t.is_overdue(today)  # type: ignore[attr-defined]
    return rows


def to_check_count(*, user: Actor) -> int:
    return (DisplayTask.objects.visible_to(user, perms.DISPLAY_CHECK)
            .filter(status=TaskStatus.COMPLETED).count())
