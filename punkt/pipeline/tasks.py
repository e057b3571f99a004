"""The pipeline's daily check (R11.5): each seller is told how many of their customers
have no next step — no sale open, no next contact agreed."""

from __future__ import annotations

import datetime
from typing import Any

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


def _control_task_moved(moved: Any) -> None:
    """A control date's task completed, cancelled or reopened on "My work": the
    customer's next step may have changed (a "next contact" done)."""
    from punkt.pipeline import next_steps
    from punkt.pipeline.models import Opportunity

    next_steps.refresh(Opportunity.objects.filter(pk=int(moved.subject_id))
                       .values_list("customer_id", flat=True))


def _register() -> None:
    from punkt.pipeline.services import SUBJECT
    from punkt.work.services import on_task_moved

    on_task_moved(SUBJECT, _control_task_moved)


_register()


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


def _whole_file() -> Any:
    from django.utils.translation import ngettext

    from punkt.core.imports import WholeFile
    from punkt.pipeline.imports import IMPORT_FLOW, check, run
    from punkt.pipeline.models import DealImport

    return WholeFile(
        flow=IMPORT_FLOW, model=DealImport, kind="pipeline.deal_import", check=check,
        run=run, remove_file=_remove_deal_file,
        totals=("rows_total", "deals_total", "amount_total"),
        counted="deals_total", imported="deals_imported", result="deals",
        checked_message=lambda n: ngettext("Checked: %(n)d deal can be imported.",
                                           "Checked: %(n)d deals can be imported.", n)
        % {"n": n},
        imported_message=lambda n: ngettext("Imported %(n)d deal.", "Imported %(n)d deals.",
                                            n) % {"n": n})


@task()
def deal_import_check(import_id: int) -> dict[str, int]:
    """The check. Idempotent: an import no longer QUEUED is left alone."""
    return _whole_file().check_job(import_id)


@task()
def deal_import_run(import_id: int) -> int:
    """Write the file whole, once (see ``imports.run``)."""
    return _whole_file().run_job(import_id)


@task()
def remove_stale_deal_files(slot: str) -> int:
    """Files checked but never confirmed are deleted after 7 days (C28)."""
    from punkt.core.imports import expire
    from punkt.pipeline.imports import IMPORT_FLOW
    from punkt.pipeline.models import DealImport

    return expire(IMPORT_FLOW, DealImport, _remove_deal_file)


periodic("pipeline.remove_stale_deal_files", datetime.timedelta(days=1),
         lambda slot: remove_stale_deal_files.enqueue(slot=slot.isoformat()))
