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


def test_two_workers_recomputing_at_once_escalate_once() -> None:
    """C10: both read the ticket on time and compute the breach; the conditional update
    lets one of them escalate (one audit row, one notification each)."""
    import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    from punkt.servicedesk import sla
    from punkt.work.models import Notification

    w = make_world()
    d = desk(w)
    friday = datetime.datetime(2026, 12, 4, 15, 0, tzinfo=ZoneInfo("Europe/Warsaw"))
    with time_machine.travel(friday, tick=False):
        t = ticket(w, d)
    monday = friday + datetime.timedelta(days=3, hours=-5)  # Monday 10:00, past 9:00
    results = _race(2, lambda: sla.recompute_due(now=monday))
    assert sorted(r["breached"] for r in results) == [0, 1]
    assert AuditEvent.objects.filter(action="servicedesk.ticket.sla_breached",
                                     object_id=str(t.pk)).count() == 1
    assert Notification.objects.filter(kind="ticket.sla_escalation").count() == 1
    assert Ticket.objects.get(pk=t.pk).sla_escalated


def test_round_robin_tickets_opened_at_once_go_to_different_people() -> None:
    """The pointer is read and advanced under the team's row lock: two tickets at once
    never both land on the same member."""
    from punkt.servicedesk.models import Routing, Team

    w = make_world()
    d = desk(w)
    Team.objects.filter(pk=d.team_a.pk).update(routing=Routing.ROUND_ROBIN)
    for _ in range(3):
        results = _race(2, lambda: ticket(w, d, actor=w.retention_a))
        assert not [r for r in results if isinstance(r, DomainError)]
        assert len({r.assignee_id for r in results}) == 2
