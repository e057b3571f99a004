"""The cashier's desk (R8): HQ's invoices, the payments taken for them, and the till
sessions they go through.

Invariants (C6, C7): an invoice's ``paid`` never exceeds its gross amount — what a customer
pays above it becomes credit (``Payment.to_credit``), which the cashier may later settle
against another of their invoices (``CreditUse``); the customer's balance is derived
from their invoices, payments and credit uses (so it follows them through a merge); a
payment is never edited: a correction is a reversing payment in the cashier's current
(open) session; a till session, once closed, takes no more entries (a database trigger on
PostgreSQL refuses changes to its entries)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Self, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Round
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from punkt.cashdesk import permissions as perms
from punkt.core.access import access_of, can
from punkt.core.badges import tones
from punkt.core.permissions import Action
from punkt.core.scoping import BranchScopedQuerySet, PunktQuerySet, branch_ids_visible

M = TypeVar("M", bound=models.Model)


def money(verbose_name: Any = None, **options: Any) -> models.DecimalField[Any, Decimal]:
    """An amount in złoty, to the grosz."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **options)


@tones(open="", partial="", paid="")
class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("unpaid")
    PARTIAL = "partial", _("partly paid")
    PAID = "paid", pgettext_lazy("invoice", "paid")


class KsefStatus(models.TextChoices):
    NONE = "", _("outside KSeF")
    PENDING = "pending", _("sent to KSeF")
    ACCEPTED = "accepted", _("in KSeF")
    REJECTED = "rejected", _("rejected by KSeF")


class SellerRecord(models.Model):
    """The seller as an invoice names it (VAT Act art. 106e ust. 1 pkt 3 and 5): the
    company's legal name, NIP and address when the invoice was recorded. Each distinct
    one is stored once; an invoice points at its own, so a duplicate printed after the
    company moved or renamed still shows the seller of the original."""

    name = models.CharField(_("seller"), max_length=250)
    nip = models.CharField(_("NIP"), max_length=10, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["name", "nip", "street", "postal_code", "city"], name="seller_once")]

    def __str__(self) -> str:
        return f"{self.name} (NIP {self.nip})" if self.nip else self.name


class Invoice(models.Model):
    """An invoice HQ issued (imported or recorded); the buyer's data as printed on it.
    HQ's invoices belong to no branch: every cashier finds them (``cashdesk.invoice.view``
    is held company-wide)."""

    number = models.CharField(_("invoice number"), max_length=60, unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT,
                                 related_name="invoices")
    buyer_name = models.CharField(_("buyer"), max_length=250)
    buyer_nip = models.CharField(_("buyer's NIP"), max_length=10, blank=True)
    buyer_street = models.CharField(_("street and number"), max_length=200, blank=True)
    buyer_postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    buyer_city = models.CharField(_("city"), max_length=100, blank=True)
    #: fold("last first") of a person buyer: the cashier's search without the invoice.
    buyer_lookup = models.CharField(max_length=200, blank=True, editable=False)
    #: fold(city) and fold(street): the address part of that search, letters as typed.
    buyer_place = models.CharField(max_length=100, blank=True, editable=False)
    buyer_street_key = models.CharField(max_length=200, blank=True, editable=False)
    is_business = models.BooleanField(_("business buyer"), default=False)
    issued_on = models.DateField(_("issued"))
    sale_date = models.DateField(_("date of supply"), null=True, blank=True)
    due_on = models.DateField(_("due"))
    period = models.CharField(_("billing period"), max_length=60, blank=True)
    lines = models.JSONField(default=list)
    net = money(_("net"))
    vat = money(_("VAT"))
    gross = money(_("gross"))
    paid = money(_("paid"), default=Decimal(0))
    status = models.CharField(_("status"), max_length=8, choices=InvoiceStatus.choices,
                              default=InvoiceStatus.OPEN)
    ksef_number = models.CharField(_("KSeF number"), max_length=40, blank=True)
    ksef_status = models.CharField(_("KSeF status"), max_length=10, choices=KsefStatus.choices,
                                   blank=True, default=KsefStatus.NONE)
    verification_url = models.URLField(_("verification link"), max_length=500, blank=True)
    delivery_channel = models.CharField(_("delivered by"), max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    #: the seller when it was recorded (none: recorded before sellers were kept — the
    #: company as configured now is printed)
    seller = models.ForeignKey(SellerRecord, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")

    objects = PunktQuerySet["Invoice"].as_manager()

    class Meta:
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(gross__gt=0) & Q(net__gte=0) & Q(vat__gte=0),
                                   name="invoice_amounts_positive"),
            models.CheckConstraint(condition=Q(paid__gte=0) & Q(paid__lte=models.F("gross")),
                                   name="invoice_paid_within_gross"),
            models.CheckConstraint(condition=Q(status__in=InvoiceStatus.values),
                                   name="invoice_status_valid"),
            models.CheckConstraint(condition=Q(ksef_status__in=KsefStatus.values),
                                   name="invoice_ksef_status_valid"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("issued_on")),
                                   name="invoice_due_after_issue"),
        ]
        indexes = [
            models.Index(fields=["customer", "-issued_on"], name="invoice_customer"),
            models.Index(fields=["buyer_lookup", "buyer_postal_code"], name="invoice_buyer",
                         condition=~Q(buyer_lookup="")),
            models.Index(fields=["ksef_number"], name="invoice_ksef",
                         condition=~Q(ksef_number="")),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def outstanding(self) -> Decimal:
        return self.gross - self.paid

    @property
    def in_ksef(self) -> bool:
        return bool(self.ksef_number)


@tones(open="", closed="warn", acknowledged="")
class TillStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("till", "open")
    CLOSED = "closed", _("closed, awaiting the manager")
    ACKNOWLEDGED = "acknowledged", _("closed and checked")


class TillSessionQuerySet(BranchScopedQuerySet["TillSession"]):
    def visible_to(self, user: Any, permission: str | Action, *,
                   branch_id: int | None = None) -> Self:
        """Cashiers see their own tills; managers every till of their branches; HQ staff
        holding ``permission`` company-wide every till."""
        rows = super().visible_to(user, permission, branch_id=branch_id)
        if branch_ids_visible(user, permission) is None:
            return rows
        managed = super().visible_to(user, perms.TILL_ACKNOWLEDGE)
        return rows & (managed | self.filter(cashier_id=getattr(user, "pk", None)))

    def open_of(self, cashier: Any) -> Self:
        """The cashier's own open till (at most one): her till, read without a branch."""
        return self.filter(cashier_id=getattr(cashier, "pk", None), status=TillStatus.OPEN)


class TillSession(models.Model):
    """One cashier's till for one business day (Europe/Warsaw); its moves are
    :data:`punkt.cashdesk.workflows.TILL_FLOW`."""

    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+")
    cashier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+")
    business_day = models.DateField(_("day"))
    status = models.CharField(_("status"), max_length=12, choices=TillStatus.choices,
                              default=TillStatus.OPEN)
    opening_float = money(_("opening float"))
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    counted = models.JSONField(default=dict, blank=True)
    counted_total = money(_("counted"), null=True, blank=True)
    expected_cash = money(_("expected cash"), null=True, blank=True)
    difference = money(_("difference"), null=True, blank=True)
    close_note = models.CharField(_("cashier's note"), max_length=500, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledge_note = models.CharField(_("manager's note"), max_length=500, blank=True)

    objects = TillSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-business_day", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["cashier"], condition=Q(status="open"),
                                    name="till_one_open_per_cashier"),
            models.CheckConstraint(condition=Q(status__in=TillStatus.values),
                                   name="till_status_valid"),
            models.CheckConstraint(condition=Q(opening_float__gte=0), name="till_float_positive"),
            models.CheckConstraint(condition=Q(status="open") | Q(counted_total__isnull=False),
                                   name="till_closed_is_counted"),
        ]
        indexes = [models.Index(fields=["branch", "-business_day"], name="till_branch_day"),
                   models.Index(fields=["status", "branch"], name="till_to_acknowledge",
                                condition=Q(status="closed"))]

    def __str__(self) -> str:
        return f"KS/{self.branch_id}/{self.business_day:%Y%m%d}/{self.pk}"


class EntryKind(models.TextChoices):
    FLOAT = "float", _("opening float")
    PAYMENT = "payment", _("payment for an invoice")
    REVERSAL = "reversal", _("payment reversed")
    CASH_IN = "cash_in", _("cash in")
    CASH_OUT = "cash_out", _("cash out")
    REFUND = "refund", _("credit paid out in cash")
    COMPLAINT = "complaint", _("complaint refund paid out in cash")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("cash")
    CARD = "card", _("card")


class LedgerQuerySet(BranchScopedQuerySet[M]):
    """Payments and credit uses: what was paid on HQ's invoices, at a branch."""

    def visible_to(self, user: Any, permission: str | Action, *,
                   branch_id: int | None = None) -> Self:
        """Read as part of an invoice (``cashdesk.invoice.view``, held company-wide like the
        invoices themselves) they are the invoice's history: every row, wherever it was
        taken. Otherwise the rows of the branches where ``user`` holds ``permission``."""
        if str(permission) != perms.INVOICE_VIEW.code:
            return super().visible_to(user, permission, branch_id=branch_id)
        rows = self.all() if can(user, perms.INVOICE_VIEW.code) else self.none()
        return rows.filter(branch_id=branch_id) if branch_id else rows


class CashDocumentQuerySet(LedgerQuerySet[M]):
    def visible_to(self, user: Any, permission: str | Action, *,
                   branch_id: int | None = None) -> Self:
        """One cash document on its own (a payment's KP receipt, its reversal, a credit
        refund's KW) is seen by the cashier who took it (while she runs a till there), the
        managers of its branch and HQ staff holding ``permission`` — not by the branch's
        other cashiers. An invoice's payments: see :class:`LedgerQuerySet`."""
        if str(permission) == perms.INVOICE_VIEW.code:
            return super().visible_to(user, permission, branch_id=branch_id)
        by_branch = BranchScopedQuerySet.visible_to
        rows = (by_branch(self, user, perms.PAYMENT_TAKE, branch_id=branch_id)
                .filter(cashier_id=getattr(user, "pk", None))
                | by_branch(self, user, perms.TILL_ACKNOWLEDGE, branch_id=branch_id))
        if access_of(user).is_hq:
            rows = rows | by_branch(self, user, permission, branch_id=branch_id)
        return rows


class Payment(models.Model):
    """A payment taken at the till for one invoice (or its reversal: negative, pointing at
    the payment it cancels). ``key`` is the client's idempotency key (C5)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT,
                                 related_name="payments")
    session = models.ForeignKey(TillSession, on_delete=models.PROTECT, related_name="payments")
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+")
    cashier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+")
    method = models.CharField(_("method"), max_length=4, choices=PaymentMethod.choices)
    amount = money(_("amount"))
    #: of ``amount``: what went to the invoice and what became credit.
    allocated = money()
    to_credit = money(default=Decimal(0))
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    key = models.CharField(max_length=100, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CashDocumentQuerySet["Payment"].as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(method__in=PaymentMethod.values),
                                   name="payment_method_valid"),
            models.CheckConstraint(condition=(Q(reverses__isnull=True) & Q(amount__gt=0)
                                              & Q(allocated__gte=0) & Q(to_credit__gte=0))
                                   | (Q(reverses__isnull=False) & Q(amount__lt=0)),
                                   name="payment_sign"),
            # Rounded: SQLite adds decimals as binary floats (0.1 + 0.2 ≠ 0.3).
            models.CheckConstraint(condition=Q(amount=Round(models.F("allocated")
                                                            + models.F("to_credit"), 2)),
                                   name="payment_split_adds_up"),
        ]
        indexes = [models.Index(fields=["invoice", "created_at"], name="payment_invoice"),
                   models.Index(fields=["session", "created_at"], name="payment_session"),
                   models.Index(fields=["cashier", "-created_at"], name="payment_cashier"),
                   models.Index(fields=["customer", "-created_at"], name="payment_customer")]

    def __str__(self) -> str:
        """KP (cash in) / KW (cash out: a cash refund); card payments are not cash
        documents: P / PZ (a card payment / its refund)."""
        cash = self.method == PaymentMethod.CASH
        out = self.amount is not None and self.amount < 0
        prefix = ("KW" if out else "KP") if cash else ("PZ" if out else "P")
        return f"{prefix}/{self.pk:08d}"

    @property
    def number(self) -> str:
        return str(self)


class TillEntryQuerySet(BranchScopedQuerySet["TillEntry"]):
    def visible_to(self, user: Any, permission: str | Action, *,
                   branch_id: int | None = None) -> Self:
        """The entries of the tills ``user`` may see (:class:`TillSessionQuerySet`)."""
        return self.filter(session__in=TillSession.objects.visible_to(
            user, permission, branch_id=branch_id).values("pk"))


class TillEntry(models.Model):
    """A line of the till's ledger (append-only). ``cash`` is its effect on the drawer:
    card payments are listed with zero cash."""

    branch_scope = "session__branch"

    session = models.ForeignKey(TillSession, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    amount = money(_("amount"))
    cash = money(_("cash"))
    payment = models.OneToOneField(Payment, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="entry")
    refund = models.OneToOneField("CreditRefund", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="entry")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    #: the record of another area the cash was paid out for (a complaint's refund)
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.CharField(max_length=40, blank=True)

    objects = TillEntryQuerySet.as_manager()

    class Meta:
        ordering = ["session", "created_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=EntryKind.values),
                                              name="till_entry_kind_valid")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class CreditUse(models.Model):
    """Credit (what the customer overpaid earlier) settled against an invoice at the till:
    no cash moves; the invoice's ``paid`` grows and the customer's credit shrinks by
    ``amount``. Append-only, like payments: a settlement made by mistake is undone by HQ
    with a reversing row (negative, pointing at the one it cancels), which reopens the
    invoice and gives the credit back."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_uses")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT,
                                 related_name="credit_uses")
    amount = money(_("amount"))
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = LedgerQuerySet["CreditUse"].as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(
            condition=(Q(reverses__isnull=True) & Q(amount__gt=0))
            | (Q(reverses__isnull=False) & Q(amount__lt=0)), name="credit_use_sign")]
        indexes = [models.Index(fields=["customer"], name="credit_use_customer")]

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.amount}"


class DocumentCounter(models.Model):
    """The last number given in a series of cash documents per branch and year
    (``KW/Z/<branch>/<year>/<n>``): locked while a document takes the next one, so numbers
    never repeat and leave no gaps."""

    series = models.CharField(max_length=10)
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "branch", "year"],
                                               name="document_counter_once")]

    def __str__(self) -> str:
        return f"{self.series}/{self.branch_id}/{self.year}: {self.last}"


class CreditRefund(models.Model):
    """The customer's credit (what they overpaid) paid out in cash at the till: a KW cash
    document numbered per branch and year (``KW/Z/<branch code>/<year>/<n>``, Z for
    *zwrot*). The credit shrinks and the drawer gives the cash (a till entry of kind
    ``refund``). Append-only; ``key`` is the client's idempotency key (C5)."""

    SERIES = "KW/Z"

    number = models.CharField(_("number"), max_length=60, unique=True)
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+")
    year = models.PositiveIntegerField()
    serial = models.PositiveIntegerField()
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT,
                                 related_name="credit_refunds")
    session = models.ForeignKey(TillSession, on_delete=models.PROTECT, related_name="refunds")
    cashier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+")
    amount = money(_("amount"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    key = models.CharField(max_length=100, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CashDocumentQuerySet["CreditRefund"].as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_refund_positive"),
            models.UniqueConstraint(fields=["branch", "year", "serial"],
                                    name="credit_refund_number_once"),
        ]
        indexes = [models.Index(fields=["customer", "-created_at"], name="credit_refund_customer")]

    def __str__(self) -> str:
        return self.number


class IdempotencyKey(models.Model):
    """A client's key for one payment request (IETF Idempotency-Key draft): inserted and
    completed with its payment in the payment's one transaction. ``claim`` is kept for
    rows of the earlier two-step claim (committed before the work)."""

    key = models.CharField(max_length=100, unique=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="+")
    fingerprint = models.CharField(max_length=64)
    #: Which request holds the key now (a stale claim may be taken over by a retry).
    claim = models.CharField(max_length=32, default="")
    payment = models.OneToOneField(Payment, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key


class DuplicateIssue(models.Model):
    """Each duplicate (or KSeF visualisation) handed to a customer."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="duplicates")
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    branch = models.ForeignKey("organization.Branch", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")

    objects = BranchScopedQuerySet["DuplicateIssue"].as_manager()

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.issued_at:%Y-%m-%d}"


@tones(queued="", checked="", rejected="warn", running="", done="", failed="warn")
class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("queued for checking")
    CHECKED = "checked", _("checked, waiting for confirmation")
    REJECTED = "rejected", _("refused: the file has errors")
    RUNNING = "running", _("importing")
    DONE = "done", _("imported")
    FAILED = "failed", _("failed")


class InvoiceImport(models.Model):
    """A file of HQ's invoices (CSV/XLSX, a row per invoice line): checked whole first,
    then — confirmed — written whole in one transaction, or not at all."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    original_name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=100, unique=True)
    status = models.CharField(max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    invoices_total = models.PositiveIntegerField(default=0)
    customers_total = models.PositiveIntegerField(default=0)
    gross_total = money(default=Decimal(0))
    invoices_imported = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    job = models.ForeignKey("core.JobProgress", null=True, blank=True,
                            on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(status__in=ImportStatus.values),
                                              name="invoice_import_status_valid")]

    def __str__(self) -> str:
        return self.original_name
