"""The print orders' e-mails to the shops: sent after the order's commit, tried again
until they go (``punkt/core/outbox.py``)."""

from __future__ import annotations

import datetime

from django.tasks import task

from punkt.core.jobs import periodic


@task()
def send_order(mail_id: int) -> str:
    """Safe to run twice: the row is claimed under its lock and a sent row is left (C9)."""
    from punkt.campaigns.services import send_now

    return send_now(mail_id)


@task()
def resend_orders(slot: str) -> dict[str, int]:
    from punkt.campaigns.services import resend

    return resend()


periodic("campaigns.resend_orders", datetime.timedelta(minutes=5),
         lambda slot: resend_orders.enqueue(slot=slot.isoformat()))
