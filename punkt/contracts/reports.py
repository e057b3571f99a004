"""Contract reports (issue 4, item 7; issue 15): per branch and month, read only from the
figures kept with every change (:class:`MonthlyFigures`, :mod:`punkt.contracts.figures`)
— never from the contracts themselves, so HQ's report costs the same at 5 million
contracts as at fifty. Company totals first, then the branches 50 to a page. Also the HQ
materials' delivery against the one-hour goal."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q, Sum
from django.http import HttpRequest

from punkt.contracts import permissions as perms
from punkt.contracts.figures import SUMS
from punkt.contracts.models import ContractStatus, MonthlyFigures
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor

BRANCHES_PER_PAGE = 50
MAX_MONTHS = 36
#: Aggregates over the kept figures, named apart from the model's columns.
TOTALS: dict[str, Any] = {f"t_{c}": Sum(c) for c in SUMS} | {
    "t_activation_max_seconds": Max("activation_max_seconds")}
ACTIVE_CHANGE = F("started") - F("ended") - F("terminated")


def month_param(value: Any) -> datetime.date | None:
    """A month written ``YYYY-MM`` (a month input) or a date; None otherwise."""
    text = str(value or "").strip()
    try:
        return datetime.date.fromisoformat(text[:7] + "-01") if len(text) >= 7 else None
    except ValueError:
        return None


def query_without_page(request: HttpRequest) -> str:
    """The report's query string for its page links."""
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass
class BranchRow:
    """Figures of one branch (or the company: ``branch_id`` None) over the months."""

    branch_id: int | None
    name: str
    states: dict[str, int] = field(default_factory=dict)
    activated: int = 0
    activation_seconds: int = 0
    activation_max_seconds: int = 0
    within_3_days: int = 0
    signed: int = 0
    started: int = 0
    renewed: int = 0
    ended: int = 0
    terminated: int = 0
    left: int = 0
    #: Active contracts at the end of the last month.
    active_at_end: int = 0

    @classmethod
    def of(cls, branch_id: int | None, name: str, t: Any) -> BranchRow:
        def v(column: str) -> int:
            return int(t.get(f"t_{column}") or 0)

        return cls(branch_id, name,
                   states={s: v(f"state_{s}") for s in ContractStatus.values
                           if v(f"state_{s}")},
                   activated=v("activated"), activation_seconds=v("activation_seconds"),
                   activation_max_seconds=v("activation_max_seconds"),
                   within_3_days=v("activated_within_3_days"), signed=v("signed"),
                   started=v("started"), renewed=v("renewed"), ended=v("ended"),
                   terminated=v("terminated"), left=v("left"))

    @property
    def total(self) -> int:
        return sum(self.states.values())

    @property
    def cells(self) -> list[int]:
        """Counts in the order of :class:`ContractStatus`."""
        return [self.states.get(s, 0) for s in ContractStatus.values]

    @property
    def avg_hours(self) -> float | None:
        return round(self.activation_seconds / self.activated / 3600, 1) \
            if self.activated else None

    @property
    def max_hours(self) -> float | None:
        return round(self.activation_max_seconds / 3600, 1) if self.activated else None


@dataclass
class ContractReport:
    since: datetime.date
    until: datetime.date
    company: BranchRow
    page: Page[Any]
    rows: list[BranchRow]


def contract_report(*, user: Actor, since: datetime.date, until: datetime.date,
                    branch_id: int | None = None, page: Any = 1) -> ContractReport:
    """From month ``since`` to month ``until``: the contracts prepared in those months
    by their state now and their time from signature to activation; what happened in
    them (signed, started, renewed, ended, terminated, customers who left); the active
    contracts at the end. Company totals, and the branches 50 to a page."""
    org_perms.ensure(user, perms.CONTRACT_REPORT.code)
    until = month_start(until)
    since = max(month_start(min(since, until)), add_months(until, -(MAX_MONTHS - 1)))
    kept = MonthlyFigures.objects.visible_to(user, perms.CONTRACT_REPORT, branch_id=branch_id)
    # Two small reads (a few rows per branch and month): the months' sums per branch,
    # and the active contracts at the end per branch; the company row adds them up.
    per_branch: list[Any] = list(kept.filter(month__gte=since, month__lte=until)
                      .values("branch_id", "branch__name").annotate(**TOTALS)
                      .order_by("branch__name", "branch_id"))
    active = dict(kept.filter(month__lte=until).values("branch_id")
                  .annotate(n=Sum(ACTIVE_CHANGE)).order_by().values_list("branch_id", "n"))
    company_totals: dict[str, int] = {}
    for r in per_branch:
        for key in TOTALS:
            value = int(r[key] or 0)
            company_totals[key] = max(company_totals.get(key, 0), value) \
                if key == "t_activation_max_seconds" else company_totals.get(key, 0) + value
    company = BranchRow.of(None, "", company_totals)
    company.active_at_end = sum(int(n or 0) for n in active.values())
    paged = Paginator(per_branch, BRANCHES_PER_PAGE).get_page(page)
    rows = [BranchRow.of(r["branch_id"], r["branch__name"], r) for r in paged.object_list]
    for row in rows:
        row.active_at_end = int(active.get(row.branch_id or 0) or 0)
    return ContractReport(since, until, company, paged, rows)


def material_delivery(*, limit: int = 10) -> list[dict[str, Any]]:
    """The last published HQ materials: branches reached, opened, and how many within the
    one-hour goal (HQ experts open the per-branch report from here)."""
    from punkt.materials.models import Delivery, MaterialVersion, VersionStatus
    from punkt.materials.selectors import GOAL

    versions = list(MaterialVersion.objects.filter(status=VersionStatus.PUBLISHED)
                    .select_related("material").order_by("-published_at")[:limit])
    late = ExpressionWrapper(F("opened_at") - F("delivered_at"), output_field=DurationField())
    counts = {r["version_id"]: r for r in Delivery.objects.filter(
        version__in=versions).annotate(late=late).values("version_id").annotate(
        branches=Count("pk"), opened=Count("opened_at"),
        within=Count("pk", filter=Q(late__lte=GOAL))).order_by()}
    return [{"version": v, **counts.get(v.pk, {"branches": 0, "opened": 0, "within": 0})}
            for v in versions]
