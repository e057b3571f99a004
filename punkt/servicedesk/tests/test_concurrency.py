"""Races on PostgreSQL (C10): two agents resolving one ticket at once resolve it once;
tickets opened at once get distinct numbers without gaps."""

from __future__ import annotations

import pytest
from django.db import connection

from punkt.core.errors import DomainError
from punkt.core.models import AuditEvent
from punkt.customers.models import TimelineEntry
from punkt.organization.tests.test_concurrency import _race
from punkt.servicedesk import services
from punkt.servicedesk.models import Ticket, TicketStatus
from punkt.servicedesk.tests.factories import desk, ticket
from tests.world import make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers; row locks need PostgreSQL"),
]


def test_two_agents_resolving_at_once_resolve_once() -> None:
    from punkt.contracts.tests.factories import customer

    w = make_world()
    d = desk(w)
    t = ticket(w, d, customer_id=customer(w).pk)
    agents = iter([w.service_a, w.manager_a, w.service_a, w.manager_a])
    results = _race(4, lambda: services.ticket_move(actor=next(agents), ticket_id=t.pk,
                                                    action="resolve"))
    assert len([r for r in results if isinstance(r, DomainError)]) == 3
    assert Ticket.objects.get(pk=t.pk).status == TicketStatus.RESOLVED
    assert AuditEvent.objects.filter(action="servicedesk.ticket.resolve").count() == 1
    assert TimelineEntry.objects.filter(customer_id=t.customer_id, kind="ticket",
                                        subject__endswith="rozwiązane").count() == 1


def test_tickets_opened_at_once_are_numbered_without_repeats_or_gaps() -> None:
    w = make_world()
    d = desk(w)
    actors = iter([w.service_a, w.manager_a, w.retention_a, w.service_a, w.manager_a])
    results = _race(5, lambda: ticket(w, d, actor=next(actors)))
    assert not [r for r in results if isinstance(r, DomainError)]
    numbers = sorted(Ticket.objects.values_list("number", flat=True))
    assert numbers[0].endswith("/000001") and len(numbers) == 5
    assert [int(n.rsplit("/", 1)[1]) for n in numbers] == [1, 2, 3, 4, 5]
