"""Writing the audit log. Services call :func:`audit_record` inside their transaction."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.db import models

from punkt.core import batch, context
from punkt.core.models import AuditEvent, AuditOutcome

# Field names whose values never reach the audit log in clear.
SECRET_FIELDS = {"password", "token", "key", "key_hash", "secret"}


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (datetime.date, datetime.time, datetime.datetime, decimal.Decimal)):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields that changed, as ``{field: [old, new]}``, secrets hidden."""
    out: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = _plain(before.get(key)), _plain(after.get(key))
        if old != new:
            if key in SECRET_FIELDS:
                old, new = "***", "***"
            out[key] = [old, new]
    return out


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    return {f: _plain(getattr(obj, f)) for f in fields}


def _repr(obj: models.Model | None) -> str:
    """How the row names its object; models holding personal data give a number instead
    (``audit_repr``), so erasure never has to touch the append-only log."""
    if obj is None:
        return ""
    label = getattr(obj, "audit_repr", None)
    return (label() if callable(label) else str(obj))[:200]


def audit_refusal(exc: Any, *, actor: Any, where: str) -> AuditEvent:
    """Audit a refused action (an ``ActionDenied``); called by the interface that caught it,
    outside the service's rolled-back transaction."""
    branch_id = exc.branch_id
    if branch_id is not None and not 0 < branch_id < 2**63:  # a made-up id in a URL
        branch_id = None
    return audit_record(action=exc.action or "unknown", actor=actor, branch_id=branch_id,
                        outcome=AuditOutcome.DENIED, message=f"{where}: {exc.message}")


def audit_record(
    *,
    action: str,
    obj: models.Model | None = None,
    actor: Any = None,
    branch_id: int | None = None,
    changes: dict[str, Any] | None = None,
    outcome: str = AuditOutcome.OK,
    message: str = "",
    actor_label: str = "",
) -> AuditEvent:
    ctx = context.current()
    if actor is None:
        actor = ctx.actor
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if actor is not None and getattr(actor, "pk", None) is None:  # SystemActor
        actor_label = actor_label or str(actor)
        actor = None
    return batch.add(AuditEvent(
        actor=actor,
        actor_label=actor_label or (getattr(actor, "email", "") if actor else ctx.channel),
        branch_id=branch_id,
        ip=ctx.ip,
        request_id=ctx.request_id,
        channel=ctx.channel,
        action=action,
        outcome=outcome,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=_repr(obj),
        changes=changes or {},
        message=message[:2000],
    ))


def audit_erase(qs: Any) -> int:
    """Empty the changed values and the message of these rows (GDPR erasure of a
    customer's data); who did what and when stays. The one UPDATE the append-only guard
    lets through (``erasable`` in ``punkt/core/migrations/0005_…``)."""
    return models.QuerySet.update(qs, changes={}, message="")


def audit_expire(before: datetime.datetime, *, limit: int = 10_000) -> int:
    """Delete up to ``limit`` rows older than ``before`` (the retention purge; the database
    refuses rows younger than its floor, see ``punkt/core/migrations/0005_…``)."""
    ids = list(AuditEvent.objects.filter(at__lt=before).order_by("at")
               .values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    return models.QuerySet.delete(AuditEvent.objects.filter(pk__in=ids))[0]
