"""Stock changes (R6.2). Every change of a balance goes through :func:`stock_move`: one
conditional ``UPDATE … WHERE quantity >= n`` (so two sellers of the last unit cannot both
take it, C8) and one movement row in the same transaction. Callers that move several
products move them in product order, so two documents never wait on each other."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.catalog.models import Product
from punkt.core import idempotency
from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.inventory import permissions as perms
from punkt.inventory.models import (
    MovementKind,
    OrderStatus,
    StockLevel,
    StockMovement,
    StockOrder,
    StockOrderLine,
)
from punkt.inventory.workflows import ORDER_FLOW
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Branch

MAX_QUANTITY = 100_000
MAX_LINES = 500


def hq_branch() -> Branch:
    hq = Branch.objects.filter(kind="hq").first()
    if hq is None:
        raise NotFound(_("The company has no HQ record."))
    return hq


def level_for(branch_id: int, product_id: int) -> StockLevel:
    """The balance row, created at zero when missing (a concurrent creator is harmless)."""
    StockLevel.objects.bulk_create([StockLevel(branch_id=branch_id, product_id=product_id)],
                                   ignore_conflicts=True)
    return StockLevel.objects.get(branch_id=branch_id, product_id=product_id)


def _name(product_id: int) -> str:
    return Product.objects.filter(pk=product_id).values_list("name", flat=True).first() or "?"


def stock_move(*, branch_id: int, product_id: int, delta: int, kind: str,
               actor: Actor | None = None, reason: str = "", source: Any = None
               ) -> StockMovement:
    """Change the balance by ``delta`` and write the movement; Conflict when the branch
    does not have enough. Call inside a transaction."""
    if delta == 0:
        raise ValidationFailed("invalid", _("The quantity cannot be zero."), field="quantity")
    level = level_for(branch_id, product_id)
    cond = Q(pk=level.pk)
    if delta < 0:
        cond &= Q(quantity__gte=-delta)
    changed = StockLevel.objects.filter(cond).update(quantity=F("quantity") + delta,
                                                     updated_at=timezone.now())
    if not changed:
        have = StockLevel.objects.filter(pk=level.pk).values_list("quantity", flat=True).get()
        raise Conflict("insufficient_stock", _(
            "Not enough %(product)s in stock: %(have)d left, %(need)d needed.")
            % {"product": _name(product_id), "have": have, "need": -delta})
    balance = StockLevel.objects.filter(pk=level.pk).values_list("quantity", flat=True).get()
    return StockMovement.objects.create(
        branch_id=branch_id, product_id=product_id, kind=kind, quantity=delta,
        balance_after=balance, reason=reason[:300], actor=employee_of(actor),
        source_type=source._meta.label_lower if source is not None else "",
        source_id=str(source.pk) if source is not None else "")


def _quantity(value: Any, *, field: str = "quantity", allow_negative: bool = False) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed("invalid", _("Give the quantity as a whole number."),
                               field=field) from None
    if number == 0 or (number < 0 and not allow_negative):
        raise ValidationFailed("invalid", _("The quantity must be greater than zero.")
                               if not allow_negative else _("The quantity cannot be zero."),
                               field=field)
    if abs(number) > MAX_QUANTITY:
        raise ValidationFailed("invalid", _("At most %(n)d at once.") % {"n": MAX_QUANTITY},
                               field=field)
    return number


def _reason(value: Any, *, required: bool = True) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise ValidationFailed("required", _("Give the reason."), field="reason")
    if len(text) > 300:
        raise ValidationFailed("too_long", _("The reason may have at most 300 characters."),
                               field="reason")
    return text


def _product(product_id: Any) -> Product:
    try:
        product = Product.objects.filter(pk=int(product_id)).first()
    except (TypeError, ValueError):
        product = None
    if product is None:
        raise ValidationFailed("invalid", _("Choose a product."), field="product")
    return product


def _branch(branch_id: Any) -> Branch:
    try:
        branch = Branch.objects.filter(pk=int(branch_id)).first()
    except (TypeError, ValueError):
        branch = None
    if branch is None:
        raise NotFound(_("Branch not found."))
    return branch


@transaction.atomic
def adjustment_record(*, actor: Actor, branch_id: int, product_id: Any, quantity: Any,
                      reason: Any) -> StockMovement:
    """A correction after a count, damage, theft …: plus or minus, always with a reason."""
    branch = _branch(branch_id)
    org_perms.ensure(actor, perms.STOCK_MANAGE.code, branch.pk)
    product = _product(product_id)
    delta = _quantity(quantity, allow_negative=True)
    text = _reason(reason)
    movement = stock_move(branch_id=branch.pk, product_id=product.pk, delta=delta,
                          kind=MovementKind.ADJUSTMENT, actor=actor, reason=text)
    audit_record(action="inventory.stock.adjust", obj=movement, actor=actor,
                 branch_id=branch.pk, message=f"{product.code} {delta:+d}: {text}")
    return movement


@transaction.atomic
def receipt_record(*, actor: Actor, product_id: Any, quantity: Any,
                   reason: Any = "") -> StockMovement:
    """Goods delivered to the HQ warehouse by a supplier (document number in the reason)."""
    org_perms.ensure(actor, perms.ORDER_FULFIL.code)
    hq = hq_branch()
    product = _product(product_id)
    amount = _quantity(quantity)
    text = _reason(reason, required=False)
    movement = stock_move(branch_id=hq.pk, product_id=product.pk, delta=amount,
                          kind=MovementKind.RECEIPT, actor=actor, reason=text)
    audit_record(action="inventory.stock.receipt", obj=movement, actor=actor,
                 branch_id=hq.pk, message=f"{product.code} +{amount}")
    return movement


@transaction.atomic
def norm_set(*, actor: Actor, branch_id: int, product_id: Any, min_norm: Any) -> StockLevel:
    branch = _branch(branch_id)
    org_perms.ensure(actor, perms.STOCK_MANAGE.code, branch.pk)
    product = _product(product_id)
    try:
        norm = int(str(min_norm).strip())
    except (TypeError, ValueError):
        raise ValidationFailed("invalid", _("Give the norm as a whole number."),
                               field="min_norm") from None
    if not 0 <= norm <= MAX_QUANTITY:
        raise ValidationFailed("invalid", _("The norm must be between 0 and %(n)d.")
                               % {"n": MAX_QUANTITY}, field="min_norm")
    level = level_for(branch.pk, product.pk)
    old = level.min_norm
    StockLevel.objects.filter(pk=level.pk).update(min_norm=norm, updated_at=timezone.now())
    level.min_norm = norm
    if old != norm:
        audit_record(action="inventory.norm.set", obj=level, actor=actor, branch_id=branch.pk,
                     changes={"min_norm": [old, norm]}, message=product.code)
    return level


# --- Orders from HQ -------------------------------------------------------------------

@dataclass
class ProposalLine:
    product: Product
    quantity: int
    in_transit: int
    on_order: int
    min_norm: int

    @property
    def proposed(self) -> int:
        return max(self.min_norm - self.quantity - self.in_transit - self.on_order, 0)


def on_order(branch_id: int) -> dict[int, int]:
    """Quantities ordered from HQ and not yet shipped, per product."""
    rows = (StockOrderLine.objects.filter(order__branch_id=branch_id,
                                          order__status=OrderStatus.SUBMITTED)
            .values("product_id").annotate(n=Sum("ordered")))
    return {r["product_id"]: int(r["n"]) for r in rows}


def order_proposal(*, user: Actor, branch_id: int) -> list[ProposalLine]:
    """What the branch lacks to reach its norms, counting what is on its way."""
    org_perms.ensure(user, perms.ORDER_CREATE.code, branch_id)
    ordered = on_order(branch_id)
    levels = (StockLevel.objects.visible_to(user, perms.ORDER_CREATE.code, branch_id=branch_id)
              .filter(min_norm__gt=0, product__is_active=True)
              .select_related("product").order_by("product__name", "product_id"))
    lines = [ProposalLine(lv.product, lv.quantity, lv.in_transit, ordered.get(lv.product_id, 0),
                          lv.min_norm) for lv in levels]
    return [line for line in lines if line.proposed > 0]


def _order_lines(lines: dict[Any, Any]) -> list[tuple[Product, int]]:
    wanted: dict[int, int] = {}
    for product_id, quantity in lines.items():
        if str(quantity).strip() in ("", "0"):
            continue
        product = _product(product_id)
        if not product.is_active:
            raise ValidationFailed("invalid", _("%(product)s is no longer sold.")
                                   % {"product": product.name}, field=f"line-{product.pk}")
        wanted[product.pk] = _quantity(quantity, field=f"line-{product.pk}")
    if not wanted:
        raise ValidationFailed("required", _("Order at least one product."), field="lines")
    if len(wanted) > MAX_LINES:
        raise ValidationFailed("invalid", _("At most %(n)d products in one order.")
                               % {"n": MAX_LINES}, field="lines")
    products = {p.pk: p for p in Product.objects.filter(pk__in=wanted)}
    return [(products[pid], qty) for pid, qty in sorted(wanted.items())]


@transaction.atomic
def order_create(*, actor: Actor, branch_id: int, lines: dict[Any, Any],
                 note: Any = "", key: str = "") -> StockOrder:
    """The manager's order to HQ (usually the proposal, quantities adjusted). The same
    ``key`` again (a double click, a retried request) gives the first order back."""
    branch = _branch(branch_id)
    org_perms.ensure(actor, perms.ORDER_CREATE.code, branch.pk)
    if branch.kind == "hq":
        raise ValidationFailed("invalid", _("HQ does not order from itself."), field="branch")
    key = str(key or "").strip()
    if len(key) > 80:
        raise ValidationFailed("invalid", _("The idempotency key may have at most 80 "
                                            "characters."), field="Idempotency-Key")
    # One order at a time per branch: a double click or a second manager waits here, then
    # finds the first order by its key.
    Branch.objects.select_for_update().filter(pk=branch.pk).first()
    chosen = _order_lines(lines)
    text = " ".join(str(note or "").split())[:500]
    request = idempotency.fingerprint(
        "order", branch.pk, sorted((p.pk, q) for p, q in chosen), text) if key else ""
    if key and (done := StockOrder.objects.filter(key=key).first()) is not None:
        if done.branch_id != branch.pk:
            raise Conflict("key_reused", _("This form was already used; open a new one."))
        idempotency.ensure_same(done.key_fingerprint, request)
        return done
    order = StockOrder.objects.create(branch=branch, note=text, created_by=employee_of(actor),
                                      key=key or None, key_fingerprint=request)
    StockOrderLine.objects.bulk_create([StockOrderLine(order=order, product=p, ordered=q)
                                        for p, q in chosen])
    audit_record(action="inventory.order.create", obj=order, actor=actor, branch_id=branch.pk,
                 message=", ".join(f"{p.code}×{q}" for p, q in chosen))
    return order


def _locked_order(order_id: int) -> StockOrder:
    return StockOrder.objects.locked(order_id, missing=_("Order not found."))


def _move_order(order: StockOrder, action: str, actor: Actor, **fields: Any) -> StockOrder:
    t = ORDER_FLOW.ensure_can(order, action, actor=actor)
    changed = StockOrder.objects.filter(pk=order.pk, status__in=t.sources).update(
        status=t.target, **fields)
    if not changed:  # pragma: no cover - the row lock makes this the same check
        raise Conflict("invalid_state", _("The order changed meanwhile; reload it."))
    order.refresh_from_db()
    audit_record(action=f"inventory.order.{action}", obj=order, actor=actor,
                 branch_id=order.branch_id)
    return order


@transaction.atomic
def order_ship(*, actor: Actor, order_id: int, shipped: dict[Any, Any] | None = None) -> StockOrder:
    """HQ sends the goods: each line's shipped quantity (default: as ordered, 0 allowed)
    leaves the HQ warehouse and is in transit to the branch."""
    order = _locked_order(order_id)
    ORDER_FLOW.ensure_can(order, "ship", actor=actor)
    hq = hq_branch()
    lines = list(order.lines.select_related("product").order_by("product_id"))
    shipped = shipped or {}
    total = 0
    for line in lines:
        raw = shipped.get(str(line.product_id), shipped.get(line.product_id, line.ordered))
        try:
            qty = int(str(raw).strip())
        except (TypeError, ValueError):
            raise ValidationFailed("invalid", _("Give the quantity as a whole number."),
                                   field=f"line-{line.product_id}") from None
        if not 0 <= qty <= line.ordered:
            raise ValidationFailed("invalid", _(
                "Ship between 0 and %(n)d of %(product)s.")
                % {"n": line.ordered, "product": line.product.name},
                field=f"line-{line.product_id}")
        line.shipped = qty
        total += qty
    if total == 0:
        raise ValidationFailed("invalid", _("Nothing to ship: refuse the order instead."),
                               field="lines")
    for line in lines:
        if line.shipped:
            stock_move(branch_id=hq.pk, product_id=line.product_id, delta=-line.shipped,
                       kind=MovementKind.TRANSFER_OUT, actor=actor, source=order,
                       reason=order.number)
            level = level_for(order.branch_id, line.product_id)
            StockLevel.objects.filter(pk=level.pk).update(
                in_transit=F("in_transit") + line.shipped)
    StockOrderLine.objects.bulk_update(lines, ["shipped"])
    return _move_order(order, "ship", actor, shipped_at=timezone.now(),
                       shipped_by=employee_of(actor))


@transaction.atomic
def order_receive(*, actor: Actor, order_id: int, received: dict[Any, Any] | None = None,
                  reasons: dict[Any, Any] | None = None) -> StockOrder:
    """The branch counts what arrived: received quantities go into its stock; a line
    that differs from what was shipped needs a reason (recorded on the line)."""
    order = _locked_order(order_id)
    ORDER_FLOW.ensure_can(order, "receive", actor=actor)
    received = received or {}
    reasons = reasons or {}
    lines = list(order.lines.select_related("product").order_by("product_id"))
    for line in lines:
        raw = received.get(str(line.product_id), received.get(line.product_id, line.shipped))
        try:
            qty = int(str(raw).strip())
        except (TypeError, ValueError):
            raise ValidationFailed("invalid", _("Give the quantity as a whole number."),
                                   field=f"line-{line.product_id}") from None
        if not 0 <= qty <= MAX_QUANTITY:
            raise ValidationFailed("invalid", _("The quantity cannot be negative."),
                                   field=f"line-{line.product_id}")
        line.received = qty
        if qty != (line.shipped or 0):
            why = " ".join(str(reasons.get(str(line.product_id),
                                           reasons.get(line.product_id, "")) or "").split())
            if not why:
                raise ValidationFailed("required", _(
                    "%(product)s: %(got)d received, %(sent)d shipped — give the reason for "
                    "the difference.") % {"product": line.product.name, "got": qty,
                                           "sent": line.shipped or 0},
                    field=f"reason-{line.product_id}")
            line.difference_reason = why[:300]
    for line in lines:
        if line.received or line.shipped:
            level = level_for(order.branch_id, line.product_id)
            StockLevel.objects.filter(pk=level.pk).update(
                in_transit=F("in_transit") - (line.shipped or 0))
        if line.received:
            stock_move(branch_id=order.branch_id, product_id=line.product_id,
                       delta=line.received, kind=MovementKind.TRANSFER_IN, actor=actor,
                       source=order, reason=(f"{order.number}: {line.difference_reason}"
                                             if line.difference_reason else order.number))
    StockOrderLine.objects.bulk_update(lines, ["received", "difference_reason"])
    return _move_order(order, "receive", actor, received_at=timezone.now(),
                       received_by=employee_of(actor))


@transaction.atomic
def order_cancel(*, actor: Actor, order_id: int, reason: Any = "") -> StockOrder:
    """The branch withdraws its order, or HQ refuses it (reason required), before shipping."""
    order = _locked_order(order_id)
    action = "cancel" if org_perms.can(actor, perms.ORDER_CREATE.code, order.branch_id) \
        else "refuse"
    text = " ".join(str(reason or "").split())[:500]
    if action == "refuse" and not text:
        ORDER_FLOW.ensure_can(order, action, actor=actor)
        raise ValidationFailed("required", _("Give the reason for refusing."), field="reason")
    return _move_order(order, action, actor, cancelled_reason=text)
