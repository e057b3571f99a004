"""Sending a chunk of queued messages at once (the survey invitations' delivery tasks, 500
a task): the rules of ``services.deliver_now`` — at most once (a message found "sending"
becomes "uncertain", C13), marketing's consent read again at send time (C14), letters
left to the branch — with a few statements per chunk instead of five per message, one
connection to the mail server and one SMS gateway for the whole chunk, and the secret
links made for the chunk at once (``LINKS_MANY``)."""

from __future__ import annotations

from collections import Counter

from django.core.mail import mailers
from django.db import transaction
from django.utils import timezone

from punkt.core.bulk import update_each
from punkt.messaging import sms
from punkt.messaging.mime import chunk_mail
from punkt.messaging.models import Channel, Message, MessageStatus
from punkt.messaging.services import LINK, LINKS, LINKS_MANY, _send, allowed_many

#: the sent marks written together (a crash between two loses at most this many
#: "sent" marks: those messages then read "sending", and a rerun marks them uncertain)
MARK_EVERY = 100


def deliver_chunk(message_ids: list[int]) -> dict[str, int]:
    """Send the queued messages among ``message_ids``; how many ended in each status."""
    out: Counter[str] = Counter()
    now = timezone.now()
    with transaction.atomic():
        rows = list(Message.objects.select_for_update().filter(pk__in=message_ids)
                    .order_by("pk"))
        died = [m.pk for m in rows if m.status == MessageStatus.SENDING]
        if died:  # a worker died between send and mark: never sent twice
            Message.objects.filter(pk__in=died).update(status=MessageStatus.UNCERTAIN)
            out[MessageStatus.UNCERTAIN] += len(died)
        todo, skipped, waiting = [], [], []
        for m in rows:
            if m.status != MessageStatus.QUEUED or m.channel == Channel.LETTER:
                if m.pk not in died:
                    out[m.status] += 1
            else:
                waiting.append(m)
        consenting = allowed_many(waiting)  # read now, under the rows' locks (C14)
        for m in waiting:
            (todo.append(m) if m.pk in consenting else skipped.append(m.pk))
        if skipped:
            Message.objects.filter(pk__in=skipped).update(status=MessageStatus.SKIPPED)
            out[MessageStatus.SKIPPED] += len(skipped)
        Message.objects.filter(pk__in=[m.pk for m in todo]).update(
            status=MessageStatus.SENDING, sending_at=now)
    links = _links(todo)
    sent: list[tuple[int, str]] = []
    gateway = sms.gateway() if any(m.channel == Channel.SMS for m in todo) else None
    mail_class = chunk_mail()
    with mailers.default as mail:
        for m in todo:
            try:
                sent.append((m.pk, _send(m, link=links.get(m.pk), mail_connection=mail,
                                         gateway=gateway, mail_class=mail_class)))
            except Exception as exc:  # noqa: BLE001 - any transport error is the message's
                Message.objects.filter(pk=m.pk).update(status=MessageStatus.FAILED,
                                                       error=str(exc)[:500])
                out[MessageStatus.FAILED] += 1
            if len(sent) >= MARK_EVERY:
                out[MessageStatus.SENT] += _mark_sent(sent)
                sent = []
    out[MessageStatus.SENT] += _mark_sent(sent)
    return {str(k): v for k, v in out.items() if v}


def _links(messages: list[Message]) -> dict[int, str]:
    """The fresh links of the messages that carry one, made per source type at once."""
    wanted: dict[str, list[Message]] = {}
    for m in messages:
        if LINK in m.body and (m.source_type in LINKS_MANY or m.source_type in LINKS):
            wanted.setdefault(m.source_type, []).append(m)
    links: dict[int, str] = {}
    for source_type, group in wanted.items():
        if source_type in LINKS_MANY:
            made = LINKS_MANY[source_type]([m.source_id for m in group])
            links.update({m.pk: made[m.source_id] for m in group if m.source_id in made})
        else:
            links.update({m.pk: LINKS[source_type](m.source_id) for m in group})
    return links


def _mark_sent(sent: list[tuple[int, str]]) -> int:
    if not sent:
        return 0
    update_each(Message.objects.all(), "provider_id",
                {pk: provider[:100] for pk, provider in sent},
                status=MessageStatus.SENT, sent_at=timezone.now())
    return len(sent)
