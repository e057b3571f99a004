"""Reads of the mailboxes (HQ-wide: the page is guarded by a global action)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from punkt.mailbox.models import InboundMail, Mailbox, OutboundMail, OutboundStatus


def mailboxes_with_counts() -> list[Any]:
    """Every mailbox with ``counts`` (mails by outcome) and ``unsent`` replies."""
    rows = list(Mailbox.objects.select_related("team").order_by("address")[:500])
    counts: dict[int, dict[str, int]] = {}
    for box, outcome, n in (InboundMail.objects.filter(mailbox__in=rows)
                            .values_list("mailbox_id", "outcome").annotate(n=Count("pk"))
                            .values_list("mailbox_id", "outcome", "n")):
        counts.setdefault(box, {})[outcome] = n
    unsent = dict(OutboundMail.objects.filter(mailbox__in=rows).exclude(
        status=OutboundStatus.SENT).values("mailbox_id").annotate(n=Count("pk"))
        .values_list("mailbox_id", "n"))
    for row in rows:
        row.counts = counts.get(row.pk, {})  # type: ignore[attr-defined]
        row.unsent = unsent.get(row.pk, 0)  # type: ignore[attr-defined]
    return rows
