"""Reading the organisation, branch scoping first."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from punkt.core.calendar import holiday_name
from punkt.core.errors import NotFound
from punkt.organization import permissions as perms
from punkt.organization.models import (
    Absence,
    Branch,
    BranchDayOff,
    Employee,
    Membership,
    WorkingHours,
)


def branches_visible_to(user: Any) -> QuerySet[Branch]:
    allowed = perms.access_of(user).branches_for(perms.BRANCH_VIEW.code)
    qs = Branch.objects.all()
    if allowed is not None:
        qs = qs.filter(pk__in=allowed)
    return qs


BRANCH_SORTS = {"name": "name", "code": "code", "city": "city", "-name": "-name",
                "-code": "-code", "-city": "-city"}


def branch_list(*, user: Any, q: str = "", active: bool | None = None, kind: str = "",
                sort: str = "name") -> QuerySet[Branch]:
    qs = branches_visible_to(user)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(city__icontains=q))
    if active is not None:
        qs = qs.filter(is_active=active)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by(BRANCH_SORTS.get(sort, "name"), "pk")


def branch_get(*, user: Any, branch_id: int) -> Branch:
    branch = branches_visible_to(user).filter(pk=branch_id).first()
    if branch is None:
        raise NotFound(_("Branch not found."))
    return branch


def employees_visible_to(user: Any) -> QuerySet[Employee]:
    access = perms.access_of(user)
    allowed = access.branches_for(perms.EMPLOYEE_VIEW.code)
    qs = Employee.objects.all()
    if allowed is None:
        return qs
    # A semi-join on memberships (not EXISTS … OR pk=…) so PostgreSQL can use the
    # membership index instead of walking every employee.
    visible = Membership.objects.filter(
        Q(branch_id__in=allowed, is_active=True) | Q(employee_id=access.user_id)
    ).values("employee_id")
    return qs.filter(pk__in=visible)


EMPLOYEE_SORTS = {"name": ("last_name", "first_name"), "-name": ("-last_name", "-first_name"),
                  "email": ("email",), "-email": ("-email",),
                  "joined": ("date_joined",), "-joined": ("-date_joined",)}


def employee_list(*, user: Any, q: str = "", branch_id: int | None = None, role: str = "",
                  active: bool | None = None, sort: str = "name") -> QuerySet[Employee]:
    qs = employees_visible_to(user)
    if q:
        for word in q.split()[:4]:
            qs = qs.filter(Q(last_name__icontains=word) | Q(first_name__icontains=word)
                           | Q(email__icontains=word))
    if branch_id or role:
        cond = Q(employee=OuterRef("pk"), is_active=True)
        if branch_id:
            cond &= Q(branch_id=branch_id)
        if role:
            cond &= Q(role=role)
        qs = qs.filter(Exists(Membership.objects.filter(cond)))
    if active is not None:
        qs = qs.filter(is_active=active)
    # Branch staff see an employee's roles in their own branches only.
    memberships = Membership.objects.filter(is_active=True).select_related("branch").order_by(
        "branch__name", "role")
    allowed = perms.access_of(user).branches_for(perms.EMPLOYEE_VIEW.code)
    if allowed is not None:
        memberships = memberships.filter(branch_id__in=allowed)
    return qs.order_by(*EMPLOYEE_SORTS.get(sort, EMPLOYEE_SORTS["name"]), "pk").prefetch_related(
        Prefetch("memberships", queryset=memberships, to_attr="active_memberships"))


def membership_get(*, user: Any, membership_id: int) -> Membership:
    """A role assignment of an employee the user can see (others: not found)."""
    membership = Membership.objects.filter(
        pk=membership_id, employee__in=employees_visible_to(user)).first()
    if membership is None:
        raise NotFound(_("Membership not found."))
    return membership


def employee_get(*, user: Any, employee_id: int) -> Employee:
    employee = employee_list(user=user).filter(pk=employee_id).first()
    if employee is None:
        raise NotFound(_("Employee not found."))
    return employee


@dataclass
class ScheduleDay:
    date: datetime.date
    holiday: str | None
    day_off: str | None


@dataclass
class ScheduleRow:
    employee: Employee
    roles: list[str]
    cells: list[dict[str, Any]]


def schedule_week(*, user: Any, branch_id: int, week_start: datetime.date
                  ) -> tuple[Branch, list[ScheduleDay], list[ScheduleRow]]:
    """Who works when in one branch for the week starting on ``week_start`` (a Monday)."""
    branch = branch_get(user=user, branch_id=branch_id)  # other branches: not found
    perms.ensure(user, perms.SCHEDULE_VIEW.code, branch_id)
    days = [week_start + datetime.timedelta(days=i) for i in range(7)]
    days_off = {d.date: d.name for d in BranchDayOff.objects.filter(
        Q(branch=branch) | Q(branch__isnull=True), date__range=(days[0], days[-1]))}
    header = [ScheduleDay(d, holiday_name(d), days_off.get(d)) for d in days]
    members = list(Membership.objects.filter(branch=branch, is_active=True)
                   .select_related("employee").order_by("employee__last_name",
                                                        "employee__first_name"))
    by_employee: dict[int, ScheduleRow] = {}
    for m in members:
        row = by_employee.setdefault(m.employee_id, ScheduleRow(m.employee, [], []))
        row.roles.append(m.get_role_display())
    hours: dict[tuple[int, int], WorkingHours] = {
        (h.employee_id, h.weekday): h
        for h in WorkingHours.objects.filter(branch=branch, employee_id__in=by_employee)}
    absences = list(Absence.objects.filter(branch=branch, starts_on__lte=days[-1],
                                           ends_on__gte=days[0]).select_related("substitute"))
    for employee_id, row in by_employee.items():
        for day in header:
            absence = next((a for a in absences if a.employee_id == employee_id
                            and a.covers(day.date)), None)
            h = hours.get((employee_id, day.date.weekday()))
            row.cells.append({"date": day.date, "hours": h, "absence": absence,
                              "closed": bool(day.holiday or day.day_off)})
    return branch, header, list(by_employee.values())


def absences_for_branch(*, user: Any, branch_id: int, since: datetime.date
                        ) -> QuerySet[Absence]:
    perms.ensure(user, perms.SCHEDULE_VIEW.code, branch_id)
    return (Absence.objects.filter(branch_id=branch_id, ends_on__gte=since)
            .select_related("employee", "substitute").order_by("starts_on", "pk"))
