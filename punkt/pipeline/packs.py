"""The manager's monthly pack (seed 000 step 1): a branch's month against its plan —
per measure and per employee, the percent of plan, the line of seed 000's goal (new
customers against the month before, +20 %) and the month's funnel — kept as a stored
snapshot (:class:`~punkt.pipeline.models.MonthlyPack`) so the meeting on the last Friday
sees the figures as they were prepared.

:func:`compute` reads every branch asked for at once: a fixed number of grouped queries
(:func:`punkt.pipeline.plans.actuals`, the plans, last month's new customers, the funnel),
never a query per branch or employee. :func:`prepare_all` (the scheduled job, on the
working day before the last Friday) stores the packs of every branch for the previous
month in one statement and tells each branch's manager; a pack stored already is kept (a
second run changes nothing, C9); the manager's "Prepare again" (:func:`recompute`)
replaces it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.core import batch
from punkt.core.audit import audit_record
from punkt.core.roles import Role
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Branch, BranchKind, Employee, Membership
from punkt.pipeline import permissions as perms
from punkt.pipeline import plans as P
from punkt.pipeline.models import MonthlyPack, Opportunity, OpportunityEvent, SalesPlan, Stage


def month_key(month: datetime.date) -> str:
    return f"{month:%Y-%m}"


def pack_url(branch_id: int, month: datetime.date) -> str:
    return reverse("pipeline:pack_detail", kwargs={"branch_id": branch_id,
                                                   "month": month_key(month)})


def _text(values: P.Values) -> dict[str, str | int]:
    return {c: (str(v) if isinstance(v, Decimal) else v) for c, v in values.items()}


def _line(plan: P.Values, actual: P.Values) -> dict[str, dict[str, Any]]:
    planned, done = _text(plan), _text(actual)
    return {c: {"plan": planned[c], "actual": done[c],
                "percent": P.percent(actual[c], plan[c])} for c in P.CODES}


def _funnel(month: datetime.date, branch_id: int | None) -> dict[int, dict[str, Any]]:
    """Per branch: opened, won (and their amount), lost, the win rate of the sales closed
    in the month, and how many reached each stage (four queries)."""
    start, end = P.month_bounds(month)
    out: dict[int, dict[str, Any]] = defaultdict(lambda: {
        "opened": 0, "won": 0, "won_amount": "0.00", "lost": 0, "win_rate": None,
        "stages": {}})
    opps = Opportunity.objects.all() if branch_id is None else Opportunity.objects.filter(
        branch_id=branch_id)
    for r in (opps.filter(created_at__gte=start, created_at__lt=end)
              .values("branch_id").annotate(n=Count("id")).order_by()):
        out[r["branch_id"]]["opened"] = r["n"]
    closed = opps.filter(closed_at__gte=start, closed_at__lt=end)
    for c in (closed.values("branch_id").annotate(
            won=Count("id", filter=Q(status="won")), lost=Count("id", filter=Q(status="lost")),
            amount=Sum("amount", filter=Q(status="won"))).order_by()):
        row = out[c["branch_id"]]
        row["won"], row["lost"] = c["won"], c["lost"]
        row["won_amount"] = str(Decimal(str(c["amount"] or 0)).quantize(Decimal("0.01")))
        row["win_rate"] = P.percent(c["won"], c["won"] + c["lost"])
    events = OpportunityEvent.objects.filter(at__gte=start, at__lt=end, to_stage__isnull=False)
    if branch_id is not None:
        events = events.filter(opportunity__branch_id=branch_id)
    for ev in (events.values("opportunity__branch_id", "to_stage_id")
               .annotate(n=Count("opportunity_id", distinct=True)).order_by()):
        out[ev["opportunity__branch_id"]]["stages"][str(ev["to_stage_id"])] = ev["n"]
    return out


def compute(month: datetime.date, branch_id: int | None = None
            ) -> dict[int, dict[str, Any]]:
    """The pack's figures of ``month`` of one branch or (None) of every branch, by branch,
    as stored in :attr:`MonthlyPack.figures` (decimals as text). Callers check who may
    read it."""
    branches = Branch.objects.filter(kind=BranchKind.BRANCH)
    if branch_id is not None:
        branches = branches.filter(pk=branch_id)
    ids = list(branches.values_list("pk", flat=True))
    scope = branch_id
    found = P.actuals(month, scope)
    totals = P.branch_totals(found)
    plan_rows = SalesPlan.objects.filter(month=month)
    if scope is not None:
        plan_rows = plan_rows.filter(branch_id=scope)
    branch_plans: dict[int, P.Values] = {}
    employee_plans: dict[tuple[int, int], P.Values] = {}
    for p in plan_rows:
        if p.employee_id is None:
            branch_plans[p.branch_id] = P.values_of(p)
        else:
            employee_plans[(p.branch_id, p.employee_id)] = P.values_of(p)
    last = P.new_customers(P.previous_month(month), scope)
    funnel = _funnel(month, scope)
    staff_of: dict[int, set[int]] = defaultdict(set)
    for (b, e) in (*found, *employee_plans):
        if e:
            staff_of[b].add(e)
    people = set().union(*staff_of.values()) if staff_of else set()
    names = {e.pk: e.full_name or e.email for e in Employee.objects.filter(
        pk__in=people).only("pk", "first_name", "last_name", "email")}
    out: dict[int, dict[str, Any]] = {}
    for branch_id in ids:
        plan = branch_plans.get(branch_id, P.zero())
        actual = totals.get(branch_id, P.zero())
        staff = sorted(staff_of.get(branch_id, ()), key=lambda e: (names.get(e, ""), e))
        employees = [{"id": e, "name": names.get(e, "—"),
                      "values": _line(employee_plans.get((branch_id, e), P.zero()),
                                      found.get((branch_id, e), P.zero()))}
                     for e in staff]
        if (branch_id, None) in found:
            employees.append({"id": None, "name": "", "values": _line(
                P.zero(), found[(branch_id, None)])})
        new = int(actual["new_customers"])
        out[branch_id] = {
            "month": month_key(month), "planned": branch_id in branch_plans,
            "measures": _line(plan, actual), "employees": employees,
            "goal": P.goal(new, last.get(branch_id, 0)), "funnel": funnel[branch_id]}
    return out


def _row(branch_id: int, month: datetime.date, figures: dict[str, Any],
         by: Employee | None) -> MonthlyPack:
    return MonthlyPack(branch_id=branch_id, month=month, figures=figures,
                       prepared_at=timezone.now(), prepared_by=by,
                       sales_percent=figures["measures"]["sales_net"]["percent"],
                       new_customers=figures["goal"]["this"],
                       goal_met=figures["goal"]["met"])


def _ready_title(branch: str, month: datetime.date) -> Any:
    return lambda: _("The monthly pack for the meeting is ready: %(branch)s, %(month)s") % {
        "branch": branch, "month": month_key(month)}


def prepare_all(month: datetime.date) -> dict[str, int]:
    """Store every active branch's pack of ``month`` not stored yet (all computed at once:
    :func:`compute`) and tell each branch's managers (once per branch, month and manager:
    the notification's key) (C9)."""
    from punkt.work.services import notify

    active = set(Branch.objects.filter(kind=BranchKind.BRANCH, is_active=True)
                 .values_list("pk", flat=True))
    have = set(MonthlyPack.objects.filter(month=month).values_list("branch_id", flat=True))
    todo = sorted(active - have)
    figures = compute(month) if todo else {}
    managers = (Membership.objects.filter(role=str(Role.MANAGER), is_active=True,
                                          employee__is_active=True,
                                          branch__kind=BranchKind.BRANCH,
                                          branch__is_active=True)
                .select_related("employee", "branch").order_by("branch_id", "employee_id"))
    told = 0
    with batch.one_transaction():
        MonthlyPack.objects.bulk_create(
            [_row(b, month, figures[b], None) for b in todo], ignore_conflicts=True,
            batch_size=500)
        for m in managers:
            notify(recipient=m.employee, kind="pipeline.pack",
                   url=pack_url(m.branch_id, month),
                   key=f"pipeline.pack:{m.branch_id}:{month_key(month)}:{m.employee_id}",
                   title=_ready_title(m.branch.name, month))
            told += 1
    stored = MonthlyPack.objects.filter(month=month).count() - len(have)
    return {"branches": len(active), "stored": stored, "told": told}


@transaction.atomic
def recompute(*, actor: Actor, branch_id: Any, month: Any) -> MonthlyPack:
    """The manager's (or HQ's) "Prepare again": the pack computed now replaces the
    stored one; audited."""
    org_perms.ensure(actor, perms.PACK_VIEW.code)
    branch = P.branch_get(actor, branch_id, perms.PACK_VIEW)
    first = P.parse_month(month)
    if first >= P.next_month(P.current_month()):
        from punkt.core.errors import ValidationFailed

        raise ValidationFailed("invalid", _("That month has not begun."), field="month")
    figures = compute(first, branch.pk)[branch.pk]
    row = _row(branch.pk, first, figures, employee_of(actor))
    MonthlyPack.objects.filter(branch=branch, month=first).select_for_update().delete()
    row.save(force_insert=True)
    audit_record(action="pipeline.pack.recompute", obj=row, actor=actor, branch_id=branch.pk,
                 changes={"month": month_key(first)})
    return row


def stored(branch_id: int, month: datetime.date) -> MonthlyPack | None:
    return MonthlyPack.objects.filter(branch_id=branch_id, month=month).first()


def stage_names() -> dict[str, str]:
    return {str(s.pk): s.name for s in Stage.objects.order_by("position", "pk")}


def due_month(day: datetime.date) -> datetime.date | None:
    """The month whose packs are prepared on ``day`` (the previous month, on the working
    day before the last Friday), else None."""
    month = day.replace(day=1)
    return P.previous_month(month) if P.preparation_day(month) == day else None
