"""Complaints (reklamacje, R7): the record registered at intake with its legal clock, its
attachments, the history of its steps (append-only) and the receipt e-mailed to the
customer."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from punkt.core.badges import tones
from punkt.core.scoping import BranchScopedQuerySet, PunktQuerySet


class ComplaintKind(models.TextChoices):
    """Which legal clock runs (``clock.RULES``)."""

    CONSUMER_GOODS = "consumer_goods", _("consumer — goods")
    TELECOM = "telecom", _("consumer — telecom or e-communication service")
    BUSINESS = "business", _("business customer (by contract)")


class Demand(models.TextChoices):
    REPAIR = "repair", _("repair")
    REPLACEMENT = "replacement", _("replacement")
    PRICE_REDUCTION = "price_reduction", _("price reduction")
    WITHDRAWAL = "withdrawal", _("withdrawal and refund")
    CORRECTION = "correction", _("correction of the service")
    COMPENSATION = "compensation", _("compensation")


class ComplaintChannel(models.TextChoices):
    COUNTER = "counter", _("counter")
    TICKET = "ticket", _("from a ticket")
    PHONE = "phone", _("phone")
    EMAIL = "email", _("e-mail")
    POST = "post", _("post")


@tones(registered="info", acknowledged="info", at_hq="warn", investigation="warn",
       decided="ok", refund_due="warn", remedied="ok", informed="ok", closed="")
class ComplaintStatus(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("complaint status", "registered")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("complaint status", "acknowledged")
    AT_HQ = "at_hq", pgettext_lazy("complaint status", "sent to HQ")
    INVESTIGATION = "investigation", pgettext_lazy("complaint status", "investigation")
    DECIDED = "decided", pgettext_lazy("complaint status", "decided")
    REFUND_DUE = "refund_due", pgettext_lazy("complaint status", "refund awaiting the till")
    REMEDIED = "remedied", pgettext_lazy("complaint status", "remedy carried out")
    INFORMED = "informed", pgettext_lazy("complaint status", "customer informed")
    CLOSED = "closed", pgettext_lazy("complaint status", "closed")


#: the states in which the legal clock runs (no decision yet)
UNDECIDED = (ComplaintStatus.REGISTERED, ComplaintStatus.ACKNOWLEDGED, ComplaintStatus.AT_HQ,
             ComplaintStatus.INVESTIGATION)
_UNDECIDED = ["registered", "acknowledged", "at_hq", "investigation"]


@tones(upheld="ok", partly_upheld="warn", rejected="err")
class Outcome(models.TextChoices):
    UPHELD = "upheld", _("upheld")
    PARTLY_UPHELD = "partly_upheld", _("partly upheld")
    REJECTED = "rejected", _("rejected")


class Cause(models.TextChoices):
    PRODUCT_DEFECT = "product_defect", _("product defect")
    SERVICE_ERROR = "service_error", _("service error")
    EMPLOYEE_ERROR = "employee_error", _("employee error")
    PROCESS_DEFECT = "process_defect", _("process defect")
    CUSTOMER_MISUSE = "customer_misuse", _("customer misuse")
    OTHER = "other", _("other")


class RemedyKind(models.TextChoices):
    """How the remedy was carried out: a replacement leaves the branch's stock (a stock
    movement), a refund is paid out from a till (a till entry); the others are described."""

    REPLACEMENT = "replacement", _("replacement unit from the branch's stock")
    REFUND = "refund", _("refund in cash at the till")
    REPAIR = "repair", _("repair")
    OTHER = "other", _("other (described)")


class InformedBy(models.TextChoices):
    EMAIL = "email", _("e-mail")
    POST = "post", _("post")
    IN_PERSON = "in_person", _("in person at the counter")
    PHONE = "phone", _("phone")


class ComplaintQuerySet(BranchScopedQuerySet["Complaint"]):
    def update(self, **kwargs: Any) -> int:
        """Every change stamps ``updated_at`` (``auto_now`` covers ``save`` only): the
        statistics' kept figures (``figures.py``) recount the complaints changed after
        their watermark live."""
        kwargs.setdefault("updated_at", timezone.now())
        return super().update(**kwargs)


class Complaint(models.Model):
    """A customer's complaint, numbered ``RK/<year>/<n>`` company-wide; its deadline is
    computed at intake (and again on an appeal) from its kind (``clock``)."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    branch = models.ForeignKey("organization.Branch", verbose_name=_("branch"),
                               on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"),
                                 on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=ComplaintKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=ComplaintChannel.choices,
                               default=ComplaintChannel.COUNTER)
    status = models.CharField(_("status"), max_length=16, choices=ComplaintStatus.choices,
                              default=ComplaintStatus.REGISTERED)
    #: what the complaint is about: one of the customer's sale lines or contracts (a link),
    #: else a description when nothing fits
    sale_line = models.ForeignKey("sales.SaleLine", verbose_name=_("product bought"),
                                  null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    contract = models.ForeignKey("contracts.Contract", verbose_name=_("contract"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    product_text = models.CharField(_("product or service (described)"), max_length=200,
                                    blank=True)
    ticket = models.ForeignKey("servicedesk.Ticket", verbose_name=_("ticket"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    customer_account = models.TextField(_("the customer's account"))
    employee_opinion = models.TextField(_("the employee's opinion"), blank=True)
    demand = models.CharField(_("the customer's demand"), max_length=16,
                              choices=Demand.choices)
    amount = models.DecimalField(_("amount claimed (PLN)"), max_digits=12, decimal_places=2,
                                 null=True, blank=True)
    terms_version = models.CharField(_("complaint terms shown (version)"), max_length=100)
    #: days agreed in the contract (business customers); the legal periods come from settings
    contract_days = models.PositiveSmallIntegerField(_("days to answer by contract"),
                                                     null=True, blank=True)
    handler = models.ForeignKey("organization.Employee", verbose_name=_("handled by"),
                                null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    #: the running clock: from intake, or from the last appeal
    clock_started_at = models.DateTimeField(_("clock started"), default=timezone.now)
    days = models.PositiveSmallIntegerField(_("days to answer"))
    deadline = models.DateTimeField(_("answer due"))
    remind_at = models.DateTimeField(_("reminder"))
    reminded_at = models.DateTimeField(null=True, blank=True)
    deemed_accepted = models.BooleanField(_("deemed accepted"), default=False)
    deemed_at = models.DateTimeField(_("deemed accepted on"), null=True, blank=True)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    cause = models.CharField(_("cause"), max_length=16, choices=Cause.choices, blank=True)
    cause_note = models.TextField(_("cause (details)"), blank=True)
    outcome = models.CharField(_("decision"), max_length=16, choices=Outcome.choices,
                               blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey("organization.Employee", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at_hq = models.BooleanField(_("decided at HQ"), default=False)
    remedy_note = models.TextField(_("remedy carried out"), blank=True)
    remedy_kind = models.CharField(_("remedy"), max_length=12, choices=RemedyKind.choices,
                                   blank=True)
    #: a replacement: the unit that left the branch's stock (its movement)
    stock_movement = models.OneToOneField("inventory.StockMovement", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    #: a refund: the amount ordered by the handler and the till entry that paid it out
    refund_amount = models.DecimalField(_("refund (PLN)"), max_digits=12, decimal_places=2,
                                        null=True, blank=True)
    refund_entry = models.OneToOneField("cashdesk.TillEntry", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    remedied_at = models.DateTimeField(null=True, blank=True)
    informed_how = models.CharField(_("customer informed by"), max_length=10,
                                    choices=InformedBy.choices, blank=True)
    informed_at = models.DateTimeField(_("customer informed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey("organization.Employee", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0),
                                   name="complaint_amount_not_negative"),
            models.CheckConstraint(condition=Q(refund_amount__isnull=True)
                                   | Q(refund_amount__gt=0), name="complaint_refund_positive"),
            models.CheckConstraint(condition=~Q(outcome="rejected") | (
                ~Q(decision_reason="") & ~Q(legal_basis="")),
                name="complaint_rejection_reasoned"),
        ]
        indexes = [
            models.Index(fields=["branch", "deadline", "id"], name="complaint_branch_due"),
            models.Index(fields=["deadline", "id"], name="complaint_due"),
            models.Index(fields=["deadline"], name="complaint_undecided_due",
                         condition=Q(status__in=_UNDECIDED)),
            models.Index(fields=["customer", "-id"], name="complaint_customer"),
            models.Index(fields=["ticket"], name="complaint_ticket",
                         condition=Q(ticket__isnull=False)),
            models.Index(fields=["branch", "id"], name="complaint_refund_due",
                         condition=Q(status="refund_due")),
            # the list filtered by a state, nearest deadline first (HQ: "sent to HQ")
            models.Index(fields=["status", "deadline", "id"], name="complaint_status_due"),
            # the list's "overdue or deemed accepted", nearest deadline first
            models.Index(fields=["deadline", "id"], name="complaint_overdue_due",
                         condition=Q(deemed_accepted=True) | Q(status__in=_UNDECIDED)),
            # the statistics: the complaints received in a period (HQ, a branch)
            # (with the customer: the share who complained counted from the index alone)
            models.Index(fields=["received_at", "customer"], name="complaint_received_cust"),
            models.Index(fields=["branch", "received_at", "customer"],
                         name="complaint_branch_received_c"),
            # the statistics' kept figures: what changed after their watermark
            models.Index(fields=["updated_at"], name="complaint_updated"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_undecided(self) -> bool:
        return self.status in UNDECIDED

    @property
    def product_label(self) -> str:
        if self.sale_line_id and self.sale_line:
            return str(self.sale_line.name)
        if self.contract_id and self.contract:
            return str(self.contract.number)
        return self.product_text


class ComplaintEvent(models.Model):
    """One step of a complaint: who, when, from which state to which, with a note. Never
    changed (append-only on PostgreSQL; erasure may only empty the note)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey("organization.Employee", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    objects = BranchScopedQuerySet.as_manager()
    branch_scope = "complaint__branch"

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["complaint", "id"], name="complaint_event_order")]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.action}"


class AttachmentKind(models.TextChoices):
    WARRANTY_CARD = "warranty", _("warranty card")
    PROOF = "proof", _("proof of purchase")
    PHOTO = "photo", _("photo")
    OTHER = "other", _("other")


class ComplaintAttachment(models.Model):
    """A file attached to a complaint (a phone photo of the warranty card, the receipt),
    stored under the upload rules (``punkt/core/files.py``, C24)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE,
                                  related_name="attachments")
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices,
                            default=AttachmentKind.OTHER)
    name = models.CharField(max_length=220)
    stored = models.CharField(max_length=80)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey("organization.Employee", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = BranchScopedQuerySet.as_manager()
    branch_scope = "complaint__branch"

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class MailStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class ComplaintMail(models.Model):
    """The receipt e-mailed to the customer (a durable medium), queued with the complaint
    and sent by the worker (``punkt/core/outbox.py``); one per complaint and round."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="mails")
    round = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=MailStatus.choices,
                              default=MailStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = BranchScopedQuerySet.as_manager()
    branch_scope = "complaint__branch"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["complaint", "round"],
                                               name="complaint_mail_once")]
        indexes = [models.Index(fields=["status", "created_at"], name="complaint_mail_status")]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.status}"


class ComplaintCounter(models.Model):
    """The last complaint number given in a year: incremented in one locked statement."""

    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    objects = PunktQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class ActionKind(models.TextChoices):
    """ISO 9001 / 10002: the corrective action removes the cause of this complaint, the
    preventive action changes the process so it does not happen again."""

    CORRECTIVE = "corrective", _("corrective action (removes the cause)")
    PREVENTIVE = "preventive", _("preventive action (changes the process)")


@tones(open="warn", done="info", verified="ok")
class ActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("corrective action", "open")
    DONE = "done", pgettext_lazy("corrective action", "done, to verify")
    VERIFIED = "verified", pgettext_lazy("corrective action", "verified")


class ComplaintAction(models.Model):
    """A corrective or preventive action (CAPA) taken on a complaint's cause: its owner
    (an employee) carries it out by the due date; someone else verifies it with a note
    (or sends it back). A preventive action names the HQ material or procedure changed."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(_("kind"), max_length=12, choices=ActionKind.choices)
    description = models.TextField(_("what is to be done"))
    owner = models.ForeignKey("organization.Employee", verbose_name=_("owner"),
                              on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due"))
    material = models.ForeignKey("materials.Material", verbose_name=_("HQ material changed"),
                                 null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    procedure = models.CharField(_("procedure changed"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices,
                              default=ActionStatus.OPEN)
    done_note = models.TextField(_("what was done"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey("organization.Employee", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_note = models.TextField(_("verification"), blank=True)
    created_by = models.ForeignKey("organization.Employee", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = BranchScopedQuerySet.as_manager()
    branch_scope = "complaint__branch"

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="preventive") | Q(material__isnull=False)
                                   | ~Q(procedure=""), name="complaint_action_preventive_names"),
            models.CheckConstraint(condition=~Q(status="verified")
                                   | Q(verified_by__isnull=False),
                                   name="complaint_action_verified_by"),
        ]
        indexes = [
            models.Index(fields=["owner", "due_on"], name="complaint_action_open_owner",
                         condition=Q(status="open")),
            models.Index(fields=["complaint", "id"], name="complaint_action_of"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.kind} {self.status}"

    @property
    def is_overdue(self) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on < timezone.localdate()


class LetterKind(models.TextChoices):
    ANSWER = "answer", _("answer to the complaint")
    COMPLETION = "completion", _("request to complete the complaint")


class LetterChannel(models.TextChoices):
    """How a letter reaches the customer: each is a durable medium (art. 7a)."""

    EMAIL = "email", _("e-mail (PDF attached)")
    POST = "post", _("post (the branch's print run)")
    IN_PERSON = "in_person", _("printed and handed over at the counter")


class LetterTemplate(models.Model):
    """HQ's text of a letter: the answer for each outcome and the request to complete.
    ``{{ field }}`` placeholders from ``letters.PLACEHOLDERS``, filled as plain text."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=LetterKind.choices)
    #: the decision an answer is for; empty for the request to complete
    outcome = models.CharField(_("decision"), max_length=14, choices=Outcome.choices,
                               blank=True)
    name = models.CharField(_("name"), max_length=100)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey("organization.Employee", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = PunktQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "outcome", "name"]

    def __str__(self) -> str:
        return self.name


class ComplaintLetter(models.Model):
    """A letter to the customer as it was sent (its text and PDF kept: the durable medium
    and the proof of what was said) with the proof of dispatch: the e-mail's message, the
    letter's print run and the posting (date, registered-mail number), or the hand-over
    at the counter. A request to complete carries its term and, later, what the customer
    added."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="letters")
    round = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(_("kind"), max_length=12, choices=LetterKind.choices)
    channel = models.CharField(_("sent by"), max_length=10, choices=LetterChannel.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    pdf_stored = models.CharField(max_length=80)
    message = models.ForeignKey("messaging.Message", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    posted_on = models.DateField(_("posted on"), null=True, blank=True)
    tracking_number = models.CharField(_("registered-mail number"), max_length=40, blank=True)
    complete_by = models.DateField(_("to complete by"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_note = models.TextField(_("what the customer added"), blank=True)
    task = models.ForeignKey("work.Task", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    #: the page's (or the API client's) once-only key: a second click sends nothing more
    key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_by = models.ForeignKey("organization.Employee", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = BranchScopedQuerySet.as_manager()
    branch_scope = "complaint__branch"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=LetterKind.values),
                                   name="complaint_letter_kind_valid"),
            models.CheckConstraint(condition=Q(channel__in=LetterChannel.values),
                                   name="complaint_letter_channel_valid"),
            models.CheckConstraint(condition=~Q(kind="completion") | Q(complete_by__isnull=False),
                                   name="complaint_letter_completion_term"),
        ]
        indexes = [models.Index(fields=["complaint", "-created_at"], name="complaint_letter_of")]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.kind} {self.channel}"

    @property
    def file_name(self) -> str:
        number = self.complaint.number.replace("/", "-")
        prefix = "odpowiedz" if self.kind == LetterKind.ANSWER else "wezwanie-do-uzupelnienia"
        return f"{prefix}-{number}-{self.pk}.pdf"

    @property
    def awaiting_completion(self) -> bool:
        return self.kind == LetterKind.COMPLETION and self.completed_at is None


# -- the statistics' kept figures (``figures.py``) ---------------------------------------

class FiguresState(models.Model):
    """How far the statistics' kept figures go: every complaint received up to ``upto`` is
    counted as it stood at the refresh; those received or changed since are counted live
    (one row, id 1)."""

    upto = models.DateTimeField()
    refreshed_at = models.DateTimeField()
    seconds = models.FloatField(default=0)

    objects = PunktQuerySet.as_manager()

    def __str__(self) -> str:
        return f"complaint figures up to {self.upto}"


class CountedComplaint(models.Model):
    """One complaint as the last refresh counted it: its keys (branch, Warsaw month of
    receipt, cause, handler, kind, channel, product) and its share of each figure (0 or 1,
    the refund paid, the time to a decision). The kept figures are these rows grouped; a
    complaint changed since is taken out of them by its row here and counted live."""

    complaint = models.OneToOneField(Complaint, primary_key=True, on_delete=models.CASCADE,
                                     db_constraint=False, related_name="+")
    branch = models.ForeignKey("organization.Branch", on_delete=models.DO_NOTHING,
                               db_constraint=False, db_index=False, related_name="+")
    received_at = models.DateTimeField()
    month = models.IntegerField()
    cause = models.CharField(max_length=16, blank=True)
    handler_ref = models.BigIntegerField(null=True)
    kind = models.CharField(max_length=16)
    channel = models.CharField(max_length=10)
    product_ref = models.BigIntegerField(null=True)
    of_contract = models.BooleanField(default=False)
    product_text = models.CharField(max_length=200, blank=True)
    decided = models.IntegerField(default=0)
    upheld = models.IntegerField(default=0)
    partly = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    in_time = models.IntegerField(default=0)
    deemed = models.IntegerField(default=0)
    refunds = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    took = models.DurationField(null=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["received_at"], name="complaint_counted_received")]

    def __str__(self) -> str:
        return f"counted {self.complaint_id}"


class ComplaintFigure(models.Model):
    """The kept figures: complaints received in a branch and a Warsaw month (``span`` 1)
    or quarter (``span`` 3, ``month`` its first month) or the year to the watermark's month
    (``span`` 12, see ``figures.kept_years``), per value of one dimension
    (``dim``: its key in the columns of that dimension, the others empty). A key may have
    several rows (an erasure adds a correction); readers add them up."""

    branch = models.ForeignKey("organization.Branch", on_delete=models.DO_NOTHING,
                               db_constraint=False, db_index=False, related_name="+")
    month = models.IntegerField()
    span = models.PositiveSmallIntegerField(default=1)
    dim = models.CharField(max_length=8)
    cause = models.CharField(max_length=16, blank=True)
    handler_ref = models.BigIntegerField(null=True)
    kind = models.CharField(max_length=16, blank=True)
    channel = models.CharField(max_length=10, blank=True)
    product_ref = models.BigIntegerField(null=True)
    of_contract = models.BooleanField(default=False)
    product_text = models.CharField(max_length=200, blank=True)
    received = models.IntegerField(default=0)
    decided = models.IntegerField(default=0)
    upheld = models.IntegerField(default=0)
    partly = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    in_time = models.IntegerField(default=0)
    deemed = models.IntegerField(default=0)
    refunds = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    took = models.DurationField(null=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["dim", "span", "month", "branch"],
                                name="complaint_fig_span_month"),
                   models.Index(fields=["branch", "dim", "span", "month"],
                                name="complaint_fig_branch_span")]

    def __str__(self) -> str:
        return f"{self.branch_id}/{self.month}/{self.dim}"
