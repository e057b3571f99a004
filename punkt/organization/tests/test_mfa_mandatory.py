"""C17: MFA is mandatory, outside demo mode, for every role with export, cash or admin
rights — the set comes from the permission registry's kinds, sign-in enforces it, the
security-policy form cannot switch it off, and ``check --deploy`` warns of demo mode."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import checks
from django.test import Client
from django.urls import reverse

from punkt.core import permissions as registry
from punkt.core.errors import ValidationFailed
from punkt.core.roles import Role
from punkt.organization.models import RolePolicy
from tests.world import PASSWORD

LOGIN = "/accounts/login/"
TOTP_SETUP = "/accounts/2fa/totp/activate/"
ROLES = reverse("organization:role_policies")


def test_mandatory_roles_come_from_the_registry_kinds() -> None:
    assert registry.mfa_mandatory_roles() == {Role.MANAGER, Role.CASHIER, Role.HQ_EXPERT,
                                              Role.ADMIN}
    # Every action that exports says so: a new export cannot slip past the MFA rule.
    for action in registry.REGISTRY.values():
        if "export" in action.code or "export" in str(action.label).lower():
            assert "export" in action.kinds, action.code
    assert registry.get("cashdesk.payment.take").kinds == {"cash"}
    with pytest.raises(ValueError, match="Unknown kinds"):
        registry.register("core.test.bogus", "x", [Role.ADMIN], kinds=["cash", "coffee"])
    assert "core.test.bogus" not in registry.REGISTRY


@pytest.mark.parametrize("who,mandatory", [
    ("manager", True), ("cashier", True), ("hq_expert", True), ("admin", True),
    ("service", False), ("retention", False)])
def test_sign_in_outside_demo_sends_export_and_cash_roles_to_totp_setup(
        world: Any, settings: Any, who: str, mandatory: bool) -> None:
    settings.DEMO_MODE = False
    user = world.by_role()[who]
    client = Client()
    response = client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    home = client.get("/")
    if mandatory:
        assert home.status_code == 302 and home["Location"] == TOTP_SETUP
        # Nothing else opens, and the API refuses the session too.
        assert client.get("/customers/").status_code == 302
        api = client.get("/api/v1/me")
        assert api.status_code == 403 and api.json()["code"] == "mfa_required"
        assert client.get(TOTP_SETUP).status_code == 200
    else:
        assert home.status_code == 200


def test_a_policy_row_saying_off_does_not_switch_the_rule_off(world: Any,
                                                              settings: Any) -> None:
    """Rows written before the rule (or by hand) cannot relax it."""
    settings.DEMO_MODE = False
    RolePolicy.objects.update_or_create(role=Role.MANAGER, defaults={"mfa_required": False})
    client = Client()
    client.post(LOGIN, {"login": world.manager_a.email, "password": PASSWORD})
    assert client.get("/")["Location"] == TOTP_SETUP


def test_sign_in_with_totp_asks_for_the_code(world: Any, settings: Any) -> None:
    from allauth.mfa.models import Authenticator

    settings.DEMO_MODE = False
    Authenticator.objects.create(user=world.expert, type=Authenticator.Type.TOTP,
                                 data={"secret": "JBSWY3DPEHPK3PXP"})
    client = Client()
    response = client.post(LOGIN, {"login": world.expert.email, "password": PASSWORD})
    assert response.status_code == 302 and "/2fa/authenticate" in response["Location"]
    # Not signed in until the code is given.
    assert client.get("/")["Location"].startswith(LOGIN)


def test_demo_mode_does_not_enforce(world: Any, client_as: Any) -> None:
    assert client_as(world.manager_a).get("/").status_code == 200


def test_policy_form_refuses_to_switch_mfa_off_for_mandatory_roles(
        world: Any, client_as: Any) -> None:
    client = client_as(world.admin)
    page = client.get(ROLES)
    assert page.status_code == 200
    # Turning the manager off (and the service employee on): refused as a whole.
    before = list(RolePolicy.objects.order_by("role").values_list("role", "mfa_required"))
    post = {"cashier": "on", "hq_expert": "on", "admin": "on", "service": "on"}
    response = client.post(ROLES, post)
    assert response.status_code == 422
    assert list(response.context["form"].errors) == [Role.MANAGER]
    assert "Nie można wyłączyć MFA dla tej roli" in response.content.decode()
    assert list(RolePolicy.objects.order_by("role").values_list(
        "role", "mfa_required")) == before
    # With the mandatory roles ticked the form saves.
    response = client.post(ROLES, {**post, "manager": "on"})
    assert response.status_code == 302
    assert RolePolicy.objects.get(role=Role.SERVICE).mfa_required


def test_service_refuses_to_switch_mfa_off_for_mandatory_roles(world: Any) -> None:
    from punkt.organization.services import mfa_required_roles, role_policy_set

    with pytest.raises(ValidationFailed) as err:
        role_policy_set(actor=world.admin, role=Role.HQ_EXPERT, mfa_required=False)
    assert err.value.code == "mfa_mandatory" and err.value.field == Role.HQ_EXPERT
    role_policy_set(actor=world.admin, role=Role.RETENTION, mfa_required=True)
    role_policy_set(actor=world.admin, role=Role.RETENTION, mfa_required=False)
    assert mfa_required_roles() == {Role.MANAGER, Role.CASHIER, Role.HQ_EXPERT, Role.ADMIN}


def test_deploy_check_warns_of_demo_mode(settings: Any) -> None:
    settings.DEMO_MODE = True
    found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert "punkt.W110" in {c.id for c in found}
    settings.DEMO_MODE = False
    found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert "punkt.W110" not in {c.id for c in found}
