"""The test organisation: HQ and two branches, one user per role (used by fixtures and by
tests that build their own data outside the test transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


def make_user(email: str, role: str, where: Any) -> Any:
    """An employee with one role in one branch (password ``PASSWORD``), named after the
    e-mail (``kierownik.a@…`` → Kierownik A)."""
    from punkt.organization.tests.factories import EmployeeFactory

    local = email.split("@")[0]
    first, last = local.split(".") if "." in local else (local, "Test")
    return EmployeeFactory.create(email=email, first_name=first.title(),
                                  last_name=last.title(), membership__branch=where,
                                  membership__role=role)


def _consent_texts() -> None:
    """The consent texts migration customers 0002 writes (events name them)."""
    import importlib

    from punkt.customers.models import ConsentText

    seeded = importlib.import_module(
        "punkt.customers.migrations.0002_search_indexes_and_consent_history")
    for purpose, text in seeded.TEXTS.items():
        ConsentText.objects.get_or_create(purpose=purpose, version=1, defaults={"text": text})


def make_world() -> World:
    from punkt.core.roles import Role
    from punkt.organization.models import BranchKind
    from punkt.organization.tests.factories import BranchFactory

    branch = BranchFactory.create
    hq = branch(code="HQ", name="Centrala", kind=BranchKind.HQ)
    a = branch(code="AAA-01", name="Oddział A")
    b = branch(code="BBB-01", name="Oddział B")

    user = make_user
    # data the migrations seed, gone after a transactional test's flush
    from punkt.pipeline import defaults
    from punkt.pipeline.models import LossReason, Stage

    defaults.install(Stage, LossReason)
    _consent_texts()
    from punkt.complaints import defaults as complaint_letters
    from punkt.messaging.defaults import ensure_defaults

    ensure_defaults()
    complaint_letters.install()

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


def stamp_reauthentication(client: Any, user: Any) -> None:
    """As if the user had just confirmed their password (allauth's re-authentication)."""
    import time

    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
