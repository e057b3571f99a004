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
from punkt.cashdesk.documents import seller_now
from punkt.cashdesk.models import ImportStatus, Invoice, InvoiceImport, KsefStatus
from punkt.core import bulk, files
from punkt.core import imports as shape
from punkt.core.audit import audit_record
from punkt.core.errors import NotFound, ValidationFailed
from punkt.core.jobs import Progress
from punkt.customers.models import Customer, CustomerStatus, TimelineEntry
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of

AREA = "invoice-imports"
MAX_ROWS = 200_000
MAX_ERRORS = shape.MAX_ERRORS
BATCH = 2000
#: core's import table with HQ's invoice permission (docs/workflows/import.md): a file
#: with any error is rejected whole; a confirmed one is written whole, or fails.
IMPORT_FLOW = shape.import_flow(gettext_lazy("Invoice files"),
                                permission=perms.INVOICE_MANAGE.code)

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


def _rows(job: InvoiceImport) -> Iterator[tuple[int, dict[str, Any]]]:
    rows = shape.numbered_rows(
        files.path_of(job.stored_name, area=AREA), HEADER_ALIASES, max_rows=MAX_ROWS,
        too_many=_("At most %(n)d rows per file: split it.") % {"n": MAX_ROWS})
    for n, raw in rows:
        yield n, {k: _cell(v) for k, v in raw.items() if k in COLUMNS}


def _customer_ref(n: int, row: dict[str, Any], errors: shape.RowErrors) -> tuple[str, str] | None:
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


#: An invoice's rows: (row number, the row), in the file's order.
Group = list[tuple[int, dict[str, Any]]]


def check(job: InvoiceImport, progress: Any = None) -> list[Invoice]:
    """Read and check the whole file: the unsaved invoices when it has no error; otherwise
    the errors (row, column, message) are on ``job.errors`` and the list is empty."""
    errors = shape.RowErrors(cap=MAX_ERRORS)
    groups, total = _read_invoices(job, progress, errors)
    refs = _customer_refs(groups, errors)
    invoices = _build_invoices(job, groups, refs, errors)
    job.rows_total = total
    job.errors = errors.by_cell(lambda n: _("…and %(n)d more errors.") % {"n": n})
    if errors:
        return []
    job.invoices_total = len(invoices)
    job.customers_total = len({i.customer_id for i in invoices})
    job.gross_total = sum((i.gross for i in invoices), Decimal(0))
    return invoices


def _read_invoices(job: InvoiceImport, progress: Progress | None, errors: shape.RowErrors
                   ) -> tuple[dict[str, Group], int]:
    """The file's rows grouped by invoice number (an empty number: a line of the invoice
    above), and how many rows it has; the required columns checked on the first row."""
    groups: dict[str, Group] = {}
    total = 0
    last = ""
    for n, row in _rows(job):
        total += 1
        if total == 1:
            _check_columns(row)
        number = _key(row.get("number")) or last
        if not number:
            errors.add(n, "number", _("Give the invoice number."))
            continue
        groups.setdefault(number, []).append((n, row))
        last = number
        shape.report(progress, total, every=10_000, message=lambda k: ngettext(
            "Read %(n)d row", "Read %(n)d rows", k) % {"n": k})
    if not total:
        raise ValidationFailed("empty", _("The file has no invoice rows."), field="file")
    return groups, total


def _check_columns(row: dict[str, Any]) -> None:
    missing = [c for c in REQUIRED if c not in row]
    if not any(c in row for c in ("customer", "pesel", "nip")):
        missing.insert(1, "customer")
    if missing:
        raise ValidationFailed("columns_missing", _(
            "The file lacks the columns: %(columns)s (see the list of columns).")
            % {"columns": ", ".join(missing)}, field="file")


def _customer_refs(groups: dict[str, Group], errors: shape.RowErrors
                   ) -> dict[str, tuple[str, str]]:
    """Each invoice's buyer reference; its own columns must agree on all its rows."""
    refs: dict[str, tuple[str, str]] = {}
    for number, rows in groups.items():
        first_n, first = rows[0]
        for n, row in rows[1:]:
            for column in INVOICE_FIELDS:
                value = row.get(column, "")
                if value not in ("", None) and str(value) != str(first.get(column, "")):
                    errors.add(n, column, _(
                        "Differs from row %(row)d of the same invoice %(number)s.")
                        % {"row": first_n, "number": number})
        ref = _customer_ref(first_n, first, errors)
        if ref is not None:
            refs[number] = ref
    return refs


def _build_invoices(job: InvoiceImport, groups: dict[str, Group],
                    refs: dict[str, tuple[str, str]], errors: shape.RowErrors
                    ) -> list[Invoice]:
    """The unsaved invoices of the groups whose buyer is found, one and active, and whose
    number is not recorded yet."""
    customers = _find_customers(set(refs.values()))
    recorded = _recorded(list(groups))
    invoices: list[Invoice] = []
    seller = seller_now()  # the seller these invoices were issued by, read once a file
    for number, rows in groups.items():
        first_n, _first = rows[0]
        if number in recorded:
            errors.add(first_n, "number", _("Invoice %(number)s is already recorded.")
                       % {"number": number})
            continue
        if number not in refs:
            continue
        customer = _the_customer(first_n, refs[number], customers, errors)
        if customer is None:
            continue
        invoice = _build(number, rows, customer, job, errors)
        if invoice is not None:
            invoice.seller = seller
            invoices.append(invoice)
    return invoices


def _the_customer(n: int, ref: tuple[str, str],
                  customers: dict[tuple[str, str], list[Customer]],
                  errors: shape.RowErrors) -> Customer | None:
    column, _value = ref
    matches = customers.get(ref, [])
    if not matches:
        errors.add(n, column, {
            "customer": _("No customer with this number."),
            "pesel": _("No customer with this PESEL."),
            "nip": _("No customer with this NIP.")}[column])
        return None
    if len(matches) > 1:
        errors.add(n, column, _(
            "Several customers have this %(what)s: give the customer number instead.")
            % {"what": column.upper()})
        return None
    if matches[0].status != CustomerStatus.ACTIVE:
        errors.add(n, column, _("Customer %(number)s is closed (merged or "
                                "anonymised).") % {"number": matches[0].number})
        return None
    return matches[0]


def _recorded(numbers: list[str]) -> set[str]:
    chunk = 20_000 if connection.vendor == "postgresql" else 500
    found: set[str] = set()
    for i in range(0, len(numbers), chunk):
        found |= set(Invoice.objects.filter(number__in=numbers[i:i + chunk])
                     .values_list("number", flat=True))
    return found


def _build(number: str, rows: list[tuple[int, dict[str, Any]]], customer: Customer,
           job: InvoiceImport, errors: shape.RowErrors) -> Invoice | None:
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

def import_upload(*, actor: Actor, uploaded: Any) -> InvoiceImport:
    """Store the file under a random name and queue its check."""
    org_perms.ensure(actor, perms.INVOICE_MANAGE.code)
    original, stored, _type, _size = files.store(
        uploaded, area=AREA, kinds=frozenset({"csv", "xlsx", "text"}),
        refused=_("Send the invoices as a CSV or XLSX file."))
    with transaction.atomic():
        job = InvoiceImport.objects.create(created_by=employee_of(actor), original_name=original,
                                           stored_name=stored)
        audit_record(action="cashdesk.invoice_import.upload", obj=job, actor=actor,
                     message=original)
        from punkt.cashdesk.tasks import invoice_import_check

        transaction.on_commit(lambda: invoice_import_check.enqueue(job.pk))
    return job


def import_get(*, user: Actor, import_id: Any) -> InvoiceImport:
    """HQ's imports are the company's (no branch): the permission is the scope."""
    org_perms.ensure(user, perms.INVOICE_MANAGE.code)
    job = InvoiceImport.objects.select_related("job", "created_by").filter(
        pk=import_id).first()
    if job is None:
        raise NotFound(_("Import not found."))
    return job


def import_confirm(*, actor: Actor, import_id: Any) -> InvoiceImport:
    """Start writing a checked file — once, however often the button is pressed."""
    job = import_get(user=actor, import_id=import_id)
    from punkt.cashdesk.tasks import invoice_import_run

    shape.confirm(IMPORT_FLOW, job, actor=actor, audit="cashdesk.invoice_import.confirm",
                  message=f"{job.invoices_total} invoices, {job.gross_total}",
                  refused=_("This import is not waiting for confirmation (already started, "
                            "finished or refused)."),
                  then=lambda: invoice_import_run.enqueue(job.pk))
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
            return _check_and_write(job, progress)
    except IntegrityError:  # an invoice of the file recorded meanwhile (API, other import)
        failed = InvoiceImport.objects.get(pk=job_id)
        IMPORT_FLOW.move(failed, "fail", errors=[{"row": 0, "field": "number", "message": _(
            "An invoice of this file was recorded while it was being imported: nothing "
            "was imported; upload the file again to see which.")}])
        failed.refresh_from_db()
        return failed


def _check_and_write(job: InvoiceImport, progress: Any) -> InvoiceImport:
    """All or nothing: a file with an error is rejected, one without is written whole."""
    invoices = check(job, progress)
    if not invoices:
        IMPORT_FLOW.move(job, "reject", rows_total=job.rows_total, errors=job.errors)
        return job
    if progress:
        progress.update(done=0, total=len(invoices), message=_("Writing the invoices"))
    write(job, invoices)
    job.invoices_imported = len(invoices)
    IMPORT_FLOW.move(job, "finish", rows_total=job.rows_total,
                     invoices_total=job.invoices_total, customers_total=job.customers_total,
                     gross_total=job.gross_total, invoices_imported=job.invoices_imported,
                     errors=job.errors)
    return job
