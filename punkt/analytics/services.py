"""What a refresh does beyond its figures: an A customer who dropped to C becomes a task
for the customer's owner — once per customer and month (C9), however often it runs."""

from __future__ import annotations

import datetime
import logging

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from punkt.analytics.models import ClassDrop, Snapshot, SnapshotStatus, Standing
from punkt.core.roles import Role
from punkt.organization.actors import Actor
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


#: a refresh asked for on the page claims this stretch of time: a second request in it
#: (a double click, two HQ experts at once) is told the first one's time (C9)
REQUEST_EVERY = datetime.timedelta(minutes=10)
MANUAL_JOB = "analytics.refresh.manual"


def refresh_request(*, actor: Actor, now: datetime.datetime | None = None) -> datetime.datetime:
    """Queue an analytics refresh now (HQ, ``analytics.refresh.run``): once per
    :data:`REQUEST_EVERY`, never while one runs. Returns the moment it was asked for."""
    from punkt.analytics import permissions as perms
    from punkt.analytics.tasks import refresh_analytics
    from punkt.core.audit import audit_record
    from punkt.core.errors import Conflict
    from punkt.core.models import ScheduledRun
    from punkt.organization import permissions as org_perms

    org_perms.ensure(actor, perms.REFRESH_RUN.code)
    running = Snapshot.objects.filter(status=SnapshotStatus.RUNNING).first()
    if running is not None:
        raise Conflict("refresh_running", _(
            "A refresh is running since %(at)s: its figures appear when it ends.")
            % {"at": _hhmm(running.started_at)})
    now = now or timezone.now()
    slot = now - datetime.timedelta(
        seconds=now.timestamp() % REQUEST_EVERY.total_seconds())
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(job=MANUAL_JOB, slot=slot, created_at=now)
            result = refresh_analytics.enqueue(slot=f"manual-{slot.isoformat()}")
            run.task_result_id = str(getattr(result, "id", ""))
            run.save(update_fields=["task_result_id"])
    except IntegrityError:
        asked = ScheduledRun.objects.filter(job=MANUAL_JOB, slot=slot).values_list(
            "created_at", flat=True).first()
        raise Conflict("refresh_asked", _(
            "A refresh was asked for at %(at)s already; it runs in the background.")
            % {"at": _hhmm(asked or slot)}) from None
    audit_record(action="analytics.refresh.request", actor=actor,
                 message=f"slot {slot.isoformat()}")
    return now


def refresh_asked() -> datetime.datetime | None:
    """When a refresh asked for on the page is waiting for a worker (none started since)."""
    from punkt.core.models import ScheduledRun

    asked = (ScheduledRun.objects.filter(job=MANUAL_JOB).order_by("-created_at")
             .values_list("created_at", flat=True).first())
    if asked is None or Snapshot.objects.filter(started_at__gte=asked).exists():
        return None
    return asked


def _hhmm(at: datetime.datetime) -> str:
    return timezone.localtime(at).strftime("%H:%M")
