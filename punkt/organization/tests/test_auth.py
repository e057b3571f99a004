"""C17 / C18: passwords, lockout, MFA per role, sessions."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client

from punkt.core.models import AuditEvent
from tests.world import PASSWORD

LOGIN = "/accounts/login/"


def sign_in(client: Client, email: str, password: str = PASSWORD) -> Any:
    return client.post(LOGIN, {"login": email, "password": password})


def test_sign_in_ok_rotates_session_and_is_audited(world: Any, client: Client) -> None:
    client.get(LOGIN)
    before = client.cookies.get("sessionid")
    response = sign_in(client, world.service_a.email)
    assert response.status_code == 302 and response["Location"] == "/"
    after = client.cookies["sessionid"].value
    assert before is None or before.value != after
    assert AuditEvent.objects.filter(action="auth.login", outcome="ok",
                                     actor=world.service_a).exists()


def test_failed_sign_in_is_audited_without_password(world: Any, client: Client) -> None:
    response = sign_in(client, world.service_a.email, "zle-haslo-123456")
    assert response.status_code == 200
    row = AuditEvent.objects.get(action="auth.login", outcome="failed")
    assert row.actor_label == world.service_a.email
    assert "zle-haslo" not in str(row.changes) + row.message


def test_lockout_after_repeated_failures(world: Any, client: Client, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        sign_in(client, world.service_a.email, "zle-haslo-123456")
    response = sign_in(client, world.service_a.email)  # right password, still locked
    assert response.status_code == 429
    assert "account/locked.html" in [t.name for t in response.templates]
    # Another account from the same place is not locked.
    assert sign_in(Client(), world.service_b.email).status_code == 302


def test_password_rules(world: Any) -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for bad in ["krotkie1", "password1234", "123456789012"]:
        with pytest.raises(ValidationError):
            validate_password(bad)
    validate_password("Zielona-Kawa-Na-Rynku-7")


def test_signup_is_closed(client: Client) -> None:
    response = client.get("/accounts/signup/")
    assert response.status_code in (200, 403)
    assert b'name="password1"' not in response.content


def test_mfa_required_for_cashier_outside_demo(world: Any, client_as: Any,
                                                settings: Any) -> None:
    settings.DEMO_MODE = False
    response = client_as(world.cashier_a).get("/")
    assert response.status_code == 302 and "/2fa/totp/activate" in response["Location"]
    # Roles without the requirement work normally.
    assert client_as(world.service_a).get("/").status_code == 200


def test_mfa_satisfied_with_totp(world: Any, client_as: Any, settings: Any) -> None:
    from allauth.mfa.models import Authenticator

    settings.DEMO_MODE = False
    Authenticator.objects.create(user=world.cashier_a, type=Authenticator.Type.TOTP,
                                 data={"secret": "JBSWY3DPEHPK3PXP"})
    assert client_as(world.cashier_a).get("/").status_code == 200


def test_mfa_check_is_remembered_in_the_session_for_a_while(world: Any, client_as: Any,
                                                            settings: Any) -> None:
    """The Authenticator table is not read on every page; a removal made elsewhere is
    noticed once the remembered check is older than MFA_RECHECK_SECONDS."""
    from allauth.mfa.models import Authenticator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from punkt.organization.middleware import MFA_CHECKED_KEY, MFA_RECHECK_SECONDS

    settings.DEMO_MODE = False
    Authenticator.objects.create(user=world.cashier_a, type=Authenticator.Type.TOTP,
                                 data={"secret": "JBSWY3DPEHPK3PXP"})
    c = client_as(world.cashier_a)
    assert c.get("/").status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert c.get("/").status_code == 200
    assert not [q for q in ctx.captured_queries if "mfa_authenticator" in q["sql"]]
    Authenticator.objects.filter(user=world.cashier_a).delete()  # as from another session
    assert c.get("/").status_code == 200
    session = c.session
    session[MFA_CHECKED_KEY] -= MFA_RECHECK_SECONDS + 1
    session.save()
    response = c.get("/")
    assert response.status_code == 302 and "/2fa/totp/activate" in response["Location"]


def test_removing_the_authenticator_forgets_the_remembered_check(world: Any, client_as: Any,
                                                                 settings: Any) -> None:
    from allauth.mfa import signals
    from allauth.mfa.models import Authenticator
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    settings.DEMO_MODE = False
    auth = Authenticator.objects.create(user=world.cashier_a, type=Authenticator.Type.TOTP,
                                        data={"secret": "JBSWY3DPEHPK3PXP"})
    c = client_as(world.cashier_a)
    assert c.get("/").status_code == 200
    request = RequestFactory().post("/accounts/2fa/totp/deactivate/")
    request.session = SessionStore(session_key=c.session.session_key)
    auth.delete()
    signals.authenticator_removed.send(sender=Authenticator, request=request,
                                       user=world.cashier_a, authenticator=auth)
    request.session.save()
    response = c.get("/")
    assert response.status_code == 302 and "/2fa/totp/activate" in response["Location"]


def test_admin_can_require_mfa_for_another_role(world: Any, client_as: Any,
                                                settings: Any) -> None:
    settings.DEMO_MODE = False
    from punkt.organization.services import role_policy_set

    role_policy_set(actor=world.admin, role="service", mfa_required=True)
    response = client_as(world.service_a).get("/")
    assert response.status_code == 302


def test_logout_kills_the_session(world: Any, client: Client) -> None:
    sign_in(client, world.service_a.email)
    old = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    replay = Client()
    replay.cookies["sessionid"] = old
    assert replay.get("/").status_code == 302


def test_deactivation_kills_sessions(world: Any, client: Client) -> None:
    sign_in(client, world.service_a.email)
    assert client.get("/").status_code == 200
    world.service_a.is_active = False
    world.service_a.save()
    assert client.get("/").status_code == 302


def test_password_change_by_admin_kills_sessions(world: Any, client: Client) -> None:
    from punkt.organization.services import employee_set_password

    sign_in(client, world.service_a.email)
    employee_set_password(actor=world.admin, employee_id=world.service_a.pk,
                          password="Nowe-Haslo-Dla-Olgi-2026")
    assert client.get("/").status_code == 302


def test_idle_timeout(world: Any, client: Client, settings: Any) -> None:
    settings.PUNKT_SESSION_IDLE_SECONDS = 60
    sign_in(client, world.service_a.email)
    assert client.get("/").status_code == 200
    session = client.session
    session["punkt_last_seen"] = int(time.time()) - 120
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_absolute_timeout_setting() -> None:
    from django.conf import settings

    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_reauthentication_before_changing_password(world: Any, client: Client) -> None:
    """allauth asks for the current password before it is changed."""
    sign_in(client, world.service_a.email)
    response = client.post("/accounts/password/change/", {
        "oldpassword": "wrong-password-123", "password1": "Nowe-Haslo-Dla-Olgi-2026",
        "password2": "Nowe-Haslo-Dla-Olgi-2026"})
    assert response.status_code == 200
    world.service_a.refresh_from_db()
    assert world.service_a.check_password(PASSWORD)


def test_argon2_is_the_default_hasher(world: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["punkt.core.hashers.PunktArgon2PasswordHasher"]
    from punkt.organization.models import Employee

    e = Employee.objects.create_user(email="x@test.pl", password="Zielona-Kawa-Na-Rynku-7",
                                     first_name="X", last_name="Y")
    assert e.password.startswith("argon2$argon2id$") and "m=19456,t=2,p=1" in e.password
