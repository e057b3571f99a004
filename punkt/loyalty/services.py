"""Loyalty programmes, cards and points (R13; the rules: ``docs/loyalty.md``).

A card is scanned at the counter sale (``punkt/sales/cards.py`` asks this module through
the registered :class:`_Cards`): its discount applies to every line (the larger of it and
the seller's), the points redeemed are taken off the total, and the points earned on
what was paid are added — all in the sale's transaction, on the card's locked row, so two
sales redeeming the same points at once cannot both have them (C10). A return reverses
the points earned by the returned goods and gives back the redeemed ones in the same
share. The daily job expires points past their validity, oldest first (C9)."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.core.audit import audit_record, diff, snapshot
from punkt.core.errors import ValidationFailed
from punkt.core.money import CENT, parse_amount
from punkt.customers.gdpr import add_months
from punkt.customers.models import Customer, CustomerStatus
from punkt.customers.timeline import timeline_add
from punkt.loyalty import closed
from punkt.loyalty import permissions as perms
from punkt.loyalty.models import (
    Card,
    CardSale,
    CardStatus,
    EntryKind,
    ExpiryRun,
    PointsEntry,
    Programme,
    ProgrammeKind,
    Tier,
)
from punkt.loyalty.workflows import CARD_FLOW
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Branch
from punkt.sales import cards as sale_cards
from punkt.sales.models import Sale, SaleLine

#: Card numbers are EAN-13 of restricted circulation: "29", ten digits, a check digit.
PREFIX = "29"
TIER_MONTHS = 12
TIERS = (Tier.PLATINUM, Tier.GOLD, Tier.SILVER)


# -- numbers -------------------------------------------------------------------------------

def check_digit(digits: str) -> str:
    """The EAN-13 check digit of twelve digits (weights 1, 3, 1, 3, … from the left)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return str((10 - total % 10) % 10)


def card_number(serial: int) -> str:
    body = f"{PREFIX}{serial:010d}"
    return body + check_digit(body)


def number_is_valid(number: str) -> bool:
    return (len(number) == 13 and number.isascii() and number.isdigit()
            and number.startswith(PREFIX) and check_digit(number[:12]) == number[12])


# -- rules ---------------------------------------------------------------------------------

def scale_steps(programme: Programme) -> list[tuple[Decimal, Decimal]]:
    return sorted((Decimal(a), Decimal(p)) for a, p in programme.scale or [])


def discount_for(programme: Programme, tier: str, list_total: Decimal) -> Decimal:
    """The card's discount per cent at a sale whose goods are worth ``list_total``."""
    if programme.kind in (ProgrammeKind.PERSONAL, ProgrammeKind.BEARER):
        return programme.discount_percent
    if programme.kind == ProgrammeKind.TIERED:
        by_tier: dict[str, Decimal] = {
            Tier.SILVER: programme.silver_percent, Tier.GOLD: programme.gold_percent,
            Tier.PLATINUM: programme.platinum_percent}
        return by_tier.get(tier, Decimal(0))
    if programme.kind == ProgrammeKind.PROGRESSIVE:
        pct = Decimal(0)
        for start, step_pct in scale_steps(programme):
            if list_total >= start:
                pct = step_pct
        return pct
    return Decimal(0)


def points_for(programme: Programme, paid: Decimal) -> int:
    """Points earned on ``paid`` złoty: ``points_per_zloty`` × paid, rounded down."""
    if paid <= 0 or programme.points_per_zloty <= 0:
        return 0
    return int((paid * programme.points_per_zloty).to_integral_value(rounding=ROUND_FLOOR))


def points_value(programme: Programme, points: int) -> Decimal:
    """What ``points`` are worth at a sale, in whole grosze rounded down."""
    return (programme.point_value * points).quantize(CENT, rounding=ROUND_FLOOR)


def tier_for(programme: Programme, purchases: Decimal) -> str:
    """The highest tier whose threshold (above zero) ``purchases`` reach."""
    if programme.kind != ProgrammeKind.TIERED:
        return Tier.NONE
    for tier in TIERS:
        start = getattr(programme, f"{tier}_from")
        if start > 0 and purchases >= start:
            return tier
    return Tier.NONE


def purchases_of(card_id: int, now: datetime.datetime | None = None) -> Decimal:
    """What was paid with the card over the last 12 months, returns subtracted."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=365)
    total = CardSale.objects.filter(card_id=card_id, created_at__gt=since).aggregate(
        s=Sum("amount"))["s"]
    return max(total or Decimal(0), Decimal(0))


def _recompute_tier(card: Card, now: datetime.datetime | None = None) -> str:
    if card.programme.kind != ProgrammeKind.TIERED:
        return card.tier
    tier = tier_for(card.programme, purchases_of(card.pk, now))
    if tier != card.tier:
        Card.objects.filter(pk=card.pk).update(tier=tier)
        card.tier = tier
    return tier


# -- the ledger ----------------------------------------------------------------------------

def _entry(card: Card, kind: str, points: int, *, sale: Sale | None = None,
           actor: Actor | None = None, expires_on: datetime.date | None = None,
           now: datetime.datetime | None = None) -> PointsEntry:
    """Add ``points`` (signed) to the card's balance, never below zero: the update is
    conditional on the balance (the card's row is locked by the caller)."""
    moved = Card.objects.filter(pk=card.pk, points_balance__gte=max(0, -points)).update(
        points_balance=F("points_balance") + points)
    if not moved:
        raise ValidationFailed("too_many", _("The card has only %(n)d points.")
                               % {"n": Card.objects.get(pk=card.pk).points_balance},
                               field=sale_cards.POINTS_FIELD)
    card.points_balance += points  # the row is locked: no one else moved it
    return PointsEntry.objects.create(
        card=card, kind=kind, points=points, balance_after=card.points_balance, sale=sale,
        expires_on=expires_on, created_by=employee_of(actor) if actor else None,
        **({"created_at": now} if now else {}))


def _expires_on(programme: Programme, day: datetime.date) -> datetime.date:
    return add_months(day, programme.points_valid_months)


@dataclass
class _Found:
    card: Card


class _Cards:
    """What the counter sale asks (``punkt/sales/cards.py``)."""

    def check(self, *, actor: Any, branch_id: int, number: str, list_total: Decimal,
              points: int) -> sale_cards.CardPlan:
        card = (Card.objects.select_for_update(of=("self",)).select_related("programme")
                .filter(number=number).first())
        if card is None or card.status != CardStatus.ACTIVE or not card.programme.is_active:
            raise ValidationFailed("invalid", _("No active card has this number."),
                                   field=sale_cards.FIELD)
        value = Decimal(0)
        if points:
            if card.programme.point_value <= 0:
                raise ValidationFailed("invalid", _("This card's programme has no points to "
                                                    "redeem."), field=sale_cards.POINTS_FIELD)
            if points > card.points_balance:
                raise ValidationFailed("too_many", _("The card has only %(n)d points.")
                                       % {"n": card.points_balance},
                                       field=sale_cards.POINTS_FIELD)
            value = points_value(card.programme, points)
        return sale_cards.CardPlan(
            number=number, discount_percent=discount_for(card.programme, card.tier, list_total),
            points=points, points_value=value, found=_Found(card))

    def record(self, plan: sale_cards.CardPlan, sale: Any, actor: Any) -> None:
        card: Card = plan.found.card
        now = sale.created_at
        if plan.points:
            _entry(card, EntryKind.REDEEMED, -plan.points, sale=sale, actor=actor, now=now)
        earned = points_for(card.programme, sale.total_gross)
        if earned:
            _entry(card, EntryKind.EARNED, earned, sale=sale, actor=actor, now=now,
                   expires_on=_expires_on(card.programme, timezone.localdate(now)))
        CardSale.objects.create(card=card, sale=sale, amount=sale.total_gross,
                                discount_percent=plan.discount_percent, created_at=now)
        _recompute_tier(card, now)

    def returned(self, doc: Any, actor: Any) -> None:
        use = CardSale.objects.filter(sale_id=doc.original_id).first()
        if use is None:
            return
        card = Card.objects.select_related("programme").select_for_update(of=("self",)).get(
            pk=use.card_id)
        now = doc.created_at
        CardSale.objects.create(card=card, sale=doc, amount=-doc.total_gross,
                                created_at=now)
        share_before, share_now = _returned_share(doc)
        entries = PointsEntry.objects.filter(card=card)
        earned = entries.filter(sale_id=doc.original_id, kind=EntryKind.EARNED).aggregate(
            s=Sum("points"))["s"] or 0
        redeemed = -(entries.filter(sale_id=doc.original_id, kind=EntryKind.REDEEMED)
                     .aggregate(s=Sum("points"))["s"] or 0)
        give_back = _floor(redeemed * share_now) - _floor(redeemed * share_before)
        take_back = _floor(earned * share_now) - _floor(earned * share_before)
        if give_back:
            _entry(card, EntryKind.REVERSED, give_back, sale=doc, actor=actor, now=now,
                   expires_on=_expires_on(card.programme, timezone.localdate(now)))
        take_back = min(take_back, card.points_balance)
        if take_back > 0:
            _entry(card, EntryKind.REVERSED, -take_back, sale=doc, actor=actor, now=now)
        _recompute_tier(card, now)

    def refusals(self, plan: sale_cards.CardPlan | None,
                 product_ids: list[int]) -> dict[int, str]:
        return closed.refusals(product_ids, plan.found.card if plan is not None else None)


def _floor(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def _returned_share(doc: Sale) -> tuple[Decimal, Decimal]:
    """The share of the sale's goods (at list price) returned before ``doc`` and with it."""
    sold = SaleLine.objects.filter(sale_id=doc.original_id or 0)
    total = sum((x.unit_price_gross * x.quantity for x in sold), Decimal(0))
    returned = SaleLine.objects.filter(sale__original_id=doc.original_id,
                                       sale__kind="return")
    before = sum((x.unit_price_gross * x.quantity for x in returned if x.sale_id != doc.pk),
                 Decimal(0))
    now = before + sum((x.unit_price_gross * x.quantity for x in returned
                        if x.sale_id == doc.pk), Decimal(0))
    if total <= 0:
        return Decimal(1), Decimal(1)
    return before / total, now / total


sale_cards.provides_cards(_Cards())


# -- expiry (the daily job) ----------------------------------------------------------------

def expiring(card_id: int, day: datetime.date) -> int:
    """Points of the card due to expire on ``day``: what was added with an expiry on or
    before it, less everything taken off so far (the oldest points are used first)."""
    rows = PointsEntry.objects.filter(card_id=card_id)
    due = rows.filter(points__gt=0, expires_on__lte=day).aggregate(s=Sum("points"))["s"] or 0
    spent = -(rows.filter(points__lt=0).aggregate(s=Sum("points"))["s"] or 0)
    return max(0, due - spent)


def expire_points(day: datetime.date | None = None) -> int:
    """Expire every card's points due on ``day`` (today); once per card and day (C9).
    Also recomputes the tiers of tiered cards (purchases leave the 12-month window)."""
    day = day or timezone.localdate()
    expired = 0
    candidates = (Card.objects.filter(points_balance__gt=0, entries__expires_on__lte=day)
                  .values_list("pk", flat=True).distinct().order_by("pk"))
    for card_id in list(candidates):
        try:
            with transaction.atomic():
                ExpiryRun.objects.create(card_id=card_id, day=day)
                card = Card.objects.select_related("programme").locked(card_id)
                due = min(expiring(card_id, day), card.points_balance)
                if due > 0:
                    _entry(card, EntryKind.EXPIRED, -due)
                    expired += due
        except IntegrityError:
            continue
    end_of_day = datetime.datetime.combine(day, datetime.time.max,
                                           tzinfo=timezone.get_current_timezone())
    edge = end_of_day - datetime.timedelta(days=365)
    left_window = CardSale.objects.filter(
        created_at__gt=edge - datetime.timedelta(days=2), created_at__lte=edge,
        card__programme__kind=ProgrammeKind.TIERED).exclude(card__tier=Tier.NONE)
    for card_id in sorted(set(left_window.values_list("card_id", flat=True))):
        with transaction.atomic():
            card = Card.objects.select_related("programme").locked(card_id)
            _recompute_tier(card, end_of_day)
    return expired


# -- programmes ----------------------------------------------------------------------------

def _percent(data: dict[str, Any], field: str) -> Decimal:
    try:
        value = parse_amount(data.get(field) or "0")
    except ValueError:
        value = Decimal(-1)
    if not 0 <= value <= 100:
        raise ValidationFailed("invalid", _("Give a percentage from 0 to 100."), field=field)
    return value


def _amount(data: dict[str, Any], field: str) -> Decimal:
    try:
        return parse_amount(data.get(field) or "0")
    except ValueError:
        raise ValidationFailed("invalid", _("Give an amount in złoty, e.g. 1000,00."),
                               field=field) from None


def parse_scale(text: Any) -> list[list[str]]:
    """"500: 3; 1000: 5" (or one step a line): from a basket of 500 zł 3 %, from 1000 zł
    5 %. Amounts rising, discounts rising, at most 10 steps."""
    steps: list[tuple[Decimal, Decimal]] = []
    for raw in str(text or "").replace(";", "\n").splitlines():
        if not raw.strip():
            continue
        amount, sep, pct = raw.partition(":")
        try:
            a, p = parse_amount(amount.strip()), parse_amount(pct.strip().rstrip("%"))
        except ValueError:
            a = p = Decimal(-1)
        if not sep or a <= 0 or not 0 < p <= 100:
            raise ValidationFailed("invalid", _(
                "Write each step as “amount: discount %”, e.g. 500: 3."), field="scale")
        steps.append((a, p))
    steps.sort()
    if len(steps) > 10 or any(b[0] == a[0] or b[1] <= a[1] for a, b in zip(steps, steps[1:],
                                                                        strict=False)):
        raise ValidationFailed("invalid", _(
            "At most 10 steps; a higher amount gives a higher discount."), field="scale")
    return [[str(a), str(p)] for a, p in steps]


def scale_text(programme: Programme) -> str:
    return "; ".join(f"{a}: {p}" for a, p in programme.scale or [])


def _programme_values(data: dict[str, Any]) -> dict[str, Any]:
    name = " ".join(str(data.get("name") or "").split())
    if not name:
        raise ValidationFailed("required", _("Give the programme a name."), field="name")
    if len(name) > 120:
        raise ValidationFailed("too_long", _("The name may have at most 120 characters."),
                               field="name")
    kind = str(data.get("kind") or "")
    if kind not in ProgrammeKind.values:
        raise ValidationFailed("invalid", _("Choose the programme's kind."), field="kind")
    values: dict[str, Any] = {
        "name": name, "kind": kind, "is_active": bool(data.get("is_active", True)),
        "discount_percent": _percent(data, "discount_percent"),
        "scale": parse_scale(data.get("scale")) if kind == ProgrammeKind.PROGRESSIVE else [],
        "points_per_zloty": _amount(data, "points_per_zloty"),
        "vip_from": _amount(data, "vip_from"),
        "vip_benefits": str(data.get("vip_benefits") or "").strip(),
    }
    if len(values["vip_benefits"]) > 1000:
        raise ValidationFailed("too_long", _("At most 1,000 characters."),
                               field="vip_benefits")
    if values["vip_from"] and not values["vip_benefits"]:
        raise ValidationFailed("required", _("Say what a VIP customer gets (e.g. served "
                                             "without queueing, a personal adviser)."),
                               field="vip_benefits")
    for tier in TIERS:
        values[f"{tier}_from"] = _amount(data, f"{tier}_from")
        values[f"{tier}_percent"] = _percent(data, f"{tier}_percent")
    try:
        value = Decimal(str(data.get("point_value") or "0").strip().replace(",", "."))
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or not 0 <= value <= 100 or value != value.quantize(
            Decimal("0.0001")):
        raise ValidationFailed("invalid", _("Give the value of a point in złoty, at most "
                                            "four decimals, e.g. 0,01."), field="point_value")
    values["point_value"] = value
    months = str(data.get("points_valid_months") or "24").strip()
    if not (months.isascii() and months.isdigit()) or not 1 <= int(months) <= 120:
        raise ValidationFailed("invalid", _("Points are valid for 1 to 120 months."),
                               field="points_valid_months")
    values["points_valid_months"] = int(months)
    if kind in (ProgrammeKind.PERSONAL, ProgrammeKind.BEARER) and not values[
            "discount_percent"]:
        raise ValidationFailed("required", _("Give the card's discount."),
                               field="discount_percent")
    if kind == ProgrammeKind.TIERED:
        froms = [values[f"{t}_from"] for t in reversed(TIERS)]
        pcts = [values[f"{t}_percent"] for t in reversed(TIERS)]
        if not all(froms) or froms != sorted(set(froms)) or pcts != sorted(pcts):
            raise ValidationFailed("invalid", _(
                "Silver, gold and platinum need rising thresholds and discounts that do "
                "not fall."), field="gold_from")
    if kind == ProgrammeKind.PROGRESSIVE and not values["scale"]:
        raise ValidationFailed("required", _("Give at least one step of the scale."),
                               field="scale")
    if kind == ProgrammeKind.POINTS and not (values["points_per_zloty"]
                                             and values["point_value"]):
        field = "point_value" if values["points_per_zloty"] else "points_per_zloty"
        raise ValidationFailed("required", _("Bonus points need points per złoty and the "
                                             "value of a point."), field=field)
    return values


FIELDS = ("name", "kind", "is_active", "discount_percent", "silver_from", "silver_percent",
          "gold_from", "gold_percent", "platinum_from", "platinum_percent", "scale",
          "points_per_zloty", "point_value", "points_valid_months", "vip_from",
          "vip_benefits")


@transaction.atomic
def programme_save(*, actor: Actor, data: dict[str, Any],
                   programme_id: Any = None) -> Programme:
    """Define a programme (``programme_id`` None) or change one (its kind stays: cards
    were issued under it)."""
    org_perms.ensure(actor, perms.PROGRAMME_MANAGE.code)
    values = _programme_values(data)
    if Programme.objects.filter(name__iexact=values["name"]).exclude(
            pk=programme_id or 0).exists():
        raise ValidationFailed("duplicate", _("A programme with this name exists."),
                               field="name")
    from punkt.loyalty import rewards

    if programme_id is None:
        programme = Programme.objects.create(**values)
        if "rewards" in data:
            rewards.rewards_sync(programme, data["rewards"])
        if "closed" in data:
            closed.closed_sync(programme, data["closed"])
        audit_record(action="loyalty.programme.create", obj=programme, actor=actor)
        return programme
    programme = Programme.objects.locked(programme_id, missing=_("Programme not found."))
    if values["kind"] != programme.kind and programme.cards.exists():
        raise ValidationFailed("invalid", _("Cards were issued under this programme: its "
                                            "kind cannot change."), field="kind")
    before = snapshot(programme, list(FIELDS))
    before_rewards = rewards.rewards_text(programme)
    before_closed = closed.closed_text(programme)
    for key, value in values.items():
        setattr(programme, key, value)
    programme.save()
    if "rewards" in data:
        rewards.rewards_sync(programme, data["rewards"])
    changes = diff(before, snapshot(programme, list(FIELDS)))
    if "rewards" in data and rewards.rewards_text(programme) != before_rewards:
        changes["rewards"] = [before_rewards, rewards.rewards_text(programme)]
    if "closed" in data:
        closed.closed_sync(programme, data["closed"])
        if closed.closed_text(programme) != before_closed:
            changes["closed"] = [before_closed, closed.closed_text(programme)]
    audit_record(action="loyalty.programme.update", obj=programme, actor=actor,
                 changes=changes)
    return programme


# -- cards ---------------------------------------------------------------------------------

@transaction.atomic
def card_issue(*, actor: Actor, branch_id: int, programme_id: Any,
               customer_id: Any = None) -> Card:
    """Issue a card at the branch's counter: a personal card names a customer the issuer
    may serve, a bearer card none. The number is the next one in the company."""
    branch = Branch.objects.filter(pk=branch_id).first()
    if branch is None:
        raise ValidationFailed("invalid", _("Choose a branch."), field="branch")
    org_perms.ensure(actor, perms.CARD_ISSUE.code, branch.pk)
    try:
        programme = Programme.objects.filter(pk=int(programme_id), is_active=True).first()
    except (TypeError, ValueError):
        programme = None
    if programme is None:
        raise ValidationFailed("invalid", _("Choose an active programme."), field="programme")
    customer = None
    if programme.personal:
        try:
            customer = Customer.objects.filter(pk=int(customer_id)).first()
        except (TypeError, ValueError):
            customer = None
        if customer is None or not org_perms.can(actor, perms.CARD_ISSUE.code,
                                                 customer.branch_id):
            raise ValidationFailed("required", _("A personal card is issued to a customer: "
                                                 "choose one."), field="customer")
        if customer.status != CustomerStatus.ACTIVE:
            raise ValidationFailed("not_active", _("This customer record is closed."),
                                   field="customer")
        if Card.objects.filter(customer=customer, programme=programme,
                               status=CardStatus.ACTIVE).exists():
            raise ValidationFailed("duplicate", _("The customer already has an active card "
                                                  "of this programme."), field="customer")
    elif customer_id not in (None, ""):
        raise ValidationFailed("invalid", _("A bearer card names no customer."),
                               field="customer")
    card = Card.objects.create(number=f"t{uuid.uuid4().hex[:12]}",
                               programme=programme, customer=customer, branch=branch,
                               issued_by=employee_of(actor))
    card.number = card_number(card.pk)
    Card.objects.filter(pk=card.pk).update(number=card.number)
    if customer is not None:
        timeline_add(customer_id=customer.pk, kind="loyalty", actor=actor, branch_id=branch.pk,
                     source=card, subject=_("Loyalty card %(number)s issued (%(programme)s)")
                     % {"number": card.number, "programme": programme.name})
    audit_record(action="loyalty.card.issue", obj=card, actor=actor, branch_id=branch.pk,
                 message=f"{card.number} {programme.name}")
    return card


@transaction.atomic
def card_move(*, actor: Actor, card_id: Any, action: str, reason: Any = "") -> Card:
    """Block (a reason required) or unblock a card (``docs/workflows/loyalty-card.md``)."""
    card = Card.objects.locked(card_id, missing=_("Card not found."))
    move = CARD_FLOW.ensure_can(card, action, actor=actor)
    text = " ".join(str(reason or "").split())
    if action == "block" and not text:
        raise ValidationFailed("required", _("Give the reason for blocking."), field="reason")
    if len(text) > 300:
        raise ValidationFailed("too_long", _("The reason may have at most 300 characters."),
                               field="reason")
    moved = Card.objects.filter(pk=card.pk, status=card.status).update(
        status=move.target, blocked_reason=text if action == "block" else "")
    if not moved:
        raise ValidationFailed("invalid", _("The card changed meanwhile."), field="status")
    card.refresh_from_db()
    audit_record(action=f"loyalty.card.{action}", obj=card, actor=actor,
                 branch_id=card.branch_id, message=text)
    return card


def balance_matches(card_id: int) -> bool:
    """The card's balance equals the sum of its entries (and the last entry's balance)."""
    card = Card.objects.get(pk=card_id)
    total = PointsEntry.objects.filter(card_id=card_id).aggregate(s=Sum("points"))["s"] or 0
    last = PointsEntry.objects.filter(card_id=card_id).order_by("-pk").first()
    return card.points_balance == total and (last is None or last.balance_after == total)


