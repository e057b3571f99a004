"""Sending queued messages."""

from __future__ import annotations

from django.tasks import task


@task()
def deliver(message_id: int) -> str:
    from punkt.messaging.services import deliver_now

    return deliver_now(message_id)
