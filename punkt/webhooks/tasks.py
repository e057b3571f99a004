"""Sending webhooks: a task per new delivery, and every minute whatever is due (retries,
deliveries whose worker died, tasks lost); old deliveries are forgotten daily."""

from __future__ import annotations

import datetime

from django.tasks import task

from punkt.core.jobs import periodic


@task()
def deliver_task(delivery_id: int) -> str:
    from punkt.webhooks.services import deliver

    return deliver(delivery_id)


@task()
def deliver_due_task(slot: str) -> dict[str, int]:
    from punkt.webhooks.services import deliver_due

    return deliver_due()


@task()
def prune_task(slot: str) -> int:
    from punkt.webhooks.services import prune

    return prune()


periodic("webhooks.deliver_due", datetime.timedelta(minutes=1),
         lambda slot: deliver_due_task.enqueue(slot=slot.isoformat()))
periodic("webhooks.prune", datetime.timedelta(days=1),
         lambda slot: prune_task.enqueue(slot=slot.isoformat()))
