"""Ticket types and their SLA targets (R9.2), kept by HQ: what a ticket is about, the team
new tickets of the type go to, how much it weighs (R9.4), and per priority the working
time to the first response and to the resolution.

Targets are typed as working hours and minutes (``2:30``, ``8``, ``0:45``); a priority
left empty uses the company's default (``services.DEFAULT_TARGETS``). Changed targets
apply to tickets opened afterwards: a ticket's deadlines are fixed when it is opened.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from punkt.core.audit import audit_record
from punkt.core.errors import ValidationFailed
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor
from punkt.servicedesk import permissions as perms
from punkt.servicedesk import weighty
from punkt.servicedesk.models import Priority, SlaTarget, Team, TicketType
from punkt.servicedesk.services import DEFAULT_TARGETS, NAME_MAX, _id, _text

#: the longest target: a year of eight-hour working days
MAX_MINUTES = 260 * 8 * 60
WEIGHT_MAX = 10


def parse_duration(text: Any, field: str) -> int | None:
    """``"2:30"`` → 150 working minutes, ``"8"`` → 480; empty → None. Refusals name
    ``field``."""
    value = str(text if text is not None else "").strip().replace(" ", "")
    if not value:
        return None
    hours, colon, minutes = value.partition(":")
    bad = ValidationFailed("invalid", _("Write working hours as 2:30 (hours:minutes) or 8."),
                           field=field)
    if not hours.isascii() or not hours.isdigit() or (
            colon and not (len(minutes) == 2 and minutes.isascii() and minutes.isdigit())):
        raise bad
    total = int(hours) * 60 + (int(minutes) if colon else 0)
    if colon and int(minutes) >= 60:
        raise bad
    if not 0 < total <= MAX_MINUTES:
        raise ValidationFailed("out_of_range", _("More than 0 and at most %(n)d hours.")
                               % {"n": MAX_MINUTES // 60}, field=field)
    return total


def format_duration(minutes: int | None) -> str:
    if not minutes:
        return ""
    return f"{minutes // 60}:{minutes % 60:02d}"


@dataclass(frozen=True)
class TargetRow:
    """One priority's targets as the page shows them (typed or the default)."""

    priority: str
    label: str
    first: str
    resolve: str
    default_first: str
    default_resolve: str


def target_rows(ticket_type: TicketType | None,
                typed: Mapping[str, tuple[str, str]] | None = None) -> list[TargetRow]:
    stored: dict[str, tuple[int, int]] = {}
    if ticket_type is not None:
        stored = {t.priority: (t.first_response_minutes, t.resolution_minutes)
                  for t in ticket_type.targets.all()}
    rows = []
    for value, label in reversed(Priority.choices):  # urgent first
        first, resolve = stored.get(value, (0, 0))
        if typed is not None:
            shown = typed.get(value, ("", ""))
        else:
            shown = (format_duration(first), format_duration(resolve))
        default = DEFAULT_TARGETS[value]
        rows.append(TargetRow(value, str(label), shown[0], shown[1],
                              format_duration(default[0]), format_duration(default[1])))
    return rows


@transaction.atomic
def type_save(*, actor: Actor, name: Any, default_team_id: Any = None, weight: Any = 1,
              amount_threshold: Any = None, is_active: bool = True,
              targets: Mapping[str, tuple[Any, Any]] | None = None,
              type_id: Any = None) -> TicketType:
    """Create a ticket type or change it, with its targets per priority
    (``{"urgent": ("1:00", "8:00"), …}``; both empty: the default)."""
    org_perms.ensure(actor, perms.TYPE_MANAGE.code)
    name = _text(name, "name", NAME_MAX, required=True)
    team = None
    if default_team_id not in (None, ""):
        team = Team.objects.filter(pk=_id(default_team_id, "default_team",
                                           _("Choose a team.")), is_active=True).first()
        if team is None:
            raise ValidationFailed("invalid", _("Choose a team."), field="default_team")
    try:
        level = int(str(weight).strip() or "1")
    except ValueError:
        level = 0
    if not 1 <= level <= WEIGHT_MAX:
        raise ValidationFailed("invalid", _("A whole number from 1 to %(n)d.")
                               % {"n": WEIGHT_MAX}, field="weight")
    threshold = weighty.parse_amount(amount_threshold, field="amount_threshold")
    wanted = _targets(targets or {})
    if TicketType.objects.filter(name__iexact=name).exclude(pk=type_id or 0).exists():
        raise ValidationFailed("taken", _("A ticket type of this name exists."), field="name")
    fields = {"name": name, "default_team": team, "weight": level,
              "amount_threshold": threshold, "is_active": bool(is_active)}
    if type_id in (None, ""):
        row = TicketType.objects.create(**fields)
        before: dict[str, Any] = {}
        action = "servicedesk.type.create"
    else:
        row = TicketType.objects.locked(type_id, missing=_("Ticket type not found."))
        before = {"name": row.name, "default_team": row.default_team_id, "weight": row.weight,
                  "amount_threshold": _text_of(row.amount_threshold),
                  "is_active": row.is_active, "targets": _stored(row)}
        TicketType.objects.filter(pk=row.pk).update(**fields)
        row.refresh_from_db()
        action = "servicedesk.type.change"
    SlaTarget.objects.filter(type=row).exclude(priority__in=wanted).delete()
    for priority, (first, resolve) in wanted.items():
        SlaTarget.objects.update_or_create(type=row, priority=priority, defaults={
            "first_response_minutes": first, "resolution_minutes": resolve})
    after = {"name": name, "default_team": getattr(team, "pk", None), "weight": level,
             "amount_threshold": _text_of(threshold), "is_active": bool(is_active),
             "targets": {k: list(v) for k, v in wanted.items()}}
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if changes:
        audit_record(action=action, obj=row, actor=actor, changes=changes)
    return row


def _targets(typed: Mapping[str, tuple[Any, Any]]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for priority in Priority.values:
        first_text, resolve_text = typed.get(priority, ("", ""))
        first = parse_duration(first_text, f"first_{priority}")
        resolve = parse_duration(resolve_text, f"resolve_{priority}")
        if first is None and resolve is None:
            continue  # the default
        if first is None or resolve is None:
            raise ValidationFailed(
                "required", _("Give both targets of the priority, or neither (the default)."),
                field=f"first_{priority}" if first is None else f"resolve_{priority}")
        if resolve < first:
            raise ValidationFailed(
                "invalid", _("The resolution cannot come before the first response."),
                field=f"resolve_{priority}")
        out[priority] = (first, resolve)
    return out


def _stored(row: TicketType) -> dict[str, list[int]]:
    return {t.priority: [t.first_response_minutes, t.resolution_minutes]
            for t in SlaTarget.objects.filter(type=row)}


def _text_of(amount: Any) -> str | None:
    return None if amount is None else str(amount)
