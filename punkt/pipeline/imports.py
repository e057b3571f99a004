"""Importing existing deals (opportunities) from a CSV/XLSX file into one branch (issue 18
item 9), through the shared import shape (``punkt/core/imports.py``).

The whole file is checked first by a background task — every error named by its row and
column, nothing written —; the manager (his branch) or HQ sees how many deals and złoty it
holds and confirms; a second task checks it again and writes every deal in one
transaction, or none (as HQ's invoice files). A row's customer must be one the importer
may see (by number, PESEL or NIP); its owner an employee of the branch who keeps
opportunities. Each deal gets its number (``SZ/<year>/<n>``), an "imported" step in its
history (its stage; a won or lost deal also its closing step with the reason), a timeline
entry on the customer and, per batch, an audit row. The imported step does not count as
time spent in a stage (the deal's real stays are unknown); the funnel report counts the
stage it reached, its outcome and its reason.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from punkt.core import bulk, files
from punkt.core import imports as shape
from punkt.core.audit import audit_record
from punkt.core.errors import ValidationFailed
from punkt.core.numbering import reserve_in_year
from punkt.core.scoping import BranchScopedQuerySet
from punkt.customers import permissions as customer_perms
from punkt.customers.models import Customer, CustomerStatus, TimelineEntry
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Branch, Employee, Membership
from punkt.pipeline import permissions as perms
from punkt.pipeline.models import (
    DealImport,
    DealImportStatus,
    LossReason,
    Opportunity,
    OpportunityCounter,
    OpportunityEvent,
    OpportunityStatus,
    Stage,
)

AREA = "deal-imports"
MAX_ROWS = 20_000
MAX_AMOUNT = Decimal("9999999999.99")
BATCH = 1000
WARSAW_TZ = ZoneInfo("Europe/Warsaw")

#: core's import table with the deal import's permission (docs/workflows/import.md): a
#: file with any error is refused whole; a confirmed one is written whole, or fails.
IMPORT_FLOW = shape.import_flow(gettext_lazy("Deal files"), permission=perms.DEAL_IMPORT.code,
                                branch_of=lambda job: job.branch_id)

#: The file's columns: name → (what it holds, the other headings taken for it).
COLUMNS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "customer": (gettext_lazy("customer number (K0001234)"),
                 ("klient", "numer klienta", "nr klienta", "customer number")),
    "pesel": (gettext_lazy("or the customer's PESEL"), ()),
    "nip": (gettext_lazy("or the customer's NIP"), ()),
    "title": (gettext_lazy("what is sold"), ("tytuł", "tytul", "przedmiot", "co sprzedajemy",
                                             "nazwa")),
    "amount": (gettext_lazy("expected amount in zł, e.g. 1250,00 (optional)"),
               ("kwota", "wartość", "wartosc")),
    "stage": (gettext_lazy("stage, by its name (optional: the first; a won deal: the last)"),
              ("etap",)),
    "owner": (gettext_lazy("seller: the employee's e-mail (login) in the branch"),
              ("opiekun", "sprzedawca", "handlowiec", "e-mail sprzedawcy", "seller")),
    "branch": (gettext_lazy("branch code (optional: the branch chosen for the file)"),
               ("oddział", "oddzial", "kod oddziału", "kod oddzialu")),
    "expected_close": (gettext_lazy("expected closing month, MM.YYYY or YYYY-MM (optional)"),
                       ("miesiąc zamknięcia", "miesiac zamkniecia", "planowane zamknięcie",
                        "planowane zamkniecie", "expected close")),
    "status": (gettext_lazy("status: otwarta, wygrana or przegrana (open, won, lost; "
                            "default open)"), ("stan",)),
    "reason": (gettext_lazy("a lost deal's reason, by its name"),
               ("powód", "powod", "przyczyna", "powód utraty", "powod utraty")),
    "created": (gettext_lazy("date opened, DD.MM.YYYY (optional: today)"),
                ("data utworzenia", "utworzona", "data otwarcia", "created date")),
    "closed": (gettext_lazy("a won or lost deal's closing date (optional: the date opened)"),
               ("data zamknięcia", "data zamkniecia", "zamknięta", "zamknieta",
                "closed date")),
    "notes": (gettext_lazy("notes (optional)"), ("uwagi", "notatki")),
}
HEADER_ALIASES = {alias: name for name, (_label, aliases) in COLUMNS.items()
                  for alias in (*aliases, name.replace("_", " "))}
REQUIRED = ("title", "owner")
STATUS_ALIASES = {
    "": OpportunityStatus.OPEN, "open": OpportunityStatus.OPEN,
    "otwarta": OpportunityStatus.OPEN, "otwarte": OpportunityStatus.OPEN,
    "w toku": OpportunityStatus.OPEN, "won": OpportunityStatus.WON,
    "wygrana": OpportunityStatus.WON, "wygrane": OpportunityStatus.WON,
    "lost": OpportunityStatus.LOST, "przegrana": OpportunityStatus.LOST,
    "przegrane": OpportunityStatus.LOST, "utracona": OpportunityStatus.LOST}
SAMPLE_HEADER = ["klient", "tytuł", "kwota", "etap", "opiekun", "oddział",
                 "miesiąc zamknięcia", "status", "powód", "data utworzenia",
                 "data zamknięcia", "uwagi"]
DATE_DOTS = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
MONTH_DOTS = re.compile(r"^(\d{1,2})\.(\d{4})$")
MONTH_ISO = re.compile(r"^(\d{4})-(\d{1,2})$")


def sample_rows() -> list[list[Any]]:
    """Three deals as a file would hold them (the first stages of the company's list)."""
    stages = list(Stage.objects.filter(active=True).order_by("position", "pk"))
    first = stages[0].name if stages else "Prezentacja"
    second = stages[1].name if len(stages) > 1 else first
    reason = (LossReason.objects.filter(active=True, stage__isnull=True)
              .order_by("position", "pk").first())
    today = timezone.localdate()
    month = (today.replace(day=1) + datetime.timedelta(days=40)).replace(day=1)
    return [
        ["K0000001", "Abonament dla firmy — 10 linii", "4800,00", second,
         "sprzedawca@example.com", "", f"{month:%m.%Y}", "otwarta", "",
         f"{today:%d.%m.%Y}", "", ""],
        ["K0000002", "Internet światłowodowy 1 Gb/s", "1200,00", "", "sprzedawca@example.com",
         "", "", "wygrana", "", f"{today:%d.%m.%Y}", f"{today:%d.%m.%Y}", ""],
        ["K0000003", "Telewizja — pakiet rodzinny", "", first, "sprzedawca@example.com", "",
         "", "przegrana", reason.label if reason else "Cena", f"{today:%d.%m.%Y}",
         f"{today:%d.%m.%Y}", "za drogo"],
    ]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.split())
    return value


def _rows(job: DealImport) -> Iterator[tuple[int, dict[str, Any]]]:
    rows = shape.numbered_rows(
        files.path_of(job.stored_name, area=AREA), HEADER_ALIASES, max_rows=MAX_ROWS,
        too_many=_("At most %(n)d rows per file: split it.") % {"n": MAX_ROWS})
    for n, raw in rows:
        yield n, {k: _cell(v) for k, v in raw.items() if k in COLUMNS}


def _date(value: Any) -> datetime.date | None:
    """DD.MM.YYYY, YYYY-MM-DD or a spreadsheet date; None when it is not one."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    try:
        if m := DATE_DOTS.match(text):
            return datetime.date(int(m[3]), int(m[2]), int(m[1]))
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def _month(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date | datetime.datetime):
        day = value.date() if isinstance(value, datetime.datetime) else value
        return day.replace(day=1)
    text = str(value).strip()
    try:
        if m := MONTH_DOTS.match(text):
            return datetime.date(int(m[2]), int(m[1]), 1)
        if m := MONTH_ISO.match(text):
            return datetime.date(int(m[1]), int(m[2]), 1)
    except ValueError:
        return None
    found = _date(text)
    return found.replace(day=1) if found else None


def _customer_ref(n: int, row: dict[str, Any], errors: shape.RowErrors
                  ) -> tuple[str, str] | None:
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


def _visible_customers(actor: Any, refs: set[tuple[str, str]]
                       ) -> dict[tuple[str, str], list[Customer]]:
    """The customers the importer may see, by reference (large chunks, not a probe a
    row): another branch's customer is not found."""
    fields = ("pk", "status", "branch_id", "display_name", "first_name", "last_name", "nip",
              "pesel")
    chunk = 20_000 if connection.vendor == "postgresql" else 500
    seen = Customer.objects.visible_to(actor, customer_perms.CUSTOMER_VIEW)
    found: dict[tuple[str, str], list[Customer]] = {}
    for column, lookup in (("customer", "pk__in"), ("pesel", "pesel__in"), ("nip", "nip__in")):
        values = sorted({v for c, v in refs if c == column})
        for i in range(0, len(values), chunk):
            part = [int(v) for v in values[i:i + chunk]] if column == "customer" \
                else values[i:i + chunk]
            qs = seen.filter(**{lookup: part}).only(*fields)
            if column != "customer":
                qs = qs.filter(status=CustomerStatus.ACTIVE)
            for c in qs:
                value = str(c.pk) if column == "customer" else getattr(c, column)
                found.setdefault((column, value), []).append(c)
    return found


class _Context:
    """What every row is checked against, read once per file."""

    def __init__(self, job: DealImport) -> None:
        self.job = job
        self.branch = job.branch
        stages = list(Stage.objects.filter(active=True).order_by("position", "pk"))
        self.first = stages[0] if stages else None
        self.last = stages[-1] if stages else None
        self.stages: dict[str, Stage] = {}
        for s in stages:
            self.stages.setdefault(s.name.strip().lower(), s)
            self.stages.setdefault(s.code.lower(), s)
        self.reasons: dict[str, list[LossReason]] = {}
        for r in LossReason.objects.filter(active=True):
            self.reasons.setdefault(r.label.strip().lower(), []).append(r)
        members = (Membership.objects.filter(branch=self.branch, employee__is_active=True)
                   .select_related("employee"))
        self.staff: dict[str, Employee] = {m.employee.email.lower(): m.employee
                                           for m in members}
        self.sellers: dict[int, bool] = {}
        self.today = timezone.localdate()

    def seller(self, email: str) -> Employee | None:
        employee = self.staff.get(email.strip().lower())
        if employee is None:
            return None
        if employee.pk not in self.sellers:
            self.sellers[employee.pk] = org_perms.can(
                employee, perms.OPPORTUNITY_EDIT.code, self.branch.pk)
        return employee if self.sellers[employee.pk] else None


def check(job: DealImport, progress: Any = None) -> list[Opportunity]:
    """Read and check the whole file: the unsaved opportunities when it has no error;
    otherwise the errors (row, column, message) are on ``job.errors`` and the list is
    empty."""
    errors = shape.RowErrors()
    ctx = _Context(job)
    if ctx.first is None:
        raise ValidationFailed("no_stages", _("HQ has set no sales stages yet."), field="file")
    rows: list[tuple[int, dict[str, Any], tuple[str, str] | None]] = []
    total = 0
    for n, row in _rows(job):
        total += 1
        if total == 1:
            _check_columns(row)
        rows.append((n, row, _customer_ref(n, row, errors)))
        shape.report(progress, total, every=2_000, message=lambda k: ngettext(
            "Read %(n)d row", "Read %(n)d rows", k) % {"n": k})
    if not total:
        raise ValidationFailed("empty", _("The file has no deal rows."), field="file")
    customers = _visible_customers(job.created_by, {r for _n, _row, r in rows if r})
    deals = []
    for n, row, ref in rows:
        deal = _build(n, row, ref, customers, ctx, errors)
        if deal is not None:
            deals.append(deal)
    job.rows_total = total
    job.errors = errors.by_cell(lambda k: _("…and %(n)d more errors.") % {"n": k})
    if errors:
        return []
    job.deals_total = len(deals)
    job.amount_total = sum((d.amount or Decimal(0) for d in deals), Decimal(0))
    return deals


def _check_columns(row: dict[str, Any]) -> None:
    missing = [c for c in REQUIRED if c not in row]
    if not any(c in row for c in ("customer", "pesel", "nip")):
        missing.insert(0, "customer")
    if missing:
        raise ValidationFailed("columns_missing", _(
            "The file lacks the columns: %(columns)s (see the list of columns).")
            % {"columns": ", ".join(missing)}, field="file")


def _the_customer(n: int, ref: tuple[str, str] | None,
                  customers: dict[tuple[str, str], list[Customer]],
                  errors: shape.RowErrors) -> Customer | None:
    if ref is None:
        return None
    column, _value = ref
    matches = customers.get(ref, [])
    if not matches:
        errors.add(n, column, {
            "customer": _("No customer with this number that you may see."),
            "pesel": _("No customer with this PESEL that you may see."),
            "nip": _("No customer with this NIP that you may see.")}[column])
        return None
    if len(matches) > 1:
        errors.add(n, column, _(
            "Several customers have this %(what)s: give the customer number instead.")
            % {"what": column.upper()})
        return None
    if matches[0].status != CustomerStatus.ACTIVE:
        errors.add(n, column, _("This customer is closed (merged or anonymised)."))
        return None
    return matches[0]


def _build(n: int, row: dict[str, Any], ref: tuple[str, str] | None,
           customers: dict[tuple[str, str], list[Customer]], ctx: _Context,
           errors: shape.RowErrors) -> Opportunity | None:
    """One row's unsaved opportunity, or None with its errors added (every bad cell of
    the row named, not only the first)."""
    before = errors.count
    customer = _the_customer(n, ref, customers, errors)

    title = str(row.get("title", "")).strip()
    if not title:
        errors.add(n, "title", _("Say what is sold."))
    elif len(title) > 200:
        errors.add(n, "title", _("At most 200 characters."))

    amount = None
    if str(row.get("amount", "")).strip():
        from punkt.core import values

        try:
            amount = values.amount(row["amount"], field="amount")
        except ValidationFailed as exc:
            errors.add(n, "amount", exc.message)
        else:
            if amount is not None and not Decimal(0) <= amount <= MAX_AMOUNT:
                errors.add(n, "amount", _("Give an amount from 0 to 9 999 999 999,99 zł."))
                amount = None

    branch_text = str(row.get("branch", "")).strip()
    if branch_text and branch_text.upper() != ctx.branch.code.upper() \
            and branch_text.lower() != ctx.branch.name.lower():
        errors.add(n, "branch", _("This file is imported into %(branch)s (%(code)s): leave "
                                  "the column empty or give that branch.")
                   % {"branch": ctx.branch.name, "code": ctx.branch.code})

    owner_text = str(row.get("owner", "")).strip()
    owner = ctx.seller(owner_text) if owner_text else None
    if not owner_text:
        errors.add(n, "owner", _("Give the seller's e-mail."))
    elif owner is None:
        errors.add(n, "owner", _("No employee of this branch who keeps opportunities has "
                                 "this e-mail."))

    status_text = str(row.get("status", "")).strip().lower()
    status = STATUS_ALIASES.get(status_text)
    if status is None:
        errors.add(n, "status", _("Write otwarta, wygrana or przegrana."))

    stage_text = str(row.get("stage", "")).strip().lower()
    stage = ctx.stages.get(stage_text) if stage_text else (
        ctx.last if status == OpportunityStatus.WON else ctx.first)
    if stage is None:
        errors.add(n, "stage", _("No sales stage in use has this name."))
    elif status == OpportunityStatus.WON and ctx.last and stage.pk != ctx.last.pk:
        errors.add(n, "stage", _("A won sale is at the last stage, “%(stage)s”.")
                   % {"stage": ctx.last.name})

    month = None
    if row.get("expected_close") not in ("", None):
        month = _month(row["expected_close"])
        if month is None or not 2000 <= month.year <= 2100:
            errors.add(n, "expected_close", _("Give the month as MM.YYYY or YYYY-MM."))
            month = None

    created = ctx.today
    if row.get("created") not in ("", None):
        day = _date(row["created"])
        if day is None or day.year < 2000:
            errors.add(n, "created", _("Give the date as DD.MM.YYYY or YYYY-MM-DD."))
        elif day > ctx.today:
            errors.add(n, "created", _("The date cannot be in the future."))
        else:
            created = day

    closed = None
    if row.get("closed") not in ("", None):
        day = _date(row["closed"])
        if status == OpportunityStatus.OPEN:
            errors.add(n, "closed", _("An open deal has no closing date."))
        elif day is None or day.year < 2000:
            errors.add(n, "closed", _("Give the date as DD.MM.YYYY or YYYY-MM-DD."))
        elif day > ctx.today:
            errors.add(n, "closed", _("The date cannot be in the future."))
        elif day < created:
            errors.add(n, "closed", _("A deal cannot close before it was opened."))
        else:
            closed = day
    if status in (OpportunityStatus.WON, OpportunityStatus.LOST) and closed is None:
        closed = created

    reason = None
    reason_text = str(row.get("reason", "")).strip().lower()
    if status == OpportunityStatus.LOST:
        choices = ctx.reasons.get(reason_text, []) if reason_text else []
        fitting = [r for r in choices if stage is None or r.stage_id in (None, stage.pk)]
        if not reason_text:
            errors.add(n, "reason", _("Give the reason the deal was lost."))
        elif not fitting:
            errors.add(n, "reason", _("No reason of this name for this stage or any stage."))
        else:
            reason = fitting[0]
    elif reason_text and status is not None:
        errors.add(n, "reason", _("Only a lost deal takes a reason."))

    notes = str(row.get("notes", "")).strip()
    if len(notes) > 5000:
        errors.add(n, "notes", _("At most 5000 characters."))

    if errors.count > before or customer is None or owner is None or stage is None \
            or status is None:
        return None
    opened_at = _moment(created)
    return Opportunity(
        branch=ctx.branch, customer=customer, owner=owner, title=title, amount=amount,
        expected_close=month, stage=stage, status=status, loss_reason=reason,
        notes=notes, created_by=ctx.job.created_by, created_at=opened_at,
        stage_since=opened_at, closed_at=_moment(closed) if closed else None)


def _moment(day: datetime.date) -> datetime.datetime:
    """Noon in Warsaw of ``day`` (an imported date has no hour); today's: now."""
    if day == timezone.localdate():
        return timezone.now()
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=WARSAW_TZ)


# --- The steps a user takes ----------------------------------------------------------

def imports_visible_to(user: Actor) -> BranchScopedQuerySet[DealImport]:
    """The files of the branches where ``user`` imports deals."""
    return DealImport.objects.visible_to(user, perms.DEAL_IMPORT)


def import_upload(*, actor: Actor, branch_id: Any, uploaded: Any) -> DealImport:
    """Store the file under a random name for a branch the importer may import into,
    and queue its check."""
    org_perms.ensure(actor, perms.DEAL_IMPORT.code)
    allowed = Branch.objects.visible_to(actor, perms.DEAL_IMPORT).filter(
        kind="branch", is_active=True)
    if branch_id:
        branch = allowed.filter(pk=branch_id).first()
    else:
        only = list(allowed[:2])
        branch = only[0] if len(only) == 1 else None
    if branch is None:
        raise ValidationFailed("invalid", _("Choose the branch the deals are imported into."),
                               field="branch")
    org_perms.ensure(actor, perms.DEAL_IMPORT.code, branch.pk)
    original, stored, _type, _size = files.store(
        uploaded, area=AREA, kinds=frozenset({"csv", "xlsx", "text"}),
        refused=_("Send the deals as a CSV or XLSX file."))
    with transaction.atomic():
        job = DealImport.objects.create(branch=branch, created_by=employee_of(actor),
                                        original_name=original, stored_name=stored)
        audit_record(action="pipeline.deal_import.upload", obj=job, actor=actor,
                     branch_id=branch.pk, message=original)
        from punkt.pipeline.tasks import deal_import_check

        transaction.on_commit(lambda: deal_import_check.enqueue(job.pk))
    return job


def import_get(*, user: Actor, import_id: Any) -> DealImport:
    org_perms.ensure(user, perms.DEAL_IMPORT.code)
    return (imports_visible_to(user).select_related("job", "created_by", "branch")
            .get_or_not_found(import_id, missing=_("Import not found.")))


def import_confirm(*, actor: Actor, import_id: Any) -> DealImport:
    """Start writing a checked file — once, however often the button is pressed."""
    job = import_get(user=actor, import_id=import_id)
    from punkt.pipeline.tasks import deal_import_run

    shape.confirm(IMPORT_FLOW, job, actor=actor, audit="pipeline.deal_import.confirm",
                  message=f"{job.deals_total} deals, {job.amount_total}",
                  refused=_("This import is not waiting for confirmation (already started, "
                            "finished or refused)."),
                  then=lambda: deal_import_run.enqueue(job.pk))
    job.refresh_from_db()
    return job


def write(job: DealImport, deals: list[Opportunity]) -> None:
    """Insert the checked deals with their history steps and timeline entries (inside the
    caller's transaction: all or nothing); one audit row per batch."""
    now = timezone.now()
    numbers = reserve_in_year(OpportunityCounter, timezone.localdate(now).year, "SZ",
                              len(deals))
    for deal, number in zip(deals, numbers, strict=True):
        deal.number = number
    label = job.original_name[:200]
    for start in range(0, len(deals), BATCH):
        chunk = deals[start:start + BATCH]
        bulk.insert(chunk)
        events = []
        for d in chunk:
            events.append(OpportunityEvent(
                opportunity=d, action="import", to_stage=d.stage, status=OpportunityStatus.OPEN,
                actor=job.created_by, at=d.created_at, note=label))
            if d.status != OpportunityStatus.OPEN:
                events.append(OpportunityEvent(
                    opportunity=d, action=d.status, from_stage=d.stage, to_stage=d.stage,
                    status=d.status, actor=job.created_by, at=d.closed_at or d.created_at,
                    reason=d.loss_reason,
                    note=d.loss_reason.label if d.loss_reason else ""))
        bulk.insert(events)
        bulk.insert([TimelineEntry(
            customer_id=d.customer_id, kind="opportunity", branch_id=d.branch_id,
            subject=(_("%(number)s: sales opportunity imported: %(title)s")
                     % {"number": d.number, "title": d.title})[:200],
            occurred_at=now, source_type=Opportunity._meta.label_lower,
            source_id=str(d.pk)) for d in chunk])
        audit_record(action="pipeline.deal_import.batch", obj=job, actor=job.created_by,
                     branch_id=job.branch_id,
                     message=f"{len(chunk)} deals, {chunk[0].number} … {chunk[-1].number}")
    from punkt.pipeline import next_steps

    next_steps.refresh(d.customer_id for d in deals)


def run(job_id: int, progress: Any = None) -> DealImport | None:
    """Check the file again (the database may have changed) and write it whole, exactly
    once: the import's row is locked and moves to DONE in the same transaction."""
    with transaction.atomic():
        job = (DealImport.objects.select_for_update(of=("self",))
               .select_related("created_by", "branch")
               .filter(pk=job_id, status=DealImportStatus.RUNNING).first())
        if job is None:
            return None
        deals = check(job, progress)
        if not deals:
            IMPORT_FLOW.move(job, "reject", rows_total=job.rows_total, errors=job.errors)
            return job
        if progress:
            progress.update(done=0, total=len(deals), message=_("Writing the deals"))
        write(job, deals)
        job.deals_imported = len(deals)
        IMPORT_FLOW.move(job, "finish", rows_total=job.rows_total,
                         deals_total=job.deals_total, amount_total=job.amount_total,
                         deals_imported=job.deals_imported, errors=job.errors)
        return job
