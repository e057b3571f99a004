"""The company's sales stages and reasons of refusal, kept by HQ (R11.2): each stage's
name, place, probability (the weighted forecast) and what it requires before it is left;
each stage's reasons of refusal and those of any stage. A stage with open opportunities
cannot be taken out of use; a stage or reason once used is never deleted (the funnel's
history names it), only taken out of use. Changes are audited and apply at once."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, ValidationFailed
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor
from punkt.pipeline import permissions as perms
from punkt.pipeline.models import LossReason, Opportunity, OpportunityStatus, Requirement, Stage

NAME_MAX = 80
REASON_MAX = 120
CODE = re.compile(r"^[a-z][a-z0-9_-]{0,29}$")


def _flag(value: Any) -> bool:
    return value in (True, "1", "on", "true", "yes")


def _number(value: Any, field: str, low: int, high: int, message: str) -> int:
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise ValidationFailed("invalid", message, field=field)
    return int(text)


def _stage_of(stage_id: Any) -> Stage:
    try:
        pk = int(str(stage_id))
    except (TypeError, ValueError):
        raise ValidationFailed("invalid", _("Choose a stage."), field="stage") from None
    stage = Stage.objects.select_for_update().filter(pk=pk).first()
    if stage is None:
        raise ValidationFailed("invalid", _("Choose a stage."), field="stage")
    return stage


@transaction.atomic
def stage_save(*, actor: Actor, stage_id: Any = None, code: Any = "", name: Any,
               position: Any, probability: Any, requires: Any = (), active: Any = True
               ) -> Stage:
    """A new stage (``stage_id`` None, with its ``code``) or a changed one."""
    org_perms.ensure(actor, perms.STAGE_MANAGE.code)
    name = str(name or "").strip()
    if not name:
        raise ValidationFailed("required", _("Give the stage a name."), field="name")
    if len(name) > NAME_MAX:
        raise ValidationFailed("too_long", _("At most %(n)d characters.") % {"n": NAME_MAX},
                               field="name")
    place = _number(position, "position", 0, 1000, _("Give the place as a number 0–1000."))
    chance = _number(probability, "probability", 0, 100,
                     _("Give the probability as a whole percent 0–100."))
    wanted = [str(r) for r in (requires or [])]
    unknown = [r for r in wanted if r not in Requirement.values]
    if unknown:
        raise ValidationFailed("invalid", _("Unknown requirement: %(what)s.") % {
            "what": ", ".join(unknown)}, field="requires")
    wanted = [r for r in Requirement.values if r in wanted]  # the catalogue's order, once
    in_use = _flag(active)
    if stage_id in (None, ""):
        code = str(code or "").strip()
        if not CODE.match(code):
            raise ValidationFailed("invalid", _("The code: lower-case letters, digits, - and _ "
                                                "(at most 30), starting with a letter."),
                                   field="code")
        if Stage.objects.filter(code=code).exists():
            raise ValidationFailed("taken", _("A stage with this code exists."), field="code")
        stage = Stage.objects.create(code=code, name=name, position=place, probability=chance,
                                     requires=wanted, active=in_use)
        audit_record(action="pipeline.stage.create", obj=stage, actor=actor,
                     changes={"code": code, "name": name, "requires": wanted})
        return stage
    stage = _stage_of(stage_id)
    if stage.active and not in_use:
        waiting = Opportunity.objects.filter(stage=stage,
                                             status=OpportunityStatus.OPEN).count()
        if waiting:
            raise Conflict("stage_in_use", ngettext(
                "%(n)d open opportunity is at this stage: move it first.",
                "%(n)d open opportunities are at this stage: move them first.", waiting)
                % {"n": waiting})
    before = {"name": stage.name, "position": stage.position,
              "probability": stage.probability, "requires": list(stage.requires or []),
              "active": stage.active}
    after = {"name": name, "position": place, "probability": chance, "requires": wanted,
             "active": in_use}
    changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    if changes:
        for key, value in after.items():
            setattr(stage, key, value)
        stage.save(update_fields=list(after))
        audit_record(action="pipeline.stage.update", obj=stage, actor=actor, changes=changes)
    if not Stage.objects.filter(active=True).exists():
        raise Conflict("no_stage", _("At least one stage must stay in use."))
    return stage


@transaction.atomic
def reason_save(*, actor: Actor, reason_id: Any = None, stage_id: Any = None, label: Any,
                active: Any = True) -> LossReason:
    """A new reason of refusal (of a stage, or of any stage when ``stage_id`` is empty) or
    a changed one."""
    org_perms.ensure(actor, perms.STAGE_MANAGE.code)
    label = str(label or "").strip()
    if not label:
        raise ValidationFailed("required", _("Write the reason."), field="label")
    if len(label) > REASON_MAX:
        raise ValidationFailed("too_long", _("At most %(n)d characters.") % {"n": REASON_MAX},
                               field="label")
    if reason_id in (None, ""):
        stage = None if stage_id in (None, "") else _stage_of(stage_id)
        if LossReason.objects.filter(stage=stage, label=label).exists():
            raise ValidationFailed("taken", _("This reason is on the list already."),
                                   field="label")
        last = LossReason.objects.filter(stage=stage).order_by("-position").first()
        row = LossReason.objects.create(stage=stage, label=label, active=_flag(active),
                                        position=(last.position + 1) if last else 1)
        audit_record(action="pipeline.reason.create", obj=row, actor=actor,
                     changes={"stage": getattr(stage, "code", ""), "label": label})
        return row
    try:
        row = LossReason.objects.select_for_update().get(pk=int(str(reason_id)))
    except (ValueError, LossReason.DoesNotExist):
        raise ValidationFailed("invalid", _("Choose the reason."), field="reason") from None
    changes = {}
    if row.label != label:
        changes["label"] = [row.label, label]
    if row.active != _flag(active):
        changes["active"] = [row.active, _flag(active)]
    if changes:
        row.label, row.active = label, _flag(active)
        row.save(update_fields=["label", "active"])
        audit_record(action="pipeline.reason.update", obj=row, actor=actor, changes=changes)
    return row


def all_stages() -> list[Stage]:
    """Every stage, in use or not, with its reasons (for the settings page)."""
    stages = list(Stage.objects.order_by("position", "id").prefetch_related("loss_reasons"))
    return stages


def any_stage_reasons() -> list[LossReason]:
    return list(LossReason.objects.filter(stage__isnull=True).order_by("position", "id"))
