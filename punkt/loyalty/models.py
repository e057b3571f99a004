"""Loyalty programmes (R13, seed 003): HQ's programmes, the cards issued at the counter
and each card's points ledger.

A programme is of one kind: a personal or a bearer discount card (one discount per
cent), tiered cards (silver, gold, platinum: a threshold of purchases over the last 12
months and a discount each), a progressive scale (a discount by the basket's amount) or
bonus points (points per złoty, each worth ``point_value`` zł when redeemed, valid for
``points_valid_months``). Any kind but the bearer card names its customer; any kind may
also earn points when ``points_per_zloty`` is set.

The card's ``points_balance`` is the running sum of its ledger (``PointsEntry``, append
only, never negative); ``CardSale`` records every sale and return made with the card
(what was paid: the tier's purchases)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from punkt.core.badges import tones
from punkt.core.scoping import BranchScopedQuerySet, PunktQuerySet


class ProgrammeKind(models.TextChoices):
    PERSONAL = "personal", _("personal discount card")
    BEARER = "bearer", _("bearer discount card")
    TIERED = "tiered", _("tiered cards (silver, gold, platinum)")
    PROGRESSIVE = "progressive", _("progressive discount by purchase amount")
    POINTS = "points", _("bonus points")


@tones(**{"": "", "silver": "info", "gold": "warn", "platinum": "ok"})
class Tier(models.TextChoices):
    NONE = "", pgettext_lazy("tier", "none")
    SILVER = "silver", _("silver")
    GOLD = "gold", _("gold")
    PLATINUM = "platinum", _("platinum")


@tones(active="ok", blocked="err")
class CardStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("card", "active")
    BLOCKED = "blocked", pgettext_lazy("card", "blocked")


class EntryKind(models.TextChoices):
    EARNED = "earned", _("earned")
    REDEEMED = "redeemed", _("redeemed")
    EXPIRED = "expired", pgettext_lazy("points", "expired")
    REVERSED = "reversed", _("reversed with a return")
    REWARD = "reward", _("exchanged for a reward")


def _money(verbose: Any) -> models.DecimalField:
    return models.DecimalField(verbose, max_digits=12, decimal_places=2, default=0)


def _percent(verbose: Any) -> models.DecimalField:
    return models.DecimalField(verbose, max_digits=5, decimal_places=2, default=0)


class Programme(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=ProgrammeKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    discount_percent = _percent(_("discount %"))
    silver_from = _money(_("silver from (PLN)"))
    silver_percent = _percent(_("silver discount %"))
    gold_from = _money(_("gold from (PLN)"))
    gold_percent = _percent(_("gold discount %"))
    platinum_from = _money(_("platinum from (PLN)"))
    platinum_percent = _percent(_("platinum discount %"))
    #: ``[["500.00", "3.00"], ["1000.00", "5.00"]]``: from a basket of 500 zł 3 %, …
    scale = models.JSONField(_("progressive scale"), default=list, blank=True)
    points_per_zloty = models.DecimalField(_("points per złoty"), max_digits=6,
                                           decimal_places=2, default=0)
    point_value = models.DecimalField(_("value of a point (PLN)"), max_digits=6,
                                      decimal_places=4, default=0)
    points_valid_months = models.PositiveSmallIntegerField(_("points valid (months)"),
                                                           default=24)
    #: VIP service (seed 003): a customer whose purchases with the card over the last 12
    #: months reach ``vip_from`` (0: no VIP level) is served on ``vip_benefits``' terms.
    vip_from = _money(_("VIP from (PLN in 12 months)"))
    vip_benefits = models.TextField(_("VIP service conditions"), max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PunktQuerySet.as_manager()

    class Meta:
        verbose_name = _("loyalty programme")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ProgrammeKind.values),
                                   name="loyalty_programme_kind_valid"),
            models.CheckConstraint(condition=Q(points_per_zloty__gte=0)
                                   & Q(point_value__gte=0), name="loyalty_points_not_negative"),
            models.CheckConstraint(condition=Q(points_valid_months__gte=1),
                                   name="loyalty_points_valid_months"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def personal(self) -> bool:
        return self.kind != ProgrammeKind.BEARER

    @property
    def earns_points(self) -> bool:
        return self.points_per_zloty > 0


class Card(models.Model):
    number = models.CharField(_("card number"), max_length=13, unique=True)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cards",
                                  verbose_name=_("programme"))
    #: None for a bearer card.
    customer = models.ForeignKey("customers.Customer", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="loyalty_cards",
                                 verbose_name=_("customer"))
    #: The branch that issued the card (it is honoured at every branch).
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("issued at"))
    tier = models.CharField(_("tier"), max_length=8, choices=Tier.choices, blank=True,
                            default=Tier.NONE)
    status = models.CharField(_("status"), max_length=8, choices=CardStatus.choices,
                              default=CardStatus.ACTIVE)
    points_balance = models.IntegerField(_("points"), default=0)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    blocked_reason = models.CharField(_("reason for blocking"), max_length=300, blank=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("loyalty card")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(points_balance__gte=0),
                                   name="loyalty_card_balance_not_negative"),
            models.CheckConstraint(condition=Q(status__in=CardStatus.values),
                                   name="loyalty_card_status_valid"),
            models.CheckConstraint(condition=Q(tier__in=Tier.values),
                                   name="loyalty_card_tier_valid"),
        ]
        indexes = [models.Index(fields=["branch", "-issued_at"], name="loyalty_card_branch")]

    def __str__(self) -> str:
        return self.number


class CardSale(models.Model):
    """A sale (amount > 0) or a return (amount < 0) made with the card: what was paid."""

    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="sales")
    sale = models.OneToOneField("sales.Sale", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("paid"), max_digits=12, decimal_places=2)
    discount_percent = _percent(_("card discount %"))
    created_at = models.DateTimeField(default=timezone.now)

    branch_scope = "card__branch"
    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["card", "created_at"], name="loyalty_cardsale_card")]

    def __str__(self) -> str:
        return f"{self.card_id} {self.sale_id} {self.amount}"


class PointsEntry(models.Model):
    """One change of a card's points, never changed or deleted: earned (+) and redeemed
    (−) with a sale, reversed with a return (− the points earned by the returned goods, +
    the redeemed points given back), expired (−) by the daily job."""

    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=8, choices=EntryKind.choices)
    points = models.IntegerField(_("points"))
    balance_after = models.IntegerField(_("balance"))
    sale = models.ForeignKey("sales.Sale", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", verbose_name=_("document"))
    #: For points added (earned, given back): the day they expire.
    expires_on = models.DateField(_("expire on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    branch_scope = "card__branch"
    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("points entry")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EntryKind.values),
                                   name="loyalty_entry_kind_valid"),
            models.CheckConstraint(condition=Q(balance_after__gte=0),
                                   name="loyalty_entry_balance_not_negative"),
            models.CheckConstraint(
                condition=(Q(kind="earned", points__gt=0) | Q(kind="redeemed", points__lt=0)
                           | Q(kind="expired", points__lt=0) | Q(kind="reward", points__lt=0)
                           | (Q(kind="reversed") & ~Q(points=0))),
                name="loyalty_entry_sign"),
            # a reward's entry names its RewardRedemption (the one-to-one back to it)
            models.CheckConstraint(condition=Q(kind__in=["expired", "reward"])
                                   | Q(sale__isnull=False),
                                   name="loyalty_entry_has_document"),
        ]
        indexes = [models.Index(fields=["card", "-created_at"], name="loyalty_entry_card"),
                   models.Index(fields=["expires_on"], name="loyalty_entry_expiry",
                                condition=Q(expires_on__isnull=False))]

    def __str__(self) -> str:
        return f"{self.card_id} {self.kind} {self.points}"


class Reward(models.Model):
    """Something a card's points buy other than a discount (R13, seed 003: prizes, gifts):
    HQ names it and its price in points; a catalogue product, if given, is handed over
    from the branch's stock."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="rewards",
                                  verbose_name=_("programme"))
    name = models.CharField(_("name"), max_length=120)
    points = models.PositiveIntegerField(_("points"))
    product = models.ForeignKey("catalog.Product", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("product handed over"))
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("reward")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="loyalty_reward_once"),
            models.CheckConstraint(condition=Q(points__gt=0), name="loyalty_reward_points"),
        ]

    def __str__(self) -> str:
        return self.name


FROM_TIER: dict[str, Any] = {Tier.SILVER: _("from the silver tier"),
                              Tier.GOLD: _("from the gold tier"),
                              Tier.PLATINUM: _("from the platinum tier")}


class ClosedProduct(models.Model):
    """A catalogue product sold only to a programme's members (R13.1, seed 003: "access to
    resources closed to other customers"): at the counter it needs an active card of the
    programme, of ``min_tier`` or higher when set. Switched off, never deleted, when HQ
    leaves it out of the list."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT,
                                  related_name="closed_products", verbose_name=_("programme"))
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("product"))
    min_tier = models.CharField(_("from tier"), max_length=8, choices=Tier.choices,
                                blank=True, default=Tier.NONE)
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("product closed to members")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "product"],
                                    name="loyalty_closed_once"),
            models.CheckConstraint(condition=Q(min_tier__in=Tier.values),
                                   name="loyalty_closed_tier_valid"),
        ]
        # the counter asks by the basket's products: only the active rows
        indexes = [models.Index(fields=["product"], name="loyalty_closed_product",
                                condition=Q(is_active=True))]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.product_id}"

    @property
    def tier_phrase(self) -> str:
        """"from the gold tier" (Polish: "od poziomu złotego"); "" without a minimum."""
        return str(FROM_TIER.get(self.min_tier, ""))


class RewardRedemption(models.Model):
    """Points exchanged for a reward at a branch: the points entry and, for a product, the
    stock movement that handed it over."""

    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="redemptions")
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions")
    entry = models.OneToOneField(PointsEntry, on_delete=models.PROTECT,
                                 related_name="redemption")
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+")
    movement = models.ForeignKey("inventory.StockMovement", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    #: once-only key of the request (a second click exchanges nothing more, C23)
    key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reward handed over")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.card_id} {self.reward_id}"


class ExpiryRun(models.Model):
    """One expiry per card and day (C9): a second run of the daily job expires nothing."""

    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["card", "day"],
                                               name="loyalty_expiry_once_a_day")]

    def __str__(self) -> str:
        return f"{self.card_id} {self.day}"


@tones(planned="info", drawn="ok", cancelled="")
class DrawStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("draw", "planned")
    DRAWN = "drawn", pgettext_lazy("draw", "drawn")
    CANCELLED = "cancelled", pgettext_lazy("draw", "cancelled")


class PrizeDraw(models.Model):
    """A prize draw among a programme's cards (seed 003: prizes and draws), with its rules
    recorded before it is drawn. Every active card of the programme whose purchases in the
    period reach ``min_purchases`` takes part once; the winners are picked from the
    entrants sorted by card number with ``seed`` (``docs/loyalty.md``: anyone holding the
    list and the seed can repeat the draw), and ``entrants_digest`` fixes the list."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="draws",
                                  verbose_name=_("programme"))
    name = models.CharField(_("name"), max_length=120)
    rules = models.TextField(pgettext_lazy("draw", "rules"), max_length=10000)
    #: ``[["Tablet", 1], ["Słuchawki", 3]]`` — prize and how many, in the order drawn.
    prizes = models.JSONField(_("prizes"), default=list)
    period_from = models.DateField(_("purchases from"))
    period_to = models.DateField(_("purchases until"))
    min_purchases = _money(_("minimum purchases in the period (PLN)"))
    draw_on = models.DateField(_("draw on"))
    status = models.CharField(_("status"), max_length=10, choices=DrawStatus.choices,
                              default=DrawStatus.PLANNED)
    seed = models.CharField(max_length=64, blank=True)
    entrants = models.PositiveIntegerField(_("entrants"), default=0)
    entrants_digest = models.CharField(max_length=64, blank=True)
    witness = models.CharField(_("drawn in the presence of"), max_length=200, blank=True)
    drawn_at = models.DateTimeField(_("drawn"), null=True, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = PunktQuerySet.as_manager()

    class Meta:
        verbose_name = _("prize draw")
        ordering = ["-draw_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DrawStatus.values),
                                   name="loyalty_draw_status_valid"),
            models.CheckConstraint(condition=Q(period_from__lte=F("period_to")),
                                   name="loyalty_draw_period"),
            models.CheckConstraint(condition=Q(draw_on__gt=F("period_to")),
                                   name="loyalty_draw_after_period"),
            models.CheckConstraint(condition=Q(min_purchases__gte=0),
                                   name="loyalty_draw_min_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def prize_count(self) -> int:
        return sum(int(n) for _name, n in self.prizes or [])


class DrawWinner(models.Model):
    """A card drawn for a prize: written once, with the draw (append only)."""

    draw = models.ForeignKey(PrizeDraw, on_delete=models.PROTECT, related_name="winners")
    place = models.PositiveSmallIntegerField(_("place"))
    prize = models.CharField(_("prize"), max_length=120)
    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="prizes",
                             verbose_name=_("card"))
    #: The card's issuing branch, kept for the branch's view of its winners.
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+")

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("prize winner")
        ordering = ["draw", "place"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "place"], name="loyalty_winner_place"),
            models.UniqueConstraint(fields=["draw", "card"], name="loyalty_winner_card"),
        ]

    def __str__(self) -> str:
        return f"{self.place}. {self.prize}"
