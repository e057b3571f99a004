"""HQ materials (R3): price lists, promotional material, templates and manuals that HQ
publishes to branches, in versions with validity dates; one delivery row per version and
branch records when the branch received and first opened it (the seed's 1-hour goal)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from punkt.core.badges import tones
from punkt.core.scoping import BranchScopedQuerySet, PunktQuerySet


class MaterialKind(models.TextChoices):
    PRICE_LIST = "price_list", _("Price list")
    PROMO = "promo", _("Promotional material")
    CONTRACT_TEMPLATE = "contract_template", _("Contract template")
    FORM_TEMPLATE = "form_template", _("Form template")
    LEAFLET_TEMPLATE = "leaflet_template", _("Leaflet template")
    MANUAL = "manual", _("Product manual")
    #: The documents of a sale (R11.4): filled from the opportunity (``contract_template``).
    OFFER_TEMPLATE = "offer_template", _("Commercial offer template")
    MINUTES_TEMPLATE = "minutes_template", _("Meeting minutes template")
    ACCEPTANCE_TEMPLATE = "acceptance_template", _("Acceptance act template")
    SURVEY_TEMPLATE = "survey_template", _("Satisfaction questionnaire template")
    #: photos and instructions for shop windows and interiors (punkt/displays, R10.2)
    DISPLAY_GUIDE = "display_guide", _("Display guide")


#: The kinds that are templates with ``{{ pole }}`` placeholders (``contract_template``).
TEMPLATE_KINDS = frozenset({MaterialKind.CONTRACT_TEMPLATE, MaterialKind.OFFER_TEMPLATE,
                            MaterialKind.MINUTES_TEMPLATE, MaterialKind.ACCEPTANCE_TEMPLATE,
                            MaterialKind.SURVEY_TEMPLATE})


class Material(models.Model):
    """One thing HQ keeps up to date (e.g. "Internet price list"); its content lives in
    versions."""

    kind = models.CharField(_("type"), max_length=20, choices=MaterialKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    is_archived = models.BooleanField(_("archived"), default=False)

    objects = PunktQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "title"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=MaterialKind.values),
                                              name="material_kind_valid")]

    def __str__(self) -> str:
        return self.title


@tones(draft="", published="ok", withdrawn="err")
class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    WITHDRAWN = "withdrawn", pgettext_lazy("material version", "withdrawn")


class MaterialVersion(models.Model):
    """A version: the file, its validity and the branches it goes to. Editable while a
    draft; published versions never change (only withdrawn). See ``workflow.py``."""

    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=VersionStatus.choices,
                              default=VersionStatus.DRAFT)
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    all_branches = models.BooleanField(_("all branches"), default=True)
    branches = models.ManyToManyField("organization.Branch", blank=True, related_name="+",
                                      verbose_name=_("branches"))
    file_name = models.CharField(_("file"), max_length=200)
    stored_name = models.CharField(max_length=100, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=500, blank=True)
    #: Contract templates: their placeholders and signature places (contract_template.py).
    template = models.JSONField(default=dict, blank=True)

    objects = PunktQuerySet.as_manager()

    class Meta:
        ordering = ["material", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["material", "number"],
                                    name="material_version_unique"),
            models.CheckConstraint(condition=Q(status__in=VersionStatus.values),
                                   name="material_version_status_valid"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True)
                                   | Q(valid_to__gte=models.F("valid_from")),
                                   name="material_version_valid_range"),
            models.CheckConstraint(condition=Q(status=VersionStatus.DRAFT)
                                   | Q(published_at__isnull=False),
                                   name="material_version_published_at"),
        ]
        indexes = [models.Index(fields=["status", "valid_from"],
                                name="material_version_live")]

    def __str__(self) -> str:
        return f"{self.material} v{self.number}"


class VatRate(models.TextChoices):
    """Polish VAT rates (and the two markers for exempt / outside VAT)."""

    R23 = "23", "23%"
    R8 = "8", "8%"
    R5 = "5", "5%"
    R0 = "0", "0%"
    EXEMPT = "zw", _("exempt (zw)")
    OUTSIDE = "np", _("not subject (np)")


class PriceItem(models.Model):
    """One position of a price-list version (read from its CSV/XLSX file): what offers
    and contracts take their products and prices from."""

    version = models.ForeignKey(MaterialVersion, on_delete=models.CASCADE,
                                related_name="items")
    position = models.PositiveIntegerField()
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    price_gross = models.DecimalField(_("gross price"), max_digits=12, decimal_places=2)
    vat_rate = models.CharField(_("VAT"), max_length=2, choices=VatRate.choices)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="price_item_code_unique"),
            models.CheckConstraint(condition=Q(price_gross__gte=0),
                                   name="price_item_price_not_negative"),
            models.CheckConstraint(condition=Q(vat_rate__in=VatRate.values),
                                   name="price_item_vat_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Delivery(models.Model):
    """A published version at one branch: when it reached the branch's inbox, when
    somebody there first saw it listed (received) and first opened it."""

    version = models.ForeignKey(MaterialVersion, on_delete=models.CASCADE,
                                related_name="deliveries")
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+")
    delivered_at = models.DateTimeField()
    received_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "branch"],
                                               name="delivery_unique")]
        indexes = [models.Index(fields=["branch", "-delivered_at"], name="delivery_inbox")]

    def __str__(self) -> str:
        return f"{self.version} → {self.branch_id}"
