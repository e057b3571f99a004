"""Mass marketing messages (a campaign's mailing to a customer segment, R15.2).

The caller (``campaigns``) owns the mailing and its segment; this module owns the
messages, identified by their source (``source_type``, ``source_id``):

* :func:`queue` writes one ``Message`` row per recipient in **one** ``INSERT … SELECT``
  from the segment's query joined with the channel's marketing consent (C14 at queue
  time), the address and the suppression list (hard bounces). No task per message.
* :func:`claim` takes the next batch of the source's queued rows (``FOR UPDATE SKIP
  LOCKED`` on PostgreSQL), marks those whose consent was withdrawn meanwhile
  ``skipped`` (C14 at send time) and the rest ``sending`` — in one transaction, so two
  workers never hold the same row.
* :func:`send` sends the claimed rows with the placeholders filled, a personal
  unsubscribe link (and RFC 8058 ``List-Unsubscribe`` headers) and a per-message
  envelope sender (VERP, ``bounce+<id>.<hmac>@domain``) for the bounces; it records the
  final text (the archive of what the customer got) and a timeline entry linked to the
  source. A row left ``sending`` by a dead worker becomes ``uncertain`` (:func:`release_stale`),
  never sent twice (C13).
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from punkt.customers.models import (
    CHANNEL_PURPOSE,
    Consent,
    Customer,
    CustomerStatus,
    TimelineEntry,
)
from punkt.customers.timeline import register_kind
from punkt.messaging import sms
from punkt.messaging.models import (
    Channel,
    Message,
    MessageKind,
    MessageStatus,
    Suppression,
)
from punkt.messaging.services import SMS_MAX, fill

TIMELINE_KIND = "mailing"
register_kind(TIMELINE_KIND, gettext_lazy("Mass message"))

#: Placeholders a mass message may use (filled per recipient when it is sent).
PLACEHOLDERS = ("klient", "oddzial", "telefon_oddzialu", "kod_kampanii")
#: Characters an SMS keeps free for the opt-out text and link.
SMS_FOOTER_RESERVE = 70
SMS_BODY_MAX = SMS_MAX - SMS_FOOTER_RESERVE
#: A row "sending" for longer than this was left by a dead worker.
STALE = datetime.timedelta(minutes=10)


# -- signed tokens: the unsubscribe link and the bounce address -----------------------------

def _sig(kind: str, pk: int, length: int = 12) -> str:
    return salted_hmac(f"punkt.messaging.{kind}", str(pk),
                       algorithm="sha256").hexdigest()[:length]


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def unsubscribe_token(message_id: int) -> str:
    """Short (it goes into SMS too): the message id in base 36 and 12 hex of its HMAC."""
    return f"{_b36(message_id)}-{_sig('unsubscribe', message_id)}"


def message_of_token(token: str) -> int | None:
    """The message id of a valid token; None for a tampered or malformed one."""
    head, sep, sig = (token or "").partition("-")
    if not sep or not head.isalnum() or len(head) > 13:
        return None
    try:
        pk = int(head, 36)
    except ValueError:
        return None
    return pk if constant_time_compare(sig, _sig("unsubscribe", pk)) else None


def unsubscribe_url(message_id: int) -> str:
    return settings.PUNKT_PUBLIC_URL + reverse("unsubscribe",
                                               args=[unsubscribe_token(message_id)])


def bounce_domain() -> str:
    return (getattr(settings, "PUNKT_BOUNCE_DOMAIN", "")
            or settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "punkt.local")


def bounce_address(message_id: int) -> str:
    """The envelope sender (Return-Path) of one message: bounces come back to it."""
    return f"bounce+{message_id}.{_sig('bounce', message_id, 16)}@{bounce_domain()}"


def message_of_bounce_address(address: str) -> int | None:
    local = (address or "").strip().strip("<>").rpartition("@")[0].lower()
    if not local.startswith("bounce+"):
        return None
    head, _sep, sig = local[len("bounce+"):].partition(".")
    if not head.isdigit() or len(head) > 19:
        return None
    pk = int(head)
    return pk if constant_time_compare(sig, _sig("bounce", pk, 16)) else None


# -- the segment ---------------------------------------------------------------------------

def _address_field(channel: str) -> str:
    return "email" if channel == Channel.EMAIL else "phone"


def consenting(customers: models.QuerySet[Customer], channel: str) -> models.QuerySet[Customer]:
    """``customers`` who gave the channel's marketing consent (the state now, C14)."""
    return customers.filter(Exists(Consent.objects.filter(
        customer=OuterRef("pk"), purpose=CHANNEL_PURPOSE[channel], granted=True)))


def recipients(customers: models.QuerySet[Customer], channel: str) -> models.QuerySet[Customer]:
    """Who a marketing message on ``channel`` may go to now: active customers of
    ``customers`` with the channel's consent and an address that has not bounced hard."""
    field = _address_field(channel)
    suppressed = Exists(Suppression.objects.filter(channel=channel, address=OuterRef(field)))
    return consenting(customers.filter(status=CustomerStatus.ACTIVE), channel).exclude(
        **{field: ""}).exclude(suppressed)


def counts(customers: models.QuerySet[Customer], channel: str) -> dict[str, int]:
    """The segment's size, how many gave the channel's marketing consent and how many
    of those can be reached (an address, not bounced): shown before sending."""
    field = _address_field(channel)
    consent = Exists(Consent.objects.filter(customer=OuterRef("pk"),
                                            purpose=CHANNEL_PURPOSE[channel], granted=True))
    suppressed = Exists(Suppression.objects.filter(channel=channel, address=OuterRef(field)))
    active = customers.filter(status=CustomerStatus.ACTIVE).order_by()
    row = active.aggregate(
        total=Count("pk"),
        consenting=Count("pk", filter=Q(consent)),
        reachable=Count("pk", filter=Q(consent) & ~Q(**{field: ""}) & ~Q(suppressed)))
    return {k: int(v or 0) for k, v in row.items()}


# -- queueing ------------------------------------------------------------------------------

def queue(customers: models.QuerySet[Customer], *, channel: str, subject: str, body: str,
          source: tuple[str, str], created_by_id: int | None = None) -> int:
    """One marketing message per recipient of ``customers`` (see :func:`recipients`), in
    one ``INSERT … SELECT``; returns how many were queued. The text keeps its placeholders
    until :func:`send` fills them. Runs in the caller's transaction."""
    if channel not in (Channel.EMAIL, Channel.SMS):
        raise ValueError(channel)
    now = timezone.now()
    source_type, source_id = source
    columns: dict[str, Any] = {
        "customer_id": F("pk"), "branch_id": F("branch_id"),
        "channel": Value(channel), "kind": Value(MessageKind.MARKETING),
        "to": F(_address_field(channel)), "subject": Value(subject[:200]), "body": Value(body),
        "attachment_stored": Value(""), "attachment_name": Value(""),
        "status": Value(MessageStatus.QUEUED), "error": Value(""),
        "source_type": Value(source_type), "source_id": Value(str(source_id)),
        "created_at": Value(now, output_field=models.DateTimeField()),
        "created_by_id": Value(created_by_id, output_field=models.BigIntegerField()),
        "provider_id": Value(""),
    }
    aliases = {f"m_{name}": expr for name, expr in columns.items()}
    select = recipients(customers, channel).order_by().annotate(**aliases).values(*aliases)
    sql, params = select.query.sql_with_params()
    quote = connection.ops.quote_name
    names = ", ".join(quote(name) for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(Message._meta.db_table)} ({names}) {sql}", params)
        return max(cursor.rowcount, 0)


def _of(source: tuple[str, str]) -> models.QuerySet[Message]:
    return Message.objects.filter(source_type=source[0], source_id=str(source[1]))


def progress(source: tuple[str, str]) -> dict[str, int]:
    """Messages of the source by status (every status present, zeros included) and
    ``delivered``: the sent ones an SMS delivery report confirmed (``sms_reports.py``)."""
    rows = (_of(source).order_by().values_list("status")
            .annotate(n=Count("pk"), delivered=Count("pk", filter=Q(delivered_at__isnull=False))))
    found = {status: (n, d) for status, n, d in rows}
    counts = {status: int(found.get(status, (0, 0))[0]) for status in MessageStatus.values}
    counts["delivered"] = sum(int(d) for _n, d in found.values())
    return counts


def has_open(source: tuple[str, str]) -> bool:
    return _of(source).filter(status__in=(MessageStatus.QUEUED,
                                          MessageStatus.SENDING)).exists()


def cancel_queued(source: tuple[str, str]) -> int:
    """The source's messages not yet taken by a worker will not go out."""
    return _of(source).filter(status=MessageStatus.QUEUED).update(
        status=MessageStatus.CANCELLED)


def release_stale(source: tuple[str, str], now: datetime.datetime | None = None) -> int:
    """Rows a dead worker left "sending": uncertain (maybe sent), never sent again."""
    now = now or timezone.now()
    return _of(source).filter(status=MessageStatus.SENDING, sending_at__lt=now - STALE).update(
        status=MessageStatus.UNCERTAIN)


# -- sending -------------------------------------------------------------------------------

def claim(source: tuple[str, str], limit: int) -> list[int]:
    """Take up to ``limit`` of the source's queued messages for this worker: those that
    lost their consent (or whose address bounced hard) since they were queued are
    ``skipped``, the rest ``sending``; returns the ids to send. Call inside a transaction
    (the caller's lock on its mailing keeps the rate)."""
    if limit <= 0:
        return []
    ids = list(_of(source).filter(status=MessageStatus.QUEUED).order_by("id")
               .select_for_update(skip_locked=True).values_list("id", flat=True)[:limit])
    if not ids:
        return []
    rows = Message.objects.filter(pk__in=ids, status=MessageStatus.QUEUED)
    for channel in (Channel.EMAIL, Channel.SMS):
        rows.filter(channel=channel, kind=MessageKind.MARKETING).exclude(Exists(
            Consent.objects.filter(customer_id=OuterRef("customer_id"),
                                   purpose=CHANNEL_PURPOSE[channel], granted=True))
        ).update(status=MessageStatus.SKIPPED)
    rows.filter(Exists(Suppression.objects.filter(channel=OuterRef("channel"),
                                                  address=OuterRef("to")))).update(
        status=MessageStatus.SKIPPED, error="suppressed: the address bounced")
    now = timezone.now()
    rows.filter(status=MessageStatus.QUEUED).update(status=MessageStatus.SENDING,
                                                    sending_at=now)
    return list(Message.objects.filter(pk__in=ids, status=MessageStatus.SENDING,
                                       sending_at=now).values_list("id", flat=True))


def _footer(message_id: int, channel: str) -> str:
    url = unsubscribe_url(message_id)
    with override(settings.LANGUAGE_CODE):
        if channel == Channel.SMS:
            return " " + _("Opt out: %(url)s") % {"url": url}
        return "\n\n-- \n" + _(
            "You receive this message because you agreed to marketing by e-mail. "
            "To stop receiving such messages, open: %(url)s") % {"url": url}


def _deliver(message: Message, subject: str, body: str) -> str:
    if message.channel == Channel.SMS:
        return sms.gateway().send(message.to, body)
    url = unsubscribe_url(message.pk)
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "punkt.local"
    mail = EmailMessage(
        subject=subject, body=body, from_email=bounce_address(message.pk), to=[message.to],
        headers={"From": settings.DEFAULT_FROM_EMAIL,
                 "Message-ID": f"<punkt-{message.pk}@{domain}>",
                 "List-Unsubscribe": f"<{url}>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                 "Precedence": "bulk"})
    mail.send()
    return f"punkt-{message.pk}"


def send(ids: Iterable[int], *, constants: dict[str, str] | None = None) -> Counter[str]:
    """Send the claimed (``sending``) messages once each; their final status counted."""
    done: Counter[str] = Counter()
    entries = []
    messages = (Message.objects.filter(pk__in=list(ids), status=MessageStatus.SENDING)
                .select_related("customer", "branch").order_by("id"))
    for m in messages:
        values = {"klient": m.customer.display_name if m.customer else "",
                  "oddzial": m.branch.name if m.branch else "",
                  "telefon_oddzialu": m.branch.phone if m.branch else "",
                  **(constants or {})}
        subject = " ".join(fill(m.subject, values).split())[:200]
        body = fill(m.body, values).strip() + _footer(m.pk, m.channel)
        try:
            provider_id = _deliver(m, subject, body)
        except Exception as exc:  # noqa: BLE001 - any transport error is the message's failure
            Message.objects.filter(pk=m.pk).update(status=MessageStatus.FAILED,
                                                   error=str(exc)[:500])
            done[MessageStatus.FAILED] += 1
            continue
        now = timezone.now()
        Message.objects.filter(pk=m.pk).update(status=MessageStatus.SENT, sent_at=now,
                                               provider_id=provider_id[:100],
                                               subject=subject, body=body)
        done[MessageStatus.SENT] += 1
        if m.customer_id:
            entries.append(TimelineEntry(
                customer_id=m.customer_id, kind=TIMELINE_KIND, occurred_at=now, direction="out",
                subject=(subject or _("SMS"))[:200], body=body[:2000], branch_id=m.branch_id,
                source_type=m.source_type, source_id=m.source_id))
    TimelineEntry.objects.bulk_create(entries, batch_size=500)
    return done


def send_test(*, channel: str, to: str, subject: str, body: str,
              constants: dict[str, str]) -> None:
    """A sample to the employee planning the mailing (not archived: no customer)."""
    values = {"klient": "Jan Kowalski", "oddzial": constants.pop("oddzial", ""),
              "telefon_oddzialu": constants.pop("telefon_oddzialu", ""), **constants}
    text = fill(body, values).strip()
    with override(settings.LANGUAGE_CODE):
        marker = _("[TEST]")
    if channel == Channel.SMS:
        sms.gateway().send(to, f"{marker} {text}")
        return
    EmailMessage(subject=f"{marker} {fill(subject, values)}", body=text,
                 from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()


def suppress(channel: str, address: str, *, reason: str,
             message_id: int | None = None) -> None:
    if address:
        Suppression.objects.get_or_create(channel=channel, address=address, defaults={
            "reason": reason[:500], "message_id": message_id})


def is_suppressed(channel: str, address: str) -> bool:
    return Suppression.objects.filter(channel=channel, address=address).exists()


@transaction.atomic
def mark_bounced(message_id: int, *, reason: str, hard: bool) -> Message | None:
    """The recipient's server returned the message: ``bounced`` with the reason, on the
    timeline; a hard bounce also suppresses the address for later mailings."""
    message = Message.objects.select_for_update().filter(pk=message_id).first()
    if message is None or message.status not in (MessageStatus.SENT, MessageStatus.SENDING,
                                                  MessageStatus.UNCERTAIN):
        return None
    message.status, message.error = MessageStatus.BOUNCED, reason[:500]
    message.save(update_fields=["status", "error"])
    if hard:
        suppress(message.channel, message.to, reason=reason, message_id=message.pk)
    if message.customer_id:
        TimelineEntry.objects.create(
            customer_id=message.customer_id, kind=TIMELINE_KIND, direction="in",
            subject=(_("Not delivered: %(subject)s") % {"subject": message.subject or "SMS"}
                     )[:200], body=reason[:2000], branch_id=message.branch_id,
            source_type=message.source_type, source_id=message.source_id)
    return message
