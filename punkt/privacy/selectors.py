"""Reads of the breach log (HQ-wide: guarded by the global action, no branch scope)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from punkt.organization import permissions as org_perms
from punkt.privacy import permissions as perms
from punkt.privacy.models import Breach, BreachStatus


def breaches(*, user: Any, status: str = "") -> QuerySet[Breach]:
    org_perms.ensure(user, perms.BREACH_MANAGE.code)
    qs = Breach.objects.all()
    if status in BreachStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-discovered_at", "-pk")


def breach(*, user: Any, breach_id: int) -> Breach:
    org_perms.ensure(user, perms.BREACH_MANAGE.code)
    return Breach.objects.get_or_not_found(breach_id, missing=_("Breach not found."))


def open_breaches() -> QuerySet[Breach]:
    """Breaches still waiting for the decision to notify, most urgent first."""
    return Breach.objects.filter(status=BreachStatus.OPEN).order_by("notify_by", "pk")
