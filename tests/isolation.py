"""C1 registry: how to reach another branch's object through every scoped route.

Every route marked ``branch`` needs an entry here: a function that takes the test
``World`` and returns the URL kwargs (pages) or path (API) of an object belonging to
branch B. The test signs in as branch A's manager (who holds view/edit rights in A) and
expects 404 — or 403 for routes a manager may never use. ``list`` routes need a marker:
text of branch B's object that must not appear in A's list.

Later areas add their routes here; a route without an entry fails the suite.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

BranchCase = Callable[[Any], dict[str, Any]]


def _absence_b(w: Any) -> dict[str, Any]:
    from punkt.organization.models import Absence

    today = timezone.localdate()
    a = Absence.objects.create(employee=w.service_b, branch=w.b, kind="leave", starts_on=today,
                               ends_on=today)
    return {"branch_id": w.b.pk, "absence_id": a.pk}


def _membership_b(w: Any) -> dict[str, Any]:
    return {"membership_id": w.service_b.memberships.get().pk}


def _day_off_b(w: Any) -> dict[str, Any]:
    from punkt.organization.models import BranchDayOff

    d = BranchDayOff.objects.create(branch=w.b, date=timezone.localdate(), name="Inwentaryzacja")
    return {"branch_id": w.b.pk, "day_off_id": d.pk}


# Page routes (URL name → kwargs of a branch-B object).
PAGE_CASES: dict[str, BranchCase] = {
    "organization:branch_detail": lambda w: {"branch_id": w.b.pk},
    "organization:branch_edit": lambda w: {"branch_id": w.b.pk},
    "organization:opening_hours_edit": lambda w: {"branch_id": w.b.pk},
    "organization:schedule": lambda w: {"branch_id": w.b.pk},
    "organization:working_hours_edit": lambda w: {"branch_id": w.b.pk,
                                                  "employee_id": w.service_b.pk},
    "organization:absence_create": lambda w: {"branch_id": w.b.pk},
    "organization:absence_delete": _absence_b,
    "organization:employee_detail": lambda w: {"employee_id": w.service_b.pk},
    "organization:employee_edit": lambda w: {"employee_id": w.service_b.pk},
    "organization:employee_password": lambda w: {"employee_id": w.service_b.pk},
    "organization:membership_add": lambda w: {"employee_id": w.service_b.pk},
    "organization:membership_remove": _membership_b,
    "organization:day_off_add": lambda w: {"branch_id": w.b.pk},
    "organization:day_off_remove": _day_off_b,
}

# List routes (URL name → text of branch B's data that A must not see).
PAGE_LISTS: dict[str, Callable[[Any], str]] = {
    "organization:branch_list": lambda w: w.b.code,
    "organization:employee_list": lambda w: w.service_b.email,
}

# API operations (operation id → (method, path) of a branch-B object).
API_CASES: dict[str, Callable[[Any], tuple[str, str]]] = {
    "branch_get": lambda w: ("GET", f"/api/v1/branches/{w.b.pk}"),
    "branch_update": lambda w: ("PATCH", f"/api/v1/branches/{w.b.pk}"),
    "branch_opening_hours_set": lambda w: ("PUT", f"/api/v1/branches/{w.b.pk}/opening-hours"),
    "employee_get": lambda w: ("GET", f"/api/v1/employees/{w.service_b.pk}"),
    "employee_update": lambda w: ("PATCH", f"/api/v1/employees/{w.service_b.pk}"),
    "membership_create": lambda w: ("POST", "/api/v1/memberships"),
    "membership_delete": lambda w: ("DELETE",
                                    f"/api/v1/memberships/{w.service_b.memberships.get().pk}"),
}
API_BODIES: dict[str, Callable[[Any], Any]] = {
    "branch_update": lambda w: {"name": "Hacked"},
    "branch_opening_hours_set": lambda w: [],
    "employee_update": lambda w: {"first_name": "Hacked"},
    "membership_create": lambda w: {"employee_id": w.service_b.pk, "branch_id": w.a.pk,
                                    "role": "service"},
}
API_LISTS: dict[str, Callable[[Any], tuple[str, str]]] = {
    "branch_list": lambda w: ("/api/v1/branches", w.b.code),
    "employee_list": lambda w: ("/api/v1/employees", w.service_b.email),
}
