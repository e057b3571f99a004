"""The service desk's report (R9, issue 16 §8): tickets in and out per team, channel, type
or person; first-response and resolution times (median, p90) and how many met their SLA;
breaches; the backlog by age; the workload per person.

Times are calendar hours from opening (resolution without the time spent waiting on the
customer); whether a ticket met its SLA is read from its deadlines, which are counted in
the team's working hours. The rows of the period are read once (bounded by
``ROW_LIMIT``) and folded here, so SQLite and PostgreSQL give the same figures.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punkt.organization.actors import Actor
from punkt.servicedesk import permissions as perms
from punkt.servicedesk.models import OPEN_STATES, Channel, Ticket

BY = {"team": gettext_lazy("Team"), "channel": gettext_lazy("Channel"),
      "type": gettext_lazy("Type"), "assignee": gettext_lazy("Person")}
#: Rows of a period read at most; a longer period says so instead of running long.
ROW_LIMIT = 200_000
AGE_BUCKETS = (  # (label, from days, to days)
    (gettext_lazy("under a day"), 0, 1), (gettext_lazy("1–3 days"), 1, 3),
    (gettext_lazy("3–7 days"), 3, 7), (gettext_lazy("7–30 days"), 7, 30),
    (gettext_lazy("over 30 days"), 30, None))


@dataclass
class Row:
    key: Any
    label: str
    opened: int = 0
    resolved: int = 0
    first_hours: list[float] = field(default_factory=list, repr=False)
    resolve_hours: list[float] = field(default_factory=list, repr=False)
    first_met: int = 0
    first_due: int = 0  # tickets whose first-response clock has an outcome
    resolve_met: int = 0
    resolve_due: int = 0
    breached: int = 0  # tickets with either clock breached

    @staticmethod
    def _quantile(values: list[float], q: float) -> float | None:
        if not values:
            return None
        if len(values) == 1:
            return round(values[0], 1)
        return round(statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1],
                     1)

    @property
    def first_median(self) -> float | None:
        return self._quantile(self.first_hours, 0.5)

    @property
    def first_p90(self) -> float | None:
        return self._quantile(self.first_hours, 0.9)

    @property
    def resolve_median(self) -> float | None:
        return self._quantile(self.resolve_hours, 0.5)

    @property
    def resolve_p90(self) -> float | None:
        return self._quantile(self.resolve_hours, 0.9)

    @property
    def first_met_pct(self) -> int | None:
        return round(100 * self.first_met / self.first_due) if self.first_due else None

    @property
    def resolve_met_pct(self) -> int | None:
        return round(100 * self.resolve_met / self.resolve_due) if self.resolve_due else None


@dataclass
class Report:
    start: datetime.date
    end: datetime.date
    by: str
    rows: list[Row]
    total: Row
    backlog: list[tuple[str, int]]
    workload: list[tuple[str, int, int]]  # (person, open now, resolved in the period)
    unassigned: int
    truncated: bool

    @property
    def most_opened(self) -> int:
        return max((r.opened for r in self.rows), default=0)

    @property
    def most_backlog(self) -> int:
        return max((n for _label, n in self.backlog), default=0)


def _hours(delta: datetime.timedelta) -> float:
    return max(delta.total_seconds(), 0) / 3600


def _fold(row: Row, t: dict[str, Any], now: datetime.datetime) -> None:
    row.opened += 1
    first_at, first_due = t["first_responded_at"], t["first_response_due"]
    if first_at is not None:
        row.first_hours.append(_hours(first_at - t["created_at"]))
        row.first_due += 1
        row.first_met += first_at <= first_due
    elif first_due < now:
        row.first_due += 1  # no answer and past its deadline: missed
    resolved_at, resolve_due = t["resolved_at"], t["resolve_due"]
    # A clock standing still (waiting on the customer) is judged at the moment it stopped.
    judged_at = resolved_at or t["paused_since"] or now
    if resolved_at is not None:
        row.resolved += 1
        row.resolve_hours.append(_hours(resolved_at - t["created_at"] - t["paused_total"]))
        row.resolve_due += 1
        row.resolve_met += resolved_at <= resolve_due
    elif resolve_due < judged_at:
        row.resolve_due += 1
    late_first = (first_at or now) > first_due
    if late_first or resolve_due < judged_at:
        row.breached += 1


def _label(by: str, t: dict[str, Any]) -> tuple[Any, str]:
    if by == "channel":
        return t["channel"], str(Channel(t["channel"]).label)
    if by == "type":
        return t["type_id"], t["type__name"]
    if by == "assignee":
        if t["assignee_id"] is None:
            return None, _("nobody")
        return t["assignee_id"], f'{t["assignee__first_name"]} {t["assignee__last_name"]}'
    return t["team_id"], t["team__name"]


def _scope(user: Actor, branch_id: int | None, team_id: int | None) -> Any:
    qs = Ticket.objects.visible_to(user, perms.REPORT_VIEW)
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    if team_id:
        qs = qs.filter(team_id=team_id)
    return qs


FIELDS = ("team_id", "team__name", "channel", "type_id", "type__name", "assignee_id",
          "assignee__first_name", "assignee__last_name", "created_at", "first_responded_at",
          "first_response_due", "resolved_at", "resolve_due", "paused_since", "paused_total")


def desk_report(*, user: Actor, start: datetime.date, end: datetime.date, by: str = "team",
                branch_id: int | None = None, team_id: int | None = None,
                now: datetime.datetime | None = None) -> Report:
    """Tickets opened from ``start`` to ``end`` (local days, inclusive) that ``user`` may
    report on, grouped ``by`` team, channel, type or person; the backlog and workload are
    of the open tickets now."""
    now = now or timezone.now()
    by = by if by in BY else "team"
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min,
                                      tzinfo=tz)
    scope = _scope(user, branch_id, team_id)
    period = (scope.filter(created_at__gte=since, created_at__lt=until)
              .order_by().values(*FIELDS)[:ROW_LIMIT + 1])
    rows: dict[Any, Row] = {}
    total = Row(key=None, label=_("All"))
    resolved_by: dict[Any, int] = {}
    count = 0
    for t in period.iterator(chunk_size=5000):
        count += 1
        if count > ROW_LIMIT:
            break
        key, label = _label(by, t)
        _fold(rows.setdefault(key, Row(key=key, label=label)), t, now)
        _fold(total, t, now)
        if t["resolved_at"] is not None and t["assignee_id"] is not None:
            resolved_by[t["assignee_id"]] = resolved_by.get(t["assignee_id"], 0) + 1
    open_now = scope.filter(status__in=OPEN_STATES).order_by()
    buckets = open_now.aggregate(**{
        f"b{i}": Count("pk", filter=Q(created_at__lte=now - datetime.timedelta(days=lo))
                       & (Q(created_at__gt=now - datetime.timedelta(days=hi))
                          if hi is not None else Q()))
        for i, (_l, lo, hi) in enumerate(AGE_BUCKETS)})
    people = (open_now.filter(assignee__isnull=False)
              .values("assignee_id", "assignee__first_name", "assignee__last_name")
              .annotate(n=Count("pk")).order_by("-n", "assignee__last_name")[:100])
    workload = [(f'{p["assignee__first_name"]} {p["assignee__last_name"]}', p["n"],
                 resolved_by.get(p["assignee_id"], 0)) for p in people]
    return Report(
        start=start, end=end, by=by,
        rows=sorted(rows.values(), key=lambda r: (-r.opened, r.label)), total=total,
        backlog=[(str(label), buckets[f"b{i}"] or 0)
                 for i, (label, _lo, _hi) in enumerate(AGE_BUCKETS)],
        workload=workload,
        unassigned=open_now.filter(assignee__isnull=True).count(),
        truncated=count > ROW_LIMIT)


def csv_rows(report: Report) -> Iterable[list[Any]]:
    for r in [*report.rows, report.total]:
        yield [r.label, r.opened, r.resolved, r.first_median, r.first_p90, r.first_met_pct,
               r.resolve_median, r.resolve_p90, r.resolve_met_pct, r.breached]
