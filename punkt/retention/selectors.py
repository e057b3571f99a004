"""The retention worklist and the churn report, branch scoping first."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.contracts.models import Contract, ContractStatus, MonthlyFigures
from punkt.contracts.reports import BRANCHES_PER_PAGE, add_months
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor
from punkt.retention import permissions as perms
from punkt.retention.models import CLOSED, CaseStatus, ContactAttempt, RetentionCase
from punkt.retention.services import CONFIRMATION_DAYS

HORIZONS = (30, 60, 90, 120)
WORKLIST_COLUMNS = (
    "status", "ends_on", "total_gross", "branch_id", "customer_id", "customer__display_name",
    "customer__phone",
    "customer__branch_id", "branch__name", "branch__code", "retention_case__status",
    "retention_case__last_outcome", "retention_case__callback_on",
    "retention_case__contract_id", "retention_case__renewal_offer_id")
SORTS = {"date": ("ends_on", "-total_gross", "pk"), "value": ("-total_gross", "ends_on", "pk")}


def default_horizon() -> int:
    return int(getattr(settings, "PUNKT_RETENTION_HORIZON_DAYS", 60))


def worklist(*, user: Actor, horizon_days: int | None = None, sort: str = "date",
             branch_id: int | None = None, due_only: bool = False,
             today: datetime.date | None = None) -> QuerySet[Contract]:
    """Active contracts of the user's branches ending within the horizon whose retention
    is not closed, soonest (or most valuable) first; callbacks due today on request."""
    org_perms.ensure(user, perms.RETENTION_WORK.code)
    today = today or timezone.localdate()
    horizon = horizon_days if horizon_days in HORIZONS else default_horizon()
    qs = Contract.objects.visible_to(user, perms.RETENTION_WORK, branch_id=branch_id).filter(
        status=ContractStatus.ACTIVE, ends_on__gte=today,
        ends_on__lte=today + datetime.timedelta(days=horizon))
    # The branch narrows the closed cases to this branch's (its index), not the company's.
    qs = qs.exclude(Exists(RetentionCase.objects.filter(
        branch_id=OuterRef("branch_id"), contract=OuterRef("pk"), status__in=CLOSED)))
    if due_only:  # the branch's cases with a past call-back date (their index), as above
        qs = qs.filter(Exists(RetentionCase.objects.filter(
            branch_id=OuterRef("branch_id"), contract=OuterRef("pk"),
            callback_on__lte=today)))
    # Only the columns the list shows: 25 rows of four models cost more to build than to
    # read when every column comes along.
    return (qs.select_related("customer", "branch", "retention_case")
            .only(*WORKLIST_COLUMNS).order_by(*SORTS.get(sort, SORTS["date"])))


def case_contract(*, user: Actor, contract_id: int) -> Contract:
    """The contract as the retention page shows it (404 outside the user's branches)."""
    org_perms.ensure(user, perms.RETENTION_WORK.code)
    return (Contract.objects.visible_to(user, perms.RETENTION_WORK)
            .select_related("customer", "branch", "retention_case")
            .get_or_not_found(contract_id, missing=_("Contract not found.")))


def attempts_of(contract: Contract) -> list[ContactAttempt]:
    return list(ContactAttempt.objects.filter(case__contract=contract)
                .select_related("actor", "message"))


def renewals_to_prepare(*, user: Actor) -> list[RetentionCase]:
    """Accepted renewals whose new contract has not been prepared yet."""
    recent = timezone.now() - datetime.timedelta(days=CONFIRMATION_DAYS + 90)
    qs = RetentionCase.objects.visible_to(user, perms.RETENTION_WORK).filter(
        status=CaseStatus.RENEWED, updated_at__gte=recent, renewal_offer__isnull=False)
    cases = list(qs.select_related("customer", "contract").only(
        "pk", "branch_id", "status", "contract_id", "renewal_offer_id",
        "customer__display_name", "contract__ends_on").order_by("-updated_at")[:100])
    prepared = set(Contract.objects.filter(
        offer_id__in=[c.renewal_offer_id for c in cases]).values_list("offer_id", flat=True))
    waiting = [c for c in cases if c.renewal_offer_id not in prepared]
    return sorted(waiting, key=lambda c: c.contract.ends_on)[:50]


def goal_met(left: int, previous: int | None) -> bool | None:
    """Seed 000's goal: 15 % fewer customers not continuing each month than the month
    before — met when 100 × left(M) ≤ 85 × left(M−1); unknown without the month before."""
    if previous is None:
        return None
    return 100 * left <= 85 * previous


@dataclass
class ChurnRow:
    """Customers who left in one month (R5.3), of one branch or (``branch_id`` None) of
    every branch the user sees, against the month before."""

    branch_id: int | None
    branch_name: str
    month: datetime.date
    ended: int
    terminated: int
    renewed: int
    left: int
    previous: int | None

    @property
    def stopped(self) -> int:
        """Contracts that stopped in the month: term over or terminated early."""
        return self.ended + self.terminated

    @property
    def rate(self) -> Decimal | None:
        return (Decimal(self.left * 100) / self.stopped).quantize(Decimal("0.1")) \
            if self.stopped else None

    @property
    def target(self) -> int | None:
        """The most customers who may leave for the goal: 85 % of the month before."""
        return None if self.previous is None else self.previous * 85 // 100

    @property
    def met(self) -> bool | None:
        return goal_met(self.left, self.previous)


@dataclass
class ChurnReport:
    #: Every branch the user sees together, one row per month, oldest first.
    company: list[ChurnRow]
    month: datetime.date
    #: The branches in ``month``, 50 to a page.
    page: Page[Any]
    rows: list[ChurnRow]


def _churn_row(branch_id: int | None, name: str, month: datetime.date, t: Any,
               previous: int | None) -> ChurnRow:
    return ChurnRow(branch_id, name, month, int(t.get("t_ended") or 0),
                    int(t.get("t_terminated") or 0), int(t.get("t_renewed") or 0),
                    int(t.get("t_left") or 0), previous)


def churn(*, user: Actor, months: int = 6, branch_id: int | None = None,
          month: datetime.date | None = None, page: Any = 1,
          today: datetime.date | None = None) -> ChurnReport:
    """Customers who left — their contract ended or was terminated with no other active
    contract and no renewal — per branch and month against the −15 % goal; read only
    from the kept monthly figures (:class:`MonthlyFigures`). ``month`` (default: the last
    full month) picks the month whose branches are listed."""
    org_perms.ensure(user, perms.RETENTION_REPORT.code)
    this_month = (today or timezone.localdate()).replace(day=1)
    month = min((month or add_months(this_month, -1)).replace(day=1), this_month)
    last = max(this_month, month)
    first = add_months(last, -months)  # one more: the first month's previous
    kept = MonthlyFigures.objects.visible_to(user, perms.RETENTION_REPORT,
                                             branch_id=branch_id)
    sums = {"t_ended": Sum("ended"), "t_terminated": Sum("terminated"),
            "t_renewed": Sum("renewed"), "t_left": Sum("left")}
    by_month: dict[datetime.date, Any] = {
        r["month"]: r for r in kept.filter(month__gte=first, month__lte=last)
        .values("month").annotate(**sums).order_by()}
    company = []
    for i in range(1, months + 1):
        m = add_months(first, i)
        before = by_month.get(add_months(m, -1))
        company.append(_churn_row(None, "", m, by_month.get(m, {}),
                                  int(before["t_left"] or 0) if before else None))
    per_branch = list(kept.filter(month=month).values("branch_id", "branch__name")
                      .annotate(**sums).order_by("branch__name", "branch_id"))
    paged = Paginator(per_branch, BRANCHES_PER_PAGE).get_page(page)
    # The month before, for every visible branch (one row each): no second scope by hand.
    previous = dict(kept.filter(month=add_months(month, -1))
                    .values_list("branch_id", "left"))
    rows = [_churn_row(r["branch_id"], r["branch__name"], month, r,
                       previous.get(r["branch_id"])) for r in paged.object_list]
    return ChurnReport(company, month, paged, rows)
