"""The catalogue (R6.1): products and accessories a branch sells. Prices are not kept
here: they come from the HQ price list in force at the branch (same code), so a new
price list changes them everywhere at once; the manual is an HQ material."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from punkt.core.models import TimeStampedModel
from punkt.core.scoping import PunktQuerySet
from punkt.materials.models import VatRate


class ProductKind(models.TextChoices):
    PRODUCT = "product", _("product")
    ACCESSORY = "accessory", _("accessory")
    #: printed marketing material (a campaign's leaflets): kept in stock, never sold
    LEAFLET = "leaflet", _("leaflet (not for sale)")


class Product(TimeStampedModel):
    code = models.CharField(_("code"), max_length=40, unique=True,
                            help_text=_("The code used in HQ price lists."))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, choices=ProductKind.choices,
                            default=ProductKind.PRODUCT)
    unit = models.CharField(_("unit"), max_length=20, default="szt.")
    vat_rate = models.CharField(_("VAT"), max_length=2, choices=VatRate.choices,
                                default=VatRate.R23)
    ean = models.CharField(_("EAN"), max_length=14, blank=True)
    description = models.TextField(_("description"), blank=True)
    manual = models.ForeignKey("materials.Material", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("configuration manual"))
    is_active = models.BooleanField(_("sold"), default=True)

    objects = PunktQuerySet.as_manager()

    class Meta:
        ordering = ["name", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ProductKind.values),
                                   name="product_kind_valid"),
            models.CheckConstraint(condition=Q(vat_rate__in=VatRate.values),
                                   name="product_vat_valid"),
            models.UniqueConstraint(fields=["ean"], condition=~Q(ean=""),
                                    name="product_ean_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
