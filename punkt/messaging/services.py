"""Queueing messages to customers; the worker sends them (``tasks.deliver``).

* Marketing needs the channel's consent when queued *and* when sent (C14): a withdrawal
  in between stops it.
* The message row and its task are written in the caller's transaction: a rollback
  leaves neither, so nothing is sent for work that did not happen (C12).
* A ``key`` makes a message once-only (end-of-term notices: C9).
* Sending is at most once: a task that finds its message already "sending" (the worker
  died mid-send) marks it "uncertain" instead of sending again (C13).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.core import files
from punkt.core.errors import Conflict, ValidationFailed
from punkt.customers.models import CHANNEL_PURPOSE, Customer
from punkt.customers.selectors import consented, has_consent
from punkt.messaging import sms
from punkt.messaging.models import Channel, Message, MessageKind, MessageStatus, MessageTemplate
from punkt.organization.actors import Actor, employee_of

AREA = "messages"
#: source type → function(source id) returning a fresh secret link, made at send time so
#: that the link is never stored (only the hash of its token, by its owner).
LINKS: dict[str, Callable[[str], str]] = {}
#: source type → function(source ids) returning their fresh links at once (a chunk's)
LINKS_MANY: dict[str, Callable[[list[str]], dict[str, str]]] = {}
LINK = "{{ link }}"
PLACEHOLDERS = ("klient", "numer_umowy", "data_konca", "oddzial", "telefon_oddzialu",
                "pracownik", "link")
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
SMS_MAX = 459  # three concatenated GSM-7 parts; Polish letters shorten that, gateways split


def check_template(text: str, *, field: str,
                   placeholders: tuple[str, ...] = PLACEHOLDERS,
                   required: tuple[str, ...] = ()) -> None:
    """Refuse (on ``field``) a placeholder outside ``placeholders`` (an area's letters
    bring their own list), or a text without one of the ``required`` ones."""
    named = {m.group(1) for m in PLACEHOLDER.finditer(text)}
    unknown = sorted(named - set(placeholders))
    if unknown:
        raise ValidationFailed("invalid_template", _(
            "Unknown fields: %(unknown)s. Known fields: %(known)s.") % {
            "unknown": ", ".join(unknown), "known": ", ".join(placeholders)}, field=field)
    absent = [name for name in required if name not in named]
    if absent:
        raise ValidationFailed("invalid_template", _(
            "The text must keep the fields %(fields)s: the letter cannot do without them.") % {
            "fields": ", ".join("{{ " + name + " }}" for name in absent)}, field=field)


def fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "")), text)


def address_of(customer: Customer, channel: str) -> str:
    return customer.email if channel == Channel.EMAIL else customer.phone


def allowed(customer_id: int, channel: str, kind: str) -> bool:
    """Marketing needs the channel's consent; a letter needs none (see ``letters``)."""
    return (kind == MessageKind.SERVICE or channel == Channel.LETTER
            or has_consent(customer_id, CHANNEL_PURPOSE[channel]))


def allowed_many(messages: list[Message]) -> set[int]:
    """The ids of ``messages`` that :func:`allowed` lets through: the consents of a chunk
    read at once, one statement per channel of its marketing messages (C14)."""
    ok = {m.pk for m in messages if not m.customer_id or m.kind == MessageKind.SERVICE
          or m.channel == Channel.LETTER}
    asking: dict[str, list[Message]] = {}
    for m in messages:
        if m.pk not in ok:
            asking.setdefault(m.channel, []).append(m)
    for channel, group in asking.items():
        have = consented([m.customer_id for m in group if m.customer_id is not None],
                         CHANNEL_PURPOSE[channel])
        ok.update(m.pk for m in group if m.customer_id in have)
    return ok


def message_queue(*, customer: Customer, channel: str, kind: str, body: str, subject: str = "",
                  actor: Actor | None = None, attachment: tuple[str, bytes] | None = None,
                  key: str | None = None, source: models.Model | None = None) -> Message:
    """Queue one message; refused (naming the field) without an address or consent."""
    if channel not in (Channel.EMAIL, Channel.SMS) or kind not in MessageKind.values:
        # Letters are printed by the branch, not sent: ``letters.letter_queue``.
        raise ValidationFailed("invalid", _("Choose e-mail or SMS."), field="channel")
    to = address_of(customer, channel)
    if not to:
        raise ValidationFailed("no_address", _(
            "The customer has no e-mail address.") if channel == Channel.EMAIL else _(
            "The customer has no phone number."), field="email" if channel == Channel.EMAIL
            else "phone")
    if not allowed(customer.pk, channel, kind):
        raise Conflict("no_consent", _(
            "The customer has not agreed to marketing by %(channel)s.") % {
            "channel": Channel(channel).label}, field="channel")
    body = body.strip()
    if not body:
        raise ValidationFailed("required", _("Write the message."), field="body")
    if channel == Channel.SMS and len(body) > SMS_MAX:
        raise ValidationFailed("too_long", _("An SMS may have at most %(n)d characters.")
                               % {"n": SMS_MAX}, field="body")
    if key and Message.objects.filter(key=key).exists():
        return _existing(key)
    stored = name = ""
    if attachment is not None:
        name, data = attachment
        stored = files.write(data, area=AREA, ext="pdf")
    try:
        with transaction.atomic():
            message = Message.objects.create(
                customer=customer, branch_id=customer.branch_id, channel=channel, kind=kind,
                to=to, subject=subject[:200], body=body, attachment_stored=stored,
                attachment_name=name, key=key or None,
                created_by=employee_of(actor),
                source_type=source._meta.label_lower if source is not None else "",
                source_id=str(source.pk) if source is not None else "")
    except IntegrityError:  # the same key queued at the same moment by another worker
        if stored:
            files.path_of(stored, area=AREA).unlink(missing_ok=True)
        return _existing(key or "")
    from punkt.messaging.tasks import deliver

    deliver.enqueue(message.pk)
    return message


def _existing(key: str) -> Message:
    """The message queued before under ``key`` (marked so callers do not log it twice)."""
    message = Message.objects.get(key=key)
    message.already_queued = True  # type: ignore[attr-defined]
    return message


def from_template(code: str) -> MessageTemplate:
    from punkt.messaging.defaults import ensure_defaults

    template = MessageTemplate.objects.filter(code=code, is_active=True).first()
    if template is None and not MessageTemplate.objects.filter(code=code).exists():
        ensure_defaults()
        template = MessageTemplate.objects.filter(code=code, is_active=True).first()
    if template is None:
        raise ValidationFailed("invalid", _("Choose a message template."), field="template")
    return template


def _send(message: Message, *, link: str | None = None, mail_connection: Any = None,
          gateway: Any = None, mail_class: type[EmailMessage] = EmailMessage) -> str:
    """Send one message; a chunk (``sending.deliver_chunk``) passes the link it made, its
    open mail connection and SMS gateway, and its e-mail class (``mime.chunk_mail``)."""
    body = message.body
    if LINK in body and (link is not None or message.source_type in LINKS):
        body = body.replace(LINK, link if link is not None
                            else LINKS[message.source_type](message.source_id))
    if message.channel == Channel.SMS:
        return (gateway or sms.gateway()).send(message.to, body)
    mail = mail_class(subject=message.subject, body=body,
                      from_email=settings.DEFAULT_FROM_EMAIL, to=[message.to],
                      headers={"Message-ID": f"<punkt-{message.pk}@{_domain()}>"})
    if message.attachment_stored:
        mail.attach(message.attachment_name or "dokument.pdf",
                    files.path_of(message.attachment_stored, area=AREA).read_bytes(),
                    "application/pdf")
    if mail_connection is not None:
        mail_connection.send_messages([mail])
    else:
        mail.send()
    return f"punkt-{message.pk}"


def _domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "punkt.local"


def deliver_now(message_id: int) -> str:
    """Send one queued message (the task's body); the message's final status."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None:  # not NotFound: the task reports it and ends
            return "missing"
        if message.status == MessageStatus.SENDING:  # a worker died between send and mark
            message.status = MessageStatus.UNCERTAIN
            message.save(update_fields=["status"])
            return message.status
        if message.status != MessageStatus.QUEUED or message.channel == Channel.LETTER:
            return message.status  # done, or a letter (the branch prints it)
        if message.customer_id and not allowed(message.customer_id, message.channel,
                                               message.kind):
            message.status = MessageStatus.SKIPPED
            message.save(update_fields=["status"])
            return message.status
        message.status, message.sending_at = MessageStatus.SENDING, timezone.now()
        message.save(update_fields=["status", "sending_at"])
    try:
        provider_id = _send(message)
    except Exception as exc:  # noqa: BLE001 - any transport error is the message's failure
        Message.objects.filter(pk=message_id).update(status=MessageStatus.FAILED,
                                                     error=str(exc)[:500])
        return MessageStatus.FAILED
    Message.objects.filter(pk=message_id).update(status=MessageStatus.SENT,
                                                 sent_at=timezone.now(),
                                                 provider_id=provider_id[:100])
    return MessageStatus.SENT


@transaction.atomic
def template_update(*, actor: Actor, template_id: int, name: str, subject: str, body: str,
                    is_active: bool) -> MessageTemplate:
    """HQ edits a template; the placeholders are checked, the change audited."""
    from punkt.core.audit import audit_record
    from punkt.messaging import permissions as perms
    from punkt.organization import permissions as org_perms

    org_perms.ensure(actor, perms.TEMPLATE_MANAGE.code)
    template = MessageTemplate.objects.locked(template_id, missing=_("Template not found."))
    name, subject, body = " ".join(name.split())[:100], " ".join(subject.split())[:200], \
        body.strip()
    if not name:
        raise ValidationFailed("required", _("Give the template a name."), field="name")
    if not body:
        raise ValidationFailed("required", _("Write the message."), field="body")
    if template.channel == Channel.EMAIL and not subject:
        raise ValidationFailed("required", _("An e-mail needs a subject."), field="subject")
    if template.channel == Channel.LETTER and not subject:
        raise ValidationFailed("required", _("A letter needs a subject line."), field="subject")
    if template.channel == Channel.SMS and len(body) > SMS_MAX:
        raise ValidationFailed("too_long", _("An SMS may have at most %(n)d characters.")
                               % {"n": SMS_MAX}, field="body")
    check_template(subject, field="subject")
    check_template(body, field="body")
    template.name, template.subject, template.body = name, subject, body
    # Proposals and legal notices cannot be switched off: the law needs them sent.
    template.is_active = is_active or template.code.startswith(("renewal-", "end-of-term-"))
    template.save()
    audit_record(action="messaging.template.update", obj=template, actor=actor,
                 message=template.code)
    return template
