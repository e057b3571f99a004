"""Who may do what, where.

Layer 1 — the registry (``punkt.core.permissions``): action → roles, declared below for
this app. Layer 2 — row scoping: branch roles act only in their branch; HQ roles
(HQ expert, administrator) act in every branch. Substitutes hold an absent colleague's
branch roles while the absence lasts.
"""

from __future__ import annotations

import datetime
import functools
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
    HQ roles and what substitutes hold while a colleague is absent.

    Read on every request, so it is one hand-written statement (:func:`_access_sql`): the
    ORM took ≈ 1.3 ms per request to build the same query (measured with
    ``bench/profile_payment.py``). :func:`compute_access_reference` is the ORM's version;
    the tests check both give the same answer."""
    from django.db import connection

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Access(user_id=None)
    today = today or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(_access_sql(), [user.pk, user.pk, today, today])
        rows = cursor.fetchall()
    return _access_from(user, [(b, r, bool(d)) for b, r, d in rows])


@functools.cache
def _access_sql() -> str:
    from punkt.organization.models import Absence, Branch, Membership

    m, b, a = Membership._meta.db_table, Branch._meta.db_table, Absence._meta.db_table
    # The user's own memberships in active branches, then (UNION ALL) the memberships of
    # colleagues absent today whom the user stands in for: the substitute holds their
    # branch roles there while the absence lasts.
    # The names are the models' own tables; every value goes as a parameter.
    own = (f'SELECT m.branch_id, m.role, 0 AS delegated FROM "{m}" m '  # noqa: S608
           f'JOIN "{b}" b ON b.id = m.branch_id '
           "WHERE m.employee_id = %s AND m.is_active AND b.is_active")
    standing_in = (f'SELECT m.branch_id, m.role, 1 FROM "{m}" m '  # noqa: S608
                   f'WHERE m.is_active AND EXISTS (SELECT 1 FROM "{a}" u '
                   "WHERE u.branch_id = m.branch_id AND u.employee_id = m.employee_id "
                   "AND u.substitute_id = %s AND u.starts_on <= %s AND u.ends_on >= %s)")
    return f"{own} UNION ALL {standing_in}"


@functools.cache
def _employee_with_access_sql() -> str:
    from punkt.organization.models import Employee

    return (f'SELECT e.*, x.branch_id AS access_branch_id, x.role AS access_role, '  # noqa: S608
            f'x.delegated AS access_delegated FROM "{Employee._meta.db_table}" e '
            f"LEFT JOIN ({_access_sql()}) x ON 1 = 1 WHERE e.id = %s")


def employee_with_access(user_id: Any, today: datetime.date | None = None) -> Any:
    """The employee ``user_id`` with their access already computed (``access_of`` reads it
    from the object), in one statement: the employee's row joined with the rows of
    :func:`_access_sql` (a raw query, so the fields' converters apply as in the ORM).
    ``None`` when there is no such employee."""
    from punkt.organization.models import Employee

    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    today = today or timezone.localdate()
    rows = list(Employee.objects.raw(_employee_with_access_sql(), [pk, pk, today, today, pk]))
    if not rows:
        return None
    user = rows[0]
    if user.is_active:
        user._punkt_access = _access_from(  # type: ignore[attr-defined]
            user, [(r.__dict__["access_branch_id"], r.__dict__["access_role"],
                    bool(r.__dict__["access_delegated"]))
                   for r in rows if r.__dict__["access_branch_id"] is not None])
    for name in ("access_branch_id", "access_role", "access_delegated"):
        user.__dict__.pop(name, None)
    return user


def with_access(employees: list[Any], today: datetime.date | None = None) -> list[Any]:
    """``employees`` with their access computed for all of them in one statement (the rows
    of :func:`_access_sql` for many users at once), so ``can(e, …)`` over a list of people —
    the owners an action may be given to — reads no further rows. Returns the list."""
    from django.db import connection

    from punkt.organization.models import Absence, Branch, Membership

    people = [e for e in employees if getattr(e, "is_active", False)]
    if not people:
        return employees
    today = today or timezone.localdate()
    m, b, a = Membership._meta.db_table, Branch._meta.db_table, Absence._meta.db_table
    marks = ", ".join(["%s"] * len(people))
    ids = [e.pk for e in people]
    sql = (f'SELECT m.employee_id, m.branch_id, m.role, 0 FROM "{m}" m '  # noqa: S608
           f'JOIN "{b}" b ON b.id = m.branch_id '
           f"WHERE m.employee_id IN ({marks}) AND m.is_active AND b.is_active "
           f'UNION ALL SELECT u.substitute_id, m.branch_id, m.role, 1 FROM "{m}" m '
           f'JOIN "{a}" u ON u.branch_id = m.branch_id AND u.employee_id = m.employee_id '
           f"WHERE m.is_active AND u.substitute_id IN ({marks}) "
           "AND u.starts_on <= %s AND u.ends_on >= %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, *ids, today, today])
        rows = cursor.fetchall()
    by_user: dict[int, list[tuple[int, str, bool]]] = {pk: [] for pk in ids}
    for uid, branch_id, role, delegated in rows:
        by_user[uid].append((branch_id, role, bool(delegated)))
    for e in people:
        e._punkt_access = _access_from(e, by_user[e.pk])
    return employees


def _access_from(user: Any, rows: list[tuple[int, str, bool]]) -> Access:
    access = Access(user_id=user.pk)
    for branch_id, role, delegated in sorted(rows, key=lambda row: row[2]):  # own first
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


def compute_access_reference(user: Any, today: datetime.date | None = None) -> Access:
    """The definition of :func:`compute_access` in the ORM (for the equivalence test)."""
    from punkt.organization.models import Absence, Membership

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Access(user_id=None)
    today = today or timezone.localdate()
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
    return _access_from(user, list(own.union(standing_in, all=True)))
