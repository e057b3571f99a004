"""Contract reports (issue 4, item 7): contracts by state and branch, and the time from
signature to activation, for contracts prepared in a period; the HQ materials' delivery
against the one-hour goal."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max, Q
from django.utils import timezone

from punkt.contracts import permissions as perms
from punkt.contracts.models import Contract, ContractStatus
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor

FAST = datetime.timedelta(days=3)
MAX_RANGE = datetime.timedelta(days=366)


@dataclass
class BranchRow:
    branch_id: int
    name: str
    states: dict[str, int] = field(default_factory=dict)
    activated: int = 0
    avg_hours: float | None = None
    max_hours: float | None = None
    within_3_days: int = 0

    @property
    def total(self) -> int:
        return sum(self.states.values())

    @property
    def cells(self) -> list[int]:
        """Counts in the order of :class:`ContractStatus`."""
        return [self.states.get(s, 0) for s in ContractStatus.values]


def _hours(value: datetime.timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 1)


def contract_report(*, user: Actor, since: datetime.date, until: datetime.date | None = None,
                    branch_id: int | None = None) -> list[BranchRow]:
    """Per branch, contracts prepared between ``since`` and ``until``: how many are in
    each state; of those activated, the hours from signature to activation."""
    org_perms.ensure(user, perms.CONTRACT_REPORT.code)
    until = until or timezone.localdate()
    since = max(since, until - MAX_RANGE)  # a report reads at most a year of contracts
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(until, datetime.time.max))
    qs = Contract.objects.visible_to(user, perms.CONTRACT_REPORT, branch_id=branch_id).filter(
        created_at__range=(start, end))
    rows: dict[int, BranchRow] = {}
    for r in (qs.values("branch_id", "branch__name", "status").annotate(n=Count("pk"))
              .order_by()):
        row = rows.setdefault(r["branch_id"], BranchRow(r["branch_id"], r["branch__name"]))
        row.states[r["status"]] = r["n"]
    took = ExpressionWrapper(F("finalised_at") - F("signed_at"), output_field=DurationField())
    for a in (qs.filter(status=ContractStatus.ACTIVE, signed_at__isnull=False,
                        finalised_at__isnull=False)
              .annotate(took=took).values("branch_id")
              .annotate(n=Count("pk"), avg=Avg("took"), longest=Max("took"),
                        fast=Count("pk", filter=Q(took__lte=FAST))).order_by()):
        row = rows[a["branch_id"]]
        row.activated, row.within_3_days = a["n"], a["fast"]
        row.avg_hours, row.max_hours = _hours(a["avg"]), _hours(a["longest"])
    return sorted(rows.values(), key=lambda row: row.name)


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
