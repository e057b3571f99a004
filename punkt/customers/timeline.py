"""The customer timeline: one interface through which every area adds its events.

``timeline_add`` is called inside the caller's transaction (a contract approval, a
payment, a complaint answer …) with ``source`` = the object the entry is about, so the
profile can link to it. Staff add notes and log contacts through ``note_add`` and
``contact_log``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.core import batch
from punkt.core.audit import audit_record
from punkt.core.errors import NotFound, ValidationFailed
from punkt.customers import permissions as perms
from punkt.customers.models import (
    CONTACT_KINDS,
    Customer,
    CustomerStatus,
    Direction,
    TimelineEntry,
    TimelineKind,
)
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of

MAX_BODY = 10_000


#: Buttons later areas put on an active customer's profile: ``f(user, customer)`` returns
#: ``(label, url)`` or None (e.g. "New offer" from contracts).
PROFILE_ACTIONS: list[Any] = []


def register_profile_action(action: Any) -> Any:
    PROFILE_ACTIONS.append(action)
    return action


def profile_actions(user: Actor, customer: Customer) -> list[tuple[Any, str]]:
    found = (action(user, customer) for action in PROFILE_ACTIONS) if customer.is_active else ()
    return [a for a in found if a]


PROFILE_FACTS: list[Any] = []


def register_profile_fact(fact: Any) -> Any:
    """A later area's line in the profile's details: ``fact(user, customer)`` returns
    ``(label, text)`` or None."""
    PROFILE_FACTS.append(fact)
    return fact


def profile_facts(user: Actor, customer: Customer) -> list[tuple[Any, str]]:
    found = (fact(user, customer) for fact in PROFILE_FACTS)
    return [f for f in found if f]


def register_kind(kind: str, label: Any, *, contact: bool = False) -> None:
    """A later area's entry kind (``contract``, ``payment``, ``complaint`` …) and its label;
    ``contact``: an entry of this kind is a contact with the customer (product help at the
    counter), counted among "my recent contacts", not a system event."""
    from punkt.customers.models import CONTACT_KIND_SET, KIND_LABELS

    KIND_LABELS[kind] = label
    if contact:
        CONTACT_KIND_SET.add(kind)
    else:
        CONTACT_KIND_SET.discard(kind)


def contact_kinds() -> list[str]:
    """The kinds that are contacts with the customer, sorted."""
    from punkt.customers.models import CONTACT_KIND_SET

    return sorted(CONTACT_KIND_SET)


def timeline_add(*, customer_id: int, kind: str, subject: str = "", body: str = "",
                 actor: Actor | None = None, branch_id: int | None = None,
                 occurred_at: datetime.datetime | None = None, direction: str = "",
                 source: models.Model | None = None) -> TimelineEntry:
    """Append an entry; permission checks are the caller's (it is inside their service)."""
    return batch.add(TimelineEntry(
        customer_id=customer_id, kind=kind, subject=subject[:200], body=body[:MAX_BODY],
        actor=employee_of(actor), branch_id=branch_id,
        occurred_at=occurred_at or timezone.now(), direction=direction,
        source_type=source._meta.label_lower if source is not None else "",
        source_id=str(source.pk) if source is not None else ""))


def _customer_for_entry(actor: Actor, customer_id: int) -> Customer:
    customer = Customer.objects.filter(pk=customer_id).only("pk", "branch_id", "status").first()
    if customer is None:
        raise NotFound(_("Customer not found."))
    org_perms.ensure(actor, perms.TIMELINE_ADD.code, customer.branch_id)
    if customer.status != CustomerStatus.ACTIVE:
        raise ValidationFailed("not_active", _("This customer record is closed."))
    return customer


def _clean_text(text: str, field: str, *, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationFailed("required", _("Write the note first."), field=field)
    if len(text) > MAX_BODY:
        raise ValidationFailed("too_long", _("A note may have at most %(n)d characters.")
                               % {"n": MAX_BODY}, field=field)
    return text


@transaction.atomic
def note_add(*, actor: Actor, customer_id: int, body: str) -> TimelineEntry:
    customer = _customer_for_entry(actor, customer_id)
    body = _clean_text(body, "body", required=True)
    entry = timeline_add(customer_id=customer.pk, kind=TimelineKind.NOTE, body=body,
                         actor=actor, branch_id=customer.branch_id)
    audit_record(action="customers.timeline.note", obj=customer, actor=actor,
                 branch_id=customer.branch_id)
    return entry


@transaction.atomic
def contact_log(*, actor: Actor, customer_id: int, kind: str, direction: str = Direction.INBOUND,
                subject: str = "", body: str = "",
                occurred_at: datetime.datetime | None = None) -> TimelineEntry:
    """Log a visit, call, e-mail, letter or SMS that happened (now, or earlier today …)."""
    customer = _customer_for_entry(actor, customer_id)
    if kind not in CONTACT_KINDS:
        raise ValidationFailed("invalid", _("Choose the kind of contact: visit, call, e-mail, "
                                            "letter or SMS."), field="kind")
    if direction not in Direction.values:
        raise ValidationFailed("invalid", _("Choose the direction: from or to the customer."),
                               field="direction")
    subject = " ".join((subject or "").split())
    if len(subject) > 200:
        raise ValidationFailed("too_long", _("Subject may have at most 200 characters."),
                               field="subject")
    body = _clean_text(body, "body", required=False)
    now = timezone.now()
    if occurred_at is not None:
        if timezone.is_naive(occurred_at):
            occurred_at = timezone.make_aware(occurred_at)
        if occurred_at > now + datetime.timedelta(minutes=5):
            raise ValidationFailed("invalid", _("A contact cannot be logged in the future."),
                                   field="occurred_at")
        if occurred_at < now - datetime.timedelta(days=366):
            raise ValidationFailed("invalid", _("A contact may be logged up to a year back."),
                                   field="occurred_at")
    entry = timeline_add(customer_id=customer.pk, kind=kind, subject=subject, body=body,
                         actor=actor, branch_id=customer.branch_id, occurred_at=occurred_at,
                         direction=direction)
    audit_record(action="customers.timeline.contact", obj=customer, actor=actor,
                 branch_id=customer.branch_id, message=kind)
    return entry
