"""Who may do what, where.

Layer 1 — the registry (``punkt.core.permissions``): action → roles, declared below for
this app. Layer 2 — row scoping: branch roles act only in their branch; HQ roles
(HQ expert, administrator) act in every branch. Substitutes hold an absent colleague's
branch roles while the absence lasts.
"""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.errors import ActionDenied
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
    [R.HQ_EXPERT, R.ADMIN])
SCHEDULE_VIEW = registry.register(
    "organization.schedule.view", gettext_lazy("See the branch staff schedule"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.CASHIER, R.HQ_EXPERT, R.ADMIN])
SCHEDULE_EDIT = registry.register(
    "organization.schedule.edit", gettext_lazy("Edit working hours, absences and substitutes"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN])
ROLE_POLICY_MANAGE = registry.register(
    "organization.role_policy.manage", gettext_lazy("Require MFA per role"), [R.ADMIN],
    scope="global")
ADMIN_MANAGE = registry.register(
    "organization.admin.manage",
    gettext_lazy("Grant the administrator role and manage administrators' accounts"),
    [R.ADMIN], scope="global")
AUDIT_VIEW = registry.register(
    "core.audit.view", gettext_lazy("Browse the audit log"), [R.ADMIN], scope="global")
TOKEN_MANAGE_OWN = registry.register(
    "organization.token.manage_own", gettext_lazy("Create and revoke own API tokens"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.CASHIER, R.HQ_EXPERT, R.ADMIN], scope="global")


@dataclass
class Access:
    """What one user holds right now: (branch_id, role) pairs, HQ roles and delegations."""

    user_id: int | None
    pairs: set[tuple[int, str]] = field(default_factory=set)
    hq_roles: set[str] = field(default_factory=set)
    delegated: set[tuple[int, str]] = field(default_factory=set)

    @property
    def roles(self) -> set[str]:
        return {r for _b, r in self.pairs} | self.hq_roles

    @property
    def is_hq(self) -> bool:
        return bool(self.hq_roles)

    def can(self, code: str, branch_id: int | None = None) -> bool:
        action = registry.get(code)
        if self.hq_roles & action.roles:
            return True
        if action.scope == "global" or branch_id is None:
            return any(r in action.roles for _b, r in self.pairs)
        return any(b == branch_id and r in action.roles for b, r in self.pairs)

    def branches_for(self, code: str) -> set[int] | None:
        """Branch ids where ``code`` is granted; ``None`` means every branch."""
        action = registry.get(code)
        if self.hq_roles & action.roles:
            return None
        return {b for b, r in self.pairs if r in action.roles}


def compute_access(user: Any, today: datetime.date | None = None) -> Access:
    from punkt.organization.models import Absence, Membership

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Access(user_id=None)
    today = today or timezone.localdate()
    access = Access(user_id=user.pk)
    rows = Membership.objects.filter(employee_id=user.pk, is_active=True,
                                     branch__is_active=True).values_list("branch_id", "role")
    for branch_id, role in rows:
        if role in HQ_ROLES:
            access.hq_roles.add(role)
        else:
            access.pairs.add((branch_id, role))
    # Substitution: while a colleague is absent, the substitute holds their branch roles there.
    absent = Absence.objects.filter(substitute_id=user.pk, starts_on__lte=today,
                                    ends_on__gte=today).values_list("employee_id", "branch_id")
    absent = list(absent)
    if absent:
        cond = Q()
        for employee_id, branch_id in absent:
            cond |= Q(employee_id=employee_id, branch_id=branch_id)
        for branch_id, role in Membership.objects.filter(cond, is_active=True).values_list(
            "branch_id", "role"
        ):
            if role not in HQ_ROLES and (branch_id, role) not in access.pairs:
                access.pairs.add((branch_id, role))
                access.delegated.add((branch_id, role))
    if getattr(user, "is_superuser", False):
        access.hq_roles.add(Role.ADMIN)
    return access


def access_of(user: Any) -> Access:
    """The user's access, computed once per request (cached on the user object)."""
    cached = getattr(user, "_punkt_access", None)
    if cached is None:
        cached = compute_access(user)
        if user is not None:
            with contextlib.suppress(AttributeError):
                user._punkt_access = cached
    return cached


def can(user: Any, code: str, branch_id: int | None = None) -> bool:
    return access_of(user).can(code, branch_id)


def ensure(user: Any, code: str, branch_id: int | None = None) -> None:
    """Raise :class:`ActionDenied` unless ``user`` may do ``code`` (in ``branch_id``).

    The refusal is audited by the interface that catches it (page, API, command), outside
    the service's transaction, so the audit row survives the rollback.
    """
    if can(user, code, branch_id):
        return
    action = registry.get(code)
    if branch_id is not None and access_of(user).can(code):
        reason = _("You may not “%(action)s” in this branch: your roles are held in another "
                   "branch.") % {"action": action.label}
    else:
        reason = _("Your role does not allow you to “%(action)s”.") % {"action": action.label}
    err = ActionDenied(reason, action=code)
    err.branch_id = branch_id
    raise err


class SystemActor:
    """The operator at the command line (``punkt user_add`` …) or a scheduled job.

    Holds administrator rights; audit rows name it by ``label`` instead of an employee.
    """

    pk = None
    id = None
    is_authenticated = True
    is_active = True
    is_superuser = False
    email = ""

    def __init__(self, label: str) -> None:
        self.label = label
        self._punkt_access = Access(user_id=None, hq_roles={Role.ADMIN, Role.HQ_EXPERT})

    def __str__(self) -> str:
        return self.label
