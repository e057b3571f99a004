"""Scheduler slots (C9), reaper, progress, and a real worker pass."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from punkt.core.jobs import PERIODIC, Progress, heartbeat, reap_stale_tasks, run_due_jobs
from punkt.core.models import JobProgress, JobStatus, ScheduledRun
from punkt.core.tests.tasks import sample_progress_job


@pytest.mark.django_db
def test_each_slot_runs_once_even_with_two_schedulers() -> None:
    # Mid-hour, so the other scheduler's tick 5 s later is in the same hourly slot (a run
    # started seconds before a full hour saw the next slot and failed).
    now = timezone.now().replace(minute=30, second=0, microsecond=0)
    first = run_due_jobs(now)
    second = run_due_jobs(now + datetime.timedelta(seconds=5))  # the other scheduler
    assert sorted(first) == sorted(PERIODIC) and second == []
    assert ScheduledRun.objects.count() == len(PERIODIC)
    assert DBTaskResult.objects.count() == len(PERIODIC)
    later = run_due_jobs(now + datetime.timedelta(hours=1, minutes=1))
    assert "core.clear_expired_sessions" in later


@pytest.mark.django_db
def test_slot_alignment() -> None:
    job = PERIODIC["core.clear_expired_sessions"]
    t = datetime.datetime(2026, 3, 29, 1, 59, 59, tzinfo=datetime.UTC)  # DST night in Warsaw
    assert job.slot(t) == datetime.datetime(2026, 3, 29, 1, 0, tzinfo=datetime.UTC)


def _running(worker: str, attempts: int = 1) -> DBTaskResult:
    result = sample_progress_job.enqueue(job_id=str(Progress.start(kind="t").job_id))
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=[worker] * attempts,
        started_at=timezone.now() - datetime.timedelta(minutes=5))
    return DBTaskResult.objects.get(pk=result.id)


@pytest.mark.django_db
def test_reaper_requeues_tasks_of_dead_workers_only() -> None:
    heartbeat("alive")
    alive = _running("alive")
    dead = _running("dead")
    exhausted = _running("dead", attempts=3)
    assert reap_stale_tasks() == {"requeued": 1, "failed": 1}
    assert DBTaskResult.objects.get(pk=alive.pk).status == TaskResultStatus.RUNNING
    assert DBTaskResult.objects.get(pk=dead.pk).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=exhausted.pk).status == TaskResultStatus.FAILED
    assert reap_stale_tasks() == {"requeued": 0, "failed": 0}  # idempotent


@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_requeued_task_once_and_reports_progress() -> None:
    task = _running("dead")
    reap_stale_tasks()
    call_command("worker", batch=True, interval=0)
    row = DBTaskResult.objects.get(pk=task.pk)
    assert row.status == TaskResultStatus.SUCCESSFUL and len(row.worker_ids) == 2
    job = JobProgress.objects.get(pk=row.args_kwargs["kwargs"]["job_id"])
    assert job.status == JobStatus.DONE and job.done == job.total == 5 and job.percent == 100


def test_enqueue_inside_a_rolled_back_transaction_leaves_nothing(db: Any) -> None:
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        sample_progress_job.enqueue(job_id="00000000-0000-0000-0000-000000000000")
        raise RuntimeError("boom")
    assert DBTaskResult.objects.count() == 0


def test_progress_page_is_owner_only(world: Any, client_as: Any) -> None:
    progress = Progress.start(kind="Import", owner=world.service_a, total=10)
    progress.update(done=4, message="4 z 10")
    page = client_as(world.service_a).get(f"/jobs/{progress.job_id}/")
    assert page.status_code == 200 and b'value="40"' in page.content
    assert b"hx-trigger=\"every 1s\"" in page.content
    assert client_as(world.service_b).get(f"/jobs/{progress.job_id}/").status_code == 404
    api = client_as(world.service_a).get(f"/api/v1/jobs/{progress.job_id}").json()
    assert api["percent"] == 40 and api["status"] == "running"
