"""Resources closed to other customers (R13.1, seed 003: a card "may give access to some
resources"; "special services, special prices only for loyal customers").

HQ lists on a programme's page the catalogue products only its members may buy, one a
line — ``product code | minimum tier | note`` (the tier and the note optional; a tier only
for tiered programmes). At the counter sale such a product is sold only with an active
card of the programme whose tier reaches the minimum; a product closed in several
programmes needs one qualifying card. Sales asks through ``punkt/sales/cards.py``
(:meth:`punkt.loyalty.services._Cards.refusals`): one indexed query by the basket's
products, nothing more when none of them is closed. A product left out of the list is
switched off (``is_active``), never deleted, like a reward.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from punkt.catalog import permissions as catalog_perms
from punkt.catalog.models import Product
from punkt.core.errors import ValidationFailed
from punkt.loyalty.models import (
    FROM_TIER,
    Card,
    ClosedProduct,
    Programme,
    ProgrammeKind,
    Tier,
)
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor

FIELD = "closed"
MAX_LINES = 100
#: the order of the tiers: a card reaches a minimum of its rank or lower
RANK = {Tier.NONE: 0, Tier.SILVER: 1, Tier.GOLD: 2, Tier.PLATINUM: 3}


#: the tier's level in Polish (the labels are a card's: "srebrna", "złota", "platynowa")
ALIASES = {Tier.SILVER: ("srebrny", "srebro"), Tier.GOLD: ("złoty", "złoto"),
           Tier.PLATINUM: ("platynowy", "platyna")}


def tier_named(text: str) -> str | None:
    """The tier a line names: its code (``gold``) or its label in Polish or English
    (``złoty``, ``Gold``), any case; ``""`` for none; ``None`` when it names no tier."""
    word = text.strip().lower()
    if not word:
        return Tier.NONE
    for tier in (Tier.SILVER, Tier.GOLD, Tier.PLATINUM):
        names = {tier.value, str(tier.label).lower(), *ALIASES[tier]}
        for language in ("pl", "en"):
            with translation.override(language):
                names.add(str(tier.label).lower())
        if word in names:
            return tier.value
    return None


def reaches(card_tier: str, min_tier: str) -> bool:
    return RANK.get(Tier(card_tier or ""), 0) >= RANK.get(Tier(min_tier or ""), 0)


def closed_text(programme: Programme) -> str:
    rows = programme.closed_products.filter(is_active=True).select_related("product")
    lines = []
    for r in rows:
        parts = [r.product.code, r.min_tier, r.note]
        while parts and not parts[-1]:
            parts.pop()
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def parse_closed(text: Any, kind: str) -> list[tuple[Product, str, str]]:
    """The lines of the box; a bad line is refused on ``closed`` with its number."""
    rows: list[tuple[Product, str, str]] = []
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    if len(lines) > MAX_LINES:
        raise ValidationFailed("too_many", _("At most %(n)d closed products.")
                               % {"n": MAX_LINES}, field=FIELD)
    codes = [line.split("|")[0].strip() for line in lines]
    products = {p.code: p for p in Product.objects.filter(code__in=codes)}
    for n, line in enumerate(lines, start=1):
        parts = [p.strip() for p in line.split("|")]
        code = parts[0]
        if not code or len(parts) > 3:
            raise ValidationFailed("invalid", _(
                "Line %(n)d: write “product code”, “product code | tier” or “product code "
                "| tier | note”.") % {"n": n}, field=FIELD)
        product = products.get(code)
        if product is None:
            raise ValidationFailed("invalid", _(
                "Line %(n)d: no product with the code %(code)s in the catalogue.")
                % {"n": n, "code": code}, field=FIELD)
        tier = tier_named(parts[1] if len(parts) > 1 else "")
        if tier is None:
            raise ValidationFailed("invalid", _(
                "Line %(n)d: the tier is silver, gold or platinum (or empty: any card).")
                % {"n": n}, field=FIELD)
        if tier and kind != ProgrammeKind.TIERED:
            raise ValidationFailed("invalid", _(
                "Line %(n)d: only tiered programmes have tiers; leave the tier empty.")
                % {"n": n}, field=FIELD)
        note = parts[2] if len(parts) > 2 else ""
        if len(note) > 200:
            raise ValidationFailed("too_long", _(
                "Line %(n)d: the note may have at most 200 characters.") % {"n": n},
                field=FIELD)
        if any(r[0].pk == product.pk for r in rows):
            raise ValidationFailed("duplicate", _("Line %(n)d: this product is listed twice.")
                                   % {"n": n}, field=FIELD)
        rows.append((product, tier, note))
    return rows


def closed_sync(programme: Programme, text: Any) -> None:
    """Make the programme's active closed products the lines of ``text`` (inside the
    caller's transaction); a product no longer listed is switched off."""
    rows = parse_closed(text, programme.kind)
    kept = []
    for position, (product, tier, note) in enumerate(rows):
        row = ClosedProduct.objects.filter(programme=programme, product=product).first()
        if row is None:
            row = ClosedProduct(programme=programme, product=product)
        row.min_tier, row.note, row.is_active, row.position = tier, note, True, position
        row.save()
        kept.append(row.pk)
    programme.closed_products.exclude(pk__in=kept).update(is_active=False)


def closed_of(programme_ids: Iterable[int]) -> dict[int, list[ClosedProduct]]:
    """The active closed products of the programmes, by programme (one query)."""
    by: dict[int, list[ClosedProduct]] = {}
    ids = set(programme_ids)
    if not ids:
        return by
    for row in (ClosedProduct.objects.filter(programme_id__in=ids, is_active=True)
                .select_related("product").order_by("position", "pk")):
        by.setdefault(row.programme_id, []).append(row)
    return by


@dataclass
class Access:
    """A closed product as a card sees it: ``open`` now, or needing a higher ``tier``, or
    ``off`` (the card is blocked or its programme inactive)."""

    row: ClosedProduct
    state: str

    @property
    def open(self) -> bool:
        return self.state == "open"


def access_of(card: Card, rows: list[ClosedProduct] | None = None) -> list[Access]:
    """What the card opens: its programme's closed products, open or not (and why)."""
    if rows is None:
        rows = closed_of([card.programme_id]).get(card.programme_id, [])
    active = card.status == "active" and card.programme.is_active
    return [Access(r, "off" if not active else "open" if reaches(card.tier, r.min_tier)
                   else "tier") for r in rows]


def tier_phrase(tier: str) -> str:
    return str(FROM_TIER.get(tier, ""))


def refusals(product_ids: Iterable[int], card: Card | None) -> dict[int, str]:
    """The basket's products the card (or no card) does not open, with the reason: one
    query by the products (their active closed rows), nothing else."""
    ids = set(product_ids)
    if not ids:
        return {}
    rows = list(ClosedProduct.objects.filter(product_id__in=ids, is_active=True,
                                             programme__is_active=True)
                .select_related("programme", "product").order_by("programme__name", "pk"))
    by: dict[int, list[ClosedProduct]] = {}
    for row in rows:
        by.setdefault(row.product_id, []).append(row)
    refused: dict[int, str] = {}
    for product_id, closed in by.items():
        if card is not None and any(r.programme_id == card.programme_id
                                    and reaches(card.tier, r.min_tier) for r in closed):
            continue
        product = closed[0].product.name
        if len(closed) == 1:
            r = closed[0]
            if r.min_tier:
                refused[product_id] = _(
                    "“%(product)s” is only for holders of the “%(programme)s” card "
                    "(%(tier)s).") % {"product": product, "programme": r.programme.name,
                                      "tier": tier_phrase(r.min_tier)}
            else:
                refused[product_id] = _(
                    "“%(product)s” is only for holders of the “%(programme)s” card.") % {
                    "product": product, "programme": r.programme.name}
        else:
            names = ", ".join(_("“%(programme)s”") % {"programme": r.programme.name}
                              + (f" ({tier_phrase(r.min_tier)})" if r.min_tier else "")
                              for r in closed)
            refused[product_id] = _(
                "“%(product)s” is only for holders of one of the cards: %(cards)s.") % {
                "product": product, "cards": names}
    return refused


def can_see_products(user: Actor) -> bool:
    """Whether the product names may link to the catalogue's pages."""
    return org_perms.can(user, catalog_perms.PRODUCT_VIEW.code)
