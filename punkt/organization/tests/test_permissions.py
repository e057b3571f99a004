"""C2: the role matrix, generated from the one registry."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from punkt.core import permissions as registry
from punkt.core.roles import HQ_ROLES, Role
from punkt.organization.permissions import Access

ALL_ROLES = [r.value for r in Role]


@pytest.mark.parametrize("code", sorted(registry.REGISTRY))
@pytest.mark.parametrize("role", ALL_ROLES)
def test_registry_grants_exactly_the_listed_roles(code: str, role: str) -> None:
    action = registry.get(code)
    if role in HQ_ROLES:
        access = Access(user_id=1, hq_roles={role})
    else:
        access = Access(user_id=1, pairs={(10, role)})
    assert access.can(code) == (role in action.roles)
    if action.scope == "branch" and role not in HQ_ROLES:
        assert access.can(code, 10) == (role in action.roles)
        assert access.can(code, 11) is False  # never in another branch


def test_seed_000_highlights() -> None:
    """Examples straight from seed 000's table of roles."""
    cashier = Access(user_id=1, pairs={(10, Role.CASHIER)})
    manager = Access(user_id=1, pairs={(10, Role.MANAGER)})
    assert not cashier.can("organization.employee.view")
    assert manager.can("organization.schedule.edit", 10)
    assert not manager.can("organization.branch.manage", 10)
    assert not manager.can("core.audit.view")


# Pages guarded by exactly one action: (url name, kwargs maker, action).
GUARDED_PAGES = [
    ("organization:branch_create", lambda w: {}, "organization.branch.manage"),
    ("organization:employee_list", lambda w: {}, "organization.employee.view"),
    ("organization:employee_create", lambda w: {}, "organization.employee.manage"),
    ("organization:opening_hours_edit", lambda w: {"branch_id": w.a.pk},
     "organization.branch.manage"),
    ("organization:absence_create", lambda w: {"branch_id": w.a.pk},
     "organization.schedule.edit"),
    ("organization:schedule", lambda w: {"branch_id": w.a.pk}, "organization.schedule.view"),
    ("organization:role_policies", lambda w: {}, "organization.role_policy.manage"),
    ("core:audit_list", lambda w: {}, "core.audit.view"),
    ("organization:token_list", lambda w: {}, "organization.token.manage_own"),
    ("privacy:breach_list", lambda w: {}, "privacy.breach.manage"),
    ("privacy:register", lambda w: {}, "privacy.register.view"),
]


@pytest.mark.parametrize("url_name,kwargs,code", GUARDED_PAGES,
                         ids=[p[0] for p in GUARDED_PAGES])
@pytest.mark.parametrize("role", ALL_ROLES)
def test_http_matrix(url_name: str, kwargs: Any, code: str, role: str, world: Any,
                     client_as: Any) -> None:
    user = world.by_role()[role]
    response = client_as(user).get(reverse(url_name, kwargs=kwargs(world)))
    allowed = role in registry.get(code).roles
    assert response.status_code == (200 if allowed else 403), response.status_code
    if not allowed:
        # A refusal names the reason and says nothing changed.
        assert response.templates[0].name == "403.html"


def test_anonymous_is_sent_to_sign_in(world: Any, client: Any) -> None:
    for url_name, kwargs, _code in GUARDED_PAGES:
        response = client.get(reverse(url_name, kwargs=kwargs(world)))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_api_anonymous_gets_401_with_error_body(client: Any) -> None:
    response = client.get("/api/v1/employees")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_refusal_is_audited(world: Any, client_as: Any) -> None:
    from punkt.core.models import AuditEvent

    client_as(world.cashier_a).get(reverse("core:audit_list"))
    row = AuditEvent.objects.get(outcome="denied")
    assert row.actor_id == world.cashier_a.pk and row.action == "core.audit.view"
    assert "/audit/" in row.message


def test_permissions_doc_is_current() -> None:
    from pathlib import Path

    from punkt.core.management.commands.permissions_table import render_table

    doc = (Path(__file__).resolve().parents[3] / "docs" / "permissions.md").read_text()
    assert render_table() in doc, "run: punkt permissions_table and update docs/permissions.md"
