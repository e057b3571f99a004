"""Housekeeping jobs of the platform itself."""

from __future__ import annotations

import datetime

from django.tasks import task
from django.utils import timezone

from punkt.core.jobs import periodic


@task()
def prune_finished_tasks(slot: str) -> int:
    """Delete finished task rows older than 30 days (idempotent)."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - datetime.timedelta(days=30)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted


@task()
def clear_expired_sessions(slot: str) -> None:
    from django.contrib.sessions.models import Session

    Session.objects.filter(expire_date__lt=timezone.now()).delete()


periodic("core.prune_finished_tasks", datetime.timedelta(days=1),
         lambda slot: prune_finished_tasks.enqueue(slot=slot.isoformat()))
periodic("core.clear_expired_sessions", datetime.timedelta(hours=1),
         lambda slot: clear_expired_sessions.enqueue(slot=slot.isoformat()))
