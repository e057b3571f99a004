from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from punkt.core.calendar import polish_holidays
from punkt.core.errors import NotFound, ValidationFailed
from punkt.core.forms import apply_error, submit_inline_form
from punkt.core.paging import paginate
from punkt.core.roles import Role
from punkt.core.routes import scoped
from punkt.core.web import bool_param, date_param, is_htmx, refusals_as_messages
from punkt.organization import permissions as perms
from punkt.organization import selectors, services
from punkt.organization.actors import Actor, employee_of
from punkt.organization.filters import EmployeeFilter, branch_picker
from punkt.organization.forms import (
    AbsenceForm,
    BranchForm,
    DayOffForm,
    EmployeeCreateForm,
    EmployeeForm,
    MembershipForm,
    PasswordForm,
    RolePolicyForm,
    TokenForm,
    WeekHoursForm,
)
from punkt.organization.models import (
    Absence,
    ApiToken,
    Branch,
    BranchDayOff,
    BranchKind,
    Employee,
    Membership,
)


@scoped("list")
@login_required
def branch_list(request: HttpRequest) -> HttpResponse:
    perms.ensure(request.user, perms.BRANCH_VIEW.code)
    sort = request.GET.get("sort", "name")
    qs = selectors.branch_list(user=request.user, q=request.GET.get("q", "").strip(),
                               active=bool_param(request.GET.get("active")),
                               kind=request.GET.get("kind", ""), sort=sort)
    listing = paginate(request, qs, sort=sort)
    template = "organization/branch_list.html"
    if is_htmx(request):
        template += "#results"
    return render(request, template, {"listing": listing, "kinds": BranchKind.choices,
                                      "can_manage": perms.can(request.user,
                                                              perms.BRANCH_MANAGE.code)})


@scoped("branch")
@login_required
def branch_detail(request: HttpRequest, branch_id: int) -> HttpResponse:
    branch = selectors.branch_get(user=request.user, branch_id=branch_id)
    access = perms.access_of(request.user)
    staff_count = (Membership.objects.visible_to(request.user, perms.BRANCH_VIEW,
                                                 branch_id=branch.pk)
                   .filter(is_active=True).values("employee").distinct().count())
    today = timezone.localdate()
    days_off = selectors.days_off_of(request.user, branch).filter(
        date__gte=today).order_by("date")[:20]
    holidays = [(d, n) for d, n in sorted(polish_holidays(today.year).items()) if d >= today]
    holidays += sorted(polish_holidays(today.year + 1).items())[:3]
    return render(request, "organization/branch_detail.html", {
        "branch": branch, "opening_hours": list(branch.opening_hours.all()),
        "days_off": days_off, "holidays": holidays[:6], "day_off_form": DayOffForm(),
        "staff_count": staff_count,
        "can_manage": access.can(perms.BRANCH_MANAGE.code, branch.pk),
        "can_schedule": access.can(perms.SCHEDULE_VIEW.code, branch.pk),
        "can_staff": access.can(perms.EMPLOYEE_VIEW.code, branch.pk),
    })


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def branch_create(request: HttpRequest) -> HttpResponse:
    perms.ensure(request.user, perms.BRANCH_MANAGE.code)
    form = BranchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            branch = services.branch_create(actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Branch %(name)s created.") % {"name": branch.name})
            return redirect("organization:branch_detail", branch_id=branch.pk)
    return render(request, "organization/branch_form.html", {"form": form, "branch": None})


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def branch_edit(request: HttpRequest, branch_id: int) -> HttpResponse:
    branch = selectors.branch_get(user=request.user, branch_id=branch_id)
    perms.ensure(request.user, perms.BRANCH_MANAGE.code, branch.pk)
    initial = {f: getattr(branch, f) for f in services.BRANCH_FIELDS}
    form = BranchForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.branch_update(actor=request.user, branch_id=branch.pk, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("organization:branch_detail", branch_id=branch.pk)
    return render(request, "organization/branch_form.html", {"form": form, "branch": branch})


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def opening_hours_edit(request: HttpRequest, branch_id: int) -> HttpResponse:
    branch = selectors.branch_get(user=request.user, branch_id=branch_id)
    perms.ensure(request.user, perms.BRANCH_MANAGE.code, branch.pk)
    initial = WeekHoursForm.initial_from(branch.opening_hours.all(), "opens", "closes")
    form = WeekHoursForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.opening_hours_set(actor=request.user, branch_id=branch.pk,
                                       hours=form.hours())
        except ValidationFailed as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Opening hours saved."))
            return redirect("organization:branch_detail", branch_id=branch.pk)
    return render(request, "organization/hours_form.html", {
        "form": form, "title": _("Opening hours — %(name)s") % {"name": branch.name},
        "back": branch})


@scoped("list")
@login_required
def employee_list(request: HttpRequest) -> HttpResponse:
    perms.ensure(request.user, perms.EMPLOYEE_VIEW.code)
    found = EmployeeFilter(request.GET, queryset=selectors.employee_list(user=request.user))
    listing = paginate(request, found.qs, sort=found.sort)
    template = "organization/employee_list.html"
    if is_htmx(request):
        template += "#results"
    return render(request, template, {
        "listing": listing, "roles": Role.choices,
        "branch_picker": branch_picker(request.user, perms.BRANCH_VIEW.code,
                                       request.GET.get("branch", "")),
        "can_manage": perms.can(request.user, perms.EMPLOYEE_MANAGE.code)})


@scoped("branch")
@login_required
def employee_detail(request: HttpRequest, employee_id: int) -> HttpResponse:
    perms.ensure(request.user, perms.EMPLOYEE_VIEW.code)
    employee = selectors.employee_get(user=request.user, employee_id=employee_id)
    can_manage = perms.can(request.user, perms.EMPLOYEE_MANAGE.code)
    form = MembershipForm(branches=selectors.branches_visible_to(request.user).filter(
        is_active=True)) if can_manage else None
    memberships = employee.memberships.select_related("branch").order_by(
        "-is_active", "branch__name")
    absences = employee.absences.filter(ends_on__gte=timezone.localdate()).select_related(
        "substitute", "branch")
    # Branch staff: only what happens in their branches.
    memberships = memberships.visible_to(request.user, perms.EMPLOYEE_VIEW)
    absences = absences.visible_to(request.user, perms.EMPLOYEE_VIEW)
    return render(request, "organization/employee_detail.html", {
        "employee": employee, "can_manage": can_manage, "membership_form": form,
        "memberships": memberships, "absences": absences,
    })


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def employee_create(request: HttpRequest) -> HttpResponse:
    perms.ensure(request.user, perms.EMPLOYEE_MANAGE.code)
    branches = selectors.branches_visible_to(request.user).filter(is_active=True)
    form = EmployeeCreateForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        branch, role = data.pop("branch"), data.pop("role")
        memberships = [(branch.pk, role)] if branch and role else []
        if bool(branch) != bool(role):
            form.add_error("role", _("Choose both a branch and a role, or neither."))
        else:
            try:
                employee = services.employee_create(actor=request.user, memberships=memberships,
                                                    **data)
            except ValidationFailed as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Employee %(name)s created.")
                                 % {"name": employee.full_name})
                return redirect("organization:employee_detail", employee_id=employee.pk)
    return render(request, "organization/employee_form.html", {"form": form, "employee": None})


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def employee_edit(request: HttpRequest, employee_id: int) -> HttpResponse:
    perms.ensure(request.user, perms.EMPLOYEE_MANAGE.code)
    employee = selectors.employee_get(user=request.user, employee_id=employee_id)
    initial = {f: getattr(employee, f) for f in services.EMPLOYEE_FIELDS}
    form = EmployeeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.employee_update(actor=request.user, employee_id=employee.pk,
                                     **form.cleaned_data)
        except ValidationFailed as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("organization:employee_detail", employee_id=employee.pk)
    return render(request, "organization/employee_form.html",
                  {"form": form, "employee": employee})


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def employee_password(request: HttpRequest, employee_id: int) -> HttpResponse:
    perms.ensure(request.user, perms.EMPLOYEE_MANAGE.code)
    employee = selectors.employee_get(user=request.user, employee_id=employee_id)
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.employee_set_password(actor=request.user, employee_id=employee.pk,
                                           password=form.cleaned_data["password"])
        except ValidationFailed as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Password changed; the employee's sessions ended."))
            return redirect("organization:employee_detail", employee_id=employee.pk)
    return render(request, "organization/simple_form.html", {
        "form": form, "title": _("Set password — %(name)s") % {"name": employee.full_name},
        "back_url": employee_detail_url(employee)})


def employee_detail_url(employee: Employee) -> str:
    return reverse("organization:employee_detail", kwargs={"employee_id": employee.pk})


@scoped("branch")
@login_required
@require_POST
def membership_add(request: HttpRequest, employee_id: int) -> HttpResponse:
    perms.ensure(request.user, perms.EMPLOYEE_MANAGE.code)
    employee = selectors.employee_get(user=request.user, employee_id=employee_id)
    form = MembershipForm(request.POST, branches=selectors.branches_visible_to(request.user))
    submit_inline_form(request, form, lambda data: services.membership_add(
        actor=request.user, employee_id=employee.pk, branch_id=data["branch"].pk,
        role=data["role"]), _("Role granted."))
    return redirect("organization:employee_detail", employee_id=employee.pk)


@scoped("branch")
@login_required
@require_POST
def membership_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = selectors.membership_get(user=request.user, membership_id=membership_id)
    with refusals_as_messages(request, catch=(ValidationFailed,)):
        services.membership_remove(actor=request.user, membership_id=membership.pk)
        messages.success(request, _("Role withdrawn."))
    return redirect("organization:employee_detail", employee_id=membership.employee_id)


def _week_start(value: str | None) -> datetime.date:
    day = date_param(value) or timezone.localdate()
    return day - datetime.timedelta(days=day.weekday())


@scoped("self")
@login_required
def schedule_home(request: HttpRequest) -> HttpResponse:
    """Send the user to the schedule of their (first) branch."""
    perms.ensure(request.user, perms.SCHEDULE_VIEW.code)
    branch = (Branch.objects.visible_to(request.user, perms.SCHEDULE_VIEW)
              .filter(is_active=True, kind=BranchKind.BRANCH).order_by("name").first())
    if branch is None:
        messages.info(request, _("There are no branches yet."))
        return redirect("core:dashboard")
    return redirect("organization:schedule", branch_id=branch.pk)


@scoped("branch")
@login_required
def schedule(request: HttpRequest, branch_id: int) -> HttpResponse:
    week_start = _week_start(request.GET.get("week"))
    branch, days, rows = selectors.schedule_week(user=request.user, branch_id=branch_id,
                                                 week_start=week_start)
    can_edit = perms.can(request.user, perms.SCHEDULE_EDIT.code, branch.pk)
    absences = selectors.absences_for_branch(user=request.user, branch_id=branch.pk,
                                             since=week_start)[:50]
    template = "organization/schedule.html"
    if is_htmx(request):
        template += "#week"
    return render(request, template, {
        "branch": branch, "days": days, "rows": rows, "can_edit": can_edit,
        "absences": absences, "week_start": week_start,
        "prev_week": week_start - datetime.timedelta(days=7),
        "next_week": week_start + datetime.timedelta(days=7),
    })


def _staff_of(user: Actor, branch: Branch) -> QuerySet[Employee]:
    """Employees with an active role in ``branch`` (one whose schedule ``user`` edits)."""
    roles = Membership.objects.visible_to(user, perms.SCHEDULE_EDIT, branch_id=branch.pk)
    return Employee.objects.filter(pk__in=roles.filter(is_active=True).values("employee_id"))


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def working_hours_edit(request: HttpRequest, branch_id: int, employee_id: int) -> HttpResponse:
    branch = selectors.branch_get(user=request.user, branch_id=branch_id)
    perms.ensure(request.user, perms.SCHEDULE_EDIT.code, branch.pk)
    employee = _staff_of(request.user, branch).filter(pk=employee_id).first()
    if employee is None:
        raise NotFound(_("Employee not found."))
    rows = employee.working_hours.filter(branch=branch)
    form = WeekHoursForm(request.POST or None, start_key="starts", end_key="ends",
                         initial=WeekHoursForm.initial_from(rows, "starts", "ends"))
    if request.method == "POST" and form.is_valid():
        try:
            services.working_hours_set(actor=request.user, employee_id=employee.pk,
                                       branch_id=branch.pk, hours=form.hours())
        except ValidationFailed as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Working hours saved."))
            return redirect("organization:schedule", branch_id=branch.pk)
    return render(request, "organization/hours_form.html", {
        "form": form, "back": branch,
        "title": _("Working hours — %(name)s, %(branch)s") % {"name": employee.full_name,
                                                             "branch": branch.name}})


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def absence_create(request: HttpRequest, branch_id: int) -> HttpResponse:
    branch = selectors.branch_get(user=request.user, branch_id=branch_id)
    perms.ensure(request.user, perms.SCHEDULE_EDIT.code, branch.pk)
    staff = _staff_of(request.user, branch).filter(is_active=True).order_by("last_name")
    form = AbsenceForm(request.POST or None, staff=staff, substitutes=staff,
                       initial={"starts_on": timezone.localdate(),
                                "ends_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.absence_create(
                actor=request.user, employee_id=data["employee"].pk, branch_id=branch.pk,
                kind=data["kind"], starts_on=data["starts_on"], ends_on=data["ends_on"],
                substitute_id=data["substitute"].pk if data["substitute"] else None,
                note=data["note"])
        except ValidationFailed as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Absence recorded."))
            return redirect("organization:schedule", branch_id=branch.pk)
    return render(request, "organization/simple_form.html", {
        "form": form, "title": _("Record an absence — %(branch)s") % {"branch": branch.name},
        "back_url": reverse("organization:schedule", kwargs={"branch_id": branch.pk})})


@scoped("branch")
@login_required
@require_POST
def absence_delete(request: HttpRequest, branch_id: int, absence_id: int) -> HttpResponse:
    branch = selectors.branch_get(user=request.user, branch_id=branch_id)
    absences = Absence.objects.visible_to(request.user, perms.SCHEDULE_VIEW, branch_id=branch.pk)
    if not absences.filter(pk=absence_id).exists():
        raise NotFound(_("Absence not found."))
    services.absence_delete(actor=request.user, absence_id=absence_id)
    messages.success(request, _("Absence removed."))
    return redirect("organization:schedule", branch_id=branch_id)


@scoped("self")
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    perms.ensure(request.user, perms.TOKEN_MANAGE_OWN.code)
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = services.api_token_create(actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_error(form, exc)
        else:
            form = TokenForm()
    tokens = (ApiToken.objects.filter(employee=employee_of(request.user))
              .order_by("-created_at")[:50])
    return render(request, "organization/token_list.html",
                  {"form": form, "tokens": tokens, "secret": secret})


@scoped("self")
@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    services.api_token_revoke(actor=request.user, token_id=token_id)
    messages.success(request, _("Token revoked."))
    return redirect("organization:token_list")


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def role_policies(request: HttpRequest) -> HttpResponse:
    perms.ensure(request.user, perms.ROLE_POLICY_MANAGE.code)
    current = {r: r in services.mfa_required_roles() for r in Role.values}
    form = RolePolicyForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_policies_set(actor=request.user, mfa_required={
                role: form.cleaned_data[role] for role in Role.values})
        except ValidationFailed as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Role policies saved."))
            return redirect("organization:role_policies")
    status = 422 if form.errors else 200
    return render(request, "organization/role_policies.html", {"form": form}, status=status)


def lockout(request: HttpRequest, credentials: dict[str, Any], *args: Any,
            **kwargs: Any) -> HttpResponse:
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    return render(request, "account/locked.html", {"minutes": minutes}, status=429)


@scoped("branch")
@login_required
@require_POST
def day_off_add(request: HttpRequest, branch_id: int) -> HttpResponse:
    branch = selectors.branch_get(user=request.user, branch_id=branch_id)
    submit_inline_form(request, DayOffForm(request.POST), lambda data: services.day_off_add(
        actor=request.user, branch_id=branch.pk, **data), _("Day off added."))
    return redirect("organization:branch_detail", branch_id=branch.pk)


@scoped("branch")
@login_required
@require_POST
def day_off_remove(request: HttpRequest, branch_id: int, day_off_id: int) -> HttpResponse:
    branch = selectors.branch_get(user=request.user, branch_id=branch_id)
    days_off = BranchDayOff.objects.visible_to(request.user, perms.BRANCH_VIEW,
                                               branch_id=branch.pk)
    if not days_off.filter(pk=day_off_id).exists():
        raise NotFound(_("Day off not found."))
    services.day_off_remove(actor=request.user, day_off_id=day_off_id)
    messages.success(request, _("Day off removed."))
    return redirect("organization:branch_detail", branch_id=branch.pk)
