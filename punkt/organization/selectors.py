"""Reading the organisation, branch scoping first: every read starts from
``Model.objects.visible_to(user, permission)``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from punkt.core.calendar import holiday_name
from punkt.core.errors import NotFound
from punkt.core.scoping import BranchScopedQuerySet, branch_ids_visible
from punkt.organization import permissions as perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import (
    Absence,
    Branch,
    BranchDayOff,
    Employee,
    Membership,
    WorkingHours,
)


def branches_visible_to(user: Actor) -> BranchScopedQuerySet[Branch]:
    """The branches whose details ``user`` may see."""
    return Branch.objects.visible_to(user, perms.BRANCH_VIEW)


BRANCH_SORTS = {"name": "name", "code": "code", "city": "city", "-name": "-name",
                "-code": "-code", "-city": "-city"}


def branch_list(*, user: Actor, q: str = "", active: bool | None = None, kind: str = "",
                sort: str = "name") -> QuerySet[Branch]:
    qs = branches_visible_to(user)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(city__icontains=q))
    if active is not None:
        qs = qs.filter(is_active=active)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by(BRANCH_SORTS.get(sort, "name"), "pk")


def branch_get(*, user: Actor, branch_id: int) -> Branch:
    return branches_visible_to(user).get_or_not_found(branch_id, missing=_("Branch not found."))


def employees_visible_to(user: Actor) -> QuerySet[Employee]:
    """Employees with an active role in a branch where ``user`` may see staff, and the
    user themselves; every employee (also those without a role) for HQ."""
    if branch_ids_visible(user, perms.EMPLOYEE_VIEW) is None:
        return Employee.objects.all()
    # A semi-join on memberships (not EXISTS … OR pk=…) so PostgreSQL can use the
    # membership index instead of walking every employee.
    roles = Membership.objects.visible_to(user, perms.EMPLOYEE_VIEW).filter(is_active=True)
    visible = (roles | Membership.objects.filter(employee=employee_of(user))).values("employee_id")
    return Employee.objects.filter(pk__in=visible)


def employee_list(*, user: Actor) -> QuerySet[Employee]:
    """The employees ``user`` sees, each with ``active_memberships`` — only those in the
    user's branches for branch staff. Filtered and sorted by ``filters.EmployeeFilter``."""
    memberships = (Membership.objects.visible_to(user, perms.EMPLOYEE_VIEW)
                   .filter(is_active=True).select_related("branch")
                   .order_by("branch__name", "role"))
    return employees_visible_to(user).order_by("last_name", "first_name", "pk").prefetch_related(
        Prefetch("memberships", queryset=memberships, to_attr="active_memberships"))


def membership_get(*, user: Actor, membership_id: int) -> Membership:
    """A role assignment of an employee the user can see (others: not found)."""
    return Membership.objects.filter(employee__in=employees_visible_to(user)).get_or_not_found(
        membership_id, missing=_("Membership not found."))


def employee_get(*, user: Actor, employee_id: int) -> Employee:
    employee = employee_list(user=user).filter(pk=employee_id).first()
    if employee is None:
        raise NotFound(_("Employee not found."))
    return employee


def days_off_of(user: Actor, branch: Branch) -> QuerySet[BranchDayOff]:
    """The branch's own days off and the company's (``branch`` is one the user sees)."""
    return (BranchDayOff.objects.visible_to(user, perms.BRANCH_VIEW, branch_id=branch.pk)
            | BranchDayOff.objects.filter(branch__isnull=True))


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


def schedule_week(*, user: Actor, branch_id: int, week_start: datetime.date
                  ) -> tuple[Branch, list[ScheduleDay], list[ScheduleRow]]:
    """Who works when in one branch for the week starting on ``week_start`` (a Monday)."""
    branch = branch_get(user=user, branch_id=branch_id)  # other branches: not found
    perms.ensure(user, perms.SCHEDULE_VIEW.code, branch_id)
    days = [week_start + datetime.timedelta(days=i) for i in range(7)]
    days_off = {d.date: d.name for d in days_off_of(user, branch).filter(
        date__range=(days[0], days[-1]))}
    header = [ScheduleDay(d, holiday_name(d), days_off.get(d)) for d in days]
    members = list(Membership.objects.visible_to(user, perms.SCHEDULE_VIEW, branch_id=branch.pk)
                   .filter(is_active=True).select_related("employee").order_by("employee__last_name",
                                                        "employee__first_name"))
    by_employee: dict[int, ScheduleRow] = {}
    for m in members:
        row = by_employee.setdefault(m.employee_id, ScheduleRow(m.employee, [], []))
        row.roles.append(m.get_role_display())
    hours: dict[tuple[int, int], WorkingHours] = {
        (h.employee_id, h.weekday): h
        for h in WorkingHours.objects.visible_to(user, perms.SCHEDULE_VIEW, branch_id=branch.pk)
        .filter(employee_id__in=by_employee)}
    absences = list(Absence.objects.visible_to(user, perms.SCHEDULE_VIEW, branch_id=branch.pk)
                    .filter(starts_on__lte=days[-1], ends_on__gte=days[0])
                    .select_related("substitute"))
    for employee_id, row in by_employee.items():
        for day in header:
            absence = next((a for a in absences if a.employee_id == employee_id
                            and a.covers(day.date)), None)
            h = hours.get((employee_id, day.date.weekday()))
            row.cells.append({"date": day.date, "hours": h, "absence": absence,
                              "closed": bool(day.holiday or day.day_off)})
    return branch, header, list(by_employee.values())


def absences_for_branch(*, user: Actor, branch_id: int, since: datetime.date
                        ) -> QuerySet[Absence]:
    perms.ensure(user, perms.SCHEDULE_VIEW.code, branch_id)
    return (Absence.objects.visible_to(user, perms.SCHEDULE_VIEW, branch_id=branch_id)
            .filter(ends_on__gte=since).select_related("employee", "substitute")
            .order_by("starts_on", "pk"))
