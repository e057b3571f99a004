"""The sales pipeline (lejek sprzedaży, R11): the company's stages (seed 003: presentation
→ offer → agreement → payment → event → closing), each with what it requires before it is
left and its own reasons of refusal; opportunities moving through them, owned by a seller
and a branch; their control dates, each kept as a task of the owner; and the history of
every step (append-only)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from punkt.core.badges import tones
from punkt.core.scoping import BranchScopedQuerySet, PunktQuerySet


class ControlKind(models.TextChoices):
    """The control points of seed 003: each date becomes a task of the owner."""

    RETRY = "retry", _("try again to arrange the presentation")
    MINUTES = "minutes", _("send the meeting minutes")
    OFFER_VALID = "offer_valid", _("the offer is valid until")
    CHANGE = "change", _("change the offer or agreement")
    INVOICE_DUE = "invoice_due", _("the invoice is due")
    EVENT = "event", _("the event (delivery)")
    SURVEY = "survey", _("ask about satisfaction")
    NEXT_CONTACT = "next_contact", _("next contact")


class Requirement(models.TextChoices):
    """What a stage may require before the opportunity leaves it: a field filled or a
    control date set."""

    AMOUNT = "amount", _("the expected amount")
    EXPECTED_CLOSE = "expected_close", _("the expected closing month")
    PRODUCT = "product", _("the product")
    MINUTES = "minutes", _("the date the minutes are sent")
    OFFER_VALID = "offer_valid", _("the date the offer is valid until")
    INVOICE_DUE = "invoice_due", _("the invoice's due date")
    EVENT = "event", _("the event's date")
    SURVEY = "survey", _("the date to ask about satisfaction")
    NEXT_CONTACT = "next_contact", _("the next contact's date")
    #: Documents expected in the stage: one of its kind sent to the customer (an offer:
    #: its latest version, approved and sent).
    MINUTES_SENT = "minutes_sent", _("the meeting minutes sent to the customer")
    OFFER_SENT = "offer_sent", _("the commercial offer sent to the customer")
    ACCEPTANCE_SENT = "acceptance_sent", _("the acceptance act sent to the customer")
    SURVEY_SENT = "survey_sent", _("the satisfaction questionnaire sent to the customer")


#: A document requirement → the kind of document that must have been sent.
DOCUMENT_REQUIREMENTS = {"minutes_sent": "minutes", "offer_sent": "offer",
                         "acceptance_sent": "acceptance", "survey_sent": "survey"}


class Stage(models.Model):
    """A stage of the company's sales process, in ``position`` order (HQ sets them)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveSmallIntegerField(_("position"))
    probability = models.PositiveSmallIntegerField(_("probability (%)"), default=0)
    requires = models.JSONField(_("required to leave it"), default=list, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    objects = PunktQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("sales stage")

    def __str__(self) -> str:
        return self.name


class LossReason(models.Model):
    """Why a sale stopped: the stage's own reasons, or any stage's (``stage`` empty)."""

    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT,
                              null=True, blank=True, related_name="loss_reasons")
    label = models.CharField(_("reason"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("in use"), default=True)

    objects = PunktQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


@tones(open="info", won="ok", lost="err")
class OpportunityStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("opportunity status", "open")
    WON = "won", pgettext_lazy("opportunity status", "won")
    LOST = "lost", pgettext_lazy("opportunity status", "lost")


class Opportunity(models.Model):
    """A sale in progress with one customer (an individual or a business)."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    branch = models.ForeignKey("organization.Branch", verbose_name=_("branch"),
                               on_delete=models.PROTECT, related_name="opportunities")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"),
                                 on_delete=models.PROTECT, related_name="opportunities")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("seller"),
                              on_delete=models.PROTECT, related_name="opportunities")
    title = models.CharField(_("what is sold"), max_length=200)
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"),
                                on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    amount = models.DecimalField(_("expected amount"), max_digits=14, decimal_places=2,
                                 null=True, blank=True)
    expected_close = models.DateField(_("expected closing month"), null=True, blank=True)
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT,
                              related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=OpportunityStatus.choices,
                              default=OpportunityStatus.OPEN)
    loss_reason = models.ForeignKey(LossReason, verbose_name=_("reason of the loss"),
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    loss_note = models.TextField(_("about the loss"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", null=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    stage_since = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    #: A campaign code the customer gave (a leaflet's), checked to run at the branch
    #: (``customers.referrals.campaign_for``); the campaign's id beside it, as the code
    #: may change before a leaflet prints it (R10.3).
    campaign_code = models.CharField(_("campaign code"), max_length=12, blank=True,
                                     default="")
    campaign_ref = models.PositiveBigIntegerField(null=True, blank=True, editable=False)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sales opportunity")
        indexes = [
            models.Index(fields=["branch", "status", "stage"], name="opp_board"),
            models.Index(fields=["campaign_ref"], name="opp_campaign",
                         condition=Q(campaign_ref__isnull=False)),
            models.Index(fields=["owner", "status"], name="opp_owner"),
            models.Index(fields=["customer", "status"], name="opp_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status == OpportunityStatus.OPEN


class ControlDate(models.Model):
    """One control point of an opportunity and the owner's task that keeps it."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE,
                                    related_name="control_dates")
    kind = models.CharField(_("control point"), max_length=20, choices=ControlKind.choices)
    on = models.DateField(_("date"))
    task = models.ForeignKey("work.Task", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)

    objects = BranchScopedQuerySet.as_manager()
    branch_scope = "opportunity__branch"

    class Meta:
        ordering = ["on", "id"]
        constraints = [models.UniqueConstraint(fields=["opportunity", "kind"],
                                               name="control_date_once")]

    def __str__(self) -> str:
        return f"{self.opportunity_id} {self.kind} {self.on}"

    @property
    def is_done(self) -> bool:
        """Marked done here, or its task done (e.g. on "My work")."""
        return self.done_at is not None or (self.task is not None
                                            and self.task.status == "done")

    @property
    def is_pending(self) -> bool:
        """Still to do: not done and its task neither done nor cancelled."""
        return not self.is_done and (self.task is None or self.task.status == "open")


class OpportunityEvent(models.Model):
    """A step of an opportunity (append-only): opened, moved, won, lost, reopened, a
    control date set or cleared, given to another seller."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.PROTECT,
                                    related_name="events")
    action = models.CharField(max_length=30)
    from_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, null=True,
                                   related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, null=True, related_name="+")
    status = models.CharField(max_length=10, choices=OpportunityStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    #: A refusal's or a loss's reason (the funnel report counts them by it); empty on the
    #: other steps and on refusals recorded before it was kept (2026-12-07).
    reason = models.ForeignKey(LossReason, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")

    objects = BranchScopedQuerySet.as_manager()
    branch_scope = "opportunity__branch"

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["to_stage", "at"], name="opp_event_stage"),
                   models.Index(fields=["opportunity", "at"], name="opp_event_opp")]

    def __str__(self) -> str:
        return f"{self.opportunity_id} {self.action}"


class OpportunityCounter(models.Model):
    """The last opportunity number given in a year (``core/numbering``)."""

    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    objects = PunktQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class NextStepState(models.TextChoices):
    """Where a customer stands in the sales cycle (R11.5)."""

    IN_SALE = "sale", _("in a sale")
    PLANNED = "planned", _("between sales, next contact agreed")
    NONE = "none", _("no next step")


class NextStep(models.Model):
    """Kept per customer who has had an opportunity: in a sale (one open), between sales
    with a next contact agreed (a pending "next contact" control date of any of their
    sales), or with no next step. Listed under the branch and seller of their latest
    closed sale (of the latest open one while none is closed). Rewritten by
    ``next_steps.refresh`` in the transaction of every change that affects it; rebuilt
    whole by ``punkt pipeline_next_steps``."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE,
                                    primary_key=True, related_name="+")
    state = models.CharField(max_length=10, choices=NextStepState.choices)
    branch = models.ForeignKey("organization.Branch", on_delete=models.CASCADE,
                               related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="+")
    #: the latest closed sale (the latest open one while none is closed)
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="+")
    last_closed = models.DateTimeField(null=True, blank=True)
    open_sales = models.PositiveIntegerField(default=0)
    next_contact = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["branch", "last_closed", "customer"], name="next_step_branch",
                         condition=Q(state="none")),
            models.Index(fields=["owner", "last_closed", "customer"], name="next_step_owner",
                         condition=Q(state="none")),
        ]
        constraints = [models.CheckConstraint(condition=Q(state__in=["sale", "planned",
                                                                     "none"]),
                                              name="next_step_state_valid")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.state}"


OPEN = Q(status=OpportunityStatus.OPEN)


class SalesPlan(models.Model):
    """A month's sales plan (R11.6): the branch's (``employee`` empty), set by HQ, or one
    employee's share of it, set by the branch's manager. What is planned: see
    :data:`punkt.pipeline.plans.MEASURES` and ``docs/sales-plans.md``."""

    branch = models.ForeignKey("organization.Branch", verbose_name=_("branch"),
                               on_delete=models.PROTECT, related_name="+")
    employee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("employee"),
                                 on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    #: The first day of the month.
    month = models.DateField(_("month"))
    sales_net = models.DecimalField(_("counter sales (net)"), max_digits=14,
                                    decimal_places=2, default=0)
    collected = models.DecimalField(_("collected on HQ invoices"), max_digits=14,
                                    decimal_places=2, default=0)
    contracts = models.PositiveIntegerField(_("contracts signed"), default=0)
    new_customers = models.PositiveIntegerField(_("new customers"), default=0)
    won = models.PositiveIntegerField(_("sales won"), default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sales plan")
        constraints = [
            models.UniqueConstraint(fields=["branch", "month"],
                                    condition=Q(employee__isnull=True),
                                    name="sales_plan_branch_once"),
            models.UniqueConstraint(fields=["branch", "employee", "month"],
                                    condition=Q(employee__isnull=False),
                                    name="sales_plan_employee_once"),
            models.CheckConstraint(condition=Q(sales_net__gte=0) & Q(collected__gte=0),
                                   name="sales_plan_not_negative"),
        ]
        indexes = [models.Index(fields=["month", "branch"], name="sales_plan_month")]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.month:%Y-%m} {self.employee_id or ''}".strip()


class MonthlyPack(models.Model):
    """The figures of a branch's month against its plan as prepared for the manager's
    meeting (seed 000 step 1): a stored snapshot, so the meeting sees what was prepared;
    recomputed only when the manager asks."""

    branch = models.ForeignKey("organization.Branch", verbose_name=_("branch"),
                               on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    figures = models.JSONField(default=dict)
    prepared_at = models.DateTimeField(_("prepared"), default=timezone.now)
    #: Empty: prepared by the scheduled job.
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    #: Sort keys of HQ's list (percent of plan; None without a plan).
    sales_percent = models.IntegerField(null=True, blank=True)
    new_customers = models.IntegerField(default=0)
    goal_met = models.BooleanField(default=False)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly pack")
        constraints = [models.UniqueConstraint(fields=["branch", "month"],
                                               name="monthly_pack_once")]
        indexes = [models.Index(fields=["month", "branch"], name="monthly_pack_month")]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.month:%Y-%m}"


class DocumentKind(models.TextChoices):
    """The documents a seller gives the customer during a sale (R11.4, seed 003). The
    agreement is the contract prepared from the accepted offer (``punkt/contracts``)."""

    MINUTES = "minutes", _("meeting minutes")
    OFFER = "offer", _("commercial offer")
    ACCEPTANCE = "acceptance", _("acceptance act")
    SURVEY = "survey", _("satisfaction questionnaire")


class SalesDocument(models.Model):
    """One document of an opportunity, filled once from the HQ template in force (or the
    built-in one) and kept as filled (``values``), so its PDF always shows what was sent.
    An offer is a ``contracts.Offer`` (its lines, prices and discounts, its status and
    approval: ``OFFER_FLOW``) in a version of the opportunity's offer."""

    opportunity = models.ForeignKey(Opportunity, verbose_name=_("sales opportunity"),
                                    on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("document"), max_length=12, choices=DocumentKind.choices)
    #: 1, 2, … per opportunity and kind (a new offer version: "offer to clarify").
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    offer = models.OneToOneField("contracts.Offer", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="sales_document")
    #: The HQ template it was filled from (empty: the built-in one).
    template = models.ForeignKey("materials.MaterialVersion", on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    values = models.JSONField(default=dict)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    invoice_ref = models.CharField(_("invoice"), max_length=60, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_to = models.CharField(max_length=254, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+")
    send_count = models.PositiveSmallIntegerField(default=0)
    message = models.ForeignKey("messaging.Message", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)
    open_count = models.PositiveIntegerField(default=0)

    objects = BranchScopedQuerySet.as_manager()
    branch_scope = "opportunity__branch"

    class Meta:
        ordering = ["kind", "-version"]
        verbose_name = _("sales document")
        constraints = [models.UniqueConstraint(fields=["opportunity", "kind", "version"],
                                               name="sales_document_version_once")]
        indexes = [models.Index(fields=["opportunity", "kind", "-version"],
                                name="sales_document_opp")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The opportunity's number, the document's letters and its version."""
        letters = {"minutes": "N", "offer": "OF", "acceptance": "PO", "survey": "AN"}
        return f"{self.opportunity.number}/{letters.get(self.kind, 'D')}/{self.version}"

    @property
    def file_name(self) -> str:
        return f"{self.get_kind_display()}-{self.number}.pdf".replace("/", "-").replace(" ",
                                                                                         "-")
@tones(queued="", checked="", rejected="warn", running="", done="", failed="warn")
class DealImportStatus(models.TextChoices):
    QUEUED = "queued", _("queued for checking")
    CHECKED = "checked", _("checked, waiting for confirmation")
    REJECTED = "rejected", _("refused: the file has errors")
    RUNNING = "running", _("importing")
    DONE = "done", _("imported")
    FAILED = "failed", _("failed")


class DealImport(models.Model):
    """A file of existing deals (CSV/XLSX, a row per opportunity) for one branch: checked
    whole first, then — confirmed — written whole in one transaction, or not at all."""

    branch = models.ForeignKey("organization.Branch", verbose_name=_("branch"),
                               on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    original_name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=100, unique=True)
    status = models.CharField(max_length=10, choices=DealImportStatus.choices,
                              default=DealImportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    deals_total = models.PositiveIntegerField(default=0)
    amount_total = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    deals_imported = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    job = models.ForeignKey("core.JobProgress", null=True, blank=True,
                            on_delete=models.SET_NULL, related_name="+")

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(status__in=DealImportStatus.values),
                                              name="deal_import_status_valid")]

    def __str__(self) -> str:
        return self.original_name
