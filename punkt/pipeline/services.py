"""Every change of an opportunity: opening it, moving it between stages (forward only with
what the stage requires, the reason said), a refusal with the date to try again, won or
lost with a reason (the stage kept), reopened, given to another seller, and its control
dates — each kept as a task of the owner, moved with the date and cancelled when it no
longer applies.

Each step checks the right (a seller works on their own opportunities, the manager on any
of the branch's), locks the row, asks the workflow on the locked row, validates (refusals
name the field), updates conditionally on what was read under the lock (C10), then writes
the history row, the audit row and the customer's timeline entry — in one transaction."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.core import values
from punkt.core.audit import audit_record
from punkt.core.errors import ActionDenied, Conflict, ValidationFailed
from punkt.core.numbering import next_in_year
from punkt.core.values import iso_date
from punkt.customers import picking, referrals
from punkt.customers.models import Customer
from punkt.customers.timeline import timeline_add
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Branch, Employee, Membership
from punkt.pipeline import next_steps, selectors
from punkt.pipeline import permissions as perms
from punkt.pipeline.models import (
    DOCUMENT_REQUIREMENTS,
    ControlDate,
    ControlKind,
    LossReason,
    Opportunity,
    OpportunityCounter,
    OpportunityEvent,
    OpportunityStatus,
    Requirement,
    Stage,
)
from punkt.pipeline.workflows import OPPORTUNITY_FLOW
from punkt.work.models import Task, TaskStatus

WARSAW = ZoneInfo("Europe/Warsaw")
#: a field of ``opportunity_update`` not given
UNCHANGED: Any = object()
TITLE_MAX = 200
TEXT_MAX = 5_000
SUBJECT = "pipeline.opportunity"
#: the hour (Warsaw) a control date's task is due on its day
DUE_HOUR = 9
#: the control points that stay when a sale ends: the customer is then "between sales"
#: with a next contact (R11.5), and a won sale's satisfaction is still asked
KEPT_WHEN_CLOSED: dict[str, set[str]] = {
    OpportunityStatus.WON: {ControlKind.NEXT_CONTACT, ControlKind.SURVEY},
    OpportunityStatus.LOST: {ControlKind.NEXT_CONTACT, ControlKind.RETRY},
}


def opportunity_url(opportunity: Opportunity) -> str:
    return reverse("pipeline:opportunity_detail", args=[opportunity.pk])


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    return values.text(value, field=field, limit=limit, required=required)


def _id(value: Any, field: str, message: str) -> int | None:
    return values.record_id(value, field=field, message=message)


def _amount(value: Any) -> Decimal | None:
    return values.amount(value)


def _date(value: Any, field: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    day = iso_date(value, field=field, message=_("Give the date as YYYY-MM-DD."))
    if not 2000 <= day.year <= 2100:
        raise ValidationFailed("invalid", _("Give a date between 2000 and 2100."), field=field)
    return day


def _month(value: Any) -> datetime.date | None:
    """The expected closing month: ``YYYY-MM`` (a month input) or a date; its first day."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if len(text) == 7:
        text += "-01"
    day = _date(text, "expected_close")
    return day.replace(day=1) if day else None


def _customer(actor: Actor, customer_id: Any) -> Customer:
    return picking.visible_customer(actor, customer_id)


def _branch(actor: Actor, branch_id: Any, customer: Customer) -> Branch:
    return picking.acting_branch(actor, branch_id, customer, perms.OPPORTUNITY_EDIT)


def _seller(actor: Actor, owner_id: Any, branch: Branch) -> Employee:
    """The owner: oneself, or — for the manager — a seller of the branch."""
    me = employee_of(actor)
    pk = _id(owner_id, "owner", _("Choose a seller of the branch."))
    if pk is None or (me is not None and pk == me.pk):
        if me is None:
            raise ValidationFailed("required", _("Choose a seller of the branch."),
                                   field="owner")
        return me
    org_perms.ensure(actor, perms.OPPORTUNITY_MANAGE.code, branch.pk)
    seller = Employee.objects.filter(pk=pk, is_active=True).first()
    if seller is None or not Membership.objects.filter(employee=seller, branch=branch).exists():
        raise ValidationFailed("invalid", _("Choose a seller of the branch."), field="owner")
    if not org_perms.can(seller, perms.OPPORTUNITY_EDIT.code, branch.pk):
        raise ValidationFailed("invalid", _("This employee does not sell (no right to keep "
                                            "opportunities)."), field="owner")
    return seller


def _product(product_id: Any, keep: int | None = None) -> Any:
    """A product sold now (``keep``: the one already chosen, even if no longer sold)."""
    pk = _id(product_id, "product", _("Choose a product of the catalogue."))
    if pk is None:
        return None
    from punkt.catalog.models import Product

    product = Product.objects.filter(pk=pk).first()
    if product is not None and not product.is_active and pk != keep:
        product = None
    if product is None:
        raise ValidationFailed("invalid", _("Choose a product of the catalogue."),
                               field="product")
    return product


def stages() -> list[Stage]:
    """The stages in use, in order (a sale moves along these)."""
    return list(Stage.objects.filter(active=True).order_by("position", "id"))


def _stage(stage_id: Any, field: str = "stage") -> Stage:
    """A stage in use, its row locked: HQ cannot take it out of use meanwhile."""
    pk = _id(stage_id, field, _("Choose a stage."))
    stage = Stage.objects.select_for_update().filter(pk=pk, active=True).first() if pk else None
    if stage is None:
        raise ValidationFailed("invalid", _("Choose a stage."), field=field)
    return stage


def _event(opportunity: Opportunity, actor: Actor, action: str, *,
           from_stage: Stage | None = None, note: str = "",
           reason: LossReason | None = None) -> OpportunityEvent:
    return OpportunityEvent.objects.create(
        opportunity=opportunity, action=action, from_stage=from_stage,
        to_stage=opportunity.stage, status=opportunity.status, actor=employee_of(actor),
        note=note, reason=reason)


def _timeline(opportunity: Opportunity, actor: Actor, text: str, body: str = "") -> None:
    timeline_add(customer_id=opportunity.customer_id, kind="opportunity", actor=actor,
                 branch_id=opportunity.branch_id, subject=f"{opportunity.number}: {text}",
                 body=body, source=opportunity)


def _audit(opportunity: Opportunity, actor: Actor, action: str, **changes: Any) -> None:
    audit_record(action=f"pipeline.opportunity.{action}", obj=opportunity, actor=actor,
                 branch_id=opportunity.branch_id, changes=changes)


@transaction.atomic
def opportunity_create(*, actor: Actor, customer_id: Any, title: Any, amount: Any = None,
                       expected_close: Any = None, product_id: Any = None,
                       stage_id: Any = None, owner_id: Any = None, branch_id: Any = None,
                       notes: Any = "", campaign_code: Any = "") -> Opportunity:
    """Open a sale with a customer, at the first stage unless another is chosen, owned by
    the one who opens it (or, by the manager, by a seller of the branch). ``campaign_code``:
    a leaflet's code the customer gave, of a campaign running at the branch (R10.3)."""
    org_perms.ensure(actor, perms.OPPORTUNITY_EDIT.code)
    customer = _customer(actor, customer_id)
    branch = _branch(actor, branch_id, customer)
    owner = _seller(actor, owner_id, branch)
    title = _text(title, "title", TITLE_MAX, required=True)
    stake = _amount(amount)
    month = _month(expected_close)
    product = _product(product_id)
    notes = _text(notes, "notes", TEXT_MAX)
    campaign = referrals.campaign_for(branch.pk, campaign_code)
    first = stages()
    if not first:
        raise Conflict("no_stages", _("HQ has set no sales stages yet."))
    stage = first[0] if stage_id in (None, "") else _stage(stage_id)
    if stage.pk != first[0].pk and not org_perms.can(actor, perms.OPPORTUNITY_MANAGE.code,
                                                     branch.pk):
        # a sale skips the earlier stages' requirements only on the manager's word
        raise ValidationFailed("invalid", _("A sale starts at “%(stage)s”; only the branch "
                                            "manager opens one at a later stage.")
                               % {"stage": first[0].name}, field="stage")
    now = timezone.now()
    opportunity = Opportunity.objects.create(
        number=next_in_year(OpportunityCounter, timezone.localdate(now).year, "SZ"),
        branch=branch, customer=customer, owner=owner, title=title, product=product,
        amount=stake, expected_close=month, stage=stage, notes=notes,
        created_by=employee_of(actor), created_at=now, stage_since=now,
        campaign_code=campaign[0] if campaign else "",
        campaign_ref=campaign[1] if campaign else None)
    _event(opportunity, actor, "open", note=title)
    _audit(opportunity, actor, "create", number=opportunity.number, customer=customer.pk,
           owner=owner.pk, stage=stage.code, amount=None if stake is None else str(stake),
           campaign_code=opportunity.campaign_code or None)
    _timeline(opportunity, actor, _("sales opportunity opened: %(title)s") % {"title": title})
    next_steps.refresh([customer.pk])
    return opportunity


def _locked(actor: Actor, opportunity_id: Any) -> Opportunity:
    selectors.opportunity_get(user=actor, opportunity_id=opportunity_id)  # another branch: 404
    return Opportunity.objects.locked(opportunity_id, missing=_("Opportunity not found."))


def _ensure_works_on(actor: Actor, opportunity: Opportunity) -> None:
    """A seller works on their own opportunities; the manager on any of the branch's."""
    me = employee_of(actor)
    if me is not None and me.pk == opportunity.owner_id:
        return
    if not org_perms.can(actor, perms.OPPORTUNITY_MANAGE.code, opportunity.branch_id):
        raise ActionDenied(_("This opportunity is %(owner)s's: only they or the branch "
                             "manager work on it.") % {"owner": opportunity.owner})


def _step(actor: Actor, opportunity_id: Any, action: str) -> Opportunity:
    opportunity = _locked(actor, opportunity_id)
    OPPORTUNITY_FLOW.ensure_can(opportunity, action, actor=actor)
    _ensure_works_on(actor, opportunity)
    return opportunity


def missing(opportunity: Opportunity, stage: Stage, kinds: set[str] | None = None
            ) -> list[str]:
    """What ``stage`` requires that the opportunity does not have yet (the labels);
    ``kinds``: its control dates' kinds when the caller has read them."""
    dates = kinds if kinds is not None else set(
        ControlDate.objects.filter(opportunity=opportunity).values_list("kind", flat=True))
    have: dict[str, bool] = {Requirement.AMOUNT: opportunity.amount is not None,
                             Requirement.EXPECTED_CLOSE: opportunity.expected_close is not None,
                             Requirement.PRODUCT: opportunity.product_id is not None}
    if any(code in DOCUMENT_REQUIREMENTS for code in stage.requires or []):
        from punkt.pipeline.sales_documents import sent_kinds

        sent = sent_kinds(opportunity)
        have.update({code: kind in sent for code, kind in DOCUMENT_REQUIREMENTS.items()})
    out = []
    for code in stage.requires or []:
        met = have.get(code, code in dates)
        if not met and code in Requirement.values:
            out.append(str(Requirement(code).label))
    return out


def _ensure_may_leave(opportunity: Opportunity, stage: Stage) -> None:
    lacking = missing(opportunity, stage)
    if lacking:
        raise ValidationFailed("incomplete", _("The stage “%(stage)s” cannot be left without "
                                               "%(what)s.") % {
            "stage": stage.name, "what": ", ".join(lacking)}, field="stage")


@transaction.atomic
def opportunity_move(*, actor: Actor, opportunity_id: Any, stage_id: Any,
                     note: Any = "") -> Opportunity:
    """To another stage: forward past every stage left with what each requires, back
    freely (the offer to clarify goes back from the agreement)."""
    opportunity = _step(actor, opportunity_id, "move")
    target = _stage(stage_id)
    note = _text(note, "note", TEXT_MAX)
    source = opportunity.stage
    if target.pk == source.pk:
        raise Conflict("same_stage", _("The opportunity is at this stage already."))
    if (target.position, target.pk) > (source.position, source.pk):
        for stage in stages():
            if (source.position, source.pk) <= (stage.position, stage.pk) \
                    < (target.position, target.pk):
                _ensure_may_leave(opportunity, stage)
    now = timezone.now()
    changed = Opportunity.objects.filter(
        pk=opportunity.pk, status=OpportunityStatus.OPEN, stage=source).update(
        stage=target, stage_since=now, updated_at=now)
    if not changed:  # pragma: no cover - the row lock makes this unreachable
        raise Conflict("moved", _("Someone has just moved this opportunity."))
    opportunity.stage, opportunity.stage_since = target, now
    _event(opportunity, actor, "move", from_stage=source, note=note)
    _audit(opportunity, actor, "move", stage=[source.code, target.code])
    return opportunity


@transaction.atomic
def opportunity_refuse(*, actor: Actor, opportunity_id: Any, reason_id: Any, retry_on: Any,
                       note: Any = "") -> Opportunity:
    """The customer said no for now (refused the presentation, the offer needs
    clarifying): the refusal and its reason recorded at the stage, the opportunity left
    open with a date to try again — a task of the owner."""
    opportunity = _step(actor, opportunity_id, "move")
    reason = _reason(opportunity, reason_id)
    day = _date(retry_on, "retry_on")
    if day is None:
        raise ValidationFailed("required", _("Give the date to try again."), field="retry_on")
    if day < timezone.localdate():
        raise ValidationFailed("invalid", _("The date to try again cannot be in the past."),
                               field="retry_on")
    note = _text(note, "note", TEXT_MAX)
    _set_control(opportunity, actor, ControlKind.RETRY, day)
    _event(opportunity, actor, "refuse", from_stage=opportunity.stage,
           note=f"{reason.label}" + (f" — {note}" if note else ""), reason=reason)
    _audit(opportunity, actor, "refuse", reason=reason.pk, retry_on=day.isoformat())
    _timeline(opportunity, actor, _("the customer refused: %(reason)s; try again on "
                                    "%(day)s") % {"reason": reason.label,
                                                  "day": f"{day:%d.%m.%Y}"}, note)
    return opportunity


def _reason(opportunity: Opportunity, reason_id: Any) -> LossReason:
    pk = _id(reason_id, "reason", _("Choose the reason."))
    reason = (LossReason.objects.filter(pk=pk, active=True).first() if pk else None)
    if reason is None or reason.stage_id not in (None, opportunity.stage_id):
        raise ValidationFailed("required" if pk is None else "invalid",
                               _("Choose the reason."), field="reason")
    return reason


@transaction.atomic
def opportunity_win(*, actor: Actor, opportunity_id: Any, note: Any = "") -> Opportunity:
    """Won: only at the last stage, with what it requires (the next contact agreed: the
    customer goes on "between sales")."""
    opportunity = _step(actor, opportunity_id, "win")
    note = _text(note, "note", TEXT_MAX)
    last = stages()[-1]
    if opportunity.stage_id != last.pk:
        raise Conflict("not_last", _("A sale is won at its last stage, “%(stage)s”.")
                       % {"stage": last.name})
    _ensure_may_leave(opportunity, last)
    _close(opportunity, actor, OpportunityStatus.WON, note)
    _audit(opportunity, actor, "win", amount=None if opportunity.amount is None
           else str(opportunity.amount))
    _timeline(opportunity, actor, _("sale won: %(title)s") % {"title": opportunity.title},
              note)
    return opportunity


@transaction.atomic
def opportunity_lose(*, actor: Actor, opportunity_id: Any, reason_id: Any,
                     note: Any = "") -> Opportunity:
    """Lost at its stage (kept) with a reason of that stage or of any stage."""
    opportunity = _step(actor, opportunity_id, "lose")
    reason = _reason(opportunity, reason_id)
    note = _text(note, "note", TEXT_MAX)
    opportunity.loss_reason, opportunity.loss_note = reason, note
    _close(opportunity, actor, OpportunityStatus.LOST, f"{reason.label}"
           + (f" — {note}" if note else ""), extra={"loss_reason": reason, "loss_note": note},
           reason=reason)
    _audit(opportunity, actor, "lose", reason=reason.pk, stage=opportunity.stage.code)
    _timeline(opportunity, actor, _("sale lost at “%(stage)s”: %(reason)s") % {
        "stage": opportunity.stage.name, "reason": reason.label}, note)
    return opportunity


def _close(opportunity: Opportunity, actor: Actor, status: str, note: str,
           extra: dict[str, Any] | None = None, reason: LossReason | None = None) -> None:
    now = timezone.now()
    changed = Opportunity.objects.filter(
        pk=opportunity.pk, status=OpportunityStatus.OPEN).update(
        status=status, closed_at=now, updated_at=now, **(extra or {}))
    if not changed:  # pragma: no cover - the row lock makes this unreachable
        raise Conflict("closed", _("Someone has just closed this opportunity."))
    opportunity.status, opportunity.closed_at = status, now
    kept = KEPT_WHEN_CLOSED.get(status, set())
    for control in ControlDate.objects.filter(opportunity=opportunity).exclude(kind__in=kept):
        _cancel_task(control)
    _event(opportunity, actor, status, from_stage=opportunity.stage, note=note, reason=reason)
    next_steps.refresh([opportunity.customer_id])


@transaction.atomic
def opportunity_reopen(*, actor: Actor, opportunity_id: Any, note: Any = "") -> Opportunity:
    """A lost sale taken up again, at the stage where it stopped."""
    opportunity = _step(actor, opportunity_id, "reopen")
    note = _text(note, "note", TEXT_MAX)
    now = timezone.now()
    stage = opportunity.stage
    if not stage.active:  # taken out of use since: the nearest stage in use after it
        later = [s for s in stages() if (s.position, s.pk) > (stage.position, stage.pk)]
        stage = later[0] if later else stages()[-1]
    Opportunity.objects.filter(pk=opportunity.pk, status=OpportunityStatus.LOST).update(
        status=OpportunityStatus.OPEN, closed_at=None, loss_reason=None, loss_note="",
        stage=stage, stage_since=now, updated_at=now)
    opportunity.status, opportunity.closed_at = OpportunityStatus.OPEN, None
    opportunity.loss_reason, opportunity.loss_note = None, ""
    opportunity.stage = stage
    # the control points the loss cancelled are the seller's tasks again
    for control in ControlDate.objects.filter(opportunity=opportunity, done_at__isnull=True
                                              ).select_related("task"):
        if control.task is None or control.task.status == TaskStatus.CANCELLED:
            _set_control(opportunity, actor, control.kind, control.on)
    _event(opportunity, actor, "reopen", from_stage=opportunity.stage, note=note)
    next_steps.refresh([opportunity.customer_id])
    _audit(opportunity, actor, "reopen")
    _timeline(opportunity, actor, _("sales opportunity reopened"), note)
    return opportunity


@transaction.atomic
def opportunity_reassign(*, actor: Actor, opportunity_id: Any, owner_id: Any,
                         note: Any = "") -> Opportunity:
    """Given to another seller of the branch (the manager): the open control tasks go
    with it."""
    opportunity = _locked(actor, opportunity_id)
    OPPORTUNITY_FLOW.ensure_can(opportunity, "reassign", actor=actor)
    if _id(owner_id, "owner", _("Choose a seller of the branch.")) is None:
        raise ValidationFailed("required", _("Choose a seller of the branch."), field="owner")
    seller = _seller(actor, owner_id, opportunity.branch)
    if seller.pk == opportunity.owner_id:
        raise ValidationFailed("same", _("The opportunity is this seller's already."),
                               field="owner")
    note = _text(note, "note", TEXT_MAX)
    before = opportunity.owner_id
    Opportunity.objects.filter(pk=opportunity.pk).update(owner=seller,
                                                         updated_at=timezone.now())
    opportunity.owner = seller
    Task.objects.filter(pk__in=ControlDate.objects.filter(
        opportunity=opportunity).values("task_id"),
        status=TaskStatus.OPEN).update(assignee=seller, created_by=seller)
    _event(opportunity, actor, "reassign", note=note or str(seller))
    next_steps.refresh([opportunity.customer_id])
    _audit(opportunity, actor, "reassign", owner=[before, seller.pk])
    return opportunity


@transaction.atomic
def opportunity_update(*, actor: Actor, opportunity_id: Any, title: Any = UNCHANGED,
                       amount: Any = UNCHANGED, expected_close: Any = UNCHANGED,
                       product_id: Any = UNCHANGED, notes: Any = UNCHANGED,
                       campaign_code: Any = UNCHANGED) -> Opportunity:
    """The sale's details: what is sold, the amount, the closing month, notes — those
    given (a field left out stays as it is; an empty one is cleared)."""
    opportunity = _locked(actor, opportunity_id)
    OPPORTUNITY_FLOW.ensure_can(opportunity, "move", actor=actor)
    _ensure_works_on(actor, opportunity)
    given = {"title": (title, lambda v: _text(v, "title", TITLE_MAX, required=True)),
             "amount": (amount, _amount), "expected_close": (expected_close, _month),
             "product": (product_id, lambda v: _product(v, keep=opportunity.product_id)),
             "notes": (notes, lambda v: _text(v, "notes", TEXT_MAX)),
             "campaign_code": (campaign_code, lambda v: _campaign_code(opportunity, v))}
    values = {k: read(v) for k, (v, read) in given.items() if v is not UNCHANGED}
    changes = {k: [str(getattr(opportunity, k) or ""), str(v or "")]
               for k, v in values.items() if getattr(opportunity, k) != v}
    if not changes:
        return opportunity
    for key, value in values.items():
        setattr(opportunity, key, value)
    if "campaign_code" in changes:
        found = referrals.campaign_for(opportunity.branch_id, values["campaign_code"])
        opportunity.campaign_ref = found[1] if found else None
        values["campaign_ref"] = opportunity.campaign_ref
    opportunity.save(update_fields=[*values, "updated_at"])
    _event(opportunity, actor, "edit", note=", ".join(sorted(changes)))
    # what is sold and the notes may name the person: not copied into the audit log
    _audit(opportunity, actor, "edit", **{k: v for k, v in changes.items()
                                          if k not in ("notes", "title")})
    return opportunity


def _campaign_code(opportunity: Opportunity, value: Any) -> str:
    """The code as kept (normalised), checked to run at the opportunity's branch; the
    code already recorded stays even when its campaign has ended since."""
    text = "".join(str(value or "").split()).upper()
    if text and text != opportunity.campaign_code:
        found = referrals.campaign_for(opportunity.branch_id, text)
        return found[0] if found else ""
    return text


def _due(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(DUE_HOUR), tzinfo=WARSAW)


def _task_title(opportunity: Opportunity, kind: str) -> str:
    """In the seller's language (the task is theirs, whoever sets the date)."""
    from django.utils.translation import override

    with override(getattr(opportunity.owner, "language", "") or "pl"):
        return (f"{opportunity.number}: {ControlKind(kind).label} — "
                f"{opportunity.customer}")[:200]


def _cancel_task(control: ControlDate) -> None:
    if control.task_id:
        Task.objects.filter(pk=control.task_id, status=TaskStatus.OPEN).update(
            status=TaskStatus.CANCELLED, updated_at=timezone.now())


def _set_control(opportunity: Opportunity, actor: Actor, kind: str,
                 day: datetime.date | None) -> ControlDate | None:
    """Set (or clear, ``day`` None) one control date and keep its task in step: one
    control date of a kind per opportunity, one open task for it."""
    control = ControlDate.objects.filter(opportunity=opportunity, kind=kind).first()
    if day is None:
        if control is not None:
            _cancel_task(control)
            control.delete()
        return None
    task = control.task if control is not None and control.task_id else None
    moved = task is not None and Task.objects.filter(pk=task.pk, status=TaskStatus.OPEN).update(
        due_at=_due(day), remind_at=_due(day), reminded_at=None, assignee=opportunity.owner,
        updated_at=timezone.now())
    if not moved:  # none yet, or done or cancelled meanwhile: a new task for the new date
        task = Task.objects.create(
            branch_id=opportunity.branch_id, assignee=opportunity.owner,
            created_by=employee_of(actor) or opportunity.owner,
            title=_task_title(opportunity, kind), customer_id=opportunity.customer_id,
            subject_type=SUBJECT, subject_id=str(opportunity.pk), due_at=_due(day),
            remind_at=_due(day))
    if control is None:
        control = ControlDate.objects.create(opportunity=opportunity, kind=kind, on=day,
                                             task=task)
    else:
        ControlDate.objects.filter(pk=control.pk).update(on=day, task=task, done_at=None)
        control.on, control.task = day, task
    return control


def control_kinds(opportunity: Opportunity) -> list[str]:
    """The control points an opportunity may have now: all while open; after a win the
    survey and the next contact, after a loss the retry date and the next contact."""
    if opportunity.status == OpportunityStatus.OPEN:
        return list(ControlKind.values)
    kept = KEPT_WHEN_CLOSED.get(opportunity.status, set())
    return [k for k in ControlKind.values if k in kept]


@transaction.atomic
def control_set(*, actor: Actor, opportunity_id: Any, kind: Any, on: Any) -> ControlDate | None:
    """Set, move or clear (``on`` empty) a control date; its task follows."""
    opportunity = _step(actor, opportunity_id, "control")
    kind = str(kind or "").strip()
    if kind not in control_kinds(opportunity):
        raise ValidationFailed("invalid", _("Choose the control point."), field="kind")
    day = _date(on, "on")
    before = ControlDate.objects.filter(opportunity=opportunity, kind=kind).first()
    if day is None and before is None:
        return None
    control = _set_control(opportunity, actor, kind, day)
    label = str(ControlKind(kind).label)
    _event(opportunity, actor, "control",
           note=f"{label}: {day:%d.%m.%Y}" if day else f"{label}: —")
    _audit(opportunity, actor, "control", kind=kind,
           on=[before.on.isoformat() if before else "", day.isoformat() if day else ""])
    if kind == ControlKind.NEXT_CONTACT:
        next_steps.refresh([opportunity.customer_id])
    return control


@transaction.atomic
def control_done(*, actor: Actor, opportunity_id: Any, kind: Any) -> ControlDate:
    """A control point done (the minutes sent, the survey asked): its task completed."""
    opportunity = _step(actor, opportunity_id, "control")
    control = ControlDate.objects.select_for_update().filter(
        opportunity=opportunity, kind=str(kind or "")).first()
    if control is None:
        raise ValidationFailed("invalid", _("Choose the control point."), field="kind")
    if control.done_at is not None:
        raise Conflict("done", _("This control point is done already."))
    now = timezone.now()
    ControlDate.objects.filter(pk=control.pk, done_at__isnull=True).update(done_at=now)
    control.done_at = now
    if control.task_id:
        Task.objects.filter(pk=control.task_id, status=TaskStatus.OPEN).update(
            status=TaskStatus.DONE, done_at=now, progress=100, updated_at=now)
    label = str(ControlKind(control.kind).label)
    _event(opportunity, actor, "control_done", note=label)
    _audit(opportunity, actor, "control_done", kind=control.kind)
    if control.kind == ControlKind.NEXT_CONTACT:
        next_steps.refresh([opportunity.customer_id])
    return control


def tell_sellers_without_next_step(day: datetime.date) -> int:
    """The daily check: a notification to each seller with customers who have no next
    step, once per seller and day; how many were told."""
    from django.utils.translation import ngettext

    from punkt.core.access import SystemActor
    from punkt.work.services import notify

    counts = selectors.without_next_step_counts(user=SystemActor("pipeline"))
    url = reverse("pipeline:between_sales")
    for owner_id, count in counts.items():
        def title(n: int = count) -> str:
            return ngettext("%(n)d of your customers has no next step",
                            "%(n)d of your customers have no next step", n) % {"n": n}

        notify(recipient=owner_id, kind="pipeline.no_next_step", title=title, url=url,
               key=f"pipeline.no_next_step:{owner_id}:{day.isoformat()}")
    return len(counts)


def allowed_actions(opportunity: Opportunity, user: Any) -> list[str]:
    """The steps ``user`` may take now: the table's, for the owner or the manager only
    (others see the sale), a win only at the last stage."""
    actions = OPPORTUNITY_FLOW.allowed_actions(opportunity, user)
    if not actions:
        return []
    try:
        _ensure_works_on(user, opportunity)
    except ActionDenied:
        return []
    if "win" in actions:
        last = stages()
        if not last or last[-1].pk != opportunity.stage_id:
            actions.remove("win")
    return actions


def may_work_on(user: Any, opportunity: Opportunity) -> bool:
    me = employee_of(user)
    return (me is not None and me.pk == opportunity.owner_id) or org_perms.can(
        user, perms.OPPORTUNITY_MANAGE.code, opportunity.branch_id)
