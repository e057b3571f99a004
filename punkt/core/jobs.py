"""Background work on top of ``django.tasks`` (database backend).

* :func:`periodic` declares a job that the scheduler enqueues once per time slot. The
  slot row (``ScheduledRun``, unique per job and slot) makes a second scheduler harmless.
* :func:`reap_stale_tasks` puts tasks left RUNNING by a dead worker back in the queue
  (or fails them after ``PUNKT_TASK_MAX_ATTEMPTS``). Tasks are therefore written to be
  idempotent.
* :class:`Progress` lets a task report how far it is; pages poll ``JobProgress``.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from punkt.core.models import JobProgress, JobStatus, ScheduledRun, WorkerHeartbeat

logger = logging.getLogger("punkt.jobs")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: datetime.timedelta
    enqueue: Callable[[datetime.datetime], Any]

    def slot(self, now: datetime.datetime) -> datetime.datetime:
        """The start of the slot containing ``now`` (slots are aligned to the Unix epoch)."""
        step = int(self.every.total_seconds())
        ts = int(now.timestamp())
        return datetime.datetime.fromtimestamp(ts - ts % step, tz=datetime.UTC)


PERIODIC: dict[str, PeriodicJob] = {}


def periodic(name: str, every: datetime.timedelta,
             enqueue: Callable[[datetime.datetime], Any]) -> PeriodicJob:
    """Declare a periodic job; ``enqueue(slot)`` must enqueue the task for that slot."""
    if every.total_seconds() < 60:
        raise ValueError("Periodic jobs run at most once a minute")
    job = PeriodicJob(name, every, enqueue)
    PERIODIC[name] = job
    return job


def run_due_jobs(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue every periodic job whose current slot has not been claimed yet."""
    now = now or timezone.now()
    started = []
    for job in list(PERIODIC.values()):
        slot = job.slot(now)
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, slot=slot)
                result = job.enqueue(slot)
                run.task_result_id = str(getattr(result, "id", ""))
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            continue  # another scheduler (or an earlier loop) claimed this slot
        started.append(job.name)
        logger.info("Enqueued %s for slot %s", job.name, slot.isoformat())
    return started


def heartbeat(worker_id: str, *, hostname: str = "", pid: int | None = None) -> None:
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={"hostname": hostname, "pid": pid, "last_seen": now, "started_at": now})


def reap_stale_tasks(now: datetime.datetime | None = None) -> dict[str, int]:
    """Requeue (or fail) tasks whose worker stopped sending heartbeats."""
    from django.tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    stale_before = now - datetime.timedelta(seconds=settings.PUNKT_WORKER_STALE_SECONDS)
    alive = set(WorkerHeartbeat.objects.filter(last_seen__gte=stale_before)
                .values_list("worker_id", flat=True))
    requeued = failed = 0
    for row in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
            "id", "worker_ids"):
        worker = row.worker_ids[-1] if row.worker_ids else None
        if worker in alive:
            continue
        attempts = len(row.worker_ids)
        base = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING)
        if attempts < settings.PUNKT_TASK_MAX_ATTEMPTS:
            requeued += base.update(status=TaskResultStatus.READY, started_at=None)
        else:
            failed += base.update(
                status=TaskResultStatus.FAILED, finished_at=now,
                exception_class_path="punkt.core.jobs.WorkerLost",
                traceback=f"The worker {worker} stopped after {attempts} attempts.")
    WorkerHeartbeat.objects.filter(last_seen__lt=now - datetime.timedelta(days=1)).delete()
    return {"requeued": requeued, "failed": failed}


class Progress:
    """Progress of one background job, stored in ``JobProgress`` for pages to poll."""

    def __init__(self, job_id: Any) -> None:
        self.job_id = job_id

    @classmethod
    def start(cls, *, kind: str, owner: Any = None, total: int = 0) -> Progress:
        job = JobProgress.objects.create(kind=kind, owner=owner if getattr(owner, "pk", None)
                                         else None, total=total)
        return cls(job.pk)

    def update(self, *, done: int, total: int | None = None, message: str = "") -> None:
        fields: dict[str, Any] = {"done": done, "status": JobStatus.RUNNING,
                                  "updated_at": timezone.now()}
        if total is not None:
            fields["total"] = total
        if message:
            fields["message"] = message[:500]
        JobProgress.objects.filter(pk=self.job_id).update(**fields)

    def finish(self, *, result: dict[str, Any] | None = None, message: str = "") -> None:
        job = JobProgress.objects.get(pk=self.job_id)
        job.status = JobStatus.DONE
        job.done = job.total
        job.result = result or {}
        job.message = message[:500]
        job.save()

    def fail(self, message: str) -> None:
        JobProgress.objects.filter(pk=self.job_id).update(
            status=JobStatus.FAILED, message=message[:500], updated_at=timezone.now())
