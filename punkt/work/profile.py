"""What tasks put on a customer's profile: the "New task" button and the open tasks in
the summary."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from punkt.customers.profile import Matter, register_profile_matter
from punkt.customers.timeline import register_profile_action
from punkt.organization.actors import Actor, employee_of
from punkt.work import permissions as perms
from punkt.work.models import Task, TaskStatus


@register_profile_action
def _new_task(user: Actor, customer: Any) -> tuple[Any, str] | None:
    if employee_of(user) is None:
        return None
    query = urlencode({"customer_id": customer.pk,
                       "next": reverse("customers:customer_detail", args=[customer.pk])})
    return _("New task"), f"{reverse('work:task_new')}?{query}"


@register_profile_matter
def _open_tasks(user: Actor, customer: Any) -> Iterable[Matter]:
    me = employee_of(user)
    mine = Q(assignee=me) | Q(created_by=me) if me is not None else Q(pk__in=[])
    qs = (Task.objects.visible_to(user, perms.TASK_MANAGE) | Task.objects.filter(mine))
    rows = list(qs.filter(customer=customer, status=TaskStatus.OPEN)
                .order_by("due_at", "id").values("pk", "title")[:10])
    if not rows:
        return []
    first = rows[0]
    text = first["title"] if len(rows) == 1 else ngettext(
        "%(n)d open task", "%(n)d open tasks", len(rows)) % {"n": len(rows)} + (
        "+" if len(rows) == 10 else "")
    return [Matter(_("Tasks"), text, reverse("work:task_detail", args=[first["pk"]]), "info")]
