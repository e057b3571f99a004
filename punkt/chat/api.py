"""API of the live chat for agents: /api/v1/chats/… — the same services as the agent's
console (``views.console`` and the WebSocket consumer): the chats waiting at my teams'
desks and the ones I am in, my availability, taking a chat (exactly once), answering and
ending it. A desk-top client or a contact-centre system can work the chat queue with it;
the visitor's side stays the widget."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from punkt.chat import services
from punkt.chat.models import ChatSession
from punkt.core.api import Strict, errors, known_id
from punkt.core.routes import scoped

router = Router(tags=["chat"])


class WaitingOut(Schema):
    id: int
    desk_id: int
    visitor_name: str
    waiting_since: datetime.datetime
    first_message: str
    ticket_number: str
    visitor_left: bool


class ChatOut(Schema):
    id: int
    desk_id: int
    ticket_id: int
    ticket_number: str
    visitor_name: str
    status: str
    taken_at: datetime.datetime | None


class QueueOut(Schema):
    presence: str
    desks: list[int]
    waiting: list[WaitingOut]
    mine: list[ChatOut]


class PresenceIn(Strict):
    status: Literal["online", "away"]


class PresenceOut(Schema):
    status: str


class LineIn(Strict):
    text: str = Field(min_length=1, max_length=4000)


class LineOut(Schema):
    id: int
    ticket_id: int
    created_at: datetime.datetime


def _chat(s: ChatSession) -> dict[str, Any]:
    return {"id": s.pk, "desk_id": s.desk_id, "ticket_id": s.ticket_id,
            "ticket_number": s.ticket.number, "visitor_name": s.visitor_name,
            "status": s.status, "taken_at": s.taken_at}


@router.get("/chats", response={200: QueueOut, **errors()}, operation_id="chat_queue")
@scoped("self")
def queue(request: HttpRequest) -> dict[str, Any]:
    """The chats waiting at my teams' desks (longest first), the ones I am in, and whether
    I take chats now (``online``) or not (``away``)."""
    from punkt.chat import permissions as perms
    from punkt.organization import permissions as org_perms
    from punkt.organization.actors import employee_of

    org_perms.ensure(request.user, perms.CHAT_HANDLE.code)
    desks = [d.pk for d in services.agent_desks(request.user)]
    return {"presence": services.presence_of(employee_of(request.user)), "desks": desks,
            "waiting": [{"id": w.id, "desk_id": w.desk_id, "visitor_name": w.name,
                         "waiting_since": w.since, "first_message": w.preview,
                         "ticket_number": w.ticket_number, "visitor_left": w.left}
                        for w in services.waiting(desks)],
            "mine": [_chat(s) for s in services.my_chats(request.user)]}


@router.put("/chats/presence", response={200: PresenceOut, **errors()},
            operation_id="chat_presence_set")
@scoped("self")
def presence(request: HttpRequest, payload: PresenceIn) -> dict[str, Any]:
    """Available (``online``: waiting chats may be taken) or ``away``."""
    row = services.set_presence(actor=request.user, status=payload.status)
    return {"status": row.status}


@router.post("/chats/{chat_id}/take", response={200: ChatOut, **errors(404, 409)},
             operation_id="chat_take")
@scoped("self")
def take(request: HttpRequest, chat_id: int) -> dict[str, Any]:
    """Take a waiting chat of my team: of two agents at once, one gets it (409 for the
    other); its ticket becomes mine."""
    return _chat(services.take(actor=request.user, session_id=known_id(chat_id)))


@router.post("/chats/{chat_id}/messages", response={201: LineOut, **errors(404, 409)},
             operation_id="chat_say")
@scoped("self")
def say(request: HttpRequest, chat_id: int, payload: LineIn) -> Status[Any]:
    """Answer the visitor of a chat I am in (a public reply on its ticket)."""
    message = services.agent_say(actor=request.user, session_id=known_id(chat_id),
                                 text=payload.text)
    return Status(201, {"id": message.pk, "ticket_id": message.ticket_id,
                        "created_at": message.created_at})


@router.post("/chats/{chat_id}/end", response={200: ChatOut, **errors(404, 409)},
             operation_id="chat_end")
@scoped("self")
def end(request: HttpRequest, chat_id: int) -> dict[str, Any]:
    """End a chat I am in; the transcript stays on its ticket."""
    return _chat(services.agent_end(actor=request.user, session_id=known_id(chat_id)))
