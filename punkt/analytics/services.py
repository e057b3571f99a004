"""What a refresh does beyond its figures: an A customer who dropped to C becomes a task
for the customer's owner — once per customer and month (C9), however often it runs."""

from __future__ import annotations

import datetime
import logging

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from punkt.analytics.models import ClassDrop, Snapshot, Standing
from punkt.core.roles import Role
from punkt.organization.models import Employee, Membership
from punkt.work.models import Task
from punkt.work.services import notify

logger = logging.getLogger("punkt.analytics")

#: days the owner has to call the customer who dropped from A to C
TASK_DAYS = 7


def owners(customer_id: int, branch_id: int, created_by_id: int | None) -> list[Employee]:
    """Who looks after the customer: the employee who registered them while they still
    work in the customer's branch, else the branch's managers."""
    if created_by_id and Membership.objects.filter(
            employee_id=created_by_id, branch_id=branch_id, is_active=True,
            employee__is_active=True).exists():
        return list(Employee.objects.filter(pk=created_by_id))
    return list(Employee.objects.filter(
        is_active=True, memberships__branch_id=branch_id, memberships__role=Role.MANAGER,
        memberships__is_active=True).distinct().order_by("pk"))


def give_class_drop_tasks(snap: Snapshot) -> int:
    """A task (and a bell notification) for each customer who was A in the previous
    month's snapshot and is C in ``snap``. Returns how many were given."""
    given = 0
    drops = (Standing.objects.filter(snapshot=snap, prev_abc="A", abc="C")
             .select_related("customer").order_by("pk"))
    for row in drops.iterator(chunk_size=500):
        customer = row.customer
        for owner in owners(customer.pk, row.branch_id, customer.created_by_id)[:1]:
            try:
                with transaction.atomic(), translation.override(owner.language or "pl"):
                    drop = ClassDrop.objects.create(customer=customer, branch_id=row.branch_id,
                                                    month=snap.month)
                    task = Task.objects.create(
                        branch_id=row.branch_id, assignee=owner, title=(
                            _("Customer %(name)s dropped from class A to C: call them")
                            % {"name": customer.display_name})[:200],
                        notes=_("Class A in the previous month, C as of %(month)s (customer "
                                "analytics): their purchases fell.") % {
                            "month": snap.month_label},
                        customer=customer,
                        due_at=timezone.now() + datetime.timedelta(days=TASK_DAYS))
                    drop.task = task
                    drop.save(update_fields=["task"])
                    name = customer.display_name
                    notify(recipient=owner, kind="analytics.class_drop",
                           title=lambda name=name: _(  # type: ignore[misc]
                               "Customer %(name)s dropped from class A to C") % {"name": name},
                           url=reverse("work:task_detail", args=[task.pk]),
                           key=f"analytics.drop:{customer.pk}:{snap.month}")
                    given += 1
            except IntegrityError:
                continue  # given before for this month (C9)
    return given
