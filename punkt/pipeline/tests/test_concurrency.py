"""Races on PostgreSQL (C10): two sellers closing one sale at once close it once;
opportunities opened at once get distinct numbers without gaps."""

from __future__ import annotations

import pytest
from django.db import connection

from punkt.core.errors import DomainError
from punkt.core.models import AuditEvent
from punkt.organization.tests.test_concurrency import _race
from punkt.pipeline import services
from punkt.pipeline.models import Opportunity
from punkt.pipeline.tests.factories import opportunity, reason
from tests.world import make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers; row locks need PostgreSQL"),
]


def test_two_people_losing_one_sale_at_once_lose_it_once() -> None:
    """(C10)"""
    w = make_world()
    o = opportunity(w)
    actors = iter([w.service_a, w.manager_a])
    results = _race(2, lambda: services.opportunity_lose(
        actor=next(actors), opportunity_id=o.pk, reason_id=reason(None).pk))
    assert len([r for r in results if isinstance(r, DomainError)]) == 1
    assert Opportunity.objects.get(pk=o.pk).status == "lost"
    assert AuditEvent.objects.filter(action="pipeline.opportunity.lose").count() == 1
    assert o.events.filter(action="lost").count() == 1


def test_opportunities_opened_at_once_are_numbered_without_repeats_or_gaps() -> None:
    w = make_world()
    actors = iter([w.service_a, w.manager_a, w.retention_a, w.service_a])
    results = _race(4, lambda: opportunity(w, actor=next(actors)))
    assert not [r for r in results if isinstance(r, DomainError)]
    numbers = sorted(Opportunity.objects.values_list("number", flat=True))
    assert [int(n.rsplit("/", 1)[1]) for n in numbers] == [1, 2, 3, 4]
