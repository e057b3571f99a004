from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from punkt.core.badges import tones
from punkt.core.models import TimeStampedModel
from punkt.core.scoping import BranchScopedQuerySet, PunktQuerySet


@tones(person="", company="", sole_trader="")
class CustomerKind(models.TextChoices):
    PERSON = "person", _("Individual")
    COMPANY = "company", _("Company")
    SOLE_TRADER = "sole_trader", _("Sole trader")


@tones(active="ok", merged="err", anonymised="err")
class CustomerStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MERGED = "merged", _("Merged into another customer")
    ANONYMISED = "anonymised", _("Anonymised")


class CompanySize(models.TextChoices):
    MICRO = "micro", _("Micro (fewer than 10 people)")
    SMALL = "small", _("Small (10–49)")
    MEDIUM = "medium", _("Medium (50–249)")
    LARGE = "large", _("Large (250 or more)")


class MainCustomerType(models.TextChoices):
    B2C = "b2c", _("Consumers")
    B2B = "b2b", _("Businesses")
    PUBLIC = "public", _("Public sector")
    MIXED = "mixed", _("Mixed")


class AgeBand(models.TextChoices):
    UNDER_25 = "u25", _("under 25")
    A25_34 = "25-34", _("25–34")
    A35_44 = "35-44", _("35–44")
    A45_54 = "45-54", _("45–54")
    A55_64 = "55-64", _("55–64")
    A65 = "65+", _("65 and over")


class Education(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    VOCATIONAL = "vocational", _("Vocational")
    SECONDARY = "secondary", _("Secondary")
    HIGHER = "higher", _("Higher")


class IncomeBand(models.TextChoices):
    LOW = "low", _("up to 4,000 zł net a month")
    MIDDLE = "middle", _("4,000–8,000 zł net a month")
    HIGH = "high", _("8,000–15,000 zł net a month")
    TOP = "top", _("over 15,000 zł net a month")


class Vehicle(models.TextChoices):
    NONE = "none", _("No car")
    CAR = "car", _("Car")
    SEVERAL = "several", _("Several cars")
    COMPANY = "company", _("Company car")


def age_band_for(birth_date: datetime.date | None, today: datetime.date | None = None) -> str:
    if birth_date is None:
        return ""
    today = today or timezone.localdate()
    age = today.year - birth_date.year - ((today.month, today.day) < (birth_date.month,
                                                                       birth_date.day))
    for limit, band in ((25, AgeBand.UNDER_25), (35, AgeBand.A25_34), (45, AgeBand.A35_44),
                        (55, AgeBand.A45_54), (65, AgeBand.A55_64)):
        if age < limit:
            return band
    return AgeBand.A65


class CustomerQuerySet(BranchScopedQuerySet["Customer"]):
    def active(self) -> CustomerQuerySet:
        """Customers not merged into another record nor anonymised."""
        return self.filter(status=CustomerStatus.ACTIVE)


class Customer(TimeStampedModel):
    """A person or a business served by a branch (its home branch)."""

    branch = models.ForeignKey("organization.Branch", verbose_name=_("branch"),
                               on_delete=models.PROTECT, related_name="customers")
    kind = models.CharField(_("type"), max_length=12, choices=CustomerKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=CustomerStatus.choices,
                              default=CustomerStatus.ACTIVE)
    # Identity
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company_name = models.CharField(_("company name"), max_length=250, blank=True)
    consumer_like = models.BooleanField(
        _("consumer protection"), default=False,
        help_text=_("A sole trader buying outside their professional profile has consumer "
                    "rights (Civil Code art. 385⁵)."))
    pesel = models.CharField(_("PESEL"), max_length=11, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    nip = models.CharField(_("NIP"), max_length=10, blank=True)
    regon = models.CharField(_("REGON"), max_length=14, blank=True)
    bank_account = models.CharField(_("bank account (IBAN)"), max_length=34, blank=True)
    # Primary contact; more in CustomerContact
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    # Registered address (of residence for people)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="PL")
    # Correspondence address; blank = the registered one
    corr_street = models.CharField(_("correspondence street and number"), max_length=200,
                                   blank=True)
    corr_postal_code = models.CharField(_("correspondence postal code"), max_length=12,
                                        blank=True)
    corr_city = models.CharField(_("correspondence city"), max_length=100, blank=True)
    corr_country = models.CharField(_("correspondence country"), max_length=2, blank=True)
    # Segmentation (seed 003) — businesses
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    activity = models.CharField(_("activity"), max_length=200, blank=True)
    has_branches = models.BooleanField(_("has branches"), null=True, blank=True)
    company_size = models.CharField(_("size"), max_length=10, choices=CompanySize.choices,
                                    blank=True)
    main_customer_type = models.CharField(_("main customer type"), max_length=10,
                                          choices=MainCustomerType.choices, blank=True)
    founding_year = models.PositiveSmallIntegerField(_("founding year"), null=True, blank=True)
    # Segmentation — people
    age_band = models.CharField(_("age band"), max_length=5, choices=AgeBand.choices,
                                blank=True)
    education = models.CharField(_("education"), max_length=12, choices=Education.choices,
                                 blank=True)
    income_band = models.CharField(_("income band"), max_length=8, choices=IncomeBand.choices,
                                   blank=True)
    vehicle = models.CharField(_("vehicle"), max_length=8, choices=Vehicle.choices, blank=True)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    # Derived, kept by the services
    display_name = models.CharField(_("name"), max_length=250)
    sort_key = models.CharField(max_length=250, editable=False)
    search_text = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("registered by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_from")
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            # Lists show active customers only: partial indexes let a branch's capped
            # count and its first page be read from the index alone.
            models.Index(fields=["branch", "sort_key", "id"], name="customer_branch_sort",
                         condition=Q(status="active")),
            models.Index(fields=["sort_key", "id"], name="customer_sort",
                         condition=Q(status="active")),
            models.Index(fields=["branch", "-created_at"], name="customer_branch_created"),
            models.Index(fields=["-created_at"], name="customer_created"),
            models.Index(fields=["pesel"], name="customer_pesel",
                         condition=~Q(pesel="")),
            models.Index(fields=["nip"], name="customer_nip", condition=~Q(nip="")),
            models.Index(fields=["regon"], name="customer_regon", condition=~Q(regon="")),
            models.Index(fields=["phone"], name="customer_phone", condition=~Q(phone="")),
            models.Index(fields=["email"], name="customer_email", condition=~Q(email="")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CustomerKind.values),
                                   name="customer_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=CustomerStatus.values),
                                   name="customer_status_valid"),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(status=CustomerStatus.MERGED),
                name="customer_merged_into_only_when_merged"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def audit_repr(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The customer number staff quote on the phone: ``K0001234``."""
        return f"K{self.pk:07d}" if self.pk else ""

    @property
    def pesel_masked(self) -> str:
        return self.pesel[:6] + "*****" if self.pesel else ""

    @property
    def is_person(self) -> bool:
        return self.kind == CustomerKind.PERSON

    @property
    def is_business(self) -> bool:
        return self.kind in (CustomerKind.COMPANY, CustomerKind.SOLE_TRADER)

    @property
    def is_consumer(self) -> bool:
        """Consumer-law protection applies (complaint deadlines, distance contracts)."""
        return self.kind == CustomerKind.PERSON or (
            self.kind == CustomerKind.SOLE_TRADER and self.consumer_like)

    @property
    def is_active(self) -> bool:
        return self.status == CustomerStatus.ACTIVE

    @property
    def has_correspondence_address(self) -> bool:
        return bool(self.corr_street or self.corr_city)


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")


class CustomerContact(models.Model):
    """A further phone number or e-mail address (the primary ones sit on the customer)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("type"), max_length=5, choices=ContactKind.choices)
    value = models.CharField(_("value"), max_length=254)
    label = models.CharField(_("label"), max_length=60, blank=True,
                             help_text=_("e.g. work, spouse, accounts department"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["kind", "pk"]
        indexes = [models.Index(fields=["value"], name="customer_contact_value")]
        constraints = [
            models.UniqueConstraint(fields=["customer", "kind", "value"],
                                    name="customer_contact_once"),
            models.CheckConstraint(condition=Q(kind__in=ContactKind.values),
                                   name="customer_contact_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.value


class SearchWord(models.Model):
    """The distinct words of customers' names and addresses: typo-tolerant search looks a
    misspelt word up here (small) before matching customers (large). Words nobody uses any
    more are removed when a customer is anonymised or merged."""

    word = models.CharField(max_length=60, primary_key=True)

    def __str__(self) -> str:
        return self.word


class CustomerWord(models.Model):
    """One word of an active customer's names and addresses, with the branch and the sort
    key a result list needs. A word search reads only this narrow table (on PostgreSQL an
    index-only scan of ``word`` prefixes) and fetches just the customers of the page.
    Kept in step by ``search.index_customers``; closed customers have no words."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+",
                                 db_index=False)
    word = models.CharField(max_length=60)
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    sort_key = models.CharField(max_length=250)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        # The (word) prefix index lives in migration 0003: covering on PostgreSQL.
        constraints = [models.UniqueConstraint(fields=["customer", "word"],
                                               name="customerword_unique")]

    def __str__(self) -> str:
        return self.word


class ConsentPurpose(models.TextChoices):
    CONTRACT = "contract", _("Processing for the contract (data-processing basis)")
    MARKETING_EMAIL = "marketing_email", _("Marketing by e-mail")
    MARKETING_SMS = "marketing_sms", _("Marketing by SMS")
    MARKETING_PHONE = "marketing_phone", _("Marketing by phone")
    PROFILING = "profiling", _("Profiling and personalised offers")


#: Purposes a message on a channel needs (C14: read by campaigns and messaging).
CHANNEL_PURPOSE = {
    "email": ConsentPurpose.MARKETING_EMAIL,
    "sms": ConsentPurpose.MARKETING_SMS,
    "phone": ConsentPurpose.MARKETING_PHONE,
}


class ConsentSource(models.TextChoices):
    COUNTER = "counter", _("At the counter")
    PAPER = "paper", _("Paper form")
    PHONE = "phone", _("By phone (recorded)")
    WEB = "web", _("Web / portal")
    CONTRACT = "contract", _("In the contract")
    IMPORT = "import", _("Import")
    API = "api", _("API")


class ConsentText(models.Model):
    """The wording shown to the customer for a purpose; a new version for every change."""

    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"))
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)

    class Meta:
        verbose_name = _("consent wording")
        verbose_name_plural = _("consent wordings")
        ordering = ["purpose", "-version"]
        constraints = [models.UniqueConstraint(fields=["purpose", "version"],
                                               name="consent_text_version_once")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} v{self.version}"


class AppendOnly(BranchScopedQuerySet["ConsentEvent"]):
    """Consent history: rows are added, never changed or removed (a merge moves them)."""

    def update(self, **kwargs: Any) -> int:
        if set(kwargs) - {"customer", "customer_id"}:
            raise TypeError("Consent history is append-only.")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Consent history is append-only.")


class ConsentEvent(models.Model):
    """One given or withdrawn consent. Never changed: a withdrawal is a new row (C14).

    Only a merge moves rows to the surviving customer (``customer_id`` may change;
    PostgreSQL refuses any other UPDATE and every DELETE)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT,
                                 related_name="consent_events")
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    granted = models.BooleanField(_("given"))
    at = models.DateTimeField(_("time"), default=timezone.now)
    source = models.CharField(_("source"), max_length=10, choices=ConsentSource.choices)
    text = models.ForeignKey(ConsentText, verbose_name=_("wording"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    employee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                 null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    branch = models.ForeignKey("organization.Branch", verbose_name=_("branch"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")

    objects = AppendOnly.as_manager()

    class Meta:
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["customer", "purpose", "-at"],
                                name="consent_event_customer")]
        constraints = [models.CheckConstraint(condition=Q(purpose__in=ConsentPurpose.values),
                                              name="consent_event_purpose_valid")]

    def __str__(self) -> str:
        return f"{self.purpose} {'+' if self.granted else '-'} {self.at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("Consent history is append-only.")
        super().save(*args, **kwargs)


class Consent(models.Model):
    """The current state per customer and purpose, kept with the history in one
    transaction; what campaigns and messaging read (C14)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    granted = models.BooleanField(_("given"))
    changed_at = models.DateTimeField(_("changed"))
    last_event = models.ForeignKey(ConsentEvent, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "purpose"],
                                               name="consent_once_per_purpose")]
        indexes = [models.Index(fields=["purpose", "granted", "customer"],
                                name="consent_purpose_granted")]

    def __str__(self) -> str:
        return f"{self.purpose} {'+' if self.granted else '-'}"


class TimelineKind(models.TextChoices):
    NOTE = "note", pgettext_lazy("customer note", "Note")
    VISIT = "visit", _("Visit")
    CALL = "call", _("Phone call")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    SMS = "sms", _("SMS")
    CONSENT = "consent", _("Consent")
    SYSTEM = "system", _("Change")


#: Labels of timeline kinds; later areas add theirs with ``timeline.register_kind``.
KIND_LABELS: dict[str, Any] = dict(TimelineKind.choices)

#: Kinds staff log by hand.
CONTACT_KINDS = [TimelineKind.VISIT, TimelineKind.CALL, TimelineKind.EMAIL,
                 TimelineKind.LETTER, TimelineKind.SMS]

#: Kinds that are a contact with the customer (those logged by hand and those later areas
#: register with ``contact=True``), as opposed to system events: "my recent contacts".
CONTACT_KIND_SET: set[str] = {str(k) for k in CONTACT_KINDS}


class Direction(models.TextChoices):
    INBOUND = "in", _("from the customer")
    OUTBOUND = "out", _("to the customer")


class TimelineEntry(models.Model):
    """One contact or event on the customer's timeline.

    Later areas (contracts, payments, complaints) add their events through
    :func:`punkt.customers.timeline.timeline_add` with ``source`` = their object."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(_("type"), max_length=20)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices,
                                 blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("employee"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+",
                              db_index=False)  # timeline_actor_recent starts with it
    branch = models.ForeignKey("organization.Branch", verbose_name=_("branch"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="+")
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    #: ``branch`` is where the entry was made; a profile reads the entries by customer.
    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["customer", "-occurred_at", "-id"],
                                name="timeline_customer_recent"),
                   # "My recent customer contacts" on the dashboard.
                   models.Index(fields=["actor", "-occurred_at", "-id"],
                                name="timeline_actor_recent")]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_at:%Y-%m-%d}"

    def get_kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access (art. 15)")
    RECTIFICATION = "rectification", _("Rectification (art. 16)")
    ERASURE = "erasure", _("Erasure (art. 17)")
    RESTRICTION = "restriction", _("Restriction (art. 18)")
    PORTABILITY = "portability", _("Portability (art. 20)")
    OBJECTION = "objection", _("Objection (art. 21)")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    EXTENDED = "extended", _("Extended")
    DONE = "done", _("Completed")
    REFUSED = "refused", _("Refused")


class DataSubjectRequest(models.Model):
    """A GDPR request, due one month after receipt (art. 12(3)), extendable by two."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT,
                                 related_name="data_requests")
    kind = models.CharField(_("request"), max_length=15, choices=RequestKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices,
                              default=RequestStatus.OPEN)
    received_on = models.DateField(_("received"))
    due_on = models.DateField(_("due"))
    note = models.TextField(_("note"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = BranchScopedQuerySet.as_manager()
    #: A request belongs to the customer's home branch.
    branch_scope = "customer__branch"

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="dsr_open_due")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RequestKind.values),
                                   name="dsr_kind_valid"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("received_on")),
                                   name="dsr_due_after_received"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.customer}"

    def audit_repr(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in (RequestStatus.OPEN, RequestStatus.EXTENDED)


class MergeRecord(models.Model):
    """What a merge moved, so that it can be undone (``gdpr.customer_unmerge``)."""

    survivor = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    moved = models.JSONField(default=dict)
    filled = models.JSONField(default=dict)
    snapshot = models.JSONField(default=dict)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)

    objects = PunktQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"merge #{self.pk}"


class Recommendation(models.Model):
    """Who brought whom (R12.7): ``customer`` came recommended by ``recommender``. One per
    customer; seen where the recommended customer is (``branch_scope``)."""

    customer = models.OneToOneField(Customer, verbose_name=_("customer"),
                                    on_delete=models.CASCADE, related_name="recommendation")
    recommender = models.ForeignKey(Customer, verbose_name=_("recommended by"),
                                    on_delete=models.PROTECT, related_name="recommended")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    branch_scope = "customer__branch"
    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["recommender"], name="recommendation_recommender")]
        constraints = [models.CheckConstraint(condition=~Q(customer=models.F("recommender")),
                                              name="recommendation_not_self")]

    def __str__(self) -> str:
        return f"{self.recommender_id} → {self.customer_id}"


@tones(checked="", queued="", running="", done="", failed="")
class ImportStatus(models.TextChoices):
    """The labels of the customer import's states (the states and their table:
    ``core.imports``; never "rejected": the valid rows are imported)."""

    CHECKED = "checked", _("Checked (dry run)")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class CustomerImport(models.Model):
    """An uploaded CSV/XLSX file: first checked (dry run), then imported by a task."""

    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT,
                               related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    original_name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=100, unique=True)
    status = models.CharField(max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.CHECKED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    job = models.ForeignKey("core.JobProgress", null=True, blank=True,
                            on_delete=models.SET_NULL, related_name="+")

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name
