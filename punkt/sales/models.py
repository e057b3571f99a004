"""Sales at the counter (R6.1). A sale is a document that never changes once recorded:
a return is a new document pointing at the sale (and at the line it returns). Punkt is
not a fiscal register: after the sale commits, its receipt goes to the register through
``fiscal.py``; the receipt's state is kept here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from punkt.core.badges import tones
from punkt.core.scoping import BranchScopedQuerySet
from punkt.materials.models import VatRate


class SaleKind(models.TextChoices):
    SALE = "sale", pgettext_lazy("document", "sale")
    RETURN = "return", pgettext_lazy("document", "return")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("cash")
    CARD = "card", _("card")


@tones(pending="", printing="info", printed="ok", failed="err", uncertain="warn")
class ReceiptStatus(models.TextChoices):
    PENDING = "pending", _("waiting for the register")
    PRINTING = "printing", _("at the register")
    PRINTED = "printed", _("printed")
    FAILED = "failed", _("register error")
    UNCERTAIN = "uncertain", _("check the register")


class Sale(models.Model):
    kind = models.CharField(_("kind"), max_length=6, choices=SaleKind.choices,
                            default=SaleKind.SALE)
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+")
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("seller"))
    customer = models.ForeignKey("customers.Customer", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="sales")
    original = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="returns")
    payment_method = models.CharField(_("payment"), max_length=4,
                                      choices=PaymentMethod.choices)
    total_gross = models.DecimalField(_("total (gross)"), max_digits=12, decimal_places=2)
    discount_gross = models.DecimalField(_("discount"), max_digits=12, decimal_places=2,
                                         default=0)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    #: The form's one-time token or the API's Idempotency-Key: a double click sells once.
    key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    #: What the key was sent with (core.idempotency): the same key with another request → 422.
    key_fingerprint = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    receipt_status = models.CharField(_("receipt"), max_length=10,
                                      choices=ReceiptStatus.choices,
                                      default=ReceiptStatus.PENDING)
    receipt_number = models.CharField(_("receipt number"), max_length=60, blank=True)
    receipt_error = models.CharField(max_length=300, blank=True)
    #: A campaign code the customer gave (a leaflet's), checked to run at the branch
    #: (``customers.referrals.campaign_for``); the campaign's id beside it, as the code
    #: may change before a leaflet prints it (R10.3).
    campaign_code = models.CharField(_("campaign code"), max_length=12, blank=True,
                                     default="")
    campaign_ref = models.PositiveBigIntegerField(null=True, blank=True, editable=False)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SaleKind.values),
                                   name="sale_kind_valid"),
            models.CheckConstraint(condition=Q(payment_method__in=PaymentMethod.values),
                                   name="sale_payment_valid"),
            models.CheckConstraint(condition=Q(total_gross__gte=0) & Q(discount_gross__gte=0),
                                   name="sale_amounts_not_negative"),
            models.CheckConstraint(condition=Q(kind="sale", original__isnull=True)
                                   | Q(kind="return", original__isnull=False),
                                   name="sale_return_has_original"),
        ]
        indexes = [models.Index(fields=["branch", "-created_at"], name="sale_branch"),
                   models.Index(fields=["campaign_ref"], name="sale_campaign",
                                condition=Q(campaign_ref__isnull=False)),
                   models.Index(fields=["seller", "-created_at"], name="sale_seller"),
                   # every branch's sales since a moment, with their customers (the
                   # complaint share's customers served: complaints/served.py)
                   models.Index(fields=["created_at", "customer"], name="sale_created_customer",
                                condition=Q(kind="sale", customer__isnull=False)),
                   models.Index(fields=["receipt_status"], name="sale_receipt_open",
                                condition=~Q(receipt_status="printed"))]

    def __str__(self) -> str:
        return self.number_of(self.kind, self.pk)

    @staticmethod
    def number_of(kind: str, pk: int) -> str:
        """A sale's number from its kind and id (for pages that read only those)."""
        return f"{'S' if kind == SaleKind.SALE else 'ZW'}{pk:08d}"

    @property
    def number(self) -> str:
        return str(self)


class SaleLine(models.Model):
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    #: A return line points at the sold line it returns.
    returns_line = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="returned_by")
    name = models.CharField(_("name"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price_gross = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    discount_percent = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2,
                                           default=0)
    total_gross = models.DecimalField(_("value (gross)"), max_digits=12, decimal_places=2)
    vat_rate = models.CharField(_("VAT"), max_length=2, choices=VatRate.choices)

    branch_scope = "sale__branch"
    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        ordering = ["sale", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sale_line_positive"),
            models.CheckConstraint(condition=Q(discount_percent__gte=0)
                                   & Q(discount_percent__lte=100),
                                   name="sale_line_discount_range"),
            models.CheckConstraint(condition=Q(unit_price_gross__gte=0)
                                   & Q(total_gross__gte=0), name="sale_line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"
