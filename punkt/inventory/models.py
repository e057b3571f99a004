"""Stock per branch (R6.2) as an append-only ledger of movements with a balance row per
branch and product. The balance changes only by a conditional update that cannot go below
zero, backed by a CHECK constraint (C8); every change writes one movement. The HQ's row
in ``organization.Branch`` is the warehouse. Orders from branches follow
``workflows.ORDER_FLOW``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from punkt.core.badges import tones
from punkt.core.scoping import BranchScopedQuerySet


class StockLevel(models.Model):
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT,
                                related_name="stock")
    quantity = models.IntegerField(_("in stock"), default=0)
    #: Shipped by HQ, not yet received here.
    in_transit = models.IntegerField(_("in transit"), default=0)
    min_norm = models.IntegerField(_("minimum norm"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["branch", "product"], name="stock_level_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_not_negative"),
            models.CheckConstraint(condition=Q(in_transit__gte=0),
                                   name="stock_in_transit_not_negative"),
            models.CheckConstraint(condition=Q(min_norm__gte=0), name="stock_norm_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id}/{self.product_id}: {self.quantity}"

    @property
    def below_norm(self) -> bool:
        return self.quantity + self.in_transit < self.min_norm


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("receipt from supplier")
    SALE = "sale", pgettext_lazy("stock movement", "sale")
    RETURN = "return", _("customer return")
    TRANSFER_OUT = "transfer_out", _("shipped to a branch")
    TRANSFER_IN = "transfer_in", _("received from HQ")
    ADJUSTMENT = "adjustment", _("adjustment")
    COMPLAINT = "complaint", _("replacement for a complaint")
    HANDOUT = "handout", _("leaflets handed out")
    REWARD = "reward", _("loyalty reward handed over")


class StockMovement(models.Model):
    """Append-only (a PostgreSQL trigger refuses updates and deletes)."""

    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=MovementKind.choices)
    quantity = models.IntegerField(_("quantity"))
    balance_after = models.IntegerField(_("balance after"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    occurred_at = models.DateTimeField(default=timezone.now)
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.CharField(max_length=40, blank=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=MovementKind.values),
                                   name="stock_movement_kind_valid"),
            models.CheckConstraint(condition=~Q(quantity=0), name="stock_movement_not_zero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0),
                                   name="stock_movement_balance_not_negative"),
        ]
        indexes = [models.Index(fields=["branch", "product", "-occurred_at"],
                                name="stock_movement_ledger"),
                   models.Index(fields=["branch", "-occurred_at"],
                                name="stock_movement_branch")]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity:+d}"


@tones(submitted="", shipped="", received="", cancelled="")
class OrderStatus(models.TextChoices):
    SUBMITTED = "submitted", _("ordered")
    SHIPPED = "shipped", _("in transit")
    RECEIVED = "received", pgettext_lazy("stock order", "received")
    CANCELLED = "cancelled", pgettext_lazy("stock order", "cancelled")


class StockOrder(models.Model):
    """A branch's order from the HQ warehouse."""

    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=OrderStatus.choices,
                              default=OrderStatus.SUBMITTED)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    shipped_at = models.DateTimeField(null=True, blank=True)
    shipped_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    cancelled_reason = models.CharField(max_length=500, blank=True)
    #: The order form's one-time token (or an API Idempotency-Key): a second submit of the
    #: same form gives the first order back.
    key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    #: What the key was sent with (core.idempotency): the same key with another request → 422.
    key_fingerprint = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(status__in=OrderStatus.values),
                                              name="stock_order_status_valid")]
        indexes = [models.Index(fields=["branch", "status"], name="stock_order_branch"),
                   models.Index(fields=["status", "created_at"], name="stock_order_queue")]

    def __str__(self) -> str:
        return f"ZM{self.pk:07d}"

    @property
    def number(self) -> str:
        return str(self)


class StockOrderLine(models.Model):
    order = models.ForeignKey(StockOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    ordered = models.PositiveIntegerField(_("ordered"))
    shipped = models.PositiveIntegerField(_("shipped"), null=True, blank=True)
    received = models.PositiveIntegerField(_("received"), null=True, blank=True)
    difference_reason = models.CharField(_("reason for the difference"), max_length=300,
                                         blank=True)

    branch_scope = "order__branch"
    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "product"], name="stock_order_line_unique"),
            models.CheckConstraint(condition=Q(ordered__gt=0), name="stock_order_line_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.product_id} × {self.ordered}"

    @property
    def difference(self) -> int | None:
        if self.shipped is None or self.received is None:
            return None
        return self.received - self.shipped
