"""A task for the worker tests: walks a few steps reporting progress."""

from __future__ import annotations

from django.tasks import task

from punkt.core.jobs import Progress


@task()
def sample_progress_job(job_id: str, steps: int = 5) -> int:
    progress = Progress(job_id)
    for i in range(1, steps + 1):
        progress.update(done=i, total=steps, message=f"step {i}/{steps}")
    progress.finish(result={"steps": steps})
    return steps
