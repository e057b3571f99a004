"""Polling the mailboxes every minute and sending replies (tried again until they go)."""

from __future__ import annotations

import datetime

from django.tasks import task

from punkt.core.jobs import periodic


@task()
def send_reply(outbound_id: int) -> str:
    from punkt.mailbox.services import send_now

    return send_now(outbound_id)


@task()
def poll_mailboxes(slot: str) -> dict[str, str]:
    from punkt.mailbox.services import poll_all

    return {str(pk): r.error or ("skipped" if r.skipped else "ok")
            for pk, r in poll_all().items()}


@task()
def resend_replies(slot: str) -> dict[str, int]:
    from punkt.mailbox.services import resend

    return resend()


periodic("mailbox.poll", datetime.timedelta(minutes=1),
         lambda slot: poll_mailboxes.enqueue(slot=slot.isoformat()))
periodic("mailbox.resend_replies", datetime.timedelta(minutes=5),
         lambda slot: resend_replies.enqueue(slot=slot.isoformat()))
