"""Offers (R4.1) — and, next, contracts (R4.2–R4.5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from punkt.core.models import TimeStampedModel


class OfferStatus(models.TextChoices):
    PRESENTED = "presented", _("presented")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")


class Offer(TimeStampedModel):
    """What the employee presented to a customer: positions of the price lists in force at
    the branch (prices copied, so later price lists do not change it) and the promotional
    material shown."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT,
                                 related_name="offers")
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=OfferStatus.choices,
                              default=OfferStatus.PRESENTED)
    promo = models.ForeignKey("materials.MaterialVersion", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("promotional material"))
    note = models.TextField(_("note"), blank=True)
    total_gross = models.DecimalField(_("total (gross)"), max_digits=12, decimal_places=2)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decline_reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status__in=OfferStatus.values),
                                   name="offer_status_valid"),
            models.CheckConstraint(condition=Q(total_gross__gte=0), name="offer_total_valid"),
        ]
        indexes = [models.Index(fields=["customer", "-created_at"], name="offer_customer")]

    def __str__(self) -> str:
        return f"O{self.pk:07d}"

    @property
    def number(self) -> str:
        return str(self)


class OfferLine(models.Model):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="lines")
    price_item = models.ForeignKey("materials.PriceItem", on_delete=models.PROTECT,
                                   related_name="+")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    price_gross = models.DecimalField(_("gross price"), max_digits=12, decimal_places=2)
    vat_rate = models.CharField(_("VAT"), max_length=2)
    quantity = models.PositiveIntegerField(_("quantity"))
    total_gross = models.DecimalField(_("total (gross)"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1),
                                              name="offer_line_quantity_valid")]

    def __str__(self) -> str:
        return f"{self.code} × {self.quantity}"
