"""Shared fixtures: a small organisation with one user per role in two branches."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest

os.environ.setdefault("PUNKT_DEMO", "0")

PASSWORD = "Bardzo-Tajne-Haslo-2026"


@dataclass
class World:
    hq: Any
    a: Any
    b: Any
    admin: Any
    expert: Any
    manager_a: Any
    service_a: Any
    retention_a: Any
    cashier_a: Any
    manager_b: Any
    service_b: Any

    def by_role(self) -> dict[str, Any]:
        return {"admin": self.admin, "hq_expert": self.expert, "manager": self.manager_a,
                "service": self.service_a, "retention": self.retention_a,
                "cashier": self.cashier_a}


def make_world() -> World:
    from punkt.core.roles import Role
    from punkt.organization.models import Branch, BranchKind, Employee, Membership

    def branch(code: str, name: str, kind: str = BranchKind.BRANCH) -> Branch:
        return Branch.objects.create(code=code, name=name, kind=kind, street="ul. Testowa 1",
                                     postal_code="00-001", city="Warszawa")

    hq = branch("HQ", "Centrala", BranchKind.HQ)
    a = branch("AAA-01", "Oddział A")
    b = branch("BBB-01", "Oddział B")

    def user(email: str, role: str, where: Branch) -> Employee:
        first, last = email.split("@")[0].split(".") if "." in email.split("@")[0] else (
            email.split("@")[0], "Test")
        e = Employee.objects.create_user(email=email, password=PASSWORD,
                                         first_name=first.title(), last_name=last.title())
        Membership.objects.create(employee=e, branch=where, role=role)
        return e

    return World(
        hq=hq, a=a, b=b,
        admin=user("admin@test.pl", Role.ADMIN, hq),
        expert=user("ekspert@test.pl", Role.HQ_EXPERT, hq),
        manager_a=user("kierownik.a@test.pl", Role.MANAGER, a),
        service_a=user("obsluga.a@test.pl", Role.SERVICE, a),
        retention_a=user("retencja.a@test.pl", Role.RETENTION, a),
        cashier_a=user("kasjer.a@test.pl", Role.CASHIER, a),
        manager_b=user("kierownik.b@test.pl", Role.MANAGER, b),
        service_b=user("obsluga.b@test.pl", Role.SERVICE, b),
    )


@pytest.fixture
def world(db: Any) -> World:
    return make_world()


def stamp_reauthentication(client: Any, user: Any) -> None:
    """As if the user had just confirmed their password (allauth's re-authentication)."""
    import time

    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


@pytest.fixture
def client_as(client: Any) -> Any:
    """``client_as(user)`` → a test client signed in as ``user`` (no MFA prompt)."""
    from django.test import Client

    def make(user: Any, *, reauthenticated: bool = True) -> Client:
        c = Client()
        c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        if reauthenticated:
            stamp_reauthentication(c, user)
        return c

    return make


@pytest.fixture(autouse=True)
def _no_mfa_enforcement_by_default(settings: Any) -> None:
    """Most tests sign in with force_login; MFA enforcement has its own tests."""
    from django.core.cache import cache

    cache.clear()
    settings.DEMO_MODE = True
    settings.AXES_ENABLED = True
    # Fast hashing in tests; tests of the real hasher set PASSWORD_HASHERS themselves.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 "punkt.core.hashers.PunktArgon2PasswordHasher"]
