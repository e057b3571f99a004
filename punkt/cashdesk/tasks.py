"""Background work of the cashier's desk: checking and writing invoice files (the states:
``imports.IMPORT_FLOW``, the shared table of ``punkt/core/imports.py``)."""

from __future__ import annotations

import datetime

from django.tasks import task
from django.utils.translation import ngettext

from punkt.cashdesk.models import InvoiceImport
from punkt.core import files
from punkt.core.imports import WholeFile, expire
from punkt.core.jobs import periodic


def _remove_file(job: InvoiceImport) -> None:
    from punkt.cashdesk.imports import AREA

    files.path_of(job.stored_name, area=AREA).unlink(missing_ok=True)


def _whole_file() -> WholeFile:
    from punkt.cashdesk.imports import IMPORT_FLOW, check, run

    return WholeFile(
        flow=IMPORT_FLOW, model=InvoiceImport, kind="cashdesk.invoice_import", check=check,
        run=run, remove_file=_remove_file,
        totals=("rows_total", "invoices_total", "customers_total", "gross_total"),
        counted="invoices_total", imported="invoices_imported", result="invoices",
        checked_message=lambda n: ngettext("Checked: %(n)d invoice can be imported.",
                                           "Checked: %(n)d invoices can be imported.", n)
        % {"n": n},
        imported_message=lambda n: ngettext("Imported %(n)d invoice.",
                                            "Imported %(n)d invoices.", n) % {"n": n})


@task()
def invoice_import_check(import_id: int) -> dict[str, int]:
    """The check. Idempotent: an import no longer QUEUED is left alone."""
    return _whole_file().check_job(import_id)


@task()
def invoice_import_run(import_id: int) -> int:
    """Write the file whole, once (see ``imports.run``)."""
    return _whole_file().run_job(import_id)


@task()
def remove_stale_invoice_files(slot: str) -> int:
    """Files checked but never confirmed are deleted after 7 days (C28)."""
    from punkt.cashdesk.imports import IMPORT_FLOW

    return expire(IMPORT_FLOW, InvoiceImport, _remove_file)


periodic("cashdesk.remove_stale_invoice_files", datetime.timedelta(days=1),
         lambda slot: remove_stale_invoice_files.enqueue(slot=slot.isoformat()))
