"""Customer analytics (R2.5, R12.3, R12.4): each refresh computes every customer's
category and ABC/XYZ class into a new :class:`Snapshot` and switches to it only when it is
complete, so readers always see the figures of one finished refresh (``docs/analytics.md``).

* :class:`Snapshot` — one refresh: its as-of date, its rules (window, period, thresholds),
  its state. The current figures are those of the newest finished snapshot; the last
  finished snapshot of each earlier month is kept as that month's history.
* :class:`Standing` — one row per customer per snapshot (so one per customer per month
  once older runs of a month are swept): category, ABC and XYZ class, turnover over the
  period, the previous month's classes (a change is flagged by comparing them).
* :class:`Monthly` — working rows of a refresh: one customer's settlements in one month.
  Deleted once the snapshot is switched.
* :class:`Cell` — the counts and turnover per branch × category × ABC × XYZ of a snapshot:
  the 9-cell table reads a few dozen rows instead of a million.
* :class:`ClassDrop` — an A customer dropping to C, once per customer and month: the task
  given to the customer's owner (C9).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from punkt.core.badges import tones
from punkt.core.scoping import BranchScopedQuerySet, PunktQuerySet

if TYPE_CHECKING:  # pragma: no cover
    from punkt.core.permissions import Action


@tones(potential="", new="info", regular="ok", lost="err", restored="warn")
class Category(models.TextChoices):
    POTENTIAL = "potential", pgettext_lazy("customer category", "potential")
    NEW = "new", pgettext_lazy("customer category", "new")
    REGULAR = "regular", pgettext_lazy("customer category", "regular")
    LOST = "lost", pgettext_lazy("customer category", "lost")
    RESTORED = "restored", pgettext_lazy("customer category", "restored")


ABC = ("A", "B", "C")
XYZ = ("X", "Y", "Z")


@tones(running="info", done="ok", failed="err")
class SnapshotStatus(models.TextChoices):
    RUNNING = "running", pgettext_lazy("refresh", "running")
    DONE = "done", pgettext_lazy("refresh", "finished")
    FAILED = "failed", pgettext_lazy("refresh", "failed")


class SnapshotQuerySet(PunktQuerySet["Snapshot"]):
    def done(self) -> SnapshotQuerySet:
        return self.filter(status=SnapshotStatus.DONE)

    def current(self) -> Snapshot | None:
        """The figures shown now: the newest finished refresh (by its as-of date)."""
        return self.done().order_by("-as_of", "-id").first()


class Snapshot(models.Model):
    """One refresh of the analytics (HQ-wide: it covers every branch)."""

    #: the scheduler's slot (``analytics.refresh`` once per slot, C9); blank when run by hand
    slot = models.CharField(max_length=40, blank=True, default="")
    as_of = models.DateField(_("as of"))
    #: ``as_of``'s month as ``year * 12 + month - 1``
    month = models.IntegerField()
    window_months = models.PositiveSmallIntegerField(_("window (months)"))
    period_months = models.PositiveSmallIntegerField(_("ABC/XYZ period (months)"))
    abc_a = models.PositiveSmallIntegerField(default=50)
    abc_b = models.PositiveSmallIntegerField(default=80)
    xyz_x = models.PositiveSmallIntegerField(default=10)
    xyz_y = models.PositiveSmallIntegerField(default=25)
    status = models.CharField(_("status"), max_length=8, choices=SnapshotStatus.choices,
                              default=SnapshotStatus.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    customers = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    error = models.CharField(max_length=500, blank=True)
    #: the segments and ideal sets the kept segment rows were built for (blank: none
    #: built): the pages read them only while the segments are still the same
    #: (``punkt/analytics/segment_state.py``)
    segments_key = models.CharField(max_length=64, blank=True, default="")
    #: when the kept segment rows read the opportunities, offers, contracts and sales
    segments_at = models.DateTimeField(null=True, blank=True)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-as_of", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["slot"], condition=~Q(slot=""),
                                    name="analytics_snapshot_slot_once"),
            models.UniqueConstraint(fields=["status"], condition=Q(status="running"),
                                    name="analytics_one_refresh_at_a_time"),
            models.CheckConstraint(condition=Q(status__in=SnapshotStatus.values),
                                   name="analytics_snapshot_status_valid"),
            models.CheckConstraint(condition=Q(abc_a__gt=0) & Q(abc_a__lt=models.F("abc_b"))
                                   & Q(abc_b__lt=100), name="analytics_abc_thresholds"),
            models.CheckConstraint(condition=Q(xyz_x__lt=models.F("xyz_y")),
                                   name="analytics_xyz_thresholds"),
        ]

    def __str__(self) -> str:
        return f"{self.as_of} #{self.pk}"

    @property
    def month_label(self) -> str:
        return month_label(self.month)


def zl(grosze: int | None) -> Decimal:
    """An amount in grosze as złoty, to the grosz (``60000`` → ``600.00``)."""
    return Decimal(int(grosze or 0)).scaleb(-2)


def month_index(day: object) -> int:
    return day.year * 12 + day.month - 1  # type: ignore[attr-defined]


def month_label(index: int) -> str:
    return f"{index % 12 + 1:02d}.{index // 12}"


class StandingQuerySet(BranchScopedQuerySet["Standing"]):
    def visible_to(self, user: Any, permission: str | Action, *,
                   branch_id: int | None = None) -> Self:
        """The rows of the branches where ``user`` holds ``permission`` — and only of
        customers still in the branch they were in at the refresh: one who moved since is
        shown to neither branch until the next refresh (C1)."""
        return super().visible_to(user, permission, branch_id=branch_id).filter(
            customer__branch_id=models.F("branch_id"))


class Standing(models.Model):
    """A customer's category and classes in one snapshot. ``turnover`` is in grosze (the
    sums and shares are exact integers on both databases); ``cv`` the coefficient of
    variation in percent (shown, the class itself is decided exactly in SQL)."""

    # A million rows written by one statement per refresh: no foreign-key constraints
    # (their checks at commit cost more than the statement; the rows are derived and
    # Django still cascades) and no single-column indexes (the composite ones lead with
    # these columns) — bench/README.md, thirteenth session.
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+",
                                 db_constraint=False, db_index=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE,
                                 related_name="+", db_constraint=False, db_index=False)
    branch = models.ForeignKey("organization.Branch", on_delete=models.CASCADE,
                               related_name="+", db_constraint=False, db_index=False)
    category = models.CharField(_("category"), max_length=9, choices=Category.choices)
    abc = models.CharField("ABC", max_length=1, blank=True)
    xyz = models.CharField("XYZ", max_length=1, blank=True)
    turnover = models.BigIntegerField(default=0)
    cv = models.FloatField(null=True, blank=True)
    first_month = models.IntegerField(null=True, blank=True)
    last_month = models.IntegerField(null=True, blank=True)
    prev_category = models.CharField(max_length=9, blank=True)
    prev_abc = models.CharField(max_length=1, blank=True)
    prev_xyz = models.CharField(max_length=1, blank=True)

    objects = StandingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "customer"],
                                    name="analytics_standing_once"),
        ]
        indexes = [
            # with the id, as the drill-down sorts: without it a manager's cell was read
            # along the company-wide class index, filtered by branch (140 ms at 1M)
            models.Index(fields=["snapshot", "branch", "abc", "xyz", "-turnover", "-id"],
                         name="analytics_standing_cell"),
            models.Index(fields=["snapshot", "-turnover", "-id"], name="analytics_standing_top"),
            models.Index(fields=["snapshot", "abc", "xyz", "-turnover", "-id"],
                         name="analytics_standing_class"),
            models.Index(fields=["customer", "snapshot"], name="analytics_standing_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}@{self.snapshot_id}: {self.category} {self.abc}{self.xyz}"

    @property
    def turnover_zl(self) -> Decimal:
        return zl(self.turnover)

    @property
    def changed(self) -> bool:
        return bool(self.prev_category) and (self.prev_abc != self.abc
                                             or self.prev_xyz != self.xyz)

    @property
    def cell(self) -> str:
        return f"{self.abc}{self.xyz}"


class MonthRow(models.Model):
    """One customer's settlements in one month: ``amount`` in grosze, ``docs`` the positive
    documents (a month with only a return is no activity)."""

    customer_id = models.BigIntegerField()
    month = models.IntegerField()
    amount = models.BigIntegerField()
    docs = models.IntegerField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.customer_id} {self.month}: {self.amount}"


class Monthly(MonthRow):
    """Working rows of a refresh as of a day the kept month table has passed. Written
    once and read whole by the next statement, then emptied: no key, no index, and on
    PostgreSQL an UNLOGGED table (migration 0002) — each of those cost more than the
    query itself (``bench/README.md``)."""

    snapshot_id = models.BigIntegerField()


class Activity(MonthRow):
    """The kept month table (reversed documents subtracted), for every settlement created
    before the mark's ``covered_until``. Kept between refreshes and moved forward by each
    one from the settlements created since (``punkt/analytics/kept.py``), so a refresh
    never re-reads years of payments."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer_id", "month"],
                                               name="analytics_activity_key")]


class ActivityRecent(MonthRow):
    """What the last move added from settlements younger than the settling margin: taken
    out again and re-read by the next move, so a payment committed late is not missed."""


class ActivityDirty(models.Model):
    """A customer whose kept months are recounted from his settlements at the next move
    (merged, unmerged, anonymised: his settlements changed hands)."""

    customer_id = models.BigIntegerField(primary_key=True)

    def __str__(self) -> str:
        return str(self.customer_id)


class ActivityMark(models.Model):
    """How far the kept month table goes (one row): every settlement created before
    ``settled_until`` is in it for good, those up to ``covered_until`` through the recent
    rows."""

    settled_until = models.DateTimeField()
    covered_until = models.DateTimeField()
    built_at = models.DateTimeField(default=timezone.now)
    moved_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.settled_until} / {self.covered_until}"


class Cell(models.Model):
    """How many customers of a branch are in one category × ABC × XYZ, and their turnover
    (grosze), in one snapshot."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+")
    branch = models.ForeignKey("organization.Branch", on_delete=models.CASCADE,
                               related_name="+")
    category = models.CharField(max_length=9)
    abc = models.CharField(max_length=1, blank=True)
    xyz = models.CharField(max_length=1, blank=True)
    customers = models.IntegerField()
    turnover = models.BigIntegerField()

    objects = BranchScopedQuerySet["Cell"].as_manager()

    class Meta:
        indexes = [models.Index(fields=["snapshot", "branch"], name="analytics_cell_branch")]

    def __str__(self) -> str:
        return f"{self.snapshot_id}/{self.branch_id} {self.category} {self.abc}{self.xyz}"


class ClassDrop(models.Model):
    """An A customer found in class C: the owner's task, given once per customer and
    month however often the refresh runs (C9)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE,
                                 related_name="+")
    branch = models.ForeignKey("organization.Branch", on_delete=models.CASCADE,
                               related_name="+")
    month = models.IntegerField()
    task = models.ForeignKey("work.Task", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = BranchScopedQuerySet["ClassDrop"].as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "month"],
                                               name="analytics_class_drop_once")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.month}"


class Segment(models.Model):
    """A group of customers defined by HQ by their segmentation fields (R12.1), with the
    products every customer of the group should ideally have (R12.2). ``rules`` maps a
    field of :data:`punkt.analytics.segments.FIELDS` to the values it may take (any of
    them); fields not named are not looked at. Segments are an ordered list: a customer
    matching several belongs to the first (``position``, then id)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    position = models.PositiveIntegerField(pgettext_lazy("segment", "order"), default=0)
    rules = models.JSONField(pgettext_lazy("segment", "rules"), default=dict)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = PunktQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class SegmentProduct(models.Model):
    """One product of a segment's ideal set, in the segment's order; ``value`` is what HQ
    expects selling it to a customer of the segment to bring (zł), the cross-sell list's
    weight."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="targets")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("product"))
    position = models.PositiveIntegerField(default=0)
    value = models.DecimalField(_("expected value (zł)"), max_digits=12, decimal_places=2,
                                default=Decimal(0))

    objects = PunktQuerySet.as_manager()

    class Meta:
        ordering = ["segment", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["segment", "product"],
                                    name="analytics_segment_product_once"),
            models.CheckConstraint(condition=Q(value__gte=0),
                                   name="analytics_segment_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.segment_id}: {self.product_id}"


class ProductState(models.Model):
    """Kept by the refresh: one segmented customer's state of one target product as the
    refresh found it (``punkt/analytics/segment_state.py``) — the cross-sell list is ranked
    from these rows by index; the cells a page shows are read live. ``score`` is the
    cross-sell value in grosze (the product's expected value × the customer's ABC weight);
    ``day`` the newest date of the winning state (a refusal's date decides when it may be
    offered again). Segment and product are plain ids: the rows are used only while the
    snapshot's ``segments_key`` matches the segments. No database foreign keys on these
    derived rows (checking them cost more than writing them); Django still deletes them
    with their customer or snapshot."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+",
                                 db_index=False, db_constraint=False)
    #: no index of its own: only an erasure looks rows up by customer
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE,
                                 related_name="+", db_constraint=False, db_index=False)
    segment_id = models.BigIntegerField()
    #: the customer's branch at the refresh (the rows are also limited to the customers
    #: the reader sees now: one who moved since is in neither branch's list until the
    #: next refresh, as the classes are)
    branch_id = models.BigIntegerField()
    product_id = models.BigIntegerField()
    position = models.IntegerField()
    state = models.CharField(max_length=8)
    day = models.DateField(null=True, blank=True)
    abc = models.CharField("ABC", max_length=1, blank=True)
    score = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["snapshot", "-score", "customer", "position"],
                         condition=Q(state__in=["none", "refused"]),
                         name="analytics_pstate_to_sell"),
            models.Index(fields=["snapshot", "branch_id", "-score", "customer", "position"],
                         condition=Q(state__in=["none", "refused"]),
                         name="analytics_pstate_branch_sell"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}/{self.product_id}@{self.snapshot_id}: {self.state}"


class SegmentMember(models.Model):
    """Kept by the refresh: a customer's segment (the first matching), how many of its
    target products the customer used (signed) and how many were in each other state —
    the matrix's order and its state filter read these rows by index."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+",
                                 db_index=False, db_constraint=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE,
                                 related_name="analytics_segment_members",
                                 db_constraint=False)
    segment_id = models.BigIntegerField()
    branch_id = models.BigIntegerField()
    used = models.IntegerField()
    n_none = models.IntegerField()
    n_offered = models.IntegerField()
    n_refused = models.IntegerField()
    n_applied = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["snapshot", "segment_id", "-used", "customer"],
                         name="analytics_segmember_order"),
            models.Index(fields=["snapshot", "segment_id", "branch_id", "-used", "customer"],
                         name="analytics_segmember_branch"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}@{self.snapshot_id}: {self.segment_id} {self.used}"


class SegmentAverage(models.Model):
    """Kept by the refresh: per branch and segment, the customers and the target products
    they use (the average maturity = used / (customers × products in the set))."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+",
                                 db_index=False, db_constraint=False)
    branch = models.ForeignKey("organization.Branch", on_delete=models.CASCADE,
                               related_name="+")
    segment_id = models.BigIntegerField()
    customers = models.IntegerField()
    used = models.IntegerField()

    objects = BranchScopedQuerySet["SegmentAverage"].as_manager()

    class Meta:
        indexes = [models.Index(fields=["snapshot", "branch"],
                                name="analytics_segavg_branch")]

    def __str__(self) -> str:
        return f"{self.snapshot_id}/{self.branch_id} {self.segment_id}: {self.used}"
