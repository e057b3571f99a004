"""Regression tests for the security review of the foundation."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.test import Client

from punkt.core.errors import ActionDenied
from punkt.core.models import AuditEvent
from punkt.organization import services


def test_hq_expert_cannot_make_themselves_admin(world: Any) -> None:
    with pytest.raises(ActionDenied):
        services.membership_add(actor=world.expert, employee_id=world.expert.pk,
                                branch_id=world.hq.pk, role="admin")


@pytest.mark.parametrize("change", [
    lambda w: services.employee_update(actor=w.expert, employee_id=w.admin.pk,
                                       email="mine@evil.pl"),
    lambda w: services.employee_set_password(actor=w.expert, employee_id=w.admin.pk,
                                             password="Zielona-Kawa-Na-Rynku-7"),
    lambda w: services.membership_remove(actor=w.expert,
                                         membership_id=w.admin.memberships.get().pk),
    lambda w: services.api_token_revoke(
        actor=w.expert,
        token_id=services.api_token_create(actor=w.admin, name="x")[0].pk),
])
def test_hq_expert_cannot_touch_admin_accounts(world: Any, change: Any) -> None:
    with pytest.raises(ActionDenied):
        change(world)
    world.admin.refresh_from_db()
    assert world.admin.email == "admin@test.pl" and world.admin.memberships.get().is_active


def test_admin_can_grant_admin(world: Any) -> None:
    from punkt.core.access import compute_access
    from punkt.organization import permissions as perms

    assert not compute_access(world.expert).can(perms.ADMIN_MANAGE.code)
    membership = services.membership_add(actor=world.admin, employee_id=world.expert.pk,
                                         branch_id=world.hq.pk, role="admin")
    assert (membership.employee_id, membership.branch_id, membership.role,
            membership.is_active) == (world.expert.pk, world.hq.pk, "admin", True)
    assert world.expert.memberships.filter(branch=world.hq, role="admin",
                                           is_active=True).count() == 1
    world.expert.refresh_from_db()
    assert compute_access(world.expert).can(perms.ADMIN_MANAGE.code)  # the grant took effect


def test_api_session_needs_mfa_too(world: Any, client_as: Any, settings: Any) -> None:
    settings.DEMO_MODE = False
    client = client_as(world.cashier_a)
    response = client.get("/api/v1/me")
    assert response.status_code == 403 and response.json()["code"] == "mfa_required"
    response = client.post("/api/v1/tokens", json.dumps({"name": "x"}),
                           content_type="application/json")
    assert response.status_code == 403


def test_own_email_cannot_be_changed_on_account_pages(world: Any, client_as: Any) -> None:
    client = client_as(world.service_a)
    response = client.post("/accounts/email/", {"action_add": "", "email": "x@gmail.com"})
    assert response.status_code == 404
    world.service_a.refresh_from_db()
    assert world.service_a.email == "obsluga.a@test.pl"


def test_forwarded_for_uses_the_proxy_entry(world: Any, settings: Any) -> None:
    from django.test import RequestFactory

    from punkt.core.middleware import client_ip

    settings.PUNKT_TRUST_X_FORWARDED_FOR = True
    rf = RequestFactory()
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.9")) == "10.0.0.9"
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="not-an-ip")) == "127.0.0.1"


def test_manager_sees_only_own_branch_roles_and_absences(world: Any, client_as: Any) -> None:
    services.membership_add(actor=world.admin, employee_id=world.service_a.pk,
                            branch_id=world.b.pk, role="cashier")
    services.absence_create(actor=world.admin, employee_id=world.service_a.pk,
                            branch_id=world.b.pk, kind="sick", starts_on="2030-01-07",
                            ends_on="2030-01-08", note="tajne B")
    page = client_as(world.manager_a).get(
        f"/organisation/employees/{world.service_a.pk}/").content.decode()
    assert world.b.name not in page
    api = client_as(world.manager_a).get(f"/api/v1/employees/{world.service_a.pk}").json()
    assert {m["branch_id"] for m in api["memberships"]} == {world.a.pk}


def test_former_staff_leave_the_managers_list(world: Any, client_as: Any) -> None:
    services.membership_remove(actor=world.admin,
                               membership_id=world.cashier_a.memberships.get().pk)
    page = client_as(world.manager_a).get("/organisation/employees/").content.decode()
    assert world.cashier_a.email not in page


def test_absolute_session_limit_is_not_extended_by_activity(world: Any, client: Client,
                                                             settings: Any) -> None:
    client.post("/accounts/login/", {"login": world.service_a.email,
                                     "password": "Bardzo-Tajne-Haslo-2026"})
    assert client.get("/").status_code == 200
    session = client.session
    session["punkt_login_at"] = int(time.time()) - settings.SESSION_COOKIE_AGE - 10
    session.save()
    response = client.get("/organisation/schedule/?x=1")
    assert response.status_code == 302 and "next=%2Forganisation%2Fschedule%2F%3Fx%3D1" in \
        response["Location"]


def test_password_change_on_account_page_is_audited(world: Any, client: Client) -> None:
    client.post("/accounts/login/", {"login": world.service_a.email,
                                     "password": "Bardzo-Tajne-Haslo-2026"})
    client.post("/accounts/password/change/", {
        "oldpassword": "Bardzo-Tajne-Haslo-2026", "password1": "Zielona-Kawa-Na-Rynku-7",
        "password2": "Zielona-Kawa-Na-Rynku-7"})
    assert AuditEvent.objects.filter(action="auth.password_change",
                                     actor=world.service_a).exists()


def test_cli_refusal_is_audited(world: Any) -> None:
    from django.core.management import CommandError, call_command

    from punkt.organization.models import Employee

    Employee.objects.create_user(email="bez.roli@test.pl", password=None, first_name="B",
                                 last_name="R")
    with pytest.raises(CommandError):
        call_command("token_create", email="bez.roli@test.pl", name="x")
    assert AuditEvent.objects.filter(outcome="denied", channel="cli").exists()


def test_nul_in_api_body_with_any_content_type(world: Any, client_as: Any) -> None:
    response = client_as(world.expert).post("/api/v1/branches", '{"name": "A\\u0000B"}',
                                            content_type="text/plain")
    assert response.status_code == 400


def test_extreme_dates_do_not_crash(world: Any, client_as: Any) -> None:
    client = client_as(world.admin)
    for week in ("0001-01-01", "9999-12-31"):
        assert client.get(f"/organisation/branches/{world.a.pk}/schedule/?week={week}"
                          ).status_code == 200
    assert client.get("/audit/?until=9999-12-31&since=0001-01-01").status_code == 200


def test_company_day_off_unique(world: Any) -> None:
    from django.db import IntegrityError, transaction

    from punkt.organization.models import BranchDayOff

    BranchDayOff.objects.create(branch=None, date="2026-12-31", name="A")
    with pytest.raises(IntegrityError), transaction.atomic():
        BranchDayOff.objects.create(branch=None, date="2026-12-31", name="B")
