"""Mail written with a change and sent after it (a reply notice, an e-mail reply): the
rows an area's outbox model keeps (``status`` queued / sending / sent / failed,
``attempts``, ``created_at``) and the job that sends again what did not go out."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.core.mail import EmailMessage
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)

#: a row still queued or sending after this was never picked up, or its worker died
STALE_AFTER = datetime.timedelta(minutes=5)


def due_for_resend(model: type[models.Model], *, max_attempts: int,
                   now: datetime.datetime | None = None, limit: int = 500) -> list[int]:
    """Rows to send again: failed, or queued/sending for longer than ``STALE_AFTER``,
    with attempts left — oldest first."""
    stale = (now or timezone.now()) - STALE_AFTER
    return list(model._default_manager.filter(
        Q(status="failed") | Q(status__in=("queued", "sending"), created_at__lt=stale),
        attempts__lt=max_attempts).order_by("pk").values_list("pk", flat=True)[:limit])


def resend(due: list[int], send: Callable[[int], str]) -> dict[str, int]:
    """Send each of ``due`` with ``send`` (which returns the row's new status): the
    count per status."""
    out: dict[str, int] = {}
    for pk in due:
        status = send(pk)
        out[status] = out.get(status, 0) + 1
    return out


def deliver(model: type[models.Model], pk: int,
            build: Callable[[Any], EmailMessage | None], *, what: str) -> str:
    """Send one queued row's mail, once: the row is claimed under its lock (``sending``,
    one more attempt), ``build`` makes the message outside the transaction (``None``:
    nothing to send any more, e.g. the address was erased meanwhile), and the row ends
    ``sent`` or ``failed`` with the transport's error, to be sent again by ``resend``.
    Returns the row's new status (``missing`` when there is no such row)."""
    rows = model._default_manager
    with transaction.atomic():
        row: Any = rows.select_for_update().filter(pk=pk).first()
        if row is None:
            return "missing"
        if row.status == "sent":
            return "sent"
        row.status, row.attempts = "sending", row.attempts + 1
        row.save(update_fields=["status", "attempts"])
    try:
        message = build(row)
        if message is None:
            rows.filter(pk=pk).update(status="sent", error="not sent")
            return "sent"
        message.send()
    except Exception as exc:  # noqa: BLE001 - any transport error: tried again later
        rows.filter(pk=pk).update(status="failed", error=str(exc)[:500])
        logger.warning("%s %s not sent: %s", what, pk, exc)
        return "failed"
    rows.filter(pk=pk).update(status="sent", sent_at=timezone.now(), error="")
    return "sent"
