"""Background work of the cashier's desk: checking and writing invoice files (the states:
``imports.IMPORT_FLOW``, the shared table of ``punkt/core/imports.py``)."""

from __future__ import annotations

import datetime

from django.tasks import task
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from punkt.cashdesk.models import ImportStatus, InvoiceImport
from punkt.core import files
from punkt.core.errors import DomainError
from punkt.core.imports import crashed, expire, start_progress
from punkt.core.jobs import periodic


def _remove_file(job: InvoiceImport) -> None:
    from punkt.cashdesk.imports import AREA

    files.path_of(job.stored_name, area=AREA).unlink(missing_ok=True)


@task()
def invoice_import_check(import_id: int) -> dict[str, int]:
    """The check. Idempotent: an import no longer QUEUED is left alone."""
    from punkt.cashdesk.imports import IMPORT_FLOW, check

    job = InvoiceImport.objects.select_related("created_by").filter(
        pk=import_id, status=ImportStatus.QUEUED).first()
    if job is None:
        return {}
    progress = start_progress(job, "cashdesk.invoice_import_check")
    try:
        ok = bool(check(job, progress))
    except DomainError as exc:
        IMPORT_FLOW.move(job, "reject", errors=[
            {"row": 0, "field": exc.field or "file", "message": exc.message}])
        _remove_file(job)
        progress.fail(exc.message)
        return {}
    except Exception:  # a bug, not the file's fault: FAILED with the reason, logged
        crashed(IMPORT_FLOW, job, progress, step="check")
        _remove_file(job)
        return {}
    IMPORT_FLOW.move(job, "pass" if ok else "reject", rows_total=job.rows_total,
                     invoices_total=job.invoices_total, customers_total=job.customers_total,
                     gross_total=job.gross_total, errors=job.errors)
    if not ok:
        _remove_file(job)
        progress.fail(ngettext("%(n)d error: nothing will be imported.",
                               "%(n)d errors: nothing will be imported.", len(job.errors))
                      % {"n": len(job.errors)})
        return {"errors": len(job.errors)}
    progress.finish(result={"invoices": job.invoices_total},
                    message=ngettext("Checked: %(n)d invoice can be imported.",
                                     "Checked: %(n)d invoices can be imported.",
                                     job.invoices_total) % {"n": job.invoices_total})
    return {"invoices": job.invoices_total}


@task()
def invoice_import_run(import_id: int) -> int:
    """Write the file whole, once (see ``imports.run``)."""
    from punkt.cashdesk.imports import IMPORT_FLOW, run

    job = InvoiceImport.objects.select_related("created_by").filter(
        pk=import_id, status=ImportStatus.RUNNING).first()
    if job is None:
        return 0
    progress = start_progress(job, "cashdesk.invoice_import_run")
    try:
        done = run(job.pk, progress)
    except DomainError as exc:
        IMPORT_FLOW.move(job, "fail", errors=[
            {"row": 0, "field": exc.field or "file", "message": exc.message}])
        progress.fail(exc.message)
        _remove_file(job)
        return 0
    except Exception:  # nothing was written (one transaction): FAILED, logged
        crashed(IMPORT_FLOW, job, progress, step="run")
        _remove_file(job)
        return 0
    if done is None:
        return 0
    _remove_file(done)
    if done.status != ImportStatus.DONE:
        progress.fail(_("Nothing was imported: the file no longer passes the check."))
        return 0
    progress.finish(result={"imported": done.invoices_imported},
                    message=ngettext("Imported %(n)d invoice.", "Imported %(n)d invoices.",
                                     done.invoices_imported) % {"n": done.invoices_imported})
    return done.invoices_imported


@task()
def remove_stale_invoice_files(slot: str) -> int:
    """Files checked but never confirmed are deleted after 7 days (C28)."""
    from punkt.cashdesk.imports import IMPORT_FLOW

    return expire(IMPORT_FLOW, InvoiceImport, _remove_file)


periodic("cashdesk.remove_stale_invoice_files", datetime.timedelta(days=1),
         lambda slot: remove_stale_invoice_files.enqueue(slot=slot.isoformat()))
