"""The pipeline's daily check (R11.5): each seller is told how many of their customers
have no next step — no sale open, no next contact agreed."""

from __future__ import annotations

import datetime

from django.tasks import task

from punkt.core.jobs import periodic


@task()
def check_next_steps(slot: str) -> dict[str, int]:
    """Safe to run twice or at once: one notification per seller and day (its key) (C9)."""
    from punkt.pipeline import services

    return {"told": services.tell_sellers_without_next_step(
        datetime.date.fromisoformat(slot[:10]))}


periodic("pipeline.next_steps", datetime.timedelta(days=1),
         lambda slot: check_next_steps.enqueue(slot=slot.isoformat()))


@task()
def prepare_monthly_packs(slot: str) -> dict[str, int]:
    """On the working day before the month's last Friday: every branch's pack of the
    previous month, stored once, its managers told once (C9). Other days: nothing."""
    from punkt.pipeline import packs

    month = packs.due_month(datetime.date.fromisoformat(slot[:10]))
    if month is None:
        return {"branches": 0, "stored": 0, "told": 0}
    return packs.prepare_all(month)


periodic("pipeline.monthly_packs", datetime.timedelta(days=1),
         lambda slot: prepare_monthly_packs.enqueue(slot=slot.isoformat()))


# --- deal files (the states: ``imports.IMPORT_FLOW``, core's shared import table) ---------

def _remove_deal_file(job: object) -> None:
    from punkt.core import files
    from punkt.pipeline.imports import AREA

    files.path_of(job.stored_name, area=AREA).unlink(missing_ok=True)  # type: ignore[attr-defined]


@task()
def deal_import_check(import_id: int) -> dict[str, int]:
    """The check. Idempotent: an import no longer QUEUED is left alone."""
    from django.utils.translation import ngettext

    from punkt.core.errors import DomainError
    from punkt.core.imports import crashed, start_progress
    from punkt.pipeline.imports import IMPORT_FLOW, check
    from punkt.pipeline.models import DealImport, DealImportStatus

    job = DealImport.objects.select_related("created_by", "branch").filter(
        pk=import_id, status=DealImportStatus.QUEUED).first()
    if job is None:
        return {}
    progress = start_progress(job, "pipeline.deal_import_check")
    try:
        ok = bool(check(job, progress))
    except DomainError as exc:
        IMPORT_FLOW.move(job, "reject", errors=[
            {"row": 0, "field": exc.field or "file", "message": exc.message}])
        _remove_deal_file(job)
        progress.fail(exc.message)
        return {}
    except Exception:  # a bug, not the file's fault: FAILED with the reason, logged
        crashed(IMPORT_FLOW, job, progress, step="check")
        _remove_deal_file(job)
        return {}
    IMPORT_FLOW.move(job, "pass" if ok else "reject", rows_total=job.rows_total,
                     deals_total=job.deals_total, amount_total=job.amount_total,
                     errors=job.errors)
    if not ok:
        _remove_deal_file(job)
        progress.fail(ngettext("%(n)d error: nothing will be imported.",
                               "%(n)d errors: nothing will be imported.", len(job.errors))
                      % {"n": len(job.errors)})
        return {"errors": len(job.errors)}
    progress.finish(result={"deals": job.deals_total},
                    message=ngettext("Checked: %(n)d deal can be imported.",
                                     "Checked: %(n)d deals can be imported.",
                                     job.deals_total) % {"n": job.deals_total})
    return {"deals": job.deals_total}


@task()
def deal_import_run(import_id: int) -> int:
    """Write the file whole, once (see ``imports.run``)."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from punkt.core.errors import DomainError
    from punkt.core.imports import crashed, start_progress
    from punkt.pipeline.imports import IMPORT_FLOW, run
    from punkt.pipeline.models import DealImport, DealImportStatus

    job = DealImport.objects.select_related("created_by").filter(
        pk=import_id, status=DealImportStatus.RUNNING).first()
    if job is None:
        return 0
    progress = start_progress(job, "pipeline.deal_import_run")
    try:
        done = run(job.pk, progress)
    except DomainError as exc:
        IMPORT_FLOW.move(job, "fail", errors=[
            {"row": 0, "field": exc.field or "file", "message": exc.message}])
        progress.fail(exc.message)
        _remove_deal_file(job)
        return 0
    except Exception:  # nothing was written (one transaction): FAILED, logged
        crashed(IMPORT_FLOW, job, progress, step="run")
        _remove_deal_file(job)
        return 0
    if done is None:
        return 0
    _remove_deal_file(done)
    if done.status != DealImportStatus.DONE:
        progress.fail(_("Nothing was imported: the file no longer passes the check."))
        return 0
    progress.finish(result={"imported": done.deals_imported},
                    message=ngettext("Imported %(n)d deal.", "Imported %(n)d deals.",
                                     done.deals_imported) % {"n": done.deals_imported})
    return done.deals_imported


@task()
def remove_stale_deal_files(slot: str) -> int:
    """Files checked but never confirmed are deleted after 7 days (C28)."""
    from punkt.core.imports import expire
    from punkt.pipeline.imports import IMPORT_FLOW
    from punkt.pipeline.models import DealImport

    return expire(IMPORT_FLOW, DealImport, _remove_deal_file)


periodic("pipeline.remove_stale_deal_files", datetime.timedelta(days=1),
         lambda slot: remove_stale_deal_files.enqueue(slot=slot.isoformat()))
