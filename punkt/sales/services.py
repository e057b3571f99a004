"""Selling at the counter and taking returns (R6.1).

A sale takes the price in force at the branch (HQ price list, same code), the discount
the seller may give, and the stock: products are taken in product order through
``inventory.stock_move`` (a conditional update: the last unit goes to one seller, C8).
The whole sale is one transaction; the receipt goes to the fiscal register after it
commits, at most once."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punkt.catalog.models import Product
from punkt.catalog.selectors import prices_at
from punkt.core import idempotency
from punkt.core.audit import audit_record
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.core.money import CENT, cents, vat_from_gross
from punkt.customers import referrals
from punkt.customers.models import Customer, CustomerStatus
from punkt.customers.timeline import register_kind, timeline_add
from punkt.inventory.models import MovementKind
from punkt.inventory.services import stock_move
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Branch
from punkt.sales import cards, fiscal
from punkt.sales import permissions as perms
from punkt.sales.models import PaymentMethod, ReceiptStatus, Sale, SaleKind, SaleLine

register_kind("sale", gettext_lazy("Purchase"))

MAX_LINES = 100
MAX_QUANTITY = 1000


def discount_limit(user: Actor, branch_id: int) -> Decimal:
    """The largest discount (per cent) ``user`` may give at the branch."""
    if org_perms.can(user, perms.DISCOUNT_LARGE.code, branch_id):
        return Decimal(str(getattr(settings, "PUNKT_DISCOUNT_LIMIT_MANAGER", "30")))
    return Decimal(str(getattr(settings, "PUNKT_DISCOUNT_LIMIT", "10")))


@dataclass
class LineIn:
    product_id: int
    quantity: int
    discount_percent: Decimal


def _lines(raw: list[dict[str, Any]]) -> list[LineIn]:
    if not raw:
        raise ValidationFailed("required", _("Add at least one product."), field="lines")
    if len(raw) > MAX_LINES:
        raise ValidationFailed("invalid", _("At most %(n)d lines in one sale.")
                               % {"n": MAX_LINES}, field="lines")
    merged: dict[tuple[int, Decimal], int] = {}
    for i, row in enumerate(raw, start=1):
        field = f"lines[{i}]"
        try:
            product_id = int(str(row.get("product_id")).strip())
        except (TypeError, ValueError):
            raise ValidationFailed("invalid", _("Line %(n)d: choose a product.") % {"n": i},
                                   field=f"{field}.product_id") from None
        try:
            quantity = int(str(row.get("quantity", 1)).strip())
        except (TypeError, ValueError):
            quantity = 0
        if not 1 <= quantity <= MAX_QUANTITY:
            raise ValidationFailed("invalid", _(
                "Line %(n)d: the quantity must be a whole number from 1 to %(max)d.")
                % {"n": i, "max": MAX_QUANTITY}, field=f"{field}.quantity")
        try:
            pct = Decimal(str(row.get("discount_percent") or "0").strip().replace(",", "."))
        except InvalidOperation:
            pct = Decimal(-1)
        if not pct.is_finite() or not 0 <= pct <= 100 or pct != pct.quantize(CENT):
            raise ValidationFailed("invalid", _(
                "Line %(n)d: the discount is a percentage from 0 to 100.") % {"n": i},
                field=f"{field}.discount_percent")
        merged[(product_id, pct)] = merged.get((product_id, pct), 0) + quantity
    return [LineIn(pid, qty, pct) for (pid, pct), qty in merged.items()]


def _customer(actor: Actor, customer_id: Any) -> Customer | None:
    if customer_id in (None, ""):
        return None
    try:
        customer = Customer.objects.filter(pk=int(customer_id)).first()
    except (TypeError, ValueError):
        customer = None
    if customer is None or not org_perms.can(actor, perms.SALE_CREATE.code,
                                             customer.branch_id):
        raise ValidationFailed("invalid", _("Choose a customer of this branch, or sell "
                                            "without one."), field="customer")
    if customer.status != CustomerStatus.ACTIVE:
        raise ValidationFailed("not_active", _("This customer record is closed."),
                               field="customer")
    return customer


def _key(kind: str, key: Any) -> str:
    """The once-only key of a sale or a return (one kind's key never replays the other)."""
    text = str(key or "").strip()
    if not text:
        return ""
    if len(text) > 70:
        raise ValidationFailed("invalid", _("The idempotency key may have at most 70 "
                                            "characters."), field="Idempotency-Key")
    return f"{kind}:{text}"


def _replay(key: str, actor: Actor, request: str) -> Sale | None:
    sale = Sale.objects.filter(key=key).first()
    if sale is None:
        return None
    if sale.seller_id != getattr(actor, "pk", None):
        raise Conflict("key_reused", _("This form was already used by someone else; open "
                                       "a new one."))
    idempotency.ensure_same(sale.key_fingerprint, request)
    sale.replayed = True  # type: ignore[attr-defined]
    return sale


def _sale_fingerprint(branch_id: Any, lines: list[dict[str, Any]], payment_method: str,
                      customer_id: Any, card: Any = "", points: Any = "",
                      campaign_code: Any = "") -> str:
    wanted = sorted((w.product_id, w.quantity, str(w.discount_percent)) for w in _lines(lines))
    extra = [cards.normalise(card), str(points or "").strip()] if card or points else []
    if campaign_code:
        extra.append("".join(str(campaign_code).split()).upper())
    return idempotency.fingerprint("sale", str(branch_id), wanted, str(payment_method),
                                   str(customer_id or ""), *extra)


def sale_create(*, actor: Actor, branch_id: int, lines: list[dict[str, Any]],
                payment_method: str, customer_id: Any = None, key: str = "",
                card: Any = "", points: Any = "", campaign_code: Any = "") -> Sale:
    """Record a sale; the same ``key`` twice (a double click, a retried request) gives the
    first sale back instead of a second one — or, with another basket, a refusal (422).
    ``card`` is a scanned card number (its discount applies), ``points`` the card's points
    the customer redeems (``cards.py``); ``campaign_code`` a leaflet's code the customer
    gave, of a campaign running at the branch (refused on ``campaign_code`` otherwise)."""
    key = _key("sale", key)
    request = (_sale_fingerprint(branch_id, lines, payment_method, customer_id, card, points,
                                 campaign_code) if key else "")
    if key and (done := _replay(key, actor, request)) is not None:
        return done
    try:
        return _sale_create(actor=actor, branch_id=branch_id, lines=lines,
                            payment_method=payment_method, customer_id=customer_id, key=key,
                            request=request, card=card, points=points,
                            campaign_code=campaign_code)
    except IntegrityError:
        if key and (done := _replay(key, actor, request)) is not None:
            return done
        raise


@transaction.atomic
def _sale_create(*, actor: Actor, branch_id: int, lines: list[dict[str, Any]],
                 payment_method: str, customer_id: Any, key: str, request: str,
                 card: Any = "", points: Any = "", campaign_code: Any = "") -> Sale:
    branch = Branch.objects.filter(pk=branch_id).first()
    if branch is None:
        raise NotFound(_("Branch not found."))
    org_perms.ensure(actor, perms.SALE_CREATE.code, branch.pk)
    if payment_method not in PaymentMethod.values:
        raise ValidationFailed("invalid", _("Choose how the customer pays: cash or card."),
                               field="payment_method")
    wanted = _lines(lines)
    customer = _customer(actor, customer_id)
    campaign = referrals.campaign_for(branch.pk, campaign_code)
    products = {p.pk: p for p in Product.objects.filter(pk__in={w.product_id for w in wanted})}
    prices = prices_at(branch_id=branch.pk, codes=[p.code for p in products.values()])
    limit = discount_limit(actor, branch.pk)
    built: list[SaleLine] = []
    list_total = Decimal(0)
    for w in wanted:
        product = products.get(w.product_id)
        price = prices.get(product.code) if product is not None else None
        if price is not None:
            list_total += price.price_gross * w.quantity
    plan = cards.check(actor=actor, branch_id=branch.pk, number=card,
                       list_total=cents(list_total), points=points)
    refused = cards.refusals(plan, sorted(products))
    list_total = Decimal(0)
    for i, w in enumerate(wanted, start=1):
        product = products.get(w.product_id)
        if product is None or not product.is_active:
            raise ValidationFailed("invalid", _("Line %(n)d: this product is not sold.")
                                   % {"n": i}, field=f"lines[{i}].product_id")
        if product.pk in refused:
            raise ValidationFailed("closed", refused[product.pk],
                                   field=f"lines[{i}].product_id")
        price = prices.get(product.code)
        if price is None:
            raise ValidationFailed("no_price", _(
                "%(product)s has no price in the price lists in force at this branch.")
                % {"product": product.name}, field=f"lines[{i}].product_id")
        if w.discount_percent > limit:
            raise ActionDenied(_("A discount above %(limit)s%% needs the manager.")
                               % {"limit": format(limit.normalize(), "f")},
                               action=perms.DISCOUNT_LARGE.code)
        unit = price.price_gross
        # The card's discount and the seller's do not add up: the larger one applies.
        pct = max(w.discount_percent, plan.discount_percent if plan else Decimal(0))
        total = cents(unit * w.quantity * (100 - pct) / 100)
        list_total += unit * w.quantity
        built.append(SaleLine(product=product, name=product.name, quantity=w.quantity,
                              unit_price_gross=unit, discount_percent=pct,
                              total_gross=total, vat_rate=price.vat_rate))
    if plan is not None and plan.points_value:
        _take_off(built, plan.points_value)
    total = sum((line.total_gross for line in built), Decimal(0))
    sale = Sale.objects.create(
        branch=branch, seller=employee_of(actor),
        customer=customer, payment_method=payment_method, total_gross=total,
        discount_gross=list_total - total, key=key or None, key_fingerprint=request,
        campaign_code=campaign[0] if campaign else "",
        campaign_ref=campaign[1] if campaign else None)
    for line in built:
        line.sale = sale
    SaleLine.objects.bulk_create(built)
    cards.record(plan, sale, actor)
    for line in sorted(built, key=lambda x: x.product_id):
        stock_move(branch_id=branch.pk, product_id=line.product_id, delta=-line.quantity,
                   kind=MovementKind.SALE, actor=actor, source=sale, reason=sale.number)
    if customer is not None:
        timeline_add(customer_id=customer.pk, kind="sale", actor=actor, branch_id=branch.pk,
                     source=sale, subject=_("Bought at %(branch)s: %(items)s")
                     % {"branch": branch.name,
                        "items": ", ".join(f"{x.name} × {x.quantity}" for x in built)},
                     body=_("Total %(total)s zł") % {"total": total})
    audit_record(action="sales.sale.create", obj=sale, actor=actor, branch_id=branch.pk,
                 message=f"{total} {payment_method}")
    _enqueue_receipt(sale)
    return sale


def _take_off(lines: list[SaleLine], amount: Decimal) -> None:
    """Spread ``amount`` (points redeemed) over the lines in proportion to their values,
    in whole grosze, the remainder on the largest lines: the receipt's lines add up to
    what the customer pays, and a return refunds a line's share of it."""
    total = sum((line.total_gross for line in lines), Decimal(0))
    if amount > total:
        raise ValidationFailed("too_many", _(
            "The points are worth %(value)s zł, more than the sale's %(total)s zł: redeem "
            "fewer.") % {"value": amount, "total": total}, field=cards.POINTS_FIELD)
    shares = [(amount * line.total_gross / total).quantize(CENT, rounding="ROUND_FLOOR")
              for line in lines]
    left = int((amount - sum(shares, Decimal(0))) / CENT)
    order = sorted(range(len(lines)), key=lambda i: (-lines[i].total_gross, i))
    for i in order:
        if left <= 0:
            break
        if shares[i] + CENT <= lines[i].total_gross:
            shares[i] += CENT
            left -= 1
    for line, share in zip(lines, shares, strict=True):
        line.total_gross -= share


def _enqueue_receipt(sale: Sale) -> None:
    from punkt.sales.tasks import print_receipt

    print_receipt.enqueue(sale.pk)


def returnable(sale: Sale) -> dict[int, int]:
    """Per sold line: how many units may still be returned."""
    returned = dict(SaleLine.objects.filter(returns_line__sale=sale)
                    .values_list("returns_line").annotate(n=Sum("quantity")))
    return {line.pk: line.quantity - int(returned.get(line.pk) or 0)
            for line in sale.lines.all()}


@transaction.atomic
def sale_return(*, actor: Actor, sale_id: int, quantities: dict[Any, Any], reason: Any,
                key: str = "") -> Sale:
    """A return as a new document: the units go back into the branch's stock and the
    customer gets back what they paid for them, the same way they paid."""
    # Returns of one sale wait for each other.
    sale = Sale.objects.filter(kind=SaleKind.SALE).locked(sale_id, missing=_("Sale not found."))
    org_perms.ensure(actor, perms.SALE_CREATE.code, sale.branch_id)
    key = _key("return", key)
    text = " ".join(str(reason or "").split())
    request = idempotency.fingerprint(
        "return", sale.pk, sorted((str(k).strip(), str(v).strip()) for k, v in quantities.items()
                                  if str(v).strip() not in ("", "0")), text) if key else ""
    if key and (done := _replay(key, actor, request)) is not None:
        return done
    if not text:
        raise ValidationFailed("required", _("Give the reason for the return."), field="reason")
    if len(text) > 300:
        raise ValidationFailed("too_long", _("The reason may have at most 300 characters."),
                               field="reason")
    left = returnable(sale)
    sold = {line.pk: line for line in sale.lines.all()}
    chosen: list[tuple[SaleLine, int]] = []
    for raw_id, raw_qty in quantities.items():
        if str(raw_qty).strip() in ("", "0"):
            continue
        try:
            line_id, qty = int(raw_id), int(str(raw_qty).strip())
        except (TypeError, ValueError):
            raise ValidationFailed("invalid", _("Give the quantity as a whole number."),
                                   field=f"line-{raw_id}") from None
        if line_id not in sold:
            raise ValidationFailed("invalid", _("This line is not on the sale."),
                                   field=f"line-{raw_id}")
        if not 1 <= qty <= left[line_id]:
            raise ValidationFailed("invalid", _(
                "%(product)s: at most %(n)d can be returned.")
                % {"product": sold[line_id].name, "n": left[line_id]}, field=f"line-{line_id}")
        chosen.append((sold[line_id], qty))
    if not chosen:
        raise ValidationFailed("required", _("Choose what the customer returns."),
                               field="lines")
    lines = []
    for line, qty in chosen:
        # The refund is the share of what was paid for the line (its discount included),
        # counted cumulatively so that unit-by-unit returns add up to the line's total.
        already = line.quantity - left[line.pk]
        refund = (cents(line.total_gross * (already + qty) / line.quantity)
                  - cents(line.total_gross * already / line.quantity))
        lines.append(SaleLine(product_id=line.product_id, returns_line=line, name=line.name,
                              quantity=qty, unit_price_gross=line.unit_price_gross,
                              discount_percent=line.discount_percent, total_gross=refund,
                              vat_rate=line.vat_rate))
    doc = Sale.objects.create(
        kind=SaleKind.RETURN, original=sale, branch_id=sale.branch_id,
        seller=employee_of(actor), customer_id=sale.customer_id,
        payment_method=sale.payment_method, reason=text, key=key or None,
        key_fingerprint=request,
        total_gross=sum((x.total_gross for x in lines), Decimal(0)))
    for line in lines:
        line.sale = doc
    SaleLine.objects.bulk_create(lines)
    for line in sorted(lines, key=lambda x: x.product_id):
        stock_move(branch_id=sale.branch_id, product_id=line.product_id, delta=line.quantity,
                   kind=MovementKind.RETURN, actor=actor, source=doc, reason=text)
    if sale.customer_id:
        timeline_add(customer_id=sale.customer_id, kind="sale", actor=actor,
                     branch_id=sale.branch_id, source=doc,
                     subject=_("Returned (%(number)s): %(items)s")
                     % {"number": sale.number,
                        "items": ", ".join(f"{x.name} × {x.quantity}" for x in lines)},
                     body=text)
    cards.returned(doc, actor)
    audit_record(action="sales.sale.return", obj=doc, actor=actor, branch_id=sale.branch_id,
                 message=f"{sale.number}: {doc.total_gross}")
    _enqueue_receipt(doc)
    return doc


def receipt_payload(sale: Sale) -> dict[str, Any]:
    lines = list(sale.lines.all())
    return {
        "document": sale.number, "kind": sale.kind, "branch": sale.branch_id,
        "original": f"S{sale.original_id:08d}" if sale.original_id else None,
        "payment": sale.payment_method, "total_gross": str(sale.total_gross),
        "lines": [{"name": x.name, "quantity": x.quantity, "unit_price": str(x.unit_price_gross),
                   "discount_percent": str(x.discount_percent), "total": str(x.total_gross),
                   "vat": x.vat_rate} for x in lines],
        "vat": [{"rate": v.vat_rate, "gross": str(v.gross), "net": str(v.net),
                 "vat": str(v.vat)}
                for v in vat_from_gross((x.vat_rate, x.total_gross) for x in lines)],
    }


def receipt_print(sale_id: int) -> str:
    """Hand one receipt to the register (the task's body): at most once — a receipt found
    "at the register" after a crash becomes "check the register", never a second print."""
    with transaction.atomic():
        sale = Sale.objects.select_for_update().filter(pk=sale_id).first()
        if sale is None:
            return "missing"
        if sale.receipt_status == ReceiptStatus.PRINTING:
            Sale.objects.filter(pk=sale.pk).update(receipt_status=ReceiptStatus.UNCERTAIN)
            return ReceiptStatus.UNCERTAIN
        if sale.receipt_status != ReceiptStatus.PENDING:
            return sale.receipt_status
        Sale.objects.filter(pk=sale.pk).update(receipt_status=ReceiptStatus.PRINTING)
    try:
        number = fiscal.register().print_receipt(receipt_payload(sale))
    except fiscal.FiscalError as exc:  # the register refused: nothing was printed
        Sale.objects.filter(pk=sale_id).update(receipt_status=ReceiptStatus.FAILED,
                                               receipt_error=str(exc)[:300])
        return ReceiptStatus.FAILED
    except Exception as exc:  # noqa: BLE001 - a timeout may come after printing
        Sale.objects.filter(pk=sale_id).update(receipt_status=ReceiptStatus.UNCERTAIN,
                                               receipt_error=str(exc)[:300])
        return ReceiptStatus.UNCERTAIN
    Sale.objects.filter(pk=sale_id).update(receipt_status=ReceiptStatus.PRINTED,
                                           receipt_number=number[:60], receipt_error="")
    return ReceiptStatus.PRINTED


@transaction.atomic
def receipt_retry(*, actor: Actor, sale_id: int) -> Sale:
    """After a register error (or a check of an uncertain one), send the receipt again."""
    sale = Sale.objects.locked(sale_id, missing=_("Sale not found."))
    org_perms.ensure(actor, perms.SALE_CREATE.code, sale.branch_id)
    if sale.receipt_status not in (ReceiptStatus.FAILED, ReceiptStatus.UNCERTAIN):
        raise Conflict("invalid_state", _("The receipt is not waiting for a retry."))
    Sale.objects.filter(pk=sale.pk).update(receipt_status=ReceiptStatus.PENDING,
                                           receipt_error="")
    audit_record(action="sales.receipt.retry", obj=sale, actor=actor, branch_id=sale.branch_id)
    _enqueue_receipt(sale)
    sale.receipt_status = ReceiptStatus.PENDING
    return sale
