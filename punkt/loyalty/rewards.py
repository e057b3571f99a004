"""Rewards for points (R13, seed 003: prizes and gifts, not only a discount).

HQ lists a programme's rewards on the programme's page, one a line — ``name | points`` or
``name | points | product code`` — and a branch employee exchanges a card's points for one
at the counter (the card's page or the API). The exchange is one transaction on the
card's locked row: a points entry of kind ``reward`` (never below zero: the ledger's
CHECK and the conditional update), the :class:`RewardRedemption` naming it and, for a
reward that is a catalogue product, one unit out of the branch's stock as a movement of
kind ``reward`` (refused on ``reward`` when the branch has none; nothing is written).
A second click with the same once-only key exchanges nothing more. Points used for a
reward count like redeemed points when the oldest points expire (``services.expiring``).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from punkt.catalog.models import Product
from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, ValidationFailed
from punkt.customers.timeline import timeline_add
from punkt.inventory.models import MovementKind
from punkt.inventory.services import stock_move
from punkt.loyalty import permissions as perms
from punkt.loyalty.models import Card, CardStatus, EntryKind, Programme, Reward, RewardRedemption
from punkt.loyalty.services import _entry
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Branch

MAX_REWARDS = 30
MAX_POINTS = 10_000_000


def rewards_text(programme: Programme) -> str:
    return "\n".join(
        " | ".join([r.name, str(r.points)] + ([r.product.code] if r.product else []))
        for r in programme.rewards.filter(is_active=True).select_related("product"))


def parse_rewards(text: Any) -> list[tuple[str, int, Product | None]]:
    """The lines of the rewards box; a bad line is refused on ``rewards`` with its number."""
    rows: list[tuple[str, int, Product | None]] = []
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    if len(lines) > MAX_REWARDS:
        raise ValidationFailed("too_many", _("At most %(n)d rewards.") % {"n": MAX_REWARDS},
                               field="rewards")
    for n, line in enumerate(lines, start=1):
        parts = [p.strip() for p in line.split("|")]
        name, points = parts[0], parts[1] if len(parts) > 1 else ""
        if not name or len(name) > 120 or len(parts) > 3:
            raise ValidationFailed("invalid", _(
                "Line %(n)d: write “name | points” or “name | points | product code”.")
                % {"n": n}, field="rewards")
        if not (points.isascii() and points.isdigit()) or not 1 <= int(points) <= MAX_POINTS:
            raise ValidationFailed("invalid", _(
                "Line %(n)d: the points are a whole number from 1 to 10,000,000.")
                % {"n": n}, field="rewards")
        if any(r[0].lower() == name.lower() for r in rows):
            raise ValidationFailed("duplicate", _("Line %(n)d: this reward is listed twice.")
                                   % {"n": n}, field="rewards")
        product = None
        if len(parts) == 3 and parts[2]:
            product = Product.objects.filter(code=parts[2]).first()
            if product is None:
                raise ValidationFailed("invalid", _(
                    "Line %(n)d: no product with the code %(code)s in the catalogue.")
                    % {"n": n, "code": parts[2]}, field="rewards")
        rows.append((name, int(points), product))
    return rows


def rewards_sync(programme: Programme, text: Any) -> None:
    """Make the programme's active rewards the lines of ``text`` (inside the caller's
    transaction). A reward no longer listed is switched off, never deleted: cards'
    entries name it."""
    rows = parse_rewards(text)
    kept = []
    for position, (name, points, product) in enumerate(rows):
        reward = Reward.objects.filter(programme=programme, name__iexact=name).first()
        if reward is None:
            reward = Reward(programme=programme, name=name)
        reward.name, reward.points, reward.product = name, points, product
        reward.is_active, reward.position = True, position
        reward.save()
        kept.append(reward.pk)
    programme.rewards.exclude(pk__in=kept).update(is_active=False)


def rewards_for(card: Card) -> list[Reward]:
    return list(Reward.objects.filter(programme_id=card.programme_id, is_active=True)
                .select_related("product"))


def reward_redeem(*, actor: Actor, card_id: Any, reward_id: Any, branch_id: Any,
                  key: Any = None) -> RewardRedemption:
    """Exchange the card's points for the reward at ``branch_id`` (see the module)."""
    key = str(key or "").strip()[:64] or None
    if key:
        done = RewardRedemption.objects.filter(key=key).first()
        if done is not None:
            return done
    try:
        branch = Branch.objects.filter(pk=int(branch_id)).first()
    except (TypeError, ValueError):
        branch = None
    if branch is None:
        raise ValidationFailed("invalid", _("Choose a branch."), field="branch")
    org_perms.ensure(actor, perms.REWARD_REDEEM.code, branch.pk)
    try:
        with transaction.atomic():
            return _redeem(actor, card_id, reward_id, branch, key)
    except IntegrityError:
        done = RewardRedemption.objects.filter(key=key).first() if key else None
        if done is None:
            raise
        return done


def _redeem(actor: Actor, card_id: Any, reward_id: Any, branch: Branch,
            key: str | None) -> RewardRedemption:
    card = Card.objects.select_related("programme").locked(card_id,
                                                           missing=_("Card not found."))
    if card.status != CardStatus.ACTIVE:
        raise ValidationFailed("blocked", _("The card is blocked."), field="card")
    try:
        reward = Reward.objects.select_related("product").filter(
            pk=int(reward_id), programme_id=card.programme_id, is_active=True).first()
    except (TypeError, ValueError):
        reward = None
    if reward is None:
        raise ValidationFailed("invalid", _("Choose one of the programme's rewards."),
                               field="reward")
    if card.points_balance < reward.points:
        raise ValidationFailed("too_few", _(
            "The reward takes %(need)d points; the card has %(have)d.")
            % {"need": reward.points, "have": card.points_balance}, field="reward")
    entry = _entry(card, EntryKind.REWARD, -reward.points, actor=actor)
    redemption = RewardRedemption.objects.create(
        card=card, reward=reward, entry=entry, branch=branch, key=key,
        created_by=employee_of(actor))
    if reward.product is not None:
        try:
            movement = stock_move(branch_id=branch.pk, product_id=reward.product.pk, delta=-1,
                                  kind=MovementKind.REWARD, actor=actor, source=redemption,
                                  reason=_("Reward for points, card %(number)s")
                                  % {"number": card.number})
        except Conflict:
            raise ValidationFailed("out_of_stock", _(
                "%(product)s is not in this branch's stock: choose another reward.")
                % {"product": reward.product.name}, field="reward") from None
        RewardRedemption.objects.filter(pk=redemption.pk).update(movement=movement)
        redemption.movement = movement
    if card.customer_id:
        timeline_add(customer_id=card.customer_id, kind="loyalty", actor=actor,
                     branch_id=branch.pk, source=card,
                     subject=_("%(points)d points exchanged for: %(reward)s")
                     % {"points": reward.points, "reward": reward.name})
    audit_record(action="loyalty.reward.redeem", obj=card, actor=actor, branch_id=branch.pk,
                 message=f"{reward.name} −{reward.points}")
    return redemption
