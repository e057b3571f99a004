"""Files in: the shape every import shares (customers, HQ's invoices; next tickets, deals,
cards …).

    upload → QUEUED ─(checked in the background)→ CHECKED ─(confirmed)→ RUNNING → DONE
                  ╰→ REJECTED / FAILED (the file has errors, cannot be read)  ╰→ FAILED

An area keeps its own job model (``CustomerImport``, ``InvoiceImport``: its counts, its
``status`` labels) and builds its flow from the ONE table here (:func:`import_flow`,
drawn in ``docs/workflows/import.md``) with the permission its imports need. From here
it takes:

* :func:`numbered_rows` — the file's rows (``core.tabular``: CSV or XLSX, header aliases)
  numbered as a spreadsheet shows them, at most ``max_rows``;
* :class:`RowErrors` — errors by row and column, at most ``MAX_ERRORS`` kept (all counted);
* :func:`start_progress` / :func:`report` — the progress the job's page polls;
* :func:`crashed` — an unexpected exception ends the job FAILED, logged, the reason shown;
* :meth:`ImportFlow.move` — every status change as a compare-and-set (a task run twice, a
  button pressed twice, change a job once); :func:`confirm` — the user's "import";
* :func:`expire` — files checked but never confirmed are removed after a week (C28).

What differs stays in the area: how a row is checked, and how the rows are written — row
by row in batches (customers: the valid rows are imported), or whole in one transaction
(invoices: all or nothing).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.core import access, tabular
from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, DomainError, ValidationFailed
from punkt.core.jobs import Progress
from punkt.core.workflows import NOT_STAFF, Transition, Workflow

QUEUED, CHECKED, REJECTED = "queued", "checked", "rejected"
RUNNING, DONE, FAILED = "running", "done", "failed"
#: Every state an import passes through (an area's status enum labels some of them).
STATES = (QUEUED, CHECKED, REJECTED, RUNNING, DONE, FAILED)
#: Errors kept per file (the rest are counted).
MAX_ERRORS = 500
#: Files checked but not confirmed are removed after this long (C28).
KEEP_UNCONFIRMED = datetime.timedelta(days=7)

log = logging.getLogger("punkt.imports")


class ImportFlow(Workflow):
    """The import table with one area's permission."""

    def move(self, job: models.Model, action: str, **fields: Any) -> bool:
        """Move ``job`` by ``action`` — only from the transition's sources, in one UPDATE
        (``fields`` saved with it); False when it was not there any more."""
        t = self.transition(action)
        moved = type(job)._default_manager.filter(
            pk=job.pk, **{f"{self.status_field}__in": t.sources}).update(
            **{self.status_field: t.target}, **fields)
        if moved:
            setattr(job, self.status_field, t.target)
        return bool(moved)


def import_flow(name: Any, *, permission: str,
                branch_of: Callable[[Any], int | None] = lambda job: None) -> ImportFlow:
    """The import table (docs/workflows/import.md): the user confirms, with
    ``permission``; every other step is the background job's (``NOT_STAFF``)."""
    return ImportFlow(name, transitions=[
        # The check: rows to import (CHECKED), or errors that refuse the whole file
        # (REJECTED: all-or-nothing imports), or a file that cannot be read (FAILED).
        Transition("pass", {QUEUED}, CHECKED, NOT_STAFF),
        Transition("reject", {QUEUED, RUNNING}, REJECTED, NOT_STAFF),
        Transition("confirm", {CHECKED}, RUNNING, permission),
        Transition("finish", {RUNNING}, DONE, NOT_STAFF),
        # A file that cannot be read, a write that failed (or a run retried after a crash
        # that had written rows already: never the same rows twice).
        Transition("fail", {QUEUED, RUNNING}, FAILED, NOT_STAFF),
        Transition("expire", {CHECKED}, FAILED, NOT_STAFF),
    ], branch_of=branch_of, can=access.can, ensure=access.ensure)


def numbered_rows(path: Path, aliases: Mapping[str, str], *, max_rows: int,
                  too_many: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number as the spreadsheet shows it — the header is row 1 —, the row keyed by
    the aliased header); ``too_many`` (a ValidationFailed on ``file``) past ``max_rows``."""
    for n, raw in enumerate(tabular.read_rows(path, aliases), start=2):
        if n - 1 > max_rows:
            raise ValidationFailed("too_many_rows", too_many, field="file")
        yield n, raw


class RowErrors:
    """A file's errors by row and column: at most ``cap`` kept, all counted."""

    def __init__(self, items: list[dict[str, Any]] | None = None, *,
                 cap: int = MAX_ERRORS) -> None:
        self.items: list[dict[str, Any]] = items if items is not None else []
        self.count = len(self.items)
        self.cap = cap

    def add(self, row: int, column: str | None, message: str) -> None:
        self.count += 1
        if len(self.items) < self.cap:
            self.items.append({"row": row, "field": column, "message": message})

    def __bool__(self) -> bool:
        return self.count > 0

    def by_row(self) -> list[dict[str, Any]]:
        """The kept errors in the file's order (the list itself, sorted)."""
        self.items.sort(key=lambda e: e["row"])
        return self.items

    def by_cell(self, more: Callable[[int], str]) -> list[dict[str, Any]]:
        """The kept errors by row and column, and ``more(n)`` — "…and n more errors." —
        as a last row 0 when some were not kept."""
        out = sorted(self.items, key=lambda e: (e["row"], e["field"] or ""))
        if self.count > len(self.items):
            out.append({"row": 0, "field": "", "message": more(self.count - len(self.items))})
        return out


def crashed(flow: ImportFlow, job: Any, progress: Progress | None, *, step: str,
            written: bool = False) -> str:
    """An unexpected exception in a check or run task (call it from the ``except``): the
    traceback logged, the job FAILED (never left "queued"/"running" for ever) with the
    reason on its page, first in its errors. ``written``: rows written before the crash
    stay (row-by-row imports). Returns the reason."""
    log.exception("Import %s #%s crashed in its %s", job._meta.label, job.pk, step)
    if written:
        reason = _("The import stopped on an unexpected error; the rows imported before it "
                   "stay. The error was logged for the administrator.")
    else:
        reason = _("The import stopped on an unexpected error: nothing was imported. The "
                   "error was logged for the administrator.")
    flow.move(job, "fail", errors=[{"row": 0, "field": "file", "message": reason},
                                   *(getattr(job, "errors", None) or [])][:MAX_ERRORS])
    if progress:
        progress.fail(reason)
    return reason


def start_progress(job: Any, kind: str) -> Progress:
    """The progress the job's page polls, linked to the job (``job.job``)."""
    progress = Progress.start(kind=kind, owner=job.created_by)
    type(job)._default_manager.filter(pk=job.pk).update(job_id=progress.job_id)
    return progress


def report(progress: Progress | None, done: int, *, every: int,
           message: Callable[[int], str]) -> None:
    """Tell the page how far a pass over the rows is, every ``every`` rows."""
    if progress and done % every == 0:
        progress.update(done=done, message=message(done))


def confirm(flow: ImportFlow, job: Any, *, actor: Any, refused: str, audit: str,
            message: str, then: Callable[[], Any]) -> None:
    """The user's "import": once, however often pressed (C10) — ``refused`` (a Conflict)
    when the job is not waiting for it; ``then`` (queueing the write) after the commit."""
    t = flow.transition("confirm")
    access.ensure(actor, t.permission, flow.branch_of(job))
    with transaction.atomic():
        if not flow.move(job, "confirm"):
            raise Conflict("invalid_state", refused)
        audit_record(action=audit, obj=job, actor=actor, branch_id=flow.branch_of(job),
                     message=message)
        transaction.on_commit(then)


def expire(flow: ImportFlow, model: type[models.Model], remove_file: Callable[[Any], None],
           now: datetime.datetime | None = None) -> int:
    """Remove the files of imports checked but never confirmed (C28); they end FAILED."""
    cutoff = (now or timezone.now()) - KEEP_UNCONFIRMED
    removed = 0
    for job in model._default_manager.filter(**{flow.status_field: CHECKED},
                                             created_at__lt=cutoff):
        remove_file(job)
        flow.move(job, "expire")
        removed += 1
    return removed


class WholeFile:
    """The two background steps of an all-or-nothing import (HQ's invoices, deals), the
    same for every area: :meth:`check_job` and :meth:`run_job` are the bodies of the
    area's ``@task`` functions. What differs is given: ``check(job, progress)`` returns
    the rows to write (falsy: the file is refused, ``job.errors`` say why) and leaves
    ``totals`` counted on the job; ``run(job_id, progress)`` writes the file whole in one
    transaction and returns the job (``None``: not running any more); ``counted`` and
    ``imported`` name the job's fields read for the messages (``checked_message`` and
    ``imported_message`` take that number)."""

    def __init__(self, *, flow: ImportFlow, model: type[models.Model], kind: str,
                 check: Callable[[Any, Progress], Any],
                 run: Callable[[int, Progress], Any],
                 remove_file: Callable[[Any], None], totals: tuple[str, ...],
                 counted: str, imported: str, result: str,
                 checked_message: Callable[[int], str],
                 imported_message: Callable[[int], str]) -> None:
        self.flow, self.model, self.kind = flow, model, kind
        self.check, self.run, self.remove_file = check, run, remove_file
        self.totals, self.counted, self.imported, self.result = totals, counted, imported, result
        self.checked_message, self.imported_message = checked_message, imported_message

    def _job(self, import_id: int, status: str) -> Any:
        return self.model._default_manager.select_related("created_by").filter(
            pk=import_id, **{self.flow.status_field: status}).first()

    def _refused(self, job: Any, progress: Progress, exc: DomainError, action: str) -> None:
        self.flow.move(job, action, errors=[
            {"row": 0, "field": exc.field or "file", "message": exc.message}])
        self.remove_file(job)
        progress.fail(exc.message)

    def check_job(self, import_id: int) -> dict[str, int]:
        """The check. Idempotent: an import no longer QUEUED is left alone."""
        from django.utils.translation import ngettext

        job = self._job(import_id, QUEUED)
        if job is None:
            return {}
        progress = start_progress(job, f"{self.kind}_check")
        try:
            ok = bool(self.check(job, progress))
        except DomainError as exc:
            self._refused(job, progress, exc, "reject")
            return {}
        except Exception:  # a bug, not the file's fault: FAILED with the reason, logged
            crashed(self.flow, job, progress, step="check")
            self.remove_file(job)
            return {}
        self.flow.move(job, "pass" if ok else "reject", errors=job.errors,
                       **{name: getattr(job, name) for name in self.totals})
        if not ok:
            self.remove_file(job)
            progress.fail(ngettext("%(n)d error: nothing will be imported.",
                                   "%(n)d errors: nothing will be imported.",
                                   len(job.errors)) % {"n": len(job.errors)})
            return {"errors": len(job.errors)}
        n = getattr(job, self.counted)
        progress.finish(result={self.result: n}, message=self.checked_message(n))
        return {self.result: n}

    def run_job(self, import_id: int) -> int:
        """Write the file whole, once; the number of rows written."""
        job = self._job(import_id, RUNNING)
        if job is None:
            return 0
        progress = start_progress(job, f"{self.kind}_run")
        try:
            done = self.run(job.pk, progress)
        except DomainError as exc:
            self._refused(job, progress, exc, "fail")
            return 0
        except Exception:  # nothing was written (one transaction): FAILED, logged
            crashed(self.flow, job, progress, step="run")
            self.remove_file(job)
            return 0
        if done is None:
            return 0
        self.remove_file(done)
        if getattr(done, self.flow.status_field) != DONE:
            progress.fail(_("Nothing was imported: the file no longer passes the check."))
            return 0
        n = int(getattr(done, self.imported))
        progress.finish(result={"imported": n}, message=self.imported_message(n))
        return n
