"""Importing HQ's invoices from a CSV/XLSX file (R8.1): a row per invoice line, the rows of
one invoice sharing its number (or leaving it empty after the first).

The whole file is checked first by a background task (every error named by its row and
column; nothing is written); HQ sees what the file holds — invoices, customers, the gross
total — and confirms; a second task then writes every invoice in one transaction, or none
of them. Each invoice goes through :func:`services.invoice_build`, so a file obeys the same
rules as ``POST /api/v1/invoices``.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from punkt.cashdesk import permissions as perms
from punkt.cashdesk import services
from punkt.cashdesk.models import ImportStatus, Invoice, InvoiceImport, KsefStatus
from punkt.core import bulk, files, tabular
from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.customers.models import Customer, CustomerStatus, TimelineEntry
from punkt.organization import permissions as org_perms

AREA = "invoice-imports"
MAX_ROWS = 200_000
MAX_ERRORS = 500
BATCH = 2000

#: The file's columns: name → (what it holds, the other headings taken for it).
COLUMNS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "number": (gettext_lazy("invoice number"), ("numer faktury", "nr faktury", "numer",
                                                 "invoice number", "invoice")),
    "customer": (gettext_lazy("customer number (K0001234)"),
                 ("klient", "numer klienta", "nr klienta", "customer number")),
    "pesel": (gettext_lazy("or the buyer's PESEL"), ()),
    "nip": (gettext_lazy("or the buyer's NIP"), ()),
    "issued_on": (gettext_lazy("issue date"), ("data wystawienia", "wystawiona", "issued",
                                               "issue date")),
    "sale_date": (gettext_lazy("date of supply (optional)"),
                  ("data sprzedaży", "data sprzedazy", "data dostawy", "date of supply")),
    "due_on": (gettext_lazy("payment due date"), ("termin płatności", "termin platnosci",
                                                  "termin", "due", "due date")),
    "period": (gettext_lazy("billing period (optional)"), ("okres", "okres rozliczeniowy")),
    "line": (gettext_lazy("line: name of the goods or service"),
             ("pozycja", "nazwa", "nazwa pozycji", "name", "item")),
    "quantity": (gettext_lazy("line: quantity (default 1)"), ("ilość", "ilosc", "qty")),
    "vat_rate": (gettext_lazy("line: VAT rate 23, 8, 5, 0, zw or np"),
                 ("stawka vat", "stawka", "vat", "vat rate")),
    "net": (gettext_lazy("line: net amount"), ("netto", "wartość netto", "wartosc netto",
                                               "net amount")),
    "gross": (gettext_lazy("invoice's gross total, checked against the lines (optional)"),
              ("brutto", "razem brutto", "do zapłaty", "do zaplaty", "gross total")),
    "ksef_number": (gettext_lazy("KSeF number (optional)"), ("numer ksef", "nr ksef", "ksef")),
    "ksef_status": (gettext_lazy("KSeF status: pending, accepted, rejected (optional)"),
                    ("status ksef",)),
    "verification_url": (gettext_lazy("KSeF verification link (optional)"),
                         ("link weryfikacyjny", "link ksef")),
    "delivery_channel": (gettext_lazy("how it was delivered (optional)"),
                         ("doręczenie", "doreczenie", "kanał", "kanal")),
}
HEADER_ALIASES = {alias: name for name, (_label, aliases) in COLUMNS.items()
                  for alias in (*aliases, name.replace("_", " "))}
REQUIRED = ("number", "issued_on", "due_on", "line", "vat_rate", "net")
#: Columns that describe the invoice: the same on each of its rows (or left empty there).
INVOICE_FIELDS = ("customer", "pesel", "nip", "issued_on", "sale_date", "due_on", "period",
                  "gross", "ksef_number", "ksef_status", "verification_url",
                  "delivery_channel")
KSEF_ALIASES = {"wysłana": KsefStatus.PENDING, "wyslana": KsefStatus.PENDING,
                "przyjęta": KsefStatus.ACCEPTED, "przyjeta": KsefStatus.ACCEPTED,
                "odrzucona": KsefStatus.REJECTED, "brak": KsefStatus.NONE}
#: Fields of ``invoice_build``'s errors → the file's column.
LINE_COLUMNS = {"name": "line", "quantity": "quantity", "vat_rate": "vat_rate", "net": "net"}


def _cell(value: Any) -> Any:
    """A cell as invoice_build takes it: text stripped; numbers and dates kept."""
    if value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.split())
    return value


def _key(value: Any) -> str:
    return str(_cell(value)).upper()


class _Errors:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.count = 0

    def add(self, row: int, column: str, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_ERRORS:
            self.items.append({"row": row, "field": column, "message": message})


def _rows(job: InvoiceImport) -> Iterator[tuple[int, dict[str, Any]]]:
    path = files.path_of(job.stored_name, area=AREA)
    for n, raw in enumerate(tabular.read_rows(path, HEADER_ALIASES), start=2):
        if n - 1 > MAX_ROWS:
            raise ValidationFailed("too_many_rows", _("At most %(n)d rows per file: split it.")
                                   % {"n": MAX_ROWS}, field="file")
        yield n, {k: _cell(v) for k, v in raw.items() if k in COLUMNS}


def _customer_ref(n: int, row: dict[str, Any], errors: _Errors) -> tuple[str, str] | None:
    for column in ("customer", "pesel", "nip"):
        value = str(row.get(column, "")).strip().upper().replace("-", "").replace(" ", "")
        if not value:
            continue
        if column == "customer":
            digits = value.removeprefix("K")
            if not digits.isdecimal() or not digits.isascii() or len(digits) > 12:
                errors.add(n, column, _("Give the customer number as K0001234."))
                return None
            return column, str(int(digits))
        return column, value
    errors.add(n, "customer", _("Give the customer number, the PESEL or the NIP."))
    return None


def _find_customers(refs: set[tuple[str, str]]) -> dict[tuple[str, str], list[Customer]]:
    """Customers by reference, looked up in large chunks (one pass, not a probe a row)."""
    fields = ("pk", "kind", "status", "branch_id", "display_name", "first_name", "last_name",
              "nip", "pesel", "street", "postal_code", "city", "consumer_like")
    chunk = 20_000 if connection.vendor == "postgresql" else 500
    found: dict[tuple[str, str], list[Customer]] = {}
    for column, lookup in (("customer", "pk__in"), ("pesel", "pesel__in"), ("nip", "nip__in")):
        values = sorted({v for c, v in refs if c == column})
        for i in range(0, len(values), chunk):
            part = [int(v) for v in values[i:i + chunk]] if column == "customer" \
                else values[i:i + chunk]
            qs = Customer.objects.filter(**{lookup: part}).only(*fields)
            if column != "customer":
                qs = qs.filter(status=CustomerStatus.ACTIVE)
            for c in qs:
                value = str(c.pk) if column == "customer" else getattr(c, column)
                found.setdefault((column, value), []).append(c)
    return found


def check(job: InvoiceImport, progress: Any = None) -> list[Invoice]:
    """Read and check the whole file: the unsaved invoices when it has no error; otherwise
    the errors (row, column, message) are on ``job.errors`` and the list is empty."""
    errors = _Errors()
    groups: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    total = 0
    last = ""
    header_checked = False
    for n, row in _rows(job):
        total += 1
        if not header_checked:
            header_checked = True
            missing = [c for c in REQUIRED if c not in row]
            if not any(c in row for c in ("customer", "pesel", "nip")):
                missing.insert(1, "customer")
            if missing:
                raise ValidationFailed("columns_missing", _(
                    "The file lacks the columns: %(columns)s (see the list of columns).")
                    % {"columns": ", ".join(missing)}, field="file")
        number = _key(row.get("number")) or last  # empty: a line of the invoice above
        if not number:
            errors.add(n, "number", _("Give the invoice number."))
            continue
        groups.setdefault(number, []).append((n, row))
        last = number
        if progress and total % 10_000 == 0:
            progress.update(done=total, message=ngettext(
                "Read %(n)d row", "Read %(n)d rows", total) % {"n": total})
    if not total:
        raise ValidationFailed("empty", _("The file has no invoice rows."), field="file")
    refs: dict[str, tuple[str, str]] = {}
    for number, rows in groups.items():
        first_n, first = rows[0]
        for n, row in rows[1:]:  # the invoice's own columns agree on all its rows
            for column in INVOICE_FIELDS:
                value = row.get(column, "")
                if value not in ("", None) and str(value) != str(first.get(column, "")):
                    errors.add(n, column, _(
                        "Differs from row %(row)d of the same invoice %(number)s.")
                        % {"row": first_n, "number": number})
        ref = _customer_ref(first_n, first, errors)
        if ref is not None:
            refs[number] = ref
    customers = _find_customers(set(refs.values()))
    recorded = _recorded(list(groups))
    invoices: list[Invoice] = []
    for number, rows in groups.items():
        first_n, first = rows[0]
        if number in recorded:
            errors.add(first_n, "number", _("Invoice %(number)s is already recorded.")
                       % {"number": number})
            continue
        if number not in refs:
            continue
        column, value = refs[number]
        matches = customers.get(refs[number], [])
        if not matches:
            errors.add(first_n, column, {
                "customer": _("No customer with this number."),
                "pesel": _("No customer with this PESEL."),
                "nip": _("No customer with this NIP.")}[column])
            continue
        if len(matches) > 1:
            errors.add(first_n, column, _(
                "Several customers have this %(what)s: give the customer number instead.")
                % {"what": column.upper()})
            continue
        customer = matches[0]
        if customer.status != CustomerStatus.ACTIVE:
            errors.add(first_n, column, _("Customer %(number)s is closed (merged or "
                                          "anonymised).") % {"number": customer.number})
            continue
        invoice = _build(number, rows, customer, job, errors)
        if invoice is not None:
            invoices.append(invoice)
    job.rows_total = total
    job.errors = sorted(errors.items, key=lambda e: (e["row"], e["field"]))
    if errors.count > len(errors.items):
        job.errors.append({"row": 0, "field": "", "message": _(
            "…and %(n)d more errors.") % {"n": errors.count - len(errors.items)}})
    if errors.count:
        return []
    job.invoices_total = len(invoices)
    job.customers_total = len({i.customer_id for i in invoices})
    job.gross_total = sum((i.gross for i in invoices), Decimal(0))
    return invoices


def _recorded(numbers: list[str]) -> set[str]:
    chunk = 20_000 if connection.vendor == "postgresql" else 500
    found: set[str] = set()
    for i in range(0, len(numbers), chunk):
        found |= set(Invoice.objects.filter(number__in=numbers[i:i + chunk])
                     .values_list("number", flat=True))
    return found


def _build(number: str, rows: list[tuple[int, dict[str, Any]]], customer: Customer,
           job: InvoiceImport, errors: _Errors) -> Invoice | None:
    first_n, first = rows[0]
    status = str(first.get("ksef_status", "")).strip().lower()
    data = {column: first.get(column, "") for column in INVOICE_FIELDS
            if column not in ("customer", "pesel", "nip")}
    data["ksef_status"] = KSEF_ALIASES.get(status, status)
    lines = [{"name": row.get("line", ""), "quantity": row.get("quantity", ""),
              "vat_rate": row.get("vat_rate", ""), "net": row.get("net", "")}
             for _n, row in rows]
    try:
        return services.invoice_build(customer=customer, number=number, lines=lines,
                                      actor=job.created_by, **data)
    except ValidationFailed as exc:
        field = exc.field or ""
        n, column = first_n, field
        if field.startswith("lines["):  # lines[3].net → the invoice's third row, "net"
            index, _dot, part = field[len("lines["):].partition("].")
            if index.isdecimal() and 1 <= int(index) <= len(rows):
                n = rows[int(index) - 1][0]
            column = LINE_COLUMNS.get(part, part)
        elif field == "lines":
            column = "line"
        errors.add(n, column, exc.message)
        return None


# --- The steps a user takes ----------------------------------------------------------

def import_upload(*, actor: Any, uploaded: Any) -> InvoiceImport:
    """Store the file under a random name and queue its check."""
    org_perms.ensure(actor, perms.INVOICE_MANAGE.code)
    original, stored, _type, _size = files.store(
        uploaded, area=AREA, kinds=frozenset({"csv", "xlsx", "text"}),
        refused=_("Send the invoices as a CSV or XLSX file."))
    with transaction.atomic():
        job = InvoiceImport.objects.create(created_by=actor, original_name=original,
                                           stored_name=stored)
        audit_record(action="cashdesk.invoice_import.upload", obj=job, actor=actor,
                     message=original)
        from punkt.cashdesk.tasks import invoice_import_check

        transaction.on_commit(lambda: invoice_import_check.enqueue(job.pk))
    return job


def import_get(*, user: Any, import_id: Any) -> InvoiceImport:
    org_perms.ensure(user, perms.INVOICE_MANAGE.code)
    job = InvoiceImport.objects.select_related("job", "created_by").filter(
        pk=import_id).first()
    if job is None:
        raise NotFound(_("Import not found."))
    return job


def import_confirm(*, actor: Any, import_id: Any) -> InvoiceImport:
    """Start writing a checked file — once, however often the button is pressed."""
    job = import_get(user=actor, import_id=import_id)
    with transaction.atomic():
        started = InvoiceImport.objects.filter(pk=job.pk, status=ImportStatus.CHECKED).update(
            status=ImportStatus.RUNNING)
        if started != 1:
            raise Conflict("invalid_state", _("This import is not waiting for confirmation "
                                              "(already started, finished or refused)."))
        audit_record(action="cashdesk.invoice_import.confirm", obj=job, actor=actor,
                     message=f"{job.invoices_total} invoices, {job.gross_total}")
        from punkt.cashdesk.tasks import invoice_import_run

        transaction.on_commit(lambda: invoice_import_run.enqueue(job.pk))
    job.refresh_from_db()
    return job


def write(job: InvoiceImport, invoices: list[Invoice]) -> None:
    """Insert the checked invoices with their timeline entries (inside the caller's
    transaction: all or nothing); one audit row per batch."""
    now = timezone.now()
    for start in range(0, len(invoices), BATCH):
        chunk = invoices[start:start + BATCH]
        for invoice in chunk:
            invoice.created_at = now
        bulk.insert(chunk)
        bulk.insert([TimelineEntry(
            customer_id=i.customer_id, kind="invoice", branch_id=i.customer.branch_id,
            subject=services.invoice_subject(i)[:200], occurred_at=now,
            source_type=Invoice._meta.label_lower, source_id=str(i.pk)) for i in chunk])
        audit_record(action="cashdesk.invoice_import.batch", obj=job, actor=job.created_by,
                     message=f"{len(chunk)} invoices, {chunk[0].number} … {chunk[-1].number}")


def run(job_id: int, progress: Any = None) -> InvoiceImport | None:
    """Check the file again (the database may have changed) and write it whole, exactly
    once: the import's row is locked and moves to DONE in the same transaction."""
    try:
        with transaction.atomic():
            job = InvoiceImport.objects.select_for_update(of=("self",)).select_related(
                "created_by").filter(pk=job_id, status=ImportStatus.RUNNING).first()
            if job is None:
                return None
            invoices = check(job, progress)
            if not invoices:
                job.status = ImportStatus.REJECTED
                job.save(update_fields=["status", "rows_total", "errors"])
                return job
            if progress:
                progress.update(done=0, total=len(invoices), message=_("Writing the invoices"))
            write(job, invoices)
            job.status = ImportStatus.DONE
            job.invoices_imported = len(invoices)
            job.save(update_fields=["status", "rows_total", "invoices_total",
                                    "customers_total", "gross_total", "invoices_imported",
                                    "errors"])
    except IntegrityError:  # an invoice of the file recorded meanwhile (API, other import)
        InvoiceImport.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED, errors=[{"row": 0, "field": "number", "message": _(
                "An invoice of this file was recorded while it was being imported: nothing "
                "was imported; upload the file again to see which.")}])
        return InvoiceImport.objects.get(pk=job_id)
    return job
