"""Offers (R4.1) and contracts (R4.2–R4.4): prepared from an HQ template, signed, checked
by the manager in a daily batch, finalised at HQ."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from punkt.core.badges import tones
from punkt.core.models import TimeStampedModel
from punkt.core.scoping import BranchScopedQuerySet


@tones(awaiting="warn", presented="", accepted="ok", declined="err", superseded="")
class OfferStatus(models.TextChoices):
    #: A discount above the company's limit: another person must approve it (C11).
    AWAITING = "awaiting", _("awaiting approval of the discount")
    PRESENTED = "presented", _("presented")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    #: An opportunity's offer replaced by a newer version ("offer to clarify").
    SUPERSEDED = "superseded", _("replaced by a newer version")


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
    #: A renewal offer made by retention: the contract it would continue.
    renews = models.ForeignKey("Contract", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="renewal_offers")
    #: The largest discount of its lines (per cent) and who approved it when it was above
    #: the company's limit (C11: never the one who made the offer).
    max_discount = models.DecimalField(_("largest discount (%)"), max_digits=5,
                                       decimal_places=2, default=0)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    objects = BranchScopedQuerySet.as_manager()

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
    #: Off the price list's gross price; ``total_gross`` is after it.
    discount_percent = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2,
                                           default=0)
    total_gross = models.DecimalField(_("total (gross)"), max_digits=12, decimal_places=2)

    branch_scope = "offer__branch"
    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1),
                                              name="offer_line_quantity_valid"),
                       models.CheckConstraint(condition=Q(discount_percent__gte=0)
                                              & Q(discount_percent__lte=100),
                                              name="offer_line_discount_range")]

    def __str__(self) -> str:
        return f"{self.code} × {self.quantity}"


@tones(prepared="warn", signed="warn", in_review="warn", returned="err", approved="warn",
       active="ok", rejected="err", cancelled="err", ended="", terminated="err")
class ContractStatus(models.TextChoices):
    PREPARED = "prepared", pgettext_lazy("contract status", "prepared")
    SIGNED = "signed", pgettext_lazy("contract status", "signed")
    IN_REVIEW = "in_review", pgettext_lazy("contract status", "with the manager")
    RETURNED = "returned", pgettext_lazy("contract status", "returned for correction")
    APPROVED = "approved", pgettext_lazy("contract status", "approved, at HQ")
    ACTIVE = "active", pgettext_lazy("contract status", "active")
    REJECTED = "rejected", pgettext_lazy("contract status", "rejected by HQ")
    CANCELLED = "cancelled", pgettext_lazy("contract status", "cancelled")
    #: The term is over (the daily job :func:`contracts_end_due`).
    ENDED = "ended", pgettext_lazy("contract status", "ended")
    #: Ended early by the manager, with a reason and a date.
    TERMINATED = "terminated", pgettext_lazy("contract status", "terminated early")


#: States of a contract that was in force (its activation counts in the figures).
WAS_ACTIVE = frozenset({ContractStatus.ACTIVE, ContractStatus.ENDED, ContractStatus.TERMINATED})
#: States of a contract on its way to being in force (a renewal in them still counts).
DEAD = frozenset({ContractStatus.CANCELLED, ContractStatus.REJECTED})


class ContractBatch(models.Model):
    """The signed contracts of one branch handed to the manager together: at the end of
    the day by the scheduler (``created_by`` empty) or when the manager asks."""

    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    size = models.PositiveIntegerField(default=0)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["branch", "-created_at"], name="contract_batch_branch")]

    def __str__(self) -> str:
        return f"P{self.pk:07d}"


class Contract(TimeStampedModel):
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT,
                                 related_name="contracts")
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+")
    offer = models.OneToOneField(Offer, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="contract")
    renews = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="renewals", verbose_name=_("renews"))
    template = models.ForeignKey("materials.MaterialVersion", on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("template"))
    status = models.CharField(_("status"), max_length=10, choices=ContractStatus.choices,
                              default=ContractStatus.PREPARED)
    #: Bumped by every correction; the PDF is rendered for one revision.
    revision = models.PositiveIntegerField(default=1)
    values = models.JSONField(default=dict)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    total_gross = models.DecimalField(_("total (gross)"), max_digits=12, decimal_places=2)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    batch = models.ForeignKey(ContractBatch, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="contracts")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    #: The manager's or HQ's last reasons (return, rejection, cancellation).
    reasons = models.TextField(_("reasons"), blank=True)
    pdf_stored = models.CharField(max_length=80, blank=True)
    pdf_revision = models.PositiveIntegerField(default=0)
    scan_stored = models.CharField(max_length=80, blank=True)
    scan_name = models.CharField(max_length=220, blank=True)
    scan_type = models.CharField(max_length=100, blank=True)
    #: The last day in force of a contract terminated early.
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    #: The day this contract's end (or termination) left its customer with no active
    #: contract and no renewal: a customer who left (churn, R5.3).
    left_on = models.DateField(null=True, blank=True)
    #: A campaign code the customer gave (a leaflet's), checked to run at the branch
    #: (``customers.referrals.campaign_for``); the campaign's id beside it, as the code
    #: may change before a leaflet prints it (R10.3).
    campaign_code = models.CharField(_("campaign code"), max_length=12, blank=True,
                                     default="")
    campaign_ref = models.PositiveBigIntegerField(null=True, blank=True, editable=False)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ContractStatus.values),
                                   name="contract_status_valid"),
            models.CheckConstraint(condition=Q(total_gross__gte=0),
                                   name="contract_total_valid"),
            models.CheckConstraint(condition=Q(term_months__gte=1, term_months__lte=120),
                                   name="contract_term_valid"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="contract_dates_valid"),
            models.CheckConstraint(
                condition=~Q(status="terminated") | Q(terminated_on__isnull=False),
                name="contract_terminated_dated"),
        ]
        indexes = [
            models.Index(fields=["branch", "-id"], name="contract_branch"),
            models.Index(fields=["campaign_ref"], name="contract_campaign",
                         condition=Q(campaign_ref__isnull=False)),
            models.Index(fields=["branch", "status", "-id"], name="contract_branch_status"),
            models.Index(fields=["status", "-id"], name="contract_status"),
            models.Index(fields=["customer", "-id"], name="contract_customer"),
            models.Index(fields=["created_at"], name="contract_created"),
            # the contracts signed in a period, with their customers (complaints/served.py)
            models.Index(fields=["signed_at", "customer"], name="contract_signed_customer",
                         condition=Q(signed_at__isnull=False)),
            models.Index(fields=["branch", "ends_on"], condition=Q(status="active"),
                         name="contract_active_ending"),
            models.Index(fields=["ends_on"], condition=Q(status="active"),
                         name="contract_active_ends"),
            models.Index(fields=["branch", "-total_gross", "ends_on", "id"],
                         condition=Q(status="active"), name="contract_active_value"),
        ]

    def __str__(self) -> str:
        return f"U{self.pk:08d}"

    @property
    def number(self) -> str:
        return str(self)

    @property
    def offer_number(self) -> str:
        return f"O{self.offer_id:07d}" if self.offer_id else ""

    @property
    def renews_number(self) -> str:
        return f"U{self.renews_id:08d}" if self.renews_id else ""

    @property
    def pdf_ready(self) -> bool:
        return bool(self.pdf_stored) and self.pdf_revision == self.revision


class ContractEvent(models.Model):
    """One step of a contract's workflow: who moved it, when, from where to where, why.
    Append-only, like the audit log."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=10, blank=True, choices=ContractStatus.choices)
    to_status = models.CharField(max_length=10, choices=ContractStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=100, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    branch_scope = "contract__branch"
    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["contract", "at"], name="contract_event_contract")]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.from_status} → {self.to_status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Contract events are append-only.")
        super().save(*args, **kwargs)


class MonthlyFigures(models.Model):
    """Contract figures of one branch and month, kept in step with every change of a
    contract in the same transaction (:mod:`punkt.contracts.figures`), so HQ's reports
    read a few hundred rows instead of millions of contracts. ``punkt
    rebuild_contract_figures`` recomputes them from the contracts (after an upgrade or a
    restore).

    Two kinds of columns: ``state_*`` and ``activat*`` describe the contracts *prepared*
    in the month (how many are in each state now; of those that became active, the time
    from signature to activation); the others count what *happened* in the month.
    """

    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+")
    #: The first day of the month.
    month = models.DateField()
    state_prepared = models.IntegerField(default=0)
    state_signed = models.IntegerField(default=0)
    state_in_review = models.IntegerField(default=0)
    state_returned = models.IntegerField(default=0)
    state_approved = models.IntegerField(default=0)
    state_active = models.IntegerField(default=0)
    state_rejected = models.IntegerField(default=0)
    state_cancelled = models.IntegerField(default=0)
    state_ended = models.IntegerField(default=0)
    state_terminated = models.IntegerField(default=0)
    #: Of the month's prepared contracts, those that became active; the seconds from
    #: signature to activation (sum, longest) and how many took at most three days.
    activated = models.IntegerField(default=0)
    activation_seconds = models.BigIntegerField(default=0)
    activation_max_seconds = models.BigIntegerField(default=0)
    activated_within_3_days = models.IntegerField(default=0)
    #: Contracts signed in the month (a corrected contract counts at its last signature).
    signed = models.IntegerField(default=0)
    #: Contracts that became active in the month, and of those the renewals.
    started = models.IntegerField(default=0)
    renewed = models.IntegerField(default=0)
    #: Contracts whose term ended in the month, and those terminated early in it.
    ended = models.IntegerField(default=0)
    terminated = models.IntegerField(default=0)
    #: Customers who left in the month: their contract stopped with no other active
    #: contract and no renewal.
    left = models.IntegerField(default=0)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["branch", "month"],
                                               name="contract_figures_branch_month")]
        indexes = [models.Index(fields=["month", "branch"], name="contract_figures_month")]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.month:%Y-%m}"
