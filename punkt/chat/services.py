"""Every change of the live chat, and the reads its sockets need.

A visitor starts a chat with a name, an optional e-mail and the first message: a ticket
with channel ``chat`` opens (``ticket_open_from_channel``; the customer is matched by the
e-mail when exactly one active customer has it) and the chat waits in its desk's queue.
An available agent of the desk's team takes it — exactly once: a conditional update on
the waiting state, so of two agents clicking at once one gets it and the other a
``Conflict`` — and the ticket becomes theirs. The visitor's lines are
``customer_message``s, the agent's are public ``reply``s (so the first-response clock
stops as for any ticket); the ticket page shows them all.

Changes are published to the sockets on commit (``publish``): the desk's group hears the
queue, the chat's group hears its lines, typing and end. A public reply written on the
ticket page of a chat ticket reaches the visitor too (``REPLY_SENDERS``).
"""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.chat import permissions as perms
from punkt.chat.models import (
    AgentPresence,
    Availability,
    ChatDesk,
    ChatSession,
    ChatStatus,
)
from punkt.core.access import SystemActor
from punkt.core.audit import audit_record
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.customers.models import Customer, CustomerStatus
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Employee
from punkt.servicedesk import services as desk_services
from punkt.servicedesk.models import Channel, TeamMember, Ticket, TicketMessage, TicketType

logger = logging.getLogger("punkt.chat")
ACTOR = SystemActor("chat")
TOKEN_SALT = "punkt.chat.visitor"
#: a visitor's token opens their chat for this long
TOKEN_MAX_AGE = 24 * 3600
NAME_MAX = 100
SUBJECT_WORDS = 60
#: where the widget sends visitors outside the team's hours (another area's page)
CONTACT_PATH = "/contact/"


def message_max() -> int:
    return int(getattr(settings, "PUNKT_CHAT_MESSAGE_MAX", 2000))


# -- publishing to the sockets ------------------------------------------------------------

def desk_group(desk_id: int) -> str:
    return f"chat.desk.{desk_id}"


def chat_group(session_id: int) -> str:
    return f"chat.session.{session_id}"


def _send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:  # pragma: no cover - CHANNEL_LAYERS is always set
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:  # the change is saved; a lost push is healed by the next one
        logger.exception("chat: publishing to %s failed", group)


def publish(group: str, event: dict[str, Any]) -> None:
    """Send ``event`` to the sockets of ``group`` once the transaction commits."""
    transaction.on_commit(lambda: _send(group, event))


def publish_queue(desk_id: int) -> None:
    """The desk's queue changed; ``at`` lets a socket skip the news its last read (begun
    later) already holds, so a burst of changes costs each socket one read, not one each."""
    transaction.on_commit(lambda: _send(desk_group(desk_id), {
        "type": "queue.changed", "desk": desk_id, "at": time.time()}))


# -- the desk and its hours ---------------------------------------------------------------

def desk_by_key(key: str) -> ChatDesk | None:
    if not key or len(key) > 32:
        return None
    return (ChatDesk.objects.filter(key=key, is_active=True, team__is_active=True)
            .select_related("team").first())


def is_open(desk: ChatDesk, *, now: datetime.datetime | None = None) -> bool:
    """Whether the desk's team works now (its hours, holidays and days off)."""
    return desk_services.team_schedule(desk.team).is_open(now or timezone.now())


def origin_allowed(desk: ChatDesk, origin: str) -> bool:
    """The widget connects only from the desk's sites (and from Punkt itself)."""
    origin = (origin or "").strip().rstrip("/").lower()
    if not origin:
        return False
    return origin in desk.origins


def contact_url() -> str:
    """The web contact form's path (built by the web form area; its path if not yet)."""
    try:
        return reverse("webform:contact")
    except NoReverseMatch:
        return CONTACT_PATH


def agents_online(desk: ChatDesk) -> bool:
    return AgentPresence.objects.filter(
        status=Availability.ONLINE, employee__is_active=True,
        employee__in=TeamMember.objects.filter(team_id=desk.team_id).values("employee_id"),
    ).exists()


# -- the visitor --------------------------------------------------------------------------

def token_for(session: ChatSession) -> str:
    return signing.dumps({"s": session.pk, "n": session.nonce}, salt=TOKEN_SALT)


def session_for_token(desk: ChatDesk, token: Any) -> ChatSession | None:
    """The visitor's chat on ``desk`` named by their signed token (None: forged, expired,
    another desk's or unknown)."""
    if not isinstance(token, str) or len(token) > 300:
        return None
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        return None
    session = ChatSession.objects.filter(pk=data["s"], desk=desk).first()
    if session is None or not isinstance(data.get("n"), str) or data["n"] != session.nonce:
        return None
    return session


def _clean(value: Any, field: str, limit: int, *, required: bool, message: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if "\x00" in text:
        raise ValidationFailed("invalid", message, field=field)
    if required and not text:
        raise ValidationFailed("required", message, field=field)
    if len(text) > limit:
        raise ValidationFailed("too_long", _("At most %(n)d characters.") % {"n": limit},
                               field=field)
    return text


def match_customer(email: str) -> Customer | None:
    """The one active customer with this e-mail address (none when several share it)."""
    if not email:
        return None
    found = list(Customer.objects.filter(email__iexact=email,
                                         status=CustomerStatus.ACTIVE)[:2])
    return found[0] if len(found) == 1 else None


def _ticket_type(desk: ChatDesk) -> TicketType:
    if desk.ticket_type_id and desk.ticket_type and desk.ticket_type.is_active:
        return desk.ticket_type
    found = (TicketType.objects.filter(is_active=True, default_team=desk.team_id).first()
             or TicketType.objects.filter(is_active=True).order_by("pk").first())
    if found is None:
        raise Conflict("not_configured", _("The chat is not available now."))
    return found


def _subject(text: str) -> str:
    first = " ".join(text.split())
    short = first[:SUBJECT_WORDS]
    if len(first) > SUBJECT_WORDS:
        short = short.rsplit(" ", 1)[0] + "…"
    return _("Chat: %(text)s") % {"text": short}


@transaction.atomic
def start(*, desk: ChatDesk, name: Any, email: Any, text: Any) -> ChatSession:
    """The visitor's first message: the ticket opens and the chat joins the queue."""
    name = _clean(name, "name", NAME_MAX, required=True, message=_("Give your name."))
    email = _clean(email, "email", 254, required=False, message=_("Give a valid e-mail."))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationFailed("invalid", _("Give a valid e-mail."),
                                   field="email") from None
    text = _clean(text, "text", message_max(), required=True, message=_("Write a message."))
    if not is_open(desk):
        raise Conflict("closed", _("The chat is closed now: write to us through the "
                                   "contact form."))
    label = f"{name} <{email}>" if email else name
    ticket, _message = desk_services.ticket_open_from_channel(
        actor=ACTOR, team=desk.team, ticket_type=_ticket_type(desk), channel=Channel.CHAT,
        subject=_subject(text), body=text, author_label=label,
        customer=match_customer(email))
    session = ChatSession.objects.create(desk=desk, ticket=ticket, visitor_name=name,
                                         visitor_email=email)
    audit_record(action="chat.start", obj=session, actor=ACTOR, branch_id=ticket.branch_id,
                 changes={"ticket": ticket.number, "desk": desk.pk})
    publish_queue(desk.pk)
    return session


def _open_session(session_id: int, *, lock: bool = False) -> ChatSession:
    qs = ChatSession.objects.select_related("desk", "ticket", "agent")
    if lock:
        qs = qs.select_for_update(of=("self",))
    session = qs.filter(pk=session_id).first()
    if session is None:
        raise NotFound(_("Chat not found."))
    if session.status == ChatStatus.ENDED:
        raise Conflict("ended", _("The chat has ended."))
    return session


@transaction.atomic
def visitor_say(*, session_id: int, text: Any) -> TicketMessage:
    """The visitor writes: a line of the ticket, heard by the agent."""
    session = _open_session(session_id, lock=True)
    body = _clean(text, "text", message_max(), required=True, message=_("Write a message."))
    label = (f"{session.visitor_name} <{session.visitor_email}>" if session.visitor_email
             else session.visitor_name)
    message = desk_services.customer_message(actor=ACTOR, ticket_id=session.ticket_id,
                                             body=body, author_label=label)
    publish(chat_group(session.pk), {"type": "chat.message",
                                     "message": line(message, session)})
    return message


@transaction.atomic
def visitor_end(*, session_id: int) -> ChatSession:
    session = _open_session(session_id, lock=True)
    return _end(session, ACTOR, by="visitor")


def _end(session: ChatSession, actor: Actor, *, by: str) -> ChatSession:
    source = session.status
    if not ChatSession.objects.filter(pk=session.pk, status=source).update(
            status=ChatStatus.ENDED, ended_at=timezone.now()):
        raise Conflict("changed", _("The chat changed meanwhile."))
    session.refresh_from_db()
    audit_record(action="chat.end", obj=session, actor=actor,
                 branch_id=session.ticket.branch_id, changes={"by": by, "status": source})
    publish(chat_group(session.pk), {"type": "chat.ended", "chat": session.pk, "by": by})
    if source == ChatStatus.WAITING:
        publish_queue(session.desk_id)
    return session


def visitor_presence(*, session_id: int, here: bool) -> None:
    """The visitor's socket opened (``here``) or closed: agents see who left the queue."""
    changed = ChatSession.objects.filter(pk=session_id).exclude(
        status=ChatStatus.ENDED).filter(visitor_left_at__isnull=not here).update(
        visitor_left_at=None if here else timezone.now())
    if changed:
        desk_id = ChatSession.objects.filter(pk=session_id, status=ChatStatus.WAITING) \
            .values_list("desk_id", flat=True).first()
        if desk_id:
            publish_queue(desk_id)


#: a waiting chat whose visitor has been gone this long is ended
ABANDONED_AFTER = datetime.timedelta(minutes=10)


def end_abandoned(*, now: datetime.datetime | None = None) -> int:
    """End the waiting chats whose visitor left more than ``ABANDONED_AFTER`` ago (each by
    a conditional update: safe twice or at once); the tickets stay for the team."""
    cutoff = (now or timezone.now()) - ABANDONED_AFTER
    ended = 0
    for pk in ChatSession.objects.filter(status=ChatStatus.WAITING,
                                         visitor_left_at__lt=cutoff).values_list("pk",
                                                                                 flat=True):
        with transaction.atomic():
            session = ChatSession.objects.select_related("ticket").select_for_update(
                of=("self",)).filter(pk=pk, status=ChatStatus.WAITING,
                                     visitor_left_at__lt=cutoff).first()
            if session is not None:
                _end(session, ACTOR, by="timeout")
                ended += 1
    return ended


def position(session: ChatSession) -> int:
    """The visitor's place in the queue (1: next), 0 when no longer waiting."""
    if session.status != ChatStatus.WAITING:
        return 0
    return ChatSession.objects.filter(desk_id=session.desk_id, status=ChatStatus.WAITING,
                                      created_at__lte=session.created_at,
                                      pk__lte=session.pk).count()


def line(message: TicketMessage, session: ChatSession) -> dict[str, Any]:
    """One line of the chat as both sides' sockets show it."""
    agent = message.author_id is not None
    author = (message.author.first_name if agent and message.author else
              session.visitor_name)
    return {"id": message.pk, "chat": session.pk, "from": "agent" if agent else "visitor",
            "author": author, "text": message.body,
            "at": timezone.localtime(message.created_at).strftime("%H:%M")}


def history(session: ChatSession) -> list[dict[str, Any]]:
    """The chat's public lines (internal notes never reach the visitor)."""
    rows = (TicketMessage.objects.filter(ticket_id=session.ticket_id, internal=False)
            .select_related("author").order_by("id"))
    return [line(m, session) for m in rows]


# -- the agents ---------------------------------------------------------------------------

def presence_of(employee: Employee | None) -> str:
    if employee is None:
        return Availability.AWAY
    row = AgentPresence.objects.filter(employee=employee).first()
    return row.status if row else Availability.AWAY


def agent_desks(actor: Actor) -> list[ChatDesk]:
    """The active desks of the teams ``actor`` is a member of (none without the right)."""
    me = employee_of(actor)
    if me is None or not org_perms.can(actor, perms.CHAT_HANDLE.code):
        return []
    teams = TeamMember.objects.filter(employee=me).values("team_id")
    return list(ChatDesk.objects.filter(team_id__in=teams, is_active=True,
                                        team__is_active=True).select_related("team"))


def _ensure_agent(actor: Actor, desk_id: int) -> Employee:
    me = employee_of(actor)
    org_perms.ensure(actor, perms.CHAT_HANDLE.code)
    if me is None or not TeamMember.objects.filter(
            team__chat_desks=desk_id, employee=me).exists():
        raise ActionDenied(_("You are not a member of this chat's team."))
    return me


@transaction.atomic
def set_presence(*, actor: Actor, status: Any) -> AgentPresence:
    me = employee_of(actor)
    org_perms.ensure(actor, perms.CHAT_HANDLE.code)
    if me is None:
        raise ActionDenied(_("Only employees take chats."))
    if status not in Availability.values:
        raise ValidationFailed("invalid", _("Choose available or away."), field="status")
    row, _created = AgentPresence.objects.select_for_update().get_or_create(employee=me)
    if row.status != status:
        row.status = status
        row.changed_at = timezone.now()
        row.save(update_fields=["status", "changed_at"])
        audit_record(action="chat.presence", obj=row, actor=actor,
                     changes={"status": status})
        for d in agent_desks(actor):
            publish_queue(d.pk)
    return row


@dataclass(frozen=True)
class Waiting:
    id: int
    desk_id: int
    name: str
    since: datetime.datetime
    preview: str
    ticket_number: str
    left: bool = False


def waiting(desk_ids: list[int]) -> list[Waiting]:
    """The desks' waiting chats, the longest waiting first."""
    rows = (ChatSession.objects.filter(desk_id__in=desk_ids, status=ChatStatus.WAITING)
            .select_related("ticket").order_by("created_at", "pk")[:200])
    out = []
    for s in rows:
        first = (TicketMessage.objects.filter(ticket_id=s.ticket_id, internal=False)
                 .order_by("id").values_list("body", flat=True).first()) or ""
        out.append(Waiting(s.pk, s.desk_id, s.visitor_name, s.created_at, first[:140],
                           s.ticket.number, s.visitor_left_at is not None))
    return out


def my_chats(actor: Actor) -> list[ChatSession]:
    """The chats ``actor`` is in now."""
    me = employee_of(actor)
    if me is None:
        return []
    return list(ChatSession.objects.filter(agent=me, status=ChatStatus.ACTIVE)
                .select_related("ticket", "desk").order_by("taken_at"))


@transaction.atomic
def take(*, actor: Actor, session_id: Any) -> ChatSession:
    """An available agent of the team takes a waiting chat — exactly once: the update is
    conditional on the waiting state (C10), so of two agents at once one gets it; the
    ticket becomes the agent's."""
    if not isinstance(session_id, int):
        raise ValidationFailed("invalid", _("Choose a chat."), field="chat")
    found = ChatSession.objects.filter(pk=session_id).values_list("desk_id", flat=True).first()
    if found is None:
        raise NotFound(_("Chat not found."))
    me = _ensure_agent(actor, found)
    if presence_of(me) != Availability.ONLINE:
        raise Conflict("away", _("Set yourself available to take chats."))
    now = timezone.now()
    if not ChatSession.objects.filter(pk=session_id, status=ChatStatus.WAITING).update(
            status=ChatStatus.ACTIVE, agent=me, taken_at=now):
        raise Conflict("taken", _("Another agent has already taken this chat."))
    session = ChatSession.objects.select_related("desk", "ticket", "agent").get(pk=session_id)
    ticket = session.ticket
    if ticket.assignee_id != me.pk and Ticket.objects.filter(
            pk=ticket.pk, assignee_id=ticket.assignee_id).update(assignee=me):
        before, ticket.assignee = ticket.assignee_id, me
        audit_record(action="servicedesk.ticket.assign", obj=ticket, actor=actor,
                     branch_id=ticket.branch_id,
                     changes={"assignee": [before, me.pk], "by": "chat"})
    audit_record(action="chat.take", obj=session, actor=actor, branch_id=ticket.branch_id,
                 changes={"ticket": ticket.number})
    publish(chat_group(session.pk), {"type": "chat.taken", "chat": session.pk,
                                     "agent": me.first_name, "agent_id": me.pk})
    publish_queue(session.desk_id)
    return session


def _agent_session(actor: Actor, session_id: Any) -> ChatSession:
    if not isinstance(session_id, int):
        raise ValidationFailed("invalid", _("Choose a chat."), field="chat")
    session = _open_session(session_id, lock=True)
    me = employee_of(actor)
    if me is None or session.agent_id != me.pk:
        raise NotFound(_("Chat not found."))
    org_perms.ensure(actor, perms.CHAT_HANDLE.code)
    return session


@transaction.atomic
def agent_say(*, actor: Actor, session_id: Any, text: Any) -> TicketMessage:
    """The agent answers: a public reply on the ticket (it reaches the visitor through
    ``REPLY_SENDERS``)."""
    session = _agent_session(actor, session_id)
    body = _clean(text, "text", message_max(), required=True, message=_("Write a message."))
    return desk_services.reply(actor=actor, ticket_id=session.ticket_id, body=body)


@transaction.atomic
def agent_end(*, actor: Actor, session_id: Any) -> ChatSession:
    session = _agent_session(actor, session_id)
    return _end(session, actor, by="agent")


def agent_session(actor: Actor, session_id: Any) -> ChatSession:
    """A chat the agent is in (for the console's history after a reload)."""
    return _agent_session(actor, session_id)


def send_reply_to_chat(ticket: Ticket, message: TicketMessage) -> None:
    """``REPLY_SENDERS``: a public reply on a chat ticket reaches the visitor's widget."""
    if ticket.channel != Channel.CHAT:
        return
    session = ChatSession.objects.filter(ticket=ticket).exclude(
        status=ChatStatus.ENDED).first()
    if session is None:
        return
    publish(chat_group(session.pk), {"type": "chat.message",
                                     "message": line(message, session)})


desk_services.REPLY_SENDERS.append(send_reply_to_chat)


# -- the desks ----------------------------------------------------------------------------

ORIGINS_MAX = 20


def parse_origins(text: Any) -> list[str]:
    """One site a line, ``https://www.example.pl`` (a scheme and a host, no path)."""
    from urllib.parse import urlsplit

    out: list[str] = []
    for raw in (text if isinstance(text, str) else "").splitlines():
        value = raw.strip().rstrip("/").lower()
        if not value:
            continue
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path \
                or parts.query or parts.fragment or parts.username:
            raise ValidationFailed(
                "invalid", _("%(value)s is not a site's address: write it as "
                             "https://www.example.pl, one a line.") % {"value": raw.strip()[:80]},
                field="allowed_origins")
        if value not in out:
            out.append(value)
    if len(out) > ORIGINS_MAX:
        raise ValidationFailed("too_many", _("At most %(n)d sites.") % {"n": ORIGINS_MAX},
                               field="allowed_origins")
    return out


@transaction.atomic
def desk_save(*, actor: Actor, desk_id: Any = None, team_id: Any, title: Any,
              allowed_origins: Any, ticket_type_id: Any = None,
              is_active: bool = True) -> ChatDesk:
    """Create or change a team's chat desk (the manager of the team's branch)."""
    from punkt.servicedesk.models import Team

    org_perms.ensure(actor, perms.DESK_MANAGE.code)
    if desk_id is None:
        desk = ChatDesk()
        before: dict[str, Any] = {}
    else:
        desk = ChatDesk.objects.visible_to(actor, perms.DESK_MANAGE).locked(
            desk_id, missing=_("Chat desk not found."))
        org_perms.ensure(actor, perms.DESK_MANAGE.code, desk.team.branch_id)
        before = {"team": desk.team_id, "title": desk.title, "origins": desk.origins,
                  "active": desk.is_active}
    title = _clean(title, "title", 100, required=True, message=_("Give the widget's title."))
    origins = parse_origins(allowed_origins)
    try:
        team = Team.objects.filter(pk=int(team_id), is_active=True).first()
    except (TypeError, ValueError):
        team = None
    if team is None:
        raise ValidationFailed("invalid", _("Choose a team."), field="team")
    org_perms.ensure(actor, perms.DESK_MANAGE.code, team.branch_id)
    ticket_type = None
    if ticket_type_id not in (None, ""):
        try:
            ticket_type = TicketType.objects.filter(pk=int(ticket_type_id),
                                                    is_active=True).first()
        except (TypeError, ValueError):
            ticket_type = None
        if ticket_type is None:
            raise ValidationFailed("invalid", _("Choose a ticket type."), field="ticket_type")
    desk.team = team
    desk.title, desk.allowed_origins = title, "\n".join(origins)
    desk.ticket_type, desk.is_active = ticket_type, bool(is_active)
    desk.save()
    audit_record(action="chat.desk.save", obj=desk, actor=actor, branch_id=team.branch_id,
                 changes={"before": before, "team": team.pk, "title": title,
                          "origins": origins, "active": desk.is_active})
    return desk
