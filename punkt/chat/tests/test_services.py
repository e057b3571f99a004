"""The chat's rules without sockets: a second take is refused (C10), the customer found by
the e-mail when exactly one has it, the desks' sites checked, presence audited."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from punkt.chat import services
from punkt.chat.models import AgentPresence, ChatDesk, ChatSession, ChatStatus
from punkt.chat.tests.factories import WORKING, chat_desk, online
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_chat_is_taken_once_and_only_by_the_team(world: Any) -> None:
    d = chat_desk(world)
    online(world.service_a, world.manager_a, world.service_b)
    with time_machine.travel(WORKING):
        s = services.start(desk=d, name="Ewa", email="", text="Halo")
    assert services.position(s) == 1
    with pytest.raises(ActionDenied):
        services.take(actor=world.service_b, session_id=s.pk)  # another team
    with pytest.raises(ActionDenied):
        services.take(actor=world.cashier_a, session_id=s.pk)  # no chat right
    taken = services.take(actor=world.service_a, session_id=s.pk)
    assert taken.status == ChatStatus.ACTIVE and taken.ticket.assignee == world.service_a
    with pytest.raises(Conflict) as exc:
        services.take(actor=world.manager_a, session_id=s.pk)
    assert exc.value.code == "taken"
    with pytest.raises(NotFound):  # only the agent in the chat writes in it
        services.agent_say(actor=world.manager_a, session_id=s.pk, text="Ja też")
    with pytest.raises(NotFound):
        services.take(actor=world.service_a, session_id=999999)
    services.agent_end(actor=world.service_a, session_id=s.pk)
    with pytest.raises(Conflict):
        services.visitor_say(session_id=s.pk, text="Jeszcze")


def test_the_customer_is_matched_by_an_e_mail_only_one_has(world: Any) -> None:
    from punkt.contracts.tests.factories import customer

    d = chat_desk(world)
    c = customer(world)
    c.email = "jan@example.pl"
    c.save()
    with time_machine.travel(WORKING):
        one = services.start(desk=d, name="Jan", email="JAN@example.pl", text="Halo")
    assert one.ticket.customer == c and one.ticket.channel == "chat"
    twin = customer(world)
    twin.email = "jan@example.pl"
    twin.save()
    with time_machine.travel(WORKING):
        two = services.start(desk=d, name="Jan", email="jan@example.pl", text="Halo")
    assert two.ticket.customer is None


def test_the_desk_keeps_only_sites_and_its_managers(world: Any) -> None:
    d = chat_desk(world)
    with pytest.raises(ValidationFailed) as exc:
        services.desk_save(actor=world.manager_a, desk_id=d.pk, team_id=d.team_id,
                           title="Czat", allowed_origins="https://www.firma.pl/kontakt")
    assert exc.value.field == "allowed_origins"
    with pytest.raises(ValidationFailed):
        services.desk_save(actor=world.manager_a, desk_id=d.pk, team_id=d.team_id,
                           title="Czat", allowed_origins="javascript:alert(1)")
    with pytest.raises(ValidationFailed) as exc:
        services.desk_save(actor=world.manager_a, desk_id=d.pk, team_id=d.team_id,
                           title="", allowed_origins="")
    assert exc.value.field == "title"
    with pytest.raises(ActionDenied):
        services.desk_save(actor=world.service_a, desk_id=d.pk, team_id=d.team_id,
                           title="Czat", allowed_origins="")
    with pytest.raises(NotFound):  # branch B's manager does not see A's desk
        services.desk_save(actor=world.manager_b, desk_id=d.pk, team_id=d.team_id,
                           title="Czat", allowed_origins="")
    saved = services.desk_save(actor=world.manager_a, desk_id=d.pk, team_id=d.team_id,
                               title="Czat", allowed_origins="HTTPS://Www.Firma.pl/\n\n"
                                                            "http://localhost:8000")
    assert saved.origins == ["https://www.firma.pl", "http://localhost:8000"]
    assert services.origin_allowed(saved, "https://www.firma.pl")
    assert not services.origin_allowed(saved, "https://www.firma.pl.evil.example")
    assert AuditEvent.objects.filter(action="chat.desk.save").count() == 1
    assert ChatDesk.objects.get(pk=d.pk).key == d.key


def test_presence_is_audited_once_per_change(world: Any) -> None:
    chat_desk(world)
    services.set_presence(actor=world.service_a, status="online")
    services.set_presence(actor=world.service_a, status="online")
    with pytest.raises(ValidationFailed):
        services.set_presence(actor=world.service_a, status="busy")
    assert AgentPresence.objects.get(employee=world.service_a).status == "online"
    assert AuditEvent.objects.filter(action="chat.presence").count() == 1
    assert ChatSession.objects.count() == 0


def test_a_waiting_chat_whose_visitor_left_ends_after_ten_minutes(world: Any) -> None:
    import datetime

    from django.utils import timezone

    d = chat_desk(world)
    with time_machine.travel(WORKING):
        gone = services.start(desk=d, name="Ewa", email="", text="Halo")
        back = services.start(desk=d, name="Jan", email="", text="Halo")
    services.visitor_presence(session_id=gone.pk, here=False)
    services.visitor_presence(session_id=back.pk, here=False)
    services.visitor_presence(session_id=back.pk, here=True)  # reloaded the page
    assert [w.left for w in services.waiting([d.pk])] == [True, False]
    later = timezone.now() + datetime.timedelta(minutes=11)
    assert services.end_abandoned(now=timezone.now()) == 0
    assert services.end_abandoned(now=later) == 1
    assert services.end_abandoned(now=later) == 0
    gone.refresh_from_db()
    back.refresh_from_db()
    assert gone.status == ChatStatus.ENDED and back.status == ChatStatus.WAITING
    assert gone.ticket.status == "new"  # the ticket stays with the team
