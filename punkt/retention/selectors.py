"""The retention worklist and the churn report, branch scoping first."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.contracts.models import Contract, ContractStatus
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


@dataclass
class ChurnRow:
    branch_id: int
    branch_name: str
    month: datetime.date
    ended: int
    churned: int
    previous: int | None

    @property
    def rate(self) -> Decimal | None:
        return (Decimal(self.churned * 100) / self.ended).quantize(Decimal("0.1")) \
            if self.ended else None

    @property
    def target(self) -> int | None:
        """The seed's goal: 15% fewer customers leaving than the month before."""
        return None if self.previous is None else int(self.previous * 85 // 100)

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.churned <= self.target


def churn(*, user: Actor, months: int = 6, branch_id: int | None = None,
          today: datetime.date | None = None) -> list[ChurnRow]:
    """Per branch and month: contracts that reached their end, and of those the ones
    not continued (no renewal contract that is not cancelled or rejected)."""
    org_perms.ensure(user, perms.RETENTION_REPORT.code)
    today = today or timezone.localdate()
    first = (today.replace(day=1) - datetime.timedelta(days=31 * months)).replace(day=1)
    qs = Contract.objects.visible_to(user, perms.RETENTION_REPORT, branch_id=branch_id).filter(
        status=ContractStatus.ACTIVE, ends_on__gte=first, ends_on__lt=today)
    renewed = Exists(Contract.objects.filter(renews=OuterRef("pk")).exclude(
        status__in=[ContractStatus.CANCELLED, ContractStatus.REJECTED]))
    rows = (qs.annotate(is_renewed=renewed, month=TruncMonth("ends_on"))
            .values("branch_id", "branch__name", "month")
            .annotate(ended=Count("pk"), churned=Count("pk", filter=Q(is_renewed=False)))
            .order_by("branch__name", "month"))
    out: list[ChurnRow] = []
    last: dict[int, tuple[datetime.date, int]] = {}
    for r in rows:
        month = r["month"].date() if isinstance(r["month"], datetime.datetime) else r["month"]
        before = last.get(r["branch_id"])
        expected = (month - datetime.timedelta(days=1)).replace(day=1)
        previous = before[1] if before and before[0] == expected else None
        out.append(ChurnRow(r["branch_id"], r["branch__name"], month, r["ended"],
                            r["churned"], previous))
        last[r["branch_id"]] = (month, r["churned"])
    return out
