"""Customer segments and their ideal product sets (R12.1, R12.2): HQ's definitions, who
belongs where, and the services that change them (``docs/analytics.md`` "Segments").

A segment's ``rules`` name fields of the customer's segmentation (seed 003, R2.1) and the
values each may take: a customer matches when every field named holds one of its values.
Segments are an **ordered list and the first matching one wins**: a customer matching
several belongs to the first only, one matching none to no segment. So each customer has
at most one ideal set, maturity is one number, and the matrices of all segments add up to
the customers segmented, never counting one twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punkt.analytics import permissions as perms
from punkt.analytics.models import Segment, SegmentProduct
from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.customers.models import (
    AgeBand,
    CompanySize,
    Customer,
    CustomerKind,
    Education,
    IncomeBand,
    MainCustomerType,
    Vehicle,
)
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of

#: The customer's fields a rule may look at: (label, choices — None for free text).
FIELDS: dict[str, tuple[Any, Any]] = {
    "kind": (gettext_lazy("Customer type"), CustomerKind.choices),
    "company_size": (gettext_lazy("Company size"), CompanySize.choices),
    "main_customer_type": (gettext_lazy("Main customer type"), MainCustomerType.choices),
    "industry": (gettext_lazy("Industry"), None),
    "age_band": (gettext_lazy("Age band"), AgeBand.choices),
    "education": (gettext_lazy("Education"), Education.choices),
    "income_band": (gettext_lazy("Income band"), IncomeBand.choices),
    "vehicle": (gettext_lazy("Vehicle"), Vehicle.choices),
}
NAME_MAX = 120
#: at most this many products in an ideal set (the matrix's columns)
TARGETS_MAX = 20
#: at most this many segments (each one is a branch of one CASE in the queries)
SEGMENTS_MAX = 50
VALUE_MAX = Decimal("9999999999.99")


# --- rules ------------------------------------------------------------------------------

def clean_rules(raw: Any) -> dict[str, list[str]]:
    """``{field: [values]}`` checked against :data:`FIELDS`: known fields only, choices from
    their lists, free text (industry) trimmed; empty fields dropped. At least one field."""
    if not isinstance(raw, dict):
        raise ValidationFailed("invalid", _("The rules must name fields and their values."),
                               field="rules")
    out: dict[str, list[str]] = {}
    for name, values in raw.items():
        if name not in FIELDS:
            raise ValidationFailed("invalid", _("Unknown field: %(name)s.") % {"name": name},
                                   field="rules")
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, (list, tuple)):
            raise ValidationFailed("invalid", _("Give the values of %(name)s as a list.")
                                   % {"name": FIELDS[name][0]}, field=name)
        choices = FIELDS[name][1]
        kept: list[str] = []
        for value in values:
            text = " ".join(str(value or "").split())[:100]
            if not text:
                continue
            if choices is not None and text not in {c for c, _label in choices}:
                raise ValidationFailed("invalid", _("Unknown value of %(name)s: %(value)s.")
                                       % {"name": FIELDS[name][0], "value": text}, field=name)
            if text.casefold() not in {k.casefold() for k in kept}:
                kept.append(text)
        if kept:
            if choices is not None:  # the list's own order, once
                kept = [c for c, _label in choices if c in kept]
            out[name] = kept[:50]
    if not out:
        raise ValidationFailed("required", _("Choose at least one value of one field."),
                               field="rules")
    return {name: out[name] for name in FIELDS if name in out}


def rules_q(rules: dict[str, list[str]]) -> Q:
    """Every field named holds one of its values (industry compared without case)."""
    q = Q()
    for name, values in rules.items():
        if name not in FIELDS or not values:
            continue
        if FIELDS[name][1] is None:
            one = Q()
            for value in values:
                one |= Q(**{f"{name}__iexact": value})
            q &= one
        else:
            q &= Q(**{f"{name}__in": list(values)})
    return q


def rules_text(rules: dict[str, list[str]]) -> str:
    """The rules in words: "Customer type: Company; Company size: Small (10–49), …"."""
    parts = []
    for name, values in rules.items():
        if name not in FIELDS:
            continue
        label, choices = FIELDS[name]
        names = dict(choices or [])
        parts.append(f"{label}: " + ", ".join(str(names.get(v, v)) for v in values))
    return "; ".join(parts)


def ordered() -> list[Segment]:
    return list(Segment.objects.order_by("position", "id"))


def membership_q(segment: Segment, segments: Sequence[Segment]) -> Q:
    """Customers of ``segment``: its rules and none of the segments before it in
    ``segments`` (the ordered list) — the first matching segment wins. The fields are
    never NULL, so the negation is exact."""
    q = rules_q(segment.rules)
    for earlier in segments:
        if earlier.pk == segment.pk:
            break
        q &= ~rules_q(earlier.rules)
    return q


def segment_of(customer: Any, segments: Sequence[Segment] | None = None) -> Segment | None:
    """The customer's segment (the first whose rules it matches), in Python."""
    for segment in ordered() if segments is None else segments:
        if _matches(customer, segment.rules):
            return segment
    return None


def _matches(customer: Any, rules: dict[str, list[str]]) -> bool:
    for name, values in rules.items():
        have = str(getattr(customer, name, "") or "")
        if FIELDS.get(name, (None, None))[1] is None:
            if have.casefold() not in {v.casefold() for v in values}:
                return False
        elif have not in values:
            return False
    return True


def members(user: Actor, segment: Segment, segments: Sequence[Segment], *,
            branch_id: int | None = None) -> QuerySet[Customer]:
    """The active customers of ``segment`` that ``user`` may see (one branch if given)."""
    return (Customer.objects.visible_to(user, perms.SEGMENTS_VIEW, branch_id=branch_id)
            .active().filter(membership_q(segment, segments)))


# --- services (HQ) -----------------------------------------------------------------------

def _segment(segment_id: Any) -> Segment:
    return Segment.objects.locked(segment_id, missing=_("Segment not found."))


def _name(raw: Any) -> str:
    name = " ".join(str(raw or "").split())
    if not name:
        raise ValidationFailed("required", _("Give the segment a name."), field="name")
    if len(name) > NAME_MAX:
        raise ValidationFailed("too_long", _("At most %(n)d characters.") % {"n": NAME_MAX},
                               field="name")
    return name


def _value(raw: Any) -> Decimal:
    text = str(raw if raw is not None else "").strip().replace(" ", "").replace(",", ".")
    if not text:
        return Decimal(0)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed("invalid", _("Give the value in złoty, e.g. 1200 or 59,99."),
                               field="value") from None
    if not value.is_finite() or value < 0 or value > VALUE_MAX or value != value.quantize(
            Decimal("0.01")):
        raise ValidationFailed("invalid", _("Give the value in złoty, e.g. 1200 or 59,99."),
                               field="value")
    return value


@transaction.atomic
def segment_save(*, actor: Actor, segment_id: Any = None, name: Any, rules: Any,
                 notes: Any = "") -> Segment:
    """A new segment (at the end of the list) or a changed one."""
    org_perms.ensure(actor, perms.SEGMENTS_MANAGE.code)
    name = _name(name)
    cleaned = clean_rules(rules)
    notes = str(notes or "").strip()[:2000]
    taken = Segment.objects.filter(name__iexact=name)
    if segment_id not in (None, ""):
        segment = _segment(segment_id)
        taken = taken.exclude(pk=segment.pk)
    else:
        segment = None
    if taken.exists():
        raise ValidationFailed("taken", _("A segment with this name exists."), field="name")
    if segment is None:
        if Segment.objects.count() >= SEGMENTS_MAX:
            raise Conflict("too_many", _("At most %(n)d segments.") % {"n": SEGMENTS_MAX})
        last = Segment.objects.aggregate(m=Max("position"))["m"]
        segment = Segment.objects.create(name=name, rules=cleaned, notes=notes,
                                         position=(last or 0) + 1, updated_by=employee_of(actor))
        audit_record(action="analytics.segment.create", obj=segment, actor=actor,
                     changes={"name": name, "rules": cleaned})
        return segment
    before = {"name": segment.name, "rules": segment.rules}
    segment.name, segment.rules, segment.notes = name, cleaned, notes
    segment.updated_by = employee_of(actor)
    segment.save()
    audit_record(action="analytics.segment.change", obj=segment, actor=actor,
                 changes={"before": before, "after": {"name": name, "rules": cleaned}})
    return segment


@transaction.atomic
def segment_delete(*, actor: Actor, segment_id: Any) -> None:
    org_perms.ensure(actor, perms.SEGMENTS_MANAGE.code)
    segment = _segment(segment_id)
    audit_record(action="analytics.segment.delete", obj=segment, actor=actor,
                 changes={"name": segment.name, "rules": segment.rules})
    segment.delete()


@transaction.atomic
def segment_move(*, actor: Actor, segment_id: Any, up: bool) -> None:
    """One place up (earlier: wins over the later ones) or down the ordered list."""
    org_perms.ensure(actor, perms.SEGMENTS_MANAGE.code)
    segment = _segment(segment_id)
    rows = list(Segment.objects.select_for_update().order_by("position", "id"))
    index = next(i for i, s in enumerate(rows) if s.pk == segment.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(rows):
        return
    rows[index], rows[other] = rows[other], rows[index]
    for place, row in enumerate(rows, start=1):
        if row.position != place:
            Segment.objects.filter(pk=row.pk).update(position=place)
    audit_record(action="analytics.segment.move", obj=segment, actor=actor,
                 changes={"place": other + 1})


@transaction.atomic
def target_add(*, actor: Actor, segment_id: Any, product_id: Any, value: Any = "") -> Any:
    """A product at the end of the segment's ideal set."""
    from punkt.catalog.models import Product

    org_perms.ensure(actor, perms.SEGMENTS_MANAGE.code)
    segment = _segment(segment_id)
    try:
        product = Product.objects.get(pk=int(product_id), is_active=True)
    except (TypeError, ValueError, Product.DoesNotExist):
        raise ValidationFailed("invalid", _("Choose a product of the catalogue."),
                               field="product") from None
    amount = _value(value)
    targets = SegmentProduct.objects.filter(segment=segment)
    if targets.filter(product=product).exists():
        raise ValidationFailed("taken", _("The product is in the set already."),
                               field="product")
    if targets.count() >= TARGETS_MAX:
        raise Conflict("too_many", _("At most %(n)d products in a set.") % {"n": TARGETS_MAX})
    last = targets.aggregate(m=Max("position"))["m"]
    try:
        with transaction.atomic():
            row = SegmentProduct.objects.create(segment=segment, product=product,
                                                value=amount, position=(last or 0) + 1)
    except IntegrityError:
        raise ValidationFailed("taken", _("The product is in the set already."),
                               field="product") from None
    audit_record(action="analytics.segment.product_add", obj=segment, actor=actor,
                 changes={"product": product.code, "value": str(amount)})
    return row


def _target(segment: Segment, target_id: Any) -> SegmentProduct:
    try:
        return SegmentProduct.objects.get(pk=int(target_id), segment=segment)
    except (TypeError, ValueError, SegmentProduct.DoesNotExist):
        raise NotFound(_("The product is not in the set.")) from None


@transaction.atomic
def target_value(*, actor: Actor, segment_id: Any, target_id: Any, value: Any) -> None:
    org_perms.ensure(actor, perms.SEGMENTS_MANAGE.code)
    segment = _segment(segment_id)
    row = _target(segment, target_id)
    amount = _value(value)
    SegmentProduct.objects.filter(pk=row.pk).update(value=amount)
    audit_record(action="analytics.segment.product_value", obj=segment, actor=actor,
                 changes={"product": row.product_id, "before": str(row.value),
                          "after": str(amount)})


@transaction.atomic
def target_remove(*, actor: Actor, segment_id: Any, target_id: Any) -> None:
    org_perms.ensure(actor, perms.SEGMENTS_MANAGE.code)
    segment = _segment(segment_id)
    row = _target(segment, target_id)
    row.delete()
    audit_record(action="analytics.segment.product_remove", obj=segment, actor=actor,
                 changes={"product": row.product_id})


@transaction.atomic
def target_move(*, actor: Actor, segment_id: Any, target_id: Any, up: bool) -> None:
    org_perms.ensure(actor, perms.SEGMENTS_MANAGE.code)
    segment = _segment(segment_id)
    row = _target(segment, target_id)
    rows = list(SegmentProduct.objects.filter(segment=segment).order_by("position", "id"))
    index = next(i for i, r in enumerate(rows) if r.pk == row.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(rows):
        return
    rows[index], rows[other] = rows[other], rows[index]
    for place, r in enumerate(rows, start=1):
        if r.position != place:
            SegmentProduct.objects.filter(pk=r.pk).update(position=place)
    audit_record(action="analytics.segment.product_move", obj=segment, actor=actor,
                 changes={"product": row.product_id, "place": other + 1})
