"""What tasks put on a customer's profile: the "New task" button and the open tasks in
the summary."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from punkt.core.scoping import branch_ids_visible
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
    """The customer's open tasks the user may open (theirs, or of a branch where they
    manage tasks): one plain query, the visibility checked on the few rows found."""
    me = employee_of(user)
    allowed = branch_ids_visible(user, perms.TASK_MANAGE)
    rows = [t for t in Task.objects.filter(customer_id=customer.pk, status=TaskStatus.OPEN)
            .order_by("due_at", "id")
            .values("pk", "title", "branch_id", "assignee_id", "created_by_id")[:50]
            if allowed is None or t["branch_id"] in allowed
            or (me is not None and me.pk in (t["assignee_id"], t["created_by_id"]))][:10]
    if not rows:
        return []
    first = rows[0]
    text = first["title"] if len(rows) == 1 else ngettext(
        "%(n)d open task", "%(n)d open tasks", len(rows)) % {"n": len(rows)} + (
        "+" if len(rows) == 10 else "")
    return [Matter(_("Tasks"), text, reverse("work:task_detail", args=[first["pk"]]), "info")]
