"""Campaigns at the sales point (R10.1): a campaign planned by HQ (for chosen branches or
all) or by a branch (for itself), its leaflets made from HQ's leaflet templates, the
company's print shops and the print runs a branch orders from them (checked in as stock
of leaflets), and the customers registered with the campaign's code (R10.3's start).

A campaign belongs to the branch that planned it (HQ's row for company campaigns); the
branches it runs at are ``all_branches`` or ``branches``. A branch sees its own campaigns
and HQ's campaigns for it (:meth:`CampaignQuerySet.visible_to`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from punkt.core.access import Principal
from punkt.core.badges import tones
from punkt.core.scoping import BranchScopedQuerySet, PunktQuerySet


@tones(planned="", running="ok", ended="info", cancelled="err")
class CampaignStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("campaign", "planned")
    RUNNING = "running", pgettext_lazy("campaign", "running")
    ENDED = "ended", pgettext_lazy("campaign", "ended")
    CANCELLED = "cancelled", pgettext_lazy("campaign", "cancelled")


class CampaignQuerySet(BranchScopedQuerySet["Campaign"]):
    def visible_to(self, user: Principal | None, permission: Any, *,
                   branch_id: int | None = None) -> Self:
        """The campaigns run at the branches where ``user`` holds ``permission`` (a
        branch's own campaign runs at it; HQ's at all branches or at the chosen ones);
        HQ roles see every campaign."""
        from punkt.organization.models import Branch

        runs_at = CampaignBranch.objects.visible_to(user, permission, branch_id=branch_id)
        anywhere = Branch.objects.visible_to(user, permission, branch_id=branch_id).exists()
        everywhere = Q(all_branches=True) if anywhere else Q(pk__in=[])
        return self.filter(Q(pk__in=runs_at.values("campaign_id")) | everywhere)


class Campaign(models.Model):
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("planned by"))
    name = models.CharField(_("name"), max_length=200)
    goal = models.TextField(_("goal"), blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    all_branches = models.BooleanField(_("all branches"), default=False)
    branches = models.ManyToManyField("organization.Branch", blank=True, related_name="+",
                                      through="CampaignBranch", verbose_name=_("branches"))
    products = models.ManyToManyField("catalog.Product", blank=True, related_name="+",
                                      verbose_name=_("products promoted"))
    budget = models.DecimalField(_("budget (PLN)"), max_digits=12, decimal_places=2,
                                 default=Decimal("0"))
    #: printed on leaflets (text and QR) and recorded at registration; unique in the company
    code = models.CharField(_("campaign code"), max_length=12, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices,
                              default=CampaignStatus.PLANNED)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.CharField(max_length=500, blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CampaignStatus.values),
                                   name="campaign_status_valid"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="campaign_period_valid"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="campaign_budget_valid"),
        ]
        indexes = [models.Index(fields=["status", "starts_on"], name="campaign_status")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CampaignBranch(models.Model):
    """A branch the campaign runs at (a branch's own campaign: that branch; HQ's: the
    chosen ones, none when it runs at all branches)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+")

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "branch"],
                                               name="campaign_branch_unique")]

    def __str__(self) -> str:
        return f"{self.campaign_id} @ {self.branch_id}"


class PrintShop(models.Model):
    """An outside print shop on the company's list (HQ keeps it)."""

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PunktQuerySet.as_manager()

    class Meta:
        verbose_name = _("print shop")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class PrintPrice(models.Model):
    """The shop's price of one run size (e.g. 1,000 leaflets for 190.00 PLN gross)."""

    shop = models.ForeignKey(PrintShop, on_delete=models.CASCADE, related_name="prices")
    quantity = models.PositiveIntegerField(_("run size"))
    price = models.DecimalField(_("price (PLN)"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["shop", "quantity"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "quantity"], name="print_price_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="print_price_quantity"),
            models.CheckConstraint(condition=Q(price__gt=0), name="print_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity}: {self.price}"


class LeafletSource(models.TextChoices):
    TEMPLATE = "template", _("from an HQ template")
    LOCAL = "local", _("made locally")


@tones(submitted="warn", approved="ok", returned="err")
class LeafletStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("leaflet", "to approve")
    APPROVED = "approved", pgettext_lazy("leaflet", "approved")
    RETURNED = "returned", pgettext_lazy("leaflet", "returned")


class Leaflet(models.Model):
    """A campaign's leaflet for one branch: made from an HQ leaflet template (its version
    is kept; the PDF is rendered from the campaign, the branch and the prices in force —
    approved at once) or made locally (a print-ready PDF uploaded by the branch, stored
    under ``VAR_DIR/leaflets``, which the manager approves or returns: four eyes, never the
    one who uploaded it; docs/workflows/leaflet.md). Only an approved leaflet is ordered
    from a print shop or handed out. Its stock item is a catalogue product of kind
    ``leaflet`` (never sold), with the branch's minimum norm like any product."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="leaflets")
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("branch"))
    source = models.CharField(_("made"), max_length=8, choices=LeafletSource.choices,
                              default=LeafletSource.TEMPLATE)
    status = models.CharField(_("status"), max_length=10, choices=LeafletStatus.choices,
                              default=LeafletStatus.APPROVED)
    template = models.ForeignKey("materials.MaterialVersion", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("HQ leaflet template"))
    title = models.CharField(_("headline"), max_length=120)
    text = models.CharField(_("offer text"), max_length=600, blank=True)
    #: the campaign code the leaflet prints (the campaign's code when it was made)
    code = models.CharField(_("code printed"), max_length=12, blank=True)
    product = models.OneToOneField("catalog.Product", on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("stock item"))
    #: a local leaflet's PDF (``punkt/core/files.py``, area ``leaflets``)
    file_name = models.CharField(max_length=200, blank=True)
    stored = models.CharField(max_length=64, blank=True)
    file_size = models.PositiveIntegerField(default=0)
    #: 1 for the first upload, +1 for each replacement of a returned leaflet
    round = models.PositiveSmallIntegerField(default=1)
    uploaded_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    return_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("leaflet")
        ordering = ["campaign", "pk"]
        indexes = [models.Index(fields=["branch", "campaign"], name="leaflet_branch"),
                   models.Index(fields=["branch", "status"], name="leaflet_branch_status")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=LeafletStatus.values),
                                   name="leaflet_status_valid"),
            models.CheckConstraint(
                condition=(Q(source="template", template__isnull=False, status="approved")
                           | (Q(source="local") & ~Q(stored=""))),
                name="leaflet_template_or_file"),
            models.CheckConstraint(condition=~Q(status="returned") | ~Q(return_reason=""),
                                   name="leaflet_returned_with_reason"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_local(self) -> bool:
        return self.source == LeafletSource.LOCAL

    @property
    def usable(self) -> bool:
        """May be ordered from a print shop and handed out."""
        return self.status == LeafletStatus.APPROVED


@tones(ordered="", confirmed="info", delivered="ok", cancelled="err")
class PrintOrderStatus(models.TextChoices):
    ORDERED = "ordered", pgettext_lazy("print order", "ordered")
    CONFIRMED = "confirmed", pgettext_lazy("print order", "confirmed")
    DELIVERED = "delivered", pgettext_lazy("print order", "delivered")
    CANCELLED = "cancelled", pgettext_lazy("print order", "cancelled")


class PrintOrder(models.Model):
    """A run of a leaflet ordered by a branch from a print shop; its price (from the
    shop's price list) counts against the campaign's budget unless cancelled."""

    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("branch"))
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT,
                                 related_name="print_orders")
    leaflet = models.ForeignKey(Leaflet, on_delete=models.PROTECT, related_name="orders")
    shop = models.ForeignKey(PrintShop, on_delete=models.PROTECT, related_name="orders",
                             verbose_name=_("print shop"))
    quantity = models.PositiveIntegerField(_("quantity"))
    price = models.DecimalField(_("price (PLN)"), max_digits=12, decimal_places=2)
    status = models.CharField(_("status"), max_length=10, choices=PrintOrderStatus.choices,
                              default=PrintOrderStatus.ORDERED)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    stock_movement = models.OneToOneField("inventory.StockMovement", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.CharField(max_length=500, blank=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("print order")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PrintOrderStatus.values),
                                   name="print_order_status_valid"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="print_order_quantity"),
            models.CheckConstraint(condition=Q(price__gte=0), name="print_order_price"),
            models.CheckConstraint(condition=~Q(status="delivered")
                                   | Q(stock_movement__isnull=False),
                                   name="print_order_delivered_in_stock"),
        ]
        indexes = [models.Index(fields=["branch", "status"], name="print_order_branch"),
                   models.Index(fields=["campaign", "status"], name="print_order_campaign")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"DR{self.pk:06d}"


class DistributionKind(models.TextChoices):
    COUNTER = "counter", _("handed out at the counter")
    MANDATE = "mandate", _("distributed on a contract of mandate")


@tones(recorded="warn", confirmed="ok", cancelled="err")
class DistributionStatus(models.TextChoices):
    RECORDED = "recorded", pgettext_lazy("distribution", "to confirm")
    CONFIRMED = "confirmed", pgettext_lazy("distribution", "confirmed")
    CANCELLED = "cancelled", pgettext_lazy("distribution", "cancelled")


class Distribution(models.Model):
    """Leaflets of a campaign that left the branch's stock: handed out at the counter
    (counted, final at once) or distributed nearby by a person on a contract of mandate
    (umowa zlecenie: who, where, how many, when, the pay — the manager confirms). The
    pay counts against the campaign's budget unless cancelled; cancelling puts the
    leaflets back in stock."""

    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("branch"))
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT,
                                 related_name="distributions")
    leaflet = models.ForeignKey(Leaflet, on_delete=models.PROTECT,
                                related_name="distributions", verbose_name=_("leaflet"))
    kind = models.CharField(_("how"), max_length=8, choices=DistributionKind.choices)
    quantity = models.PositiveIntegerField(_("quantity"))
    day = models.DateField(_("day"))
    distributor = models.CharField(_("distributor (contract of mandate)"), max_length=200,
                                   blank=True)
    area = models.CharField(_("streets or area"), max_length=300, blank=True)
    pay = models.DecimalField(_("pay (PLN)"), max_digits=10, decimal_places=2,
                              default=Decimal("0"))
    status = models.CharField(_("status"), max_length=10, choices=DistributionStatus.choices,
                              default=DistributionStatus.RECORDED)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    stock_movement = models.OneToOneField("inventory.StockMovement", on_delete=models.PROTECT,
                                          related_name="+")
    returned_movement = models.OneToOneField("inventory.StockMovement", null=True,
                                             blank=True, on_delete=models.PROTECT,
                                             related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.CharField(max_length=500, blank=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("leaflet distribution")
        ordering = ["-day", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DistributionStatus.values),
                                   name="distribution_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=DistributionKind.values),
                                   name="distribution_kind_valid"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="distribution_quantity"),
            models.CheckConstraint(condition=Q(pay__gte=0), name="distribution_pay"),
            models.CheckConstraint(condition=Q(kind="mandate") | Q(pay=0),
                                   name="distribution_pay_mandate_only"),
            models.CheckConstraint(condition=~Q(status="cancelled")
                                   | Q(returned_movement__isnull=False),
                                   name="distribution_cancelled_back_in_stock"),
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="distribution_campaign"),
                   models.Index(fields=["branch", "status"], name="distribution_branch")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"DL{self.pk:06d}"


class MailStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class PrintOrderMail(models.Model):
    """The order e-mailed to the print shop with the leaflet's PDF, queued with the order
    and sent by the worker (``punkt/core/outbox.py``); one per order."""

    order = models.OneToOneField(PrintOrder, on_delete=models.PROTECT, related_name="mail")
    status = models.CharField(max_length=10, choices=MailStatus.choices,
                              default=MailStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = BranchScopedQuerySet.as_manager()
    branch_scope = "order__branch"

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="print_order_mail_status")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.status}"


class CampaignCustomer(models.Model):
    """A customer registered with the campaign's code (where they heard of us)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="customers")
    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE,
                                    related_name="+")
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+")
    registered_at = models.DateTimeField(default=timezone.now)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["campaign", "branch"], name="campaign_customer")]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.customer_id}"


@tones(draft="", scheduled="info", sending="info", sent="ok", cancelled="err")
class MailingStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("mailing", "draft")
    SCHEDULED = "scheduled", pgettext_lazy("mailing", "scheduled")
    SENDING = "sending", pgettext_lazy("mailing", "sending")
    SENT = "sent", pgettext_lazy("mailing", "sent")
    CANCELLED = "cancelled", pgettext_lazy("mailing", "cancelled")


class MailingChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")


class Mailing(models.Model):
    """A mass e-mail or SMS to a segment of customers (R15.2), planned by HQ (all
    branches' customers; ``branch`` is HQ's row) or by a branch manager (the branch's own
    customers). Its messages are ``messaging.Message`` rows with source
    ``campaigns.mailing``/id (``services/mailing.py``; docs/workflows/mailing.md)."""

    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("planned by"))
    name = models.CharField(_("name"), max_length=200)
    channel = models.CharField(_("channel"), max_length=6, choices=MailingChannel.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("campaign"))
    #: the customer registry's filters and the analytics classes (``services.mailing``)
    segment = models.JSONField(_("segment"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MailingStatus.choices,
                              default=MailingStatus.DRAFT)
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    queued = models.PositiveIntegerField(_("queued"), default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    queued_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: the gateway's rate: when the current minute started and how many went in it
    window_start = models.DateTimeField(null=True, blank=True)
    window_count = models.PositiveIntegerField(default=0)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mailing")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=MailingStatus.values),
                                   name="mailing_status_valid"),
            models.CheckConstraint(condition=Q(channel__in=MailingChannel.values),
                                   name="mailing_channel_valid"),
        ]
        indexes = [models.Index(fields=["branch", "-created_at"], name="mailing_branch")]

    def __str__(self) -> str:
        return f"W{self.pk:06d} {self.name}"

    @property
    def number(self) -> str:
        return f"W{self.pk:06d}"

    @property
    def source(self) -> tuple[str, str]:
        return ("campaigns.mailing", str(self.pk))
