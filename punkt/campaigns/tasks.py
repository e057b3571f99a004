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


@task()
def mailing_step(mailing_id: int) -> dict[str, object]:
    """One run of a mailing (queue when due, then a batch within the gateway's rate); it
    enqueues its next run itself. Two runs at once are safe: the batch is claimed under
    the mailing's lock and its messages' (``services.mailing.step``)."""
    from django.utils import timezone

    from punkt.campaigns.services import mailing

    result = mailing.step(mailing_id)
    if result.next_at is not None:
        if result.next_at > timezone.now():
            mailing_step.using(run_after=result.next_at).enqueue(mailing_id)
        else:
            mailing_step.enqueue(mailing_id)
    return {"status": result.status, "sent": result.sent}
