"""Corrective and preventive actions (CAPA, ISO 9001 10.2 / ISO 10002) on a complaint's
cause: the manager or HQ sets an action with its owner and due date (a preventive one
names the HQ material or procedure changed), the owner records what was done, someone
else verifies it with a note or sends it back. Open actions are on the owner's "My work",
overdue ones flagged.

Every change: the right, the rows locked (the complaint, then the action), the step asked
of ``ACTION_FLOW`` on the locked row, a conditional update on the state read (C10), the
complaint's history, the audit log and the customer's timeline — one transaction."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.complaints import permissions as perms
from punkt.complaints import selectors
from punkt.complaints.models import ActionKind, ActionStatus, Complaint, ComplaintAction
from punkt.complaints.services import (
    TEXT_MAX,
    _choice,
    _event,
    _id,
    _text,
    _timeline,
    complaint_url,
)
from punkt.complaints.workflows import ACTION_FLOW
from punkt.core.audit import audit_record
from punkt.core.errors import ActionDenied, Conflict, ValidationFailed
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Employee
from punkt.work.services import notify

#: at most this far ahead (days) an action is due
DUE_MAX_DAYS = 366


def _due(value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        day = value
    else:
        try:
            day = datetime.date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise ValidationFailed("invalid", _("Give the due date as YYYY-MM-DD."),
                                   field="due_on") from None
    today = timezone.localdate()
    if not today <= day <= today + datetime.timedelta(days=DUE_MAX_DAYS):
        raise ValidationFailed("invalid", _("The due date is from today to a year ahead."),
                               field="due_on")
    return day


def _owner(value: Any, complaint: Complaint) -> Employee:
    """An active employee who may open the complaint (so they see the action)."""
    pk = _id(value, "owner_id", _("Choose the owner."))
    owner = Employee.objects.filter(pk=pk, is_active=True).first() if pk else None
    if owner is None:
        raise ValidationFailed("required", _("Choose the owner."), field="owner_id")
    if not org_perms.can(owner, perms.COMPLAINT_VIEW.code, complaint.branch_id):
        raise ValidationFailed("invalid", _("The owner must be able to open this complaint "
                                            "(its branch's staff or HQ)."), field="owner_id")
    return owner


def _material(value: Any) -> Any:
    from punkt.materials.models import Material

    pk = _id(value, "material_id", _("Choose the HQ material."))
    if pk is None:
        return None
    material = Material.objects.filter(pk=pk, is_archived=False).first()
    if material is None:
        raise ValidationFailed("invalid", _("Choose the HQ material."), field="material_id")
    return material


def owners(complaint: Complaint) -> list[Employee]:
    """Who may own an action on ``complaint``: the branch's active staff and HQ experts who
    see it (for the form's list)."""
    from django.db.models import Q

    from punkt.organization.models import Membership

    ids = (Membership.objects.filter(Q(branch_id=complaint.branch_id) | Q(branch__kind="hq"),
                                     is_active=True, employee__is_active=True)
           .values_list("employee_id", flat=True).distinct())
    found = list(Employee.objects.filter(pk__in=ids).order_by("last_name", "first_name",
                                                             "pk")[:300])
    org_perms.with_access(found)  # one statement for all of them, not one each
    return [e for e in found if org_perms.can(e, perms.COMPLAINT_VIEW.code, complaint.branch_id)]


@transaction.atomic
def action_add(*, actor: Actor, complaint_id: Any, kind: Any, description: Any,
               owner_id: Any, due_on: Any, material_id: Any = None,
               procedure: Any = "") -> ComplaintAction:
    """Set a corrective or preventive action on a complaint whose cause is known."""
    complaint = selectors.complaint_get(user=actor, complaint_id=complaint_id)
    org_perms.ensure(actor, perms.CAPA_MANAGE.code, complaint.branch_id)
    complaint = Complaint.objects.locked(complaint.pk)
    if not complaint.cause:
        raise Conflict("no_cause", _("Record the complaint's cause first: the action removes "
                                     "it."))
    kind = _choice(kind, "kind", ActionKind.values, _("Choose corrective or preventive."))
    text = _text(description, "description", TEXT_MAX, required=True)
    owner = _owner(owner_id, complaint)
    day = _due(due_on)
    material = _material(material_id)
    procedure = _text(procedure, "procedure", 200)
    if kind == ActionKind.PREVENTIVE and material is None and not procedure:
        raise ValidationFailed("required", _("A preventive action names the HQ material or "
                                             "the procedure it changes."),
                               field="material_id")
    row = ComplaintAction.objects.create(
        complaint=complaint, kind=kind, description=text, owner=owner, due_on=day,
        material=material, procedure=procedure, created_by=employee_of(actor))
    label = ActionKind(kind).label
    _event(complaint, actor, "capa_add", complaint.status,
           f"{label}: {text[:300]} — {owner.full_name}, {day:%d.%m.%Y}")
    audit_record(action="complaints.capa.add", obj=complaint, actor=actor,
                 branch_id=complaint.branch_id,
                 changes={"capa": row.pk, "kind": kind, "owner": owner.pk,
                          "due_on": day.isoformat(),
                          "material": getattr(material, "pk", None)})
    _timeline(complaint, actor, _("%(kind)s set on the cause") % {"kind": label})
    number, url = complaint.number, complaint_url(complaint)
    notify(recipient=owner, kind="complaint.capa",
           title=lambda: _("Complaint %(number)s: an action for you, due %(day)s.") % {
               "number": number, "day": f"{day:%d.%m.%Y}"},
           url=url, key=f"complaint.capa:{row.pk}:{owner.pk}")
    return row


def _locked_action(actor: Actor, action_id: Any, complaint_id: Any) -> ComplaintAction:
    complaint = selectors.complaint_get(user=actor, complaint_id=complaint_id)
    Complaint.objects.locked(complaint.pk)
    pk = _id(action_id, "action", _("Action not found."))
    row = (ComplaintAction.objects.select_for_update(of=("self",))
           .select_related("complaint", "owner").filter(pk=pk, complaint=complaint).first()
           if pk else None)
    if row is None:
        from punkt.core.errors import NotFound

        raise NotFound(_("Action not found."))
    return row


def _move(row: ComplaintAction, source: str, changes: dict[str, Any]) -> None:
    if not ComplaintAction.objects.filter(pk=row.pk, status=source).update(**changes):
        raise Conflict("changed", _("The action changed meanwhile: reload the page."))
    row.refresh_from_db()


@transaction.atomic
def action_move(*, actor: Actor, complaint_id: Any, action_id: Any, step: str,
                note: Any = "") -> ComplaintAction:
    """``complete`` (the owner: what was done), ``verify`` or ``send_back`` (someone else
    than the owner, with the verification's note)."""
    row = _locked_action(actor, action_id, complaint_id)
    t = ACTION_FLOW.ensure_can(row, step, actor=actor)
    me = employee_of(actor)
    now = timezone.now()
    text = _text(note, "note", TEXT_MAX, required=True)
    source = row.status
    changes: dict[str, Any] = {"status": t.target}
    if step == "complete":
        if me is None or me.pk != row.owner_id:
            raise ActionDenied(_("Only the action's owner records what was done."),
                               action=perms.COMPLAINT_VIEW.code)
        changes.update(done_note=text, done_at=now)
    else:
        if me is None or me.pk == row.owner_id:
            raise ActionDenied(_("Someone other than the owner verifies the action."),
                               action=perms.CAPA_MANAGE.code)
        changes.update(verified_by=me if step == "verify" else None,
                       verified_at=now if step == "verify" else None,
                       verification_note=text)
    _move(row, source, changes)
    complaint = row.complaint
    label = ActionKind(row.kind).label
    _event(complaint, actor, f"capa_{step}", complaint.status, f"{label}: {text[:500]}",
           at=now)
    audit_record(action=f"complaints.capa.{step}", obj=complaint, actor=actor,
                 branch_id=complaint.branch_id,
                 changes={"capa": row.pk, "status": [source, row.status]})
    if step == "verify":
        _timeline(complaint, actor, _("%(kind)s verified") % {"kind": label}, text)
    elif step == "send_back":
        number, url = complaint.number, complaint_url(complaint)
        notify(recipient=row.owner_id, kind="complaint.capa",
               title=lambda: _("Complaint %(number)s: your action was sent back.") % {
                   "number": number},
               url=url, key=f"complaint.capa.back:{row.pk}:{now.isoformat()}")
    return row


def my_open(user: Actor) -> list[ComplaintAction]:
    """The actions ``user`` owns that are still open (the overdue first), from the
    complaints they see."""
    me = employee_of(user)
    if me is None or not org_perms.can(user, perms.COMPLAINT_VIEW.code):
        return []
    visible = selectors.complaints(user).values("pk")
    return list(ComplaintAction.objects.filter(owner=me, status=ActionStatus.OPEN,
                                               complaint__in=visible)
                .select_related("complaint").order_by("due_on", "id")[:20])


def to_verify(user: Actor) -> list[ComplaintAction]:
    """Actions done by others, waiting for ``user``'s verification."""
    me = employee_of(user)
    if me is None or not org_perms.can(user, perms.CAPA_MANAGE.code):
        return []
    visible = Complaint.objects.visible_to(user, perms.CAPA_MANAGE).values("pk")
    return list(ComplaintAction.objects.filter(status=ActionStatus.DONE,
                                               complaint__in=visible)
                .exclude(owner=me).select_related("complaint", "owner")
                .order_by("done_at", "id")[:20])


__all__ = ["action_add", "action_move", "my_open", "owners", "to_verify"]


#: days past the due date after which the branch's managers are told as well
ESCALATE_AFTER_DAYS = 7


def remind_overdue(today: datetime.date | None = None) -> dict[str, int]:
    """The daily job: the owner of each open action past its due date is told the day after
    it was due, and the complaint's branch managers once it is ``ESCALATE_AFTER_DAYS``
    late — each once per action and due date (the notification's key: a job run twice, or
    two at once, notifies once; C9)."""
    from punkt.complaints.services import branch_managers
    from punkt.core import batch

    today = today or timezone.localdate()
    rows = list(ComplaintAction.objects.filter(status=ActionStatus.OPEN, due_on__lt=today)
                .order_by("due_on", "pk")
                .values_list("pk", "owner_id", "due_on", "complaint_id",
                             "complaint__number", "complaint__branch_id")[:20_000])
    managers = {b: branch_managers(b) for b in {r[5] for r in rows}}
    people = Employee.objects.only("pk", "language").in_bulk(
        {r[1] for r in rows} | {m for ids in managers.values() for m in ids})
    owners = escalated = 0
    with batch.one_transaction():
        for pk, owner, due, complaint_id, number, branch_id in rows:
            url = reverse("complaints:complaint_detail", args=[complaint_id])
            day = f"{due:%d.%m.%Y}"
            notify(recipient=people.get(owner), kind="complaint.capa.overdue",
                   title=_overdue_title(number, day), url=url,
                   key=f"complaint.capa.overdue:{pk}:{due.isoformat()}")
            owners += 1
            if (today - due).days >= ESCALATE_AFTER_DAYS:
                for manager in managers[branch_id]:
                    if manager == owner:
                        continue
                    notify(recipient=people.get(manager), kind="complaint.capa.overdue",
                           title=_escalated_title(number, day), url=url,
                           key=f"complaint.capa.late:{pk}:{due.isoformat()}:{manager}")
                escalated += 1
    return {"owners": owners, "escalated": escalated}


def _overdue_title(number: str, day: str) -> Callable[[], str]:
    return lambda: _("Complaint %(number)s: your action was due %(day)s and is not done.") % {
        "number": number, "day": day}


def _escalated_title(number: str, day: str) -> Callable[[], str]:
    return lambda: _("Complaint %(number)s: an action due %(day)s is still not done — "
                     "a week late.") % {"number": number, "day": day}
