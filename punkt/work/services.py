"""Tasks and notifications: every change checked, audited and, where someone else should
know, announced in their bell. Other areas call :func:`task_create` and :func:`notify`."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from punkt.core import batch
from punkt.core.audit import audit_record
from punkt.core.errors import ActionDenied, NotFound, ValidationFailed
from punkt.customers import permissions as customer_perms
from punkt.customers.models import Customer
from punkt.customers.profile import SOURCE_LINKS
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Employee, Membership
from punkt.work import permissions as perms
from punkt.work.models import DigestSent, Notification, Task, TaskStatus, WorkPreference
from punkt.work.workflows import TASK_FLOW

TITLE_MAX = 200
NOTES_MAX = 5000

#: subject type → what its area does, in the same transaction, when one of its tasks is
#: completed, cancelled or reopened here (the pipeline: a "next contact" done on "My
#: work" changes the customer's next step)
TASK_MOVED: dict[str, Callable[[Task], None]] = {}


def on_task_moved(subject_type: str, callback: Callable[[Task], None]) -> None:
    TASK_MOVED[subject_type] = callback


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed("required", _("This field is required."), field=field)
    if len(text) > limit:
        raise ValidationFailed("too_long", _("At most %(n)d characters.") % {"n": limit},
                               field=field)
    return text


def _moment(value: Any, field: str) -> datetime.datetime | None:
    """An aware moment; a naive one (a form's date and time) is local (Warsaw) time."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationFailed("invalid", _("Enter a date and time (YYYY-MM-DD HH:MM)."),
                                   field=field) from None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time(23, 59))
    if not isinstance(value, datetime.datetime):
        raise ValidationFailed("invalid", _("Enter a date and time (YYYY-MM-DD HH:MM)."),
                               field=field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not 2000 <= value.year <= 2100:
        raise ValidationFailed("invalid", _("Enter a date between 2000 and 2100."), field=field)
    return value


def _progress(value: Any) -> int:
    try:
        number = value if isinstance(value, int) else int(str(value).strip())
    except ValueError:
        raise ValidationFailed("invalid", _("Enter a whole number from 0 to 100."),
                               field="progress") from None
    if isinstance(value, bool) or not 0 <= number <= 100:
        raise ValidationFailed("invalid", _("Enter a whole number from 0 to 100."),
                               field="progress")
    return number


def own_branches(employee: Employee) -> list[int]:
    """The branches where ``employee`` works (active memberships), in a stable order."""
    return sorted(set(Membership.objects.filter(employee=employee, is_active=True)
                      .values_list("branch_id", flat=True)))


def is_party(task: Task, user: Any) -> bool:
    """The assignee or whoever gave the task: they take every step without a role."""
    uid = getattr(user, "pk", None)
    return uid is not None and uid in (task.assignee_id, task.created_by_id)


def allowed_actions(task: Task, user: Any) -> list[str]:
    if is_party(task, user):
        state = task.status
        return [t.action for t in TASK_FLOW.transitions.values() if state in t.sources]
    return TASK_FLOW.allowed_actions(task, user)


def _locked_for(actor: Actor, task_id: int) -> Task:
    """The task locked for a change by ``actor``: its assignee or giver, or a holder of
    ``work.task.manage`` for its branch; anyone else is told it does not exist."""
    task = Task.objects.locked(task_id, missing=_("Task not found."))
    if not is_party(task, actor) and not org_perms.can(actor, perms.TASK_MANAGE.code,
                                                       task.branch_id):
        raise NotFound(_("Task not found."))
    return task


def _check_subject(actor: Actor, branch_id: int, subject_type: str, subject_id: str
                   ) -> tuple[str, str]:
    subject_type, subject_id = str(subject_type or ""), str(subject_id or "")
    if not subject_type and not subject_id:
        return "", ""
    link = SOURCE_LINKS.get(subject_type)
    if link is None or not subject_id.isdecimal() or len(subject_id) > 18:
        raise ValidationFailed("invalid", _("Unknown record to link the task to."),
                               field="subject")
    if not org_perms.can(actor, link.permission, branch_id) or \
            not link.urls([subject_id]).get(subject_id):
        raise ValidationFailed("invalid", _("Unknown record to link the task to."),
                               field="subject")
    return subject_type, subject_id


@transaction.atomic
def task_create(*, actor: Actor, title: Any, assignee_id: Any = None, branch_id: Any = None,
                due_at: Any = None, remind_at: Any = None, notes: Any = "",
                customer_id: Any = None, subject_type: str = "", subject_id: Any = "") -> Task:
    """A task for oneself or — with ``work.task.manage`` — for a colleague of the branch."""
    me = employee_of(actor)
    if me is None:
        raise ActionDenied(_("Only an employee can be given tasks."))
    title = _text(title, "title", TITLE_MAX, required=True)
    notes = _text(notes, "notes", NOTES_MAX)
    due = _moment(due_at, "due_at")
    remind = _moment(remind_at, "remind_at")
    if assignee_id in (None, "") or str(assignee_id) == str(me.pk):
        assignee = me
    else:
        try:
            assignee = Employee.objects.get(pk=int(str(assignee_id)), is_active=True)
        except (ValueError, Employee.DoesNotExist):
            raise ValidationFailed("invalid", _("Choose an employee of the branch."),
                                   field="assignee") from None
    mine = own_branches(me)
    theirs = own_branches(assignee)
    if branch_id in (None, ""):
        common = [b for b in mine if b in theirs]
        if not common and assignee.pk != me.pk and not org_perms.access_of(actor).is_hq:
            raise ValidationFailed("invalid", _("The employee does not work in your branch."),
                                   field="assignee")
        branch = (common or theirs or [0])[0]
    else:
        try:
            branch = int(str(branch_id))
        except ValueError:
            raise ValidationFailed("invalid", _("Choose a branch."), field="branch") from None
    if branch not in theirs:
        raise ValidationFailed("invalid", _("The employee does not work in this branch."),
                               field="assignee")
    if assignee.pk != me.pk:
        org_perms.ensure(actor, perms.TASK_MANAGE.code, branch)
    customer = None
    if customer_id not in (None, ""):
        try:
            customer = (Customer.objects.visible_to(actor, customer_perms.CUSTOMER_VIEW)
                        .get_or_not_found(int(str(customer_id))))
        except (ValueError, NotFound):
            raise ValidationFailed("invalid", _("Customer not found."),
                                   field="customer") from None
    s_type, s_id = _check_subject(actor, branch, subject_type, subject_id)
    task = Task.objects.create(branch_id=branch, assignee=assignee, created_by=me, title=title,
                               notes=notes, due_at=due, remind_at=remind, customer=customer,
                               subject_type=s_type, subject_id=s_id)
    audit_record(action="work.task.create", obj=task, actor=actor, branch_id=branch,
                 changes={"assignee": assignee.pk, "due_at": str(due or "")})
    if assignee.pk != me.pk:
        who = me.full_name or me.email
        notify(recipient=assignee, kind="task.assigned",
               title=lambda: _("%(who)s gave you a task: %(title)s") % {
                   "who": who, "title": title},
               url=task_url(task), key=f"task.assigned:{task.pk}")
    return task


def task_url(task: Task) -> str:
    return reverse("work:task_detail", args=[task.pk])


@transaction.atomic
def task_update(*, actor: Actor, task_id: int, progress: Any = None, notes: Any = None,
                due_at: Any = ..., remind_at: Any = ..., title: Any = None) -> Task:
    """Change an open task's progress, notes, title, deadline or reminder."""
    task = _locked_for(actor, task_id)
    if not task.is_open:
        raise ValidationFailed("closed", _("Reopen the task to change it."), field="status")
    changes: dict[str, Any] = {}
    if progress not in (None, ""):
        changes["progress"] = _progress(progress)
    if notes is not None:
        changes["notes"] = _text(notes, "notes", NOTES_MAX)
    if title is not None:
        changes["title"] = _text(title, "title", TITLE_MAX, required=True)
    if due_at is not ...:
        changes["due_at"] = _moment(due_at, "due_at")
    if remind_at is not ...:
        changes["remind_at"] = _moment(remind_at, "remind_at")
        if changes["remind_at"] != task.remind_at:
            task.reminded_at = None
    for name, value in changes.items():
        setattr(task, name, value)
    task.save()
    audit_record(action="work.task.update", obj=task, actor=actor, branch_id=task.branch_id,
                 changes={k: str(v) for k, v in changes.items() if k != "notes"})
    return task


@transaction.atomic
def task_move(*, actor: Actor, task_id: int, action: str) -> Task:
    """complete, cancel or reopen; whoever gave the task hears that it is done."""
    task = _locked_for(actor, task_id)
    if is_party(task, actor):
        t = TASK_FLOW.ensure_state(task, action)
    else:
        t = TASK_FLOW.ensure_can(task, action, actor=actor)
    updated = Task.objects.filter(pk=task.pk, status=task.status).update(
        status=t.target, done_at=timezone.now() if t.target == TaskStatus.DONE else None,
        progress=100 if t.target == TaskStatus.DONE else task.progress)
    if not updated:  # pragma: no cover — the row is locked
        raise ValidationFailed("changed", _("The task changed meanwhile."), field="status")
    task.refresh_from_db()
    if task.subject_type in TASK_MOVED:
        TASK_MOVED[task.subject_type](task)
    audit_record(action=f"work.task.{action}", obj=task, actor=actor, branch_id=task.branch_id)
    me = employee_of(actor)
    if action == "complete" and task.created_by_id and task.created_by_id != getattr(
            me, "pk", None) and task.created_by_id != task.assignee_id:
        notify(recipient=task.created_by, kind="task.done",
               title=lambda: _("Done: %(title)s") % {"title": task.title}, url=task_url(task),
               key=f"task.done:{task.pk}:{task.done_at:%Y%m%d%H%M%S}")
    return task


def notify(*, recipient: Employee | int | None, kind: str, title: str | Callable[[], str],
           url: str = "", key: str = "") -> None:
    """Put a line in ``recipient``'s bell; with ``key``, at most once per key (a job run
    twice does not notify twice). ``title`` as a function is rendered in the recipient's
    language (``lambda: _("…") % {...}``)."""
    if recipient is None:
        return
    if not isinstance(recipient, Employee):
        recipient = Employee.objects.only("pk", "language").get(pk=recipient)
    if callable(title):
        with translation.override(recipient.language or "pl"):
            title = title()
    row = Notification(recipient=recipient, kind=kind[:40], title=str(title)[:300],
                       url=url[:500], key=key[:120])
    batch.add(row, ignore_conflicts=True)  # a key already used: sent before


def notification_open(*, actor: Actor, notification_id: int) -> Notification:
    """Mark one of the actor's notifications read and return it (for its URL)."""
    me = employee_of(actor)
    row = Notification.objects.filter(recipient=me).get_or_not_found(
        notification_id, missing=_("Notification not found."))
    if row.read_at is None:
        Notification.objects.filter(pk=row.pk, read_at__isnull=True).update(
            read_at=timezone.now())
    return row


def notifications_read_all(*, actor: Actor) -> int:
    me = employee_of(actor)
    if me is None:
        return 0
    return Notification.objects.filter(recipient=me, read_at__isnull=True).update(
        read_at=timezone.now())


def _reminder_text(title: str) -> str:
    return _("Reminder: %(title)s") % {"title": title}


def send_due_reminders(now: datetime.datetime | None = None) -> int:
    """Ring the bell of every open task whose reminder time has come (once per reminder
    time: safe to run twice). Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    due = (Task.objects.filter(status=TaskStatus.OPEN, reminded_at__isnull=True,
                               remind_at__isnull=False, remind_at__lte=now)
           .order_by("remind_at")[:5000])
    for task in due.select_related("assignee"):
        with transaction.atomic():
            if not Task.objects.filter(pk=task.pk, reminded_at__isnull=True).update(
                    reminded_at=now):
                continue
            notify(recipient=task.assignee, kind="task.reminder",
                   title=partial(_reminder_text, task.title),
                   url=task_url(task),
                   key=f"task.reminder:{task.pk}:{task.remind_at:%Y%m%d%H%M}")
            sent += 1
    return sent


def subject_url(user: Actor, task: Task) -> str:
    """The page of the record the task is about, if the user may open it."""
    if task.subject_type:
        link = SOURCE_LINKS.get(task.subject_type)
        if link is not None and org_perms.can(user, link.permission, task.branch_id):
            return link.urls([task.subject_id]).get(task.subject_id, "")
    return ""


def digest_set(*, actor: Actor, enabled: bool) -> WorkPreference:
    """Turn the daily e-mail summary on or off for oneself."""
    me = employee_of(actor)
    if me is None:
        raise ActionDenied(_("Only an employee can be given tasks."))
    pref, _created = WorkPreference.objects.update_or_create(
        employee=me, defaults={"daily_digest": bool(enabled)})
    audit_record(action="work.digest.set", obj=me, actor=actor,
                 changes={"daily_digest": bool(enabled)})
    return pref


def send_digests(day: datetime.date | None = None) -> int:
    """E-mail each employee who asked for it the day's summary: overdue tasks, tasks due
    today and unread notifications; nothing when there is nothing. Once per employee and
    day: the day is claimed before sending (a crash mid-send loses that day's summary
    rather than sending it twice, C13). Returns how many went out."""
    from django.conf import settings
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string

    from punkt.work import selectors

    day = day or timezone.localdate()
    end = selectors.end_of_day(day)
    sent = 0
    wanted = (Employee.objects.filter(is_active=True, work_preference__daily_digest=True)
              .exclude(email="").order_by("pk"))
    for employee in wanted.iterator(chunk_size=500):
        tasks = list(selectors.my_tasks(employee).filter(due_at__lt=end)
                     .order_by("due_at", "id")[:50])
        unread = selectors.unread_count(employee)
        if not tasks and not unread:
            continue
        try:
            with transaction.atomic():
                DigestSent.objects.create(employee=employee, day=day)
        except IntegrityError:
            continue  # claimed by an earlier (or a parallel) run
        base = getattr(settings, "PUNKT_PUBLIC_URL", "").rstrip("/")
        with translation.override(employee.language or "pl"):
            subject = _("Punkt: your work for %(day)s") % {"day": day.strftime("%d.%m.%Y")}
            body = render_to_string("work/digest.txt", {
                "employee": employee, "tasks": tasks, "unread": unread, "day": day,
                "now": timezone.now(), "base": base})
        EmailMessage(subject, body, to=[employee.email]).send()
        sent += 1
    return sent
