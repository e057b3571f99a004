"""Background work of the customer area: checking and importing files (the states:
``workflows.IMPORT_FLOW``)."""

from __future__ import annotations

import datetime
import logging

from django.contrib.auth.models import AnonymousUser
from django.tasks import task
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from punkt.core.errors import DomainError
from punkt.core.imports import crashed, expire, start_progress
from punkt.core.jobs import periodic
from punkt.customers.models import CustomerImport, ImportStatus
from punkt.customers.workflows import IMPORT_FLOW

log = logging.getLogger(__name__)


@task()
def import_check_task(import_id: int) -> dict[str, int]:
    """The dry run. Idempotent: a job no longer QUEUED is left alone."""
    from punkt.customers.imports import remove_files, save_checked, validate_file

    job = CustomerImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).first()
    if job is None:
        return {}
    progress = start_progress(job, "customers.import_check")
    try:
        save_checked(job, validate_file(job, progress))
    except DomainError as exc:  # a file it cannot read
        IMPORT_FLOW.move(job, "fail", errors=[
            {"row": 0, "field": exc.field, "message": exc.message}])
        remove_files(job)
        progress.fail(exc.message)
        return {}
    except Exception:  # a bug, not the file's fault: FAILED with the reason, logged
        crashed(IMPORT_FLOW, job, progress, step="check")
        remove_files(job)
        return {}
    IMPORT_FLOW.move(job, "pass", rows_total=job.rows_total, rows_valid=job.rows_valid,
                     errors=job.errors)
    progress.finish(result={"rows": job.rows_total, "valid": job.rows_valid},
                    message=_("Checked: %(valid)d of %(total)d rows can be imported.")
                    % {"valid": job.rows_valid, "total": job.rows_total})
    return {"rows": job.rows_total, "valid": job.rows_valid}


@task()
def import_run_task(import_id: int) -> int:
    """Write the rows. Runs once: the confirmation moved the job to RUNNING, and a retry
    after a crash starts only if nothing was written yet."""
    from punkt.customers.imports import import_write, load_checked, remove_files, validate_file

    job = CustomerImport.objects.select_related("created_by").filter(
        pk=import_id, status=ImportStatus.RUNNING).first()
    if job is None:
        return 0
    if job.rows_imported:  # a retry after a crash: never write the same rows twice
        IMPORT_FLOW.move(job, "fail")
        remove_files(job)
        return 0
    progress = start_progress(job, "customers.import_run")
    try:
        rows = load_checked(job)  # re-checked against customers changed since the dry run
        if rows is None:
            rows = validate_file(job)
        # The uploader's rights, now (an account gone since: nobody, refused).
        actor = job.created_by or AnonymousUser()
        written = import_write(job=job, actor=actor, rows=rows, progress=progress)
    except DomainError as exc:
        IMPORT_FLOW.move(job, "fail")
        progress.fail(exc.message)
        return 0
    except Exception:  # rows written in earlier batches stay: FAILED, logged
        job.refresh_from_db(fields=["rows_imported"])
        crashed(IMPORT_FLOW, job, progress, step="run", written=bool(job.rows_imported))
        return 0
    finally:
        remove_files(job)
    IMPORT_FLOW.move(job, "finish", rows_total=job.rows_total, rows_valid=job.rows_valid,
                     errors=job.errors)
    progress.finish(result={"imported": written},
                    message=ngettext("Imported %(n)d customer.", "Imported %(n)d customers.",
                                     written) % {"n": written})
    return written


@task()
def remove_stale_import_files(slot: str) -> int:
    """Files of imports checked but never confirmed are deleted after 7 days (C28)."""
    from punkt.customers.imports import remove_files

    return expire(IMPORT_FLOW, CustomerImport, remove_files)


periodic("customers.remove_stale_import_files", datetime.timedelta(days=1),
         lambda slot: remove_stale_import_files.enqueue(slot=slot.isoformat()))
