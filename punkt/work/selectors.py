"""Reads of tasks and notifications, and the sections of "my work"."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.core.errors import NotFound
from punkt.organization.actors import Actor, employee_of
from punkt.work import permissions as perms
from punkt.work.models import Notification, Task, TaskStatus, WorkPreference

#: how many rows each section of "my work" shows before "all …"
SECTION_ROWS = 10


@dataclass(frozen=True)
class Section:
    """A block of "my work": ``build(user, today)`` returns its template context or None to
    leave it out (nothing to do, no right). Areas add theirs (tickets, callbacks…)."""

    key: str
    title: Any
    template: str
    build: Callable[[Actor, datetime.date], dict[str, Any] | None]
    order: int = 100


SECTIONS: list[Section] = []


def register_section(section: Section) -> None:
    SECTIONS[:] = sorted([s for s in SECTIONS if s.key != section.key] + [section],
                         key=lambda s: s.order)


def my_tasks(user: Actor, *, status: str = TaskStatus.OPEN) -> QuerySet[Task]:
    me = employee_of(user)
    if me is None:
        return Task.objects.none()
    return (Task.objects.filter(assignee=me, status=status)
            .select_related("customer", "created_by"))


def task_get(*, user: Actor, task_id: int) -> Task:
    """A task the user may open: theirs (assignee or giver) or of a branch they manage."""
    me = employee_of(user)
    mine = Q(assignee=me) | Q(created_by=me) if me is not None else Q(pk__in=[])
    qs = Task.objects.visible_to(user, perms.TASK_MANAGE) | Task.objects.filter(mine)
    return (qs.select_related("assignee", "created_by", "customer", "branch")
            .get_or_not_found(task_id, missing=_("Task not found.")))


def branch_tasks(*, user: Actor, branch_id: int | None = None, status: str = "open",
                 assignee_id: int | None = None) -> QuerySet[Task]:
    qs = Task.objects.visible_to(user, perms.TASK_MANAGE, branch_id=branch_id)
    if status in TaskStatus.values:
        qs = qs.filter(status=status)
    if assignee_id:
        qs = qs.filter(assignee_id=assignee_id)
    return qs.select_related("assignee", "customer", "branch")


def end_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight after ``day``, Warsaw time: tasks due before it are due that day."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1),
                                                         datetime.time()))


def tasks_by_day(user: Actor, today: datetime.date) -> dict[str, list[Task]]:
    """The user's open tasks: overdue, due today, later (and without a deadline)."""
    now = timezone.now()
    end_of_today = end_of_day(today)
    rows = list(my_tasks(user).order_by("due_at", "id")[:200])
    return {
        "overdue": [t for t in rows if t.due_at is not None and t.due_at < now],
        "today": [t for t in rows if t.due_at is not None and now <= t.due_at < end_of_today],
        "later": [t for t in rows if t.due_at is None or t.due_at >= end_of_today],
    }


def unread_count(user: Actor) -> int:
    me = employee_of(user)
    if me is None:
        return 0
    return Notification.objects.filter(recipient=me, read_at__isnull=True).count()


def notifications(user: Actor) -> QuerySet[Notification]:
    me = employee_of(user)
    if me is None:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=me)


def wants_digest(user: Actor) -> bool:
    me = employee_of(user)
    return me is not None and WorkPreference.objects.filter(employee=me,
                                                            daily_digest=True).exists()


def notification_of(user: Actor, notification_id: int) -> Notification:
    me = employee_of(user)
    if me is None:
        raise NotFound(_("Notification not found."))
    return Notification.objects.filter(recipient=me).get_or_not_found(notification_id)
