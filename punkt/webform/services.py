"""The public contact form: a customer writes without signing in, a ticket is opened on
the ``web`` channel, a receipt goes out by e-mail with a signed link to follow the ticket
and answer on it; every public reply of an agent is announced by e-mail with that link.

Bots: a hidden field people leave empty (the honeypot) and a signed stamp of when the form
was shown — sent back sooner than ``min_seconds()`` or later than ``max_age()`` it is
refused; the same form sent twice makes one ticket (the stamp's nonce). Floods: counters
in the Django cache per IP address and per e-mail address (``RateLimited``; 429).

The follow link is ``/contact/t/<token>/``: ``[ticket id, secret]`` signed (``Signer``,
salted for this use, no timestamp: the same link every time); the secret is the
contact's (``WebContact.secret``), so replacing it (``revoke_links``) or emptying it
(erasure) kills every link sent, and the token names no other ticket. Mails (``WebMail``)
are queued in the transaction that made them and sent by a task; a failed send is tried
again by the periodic ``webform.resend`` until it goes.
"""

from __future__ import annotations

import datetime
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import override

from punkt.core import files, outbox
from punkt.core.access import SystemActor
from punkt.core.audit import audit_record
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.customers.identifiers import clean_email, clean_phone
from punkt.customers.models import Customer, CustomerStatus
from punkt.servicedesk import services as desk
from punkt.servicedesk.models import (
    Channel,
    Team,
    TeamKind,
    Ticket,
    TicketMessage,
    TicketStatus,
    TicketType,
)
from punkt.webform.models import MailKind, WebContact, WebMail

ACTOR = SystemActor("webform")
AREA = "webform"
FOLLOW_SALT = "punkt.webform.follow"
STAMP_SALT = "punkt.webform.stamp"
NAME_MAX = 100
SUBJECT_MAX = 200
MESSAGE_MAX = 5_000
#: sends of an e-mail before it waits for the operator
MAX_ATTEMPTS = 10


def min_seconds() -> int:
    """A person needs at least this long to fill the form in."""
    return int(getattr(settings, "PUNKT_WEBFORM_MIN_SECONDS", 3))


def max_age() -> int:
    """A form shown longer ago than this is refused (sent again with a fresh stamp)."""
    return int(getattr(settings, "PUNKT_WEBFORM_MAX_AGE", 2 * 60 * 60))


#: name → (requests, seconds); overridden by ``settings.PUNKT_WEBFORM_LIMITS``
LIMITS: dict[str, tuple[int, int]] = {
    "post_ip": (30, 10 * 60),      # any sending of the form or a reply, per IP
    "ticket_ip": (5, 60 * 60),     # new tickets per IP
    "ticket_email": (3, 60 * 60),  # new tickets per e-mail address
    "reply_ticket": (10, 10 * 60),  # replies on one ticket
}


def limit(name: str) -> tuple[int, int]:
    return tuple(getattr(settings, "PUNKT_WEBFORM_LIMITS", {}).get(name, LIMITS[name]))  # type: ignore[return-value]


class RateLimited(Exception):
    """Too many requests from this address (or for this e-mail / ticket) for now."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("rate limited")
        self.retry_after = retry_after


class Refused(ValidationFailed):
    """The form looks sent by a program (honeypot, too fast) or was open too long."""


class FormInvalid(ValidationFailed):
    """Fields the sender must correct: ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        field, message = next(iter(errors.items()))
        super().__init__("invalid", message, field=field)
        self.errors = errors


class NotConfigured(Conflict):
    """The service desk has no ticket type or no team: the form cannot take tickets."""


# -- rate limits -------------------------------------------------------------------------

def _count(key: str, window: int) -> int:
    key = f"webform:{key}"
    cache.add(key, 0, window)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def throttle(name: str, subject: str) -> None:
    """Count one request of ``subject`` (an IP, an address, a ticket) under ``name``;
    over the limit: ``RateLimited`` (the window's length as the time to wait)."""
    most, window = limit(name)
    if _count(f"{name}:{subject.lower()}", window) > most:
        raise RateLimited(window)


# -- the form's stamp (bots) -------------------------------------------------------------

def issue_stamp(now: float | None = None) -> str:
    """The signed moment the form was shown (a hidden field)."""
    return signing.dumps({"t": int(now if now is not None else time.time()),
                          "n": secrets.token_hex(4)}, salt=STAMP_SALT)


def check_stamp(stamp: Any, honeypot: Any, now: float | None = None) -> str:
    """Refuse a form a program sent: the honeypot filled, no or a forged stamp, sent back
    too fast; or one open longer than ``max_age()``. The stamp's nonce (one per form
    shown) is returned."""
    now = now if now is not None else time.time()
    if str(honeypot or "").strip():
        raise Refused("bot", _("The form could not be sent. Please try again."),
                      field="form")
    try:
        payload = signing.loads(str(stamp or ""), salt=STAMP_SALT)
        shown, nonce = int(payload["t"]), str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Refused("bot", _("The form could not be sent. Please try again."),
                      field="form") from None
    if now - shown < min_seconds():
        raise Refused("too_fast", _("The form was sent too quickly. Please check it and "
                                    "send it again."), field="form")
    if now - shown > max_age():
        raise Refused("expired", _("The form was open too long. Your text is kept: "
                                   "please send it again."), field="form")
    return nonce


# -- topics and teams --------------------------------------------------------------------

def call_centre() -> Team | None:
    """The HQ office that takes tickets no type sends elsewhere (the call centre)."""
    return (Team.objects.filter(kind=TeamKind.HQ_OFFICE, is_active=True).order_by("pk").first()
            or Team.objects.filter(is_active=True).order_by("pk").first())


def topics() -> list[TicketType]:
    """What the customer may write about: the active ticket types."""
    return list(TicketType.objects.filter(is_active=True).select_related("default_team")
                .order_by("name"))


def default_topic(choices: list[TicketType]) -> TicketType | None:
    """The type the call centre takes, else the first one."""
    centre = call_centre()
    for row in choices:
        if centre is not None and row.default_team_id == centre.pk:
            return row
    return choices[0] if choices else None


def team_for(ticket_type: TicketType) -> Team:
    if ticket_type.default_team is not None and ticket_type.default_team.is_active:
        return ticket_type.default_team
    team = call_centre()
    if team is None:
        raise NotConfigured("not_configured", _("The contact form is not available at the "
                                                "moment. Please call us or visit a branch."))
    return team


# -- the sender --------------------------------------------------------------------------

def match_customer(email: str, phone: str) -> Customer | None:
    """The one active customer with this e-mail address or phone number; none when no
    one or several people match (the sender's details stay on the contact)."""
    match = Q()
    if email:
        match |= Q(email__iexact=email)
    if phone:
        match |= Q(phone=phone)
    if not match:
        return None
    found = list(Customer.objects.filter(match, status=CustomerStatus.ACTIVE)
                 .values_list("pk", flat=True)[:2])
    return Customer.objects.get(pk=found[0]) if len(found) == 1 else None


def label_of(contact: WebContact) -> str:
    return f"{contact.name} <{contact.email}>" if contact.name else contact.email


@dataclass
class Cleaned:
    name: str
    email: str
    phone: str
    subject: str
    message: str
    topic: TicketType


def _text(data: Mapping[str, Any], field: str, limit: int, errors: dict[str, str], *,
          required: bool = True) -> str:
    text = str(data.get(field) or "").strip()
    if required and not text:
        errors[field] = _("This field is required.")
    elif len(text) > limit:
        errors[field] = _("At most %(n)d characters.") % {"n": limit}
    return text


def clean(data: Mapping[str, Any], choices: list[TicketType]) -> Cleaned:
    """Check every field at once; ``FormInvalid`` names each one to correct."""
    errors: dict[str, str] = {}
    name = _text(data, "name", NAME_MAX, errors)
    email = ""
    try:
        email = clean_email(str(data.get("email") or ""))
        if not email:
            errors["email"] = _("Give your e-mail address: we send the answer there.")
    except ValidationFailed as exc:
        errors["email"] = exc.message
    phone = ""
    try:
        phone = clean_phone(str(data.get("phone") or ""))
    except ValidationFailed as exc:
        errors["phone"] = exc.message
    subject = _text(data, "subject", SUBJECT_MAX, errors)
    message = _text(data, "message", MESSAGE_MAX, errors)
    topic = None
    raw = str(data.get("topic") or "").strip()
    if raw:
        topic = next((t for t in choices if str(t.pk) == raw), None)
        if topic is None:
            errors["topic"] = _("Choose a topic from the list.")
    else:
        topic = default_topic(choices)
    if str(data.get("consent") or "") not in ("1", "on", "true"):
        errors["consent"] = _("Confirm that you have read the information on personal "
                              "data.")
    if errors:
        raise FormInvalid(errors)
    if topic is None:
        raise NotConfigured("not_configured", _("The contact form is not available at the "
                                                "moment. Please call us or visit a branch."))
    return Cleaned(name=name, email=email, phone=phone, subject=subject, message=message,
                   topic=topic)


# -- the follow link ---------------------------------------------------------------------

def token_for(contact: WebContact) -> str:
    return signing.Signer(salt=FOLLOW_SALT).sign_object([contact.ticket_id, contact.secret])


def follow_url(contact: WebContact) -> str:
    return settings.PUNKT_PUBLIC_URL + reverse("webform:follow", args=[token_for(contact)])


def contact_for(token: str) -> WebContact:
    """The contact a follow link belongs to; ``NotFound`` for a forged, revoked or
    erased one (the same answer whatever the reason)."""
    try:
        ticket_id, secret = signing.Signer(salt=FOLLOW_SALT).unsign_object(str(token))
        ticket_id = int(ticket_id)
    except (signing.BadSignature, TypeError, ValueError):
        raise NotFound(_("This link is not valid.")) from None
    contact = (WebContact.objects.select_related("ticket", "ticket__team")
               .filter(ticket_id=ticket_id).first())
    if contact is None or not contact.secret or not constant_time_compare(
            contact.secret, str(secret)):
        raise NotFound(_("This link is not valid."))
    return contact


def link_expired(ticket: Ticket, now: datetime.datetime | None = None) -> bool:
    """A ticket closed longer ago than the reopening period: its link shows nothing."""
    return ticket.status == TicketStatus.CLOSED and not desk.may_take_customer_message(
        ticket, now=now)


@transaction.atomic
def revoke_links(*, actor: Any, ticket_id: Any) -> None:
    """Every follow link of the ticket stops working (a new secret; no mail is sent now —
    the next reply notice carries the new link). Whoever handles the ticket may."""
    from punkt.servicedesk import selectors as desk_selectors

    ticket = desk_selectors.ticket_get(user=actor, ticket_id=ticket_id)
    if not desk.may_handle(ticket, actor):
        raise ActionDenied(_("Your role does not handle tickets."))
    contact = WebContact.objects.select_for_update().filter(ticket=ticket).first()
    if contact is None or not contact.secret:
        raise Conflict("no_link", _("This ticket has no customer link to revoke."))
    contact.secret = secrets.token_hex(16)
    contact.save(update_fields=["secret"])
    audit_record(action="webform.links.revoke", obj=contact.ticket, actor=actor,
                 branch_id=contact.ticket.branch_id)


def public_conversation(ticket: Ticket) -> list[TicketMessage]:
    """What the customer sees: the public messages of this ticket only, never notes."""
    return list(TicketMessage.objects.filter(ticket=ticket, internal=False)
                .select_related("author").order_by("created_at", "id"))


# -- writing -----------------------------------------------------------------------------

@dataclass
class Submitted:
    ticket: Ticket
    contact: WebContact


def submit(*, data: Mapping[str, Any], upload: Any = None, ip: str | None = None,
           now: float | None = None) -> Submitted:
    """The form sent: checked (bots, limits, fields, the attachment), then the ticket,
    the sender and the receipt in one transaction."""
    nonce = check_stamp(data.get("stamp"), data.get("website"), now)
    throttle("post_ip", ip or "-")
    cleaned = clean(data, topics())
    team = team_for(cleaned.topic)
    # the same form sent twice (a double click, a reload): one ticket
    claim = f"webform:sent:{nonce}"
    if not cache.add(claim, 0, max_age() + 60):
        earlier = WebContact.objects.select_related("ticket").filter(
            ticket_id=cache.get(claim) or 0).first()
        if earlier is None:
            raise Refused("duplicate", _("Your message is being sent: wait a moment and "
                                         "check your e-mail."), field="form")
        return Submitted(ticket=earlier.ticket, contact=earlier)
    stored: tuple[str, str, str, int] | None = None
    try:
        throttle("ticket_ip", ip or "-")
        throttle("ticket_email", cleaned.email)
        if upload is not None:
            try:
                stored = files.store(upload, area=AREA)
            except ValidationFailed as exc:
                raise FormInvalid({"attachment": exc.message}) from None
        with transaction.atomic():
            done = _open(cleaned, team, stored)
    except BaseException:
        cache.delete(claim)
        if stored is not None:
            files.path_of(stored[1], area=AREA).unlink(missing_ok=True)
        raise
    cache.set(claim, done.ticket.pk, max_age() + 60)
    return done


def _open(cleaned: Cleaned, team: Team, stored: tuple[str, str, str, int] | None) -> Submitted:
    label = f"{cleaned.name} <{cleaned.email}>"
    body = cleaned.message
    if stored is not None:
        body += "\n\n" + _("Attachment: %(name)s") % {"name": stored[0]}
    ticket, message = desk.ticket_open_from_channel(
        actor=ACTOR, team=team, ticket_type=cleaned.topic, channel=Channel.WEB,
        subject=cleaned.subject, body=body, author_label=label,
        customer=match_customer(cleaned.email, cleaned.phone))
    contact = WebContact.objects.create(
        ticket=ticket, name=cleaned.name, email=cleaned.email, phone=cleaned.phone,
        secret=secrets.token_hex(16),
        attachment_name=stored[0] if stored else "", attachment_stored=stored[1] if stored
        else "", attachment_type=stored[2] if stored else "",
        attachment_size=stored[3] if stored else 0)
    _queue(contact, MailKind.RECEIPT, message)
    return Submitted(ticket=ticket, contact=contact)


def follow_reply(*, token: str, body: Any, ip: str | None = None) -> TicketMessage:
    """The customer answers through the follow link (``customer_message`` reopens a
    resolved ticket and ends the wait on them)."""
    contact = contact_for(token)
    throttle("post_ip", ip or "-")
    throttle("reply_ticket", str(contact.ticket_id))
    text = str(body or "").strip()
    if not text:
        raise FormInvalid({"body": _("Write your message.")})
    if len(text) > MESSAGE_MAX:
        raise FormInvalid({"body": _("At most %(n)d characters.") % {"n": MESSAGE_MAX}})
    if link_expired(contact.ticket) or not desk.may_take_customer_message(contact.ticket):
        raise Conflict("too_late", _("This ticket no longer takes messages. Please send a "
                                     "new one through the contact form."))
    return desk.customer_message(actor=ACTOR, ticket_id=contact.ticket_id, body=text,
                                 author_label=label_of(contact))


# -- e-mail ------------------------------------------------------------------------------

def _queue(contact: WebContact, kind: str, message: TicketMessage) -> WebMail | None:
    if not contact.email:
        return None
    mail, made = WebMail.objects.get_or_create(kind=kind, ticket_message=message,
                                               defaults={"contact": contact})
    if made:
        from punkt.webform.tasks import send_mail

        send_mail.enqueue(mail.pk)  # the database queue: seen by workers after the commit
    return mail


def queue_reply(ticket: Ticket, message: TicketMessage) -> WebMail | None:
    """A public reply on a form ticket: the sender is told by e-mail (the service desk
    calls it inside the reply's transaction)."""
    if ticket.channel != Channel.WEB or message.internal:
        return None
    contact = WebContact.objects.filter(ticket=ticket).first()
    if contact is None or not contact.secret:
        return None
    return _queue(contact, MailKind.REPLY, message)


def seller() -> str:
    return settings.PUNKT_SELLER_NAME or "Punkt"


def compose(mail: WebMail) -> tuple[str, str]:
    """Subject and text of a mail, in Polish (the customer's language here)."""
    contact, ticket = mail.contact, mail.contact.ticket
    with override("pl"):
        link = follow_url(contact)
        if mail.kind == MailKind.RECEIPT:
            subject = _("We have received your message [%(number)s]") % {
                "number": ticket.number}
            text = _("Hello %(name)s,\n\nthank you for your message. We have registered it as "
                     "ticket %(number)s (%(subject)s) and will answer as soon as we can.\n\n"
                     "You can follow the ticket and write to us on this page (keep the link "
                     "to yourself):\n%(link)s\n\n%(seller)s\n") % {
                "name": contact.name, "number": ticket.number, "subject": ticket.subject,
                "link": link, "seller": seller()}
        else:
            subject = _("Reply to your ticket [%(number)s]") % {"number": ticket.number}
            text = _("Hello %(name)s,\n\nthere is a reply to your ticket %(number)s "
                     "(%(subject)s):\n\n%(reply)s\n\nTo answer, open this page (do not reply "
                     "to this e-mail):\n%(link)s\n\n%(seller)s\n") % {
                "name": contact.name, "number": ticket.number, "subject": ticket.subject,
                "reply": mail.ticket_message.body, "link": link, "seller": seller()}
    return subject, text


def send_now(mail_id: int) -> str:
    """Send one queued mail (the task's body), once; its status after it."""
    return outbox.deliver(WebMail, mail_id, _message, what="Contact form mail")


def _message(mail: WebMail) -> EmailMessage | None:
    mail = WebMail.objects.select_related("contact", "contact__ticket",
                                          "ticket_message").get(pk=mail.pk)
    if not mail.contact.email or not mail.contact.secret:  # erased or revoked meanwhile
        return None
    subject, text = compose(mail)
    return EmailMessage(subject=subject, body=text, to=[mail.contact.email])


def due_for_resend(now: datetime.datetime | None = None) -> list[int]:
    """Mails to send again: failed, queued but never picked up, or left sending by a
    dead worker."""
    return outbox.due_for_resend(WebMail, max_attempts=MAX_ATTEMPTS, now=now)


def resend(now: datetime.datetime | None = None) -> dict[str, int]:
    return outbox.resend(due_for_resend(now), send_now)


# -- erasure of a sender who is no customer ----------------------------------------------

def erase_contact(contact_ids: Any) -> int:
    """Empty the senders' details, delete their attachments, kill their links."""
    rows = list(WebContact.objects.filter(pk__in=contact_ids))
    for row in rows:
        if row.attachment_stored:
            files.path_of(row.attachment_stored, area=AREA).unlink(missing_ok=True)
    WebMail.objects.filter(contact__in=rows).update(error="")
    return WebContact.objects.filter(pk__in=[r.pk for r in rows]).update(
        name="", email="", phone="", secret="", attachment_name="", attachment_stored="",
        attachment_type="", attachment_size=0)


desk.REPLY_SENDERS.append(queue_reply)
