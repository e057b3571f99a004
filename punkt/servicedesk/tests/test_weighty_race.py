"""Races on PostgreSQL (C10): two managers deciding one weighty ticket at once decide it
once; two agents merging the same pair both ways do not deadlock and merge once."""

from __future__ import annotations

import pytest
from django.db import connection

from punkt.core.errors import DomainError
from punkt.core.models import AuditEvent
from punkt.core.roles import Role
from punkt.organization.tests.test_concurrency import _race
from punkt.servicedesk import merging, weighty
from punkt.servicedesk.models import Ticket, TicketDecision, TicketMessage, TicketStatus
from punkt.servicedesk.tests.factories import desk, ticket
from punkt.work.models import Notification
from tests.world import make_user, make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers; row locks need PostgreSQL"),
]


def test_two_managers_deciding_at_once_decide_once() -> None:
    w = make_world()
    d = desk(w)
    second = make_user("kierownik2.a@test.pl", Role.MANAGER, w.a)
    t = ticket(w, d, amount="5000")
    weighty.propose(actor=w.service_a, ticket_id=t.pk, proposal="Zwrot 5000 zł.")
    calls = iter([(w.manager_a, True), (second, False), (w.manager_a, False), (second, True)])

    def decide() -> object:
        who, accept = next(calls)
        return weighty.decide(actor=who, ticket_id=t.pk, accept=accept, comment="Nie tak")

    results = _race(4, decide)
    assert len([r for r in results if isinstance(r, DomainError)]) == 3
    decision = TicketDecision.objects.get(ticket=t)
    assert decision.outcome in ("accepted", "returned")
    status = Ticket.objects.get(pk=t.pk).status
    assert status == (TicketStatus.RESOLVED if decision.outcome == "accepted"
                      else TicketStatus.OPEN)
    assert AuditEvent.objects.filter(action__in=["servicedesk.ticket.accept",
                                                 "servicedesk.ticket.send_back"]).count() == 1
    assert Notification.objects.filter(kind="ticket.decided").count() == 1
    assert TicketMessage.objects.filter(ticket=t).count() == 2  # the opening + one outcome


def test_merging_a_pair_both_ways_at_once_merges_once() -> None:
    w = make_world()
    d = desk(w)
    a, b = ticket(w, d), ticket(w, d)
    pairs = iter([(a.pk, b.pk), (b.pk, a.pk)])

    def merge() -> object:
        source, target = next(pairs)
        return merging.merge(actor=w.service_a, ticket_id=source, target=target)

    results = _race(2, merge)
    assert len([r for r in results if isinstance(r, DomainError)]) == 1
    assert Ticket.objects.filter(merged_into__isnull=False).count() == 1
