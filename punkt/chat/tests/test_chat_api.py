"""The agents' chat API (/api/v1/chats): the queue of my teams' desks, availability,
taking a chat exactly once (409 for the second agent), answering, ending; other teams and
roles are refused, unknown chats are 404."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from punkt.chat import services
from punkt.chat.models import ChatStatus
from punkt.chat.tests.factories import WORKING, chat_desk
from punkt.servicedesk.models import TicketMessage

pytestmark = pytest.mark.django_db


def _api(user: Any) -> Client:
    from punkt.organization.services import api_token_create

    _token, secret = api_token_create(actor=user, name="konsola")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_an_agent_works_the_queue_through_the_api(world: Any) -> None:
    desk = chat_desk(world)
    with time_machine.travel(WORKING):
        chat = services.start(desk=desk, name="Ewa", email="", text="Gdzie moja faktura?")
    agent, colleague, elsewhere = _api(world.service_a), _api(world.manager_a), _api(
        world.service_b)
    queue = agent.get("/api/v1/chats").json()
    assert queue["presence"] == "away" and queue["desks"] == [desk.pk]
    assert [(w["id"], w["first_message"]) for w in queue["waiting"]] == [
        (chat.pk, "Gdzie moja faktura?")]
    assert elsewhere.get("/api/v1/chats").json()["waiting"] == []  # another team's desk
    away = agent.post(f"/api/v1/chats/{chat.pk}/take")
    assert away.status_code == 409 and away.json()["code"] == "away"
    assert agent.put("/api/v1/chats/presence", {"status": "online"},
                     content_type="application/json").json() == {"status": "online"}
    assert agent.put("/api/v1/chats/presence", {"status": "busy"},
                     content_type="application/json").status_code == 422
    colleague.put("/api/v1/chats/presence", {"status": "online"},
                  content_type="application/json")
    taken = agent.post(f"/api/v1/chats/{chat.pk}/take")
    assert taken.status_code == 200 and taken.json()["status"] == ChatStatus.ACTIVE
    assert colleague.post(f"/api/v1/chats/{chat.pk}/take").status_code == 409
    assert elsewhere.post(f"/api/v1/chats/{chat.pk}/take").status_code == 403
    assert agent.post("/api/v1/chats/999999/take").status_code == 404
    assert [c["id"] for c in agent.get("/api/v1/chats").json()["mine"]] == [chat.pk]
    said = agent.post(f"/api/v1/chats/{chat.pk}/messages", {"text": "Już sprawdzam."},
                      content_type="application/json")
    assert said.status_code == 201
    assert TicketMessage.objects.get(pk=said.json()["id"]).body == "Już sprawdzam."
    assert colleague.post(f"/api/v1/chats/{chat.pk}/messages", {"text": "Ja też"},
                          content_type="application/json").status_code == 404
    assert agent.post(f"/api/v1/chats/{chat.pk}/messages", {"text": ""},
                      content_type="application/json").status_code == 422
    ended = agent.post(f"/api/v1/chats/{chat.pk}/end")
    assert ended.status_code == 200 and ended.json()["status"] == ChatStatus.ENDED
    assert agent.post(f"/api/v1/chats/{chat.pk}/end").status_code in (404, 409)


def test_roles_without_the_chat_right_are_refused(world: Any) -> None:
    chat_desk(world)
    cashier = _api(world.cashier_a)
    assert cashier.get("/api/v1/chats").status_code == 403
    assert cashier.put("/api/v1/chats/presence", {"status": "online"},
                       content_type="application/json").status_code == 403
