"""Races on PostgreSQL (C10): two agents taking one waiting chat at once — exactly one
gets it, the other is told it is taken; the ticket is the winner's."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection

from punkt.chat import services
from punkt.chat.models import ChatSession, ChatStatus
from punkt.chat.tests.factories import WORKING, chat_desk, online
from punkt.core.errors import Conflict
from punkt.core.models import AuditEvent
from punkt.organization.tests.test_concurrency import _race
from punkt.servicedesk.models import Ticket
from tests.world import make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers; row locks need PostgreSQL"),
]


def test_two_agents_taking_at_once_take_once() -> None:
    w = make_world()
    d = chat_desk(w)
    online(w.service_a, w.manager_a)
    with time_machine.travel(WORKING):
        session = services.start(desk=d, name="Ewa", email="", text="Halo")
    for _round in range(3):
        ChatSession.objects.filter(pk=session.pk).update(status=ChatStatus.WAITING,
                                                         agent=None, taken_at=None)
        agents = iter([w.service_a, w.manager_a, w.service_a, w.manager_a])
        results = _race(4, lambda: services.take(actor=next(agents), session_id=session.pk))
        won = [r for r in results if isinstance(r, ChatSession)]
        lost = [r for r in results if isinstance(r, Conflict)]
        assert len(won) == 1 and len(lost) == 3, results
        assert all(r.code == "taken" for r in lost)
        row = ChatSession.objects.get(pk=session.pk)
        assert row.agent_id == won[0].agent_id
        assert Ticket.objects.get(pk=session.ticket_id).assignee_id == won[0].agent_id
    assert AuditEvent.objects.filter(action="chat.take").count() == 3
