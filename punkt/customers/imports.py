"""Customer files in (CSV/XLSX): checked first — a dry run listing the errors by row and
column —, then the valid rows written in batches by a background task. Every row goes
through ``services.clean_customer``, so a file obeys the same rules as the counter. The
shape (states, row errors, progress) is :mod:`punkt.core.imports`'; the tasks are in
``tasks.py``.
"""

from __future__ import annotations

import datetime
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from punkt.core import bulk, files, tabular
from punkt.core import imports as shape
from punkt.core.access import ensure
from punkt.core.audit import audit_record
from punkt.core.errors import ValidationFailed
from punkt.core.jobs import Progress
from punkt.core.scoping import BranchScopedQuerySet
from punkt.customers import permissions as perms
from punkt.customers import search, services
from punkt.customers.models import (
    Consent,
    ConsentEvent,
    ConsentPurpose,
    ConsentSource,
    ConsentText,
    Customer,
    CustomerImport,
    CustomerStatus,
    ImportStatus,
    TimelineEntry,
    TimelineKind,
)
from punkt.customers.workflows import IMPORT_FLOW
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Branch

#: Where the files and their checked rows wait (under ``VAR_DIR``).
AREA = "imports"
#: Columns an import file may have (the header row names them; order does not matter).
IMPORT_COLUMNS = [
    "kind", "first_name", "last_name", "company_name", "consumer_like", "pesel", "birth_date",
    "nip", "regon", "bank_account", "phone", "email", "street", "postal_code", "city",
    "country", "corr_street", "corr_postal_code", "corr_city", "corr_country", "industry",
    "activity", "has_branches", "company_size", "main_customer_type", "founding_year",
    "age_band", "education", "income_band", "vehicle", "employer",
    "consent_marketing_email", "consent_marketing_sms", "consent_marketing_phone",
    "consent_profiling",
]
#: Polish headers accepted as well (a file prepared by hand in a Polish spreadsheet).
HEADER_ALIASES = {
    "typ": "kind", "imie": "first_name", "imię": "first_name", "nazwisko": "last_name",
    "nazwa firmy": "company_name", "firma": "company_name", "telefon": "phone",
    "e-mail": "email", "ulica": "street", "kod pocztowy": "postal_code", "miasto": "city",
    "miejscowość": "city", "kraj": "country",
}
KIND_ALIASES = {"osoba": "person", "person": "person", "individual": "person",
                "firma": "company", "company": "company", "jdg": "sole_trader",
                "sole_trader": "sole_trader", "przedsiębiorca": "sole_trader"}
MARKETING = ("marketing_email", "marketing_sms", "marketing_phone", "profiling")
TRUE = {"1", "tak", "t", "yes", "y", "true", "x"}
MAX_UPLOAD = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_ERRORS = shape.MAX_ERRORS
BATCH = 2000

#: A checked row: (its line in the file, the cleaned fields, the marketing consents ticked).
Row = tuple[int, dict[str, Any], list[str]]


def import_dir() -> Path:
    return files.area_dir(AREA)


def _sniff(head: bytes, name: str) -> str:
    """``xlsx`` or ``csv`` by content (C24), never by the name alone."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if b"\x00" in head:
        raise ValidationFailed("invalid_file", _("The file is neither CSV nor XLSX."),
                               field="file")
    return "csv"


def import_upload(*, actor: Actor, branch_id: int, uploaded: Any,
                  basis_confirmed: bool) -> CustomerImport:
    """Store the file under a random name and queue the dry run.

    Like registration at the counter, an import needs the data-processing basis: the
    uploader confirms the customers' consents were collected (they are recorded as such)."""
    branch = Branch.objects.filter(pk=branch_id, is_active=True).first()
    if branch is None:
        raise ValidationFailed("invalid", _("Choose an active branch."), field="branch")
    ensure(actor, perms.CUSTOMER_IMPORT.code, branch.pk)
    if not basis_confirmed:
        raise ValidationFailed("consent_required", _(
            "Confirm that the customers in the file consented to processing their data."),
            field="basis_confirmed")
    if uploaded is None:
        raise ValidationFailed("required", _("Choose a CSV or XLSX file."), field="file")
    if uploaded.size > MAX_UPLOAD:
        raise ValidationFailed("too_large", _("The file is larger than 20 MB; split it."),
                               field="file")
    head = uploaded.read(2048)
    uploaded.seek(0)
    stored = f"{uuid.uuid4().hex}.{_sniff(head, uploaded.name)}"
    with open(import_dir() / stored, "wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    original = Path(uploaded.name or "import").name[:200]
    with transaction.atomic():
        job = CustomerImport.objects.create(branch=branch, created_by=employee_of(actor),
                                            original_name=original, stored_name=stored,
                                            status=ImportStatus.QUEUED)
        audit_record(action="customers.import.upload", obj=job, actor=actor,
                     branch_id=branch.pk, message=original)
        from punkt.customers.tasks import import_check_task

        transaction.on_commit(lambda: import_check_task.enqueue(job.pk))
    return job


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    """Rows of the file as dicts keyed by the header; raises for a file it cannot read."""
    return tabular.read_rows(path, HEADER_ALIASES)


def _prepare(raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A file's row as ``clean_customer`` takes it, and the marketing consents ticked."""
    data: dict[str, Any] = {}
    for key in IMPORT_COLUMNS:
        if key.startswith("consent_") or key not in raw:
            continue
        value = raw[key]
        if hasattr(value, "isoformat"):
            value = value.date().isoformat() if hasattr(value, "date") else value.isoformat()
        data[key] = str(value).strip() if value is not None else ""
    data["kind"] = KIND_ALIASES.get(str(raw.get("kind", "")).strip().lower(),
                                    str(raw.get("kind", "")).strip())
    if "consumer_like" in data:
        data["consumer_like"] = data["consumer_like"].lower() in TRUE
    if "has_branches" in data:
        data["has_branches"] = {"": None}.get(data["has_branches"],
                                              data["has_branches"].lower() in TRUE)
    consents = [p for p in MARKETING if str(raw.get(f"consent_{p}", "")).strip().lower() in TRUE]
    return data, consents


def validate_file(job: CustomerImport, progress: Progress | None = None) -> list[Row]:
    """The dry run: every row through ``clean_customer``; duplicates against the database and
    within the file. Returns the valid rows; errors are stored on the job."""
    errors = shape.RowErrors(cap=MAX_ERRORS)
    valid: list[Row] = []
    seen: dict[tuple[str, str], int] = {}
    total = 0
    rows = shape.numbered_rows(import_dir() / job.stored_name, HEADER_ALIASES,
                               max_rows=MAX_ROWS,
                               too_many=_("At most %(n)d rows per file.") % {"n": MAX_ROWS})
    today = timezone.localdate()  # once, not per row
    for line, raw in rows:
        total += 1
        row = _checked_row(line, raw, seen, errors, today)
        if row is not None:
            valid.append(row)
        shape.report(progress, total, every=5000, message=lambda n: ngettext(
            "Checked %(n)d row", "Checked %(n)d rows", n) % {"n": n})
    valid = _drop_registered(valid, errors)
    job.rows_total = total
    job.rows_valid = len(valid)
    job.errors = errors.items
    return valid


def _checked_row(line: int, raw: dict[str, Any], seen: dict[tuple[str, str], int],
                 errors: shape.RowErrors, today: datetime.date) -> Row | None:
    """The row cleaned, or None with its error noted (also a PESEL/NIP an earlier row of
    the file has: ``seen``)."""
    data, consents = _prepare(raw)
    try:
        clean = services.clean_customer(data, today=today)
    except ValidationFailed as exc:
        errors.add(line, exc.field, exc.message)
        return None
    dup_key = next(((k, clean[k]) for k in ("pesel", "nip") if clean.get(k)), None)
    if dup_key and dup_key in seen:
        errors.add(line, dup_key[0], _("Same %(field)s as row %(row)d.")
                   % {"field": dup_key[0].upper(), "row": seen[dup_key]})
        return None
    if dup_key:
        seen[dup_key] = line
    return line, clean, consents


def _drop_registered(rows: list[Row], errors: shape.RowErrors) -> list[Row]:
    """Rows whose PESEL or NIP an active customer already has become errors. One lookup
    per key for the whole file (``bulk.present``: on PostgreSQL one pass over the table
    with a hashed list of all the numbers, not an index probe per row)."""
    active = Customer.objects.filter(status=CustomerStatus.ACTIVE)
    for key in ("pesel", "nip"):
        existing = bulk.present(active, key, {c[key] for _line, c, _cons in rows
                                              if c.get(key)})
        if not existing:
            continue
        keep = []
        for line, clean, consents in rows:
            if clean.get(key) in existing:
                errors.add(line, key, _("A customer with this %(field)s already exists.")
                           % {"field": key.upper()})
            else:
                keep.append((line, clean, consents))
        rows = keep
    errors.by_row()
    return rows


def _checked_path(job: CustomerImport) -> Path:
    return import_dir() / f"{job.stored_name}.checked.json"


#: Bumped when the cleaned rows' shape changes: older files are checked again instead.
CHECKED_FORMAT = 1


def save_checked(job: CustomerImport, rows: list[Row]) -> None:
    """Keep the dry run's cleaned rows beside the file: the import then writes them without
    parsing and cleaning every row again (only the database may have changed since)."""
    path = _checked_path(job)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"format": CHECKED_FORMAT, "rows": rows}, cls=DjangoJSONEncoder))
    os.replace(tmp, path)  # never a half-written file under the final name


def load_checked(job: CustomerImport) -> list[Row] | None:
    """The dry run's rows, with PESEL/NIP checked against the database again; None when
    there are none to trust (missing, unreadable, older format): then the caller checks
    the file itself again."""
    try:
        payload = json.loads(_checked_path(job).read_text())
        if payload.get("format") != CHECKED_FORMAT:
            return None
        dates = [f.name for f in Customer._meta.concrete_fields
                 if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField)]
        rows = []
        for line, clean, consents in payload["rows"]:
            for name in dates:
                if clean.get(name):
                    clean[name] = datetime.date.fromisoformat(clean[name])
            rows.append((int(line), dict(clean), list(consents)))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    rows = _drop_registered(rows, shape.RowErrors(job.errors, cap=MAX_ERRORS))
    job.rows_valid = len(rows)
    return rows


def remove_files(job: CustomerImport) -> None:
    """The file and its checked rows (C28: kept no longer than the import needs them)."""
    (import_dir() / job.stored_name).unlink(missing_ok=True)
    for suffix in (".checked.json", ".checked.tmp"):
        (import_dir() / f"{job.stored_name}{suffix}").unlink(missing_ok=True)


def import_write(*, job: CustomerImport, actor: Actor, rows: list[Row],
                 progress: Progress | None = None) -> int:
    """Write the checked rows in batches: customers, consents (basis + ticked marketing),
    a timeline entry each, the search lexicon; one audit row per batch."""
    ensure(actor, perms.CUSTOMER_IMPORT.code, job.branch_id)
    now = timezone.now()
    texts = {p: services.current_text(p) for p in ConsentPurpose.values}
    written = 0
    for start in range(0, len(rows), BATCH):
        chunk = rows[start:start + BATCH]
        with transaction.atomic():
            ids = _write_batch(job, actor, chunk, texts, now)
            CustomerImport.objects.filter(pk=job.pk).update(
                rows_imported=F("rows_imported") + len(ids))
            audit_record(action="customers.import.batch", obj=job, actor=actor,
                         branch_id=job.branch_id,
                         message=f"{len(ids)} customers, ids {ids[0]}–{ids[-1]}")
        written += len(chunk)
        if progress:
            progress.update(done=written, total=len(rows),
                            message=ngettext("Imported %(n)d row", "Imported %(n)d rows",
                                             written) % {"n": written})
    return written


def _write_batch(job: CustomerImport, actor: Actor, chunk: list[Row],
                 texts: dict[str, ConsentText | None], now: datetime.datetime) -> list[int]:
    """One batch: the customers, their consents, a timeline entry each, their words —
    the rows :func:`services.customer_create` writes for each (but the timeline's
    subject and one audit row per batch), as plain rows (``bulk.insert_rows``: no model
    instance per row). Returns the customers' ids."""
    employee = employee_of(actor)
    employee_id = employee.pk if employee else None
    branch_id = job.branch_id
    customers = []
    for _line, clean, _consents in chunk:
        row = {"branch_id": branch_id, "created_by_id": employee_id, **clean}
        row |= services.derived_fields(row)
        customers.append(row)
    ids = bulk.insert_rows(Customer, customers)
    text_ids = {p: (t.pk if t else None) for p, t in texts.items()}
    events = [{"customer_id": pk, "purpose": purpose, "granted": True, "at": now,
               "source": ConsentSource.IMPORT.value, "text_id": text_ids[purpose],
               "employee_id": employee_id, "branch_id": branch_id}
              for pk, (_line, _clean, consents) in zip(ids, chunk, strict=True)
              for purpose in [ConsentPurpose.CONTRACT.value, *consents]]
    event_ids = bulk.insert_rows(ConsentEvent, events)
    bulk.insert_rows(Consent, [{"customer_id": e["customer_id"], "purpose": e["purpose"],
                                "granted": True, "changed_at": now, "last_event_id": event_id}
                               for e, event_id in zip(events, event_ids, strict=True)],
                     return_ids=False)
    subject = _("Imported from %(file)s") % {"file": job.original_name}
    bulk.insert_rows(TimelineEntry, [
        {"customer_id": pk, "kind": TimelineKind.SYSTEM.value, "subject": subject,
         "actor_id": employee_id, "branch_id": branch_id, "occurred_at": now,
         "source_type": "customers.customerimport", "source_id": str(job.pk)}
        for pk in ids], return_ids=False)
    search.index_new((pk, branch_id, row["sort_key"], search.lexicon_of(row))
                     for pk, row in zip(ids, customers, strict=True))
    return ids


def imports_visible_to(user: Actor) -> BranchScopedQuerySet[CustomerImport]:
    """The imports of the branches where ``user`` imports customers."""
    return CustomerImport.objects.visible_to(user, perms.CUSTOMER_IMPORT)


def import_get(*, user: Actor, import_id: int) -> CustomerImport:
    return imports_visible_to(user).select_related("branch", "job").get_or_not_found(
        import_id, missing=_("Import not found."))


def import_confirm(*, actor: Actor, import_id: int) -> CustomerImport:
    """Start writing a checked file — once, however often the button is pressed (C10)."""
    job = import_get(user=actor, import_id=import_id)
    ensure(actor, perms.CUSTOMER_IMPORT.code, job.branch_id)
    if job.status == ImportStatus.CHECKED and job.rows_valid == 0:
        raise ValidationFailed("nothing_to_import", _("No row of this file can be imported."),
                               field="file")
    from punkt.customers.tasks import import_run_task

    shape.confirm(IMPORT_FLOW, job, actor=actor, audit="customers.import.confirm",
                  message=f"{job.rows_valid} rows",
                  refused=_("This import is not waiting for confirmation (already started, "
                            "finished or not checked)."),
                  then=lambda: import_run_task.enqueue(job.pk))
    job.refresh_from_db()
    return job
