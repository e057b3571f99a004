"""Building blocks of the chat's tests: the service desk's team A with a chat desk open on
``https://www.firma.pl``, a moment when the team works, and socket helpers."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from channels.testing import WebsocketCommunicator

from punkt.chat.models import AgentPresence, Availability, ChatDesk
from punkt.servicedesk.tests.factories import Desk, desk

SITE = "https://www.firma.pl"
#: a Wednesday at 10:00 in Warsaw: team A (Mon–Fri 8–16) works
WORKING = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Europe/Warsaw"))
#: a Sunday: closed
CLOSED = datetime.datetime(2026, 12, 6, 10, 0, tzinfo=ZoneInfo("Europe/Warsaw"))


def chat_desk(world: Any, d: Desk | None = None) -> ChatDesk:
    d = d or desk(world)
    return ChatDesk.objects.create(team=d.team_a, title="Czat z Biurem A",
                                   allowed_origins=SITE, ticket_type=d.question)


def online(*employees: Any) -> None:
    for e in employees:
        AgentPresence.objects.update_or_create(employee=e,
                                               defaults={"status": Availability.ONLINE})


def visitor(key: str, origin: str = SITE, ip: str = "203.0.113.7") -> WebsocketCommunicator:
    from punkt.asgi import application

    comm = WebsocketCommunicator(application, f"/ws/chat/visitor/{key}/",
                                 headers=[(b"origin", origin.encode()),
                                          (b"host", b"punkt.example")])
    comm.scope["client"] = (ip, 50000)
    return comm


def agent(client: Any, origin: str = "http://testserver") -> WebsocketCommunicator:
    from punkt.asgi import application

    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    return WebsocketCommunicator(application, "/ws/chat/agent/",
                                 headers=[(b"origin", origin.encode()),
                                          (b"host", b"testserver"), (b"cookie", cookie)])


async def until(comm: WebsocketCommunicator, kind: str, timeout: float = 3) -> dict[str, Any]:
    """The next frame of ``kind`` (frames of other kinds before it are skipped)."""
    while True:
        frame = await comm.receive_json_from(timeout=timeout)
        if frame.get("type") == kind:
            return dict(frame)
