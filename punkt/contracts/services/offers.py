"""Recording offers and the customer's answer (R4.1), and the renewal proposals retention
makes (R5)."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from punkt.contracts import permissions as perms
from punkt.contracts.documents import money
from punkt.contracts.models import Contract, Offer, OfferLine, OfferStatus
from punkt.contracts.workflows import OFFER_FLOW
from punkt.core.audit import audit_record
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.customers.models import Customer, CustomerStatus
from punkt.customers.timeline import register_kind, timeline_add
from punkt.materials import services as materials
from punkt.materials.models import MaterialKind, MaterialVersion, PriceItem
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of

MAX_LINES = 50
register_kind("offer", gettext_lazy("Offer"))


def discount_limit() -> Decimal:
    """The largest discount per line (per cent) an offer carries without another person's
    approval (``PUNKT_OFFER_DISCOUNT_LIMIT``, default 10; C11)."""
    return Decimal(str(settings.PUNKT_OFFER_DISCOUNT_LIMIT))


def _discount(value: Any) -> Decimal:
    text = str(value if value not in (None, "") else "0").strip().replace(",", ".")
    text = text.removesuffix("%").strip()
    try:
        discount = Decimal(text)
    except InvalidOperation:
        discount = Decimal(-1)
    if not discount.is_finite() or not Decimal(0) <= discount <= Decimal(100) \
            or discount != discount.quantize(Decimal("0.01")):
        raise ValidationFailed("invalid", _("A discount is a per cent between 0 and 100 "
                                            "(at most two decimal places)."), field="lines")
    return discount.quantize(Decimal("0.01"))


def _discounts(lines: list[dict[str, Any]]) -> dict[int, Decimal]:
    """Price-list position id → its discount (the same position twice: the same one)."""
    out: dict[int, Decimal] = {}
    for line in lines:
        item_id, discount = int(line["price_item_id"]), _discount(line.get("discount"))
        if out.setdefault(item_id, discount) != discount:
            raise ValidationFailed("invalid", _("A position chosen twice must have the same "
                                                "discount."), field="lines")
    return out


def line_total(price: Decimal, quantity: int, discount: Decimal) -> Decimal:
    """The line's gross value after its discount, to the grosz (half up)."""
    return (price * quantity * (Decimal(100) - discount) / Decimal(100)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP)


def _quantities(lines: list[dict[str, Any]]) -> dict[int, int]:
    """Price-list position id → quantity (a position chosen twice is added up)."""
    if not lines:
        raise ValidationFailed("required", _("Choose at least one position of the price list."),
                               field="lines")
    if len(lines) > MAX_LINES:
        raise ValidationFailed("too_many", _("At most %(n)d positions per offer.")
                               % {"n": MAX_LINES}, field="lines")
    wanted: dict[int, int] = {}
    for line in lines:
        try:
            item_id, quantity = int(line["price_item_id"]), int(line.get("quantity", 1))
        except (KeyError, TypeError, ValueError):
            raise ValidationFailed("invalid", _("Each position needs a price-list position and "
                                                "a whole quantity."), field="lines") from None
        if not 1 <= quantity <= 999:
            raise ValidationFailed("invalid", _("Quantity must be between 1 and 999."),
                                   field="lines")
        wanted[item_id] = wanted.get(item_id, 0) + quantity
        if wanted[item_id] > 999:
            raise ValidationFailed("invalid", _("Quantity must be between 1 and 999."),
                                   field="lines")
    return wanted


def _price_items(wanted: dict[int, int], branch_id: int) -> dict[int, PriceItem]:
    """The chosen positions, each from a price list in force at the branch."""
    items = {i.pk: i for i in PriceItem.objects.select_related("version__material")
             .filter(pk__in=wanted)}
    if len(items) != len(wanted):
        raise ValidationFailed("invalid", _("A chosen position is not in any price list."),
                               field="lines")
    for version_id in {i.version_id for i in items.values()}:
        try:
            materials.ensure_current(version_id=version_id, branch_id=branch_id)
        except NotFound:
            raise ValidationFailed("invalid", _("A chosen position is not in any price list "
                                                "of this branch."), field="lines") from None
    return items


def _promo(version_id: int | None, branch_id: int) -> MaterialVersion | None:
    if not version_id:
        return None
    try:
        promo = materials.ensure_current(version_id=version_id, branch_id=branch_id)
    except NotFound:
        raise ValidationFailed("invalid", _("Choose a promotional material of this "
                                            "branch."), field="promo") from None
    if promo.material.kind != MaterialKind.PROMO:
        raise ValidationFailed("invalid", _("Choose a promotional material."), field="promo")
    return promo


@transaction.atomic
def offer_create(*, actor: Actor, customer_id: int, lines: list[dict[str, Any]],
                 promo_version_id: int | None = None, note: str = "",
                 renews: Contract | None = None, branch_id: int | None = None) -> Offer:
    """The offer presented at the counter: price-list positions in force at the branch
    (the customer's unless ``branch_id``; prices copied), quantities, a discount per line,
    the promotional material shown. A discount above :func:`discount_limit` leaves the
    offer awaiting another person's approval (C11). ``renews``: the contract a renewal
    offer would continue (see :func:`renewal_offer_create`)."""
    customer = Customer.objects.select_related("branch").filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("Customer not found."))
    branch_id = branch_id or customer.branch_id
    org_perms.ensure(actor, perms.OFFER_CREATE.code, branch_id)
    if customer.status != CustomerStatus.ACTIVE:
        raise Conflict("not_active", _("This customer is not active."))
    wanted = _quantities(lines)
    discounts = _discounts(lines)
    items = _price_items(wanted, branch_id)
    promo = _promo(promo_version_id, branch_id)
    note = " ".join(str(note or "").split())[:2000]
    offer_lines = [OfferLine(price_item=i, code=i.code, name=i.name, unit=i.unit,
                             price_gross=i.price_gross, vat_rate=i.vat_rate,
                             quantity=wanted[i.pk], discount_percent=discounts[i.pk],
                             total_gross=line_total(i.price_gross, wanted[i.pk],
                                                    discounts[i.pk]))
                   for i in sorted(items.values(), key=lambda i: (i.version_id, i.position))]
    total = sum((ol.total_gross for ol in offer_lines), Decimal("0.00"))
    if total >= Decimal("10000000000"):
        raise ValidationFailed("invalid", _("The offer's total is too large."), field="lines")
    largest = max((ol.discount_percent for ol in offer_lines), default=Decimal(0))
    offer = Offer.objects.create(customer=customer, branch_id=branch_id,
                                 created_by=employee_of(actor), promo=promo, note=note,
                                 total_gross=total, renews=renews, max_discount=largest,
                                 status=OfferStatus.AWAITING if largest > discount_limit()
                                 else OfferStatus.PRESENTED)
    for offer_line in offer_lines:
        offer_line.offer = offer
    OfferLine.objects.bulk_create(offer_lines)
    timeline_add(customer_id=customer.pk, kind="offer", actor=actor,
                 branch_id=branch_id, source=offer,
                 subject=ngettext("Offer %(number)s: %(n)d position, %(total)s",
                                  "Offer %(number)s: %(n)d positions, %(total)s",
                                  len(offer_lines)) % {
                     "number": offer.number, "n": len(offer_lines), "total": money(total)},
                 body=", ".join(f"{ol.name} × {ol.quantity}" for ol in offer_lines))
    audit_record(action="contracts.offer.create", obj=offer, actor=actor,
                 branch_id=branch_id, message=f"{len(offer_lines)} lines, {total}, "
                 f"discount up to {largest}%")
    return offer


@transaction.atomic
def offer_approve(*, actor: Actor, offer_id: Any) -> Offer:
    """Another person approves an offer whose discount is above the limit (C11): the
    branch's manager or HQ — never whoever made the offer, whatever their rights. Two
    approvers at once: the row lock lets one approve, the other is told it is done."""
    offer = Offer.objects.locked(offer_id, missing=_("Offer not found."))
    t = OFFER_FLOW.ensure_can(offer, "approve", actor=actor)
    me = employee_of(actor)
    if offer.created_by_id is not None and (me is None or me.pk == offer.created_by_id):
        raise ActionDenied(_("You made this offer: another person must approve its "
                             "discount (four eyes)."))
    now = timezone.now()
    changed = Offer.objects.filter(pk=offer.pk, status__in=t.sources).update(
        status=t.target, approved_at=now, approved_by=me, updated_at=now)
    if not changed:  # pragma: no cover - the row lock makes this unreachable
        raise Conflict("approved", _("Someone has just approved this offer."))
    offer.status, offer.approved_at, offer.approved_by = t.target, now, me
    timeline_add(customer_id=offer.customer_id, kind="offer", actor=actor,
                 branch_id=offer.branch_id, source=offer,
                 subject=_("Offer %(number)s: discount of %(d)s%% approved") % {
                     "number": offer.number, "d": offer.max_discount})
    audit_record(action="contracts.offer.approve", obj=offer, actor=actor,
                 branch_id=offer.branch_id, message=f"discount {offer.max_discount}%")
    return offer


def offer_supersede(*, offer_id: int) -> bool:
    """An opportunity's offer replaced by its newer version (OFFER_FLOW's "supersede",
    taken by the new version, not an employee); False when it was no longer awaiting or
    presented (accepted or declined stay as they are)."""
    t = OFFER_FLOW.transition("supersede")
    return Offer.objects.filter(pk=offer_id, status__in=t.sources).update(
        status=t.target, updated_at=timezone.now()) == 1


@transaction.atomic
def offer_decide(*, actor: Actor, offer_id: int, accepted: bool, reason: str = "") -> Offer:
    """The customer's answer: accepted (a contract will be prepared) or declined (why)."""
    offer = Offer.objects.locked(offer_id, missing=_("Offer not found."))
    t = OFFER_FLOW.ensure_can(offer, "accept" if accepted else "decline", actor=actor)
    if accepted and offer.renews_id:
        raise Conflict("customer_accepts", _(
            "A renewal proposal is accepted by the customer through the link sent to them "
            "(Consumer Rights Act art. 20), not at the branch."))
    reason = " ".join(str(reason or "").split())[:500]
    if not accepted and not reason:
        raise ValidationFailed("required", _("Say why the customer declined."), field="reason")
    offer.status = t.target
    offer.decided_at = timezone.now()
    offer.decided_by = employee_of(actor)
    offer.decline_reason = reason if not accepted else ""
    offer.save(update_fields=["status", "decided_at", "decided_by", "decline_reason",
                              "updated_at"])
    timeline_add(customer_id=offer.customer_id, kind="offer", actor=actor,
                 branch_id=offer.branch_id, source=offer,
                 subject=(_("Offer %(number)s accepted") if accepted else
                          _("Offer %(number)s declined")) % {"number": offer.number},
                 body=reason)
    audit_record(action=f"contracts.offer.{'accept' if accepted else 'decline'}", obj=offer,
                 actor=actor, branch_id=offer.branch_id, message=reason[:200])
    return offer


# --- Renewal proposals (made by retention, accepted by the customer through a link) -------

def renewal_offer_create(*, actor: Actor, contract: Contract, lines: list[dict[str, Any]],
                         note: str) -> Offer:
    """The renewal offer of ``contract``: presented like any offer, it is accepted only by
    the customer through the proposal's link (Consumer Rights Act art. 20)."""
    return offer_create(actor=actor, customer_id=contract.customer_id, lines=lines, note=note,
                        renews=contract)


def renewal_accept(*, offer: Offer, at: datetime.datetime) -> Offer:
    """The customer accepted the renewal proposal through its link: OFFER_FLOW's "accept",
    taken by the customer, not an employee. ``offer`` is locked by the caller, who also
    writes the timeline and the audit of the acceptance."""
    t = OFFER_FLOW.ensure_state(offer, "accept")
    offer.status, offer.decided_at = t.target, at
    offer.save(update_fields=["status", "decided_at", "updated_at"])
    return offer


def renewal_withdraw(*, offer_id: int, reason: str, actor: Actor | None = None) -> bool:
    """A renewal proposal that can no longer be accepted — the customer said no on a later
    call, or it expired — becomes declined (OFFER_FLOW's "decline", for the customer) if
    it is still presented; False when it no longer was."""
    t = OFFER_FLOW.transition("decline")
    fields: dict[str, Any] = {"status": t.target, "decline_reason": reason,
                              "decided_at": timezone.now()}
    if actor is not None:
        fields["decided_by"] = employee_of(actor)
    return Offer.objects.filter(pk=offer_id, status__in=t.sources).update(**fields) == 1
