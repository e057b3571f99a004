"""The chat's job: waiting chats whose visitor left the page end after ten minutes (their
tickets stay with the team)."""

from __future__ import annotations

import datetime

from django.tasks import task

from punkt.core.jobs import periodic


@task()
def end_abandoned(slot: str) -> int:
    """Safe to run twice or at once: each chat ends by a conditional update."""
    from punkt.chat import services

    return services.end_abandoned()


periodic("chat.end_abandoned", datetime.timedelta(minutes=5),
         lambda slot: end_abandoned.enqueue(slot=slot.isoformat()))
