"""The chat's two WebSockets (``/ws/chat/visitor/<key>/`` and ``/ws/chat/agent/``).

Visitor: the connection is accepted only from a site allowed for the desk (the
``Origin`` header) and within the per-address rate of new connections; the visitor is
known by a signed token (no account), sent in the first frame, never in the URL; a frame
above ``FRAME_MAX`` closes the socket, a message above ``PUNKT_CHAT_MESSAGE_MAX`` or past
the connection's burst is refused. The visitor hears only their own chat: their place in
the queue is computed on the server, never the queue itself.

Agent: a signed-in session (not idle, from Punkt's own origin) with ``chat.chat.handle``
and membership in a chat-enabled team; every action is checked again by the services.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from channels.db import DatabaseSyncToAsync
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.cache import cache

from punkt.chat import services
from punkt.chat.models import Availability, ChatDesk, ChatStatus
from punkt.core.errors import DomainError

#: a frame larger than this closes the socket (the text limit is well below)
FRAME_MAX = 16 * 1024
#: typing signals sent on at most every this many seconds
TYPING_EVERY = 1.0
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_MANY = 4429
CLOSE_TOO_BIG = 1009


def database_sync_to_async(fn: Any) -> Any:
    """Run ``fn`` (ORM work) off the event loop. With ``PUNKT_CHAT_PARALLEL_DB`` (the
    default) the sockets' database work runs on a pool of threads, each with its own
    connection, so one slow COMMIT (an fsync) does not queue every other socket of the
    process behind it; off, it runs on the one thread Django's async code shares."""
    parallel = bool(getattr(settings, "PUNKT_CHAT_PARALLEL_DB", True))
    return DatabaseSyncToAsync(fn, thread_sensitive=not parallel)


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def _client_ip(scope: dict[str, Any]) -> str:
    client = scope.get("client") or ("", 0)
    return str(client[0] or "unknown")


def _slot(key: str, window: int) -> str:
    return f"chat-rl:{key}:{int(time.time()) // window}"


async def spent(key: str, limit: int, window: int) -> bool:
    """Whether ``key`` has used up its ``limit`` in the current window (not counting)."""
    return bool(int(await cache.aget(_slot(key, window), 0)) >= limit)


async def allow(key: str, limit: int, window: int) -> bool:
    """Count one event of ``key`` in the current window; False past ``limit``."""
    slot = _slot(key, window)
    await cache.aadd(slot, 0, window + 5)
    try:
        count = await cache.aincr(slot)
    except ValueError:  # expired between add and incr
        await cache.aset(slot, 1, window + 5)
        count = 1
    return bool(count <= limit)


class Bucket:
    """A token bucket: ``burst`` at once, then ``rate`` a second."""

    def __init__(self, burst: int, rate: float = 1.0) -> None:
        self.burst, self.rate = float(burst), rate
        self.tokens, self.at = float(burst), time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class _Base(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None,
                      **kwargs: Any) -> None:
        if text_data is None or len(text_data) > FRAME_MAX:
            await self.close(code=CLOSE_TOO_BIG)
            return
        try:
            content = await self.decode_json(text_data)
        except ValueError:
            await self.error("bad_frame", "?")
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.error("bad_frame", "?")
            return
        if content["type"] == "ping":  # the reference round trip: no database, no layer
            await self.send_json({"type": "pong", "t": content.get("t")})
            return
        try:
            await self.receive_json(content)
        except DomainError as exc:
            await self.error(exc.code, exc.message, exc.field)

    async def error(self, code: str, message: str, field: str | None = None) -> None:
        await self.send_json({"type": "error", "code": code, "message": message,
                              "field": field or ""})


class VisitorConsumer(_Base):
    desk: ChatDesk
    session_id: int | None = None
    waiting = False

    async def connect(self) -> None:
        self.bucket = Bucket(int(getattr(settings, "PUNKT_CHAT_MESSAGE_BURST", 5)))
        self.typing_at = 0.0
        self.ip = _client_ip(self.scope)
        if not await allow(f"conn:{self.ip}",
                           int(getattr(settings, "PUNKT_CHAT_CONNECTS_PER_MINUTE", 30)), 60):
            await self.close(code=CLOSE_TOO_MANY)
            return
        key = str(self.scope["url_route"]["kwargs"].get("key", ""))
        desk = await database_sync_to_async(services.desk_by_key)(key)
        if desk is None or not (services.origin_allowed(desk, _header(self.scope, b"origin"))
                                or _same_origin(self.scope)):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.desk = desk
        await self.accept()
        is_open, online = await database_sync_to_async(self._hello)()
        await self.send_json({"type": "hello", "title": desk.title, "open": is_open,
                              "agents_online": online, "contact_url": self._contact_url(),
                              "max": services.message_max()})

    def _hello(self) -> tuple[bool, bool]:
        return services.is_open(self.desk), services.agents_online(self.desk)

    def _contact_url(self) -> str:
        path = services.contact_url()
        host = _header(self.scope, b"host")
        scheme = "https" if self.scope.get("scheme") == "wss" else "http"
        return f"{scheme}://{host}{path}" if host else path

    async def disconnect(self, code: int) -> None:
        if self.session_id is not None:
            await database_sync_to_async(services.visitor_presence)(
                session_id=self.session_id, here=False)
            await self.channel_layer.group_discard(services.chat_group(self.session_id),
                                                   self.channel_name)
            await self.channel_layer.group_discard(services.desk_group(self.desk.pk),
                                                   self.channel_name)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        kind = content["type"]
        if kind == "start":
            await self._start(content)
        elif kind == "resume":
            await self._resume(content.get("token"))
        elif self.session_id is None:
            await self.error("no_chat", "?")
        elif kind == "message":
            if not self.bucket.take():
                await self.error("too_fast", _too_fast(), "text")
                return
            await database_sync_to_async(services.visitor_say)(session_id=self.session_id,
                                                               text=content.get("text"))
        elif kind == "typing":
            if time.monotonic() - self.typing_at >= TYPING_EVERY:
                self.typing_at = time.monotonic()
                await self.channel_layer.group_send(
                    services.chat_group(self.session_id),
                    {"type": "chat.typing", "chat": self.session_id, "from": "visitor"})
        elif kind == "end":
            await database_sync_to_async(services.visitor_end)(session_id=self.session_id)

    async def _start(self, content: dict[str, Any]) -> None:
        if self.session_id is not None:
            await self.error("started", "?")
            return
        limit = int(getattr(settings, "PUNKT_CHAT_STARTS_PER_HOUR", 10))
        if await spent(f"start:{self.ip}", limit, 3600):
            await self.error("too_many", _too_many())
            return
        session = await database_sync_to_async(services.start)(
            desk=self.desk, name=content.get("name"), email=content.get("email"),
            text=content.get("text"))
        await allow(f"start:{self.ip}", limit, 3600)  # a refused start does not count
        await self._join(session.pk, services.token_for(session))

    async def _resume(self, token: Any) -> None:
        session = await database_sync_to_async(services.session_for_token)(self.desk, token)
        if session is None or session.status == ChatStatus.ENDED:
            await self.send_json({"type": "reset"})
            return
        await self._join(session.pk, None)

    async def _join(self, session_id: int, token: str | None) -> None:
        self.session_id = session_id
        if token is None:  # back after a reload
            await database_sync_to_async(services.visitor_presence)(session_id=session_id,
                                                                    here=True)
        await self.channel_layer.group_add(services.chat_group(session_id), self.channel_name)
        state = await database_sync_to_async(self._state)()
        if state["status"] == ChatStatus.WAITING:
            self.waiting = True
            await self.channel_layer.group_add(services.desk_group(self.desk.pk),
                                               self.channel_name)
        await self.send_json({"type": "started", "token": token, **state})

    def _state(self) -> dict[str, Any]:
        from punkt.chat.models import ChatSession

        session = ChatSession.objects.select_related("agent").get(pk=self.session_id or 0)
        return {"status": session.status, "position": services.position(session),
                "agent": session.agent.first_name if session.agent else "",
                "history": services.history(session)}

    # -- events of the groups ------------------------------------------------------------

    async def queue_changed(self, event: dict[str, Any]) -> None:
        if not self.waiting or self.session_id is None or _seen(self, event):
            return
        state = await database_sync_to_async(self._position)()
        if state:
            await self.send_json({"type": "queue", "position": state})

    def _position(self) -> int:
        from punkt.chat.models import ChatSession

        session = ChatSession.objects.filter(pk=self.session_id or 0).first()
        return services.position(session) if session else 0

    async def chat_message(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "message", **event["message"]})

    async def chat_typing(self, event: dict[str, Any]) -> None:
        if event.get("from") == "agent":
            await self.send_json({"type": "typing"})

    async def chat_taken(self, event: dict[str, Any]) -> None:
        self.waiting = False
        await self.channel_layer.group_discard(services.desk_group(self.desk.pk),
                                               self.channel_name)
        await self.send_json({"type": "agent", "name": event["agent"]})

    async def chat_ended(self, event: dict[str, Any]) -> None:
        self.waiting = False
        await self.send_json({"type": "ended", "by": event.get("by", "")})


def _seen(consumer: Any, event: dict[str, Any]) -> bool:
    """Whether the queue news in ``event`` is older than this socket's last read of the
    queue (which then already showed it); otherwise a read starts now."""
    at = event.get("at")
    if isinstance(at, float) and at < getattr(consumer, "queue_read_at", 0.0):
        return True
    consumer.queue_read_at = time.time()
    return False


def _too_fast() -> str:
    from django.utils.translation import gettext

    return gettext("You are writing too fast: wait a moment.")


def _too_many() -> str:
    from django.utils.translation import gettext

    return gettext("Too many chats from your address: try again later.")


class AgentConsumer(_Base):
    """The console's socket: the queue of the agent's desks and the chats they are in."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not _same_origin(self.scope) \
                or not await database_sync_to_async(_session_fresh)(self.scope):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user = user
        desks = await database_sync_to_async(services.agent_desks)(user)
        if not desks:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.desk_ids = [d.pk for d in desks]
        self.chats: set[int] = set()
        self.bucket = Bucket(20, 3.0)
        self.typing_at: dict[int, float] = {}
        self.touched = time.time()
        await self.accept()
        for desk_id in self.desk_ids:
            await self.channel_layer.group_add(services.desk_group(desk_id), self.channel_name)
        mine = await database_sync_to_async(self._my_chats)()
        for chat in mine:
            await self._follow(chat)
        await self.queue_changed({})

    async def disconnect(self, code: int) -> None:
        for desk_id in getattr(self, "desk_ids", []):
            await self.channel_layer.group_discard(services.desk_group(desk_id),
                                                   self.channel_name)
        for chat_id in getattr(self, "chats", set()):
            await self.channel_layer.group_discard(services.chat_group(chat_id),
                                                   self.channel_name)

    def _my_chats(self) -> list[dict[str, Any]]:
        return [_chat_payload(s) for s in services.my_chats(self.user)]

    async def _follow(self, chat: dict[str, Any]) -> None:
        self.chats.add(chat["id"])
        await self.channel_layer.group_add(services.chat_group(chat["id"]), self.channel_name)
        await self.send_json({"type": "chat", "chat": chat})

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        kind, chat = content["type"], content.get("chat")
        await self._touch()
        if kind == "presence":
            await database_sync_to_async(services.set_presence)(actor=self.user,
                                                                status=content.get("status"))
            await self.queue_changed({})
        elif kind == "take":
            session = await database_sync_to_async(services.take)(actor=self.user,
                                                                  session_id=chat)
            payload = await database_sync_to_async(_chat_payload)(session)
            await self._follow(payload)
        elif not isinstance(chat, int) or chat not in self.chats:
            await self.error("no_chat", "?", "chat")
        elif kind == "message":
            if not self.bucket.take():
                await self.error("too_fast", _too_fast(), "text")
                return
            await database_sync_to_async(services.agent_say)(actor=self.user, session_id=chat,
                                                             text=content.get("text"))
        elif kind == "typing":
            if time.monotonic() - self.typing_at.get(chat, 0.0) >= TYPING_EVERY:
                self.typing_at[chat] = time.monotonic()
                await self.channel_layer.group_send(
                    services.chat_group(chat),
                    {"type": "chat.typing", "chat": chat, "from": "agent"})
        elif kind == "end":
            await database_sync_to_async(services.agent_end)(actor=self.user, session_id=chat)

    async def _touch(self) -> None:
        """Chatting is activity: the session's idle clock moves (at most once a minute)."""
        session = self.scope.get("session")
        now = time.time()
        if session is None or now - self.touched < 60:
            return
        self.touched = now
        session["punkt_last_seen"] = int(now)
        await database_sync_to_async(session.save)()

    # -- events of the groups ------------------------------------------------------------

    async def queue_changed(self, event: dict[str, Any]) -> None:
        if _seen(self, event):
            return
        state = await database_sync_to_async(self._queue)()
        await self.send_json({"type": "queue", **state})

    def _queue(self) -> dict[str, Any]:
        from django.utils import timezone

        from punkt.organization.actors import employee_of

        now = timezone.now()
        return {"online": services.presence_of(employee_of(self.user)) == Availability.ONLINE,
                "waiting": [{"id": w.id, "name": w.name, "preview": w.preview,
                             "ticket": w.ticket_number, "left": w.left,
                             "minutes": int((now - w.since).total_seconds() // 60),
                             "since": timezone.localtime(w.since).strftime("%H:%M")}
                            for w in services.waiting(self.desk_ids)]}

    async def chat_message(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "message", **event["message"]})

    async def chat_typing(self, event: dict[str, Any]) -> None:
        if event.get("from") == "visitor":
            await self.send_json({"type": "typing", "chat": event["chat"]})

    async def chat_taken(self, event: dict[str, Any]) -> None:
        return None

    async def chat_ended(self, event: dict[str, Any]) -> None:
        chat = event["chat"]
        self.chats.discard(chat)
        await self.channel_layer.group_discard(services.chat_group(chat), self.channel_name)
        await self.send_json({"type": "ended", "chat": chat, "by": event.get("by", "")})


def _chat_payload(session: Any) -> dict[str, Any]:
    from punkt.servicedesk.services import ticket_url

    return {"id": session.pk, "name": session.visitor_name, "email": session.visitor_email,
            "ticket": session.ticket.number, "ticket_url": ticket_url(session.ticket),
            "history": services.history(session)}


def _same_origin(scope: dict[str, Any]) -> bool:
    """The agent's socket opens only from Punkt's own pages (a foreign page cannot ride on
    the agent's session cookie)."""
    origin, host = _header(scope, b"origin"), _header(scope, b"host")
    return bool(origin and host and urlsplit(origin).netloc.lower() == host.lower())


def _session_fresh(scope: dict[str, Any]) -> bool:
    """The same idle and absolute limits as the pages (``SessionTimeoutMiddleware``), and
    the same MFA requirement (``MfaRequiredMiddleware``)."""
    from punkt.organization.middleware import mfa_missing

    session = scope.get("session")
    if session is None or mfa_missing(scope["user"], session):
        return False
    now = int(time.time())
    last, started = session.get("punkt_last_seen"), session.get("punkt_login_at")
    if last is not None and now - int(last) > settings.PUNKT_SESSION_IDLE_SECONDS:
        return False
    return not (started is not None and now - int(started) > settings.SESSION_COOKIE_AGE)
