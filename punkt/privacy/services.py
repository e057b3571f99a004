"""The breach log (GDPR art. 33): record a breach, then the notification to UODO within
72 hours of discovery (or why none is required), then close it. Every change audited."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.core.audit import audit_record, diff, snapshot
from punkt.core.errors import ValidationFailed
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.privacy import permissions as perms
from punkt.privacy.models import Breach, BreachStatus, notify_hours
from punkt.privacy.workflows import BREACH_FLOW

#: Largest count accepted for subjects or records (a typo guard, not a legal limit).
MAX_COUNT = 100_000_000
AUDITED = ["title", "description", "data_categories", "subjects_count", "records_count",
           "consequences", "measures", "status", "notified_at", "authority_reference",
           "late_reason", "not_required_reason", "subjects_informed_at", "closed_at"]


def _text(value: Any, field: str, limit: int, *, required: bool = True,
          message: str = "") -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed("required", message or _("This field is required."), field=field)
    if len(text) > limit:
        raise ValidationFailed("too_long", _("At most %(n)d characters.") % {"n": limit},
                               field=field)
    return text


def _count(value: Any, field: str, *, required: bool = True) -> int | None:
    if value in (None, ""):
        if required:
            raise ValidationFailed("required", _("Give the number (an estimate is fine)."),
                                   field=field)
        return None
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise ValidationFailed("invalid", _("Enter a whole number."), field=field) from None
    if isinstance(value, bool) or not 0 <= number <= MAX_COUNT:
        raise ValidationFailed("invalid", _("Enter a number from 0 to %(max)s.")
                               % {"max": f"{MAX_COUNT:,}".replace(",", " ")}, field=field)
    return number


def _moment(value: Any, field: str, *, required: bool = True,
            not_before: datetime.datetime | None = None) -> datetime.datetime | None:
    """A past moment; a naive one is local (Warsaw) time."""
    if value in (None, ""):
        if required:
            raise ValidationFailed("required", _("Give the date and time."), field=field)
        return None
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationFailed("invalid", _("Enter a date and time."), field=field) from None
    if not isinstance(value, datetime.datetime):
        raise ValidationFailed("invalid", _("Enter a date and time."), field=field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    try:  # any offset Python allows (±23:59) to UTC: PostgreSQL refuses some of them
        value = value.astimezone(datetime.UTC)
    except OverflowError:
        raise ValidationFailed("invalid", _("Enter a date and time."), field=field) from None
    if value > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationFailed("invalid", _("This moment is in the future."), field=field)
    if value.year < 2000:
        raise ValidationFailed("invalid", _("Enter a date and time."), field=field)
    if not_before is not None and value < not_before:
        raise ValidationFailed("invalid", _("This cannot be before the breach was discovered."),
                               field=field)
    return value


@transaction.atomic
def breach_record(*, actor: Actor, discovered_at: Any, title: str, description: str,
                  data_categories: str, subjects_count: Any, measures: str,
                  occurred_at: Any = None, records_count: Any = None,
                  consequences: str = "") -> Breach:
    """Record a breach; the 72-hour clock runs from its discovery (GDPR art. 33(1))."""
    org_perms.ensure(actor, perms.BREACH_MANAGE.code)
    discovered = _moment(discovered_at, "discovered_at")
    assert discovered is not None
    subjects = _count(subjects_count, "subjects_count")
    assert subjects is not None
    occurred = _moment(occurred_at, "occurred_at", required=False)
    if occurred is not None and occurred > discovered:
        raise ValidationFailed("invalid", _("A breach cannot occur after it was discovered."),
                               field="occurred_at")
    breach = Breach(
        number="", discovered_at=discovered, occurred_at=occurred,
        title=_text(title, "title", 200),
        description=_text(description, "description", 5000),
        data_categories=_text(data_categories, "data_categories", 500),
        subjects_count=subjects,
        records_count=_count(records_count, "records_count", required=False),
        consequences=_text(consequences, "consequences", 5000, required=False),
        measures=_text(measures, "measures", 5000),
        notify_by=discovered + datetime.timedelta(hours=notify_hours()),
        created_by=employee_of(actor))
    breach.save()
    breach.number = f"NO/{discovered.year}/{breach.pk:04d}"
    breach.save(update_fields=["number"])
    audit_record(action="privacy.breach.record", obj=breach, actor=actor,
                 changes=diff({}, snapshot(breach, AUDITED)))
    return breach


def _locked(breach_id: int) -> Breach:
    return Breach.objects.locked(breach_id, missing=_("Breach not found."))


@transaction.atomic
def breach_notify(*, actor: Actor, breach_id: int, notified_at: Any = None,
                  authority_reference: str = "", late_reason: str = "") -> Breach:
    """The notification was sent to UODO; after 72 hours it must give the reasons for the
    delay (art. 33(1))."""
    breach = _locked(breach_id)
    t = BREACH_FLOW.ensure_can(breach, "notify", actor=actor)
    before = snapshot(breach, AUDITED)
    moment = _moment(notified_at or timezone.now(), "notified_at",
                     not_before=breach.discovered_at)
    assert moment is not None
    late = _text(late_reason, "late_reason", 5000, required=moment > breach.notify_by,
                 message=_("The notification is later than %(h)d hours after discovery: give "
                           "the reasons for the delay (GDPR art. 33(1)).")
                 % {"h": notify_hours()})
    updated = Breach.objects.filter(pk=breach.pk, status=BreachStatus.OPEN).update(
        status=t.target, notified_at=moment, late_reason=late,
        authority_reference=_text(authority_reference, "authority_reference", 100,
                                  required=False))
    assert updated == 1
    breach.refresh_from_db()
    audit_record(action="privacy.breach.notify", obj=breach, actor=actor,
                 changes=diff(before, snapshot(breach, AUDITED)))
    return breach


@transaction.atomic
def breach_not_required(*, actor: Actor, breach_id: int, reason: str) -> Breach:
    """The breach is unlikely to result in a risk to people: no notification, but the
    reasoning stays documented (art. 33(5))."""
    breach = _locked(breach_id)
    t = BREACH_FLOW.ensure_can(breach, "not_required", actor=actor)
    before = snapshot(breach, AUDITED)
    text = _text(reason, "reason", 5000, message=_(
        "Say why the breach is unlikely to result in a risk to people's rights."))
    Breach.objects.filter(pk=breach.pk, status=BreachStatus.OPEN).update(
        status=t.target, not_required_reason=text)
    breach.refresh_from_db()
    audit_record(action="privacy.breach.not_required", obj=breach, actor=actor,
                 changes=diff(before, snapshot(breach, AUDITED)))
    return breach


@transaction.atomic
def breach_close(*, actor: Actor, breach_id: int, measures: str = "",
                 subjects_informed_at: Any = None) -> Breach:
    breach = _locked(breach_id)
    t = BREACH_FLOW.ensure_can(breach, "close", actor=actor)
    before = snapshot(breach, AUDITED)
    fields: dict[str, Any] = {"status": t.target, "closed_at": timezone.now()}
    if measures and str(measures).strip():
        fields["measures"] = _text(measures, "measures", 5000)
    informed = _moment(subjects_informed_at, "subjects_informed_at", required=False,
                       not_before=breach.discovered_at)
    if informed is not None:
        fields["subjects_informed_at"] = informed
    Breach.objects.filter(pk=breach.pk, status=breach.status).update(**fields)
    breach.refresh_from_db()
    audit_record(action="privacy.breach.close", obj=breach, actor=actor,
                 changes=diff(before, snapshot(breach, AUDITED)))
    return breach
