"""The funnel and refusals report (R12.6): for a period (Warsaw days), a branch and an
employee —

* **conversion by stage** — of the opportunities opened in the period, how many reached
  each stage (the furthest stage an opportunity was ever at, by its history and its
  stage now: a sale moved past a stage, or opened later by the manager, passed it), as a
  percent of the first stage and of the stage before; and how many of them were won;
* **refusals** (the customer said no for now, the sale stays open) counted by the stage
  they were recorded at and their reason, recorded in the period;
* **losses** by the stage the sale stopped at and its reason, closed in the period;
* **time in stage** — every stay at a stage that ended in the period (moved on, won or
  lost), from the opportunity's history (``OpportunityEvent``: opened, moved, reopened put
  it in a stage; the next move, win or loss takes it out): average and median days;
* **win rate** per employee (the owner) and per branch of the sales closed in the period:
  won / (won + lost).

Read set-based: a fixed number of grouped queries (ten) whatever the number of
branches, employees and opportunities; the stays are read once (at most ``ROW_LIMIT``)
and folded here, as the service desk's report does, so SQLite and PostgreSQL agree.

Who sees what: HQ every branch (a branch chosen narrows it), the manager his branches
(``pipeline.funnel.view``); a seller only his own opportunities (``pipeline.funnel.own``:
the employee filter is fixed to him).
"""

from __future__ import annotations

import datetime
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Window
from django.db.models.functions import Coalesce, Greatest, Lead
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from punkt.core.errors import ValidationFailed
from punkt.core.permissions import Action
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Branch, Employee
from punkt.pipeline import permissions as perms
from punkt.pipeline.models import (
    LossReason,
    Opportunity,
    OpportunityEvent,
    OpportunityStatus,
    Stage,
)

WARSAW = ZoneInfo("Europe/Warsaw")
#: the longest period asked for
MAX_DAYS = 731
#: stays read at most; a longer period says so
ROW_LIMIT = 200_000
#: the history steps that put an opportunity in a stage or take it out
STAGE_STEPS = ("open", "move", "reopen", "won", "lost")
ENTERS = ("open", "move", "reopen")
DAY = Decimal(86400)
MONTH_TEXT = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    first: datetime.date
    last: datetime.date

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """Midnight in Warsaw of the first day and of the day after the last."""
        start = datetime.datetime.combine(self.first, datetime.time.min, tzinfo=WARSAW)
        end = datetime.datetime.combine(self.last + datetime.timedelta(days=1),
                                        datetime.time.min, tzinfo=WARSAW)
        return start, end

    def query(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


def _day(value: Any, field: str, *, end: bool) -> datetime.date:
    """``YYYY-MM-DD``, or ``YYYY-MM`` (its first day; ``end``: its last day)."""
    text = str(value).strip()
    match = MONTH_TEXT.match(text)
    try:
        if match:
            first = datetime.date(int(match[1]), int(match[2]), 1)
            if not end:
                return first
            following = (first + datetime.timedelta(days=32)).replace(day=1)
            return following - datetime.timedelta(days=1)
        day = datetime.date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not 2000 <= day.year <= 2100:
        raise ValidationFailed("invalid", _("Give the date as YYYY-MM-DD or the month as "
                                            "YYYY-MM."), field=field)
    return day


def period(first: Any = None, last: Any = None, today: datetime.date | None = None) -> Period:
    """From ``first`` to ``last`` inclusive (days or months); default: the first day of
    the month two months ago to today; at most two years; a bad one refused naming
    ``from`` or ``to``."""
    today = today or timezone.localdate()
    end = _day(last, "to", end=True) if last not in (None, "") else today
    if first not in (None, ""):
        start = _day(first, "from", end=False)
    else:
        month = end.replace(day=1)
        for _i in range(2):
            month = (month - datetime.timedelta(days=1)).replace(day=1)
        start = month
    if start > end:
        raise ValidationFailed("invalid", _("The period must start before it ends."),
                               field="from")
    if (end - start).days > MAX_DAYS:
        raise ValidationFailed("invalid", _("Choose at most two years."), field="from")
    return Period(start, end)


def default_period(today: datetime.date | None = None) -> Period:
    return period(today=today)


# --- who sees what -------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    permission: Action
    #: a seller's report: only his own opportunities
    owner_id: int | None


def scope_of(user: Actor) -> Scope:
    """The manager's and HQ's report, else a seller's own; refused (403) otherwise."""
    if org_perms.can(user, perms.FUNNEL_VIEW.code):
        return Scope(perms.FUNNEL_VIEW, None)
    if org_perms.can(user, perms.FUNNEL_OWN.code):
        me = employee_of(user)
        return Scope(perms.FUNNEL_OWN, me.pk if me is not None else -1)
    org_perms.ensure(user, perms.FUNNEL_VIEW.code)
    raise AssertionError("unreachable")  # pragma: no cover


# --- the figures ---------------------------------------------------------------------

def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part * 100) / whole).quantize(Decimal("0.1"))


def _days(seconds: float) -> Decimal:
    return (Decimal(str(seconds)) / DAY).quantize(Decimal("0.1"))


@dataclass
class StageRow:
    stage_id: int
    name: str
    position: int
    active: bool
    reached: int = 0
    of_first: Decimal | None = None
    of_previous: Decimal | None = None
    refused: int = 0
    lost: int = 0
    stays: int = 0
    average_days: Decimal | None = None
    median_days: Decimal | None = None
    url: str = ""


@dataclass
class ReasonRow:
    stage_id: int | None
    stage: str
    reason_id: int | None
    reason: str
    count: int
    url: str = ""


@dataclass
class RateRow:
    """One employee (``employee_id``) of a branch, or a branch (``employee_id`` None)."""

    branch_id: int
    employee_id: int | None
    name: str
    won: int = 0
    lost: int = 0
    url: str = ""
    report_url: str = ""

    @property
    def closed(self) -> int:
        return self.won + self.lost

    @property
    def win_rate(self) -> Decimal | None:
        return _percent(self.won, self.closed)


@dataclass
class Report:
    period: Period
    branch: Branch | None
    owner: Employee | None
    own_only: bool
    stages: list[StageRow] = field(default_factory=list)
    opened: int = 0
    won_of_opened: int = 0
    refusals: list[ReasonRow] = field(default_factory=list)
    losses: list[ReasonRow] = field(default_factory=list)
    employees: list[RateRow] = field(default_factory=list)
    branches: list[RateRow] = field(default_factory=list)
    stays_truncated: bool = False

    @property
    def won_percent(self) -> Decimal | None:
        return _percent(self.won_of_opened, self.opened)

    @property
    def refused_total(self) -> int:
        return sum(r.count for r in self.refusals)

    @property
    def lost_total(self) -> int:
        return sum(r.count for r in self.losses)

    @property
    def total(self) -> RateRow:
        row = RateRow(0, None, _("Total"))
        for b in self.branches:
            row.won += b.won
            row.lost += b.lost
        return row

    @property
    def is_empty(self) -> bool:
        return not (self.opened or self.refusals or self.losses or self.branches
                    or any(s.stays for s in self.stages))


def _list_url(**params: Any) -> str:
    return reverse("pipeline:opportunity_list") + "?" + urlencode(
        {k: v for k, v in params.items() if v not in (None, "")})


def report(user: Actor, span: Period, *, branch_id: int | None = None,
           owner_id: int | None = None) -> Report:
    """The report of ``span`` for what ``user`` may see (see :func:`scope_of`), narrowed
    to a branch and an employee (the owner)."""
    r: Any
    scope = scope_of(user)
    if scope.owner_id is not None:
        owner_id = scope.owner_id
    start, end = span.bounds
    branch = (Branch.objects.visible_to(user, scope.permission).filter(pk=branch_id).first()
              if branch_id else None)
    if branch_id and branch is None:
        branch_id = -1  # a branch the user may not see: nothing
    opps = Opportunity.objects.visible_to(user, scope.permission, branch_id=branch_id)
    events = OpportunityEvent.objects.visible_to(user, scope.permission, branch_id=branch_id)
    if owner_id:
        opps = opps.filter(owner_id=owner_id)
        events = events.filter(opportunity__owner_id=owner_id)
    owner = (Employee.objects.filter(pk=owner_id).first()
             if owner_id and owner_id > 0 else None)

    stages = list(Stage.objects.order_by("position", "pk"))
    reasons = {r.pk: r for r in LossReason.objects.all()}
    period_q = span.query()
    common = {"branch": branch_id if branch_id and branch_id > 0 else None,
              "owner": owner_id if owner_id and owner_id > 0 else None}

    # 1. the cohort opened in the period: the furthest stage each reached, and its status
    furthest = (OpportunityEvent.objects.filter(opportunity=OuterRef("pk"),
                                                to_stage__isnull=False)
                .order_by("-to_stage__position").values("to_stage__position")[:1])
    cohort = (opps.filter(created_at__gte=start, created_at__lt=end)
              .annotate(top=Greatest(
                  Coalesce(Subquery(furthest), F("stage__position"),
                           output_field=IntegerField()),
                  F("stage__position"), output_field=IntegerField()))
              .values("top", "status").annotate(n=Count("id")).order_by())
    at_least: dict[int, int] = defaultdict(int)
    opened = won = 0
    for r in cohort:
        at_least[r["top"]] += r["n"]
        opened += r["n"]
        if r["status"] == OpportunityStatus.WON:
            won += r["n"]

    # 2. refusals by stage and reason
    refused: dict[tuple[int | None, int | None], int] = {}
    for r in (events.filter(action="refuse", at__gte=start, at__lt=end)
              .values("from_stage_id", "reason_id").annotate(n=Count("id")).order_by()):
        refused[(r["from_stage_id"], r["reason_id"])] = r["n"]

    # 3. losses by stage and reason
    lost: dict[tuple[int | None, int | None], int] = {}
    for r in (opps.filter(status=OpportunityStatus.LOST, closed_at__gte=start,
                          closed_at__lt=end)
              .values("stage_id", "loss_reason_id").annotate(n=Count("id")).order_by()):
        lost[(r["stage_id"], r["loss_reason_id"])] = r["n"]

    # 4. stays that ended in the period: when each step was followed by the next
    stays: dict[int, list[float]] = defaultdict(list)
    steps = (events.filter(action__in=STAGE_STEPS, at__lt=end)
             .annotate(left_at=Window(Lead("at"), partition_by=[F("opportunity_id")],
                                      order_by=[F("at").asc(), F("id").asc()]))
             .filter(left_at__gte=start, left_at__lt=end)
             .values_list("to_stage_id", "action", "at", "left_at"))
    truncated = False
    for read, (stage_id, action, entered, left) in enumerate(steps[:ROW_LIMIT + 1], 1):
        if read > ROW_LIMIT:
            truncated = True
            break
        if action in ENTERS and stage_id is not None and left is not None:
            stays[stage_id].append(max((left - entered).total_seconds(), 0.0))

    # 5. closed in the period, by branch and owner
    closed = (opps.filter(status__in=[OpportunityStatus.WON, OpportunityStatus.LOST],
                          closed_at__gte=start, closed_at__lt=end)
              .values("branch_id", "owner_id")
              .annotate(won=Count("id", filter=Q(status=OpportunityStatus.WON)),
                        lost=Count("id", filter=Q(status=OpportunityStatus.LOST)))
              .order_by())
    closed_rows = list(closed)
    people = {e.pk: e for e in Employee.objects.filter(
        pk__in=sorted({r["owner_id"] for r in closed_rows}))}
    branch_names = {b.pk: b.name for b in Branch.objects.filter(
        pk__in=sorted({r["branch_id"] for r in closed_rows}))}

    out = Report(period=span, branch=branch, owner=owner, own_only=scope.owner_id is not None,
                 opened=opened, won_of_opened=won, stays_truncated=truncated)
    used = {s for s, _r in (*refused, *lost)} | set(stays)
    shown = [s for s in stages if s.active or s.pk in used]
    first_count = previous = None
    for s in shown:
        reached = sum(n for top, n in at_least.items() if top >= s.position)
        row = StageRow(s.pk, s.name, s.position, s.active, reached=reached,
                       refused=sum(n for (st, _r), n in refused.items() if st == s.pk),
                       lost=sum(n for (st, _r), n in lost.items() if st == s.pk),
                       url=_list_url(status="all", stage=s.pk, **common))
        if first_count is None:
            first_count = reached
        row.of_first = _percent(reached, first_count)
        row.of_previous = _percent(reached, previous) if previous is not None else None
        previous = reached
        days = stays.get(s.pk, [])
        if days:
            row.stays = len(days)
            row.average_days = _days(sum(days) / len(days))
            row.median_days = _days(statistics.median(days))
        out.stages.append(row)
    names = {s.pk: s.name for s in stages}
    place = {s.pk: (s.position, s.pk) for s in stages}

    def reason_rows(found: dict[tuple[int | None, int | None], int], status: str
                    ) -> list[ReasonRow]:
        rows = []
        for (st, rid), n in found.items():
            label = reasons[rid].label if rid in reasons else _("reason not recorded")
            rows.append(ReasonRow(st, names.get(st, "—") if st else "—", rid, label, n,
                                  url=_list_url(status=status, stage=st, **common)))
        rows.sort(key=lambda r: (place.get(r.stage_id or 0, (10**6, 0)), -r.count,
                                 r.reason.lower()))
        return rows

    out.refusals = reason_rows(refused, "all")
    out.losses = reason_rows(lost, "lost")

    per_branch: dict[int, RateRow] = {}
    for r in closed_rows:
        b, e = r["branch_id"], r["owner_id"]
        person = people.get(e)
        out.employees.append(RateRow(
            b, e, (person.get_full_name() or person.email) if person else "—",
            won=r["won"], lost=r["lost"],
            url=_list_url(status="all", branch=b, owner=e, closed_from=span.first,
                          closed_to=span.last),
            report_url=reverse("pipeline:funnel") + "?" + urlencode(
                {"branch": b, "owner": e, **period_q})))
        total = per_branch.setdefault(b, RateRow(
            b, None, branch_names.get(b, "—"),
            url=_list_url(status="all", branch=b, owner=common["owner"],
                          closed_from=span.first, closed_to=span.last),
            report_url=reverse("pipeline:funnel") + "?" + urlencode({"branch": b,
                                                                     **period_q})))
        total.won += r["won"]
        total.lost += r["lost"]
    out.employees.sort(key=lambda r: (r.name.lower(), r.branch_id, r.employee_id or 0))
    out.branches = sorted(per_branch.values(), key=lambda r: (r.name.lower(), r.branch_id))
    return out


def as_dict(found: Report) -> dict[str, Any]:
    """The report as the API gives it (decimals as text)."""
    def d(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    def rate(r: RateRow) -> dict[str, Any]:
        return {"branch_id": r.branch_id, "employee_id": r.employee_id, "name": r.name,
                "won": r.won, "lost": r.lost, "win_rate": d(r.win_rate), "url": r.url}

    def reason(r: ReasonRow) -> dict[str, Any]:
        return {"stage_id": r.stage_id, "stage": r.stage, "reason_id": r.reason_id,
                "reason": r.reason, "count": r.count}

    return {
        "period": {"from": found.period.first, "to": found.period.last},
        "branch_id": found.branch.pk if found.branch else None,
        "owner_id": found.owner.pk if found.owner else None,
        "own_only": found.own_only,
        "opened": found.opened, "won_of_opened": found.won_of_opened,
        "won_percent": d(found.won_percent),
        "stages": [{"stage_id": s.stage_id, "name": s.name, "reached": s.reached,
                    "of_first": d(s.of_first), "of_previous": d(s.of_previous),
                    "refused": s.refused, "lost": s.lost, "stays": s.stays,
                    "average_days": d(s.average_days), "median_days": d(s.median_days)}
                   for s in found.stages],
        "refusals": [reason(r) for r in found.refusals],
        "losses": [reason(r) for r in found.losses],
        "employees": [rate(r) for r in found.employees],
        "branches": [rate(r) for r in found.branches],
        "total": rate(found.total),
        "stays_truncated": found.stays_truncated,
    }
