"""The surveys' jobs: the sending rules and reminders (hourly, claimed once per slot: C9)
and the delivery of the invitations' messages, a chunk per task."""

from __future__ import annotations

import datetime

from django.tasks import task

from punkt.core.jobs import periodic


@task()
def send_invitations(slot: str) -> dict[str, int]:
    """Safe to run twice or at once: each rule's watermark row is locked while it runs and
    an invitation is unique per customer, questionnaire and occasion (C9, C13)."""
    from punkt.surveys import services

    return services.run_rules()


periodic("surveys.invitations", datetime.timedelta(hours=1),
         lambda slot: send_invitations.enqueue(slot=slot.isoformat()))


@task()
def deliver_messages(message_ids: list[int]) -> dict[str, int]:
    """Send a chunk of queued invitations (messaging's at-most-once delivery, consent
    checked again at send time: C13, C14)."""
    from punkt.messaging.sending import deliver_chunk

    return deliver_chunk(message_ids)


@task()
def refresh_figures(slot: str) -> dict[str, object]:
    """Recount the results' kept figures up to a few minutes ago (``figures.py``); the
    page adds what happened since, so a late or skipped run only makes it read more."""
    from punkt.surveys import figures

    return figures.refresh()


periodic("surveys.figures", datetime.timedelta(hours=1),
         lambda slot: refresh_figures.enqueue(slot=slot.isoformat()))
