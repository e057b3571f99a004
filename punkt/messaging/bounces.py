"""Returned e-mails: delivery status notifications (RFC 3464) matched to our messages.

A DSN reaches us at the message's own envelope sender (VERP, ``bounce+<id>.<hmac>@…``,
see ``mass.bounce_address``) — the signed id names the message; failing that, the
returned headers' ``Message-ID`` (``<punkt-<id>@…>``) names it when their ``To`` is the
message's address. Only ``Action: failed`` counts (``delayed`` is a warning). A status
``5.x.x`` is a hard bounce: the address is suppressed for later mailings; ``4.x.x``
(mailbox full, greylisting) only marks the message.

Sources: the team mailboxes polled by ``punkt/mailbox`` (a delivery report is not a
ticket; it comes here), ``punkt bounce_record FILE`` and ``POST /api/v1/mailings/bounces``.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from email.message import Message as EmailMsg
from email.policy import compat32

from punkt.messaging import mass
from punkt.messaging.models import Message

OUR_ID = re.compile(r"<punkt-(\d{1,19})@[^>]+>")
STATUS = re.compile(r"([245])\.\d{1,3}\.\d{1,3}")
MAX_RAW = 2_000_000


@dataclass(frozen=True)
class Bounce:
    message_id: int
    status: str
    reason: str
    hard: bool


def _addresses(msg: EmailMsg) -> list[str]:
    found = []
    for name in ("X-Original-To", "Delivered-To", "Envelope-To", "To"):
        for value in msg.get_all(name, []) or []:
            found += re.findall(r"[\w.+=-]+@[\w.-]+", str(value))
    return found


def _parts(msg: EmailMsg) -> tuple[list[EmailMsg], EmailMsg | None]:
    """The per-recipient field blocks of the delivery-status part and the returned
    message (or its headers)."""
    blocks: list[EmailMsg] = []
    returned: EmailMsg | None = None
    for part in msg.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            payload = part.get_payload()
            if isinstance(payload, list):
                blocks += [p for p in payload[1:] if isinstance(p, EmailMsg)]
        elif kind in ("message/rfc822", "text/rfc822-headers") and returned is None:
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], EmailMsg):
                returned = payload[0]
            elif isinstance(payload, str):
                returned = email.message_from_string(payload, policy=compat32)
    return blocks, returned


def parse(raw: bytes) -> list[Bounce]:
    """The failed deliveries of our messages a DSN reports (empty for anything else)."""
    if len(raw) > MAX_RAW:
        return []
    msg = email.message_from_bytes(raw, policy=compat32)
    blocks, returned = _parts(msg)
    failed = [b for b in blocks if str(b.get("Action", "")).strip().lower() == "failed"]
    if not failed:
        return []
    pk = next((p for a in _addresses(msg) if (p := mass.message_of_bounce_address(a))), None)
    if pk is None and returned is not None:
        match = OUR_ID.search(str(returned.get("Message-ID", "")))
        if match:
            candidate = int(match.group(1))
            to = {a.lower() for a in _addresses(returned)}
            found = Message.objects.filter(pk=candidate).values_list("to", flat=True).first()
            if found and found.lower() in to:
                pk = candidate
    if pk is None:
        return []
    block = failed[0]
    status_match = STATUS.search(str(block.get("Status", "")))
    status = status_match.group(0) if status_match else ""
    diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())
    reason = " — ".join(x for x in (status, diagnostic) if x) or "failed"
    return [Bounce(message_id=pk, status=status, reason=reason[:500],
                   hard=status.startswith("5") or not status)]


def record(raw: bytes) -> list[Message]:
    """Mark the messages a DSN reports as bounced (see ``mass.mark_bounced``); safe to
    run twice (a bounced message stays as it is)."""
    marked = []
    for bounce in parse(raw):
        message = mass.mark_bounced(bounce.message_id, reason=bounce.reason, hard=bounce.hard)
        if message is not None:
            marked.append(message)
    return marked
