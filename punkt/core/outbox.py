"""Mail written with a change and sent after it (a reply notice, an e-mail reply): the
rows an area's outbox model keeps (``status`` queued / sending / sent / failed,
``attempts``, ``created_at``) and the job that sends again what did not go out."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import models
from django.db.models import Q
from django.utils import timezone

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
