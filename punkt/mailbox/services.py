"""Mail in and out of the service desk.

Intake (``poll``): one poll of a mailbox at a time (a lease taken by a conditional
update, which expires when the worker dies); the mails after ``last_uid`` are taken in
chunks of ``CHUNK``, each chunk in one transaction that writes the ``InboundMail`` rows —
unique per (mailbox, Message-ID) and per (mailbox, UIDVALIDITY, UID) — with the tickets
and messages they made and moves ``last_uid`` past them, so a mail is taken once even
when the worker is killed on the way (C13: the chunk rolls back whole and the next poll
takes it again). One bad mail is recorded as refused and the others go on.

Replies (``queue_reply``): a public reply on an e-mail ticket is queued in the reply's
transaction (``REPLY_SENDERS`` of the service desk) with its own Message-ID and the
thread's In-Reply-To / References, and sent by a task; a failed send is tried again by
the periodic ``resend`` until it goes.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.core import batch, files, outbox
from punkt.core.access import SystemActor
from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.customers.models import Customer, CustomerStatus
from punkt.mailbox import imap
from punkt.mailbox import permissions as perms
from punkt.mailbox.models import (
    InboundMail,
    MailAttachment,
    Mailbox,
    OutboundMail,
    Outcome,
    Security,
)
from punkt.mailbox.parsing import Parsed, id_key, parse, ticket_number
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor
from punkt.servicedesk import services as desk
from punkt.servicedesk.models import Channel, Ticket, TicketMessage, TicketType

logger = logging.getLogger("punkt.mailbox")
ACTOR = SystemActor("mailbox")
AREA = "mailbox"
LEASE = datetime.timedelta(minutes=10)
#: mails listed at a time; a poll goes on batch after batch until the folder is read or
#: its time is up (the next poll goes on from there)
BATCH = 500
#: mails taken in one transaction (``_take_chunk``)
CHUNK = 50
POLL_BUDGET = datetime.timedelta(minutes=5)
MAX_ATTACHMENTS = 20
#: sends of a reply before it waits for the operator
MAX_ATTEMPTS = 10


def max_mail_bytes() -> int:
    return int(getattr(settings, "PUNKT_MAILBOX_MAX_BYTES", 30 * 1024 * 1024))


class NotConfigured(Exception):
    """The desk is not ready for mail (no ticket type): the poll stops, mail waits."""


@dataclass
class PollResult:
    taken: dict[str, int] = field(default_factory=dict)
    error: str = ""
    skipped: bool = False


# -- our own addresses -------------------------------------------------------------------

def id_domain(mailbox: Mailbox) -> str:
    return mailbox.address.rpartition("@")[2].lower() or "punkt.local"


def our_domains() -> set[str]:
    domains = {a.rpartition("@")[2].lower() for a in
               Mailbox.objects.values_list("address", flat=True)}
    domains.add(settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].lower())
    return {d for d in domains if d}


def our_addresses() -> set[str]:
    return {a.lower() for a in Mailbox.objects.values_list("address", flat=True)}


# -- intake ------------------------------------------------------------------------------

def _take_lease(mailbox_id: int, now: datetime.datetime) -> bool:
    return Mailbox.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now), pk=mailbox_id,
        is_active=True).update(lease_until=now + LEASE) == 1


def advance(mailbox: Mailbox, uidvalidity: int, uid: int) -> None:
    """Move ``last_uid`` on after a mail has been taken (never back)."""
    Mailbox.objects.filter(pk=mailbox.pk, uidvalidity=uidvalidity,
                           last_uid__lt=uid).update(last_uid=uid,
                                                    lease_until=timezone.now() + LEASE)


def poll(mailbox_id: int) -> PollResult:
    """Take the new mail of one mailbox; skipped while another poll of it runs."""
    result = PollResult()
    now = timezone.now()
    if not _take_lease(mailbox_id, now):
        result.skipped = True
        return result
    error = ""
    try:
        mailbox = Mailbox.objects.select_related("team", "ticket_type").get(pk=mailbox_id)
        with imap.connect(mailbox) as session:
            validity = session.select(mailbox.folder)
            if validity != mailbox.uidvalidity:
                # the folder was renumbered: read it all again; the Message-ID key keeps
                # every mail taken once
                Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=validity, last_uid=0)
                mailbox.uidvalidity, mailbox.last_uid = validity, 0
            last_uid, ends = mailbox.last_uid, time.monotonic() + POLL_BUDGET.total_seconds()
            context = Context(ours=(our_domains(), our_addresses()))
            while time.monotonic() < ends and (listed := session.list_after(last_uid, BATCH)):
                for chunk in _chunks(listed):
                    _take_chunk(mailbox, validity, chunk, session, context, result)
                    last_uid = chunk[-1].uid
    except imap.ImapError as exc:
        error = str(exc)
    except IntegrityError as exc:  # another poll wrote these mails meanwhile (its lease
        error = f"taken meanwhile by another poll: {exc}"  # ran out): the next poll skips
    except NotConfigured as exc:
        error = str(exc)
    finally:
        Mailbox.objects.filter(pk=mailbox_id).update(
            lease_until=None, last_poll_at=timezone.now(), last_error=error[:500])
    if error:
        logger.warning("Mailbox %s: %s", mailbox_id, error)
    result.error = error
    return result


@dataclass
class Context:
    """What a poll reads once: our domains and addresses, per (team, type) the service
    desk's ``Intake`` (working time, SLA targets, who is in); and per chunk (``Chunk``)
    what its mails need, read for all of them at once."""

    ours: tuple[set[str], set[str]]
    intakes: dict[tuple[int, int], desk.Intake] = field(default_factory=dict)
    chunk: Chunk | None = None

    def intake(self, team: Any, ticket_type: TicketType) -> desk.Intake:
        key = (team.pk, ticket_type.pk)
        if key not in self.intakes:
            self.intakes[key] = desk.Intake(team, ticket_type)
        return self.intakes[key]


@dataclass
class Chunk:
    """A chunk's mails read ahead: which are taken already (by UID and by key, in the
    database and earlier in the chunk), the customers their senders are, and the tickets
    of the mails they answer — ``(order, ticket id)`` by key, ours sent and theirs
    received; a mail of this chunk counts after every stored one."""

    by_uid: dict[int, InboundMail]
    by_key: dict[str, InboundMail]
    customers: dict[str, Customer | None]
    sent: dict[str, tuple[int, int]]
    received: dict[str, tuple[int, int]]
    made: int = 0

    @classmethod
    def read(cls, mailbox: Mailbox, validity: int, mails: list[tuple[int, Parsed]]) -> Chunk:
        uids = [uid for uid, _ in mails]
        keys = [p.key for _, p in mails]
        taken = list(InboundMail.objects.filter(
            Q(mailbox=mailbox, uidvalidity=validity, uid__in=uids)
            | Q(mailbox=mailbox, key__in=keys)).order_by("pk"))
        customers = customers_by_address(
            {p.from_address for _, p in mails if p.from_address and not p.ignore})
        refs = {id_key(r) for _, p in mails for r in p.references}
        sent = {k: (pk, t) for pk, k, t in OutboundMail.objects.filter(key__in=refs)
                .values_list("pk", "key", "ticket_id").order_by("pk")} if refs else {}
        received = {k: (pk, t) for pk, k, t in InboundMail.objects.filter(
            key__in=refs, ticket__isnull=False).values_list("pk", "key", "ticket_id")
            .order_by("pk")} if refs else {}
        return cls(by_uid={m.uid: m for m in reversed(taken)
                           if m.uidvalidity == validity and m.mailbox_id == mailbox.pk},
                   by_key={m.key: m for m in reversed(taken)},
                   customers=customers, sent=sent, received=received)

    def found(self, uid: int, key: str) -> InboundMail | None:
        return self.by_uid.get(uid) or self.by_key.get(key)

    def thread(self, parsed: Parsed) -> int | None:
        keys = [id_key(r) for r in parsed.references]
        for pool in (self.sent, self.received):
            hits = [pool[k] for k in keys if k in pool]
            if hits:
                return max(hits)[1]
        return None

    def taken(self, mail: InboundMail) -> None:
        self.by_uid[mail.uid] = mail
        self.by_key.setdefault(mail.key, mail)
        if mail.ticket_id is not None:
            self.made += 1
            self.received[mail.key] = (10**15 + self.made, mail.ticket_id)


def _chunks(listed: list[imap.Listed]) -> list[list[imap.Listed]]:
    return [listed[i:i + CHUNK] for i in range(0, len(listed), CHUNK)]


class _Retry(Exception):
    """A mail of the chunk failed on the fast path: the chunk is taken again carefully."""


def _take_chunk(mailbox: Mailbox, validity: int, chunk: list[imap.Listed],
                session: imap.Session, context: Context, result: PollResult) -> None:
    """Up to ``CHUNK`` mails in one transaction, with ``last_uid`` moved past them in it:
    a worker killed on the way leaves none of them taken and the next poll takes them
    again (one commit a chunk, not two a mail: each commit waits for the disk). The
    mails are read and parsed first, then what they need is read for all of them at
    once (``Chunk``); the rows they leave (the mail, the audit, the timeline, the bell)
    are written together at the end (``batch``). A mail that fails makes the chunk go
    again, each mail then in its own savepoint, the failing one recorded as refused."""
    raws = {item.uid: session.fetch(item.uid) for item in chunk
            if item.size <= max_mail_bytes()}
    try:
        _chunk_once(mailbox, validity, chunk, raws, context, result, careful=False)
    except _Retry:
        _chunk_once(mailbox, validity, chunk, raws, context, result, careful=True)


def _chunk_once(mailbox: Mailbox, validity: int, chunk: list[imap.Listed],
                raws: dict[int, bytes], context: Context, result: PollResult, *,
                careful: bool) -> None:
    stored: list[str] = []
    counted: dict[str, int] = {}
    try:
        with batch.one_transaction():
            parsed: dict[int, Parsed | Exception] = {}
            for uid, raw in raws.items():
                try:
                    parsed[uid] = parse(raw, our_domains=context.ours[0],
                                        our_addresses=context.ours[1])
                except Exception as exc:  # noqa: BLE001 - refused below
                    parsed[uid] = exc
                else:
                    _bounce(raw, parsed[uid])
            context.chunk = Chunk.read(mailbox, validity, [
                (uid, p) for uid, p in parsed.items() if isinstance(p, Parsed)])
            for item in chunk:
                got = parsed.get(item.uid)
                if got is None:
                    mail = record_refusal(mailbox, validity, item.uid,
                                          f"too large: {item.size} bytes")
                elif isinstance(got, Exception):
                    mail = record_refusal(mailbox, validity, item.uid, str(got),
                                          hashlib.sha256(raws[item.uid]).hexdigest())
                elif careful:
                    mail = _take_parsed(mailbox, validity, item.uid, got,
                                        len(raws[item.uid]), context, stored)
                else:
                    try:
                        mail = _intake(mailbox, validity, item.uid, got,
                                       len(raws[item.uid]), stored, context)
                    except NotConfigured:
                        raise
                    except Exception as exc:
                        raise _Retry from exc
                counted[mail.outcome] = counted.get(mail.outcome, 0) + 1
            advance(mailbox, validity, chunk[-1].uid)
    except BaseException:
        _unlink(stored)  # the chunk's attachments: their rows rolled back with it
        raise
    finally:
        context.chunk = None
    for outcome, n in counted.items():
        result.taken[outcome] = result.taken.get(outcome, 0) + n


def poll_all() -> dict[int, PollResult]:
    return {pk: poll(pk) for pk in
            Mailbox.objects.filter(is_active=True).values_list("pk", flat=True)}


def _existing(mailbox: Mailbox, uidvalidity: int, uid: int, key: str) -> InboundMail | None:
    # the mailbox in both arms: each is one of the unique keys' indexes
    return InboundMail.objects.filter(
        Q(mailbox=mailbox, uidvalidity=uidvalidity, uid=uid) | Q(mailbox=mailbox, key=key)
    ).order_by("pk").first()


def record_refusal(mailbox: Mailbox, uidvalidity: int, uid: int, reason: str,
                   key: str = "", parsed: Parsed | None = None) -> InboundMail:
    key = key or hashlib.sha256(f"{mailbox.pk}:{uidvalidity}:{uid}".encode()).hexdigest()
    found = _existing(mailbox, uidvalidity, uid, key)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return InboundMail.objects.create(
                mailbox=mailbox, uidvalidity=uidvalidity, uid=uid, key=key,
                message_id=parsed.message_id if parsed else "",
                from_address=parsed.from_address if parsed else "",
                subject=parsed.subject if parsed else "", outcome=Outcome.REFUSED,
                reason=reason[:300])
    except IntegrityError:
        return _existing(mailbox, uidvalidity, uid, key)  # type: ignore[return-value]


def take(mailbox: Mailbox, uidvalidity: int, uid: int, raw: bytes, *,
         ours: tuple[set[str], set[str]] | None = None) -> InboundMail:
    """Make a ticket or a message of one raw mail, once; never raises for a bad mail.
    ``ours``: (our domains, our addresses), when the caller has read them. (A poll takes
    its mails by chunks: ``_take_chunk``.)"""
    domains, addresses = ours or (our_domains(), our_addresses())
    try:
        parsed = parse(raw, our_domains=domains, our_addresses=addresses)
    except Exception as exc:  # noqa: BLE001 - a mail the parser cannot read is refused
        return record_refusal(mailbox, uidvalidity, uid, str(exc),
                              hashlib.sha256(raw).hexdigest())
    _bounce(raw, parsed)
    return _take_parsed(mailbox, uidvalidity, uid, parsed, len(raw), None, None)


def _bounce(raw: bytes, parsed: Parsed | Exception) -> None:
    """A delivery report is no ticket; if it reports one of our mass e-mails, that message
    is marked bounced (``messaging.bounces``). Never stops the poll."""
    if not isinstance(parsed, Parsed) or parsed.ignore not in ("delivery report", "bounce"):
        return
    from punkt.messaging import bounces

    try:
        with transaction.atomic():
            bounces.record(raw)
    except Exception:  # noqa: BLE001 - a report we cannot read is only logged
        logger.exception("A delivery report could not be matched")


def _take_parsed(mailbox: Mailbox, uidvalidity: int, uid: int, parsed: Parsed, size: int,
                 context: Context | None, stored: list[str] | None) -> InboundMail:
    mine: list[str] = []
    try:
        with batch.unit():
            mail = _intake(mailbox, uidvalidity, uid, parsed, size, mine, context)
    except IntegrityError:
        # taken before (a copy of the same mail, the folder renumbered, a worker of an
        # earlier release killed before ``last_uid`` moved, another worker meanwhile): its
        # unique keys refused the row and what the mail made rolled back with it
        _unlink(mine)
        found = _existing(mailbox, uidvalidity, uid, parsed.key)
        if found is not None:
            return found
        logger.exception("Mailbox %s: mail UID %s refused", mailbox.pk, uid)
        return record_refusal(mailbox, uidvalidity, uid, "a conflict while saving it",
                              parsed.key, parsed)
    except NotConfigured:
        _unlink(mine)
        raise
    except Exception as exc:  # noqa: BLE001 - one bad mail must not stop the others
        _unlink(mine)
        logger.exception("Mailbox %s: mail UID %s refused", mailbox.pk, uid)
        return record_refusal(mailbox, uidvalidity, uid, f"{exc.__class__.__name__}: {exc}",
                              parsed.key, parsed)
    if stored is not None:
        stored.extend(mine)
    return mail


def _unlink(stored: list[str]) -> None:
    for name in stored:
        files.path_of(name, area=AREA).unlink(missing_ok=True)


def _ticket_type(mailbox: Mailbox) -> TicketType:
    if mailbox.ticket_type_id and mailbox.ticket_type and mailbox.ticket_type.is_active:
        return mailbox.ticket_type
    found = (TicketType.objects.filter(is_active=True, default_team=mailbox.team).first()
             or TicketType.objects.filter(is_active=True).order_by("pk").first())
    if found is None:
        raise NotConfigured(_("No active ticket type: add one for the mail to become "
                              "tickets."))
    return found


def match_customer(address: str) -> Customer | None:
    """The one active customer with this e-mail address (none when several share it)."""
    return customers_by_address([address]).get(address.strip().lower()) if address else None


def customers_by_address(addresses: Iterable[str]) -> dict[str, Customer | None]:
    """For each address (lowered) the one active customer with it, None when nobody or
    several share it — one query for them all."""
    wanted = {a.strip().lower() for a in addresses if a}
    found: dict[str, Customer | None] = dict.fromkeys(wanted)
    if not wanted:
        return found
    seen: set[str] = set()
    # customers' addresses are kept in lower case (customers.services): an equality on the
    # lowered address uses the index, where iexact read every customer (1 s at 1M)
    for customer in (Customer.objects.filter(email__in=wanted, status=CustomerStatus.ACTIVE)
                     .only("pk", "branch_id", "company_size", "email")):
        found[customer.email] = None if customer.email in seen else customer
        seen.add(customer.email)
    return found


def _wrote_before(ticket: Ticket, address: str) -> bool:
    if not address:
        return False
    if ticket.customer_id and Customer.objects.filter(
            pk=ticket.customer_id, email=address.strip().lower()).exists():
        return True
    return (InboundMail.objects.filter(ticket=ticket, from_address=address).exists()
            or OutboundMail.objects.filter(ticket=ticket, to__iexact=address).exists())


def thread_of(parsed: Parsed, *, references: bool = True) -> int | None:
    """The id of the ticket the mail answers: by the ids it refers to (ours or the
    customer's earlier mail; ``references=False`` when a ``Chunk`` looked them up), else
    by the ticket number in the subject when the sender wrote on that ticket before (a
    number alone is easily forged)."""
    keys = [id_key(r) for r in parsed.references] if references else []
    if keys:
        found = (OutboundMail.objects.filter(key__in=keys).order_by("-pk")
                 .values_list("ticket_id", flat=True).first()
                 or InboundMail.objects.filter(key__in=keys, ticket__isnull=False)
                 .order_by("-pk").values_list("ticket_id", flat=True).first())
        if found is not None:
            return found
    number = ticket_number(parsed.subject)
    if number:
        ticket = Ticket.objects.filter(number=number).first()
        if ticket is not None and _wrote_before(ticket, parsed.from_address):
            return ticket.pk
    return None


def _body(parsed: Parsed, notes: list[str]) -> str:
    text = parsed.text or _("(the e-mail has no text)")
    if len(text) > desk.BODY_MAX - 1000:
        text = text[:desk.BODY_MAX - 1000] + "\n[…]"
    if notes:
        text += "\n\n" + "\n".join(notes)
    return text[:desk.BODY_MAX]


@dataclass
class _Stored:
    rows: list[MailAttachment]
    notes: list[str]


def _store_attachments(parsed: Parsed, stored: list[str]) -> _Stored:
    """The attachments' files under the upload rules (a refused one becomes a note in
    the message), their rows made by the caller once the mail's row exists."""
    out = _Stored([], [])
    for n, part in enumerate(parsed.attachments):
        if n >= MAX_ATTACHMENTS:
            out.notes.append(_("Further attachments refused: at most %(n)d.")
                             % {"n": MAX_ATTACHMENTS})
            break
        try:
            name, stored_name, content_type, size = files.store(
                ContentFile(part.data, name=part.name[:200] or "plik"), area=AREA)
        except ValidationFailed as exc:
            out.notes.append(_("Attachment %(name)s refused: %(why)s")
                             % {"name": part.name[:100], "why": exc.message})
            continue
        stored.append(stored_name)
        out.rows.append(MailAttachment(name=name, stored=stored_name,
                                       content_type=content_type, size=size))
    return out


def _intake(mailbox: Mailbox, uidvalidity: int, uid: int, parsed: Parsed, size: int,
            stored: list[str], context: Context | None = None) -> InboundMail:
    # the row last, with what the mail became: a second worker taking the same mail (or a
    # copy of it) fails on its unique keys and rolls its ticket back with it
    ahead = context.chunk if context is not None else None
    if ahead is not None and (found := ahead.found(uid, parsed.key)) is not None:
        return found
    mail = InboundMail(
        mailbox=mailbox, uidvalidity=uidvalidity, uid=uid, key=parsed.key,
        message_id=parsed.message_id, from_address=parsed.from_address,
        from_name=parsed.from_name, subject=parsed.subject, html=parsed.html, size=size,
        outcome=Outcome.IGNORED, reason=parsed.ignore)
    if parsed.ignore:
        return _keep(mail, ahead, [])
    files_ = _store_attachments(parsed, stored)
    notes = files_.notes
    label = (f"{parsed.from_name} <{parsed.from_address}>" if parsed.from_name
             else parsed.from_address)
    body = _body(parsed, notes)
    ticket: Ticket | None = None
    thread = (ahead.thread(parsed) if ahead is not None else None) or thread_of(
        parsed, references=ahead is None)
    if thread is not None:
        try:  # joins the ticket, or reopens it; closed too long ago: a new ticket
            message = desk.customer_message(actor=ACTOR, ticket_id=thread, body=body,
                                            author_label=label)
        except (Conflict, NotFound):
            pass
        else:
            ticket, mail.outcome = message.ticket, Outcome.MESSAGE
    if ticket is None:
        ticket_type = _ticket_type(mailbox)
        ticket, message = desk.ticket_open_from_channel(
            actor=ACTOR, team=mailbox.team, ticket_type=ticket_type,
            channel=Channel.EMAIL, subject=parsed.subject or _("(no subject)"), body=body,
            author_label=label,
            customer=(ahead.customers.get(parsed.from_address) if ahead is not None
                      else match_customer(parsed.from_address)),
            intake=context.intake(mailbox.team, ticket_type) if context else None)
        mail.outcome = Outcome.TICKET
    mail.ticket, mail.ticket_message = ticket, message
    return _keep(mail, ahead, files_.rows)


def _keep(mail: InboundMail, ahead: Chunk | None,
          attachments: list[MailAttachment]) -> InboundMail:
    """The mail's row (and its attachments'): at once, its unique keys refusing a mail
    taken before; in a chunk, with the chunk's rows at its end (``Chunk`` has checked
    the keys)."""
    batch.add(mail)
    for row in attachments:
        row.mail = mail
        batch.add(row)
    if ahead is not None:
        ahead.taken(mail)
    return mail


# -- replies -----------------------------------------------------------------------------

def _subject(ticket: Ticket) -> str:
    subject = ticket.subject
    while subject.lower().startswith(("re:", "odp:", "fwd:")):
        subject = subject.partition(":")[2].strip()
    if ticket.number not in subject:
        subject = f"{subject} [{ticket.number}]"
    return f"Re: {subject}"[:300]


def queue_reply(ticket: Ticket, message: TicketMessage) -> OutboundMail | None:
    """Queue a public reply on an e-mail ticket to the customer's last mail (the service
    desk calls it inside the reply's transaction)."""
    if ticket.channel != Channel.EMAIL:
        return None
    last = (InboundMail.objects.filter(ticket=ticket, outcome__in=(Outcome.TICKET,
                                                                    Outcome.MESSAGE))
            .exclude(from_address="").select_related("mailbox").order_by("-pk").first())
    if last is None:
        return None
    mailbox = last.mailbox
    thread = [m for m in InboundMail.objects.filter(ticket=ticket).exclude(message_id="")
              .order_by("pk").values_list("message_id", flat=True)][:1]
    thread += [m for m in OutboundMail.objects.filter(ticket=ticket).order_by("pk")
               .values_list("message_id", flat=True)][-8:]
    if last.message_id:
        thread.append(last.message_id)
    references = " ".join(f"<{m}>" for m in dict.fromkeys(thread))
    message_id = f"punkt.{uuid.uuid4().hex}@{id_domain(mailbox)}"
    out = OutboundMail.objects.create(
        mailbox=mailbox, ticket=ticket, ticket_message=message, to=last.from_address,
        subject=_subject(ticket), message_id=message_id, key=id_key(message_id),
        in_reply_to=f"<{last.message_id}>" if last.message_id else "",
        references=references)
    from punkt.mailbox.tasks import send_reply

    send_reply.enqueue(out.pk)  # the database queue: visible to workers after the commit
    return out


def send_now(outbound_id: int) -> str:
    """Send one queued reply (the task's body); the reply's status after it."""
    return outbox.deliver(OutboundMail, outbound_id, _reply_message, what="Reply")


def _reply_message(out: OutboundMail) -> EmailMessage:
    out = OutboundMail.objects.select_related("ticket_message", "mailbox").get(pk=out.pk)
    headers = {"Message-ID": f"<{out.message_id}>"}
    if out.in_reply_to:
        headers["In-Reply-To"] = out.in_reply_to
    if out.references:
        headers["References"] = out.references
    return EmailMessage(subject=out.subject, body=out.ticket_message.body,
                        from_email=out.mailbox.address, to=[out.to],
                        reply_to=[out.mailbox.address], headers=headers)


def due_for_resend(now: datetime.datetime | None = None) -> list[int]:
    """Replies to send again: failed, queued but never picked up, or left sending by a
    dead worker (sent again under the same Message-ID, which mail programs merge)."""
    return outbox.due_for_resend(OutboundMail, max_attempts=MAX_ATTEMPTS, now=now)


def resend(now: datetime.datetime | None = None) -> dict[str, int]:
    return outbox.resend(due_for_resend(now), send_now)


desk.REPLY_SENDERS.append(queue_reply)


# -- setting mailboxes up (the administrator) ---------------------------------------------

MAILBOX_FIELDS = ("address", "team_id", "host", "port", "security", "username", "password",
                  "folder", "ticket_type_id", "is_active")


def _field(value: Any, name: str, limit: int, *, required: bool = True) -> str:
    text = str(value if value is not None else "").strip()
    if required and not text:
        raise ValidationFailed("required", _("This field is required."), field=name)
    if len(text) > limit:
        raise ValidationFailed("too_long", _("At most %(n)d characters.") % {"n": limit},
                               field=name)
    return text


@transaction.atomic
def mailbox_save(*, actor: Actor, mailbox_id: int | None, address: Any, team_id: Any,
                 host: Any, port: Any, security: Any, username: Any, password: Any,
                 folder: Any, ticket_type_id: Any = "", is_active: Any = True) -> Mailbox:
    """Create or change a team mailbox. The password is sealed on save and never shown
    again; left empty on a change, the stored one is kept."""
    from django.core.validators import validate_email

    from punkt.servicedesk.models import Team

    org_perms.ensure(actor, perms.MAILBOX_MANAGE.code)
    box = None
    if mailbox_id is not None:
        box = Mailbox.objects.select_for_update().filter(pk=mailbox_id).first()
        if box is None:
            raise NotFound(_("Mailbox not found."))
    address_ = _field(address, "address", 254).lower()
    try:
        validate_email(address_)
    except DjangoValidationError:
        raise ValidationFailed("invalid", _("Enter a valid e-mail address."),
                               field="address") from None
    others = Mailbox.objects.filter(address=address_)
    if (others.exclude(pk=box.pk) if box is not None else others).exists():
        raise ValidationFailed("taken", _("Another mailbox already reads this address."),
                               field="address")
    team = Team.objects.filter(pk=_digits(team_id, "team_id"), is_active=True).first()
    if team is None:
        raise ValidationFailed("invalid", _("Choose an active team."), field="team_id")
    host_ = _field(host, "host", 200)
    if any(c.isspace() for c in host_) or "/" in host_:
        raise ValidationFailed("invalid", _("Enter a server name such as imap.example.pl."),
                               field="host")
    port_ = _digits(port, "port")
    if not 0 < port_ < 65536:
        raise ValidationFailed("invalid", _("A port is a number from 1 to 65535."),
                               field="port")
    security_ = str(security or "").strip()
    if security_ not in Security.values:
        raise ValidationFailed("invalid", _("Choose IMAPS or STARTTLS."), field="security")
    username_ = _field(username, "username", 200)
    password_ = str(password or "")
    if len(password_) > 200:
        raise ValidationFailed("too_long", _("At most %(n)d characters.") % {"n": 200},
                               field="password")
    if box is None and not password_:
        raise ValidationFailed("required", _("This field is required."), field="password")
    folder_ = _field(folder, "folder", 200, required=False) or "INBOX"
    ticket_type = None
    if str(ticket_type_id or "").strip():
        ticket_type = TicketType.objects.filter(pk=_digits(ticket_type_id, "ticket_type_id"),
                                                is_active=True).first()
        if ticket_type is None:
            raise ValidationFailed("invalid", _("Choose an active ticket type."),
                                   field="ticket_type_id")
    active = is_active in (True, "1", "on", "true")
    created = box is None
    if box is None:
        box = Mailbox(address=address_)
    before = {"address": box.address, "team": box.team_id if not created else None,
              "host": box.host, "port": box.port, "folder": box.folder,
              "is_active": box.is_active}
    moved = not created and (box.host, box.port, box.username, box.folder) != (
        host_, port_, username_, folder_)
    box.address, box.team, box.host, box.port = address_, team, host_, port_
    box.security, box.username, box.folder = security_, username_, folder_
    box.ticket_type, box.is_active = ticket_type, active
    if password_:
        box.password = password_
    if moved:  # another server or folder: its UIDs mean nothing here
        box.uidvalidity, box.last_uid = None, 0
    box.save()
    after = {"address": box.address, "team": box.team_id, "host": box.host,
             "port": box.port, "folder": box.folder, "is_active": box.is_active}
    audit_record(action="mailbox.mailbox." + ("create" if created else "update"), obj=box,
                 actor=actor, branch_id=team.branch_id,
                 changes={k: [before[k], v] for k, v in after.items() if before[k] != v}
                 | ({"password": ["…", "…"]} if password_ and not created else {}))
    return box


def _digits(value: Any, name: str) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed("invalid", _("Enter a whole number."), field=name) from None


def mailbox_try(*, actor: Actor, mailbox_id: int) -> tuple[bool, str]:
    """Sign in and open the folder now, without taking any mail: (worked, what happened)."""
    org_perms.ensure(actor, perms.MAILBOX_MANAGE.code)
    box = Mailbox.objects.filter(pk=mailbox_id).first()
    if box is None:
        raise NotFound(_("Mailbox not found."))
    try:
        with imap.connect(box) as session:
            validity = session.select(box.folder)
            waiting = len(session.list_after(box.last_uid if box.uidvalidity == validity
                                             else 0, 10_000))
    except (imap.ImapError, NotConfigured) as exc:
        return False, str(exc)
    return True, _("Signed in; %(n)d mails waiting in %(folder)s.") % {
        "n": waiting, "folder": box.folder}
