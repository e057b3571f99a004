"""Who may do what, where.

Layer 1 — the registry (``punkt.core.permissions``): action → roles, declared below for
this app. Layer 2 — row scoping: branch roles act only in their branch; HQ roles
(HQ expert, administrator) act in every branch. Substitutes hold an absent colleague's
branch roles while the absence lasts.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import BooleanField, Exists, OuterRef, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.access import (  # noqa: F401  (the names areas use through this module)
    Access,
    SystemActor,
    access_of,
    can,
    ensure,
)
from punkt.core.roles import HQ_ROLES, Role

R = Role
BRANCH_VIEW = registry.register(
    "organization.branch.view", gettext_lazy("See branch details"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.CASHIER, R.HQ_EXPERT, R.ADMIN])
BRANCH_MANAGE = registry.register(
    "organization.branch.manage", gettext_lazy("Create and edit branches and opening hours"),
    [R.HQ_EXPERT, R.ADMIN])
EMPLOYEE_VIEW = registry.register(
    "organization.employee.view", gettext_lazy("See employees and their roles"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN])
EMPLOYEE_MANAGE = registry.register(
    "organization.employee.manage", gettext_lazy("Create employees, grant and withdraw roles"),
    [R.HQ_EXPERT, R.ADMIN], kinds=["admin"])
SCHEDULE_VIEW = registry.register(
    "organization.schedule.view", gettext_lazy("See the branch staff schedule"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.CASHIER, R.HQ_EXPERT, R.ADMIN])
SCHEDULE_EDIT = registry.register(
    "organization.schedule.edit", gettext_lazy("Edit working hours, absences and substitutes"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN])
ROLE_POLICY_MANAGE = registry.register(
    "organization.role_policy.manage", gettext_lazy("Require MFA per role"), [R.ADMIN],
    scope="global", kinds=["admin"])
ADMIN_MANAGE = registry.register(
    "organization.admin.manage",
    gettext_lazy("Grant the administrator role and manage administrators' accounts"),
    [R.ADMIN], scope="global", kinds=["admin"])
AUDIT_VIEW = registry.AUDIT_VIEW  # core's own action, named here with the others
TOKEN_MANAGE_OWN = registry.register(
    "organization.token.manage_own", gettext_lazy("Create and revoke own API tokens"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.CASHIER, R.HQ_EXPERT, R.ADMIN], scope="global")


def compute_access(user: Any, today: datetime.date | None = None) -> Access:
    """Installed as core's access provider (``OrganizationConfig.ready``): memberships, the
    HQ roles and what substitutes hold while a colleague is absent."""
    from punkt.organization.models import Absence, Membership

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Access(user_id=None)
    today = today or timezone.localdate()
    access = Access(user_id=user.pk)
    # One statement, read on every request: the user's own memberships, and (UNION ALL) the
    # memberships of colleagues absent today whom the user stands in for (substitution: the
    # substitute holds their branch roles there while the absence lasts).
    own = (Membership.objects.filter(employee_id=user.pk, is_active=True,
                                     branch__is_active=True)
           .annotate(delegated=Value(False, output_field=BooleanField()))
           .values_list("branch_id", "role", "delegated"))
    covered = Absence.objects.filter(substitute_id=user.pk, starts_on__lte=today,
                                     ends_on__gte=today, employee_id=OuterRef("employee_id"),
                                     branch_id=OuterRef("branch_id"))
    standing_in = (Membership.objects.filter(Exists(covered), is_active=True)
                   .annotate(delegated=Value(True, output_field=BooleanField()))
                   .values_list("branch_id", "role", "delegated"))
    rows = sorted(own.union(standing_in, all=True), key=lambda row: row[2])
    for branch_id, role, delegated in rows:  # own memberships first
        if not delegated:
            if role in HQ_ROLES:
                access.hq_roles.add(role)
            else:
                access.pairs.add((branch_id, role))
        elif role not in HQ_ROLES and (branch_id, role) not in access.pairs:
            access.pairs.add((branch_id, role))
            access.delegated.add((branch_id, role))
    if getattr(user, "is_superuser", False):
        access.hq_roles.add(Role.ADMIN)
    return access
