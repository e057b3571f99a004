"""Prize draws among a programme's cards and the VIP level (seed 003: "prizes and draws",
"VIP service conditions"; the rules: ``docs/loyalty.md``).

HQ announces a draw with its rules, prizes, the purchase period and a minimum; after the
period, on or after the draw's day, HQ draws the winners in front of a witness. The
entrants are every active card of the programme whose purchases with the card in the
period (returns subtracted) reach the minimum — one entry per card — sorted by card
number; the winners are picked by :func:`pick` from a fresh random ``seed`` that is kept
with the list's SHA-256, so the draw can be repeated by anyone holding both. Drawing is a
conditional move under the draw's row lock: pressed twice, or by two people at once, it
draws once (C10)."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, ValidationFailed
from punkt.core.money import parse_amount
from punkt.core.roles import Role
from punkt.customers.timeline import timeline_add
from punkt.loyalty import permissions as perms
from punkt.loyalty.models import (
    Card,
    CardSale,
    CardStatus,
    DrawStatus,
    DrawWinner,
    PrizeDraw,
    Programme,
)
from punkt.loyalty.workflows import DRAW_FLOW
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Employee, Membership

MAX_PRIZE_LINES = 20
MAX_WINNERS = 200
#: Who is told that a card of their branch won: they call the customer.
TOLD_ROLES = (Role.MANAGER, Role.SERVICE)


# -- VIP -------------------------------------------------------------------------------------

def is_vip(programme: Programme, purchases: Decimal) -> bool:
    return programme.vip_from > 0 and purchases >= programme.vip_from


# -- rules -----------------------------------------------------------------------------------

def parse_prizes(text: Any) -> list[list[Any]]:
    """``"Tablet; 1\\nSłuchawki; 3"`` → ``[["Tablet", 1], ["Słuchawki", 3]]`` (a line
    without a number is one prize). Refused on ``prizes`` naming the line."""
    out: list[list[Any]] = []
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    if not lines:
        raise ValidationFailed("required", _("Give at least one prize."), field="prizes")
    if len(lines) > MAX_PRIZE_LINES:
        raise ValidationFailed("too_long", _("At most %(n)d kinds of prizes.")
                               % {"n": MAX_PRIZE_LINES}, field="prizes")
    for n, line in enumerate(lines, 1):
        name, _sep, count = line.rpartition(";") if ";" in line else (line, "", "1")
        name, count = " ".join(name.split()), count.strip() or "1"
        if not name or len(name) > 120 or not (count.isascii() and count.isdigit()) \
                or not 1 <= int(count) <= MAX_WINNERS:
            raise ValidationFailed("invalid", _(
                "Line %(n)d: write the prize and how many, e.g. “Tablet; 2” (a name of at "
                "most 120 characters, 1 to %(max)d prizes).") % {"n": n, "max": MAX_WINNERS},
                field="prizes")
        out.append([name, int(count)])
    if sum(c for _n, c in out) > MAX_WINNERS:
        raise ValidationFailed("too_many", _("At most %(n)d prizes in one draw.")
                               % {"n": MAX_WINNERS}, field="prizes")
    return out


def prizes_text(draw: PrizeDraw) -> str:
    return "\n".join(f"{name}; {n}" for name, n in draw.prizes or [])


def _day(value: Any, field: str) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationFailed("invalid", _("Give a date (DD.MM.YYYY)."), field=field) from None


def _values(data: dict[str, Any], today: datetime.date) -> dict[str, Any]:
    name = " ".join(str(data.get("name") or "").split())
    if not name or len(name) > 120:
        raise ValidationFailed("required", _("Give the draw a name (at most 120 characters)."),
                               field="name")
    rules = str(data.get("rules") or "").strip()
    if len(rules) < 20:
        raise ValidationFailed("required", _(
            "Write the draw's rules (who takes part, the prizes, how and when the winners "
            "are drawn and told) — at least 20 characters."), field="rules")
    if len(rules) > 10000:
        raise ValidationFailed("too_long", _("The rules may have at most 10,000 characters."),
                               field="rules")
    programme = Programme.objects.filter(pk=data.get("programme") or 0).first()
    if programme is None:
        raise ValidationFailed("required", _("Choose the programme."), field="programme")
    period_from = _day(data.get("period_from"), "period_from")
    period_to = _day(data.get("period_to"), "period_to")
    if period_to < period_from:
        raise ValidationFailed("invalid", _("The period ends before it starts."),
                               field="period_to")
    if (period_to - period_from).days > 366:
        raise ValidationFailed("invalid", _("The period may be at most a year."),
                               field="period_to")
    draw_on = _day(data.get("draw_on"), "draw_on")
    if draw_on <= period_to:
        raise ValidationFailed("invalid", _("The draw takes place after the period, at the "
                                            "earliest the day after it ends."), field="draw_on")
    if draw_on < today:
        raise ValidationFailed("invalid", _("The draw's day cannot be in the past."),
                               field="draw_on")
    try:
        minimum = parse_amount(data.get("min_purchases") or "0")
    except ValueError:
        raise ValidationFailed("invalid", _("Give the minimum in złoty, e.g. 200,00."),
                               field="min_purchases") from None
    return {"name": name, "rules": rules, "programme": programme,
            "prizes": parse_prizes(data.get("prizes")), "period_from": period_from,
            "period_to": period_to, "draw_on": draw_on, "min_purchases": minimum}


@transaction.atomic
def draw_save(*, actor: Actor, data: dict[str, Any], draw_id: Any = None,
              today: datetime.date | None = None) -> PrizeDraw:
    """Announce a draw, or change a planned one (a drawn or cancelled draw stays as it
    was)."""
    org_perms.ensure(actor, perms.DRAW_MANAGE.code)
    values = _values(data, today or timezone.localdate())
    if draw_id is None:
        draw = PrizeDraw.objects.create(created_by=employee_of(actor), **values)
        audit_record(action="loyalty.draw.create", obj=draw, actor=actor, message=draw.name)
        return draw
    draw = PrizeDraw.objects.locked(draw_id, missing=_("Draw not found."))
    if draw.status != DrawStatus.PLANNED:
        raise Conflict("invalid_state", _("Only a planned draw can be changed."),
                       field="name")
    for key, value in values.items():
        setattr(draw, key, value)
    draw.save()
    audit_record(action="loyalty.draw.update", obj=draw, actor=actor, message=draw.name)
    return draw


# -- entrants and the pick -------------------------------------------------------------------

def _bounds(draw: PrizeDraw) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(draw.period_from, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(
        draw.period_to + datetime.timedelta(days=1), datetime.time.min))
    return start, end


def entrants_of(draw: PrizeDraw) -> list[tuple[str, int, int]]:
    """(card number, card id, issuing branch) of every entrant, sorted by number: active
    cards of the programme whose purchases in the period reach the minimum (above zero)."""
    start, end = _bounds(draw)
    floor = max(draw.min_purchases, Decimal("0.01"))
    rows = (CardSale.objects.filter(card__programme_id=draw.programme_id,
                                    card__status=CardStatus.ACTIVE,
                                    created_at__gte=start, created_at__lt=end)
            .values("card_id", "card__number", "card__branch_id")
            .annotate(total=Sum("amount")).filter(total__gte=floor))
    return sorted((r["card__number"], r["card_id"], r["card__branch_id"]) for r in rows)


def digest(numbers: list[str]) -> str:
    return hashlib.sha256("\n".join(numbers).encode()).hexdigest()


def pick(seed: str, numbers: list[str], k: int) -> list[str]:
    """The ``k`` winners, in order: for place i (from 1) the entrant at index
    ``int(sha256(f"{seed}:{i}"), 16) mod (entrants left)`` of the list still in the draw.
    Deterministic, so the recorded seed and list repeat it."""
    left = list(numbers)
    out: list[str] = []
    for place in range(1, min(k, len(left)) + 1):
        index = int(hashlib.sha256(f"{seed}:{place}".encode()).hexdigest(), 16) % len(left)
        out.append(left.pop(index))
    return out


def _told(branch_ids: set[int]) -> dict[int, list[Employee]]:
    """The managers and service staff of each branch (one statement per winning branch:
    a draw's winners come from a few branches)."""
    people: dict[int, list[Employee]] = {}
    for branch_id in sorted(branch_ids):
        staff = (Membership.objects.filter(branch_id=branch_id, role__in=TOLD_ROLES,
                                           is_active=True, employee__is_active=True)
                 .select_related("employee").order_by("employee_id"))
        people[branch_id] = list({m.employee_id: m.employee for m in staff}.values())
    return people


def draw_run(*, actor: Actor, draw_id: Any, witness: Any,
             today: datetime.date | None = None) -> PrizeDraw:
    """Draw the winners: once (the draw's row locked, the move conditional on "planned").
    Each winner goes on the customer's timeline and the card's branch is told."""
    from punkt.work.services import notify

    today = today or timezone.localdate()
    witness = " ".join(str(witness or "").split())
    with transaction.atomic():
        draw = PrizeDraw.objects.locked(draw_id, missing=_("Draw not found."))
        DRAW_FLOW.ensure_can(draw, "draw", actor=actor)
        if today < draw.draw_on:
            raise Conflict("too_early", _("The draw takes place on %(day)s, not before.")
                           % {"day": f"{draw.draw_on:%d.%m.%Y}"}, field="draw_on")
        if not witness or len(witness) > 200:
            raise ValidationFailed("required", _(
                "Name the person in whose presence the winners are drawn."), field="witness")
        entrants = entrants_of(draw)
        if not entrants:
            raise Conflict("no_entrants", _(
                "No card takes part: none has purchases of at least %(min)s zł in the "
                "period. Cancel the draw or change its rules.")
                % {"min": f"{max(draw.min_purchases, Decimal('0.01')):.2f}".replace(".", ",")},
                field="min_purchases")
        numbers = [n for n, _c, _b in entrants]
        seed = secrets.token_hex(32)
        won = pick(seed, numbers, draw.prize_count)
        by_number = {n: (card, branch) for n, card, branch in entrants}
        prizes = [name for name, count in draw.prizes for _i in range(int(count))]
        winners = [DrawWinner(draw=draw, place=i, prize=prizes[i - 1],
                              card_id=by_number[n][0], branch_id=by_number[n][1])
                   for i, n in enumerate(won, 1)]
        DrawWinner.objects.bulk_create(winners)
        moved = PrizeDraw.objects.filter(pk=draw.pk, status=DrawStatus.PLANNED).update(
            status=DrawStatus.DRAWN, seed=seed, entrants=len(numbers),
            entrants_digest=digest(numbers), witness=witness, drawn_at=timezone.now(),
            drawn_by=employee_of(actor))
        if not moved:  # pragma: no cover - the row lock makes this unreachable
            raise Conflict("invalid_state", _("The draw was drawn already."), field="status")
        audit_record(action="loyalty.draw.draw", obj=draw, actor=actor,
                     message=f"{len(winners)}/{len(numbers)} seed={seed}")
        cards = Card.objects.in_bulk([w.card_id for w in winners])
        url = reverse("loyalty:draw_detail", args=[draw.pk])
        for w in winners:
            card = cards[w.card_id]
            if card.customer_id:
                timeline_add(customer_id=card.customer_id, kind="loyalty",
                             subject=_("Won “%(prize)s” in the draw “%(draw)s”")
                             % {"prize": w.prize, "draw": draw.name},
                             actor=actor, branch_id=card.branch_id, source=draw)
        counts: dict[int, int] = {}
        for w in winners:
            counts[w.branch_id] = counts.get(w.branch_id, 0) + 1
        name = draw.name
        for branch_id, people in _told(set(counts)).items():
            n = counts[branch_id]
            for person in people:
                notify(recipient=person, kind="loyalty.draw", url=url,
                       key=f"loyalty.draw:{draw.pk}:{branch_id}", title=_told_title(name, n))
    draw.refresh_from_db()
    return draw


def _told_title(name: str, n: int) -> Callable[[], str]:
    return lambda: ngettext("Draw “%(draw)s”: %(n)d card of your branch won — tell the "
                            "customer.", "Draw “%(draw)s”: %(n)d cards of your branch won — "
                            "tell the customers.", n) % {"draw": name, "n": n}


@transaction.atomic
def draw_cancel(*, actor: Actor, draw_id: Any, reason: Any) -> PrizeDraw:
    draw = PrizeDraw.objects.locked(draw_id, missing=_("Draw not found."))
    DRAW_FLOW.ensure_can(draw, "cancel", actor=actor)
    reason = " ".join(str(reason or "").split())
    if not reason or len(reason) > 300:
        raise ValidationFailed("required", _("Give the reason (at most 300 characters)."),
                               field="reason")
    moved = PrizeDraw.objects.filter(pk=draw.pk, status=DrawStatus.PLANNED).update(
        status=DrawStatus.CANCELLED, cancel_reason=reason)
    if not moved:  # pragma: no cover - the row lock makes this unreachable
        raise Conflict("invalid_state", _("Only a planned draw can be cancelled."),
                       field="status")
    audit_record(action="loyalty.draw.cancel", obj=draw, actor=actor, message=reason)
    draw.refresh_from_db()
    return draw
