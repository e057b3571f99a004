"""Races on PostgreSQL (C10): two managers deciding one complaint at once decide it once;
complaints registered at once get distinct numbers without gaps."""

from __future__ import annotations

import pytest
from django.db import connection

from punkt.complaints import services
from punkt.complaints.models import Complaint
from punkt.complaints.tests.factories import complaint
from punkt.core.errors import DomainError
from punkt.core.models import AuditEvent
from punkt.organization.tests.test_concurrency import _race
from tests.world import make_user, make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers; row locks need PostgreSQL"),
]


def test_two_managers_deciding_at_once_decide_once() -> None:
    """(C10)"""
    from punkt.core.roles import Role

    w = make_world()
    second = make_user("kierownik2.a@test.pl", Role.MANAGER, w.a)
    c = complaint(w)
    services.complaint_move(actor=w.service_a, complaint_id=c.pk, action="acknowledge")
    managers = iter([w.manager_a, second])
    outcomes = iter(["upheld", "partly_upheld"])
    results = _race(2, lambda: services.complaint_move(
        actor=next(managers), complaint_id=c.pk, action="decide_in_branch",
        outcome=next(outcomes), decision_reason="Decyzja"))
    assert len([r for r in results if isinstance(r, DomainError)]) == 1
    assert Complaint.objects.get(pk=c.pk).status == "decided"
    assert AuditEvent.objects.filter(action="complaints.complaint.decide_in_branch").count() == 1
    assert c.events.filter(action="decide_in_branch").count() == 1


def test_complaints_registered_at_once_are_numbered_without_repeats_or_gaps() -> None:
    w = make_world()
    actors = iter([w.service_a, w.manager_a, w.retention_a, w.service_a])
    results = _race(4, lambda: complaint(w, actor=next(actors)))
    assert not [r for r in results if isinstance(r, DomainError)]
    numbers = sorted(Complaint.objects.values_list("number", flat=True))
    assert [int(n.rsplit("/", 1)[1]) for n in numbers] == [1, 2, 3, 4]
