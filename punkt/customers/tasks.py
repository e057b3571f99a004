"""Background work of the customer area: checking and importing files."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from punkt.core.errors import DomainError
from punkt.core.jobs import Progress, periodic
from punkt.customers.models import CustomerImport, ImportStatus

log = logging.getLogger(__name__)


def _progress(job: CustomerImport, kind: str) -> Progress:
    progress = Progress.start(kind=kind, owner=job.created_by)
    CustomerImport.objects.filter(pk=job.pk).update(job_id=progress.job_id)
    return progress


def _remove_file(job: CustomerImport) -> None:
    from punkt.customers.io import import_dir

    (import_dir() / job.stored_name).unlink(missing_ok=True)
    for suffix in (".checked.json", ".checked.tmp"):
        (import_dir() / f"{job.stored_name}{suffix}").unlink(missing_ok=True)


@task()
def import_check_task(import_id: int) -> dict[str, int]:
    """The dry run. Idempotent: a job no longer QUEUED is left alone."""
    from punkt.customers.io import save_checked, validate_file

    job = CustomerImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).first()
    if job is None:
        return {}
    progress = _progress(job, "customers.import_check")
    try:
        save_checked(job, validate_file(job, progress))
    except DomainError as exc:
        job.status = ImportStatus.FAILED
        job.errors = [{"row": 0, "field": exc.field, "message": exc.message}]
        job.save(update_fields=["status", "errors"])
        _remove_file(job)
        progress.fail(exc.message)
        return {}
    job.status = ImportStatus.CHECKED
    job.save(update_fields=["status", "rows_total", "rows_valid", "errors"])
    progress.finish(result={"rows": job.rows_total, "valid": job.rows_valid},
                    message=_("Checked: %(valid)d of %(total)d rows can be imported.")
                    % {"valid": job.rows_valid, "total": job.rows_total})
    return {"rows": job.rows_total, "valid": job.rows_valid}


@task()
def import_run_task(import_id: int) -> int:
    """Write the rows. Runs once: the confirmation moved the job to RUNNING, and a retry
    after a crash starts only if nothing was written yet."""
    from punkt.customers.io import import_write, load_checked, validate_file

    job = CustomerImport.objects.select_related("created_by").filter(
        pk=import_id, status=ImportStatus.RUNNING).first()
    if job is None:
        return 0
    if job.rows_imported:  # a retry after a crash: never write the same rows twice
        CustomerImport.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED)
        _remove_file(job)
        return 0
    progress = _progress(job, "customers.import_run")
    try:
        rows = load_checked(job)  # re-checked against customers changed since the dry run
        if rows is None:
            rows = validate_file(job)
        written = import_write(job=job, actor=job.created_by, rows=rows, progress=progress)
    except DomainError as exc:
        CustomerImport.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED)
        progress.fail(exc.message)
        return 0
    finally:
        _remove_file(job)
    with transaction.atomic():
        CustomerImport.objects.filter(pk=job.pk).update(
            status=ImportStatus.DONE, rows_total=job.rows_total,
            rows_valid=job.rows_valid, errors=job.errors)
    progress.finish(result={"imported": written},
                    message=ngettext("Imported %(n)d customer.", "Imported %(n)d customers.",
                                     written) % {"n": written})
    return written


@task()
def remove_stale_import_files(slot: str) -> int:
    """Files of imports checked but never confirmed are deleted after 7 days (C28)."""
    cutoff = timezone.now() - datetime.timedelta(days=7)
    removed = 0
    for job in CustomerImport.objects.filter(status=ImportStatus.CHECKED,
                                             created_at__lt=cutoff):
        _remove_file(job)
        CustomerImport.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED)
        removed += 1
    return removed


periodic("customers.remove_stale_import_files", datetime.timedelta(days=1),
         lambda slot: remove_stale_import_files.enqueue(slot=slot.isoformat()))
