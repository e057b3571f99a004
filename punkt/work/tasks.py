"""Task reminders: every five minutes the bell rings for the reminders that came due."""

from __future__ import annotations

import datetime

from django.tasks import task

from punkt.core.jobs import periodic


@task()
def send_reminders(slot: str) -> int:
    """Safe to run twice: a reminder is marked sent in the same transaction as its bell
    line, and the bell line is unique per task and reminder time (C13)."""
    from punkt.work import services

    return services.send_due_reminders()


periodic("work.send_reminders", datetime.timedelta(minutes=5),
         lambda slot: send_reminders.enqueue(slot=slot.isoformat()))


@task()
def send_digests(slot: str) -> int:
    """The daily e-mail summaries; once per employee and day (``DigestSent``)."""
    from punkt.work import services

    return services.send_digests()


periodic("work.send_digests", datetime.timedelta(days=1),
         lambda slot: send_digests.enqueue(slot=slot.isoformat()))
