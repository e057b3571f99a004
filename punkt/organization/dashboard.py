"""This app's menu entries and dashboard panels."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from punkt.core.models import AuditEvent, AuditOutcome
from punkt.core.navigation import NavItem, Panel, nav, panel
from punkt.core.roles import Role
from punkt.core.scoping import branch_ids_visible
from punkt.organization import permissions as perms
from punkt.organization.actors import employee_of
from punkt.organization.models import (
    Absence,
    Branch,
    BranchKind,
    Employee,
    Membership,
    OpeningHours,
    WorkingHours,
)

nav(NavItem(_("Dashboard"), "core:dashboard", None, order=0, key="d"))
nav(NavItem(_("Schedule"), "organization:schedule_home", perms.SCHEDULE_VIEW.code,
            group="organisation", order=80,
            key="s",
            active_pattern=r"^/organisation/(schedule/|branches/\d+/(schedule|absences)/)"))
nav(NavItem(_("Employees"), "organization:employee_list", perms.EMPLOYEE_VIEW.code,
            group="organisation", order=85,
            key="e"))
nav(NavItem(_("Branches"), "organization:branch_list", perms.BRANCH_MANAGE.code,
            group="organisation", order=90,
            key="b", active_pattern=r"^/organisation/branches/(?!\d+/(schedule|absences)/)"))
nav(NavItem(_("Audit log"), "core:audit_list", perms.AUDIT_VIEW.code,
            group="organisation", order=95, key="a"))
nav(NavItem(_("Roles and MFA"), "organization:role_policies", perms.ROLE_POLICY_MANAGE.code,
            group="organisation", order=96))


def _my_week(request: Any) -> dict[str, Any] | None:
    """The user's own hours and absences, and whom they stand in for today."""
    user, me = request.user, employee_of(request.user)
    today = timezone.localdate()
    hours = list(WorkingHours.objects.visible_to(user, perms.SCHEDULE_VIEW).filter(employee=me)
                 .select_related("branch").order_by("weekday", "starts"))
    # The user's own coming absences and today's stand-ins, in one statement.
    rows = list(Absence.objects.visible_to(user, perms.SCHEDULE_VIEW)
                .filter(Q(employee=me, ends_on__gte=today)
                        | Q(substitute=me, starts_on__lte=today, ends_on__gte=today))
                .select_related("employee", "substitute", "branch").order_by("starts_on", "pk"))
    my_id = user.pk
    mine = [a for a in rows if a.employee_id == my_id][:3]
    covering = [a for a in rows if a.substitute_id == my_id and a.starts_on <= today]
    if not (hours or mine or covering):
        return None
    return {"hours": hours, "absences": mine, "covering": covering, "today": today}


def _branch_today(request: Any) -> dict[str, Any] | None:
    """The manager's branches: who is absent today, who covers. A company-wide scope
    (HQ) has the network panel instead."""
    user = request.user
    if branch_ids_visible(user, perms.SCHEDULE_EDIT) is None:
        return None
    branches = list(Branch.objects.visible_to(user, perms.SCHEDULE_EDIT).order_by("name"))
    if not branches:
        return None
    today = timezone.localdate()
    # Who is away today and how many absences begin in the next 14 days: one statement.
    rows = list(Absence.objects.visible_to(user, perms.SCHEDULE_EDIT)
                .filter(starts_on__lte=today + datetime.timedelta(days=14), ends_on__gte=today)
                .select_related("employee", "substitute", "branch").order_by("starts_on", "pk"))
    absent = [a for a in rows if a.starts_on <= today][:20]
    uncovered = [a for a in absent if a.substitute_id is None]
    upcoming = sum(1 for a in rows if a.starts_on > today)
    return {"absent": absent, "uncovered": uncovered, "upcoming": upcoming,
            "branches": branches}


def _security(request: Any) -> dict[str, Any] | None:
    from allauth.mfa.models import Authenticator

    from punkt.organization.services import mfa_required_roles

    def compute() -> dict[str, int]:
        since = timezone.now() - datetime.timedelta(hours=24)
        failed = AuditEvent.objects.filter(action="auth.login", outcome=AuditOutcome.FAILED,
                                           at__gte=since).count()
        refused = AuditEvent.objects.filter(outcome=AuditOutcome.DENIED, at__gte=since).count()
        needs = Membership.objects.visible_to(request.user, perms.AUDIT_VIEW).filter(
            employee=OuterRef("pk"), is_active=True, role__in=mfa_required_roles())
        has_totp = Authenticator.objects.filter(user=OuterRef("pk"),
                                                type=Authenticator.Type.TOTP)
        without_mfa = (Employee.objects.filter(Exists(needs), is_active=True)
                       .exclude(Exists(has_totp)).count())
        return {"failed": failed, "refused": refused, "without_mfa": without_mfa}

    # Counts over the whole company (the administrator's scope): a minute old is fresh
    # enough for a dashboard.
    scope = branch_ids_visible(request.user, perms.AUDIT_VIEW)
    key = "punkt:dashboard:security" + ("" if scope is None else f":{sorted(scope)}")
    return cache.get_or_set(key, compute, 60)


def _network(request: Any) -> dict[str, Any] | None:
    def compute() -> dict[str, int]:
        active = (Branch.objects.visible_to(request.user, perms.BRANCH_MANAGE)
                  .filter(kind=BranchKind.BRANCH, is_active=True))
        return {"branches": active.count(),
                "without_hours": active.exclude(Exists(OpeningHours.objects.filter(
                    branch=OuterRef("pk")))).count(),
                "employees": Employee.objects.filter(is_active=True).count()}

    # HQ's counts (a minute old is fresh enough), kept apart from any narrower scope.
    scope = branch_ids_visible(request.user, perms.BRANCH_MANAGE)
    key = "punkt:dashboard:network" + ("" if scope is None else f":{sorted(scope)}")
    return cache.get_or_set(key, compute, 60)


panel(Panel(_("My week"), "organization/panels/my_week.html", None, _my_week, order=10))
panel(Panel(_("My branch today"), "organization/panels/branch_today.html",
            perms.SCHEDULE_EDIT.code, _branch_today, order=20,
            roles=frozenset({Role.MANAGER})))
panel(Panel(_("Network"), "organization/panels/network.html", perms.BRANCH_MANAGE.code,
            _network, order=30))
panel(Panel(_("Security"), "organization/panels/security.html", perms.AUDIT_VIEW.code,
            _security, order=40))
