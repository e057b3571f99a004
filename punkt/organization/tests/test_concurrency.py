"""Two managers at once: the second gets a clear error, never a duplicate (PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from punkt.core.errors import DomainError
from punkt.organization import services
from punkt.organization.models import Absence, Membership
from tests.world import make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers; row locks need PostgreSQL"),
]


def _race(n: int, fn: Any) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(fn())
        except DomainError as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_overlapping_absences_booked_at_once() -> None:
    w = make_world()
    results = _race(4, lambda: services.absence_create(
        actor=w.manager_a, employee_id=w.cashier_a.pk, branch_id=w.a.pk, kind="leave",
        starts_on="2026-12-01", ends_on="2026-12-05"))
    assert Absence.objects.filter(employee=w.cashier_a).count() == 1
    errors = [r for r in results if isinstance(r, DomainError)]
    assert len(errors) == 3 and all(e.code == "overlap" for e in errors)


def test_same_role_granted_twice_at_once() -> None:
    w = make_world()
    results = _race(4, lambda: services.membership_add(
        actor=w.admin, employee_id=w.service_a.pk, branch_id=w.b.pk, role="cashier"))
    assert Membership.objects.filter(employee=w.service_a, branch=w.b).count() == 1
    assert sum(isinstance(r, DomainError) for r in results) == 3
