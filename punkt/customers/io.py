"""CSV/XLSX export of customer lists and import of customer files.

Exports neutralise formula cells (C25) and mask PESEL. Imports are checked first (a dry
run listing row errors), then written in batches by a background task; both go through
``services.clean_customer`` so a file obeys the same rules as the counter.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from punkt.core import bulk, tabular
from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.core.exports import csv_stream, neutralise  # noqa: F401 - views use csv_stream
from punkt.customers import identifiers as ids
from punkt.customers import permissions as perms
from punkt.customers import search, services
from punkt.customers.models import (
    Consent,
    ConsentEvent,
    ConsentPurpose,
    ConsentSource,
    Customer,
    CustomerImport,
    CustomerStatus,
    ImportStatus,
    TimelineEntry,
    TimelineKind,
)
from punkt.organization import permissions as org_perms
from punkt.organization.models import Branch

EXPORT_COLUMNS = [
    "number", "kind", "first_name", "last_name", "company_name", "pesel", "nip", "regon",
    "phone", "email", "street", "postal_code", "city", "country", "branch", "created_at",
    "industry", "company_size", "main_customer_type", "age_band",
]
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
TRUE = {"1", "tak", "t", "yes", "y", "true", "x"}
MAX_UPLOAD = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_ERRORS = 500
BATCH = 2000
def _export_row(c: Customer) -> list[Any]:
    return [c.number, c.kind, c.first_name, c.last_name, c.company_name,
            ids.mask_pesel(c.pesel), c.nip, c.regon, c.phone, c.email, c.street,
            c.postal_code, c.city, c.country, c.branch.code,
            timezone.localtime(c.created_at).strftime("%Y-%m-%d %H:%M"), c.industry,
            c.company_size, c.main_customer_type, c.age_band]


EXPORT_LIMIT = 100_000


def export_rows(qs: Any) -> Iterator[list[Any]]:
    yield EXPORT_COLUMNS
    for c in qs[:EXPORT_LIMIT].iterator(chunk_size=2000):
        yield [neutralise(v) for v in _export_row(c)]


def audit_export(*, actor: Any, fmt: str, params: dict[str, str]) -> None:
    org_perms.ensure(actor, perms.CUSTOMER_EXPORT.code)
    audit_record(action="customers.customer.export", actor=actor,
                 message=f"format={fmt} filters={sorted(params.items())}"[:2000])


def xlsx_bytes(rows: Iterable[list[Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Customers"))
    for row in rows:
        ws.append(["" if v is None else v for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- import ------------------------------------------------------------------------------

def import_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sniff(head: bytes, name: str) -> str:
    """``xlsx`` or ``csv`` by content (C24), never by the name alone."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if b"\x00" in head:
        raise ValidationFailed("invalid_file", _("The file is neither CSV nor XLSX."),
                               field="file")
    return "csv"


def import_upload(*, actor: Any, branch_id: int, uploaded: Any,
                  basis_confirmed: bool) -> CustomerImport:
    """Store the file under a random name and queue the dry run.

    Like registration at the counter, an import needs the data-processing basis: the
    uploader confirms the customers' consents were collected (they are recorded as such)."""
    branch = Branch.objects.filter(pk=branch_id, is_active=True).first()
    if branch is None:
        raise ValidationFailed("invalid", _("Choose an active branch."), field="branch")
    org_perms.ensure(actor, perms.CUSTOMER_IMPORT.code, branch.pk)
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
    fmt = _sniff(head, uploaded.name)
    stored = f"{uuid.uuid4().hex}.{fmt}"
    with open(import_dir() / stored, "wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    original = Path(uploaded.name or "import").name[:200]
    with transaction.atomic():
        job = CustomerImport.objects.create(branch=branch, created_by=actor,
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
    consents = [p for p in ("marketing_email", "marketing_sms", "marketing_phone", "profiling")
                if str(raw.get(f"consent_{p}", "")).strip().lower() in TRUE]
    return data, consents


def validate_file(job: CustomerImport, progress: Any = None) -> list[tuple[int, dict[str, Any],
                                                                     list[str]]]:
    """The dry run: every row through ``clean_customer``; duplicates against the database and
    within the file. Returns the valid rows; errors are stored on the job."""
    path = import_dir() / job.stored_name
    errors: list[dict[str, Any]] = []
    valid: list[tuple[int, dict[str, Any], list[str]]] = []
    seen: dict[tuple[str, str], int] = {}
    total = 0
    for line, raw in enumerate(read_rows(path), start=2):
        total += 1
        if total > MAX_ROWS:
            raise ValidationFailed("too_many_rows", _("At most %(n)d rows per file.")
                                   % {"n": MAX_ROWS}, field="file")
        data, consents = _prepare(raw)
        try:
            clean = services.clean_customer(data)
        except ValidationFailed as exc:
            if len(errors) < MAX_ERRORS:
                errors.append({"row": line, "field": exc.field, "message": exc.message})
            continue
        dup_key = next(((k, clean[k]) for k in ("pesel", "nip") if clean.get(k)), None)
        if dup_key and dup_key in seen:
            if len(errors) < MAX_ERRORS:
                errors.append({"row": line, "field": dup_key[0], "message": _(
                    "Same %(field)s as row %(row)d.") % {"field": dup_key[0].upper(),
                                                         "row": seen[dup_key]}})
            continue
        if dup_key:
            seen[dup_key] = line
        valid.append((line, clean, consents))
        if progress and total % 5000 == 0:
            progress.update(done=total, message=ngettext("Checked %(n)d row", "Checked %(n)d rows",
                                                        total) % {"n": total})
    valid = _drop_registered(valid, errors)
    job.rows_total = total
    job.rows_valid = len(valid)
    job.errors = errors
    return valid


def _drop_registered(rows: list[tuple[int, dict[str, Any], list[str]]],
                     errors: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any],
                                                                 list[str]]]:
    """Rows whose PESEL or NIP an active customer already has become errors. Looked up in
    large chunks: on PostgreSQL one pass over the table with a hashed list beats a hundred
    thousand index probes."""
    chunk = 20_000 if connection.vendor == "postgresql" else 500
    for key in ("pesel", "nip"):
        values = sorted({c[key] for _line, c, _cons in rows if c.get(key)})
        existing: set[str] = set()
        for i in range(0, len(values), chunk):
            existing |= set(Customer.objects.filter(
                **{f"{key}__in": values[i:i + chunk]}, status=CustomerStatus.ACTIVE)
                .values_list(key, flat=True))
        if not existing:
            continue
        keep = []
        for line, clean, consents in rows:
            if clean.get(key) in existing:
                if len(errors) < MAX_ERRORS:
                    errors.append({"row": line, "field": key, "message": _(
                        "A customer with this %(field)s already exists.")
                        % {"field": key.upper()}})
            else:
                keep.append((line, clean, consents))
        rows = keep
    errors.sort(key=lambda e: e["row"])
    return rows


def _checked_path(job: CustomerImport) -> Path:
    return import_dir() / f"{job.stored_name}.checked.json"


#: Bumped when the cleaned rows' shape changes: older files are checked again instead.
CHECKED_FORMAT = 1


def save_checked(job: CustomerImport, rows: list[tuple[int, dict[str, Any], list[str]]]
                 ) -> None:
    """Keep the dry run's cleaned rows beside the file: the import then writes them without
    parsing and cleaning every row again (only the database may have changed since)."""
    path = _checked_path(job)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"format": CHECKED_FORMAT, "rows": rows}, cls=DjangoJSONEncoder))
    os.replace(tmp, path)  # never a half-written file under the final name


def load_checked(job: CustomerImport) -> list[tuple[int, dict[str, Any], list[str]]] | None:
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
    rows = _drop_registered(rows, job.errors)
    job.rows_valid = len(rows)
    return rows


def import_write(*, job: CustomerImport, actor: Any, rows: list[tuple[int, dict[str, Any],
                                                                     list[str]]],
                 progress: Any = None) -> int:
    """Write the checked rows in batches: customers, consents (basis + ticked marketing),
    a timeline entry each, the search lexicon; one audit row per batch."""
    org_perms.ensure(actor, perms.CUSTOMER_IMPORT.code, job.branch_id)
    now = timezone.now()
    texts = {p: services.current_text(p) for p in ConsentPurpose.values}
    written = 0
    employee = actor if getattr(actor, "pk", None) else None
    subject = _("Imported from %(file)s") % {"file": job.original_name}
    for start in range(0, len(rows), BATCH):
        chunk = rows[start:start + BATCH]
        with transaction.atomic():
            customers = []
            for _line, clean, _consents in chunk:
                c = Customer(branch_id=job.branch_id, created_by=employee, **clean)
                services.refresh_derived(c)
                customers.append(c)
            bulk.insert(customers)
            events = []
            for c, (_line, _clean, consents) in zip(customers, chunk, strict=True):
                for purpose in [ConsentPurpose.CONTRACT.value, *consents]:
                    events.append(ConsentEvent(customer=c, purpose=purpose, granted=True,
                                               at=now, source=ConsentSource.IMPORT,
                                               text=texts[purpose], employee=employee,
                                               branch_id=job.branch_id))
            bulk.insert(events)
            bulk.insert([
                Consent(customer_id=e.customer.pk, purpose=e.purpose, granted=True,
                        changed_at=now, last_event=e) for e in events])
            bulk.insert([
                TimelineEntry(customer=c, kind=TimelineKind.SYSTEM, subject=subject,
                              actor=employee, branch_id=job.branch_id, occurred_at=now,
                              source_type="customers.customerimport", source_id=str(job.pk))
                for c in customers])
            search.index_customers(customers, new=True)
            CustomerImport.objects.filter(pk=job.pk).update(
                rows_imported=F("rows_imported") + len(customers))
            audit_record(action="customers.import.batch", obj=job, actor=actor,
                         branch_id=job.branch_id,
                         message=f"{len(customers)} customers, ids {customers[0].pk}–"
                                 f"{customers[-1].pk}")
        written += len(chunk)
        if progress:
            progress.update(done=written, total=len(rows),
                            message=ngettext("Imported %(n)d row", "Imported %(n)d rows",
                                             written) % {"n": written})
    return written


def import_get(*, user: Any, import_id: int) -> CustomerImport:
    allowed = org_perms.access_of(user).branches_for(perms.CUSTOMER_IMPORT.code)
    qs = CustomerImport.objects.select_related("branch", "job")
    if allowed is not None:
        qs = qs.filter(branch_id__in=allowed)
    job = qs.filter(pk=import_id).first()
    if job is None:
        raise NotFound(_("Import not found."))
    return job


def import_confirm(*, actor: Any, import_id: int) -> CustomerImport:
    """Start writing a checked file — once, however often the button is pressed (C10)."""
    job = import_get(user=actor, import_id=import_id)
    org_perms.ensure(actor, perms.CUSTOMER_IMPORT.code, job.branch_id)
    if job.status == ImportStatus.CHECKED and job.rows_valid == 0:
        raise ValidationFailed("nothing_to_import", _("No row of this file can be imported."),
                               field="file")
    with transaction.atomic():
        started = CustomerImport.objects.filter(pk=job.pk, status=ImportStatus.CHECKED).update(
            status=ImportStatus.RUNNING)
        if started != 1:
            raise Conflict("invalid_state", _("This import is not waiting for confirmation "
                                              "(already started, finished or not checked)."))
        audit_record(action="customers.import.confirm", obj=job, actor=actor,
                     branch_id=job.branch_id, message=f"{job.rows_valid} rows")
        from punkt.customers.tasks import import_run_task

        transaction.on_commit(lambda: import_run_task.enqueue(job.pk))
    job.refresh_from_db()
    return job
