"""Changes to the organisation. Every function checks permission, validates, saves and
audits in one transaction; a refused or invalid call changes nothing."""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.core import permissions as registry
from punkt.core.audit import audit_record, diff, snapshot
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.core.roles import HQ_ROLES, MFA_DEFAULT_ROLES, Role
from punkt.core.scoping import branch_ids_visible
from punkt.organization import permissions as perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import (
    Absence,
    AbsenceKind,
    ApiToken,
    Branch,
    BranchDayOff,
    BranchKind,
    Employee,
    Membership,
    OpeningHours,
    RolePolicy,
    WorkingHours,
)

POSTAL_CODE = re.compile(r"^\d{2}-\d{3}$")

#: Called, in the change's transaction, when a branch starts serving customers (created
#: open, reopened, or turned into a branch). Areas of higher layers register here —
#: materials sends the new branch the versions in force — so organisation imports none.
_BRANCH_OPENED: list[Callable[[Branch], object]] = []


def on_branch_opened(hook: Callable[[Branch], Any]) -> Callable[[Branch], Any]:
    """Register ``hook(branch)`` (a decorator); registering twice has no effect."""
    if hook not in _BRANCH_OPENED:
        _BRANCH_OPENED.append(hook)
    return hook


#: Called with the branch id (None: company-wide) after a day off is added or removed:
#: the service desk moves its open tickets' SLA moments (working time changed).
_DAYS_OFF_CHANGED: list[Callable[[int | None], object]] = []


def on_days_off_changed(hook: Callable[[int | None], Any]) -> Callable[[int | None], Any]:
    """Register ``hook(branch_id)`` (a decorator); registering twice has no effect."""
    if hook not in _DAYS_OFF_CHANGED:
        _DAYS_OFF_CHANGED.append(hook)
    return hook


def _days_off_changed(branch_id: int | None) -> None:
    for hook in _DAYS_OFF_CHANGED:
        hook(branch_id)


def _serves(branch: Branch) -> bool:
    return branch.kind == BranchKind.BRANCH and branch.is_active


def _branch_opened(branch: Branch) -> None:
    for hook in _BRANCH_OPENED:
        hook(branch)
BRANCH_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")
PHONE = re.compile(r"^\+?[0-9 ()-]{9,20}$")

BRANCH_FIELDS = ["code", "name", "street", "postal_code", "city", "phone", "email", "is_active"]
EMPLOYEE_FIELDS = ["email", "first_name", "last_name", "phone", "language", "is_active"]


def _required(value: Any, field: str, label: str) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if not text:
        raise ValidationFailed("required", _("%(field)s is required.") % {"field": label},
                               field=field)
    return text


def _clean_branch(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    out["code"] = _required(data.get("code"), "code", _("Code")).upper()
    if not BRANCH_CODE.match(out["code"]):
        raise ValidationFailed(
            "invalid", _("Code may contain only letters A–Z, digits and “-” (2–20 characters)."),
            field="code")
    out["name"] = _required(data.get("name"), "name", _("Name"))[:200]
    out["street"] = _required(data.get("street"), "street", _("Street and number"))[:200]
    out["postal_code"] = _required(data.get("postal_code"), "postal_code", _("Postal code"))
    if not POSTAL_CODE.match(out["postal_code"]):
        raise ValidationFailed("invalid", _("Postal code must look like 00-950."),
                               field="postal_code")
    out["city"] = _required(data.get("city"), "city", _("City"))[:100]
    phone = (data.get("phone") or "").strip()
    if phone and not PHONE.match(phone):
        raise ValidationFailed("invalid", _("Phone number may contain digits, spaces and a "
                                            "leading +, 9–20 characters."), field="phone")
    out["phone"] = phone
    email = (data.get("email") or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            raise ValidationFailed("invalid", _("Enter a valid e-mail address."),
                                   field="email") from None
    out["email"] = email
    out["is_active"] = bool(data.get("is_active", True))
    return out


@transaction.atomic
def branch_create(*, actor: Actor, kind: str = BranchKind.BRANCH, **data: Any) -> Branch:
    perms.ensure(actor, perms.BRANCH_MANAGE.code)
    if kind not in BranchKind.values:
        raise ValidationFailed("invalid", _("Unknown branch kind."), field="kind")
    clean = _clean_branch(data)
    if kind == BranchKind.HQ and Branch.objects.filter(kind=BranchKind.HQ).exists():
        raise ValidationFailed("hq_exists", _("There is already a headquarters."), field="kind")
    if Branch.objects.filter(code=clean["code"]).exists():
        raise ValidationFailed("duplicate", _("A branch with code %(code)s already exists.")
                               % {"code": clean["code"]}, field="code")
    branch = Branch.objects.create(kind=kind, **clean)
    audit_record(action="organization.branch.create", obj=branch, actor=actor,
                 branch_id=branch.pk, changes=diff({}, snapshot(branch, BRANCH_FIELDS)))
    if _serves(branch):
        _branch_opened(branch)
    return branch


@transaction.atomic
def branch_update(*, actor: Actor, branch_id: int, **data: Any) -> Branch:
    branch = Branch.objects.locked(branch_id, missing=_("Branch not found."))
    perms.ensure(actor, perms.BRANCH_MANAGE.code, branch.pk)
    before = snapshot(branch, BRANCH_FIELDS)
    served = _serves(branch)
    merged = {**before, **{k: v for k, v in data.items() if k in BRANCH_FIELDS}}
    clean = _clean_branch(merged)
    if clean["code"] != branch.code and Branch.objects.filter(code=clean["code"]).exists():
        raise ValidationFailed("duplicate", _("A branch with code %(code)s already exists.")
                               % {"code": clean["code"]}, field="code")
    if branch.is_hq and not clean["is_active"]:
        raise ValidationFailed("invalid", _("The headquarters cannot be deactivated."),
                               field="is_active")
    for key, value in clean.items():
        setattr(branch, key, value)
    branch.save()
    changes = diff(before, snapshot(branch, BRANCH_FIELDS))
    if changes:
        audit_record(action="organization.branch.update", obj=branch, actor=actor,
                     branch_id=branch.pk, changes=changes)
    if _serves(branch) and not served:
        _branch_opened(branch)
    return branch


def _parse_iso(value: Any, field: str, kind: Any, message: str) -> Any:
    if isinstance(value, kind):
        return value
    try:
        return kind.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed("invalid", message, field=field) from None


def _parse_time(value: Any, field: str) -> datetime.time:
    return _parse_iso(value, field, datetime.time, _("Enter a time as HH:MM."))


def _clean_week(hours: Iterable[dict[str, Any]], prefix: str, start_key: str,
                end_key: str) -> list[tuple[int, datetime.time, datetime.time]]:
    seen: set[int] = set()
    out = []
    for row in hours:
        try:
            weekday = int(row.get("weekday"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValidationFailed("invalid", _("Weekday must be 0 (Monday) to 6 (Sunday)."),
                                   field=f"{prefix}weekday") from None
        if not 0 <= weekday <= 6:
            raise ValidationFailed("invalid", _("Weekday must be 0 (Monday) to 6 (Sunday)."),
                                   field=f"{prefix}weekday")
        if weekday in seen:
            raise ValidationFailed("duplicate", _("Each weekday may appear once."),
                                   field=f"{prefix}{weekday}")
        seen.add(weekday)
        start = _parse_time(row.get(start_key), f"{prefix}{weekday}_{start_key}")
        end = _parse_time(row.get(end_key), f"{prefix}{weekday}_{end_key}")
        if start >= end:
            raise ValidationFailed("invalid", _("The closing time must be after the opening "
                                                "time."), field=f"{prefix}{weekday}_{end_key}")
        out.append((weekday, start, end))
    return out


@transaction.atomic
def opening_hours_set(*, actor: Actor, branch_id: int, hours: Iterable[dict[str, Any]]
                      ) -> list[OpeningHours]:
    """Replace the branch's weekly opening hours. Days not listed are closed."""
    branch = Branch.objects.locked(branch_id, missing=_("Branch not found."))
    perms.ensure(actor, perms.BRANCH_MANAGE.code, branch.pk)
    week = _clean_week(hours, "", "opens", "closes")
    before = {str(h.weekday): f"{h.opens:%H:%M}-{h.closes:%H:%M}"
              for h in branch.opening_hours.all()}
    branch.opening_hours.all().delete()
    rows = OpeningHours.objects.bulk_create(
        [OpeningHours(branch=branch, weekday=d, opens=o, closes=c) for d, o, c in week])
    after = {str(d): f"{o:%H:%M}-{c:%H:%M}" for d, o, c in week}
    audit_record(action="organization.opening_hours.set", obj=branch, actor=actor,
                 branch_id=branch.pk, changes=diff(before, after))
    return rows


def _clean_employee(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    email = _required(data.get("email"), "email", _("E-mail")).lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed("invalid", _("Enter a valid e-mail address."),
                               field="email") from None
    out["email"] = email
    out["first_name"] = _required(data.get("first_name"), "first_name", _("First name"))[:100]
    out["last_name"] = _required(data.get("last_name"), "last_name", _("Last name"))[:100]
    phone = (data.get("phone") or "").strip()
    if phone and not PHONE.match(phone):
        raise ValidationFailed("invalid", _("Phone number may contain digits, spaces and a "
                                            "leading +, 9–20 characters."), field="phone")
    out["phone"] = phone
    language = data.get("language") or "pl"
    if language not in ("pl", "en"):
        raise ValidationFailed("invalid", _("Language must be pl or en."), field="language")
    out["language"] = language
    out["is_active"] = bool(data.get("is_active", True))
    return out


def _check_password(password: str, user: Employee | None = None) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed("weak_password", " ".join(exc.messages), field="password") from None


@transaction.atomic
def employee_create(*, actor: Actor, password: str | None = None,
                    memberships: Iterable[tuple[int, str]] = (), **data: Any) -> Employee:
    """Create an employee with optional initial memberships ``(branch_id, role)``."""
    perms.ensure(actor, perms.EMPLOYEE_MANAGE.code)
    clean = _clean_employee(data)
    if Employee.objects.filter(email__iexact=clean["email"]).exists():
        raise ValidationFailed("duplicate", _("An employee with this e-mail already exists."),
                               field="email")
    employee = Employee(**clean)
    if password:
        _check_password(password, employee)
        employee.set_password(password)
    else:
        employee.set_unusable_password()
    employee.save()
    audit_record(action="organization.employee.create", obj=employee, actor=actor,
                 changes=diff({}, snapshot(employee, EMPLOYEE_FIELDS)))
    for branch_id, role in memberships:
        membership_add(actor=actor, employee_id=employee.pk, branch_id=branch_id, role=role)
    return employee


def _get_employee(employee_id: int, *, for_update: bool = False) -> Employee:
    """Fetch (and optionally lock) an employee; permission is checked by the caller."""
    qs = Employee.objects.select_for_update() if for_update else Employee.objects.all()
    employee = qs.filter(pk=employee_id).first()
    if employee is None:
        raise NotFound(_("Employee not found."))
    return employee


def _ensure_employee_manage(actor: Actor, employee: Employee) -> None:
    """Managing employees; administrators' accounts only by administrators."""
    perms.ensure(actor, perms.EMPLOYEE_MANAGE.code)
    if _is_admin(employee.pk):
        perms.ensure(actor, perms.ADMIN_MANAGE.code)


def _is_admin(employee_id: int) -> bool:
    return Membership.objects.filter(employee_id=employee_id, role=Role.ADMIN,
                                     is_active=True).exists()


@transaction.atomic
def employee_update(*, actor: Actor, employee_id: int, **data: Any) -> Employee:
    employee = _get_employee(employee_id, for_update=True)
    _ensure_employee_manage(actor, employee)
    before = snapshot(employee, EMPLOYEE_FIELDS)
    merged = {**before, **{k: v for k, v in data.items() if k in EMPLOYEE_FIELDS}}
    clean = _clean_employee(merged)
    if clean["email"] != employee.email and Employee.objects.filter(
            email__iexact=clean["email"]).exclude(pk=employee.pk).exists():
        raise ValidationFailed("duplicate", _("An employee with this e-mail already exists."),
                               field="email")
    if not clean["is_active"] and employee.pk == actor.pk:
        raise ValidationFailed("invalid", _("You cannot deactivate your own account."),
                               field="is_active")
    for key, value in clean.items():
        setattr(employee, key, value)
    employee.save()
    changes = diff(before, snapshot(employee, EMPLOYEE_FIELDS))
    if changes:
        audit_record(action="organization.employee.update", obj=employee, actor=actor,
                     changes=changes)
    return employee


@transaction.atomic
def employee_set_password(*, actor: Actor, employee_id: int, password: str) -> Employee:
    employee = _get_employee(employee_id, for_update=True)
    if employee.pk != actor.pk:
        _ensure_employee_manage(actor, employee)
    _check_password(password, employee)
    employee.set_password(password)  # also invalidates the employee's other sessions
    employee.save(update_fields=["password"])
    audit_record(action="organization.employee.set_password", obj=employee, actor=actor,
                 changes={"password": ["***", "***"]})
    return employee


@transaction.atomic
def membership_add(*, actor: Actor, employee_id: int, branch_id: int, role: str) -> Membership:
    perms.ensure(actor, perms.EMPLOYEE_MANAGE.code, branch_id)
    if role not in Role.values:
        raise ValidationFailed("invalid", _("Unknown role."), field="role")
    employee = _get_employee(employee_id)
    if role == Role.ADMIN or _is_admin(employee.pk):
        perms.ensure(actor, perms.ADMIN_MANAGE.code)
    branch = Branch.objects.filter(pk=branch_id).first()
    if branch is None:
        raise ValidationFailed("invalid", _("Unknown branch."), field="branch")
    if role in HQ_ROLES and not branch.is_hq:
        raise ValidationFailed("invalid", _("HQ roles are held at the headquarters."),
                               field="branch")
    if role not in HQ_ROLES and branch.is_hq:
        raise ValidationFailed("invalid", _("Branch roles are held at a branch, not at the "
                                            "headquarters."), field="branch")
    if not branch.is_active:
        raise ValidationFailed("invalid", _("The branch is not active."), field="branch")
    membership, created = Membership.objects.get_or_create(
        employee=employee, branch=branch, role=role, defaults={"is_active": True})
    if not created:
        if membership.is_active:
            raise ValidationFailed("duplicate", _("The employee already holds this role in this "
                                                  "branch."), field="role")
        membership.is_active = True
        membership.save(update_fields=["is_active", "updated_at"])
    audit_record(action="organization.membership.add", obj=membership, actor=actor,
                 branch_id=branch.pk, changes={"role": [None, role],
                                               "employee": [None, employee.pk]})
    return membership


@transaction.atomic
def membership_remove(*, actor: Actor, membership_id: int) -> Membership:
    membership = Membership.objects.locked(membership_id, missing=_("Membership not found."))
    perms.ensure(actor, perms.EMPLOYEE_MANAGE.code, membership.branch_id)
    if membership.role == Role.ADMIN or _is_admin(membership.employee_id):
        perms.ensure(actor, perms.ADMIN_MANAGE.code)
    if (membership.employee_id == actor.pk
            and membership.role == Role.ADMIN):
        raise ValidationFailed("invalid", _("You cannot withdraw your own administrator role."),
                               field="role")
    if not membership.is_active:
        raise Conflict("already_removed", _("This role was already withdrawn."))
    membership.is_active = False
    membership.save(update_fields=["is_active", "updated_at"])
    audit_record(action="organization.membership.remove", obj=membership, actor=actor,
                 branch_id=membership.branch_id, changes={"is_active": [True, False]})
    return membership


@transaction.atomic
def working_hours_set(*, actor: Actor, employee_id: int, branch_id: int,
                      hours: Iterable[dict[str, Any]]) -> list[WorkingHours]:
    perms.ensure(actor, perms.SCHEDULE_EDIT.code, branch_id)
    employee = _get_employee(employee_id)
    if not Membership.objects.filter(employee=employee, branch_id=branch_id,
                                     is_active=True).exists():
        raise ValidationFailed("invalid", _("The employee does not work in this branch."),
                               field="employee")
    week = _clean_week(hours, "", "starts", "ends")
    qs = WorkingHours.objects.select_for_update().filter(employee=employee, branch_id=branch_id)
    before = {str(h.weekday): f"{h.starts:%H:%M}-{h.ends:%H:%M}" for h in qs}
    qs.delete()
    rows = WorkingHours.objects.bulk_create(
        [WorkingHours(employee=employee, branch_id=branch_id, weekday=d, starts=s, ends=e)
         for d, s, e in week])
    after = {str(d): f"{s:%H:%M}-{e:%H:%M}" for d, s, e in week}
    audit_record(action="organization.working_hours.set", obj=employee, actor=actor,
                 branch_id=branch_id, changes=diff(before, after))
    return rows


def _parse_date(value: Any, field: str) -> datetime.date:
    return _parse_iso(value, field, datetime.date, _("Enter a date as YYYY-MM-DD."))


@transaction.atomic
def absence_create(*, actor: Actor, employee_id: int, branch_id: int, kind: str,
                   starts_on: Any, ends_on: Any, substitute_id: int | None = None,
                   note: str = "") -> Absence:
    perms.ensure(actor, perms.SCHEDULE_EDIT.code, branch_id)
    if kind not in AbsenceKind.values:
        raise ValidationFailed("invalid", _("Unknown kind of absence."), field="kind")
    start = _parse_date(starts_on, "starts_on")
    end = _parse_date(ends_on, "ends_on")
    if end < start:
        raise ValidationFailed("invalid", _("The absence cannot end before it starts."),
                               field="ends_on")
    if (end - start).days > 366:
        raise ValidationFailed("invalid", _("An absence may last at most a year."),
                               field="ends_on")
    # Lock the employee row so two managers cannot book overlapping absences at once.
    employee = _get_employee(employee_id, for_update=True)
    if not Membership.objects.filter(employee=employee, branch_id=branch_id,
                                     is_active=True).exists():
        raise ValidationFailed("invalid", _("The employee does not work in this branch."),
                               field="employee")
    if Absence.objects.filter(employee=employee, starts_on__lte=end, ends_on__gte=start).exists():
        raise ValidationFailed("overlap", _("The employee already has an absence in this "
                                            "period."), field="starts_on")
    substitute = None
    if substitute_id:
        if int(substitute_id) == employee.pk:
            raise ValidationFailed("invalid", _("An employee cannot substitute for themselves."),
                                   field="substitute")
        substitute = Employee.objects.filter(pk=substitute_id, is_active=True).first()
        if substitute is None:
            raise ValidationFailed("invalid", _("Choose an active employee as the substitute."),
                                   field="substitute")
        if Absence.objects.filter(employee=substitute, starts_on__lte=end,
                                  ends_on__gte=start).exists():
            raise ValidationFailed("unavailable", _("The substitute is absent in this period."),
                                   field="substitute")
    absence = Absence.objects.create(employee=employee, branch_id=branch_id, kind=kind,
                                     starts_on=start, ends_on=end, substitute=substitute,
                                     note=(note or "")[:300],
                                     created_by=employee_of(actor))
    audit_record(action="organization.absence.create", obj=absence, actor=actor,
                 branch_id=branch_id,
                 changes=diff({}, snapshot(absence, ["employee", "kind", "starts_on", "ends_on",
                                                     "substitute"])))
    return absence


@transaction.atomic
def absence_delete(*, actor: Actor, absence_id: int) -> None:
    absence = Absence.objects.locked(absence_id, missing=_("Absence not found."))
    perms.ensure(actor, perms.SCHEDULE_EDIT.code, absence.branch_id)
    audit_record(action="organization.absence.delete", obj=absence, actor=actor,
                 branch_id=absence.branch_id,
                 changes=diff(snapshot(absence, ["employee", "kind", "starts_on", "ends_on",
                                                 "substitute"]), {}))
    absence.delete()


TOKEN_PREFIX = "pkt_"


@transaction.atomic
def api_token_create(*, actor: Actor, name: str, expires_in_days: int | None = None
                     ) -> tuple[ApiToken, str]:
    """Create a personal token. Returns the row and the secret, which is never shown again."""
    perms.ensure(actor, perms.TOKEN_MANAGE_OWN.code)
    employee = employee_of(actor)
    if employee is None:  # the operator or a job holds no tokens of its own
        raise TypeError("API tokens belong to employees")
    name = _required(name, "name", _("Name"))[:100]
    if expires_in_days is not None and not 1 <= int(expires_in_days) <= 730:
        raise ValidationFailed("invalid", _("A token may be valid for 1 to 730 days."),
                               field="expires_in_days")
    if ApiToken.objects.filter(employee=employee, revoked_at__isnull=True).count() >= 20:
        raise ValidationFailed("limit", _("You have 20 active tokens; revoke one first."),
                               field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        employee=employee, name=name, prefix=secret[len(TOKEN_PREFIX):][:8],
        key_hash=ApiToken.hash_key(secret),
        expires_at=(timezone.now() + datetime.timedelta(days=int(expires_in_days))
                    if expires_in_days else None),
    )
    audit_record(action="organization.token.create", obj=token, actor=actor,
                 changes={"name": [None, name]})
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: Actor, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None or (token.employee_id != actor.pk
                         and not perms.can(actor, perms.EMPLOYEE_MANAGE.code)):
        raise NotFound(_("Token not found."))
    if token.employee_id != actor.pk and _is_admin(token.employee_id):
        perms.ensure(actor, perms.ADMIN_MANAGE.code)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action="organization.token.revoke", obj=token, actor=actor,
                     changes={"revoked_at": [None, str(token.revoked_at)]})
    return token


def api_token_authenticate(secret: str) -> Employee | None:
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = (ApiToken.objects.select_related("employee")
             .filter(key_hash=ApiToken.hash_key(secret)).first())
    if token is None or not token.is_usable or not token.employee.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.employee


@transaction.atomic
def role_policy_set(*, actor: Actor, role: str, mfa_required: bool) -> RolePolicy:
    perms.ensure(actor, perms.ROLE_POLICY_MANAGE.code)
    if role not in Role.values:
        raise ValidationFailed("invalid", _("Unknown role."), field="role")
    if not mfa_required and role in registry.mfa_mandatory_roles():
        raise ValidationFailed("mfa_mandatory", _(
            "MFA cannot be switched off for the role “%(role)s”: it can export data, handle "
            "cash or manage access.") % {"role": Role(role).label}, field=role)
    policy, _created = RolePolicy.objects.select_for_update().get_or_create(
        role=role, defaults={"mfa_required": role in MFA_DEFAULT_ROLES})
    before = policy.mfa_required
    policy.mfa_required = bool(mfa_required)
    policy.save()
    cache.delete(MFA_ROLES_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(MFA_ROLES_CACHE_KEY))
    if before != policy.mfa_required:
        audit_record(action="organization.role_policy.set", obj=policy, actor=actor,
                     changes={"mfa_required": [before, policy.mfa_required]})
    return policy


@transaction.atomic
def role_policies_set(*, actor: Actor, mfa_required: dict[str, bool]) -> None:
    """Set several roles' MFA requirement at once: all or none."""
    for role, required in mfa_required.items():
        role_policy_set(actor=actor, role=role, mfa_required=required)


MFA_ROLES_CACHE_KEY = "punkt:mfa_required_roles"


def mfa_required_roles() -> set[str]:
    """Roles whose holders must use MFA: the roles with export, cash or admin rights
    (the registry's kinds, always) and those an administrator added; the policies are
    cached (read on every page by the middleware)."""
    cached = cache.get(MFA_ROLES_CACHE_KEY)
    if cached is None:
        rows = dict(RolePolicy.objects.values_list("role", "mfa_required"))
        cached = {r for r in Role.values if rows.get(r, r in MFA_DEFAULT_ROLES)}
        cache.set(MFA_ROLES_CACHE_KEY, cached, 300)
    return set(cached) | registry.mfa_mandatory_roles()



@transaction.atomic
def day_off_add(*, actor: Actor, date: Any, name: str, branch_id: int | None = None
                ) -> BranchDayOff:
    """A company-wide (``branch_id=None``, HQ only) or branch day off."""
    if branch_id is None:
        perms.ensure(actor, perms.BRANCH_MANAGE.code)
        if branch_ids_visible(actor, perms.BRANCH_MANAGE) is not None:
            raise ValidationFailed("invalid", _("Only HQ may add a company-wide day off."),
                                   field="branch")
    else:
        perms.ensure(actor, perms.BRANCH_MANAGE.code, branch_id)
    day = _parse_date(date, "date")
    name = _required(name, "name", _("Name"))[:100]
    same_scope = (BranchDayOff.objects.filter(branch_id=branch_id) if branch_id is not None
                  else BranchDayOff.objects.filter(branch__isnull=True))
    if same_scope.filter(date=day).exists():
        raise ValidationFailed("duplicate", _("This day is already a day off."), field="date")
    row = BranchDayOff.objects.create(branch_id=branch_id, date=day, name=name)
    audit_record(action="organization.day_off.add", obj=row, actor=actor, branch_id=branch_id,
                 changes={"date": [None, str(day)], "name": [None, name]})
    _days_off_changed(branch_id)
    return row


@transaction.atomic
def day_off_remove(*, actor: Actor, day_off_id: int) -> None:
    row = BranchDayOff.objects.locked(day_off_id, missing=_("Day off not found."))
    perms.ensure(actor, perms.BRANCH_MANAGE.code, row.branch_id)
    audit_record(action="organization.day_off.remove", obj=row, actor=actor,
                 branch_id=row.branch_id, changes={"date": [str(row.date), None]})
    branch_id = row.branch_id
    row.delete()
    _days_off_changed(branch_id)
