"""Personal data rights (GDPR / RODO): export, anonymisation, merge of duplicates, and
data-subject requests with their one-month deadline.

Every model that links to a customer is registered here (``register_linked``) with what
export, erasure and merge do to its rows; a test walks all models and fails when one
with a foreign key to :class:`Customer` is missing (C28). Later areas register theirs.
"""

from __future__ import annotations

import calendar
import datetime
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.duration import duration_iso_string
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from punkt.core.audit import audit_erase, audit_record
from punkt.core.errors import Conflict, ValidationFailed
from punkt.core.models import AuditEvent, JobProgress
from punkt.customers import permissions as perms
from punkt.customers import search
from punkt.customers.models import (
    Consent,
    ConsentEvent,
    Customer,
    CustomerContact,
    CustomerImport,
    CustomerStatus,
    CustomerWord,
    DataSubjectRequest,
    MergeRecord,
    Recommendation,
    RequestKind,
    RequestStatus,
    TimelineEntry,
    TimelineKind,
)
from punkt.customers.timeline import timeline_add
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of

ERASE_DELETE = "delete"
ERASE_KEEP = "keep"


@dataclass(frozen=True)
class Linked:
    model: type[models.Model]
    field: str = "customer"
    #: ``delete`` rows, ``keep`` them (say why), or a function(queryset) that scrubs them.
    erase: str | Callable[[Any], None] = ERASE_DELETE
    keep_reason: str = ""
    #: Move rows to the surviving customer on merge (False: the model handles it).
    move_on_merge: bool = True
    export_exclude: tuple[str, ...] = ()


LINKED: dict[str, Linked] = {}


def register_linked(model: type[models.Model], **options: Any) -> None:
    LINKED[model._meta.label_lower] = Linked(model=model, **options)


#: What an area recomputes, in the same transaction, after customers were merged,
#: unmerged or anonymised (their rows moved or scrubbed): called with the customers' ids.
CUSTOMERS_CHANGED: list[Callable[[list[int]], None]] = []


def on_customers_changed(callback: Callable[[list[int]], None]) -> None:
    if callback not in CUSTOMERS_CHANGED:
        CUSTOMERS_CHANGED.append(callback)


def _customers_changed(ids: list[int]) -> None:
    for callback in CUSTOMERS_CHANGED:
        callback(ids)


#: Columns that hold a copy of personal data without a link to the customer (background
#: job payloads, import error lists): erasure scrubs the customer's identifiers out of
#: every row that contains one. ``label`` → (model, columns); areas add theirs.
@dataclass(frozen=True)
class AddressEraser:
    """How an area finds and erases what a person **without a customer record** left
    under their e-mail address (a contact form's sender, an e-mail's, a chat visitor):
    ``count(address)`` and ``erase(address)`` → how many of its records hold it."""

    label: Any  # a lazy translation
    count: Callable[[str], int]
    erase: Callable[[str], int]
    #: the names the person gave under the address (scrubbed from notices and payloads)
    names: Callable[[str], list[str]] = lambda _address: []


ADDRESS_ERASERS: dict[str, AddressEraser] = {}


def register_address_eraser(code: str, eraser: AddressEraser) -> None:
    if code in ADDRESS_ERASERS:
        raise ValueError(f"Address eraser {code!r} registered twice")
    ADDRESS_ERASERS[code] = eraser


def sender_records(*, actor: Actor, email: str) -> list[tuple[str, int]]:
    """What each area holds under ``email`` for people without a customer record (a
    customer's records are erased with the customer): (label, count) per area."""
    from punkt.customers.identifiers import clean_email

    org_perms.ensure(actor, perms.GDPR_MANAGE.code)
    address = clean_email(email)
    if not address:
        raise ValidationFailed("required", _("This field is required."), field="email")
    return [(str(e.label), e.count(address)) for _code, e in sorted(ADDRESS_ERASERS.items())]


@transaction.atomic
def sender_erase(*, actor: Actor, email: str, reason: str) -> int:
    """Erase a person without a customer record by e-mail address (GDPR art. 17) in every
    area that holds it: their details and the texts of what they wrote. Needs the GDPR
    right and a reason; returns how many records were erased, and audits it."""
    from punkt.customers.identifiers import clean_email

    org_perms.ensure(actor, perms.GDPR_MANAGE.code)
    address = clean_email(email)
    if not address:
        raise ValidationFailed("required", _("This field is required."), field="email")
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationFailed("required", _("Give the reason (e.g. the request it answers)."),
                               field="reason")
    names = {n.strip() for e in ADDRESS_ERASERS.values() for n in e.names(address)}
    erased = {code: e.erase(address) for code, e in sorted(ADDRESS_ERASERS.items())}
    # notices, webhook deliveries, job reports that quote the address or the name given
    needles = sorted({address, *(n for n in names if len(n) >= 3)}, key=lambda v: (-len(v), v))
    scrubbed = scrub_payloads(needles)
    audit_record(action="privacy.sender.erase", actor=actor,
                 changes={"erased": erased, "payloads": scrubbed}, message=reason[:500])
    return sum(erased.values())


PAYLOADS: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {}


def register_payload(model: type[models.Model], *columns: str) -> None:
    PAYLOADS[model._meta.label_lower] = (model, columns)


def identifiers(customer: Customer) -> list[str]:
    """The customer's values that identify them in free text, longest first."""
    values = [customer.pesel, customer.nip, customer.regon, customer.bank_account,
              customer.phone, customer.email, customer.company_name, customer.last_name,
              f"{customer.first_name} {customer.last_name}".strip(),
              f"{customer.last_name} {customer.first_name}".strip()]
    values += [c.value for c in CustomerContact.objects.filter(customer=customer)]
    return sorted({v.strip() for v in values if v and len(v.strip()) >= 3},
                  key=lambda v: (-len(v), v))


def _scrub_value(value: Any, needles: list[str]) -> Any:
    if isinstance(value, str):
        for needle in needles:
            value = re.sub(re.escape(needle), "***", value, flags=re.IGNORECASE)
        return value
    if isinstance(value, list):
        return [_scrub_value(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_value(v, needles) for k, v in value.items()}
    return value


def scrub_payloads(needles: list[str]) -> int:
    """Replace the needles in every registered payload column that contains one; returns
    the number of rows changed. A JSON column is matched as text, in both the plain and
    the ``\\u``-escaped form SQLite stores."""
    if not needles:
        return 0
    changed = 0
    for model, columns in PAYLOADS.values():
        match = models.Q()
        for column in columns:
            field = model._meta.get_field(column)
            target: Any = column
            if isinstance(field, models.JSONField):
                target = Cast(column, models.TextField())
            for needle in needles:
                escaped = json.dumps(needle)[1:-1]
                for form in {needle, escaped}:
                    match |= models.Q(_match_lookup(model, target, form))
        for row in model._default_manager.filter(match).iterator():
            values = {c: _scrub_value(getattr(row, c), needles) for c in columns}
            if any(values[c] != getattr(row, c) for c in columns):
                model._default_manager.filter(pk=row.pk).update(**values)
                changed += 1
    return changed


def _match_lookup(model: type[models.Model], target: Any, needle: str) -> Any:
    from django.db.models.lookups import IContains

    if isinstance(target, str):
        return models.Q(**{f"{target}__icontains": needle})
    return IContains(target, needle)


def _scrub_timeline(qs: Any) -> None:
    qs.update(subject="", body="")


def _scrub_requests(qs: Any) -> None:
    qs.update(note="", resolution="")


def _scrub_merges(qs: Any) -> None:
    """Keep what undoing needs to know was moved (lists of row ids), nothing else: the
    dropped duplicate contacts and the merged record's values go."""
    for record in qs:
        moved = {k: v for k, v in (record.moved or {}).items()
                 if k != "contacts_dropped" and isinstance(v, list)
                 and all(isinstance(i, int) for i in v)}
        MergeRecord.objects.filter(pk=record.pk).update(snapshot={}, filled={}, moved=moved)


register_linked(CustomerContact)
register_linked(Consent, erase=ERASE_KEEP, keep_reason="proof of consent (GDPR art. 7(1))")
register_linked(ConsentEvent, erase=ERASE_KEEP,
                keep_reason="proof of consent (GDPR art. 7(1)); holds no personal data")
register_linked(TimelineEntry, erase=_scrub_timeline)
register_linked(DataSubjectRequest, erase=_scrub_requests,
                keep_reason="accountability for requests (GDPR art. 5(2))")
register_linked(MergeRecord, field="survivor", erase=_scrub_merges, move_on_merge=False)
register_linked(CustomerWord, move_on_merge=False, export_exclude=("id",))
# Who brought whom (R12.7): the link holds no personal data besides the two records, so
# erasure keeps it (the recommender's count stays true, the erased side is anonymised).
# A merge moves both sides itself (``_merge_recommendations``): a duplicate's
# recommendation when the survivor has none, and the customers the duplicate brought.
register_linked(Recommendation, erase=ERASE_KEEP, move_on_merge=False,
                keep_reason="who recommended the customer: no personal data besides the "
                "link to the (anonymised) records")
RECOMMENDER_LABEL = "customers.recommendation.recommender"
LINKED[RECOMMENDER_LABEL] = Linked(model=Recommendation, field="recommender",
                                   erase=ERASE_KEEP, move_on_merge=False)
register_payload(JobProgress, "message", "result")
register_payload(CustomerImport, "errors")
register_payload(DBTaskResult, "args_kwargs", "return_value", "traceback")

#: Customer fields cleared on anonymisation, with the value they get.
PERSONAL_FIELDS: dict[str, Any] = {
    "first_name": "", "last_name": "", "company_name": "", "pesel": "", "birth_date": None,
    "nip": "", "regon": "", "bank_account": "", "phone": "", "email": "", "street": "",
    "postal_code": "", "city": "", "corr_street": "", "corr_postal_code": "", "corr_city": "",
    "corr_country": "", "industry": "", "activity": "", "employer": "", "age_band": "",
    "education": "", "income_band": "", "vehicle": "", "has_branches": None,
    "founding_year": None, "company_size": "", "main_customer_type": "",
}


def _value(v: Any) -> Any:
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()
    if isinstance(v, datetime.timedelta):  # a duration: ISO 8601 (P1DT02H00M00S)
        return duration_iso_string(v)
    if hasattr(v, "quantize"):
        return str(v)
    return v


def _rows(qs: Any, exclude: tuple[str, ...]) -> list[dict[str, Any]]:
    fields = [f.attname for f in qs.model._meta.concrete_fields if f.attname not in exclude]
    return [{k: _value(v) for k, v in row.items()} for row in qs.values(*fields)]


def customer_export_data(*, actor: Actor, customer_id: int) -> dict[str, Any]:
    """Everything held on the customer, machine-readable (GDPR art. 15 and 20)."""
    org_perms.ensure(actor, perms.GDPR_MANAGE.code)
    customer = Customer.objects.visible_to(actor, perms.GDPR_MANAGE).get_or_not_found(
        customer_id, missing=_("Customer not found."))
    data: dict[str, Any] = {
        "format": "punkt.customer-export/1",
        "exported_at": timezone.now().isoformat(),
        "customer": _rows(Customer.objects.filter(pk=customer.pk),
                          ("search_text", "sort_key"))[0],
    }
    for label, linked in sorted(LINKED.items()):
        qs = linked.model._default_manager.filter(**{linked.field: customer})
        data[label] = _rows(qs, linked.export_exclude)
    audit_record(action="customers.gdpr.export", obj=customer, actor=actor,
                 branch_id=customer.branch_id)
    return data


@transaction.atomic
def customer_anonymise(*, actor: Actor, customer_id: int, reason: str) -> Customer:
    """Remove personal data everywhere; keep what the law requires (see ``LINKED``)."""
    org_perms.ensure(actor, perms.GDPR_MANAGE.code)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed("required", _("Give the reason (e.g. the request it answers)."),
                               field="reason")
    customer = Customer.objects.locked(customer_id, missing=_("Customer not found."))
    if customer.status == CustomerStatus.ANONYMISED:
        raise Conflict("already_anonymised", _("This customer is already anonymised."))
    if customer.status == CustomerStatus.MERGED:
        raise Conflict("merged", _("This record was merged; anonymise the surviving customer."))
    old_words = search.customer_lexicon(customer)
    needles = identifiers(customer)
    for name, value in PERSONAL_FIELDS.items():
        setattr(customer, name, value)
    customer.status = CustomerStatus.ANONYMISED
    customer.anonymised_at = timezone.now()
    customer.display_name = _("Anonymised customer %(number)s") % {"number": customer.number}
    customer.sort_key = "~"
    customer.search_text = ""
    customer.save()
    for linked in LINKED.values():
        qs = linked.model._default_manager.filter(**{linked.field: customer})
        if linked.erase == ERASE_DELETE:
            qs.delete()
        elif callable(linked.erase):
            linked.erase(qs)
    # Customers merged into this one carry the same person's data.
    for merged in Customer.objects.filter(merged_into=customer):
        old_words |= search.customer_lexicon(merged)
        needles = sorted(set(needles) | set(identifiers(merged)), key=lambda v: (-len(v), v))
        for linked in LINKED.values():
            qs = linked.model._default_manager.filter(**{linked.field: merged})
            if linked.erase == ERASE_DELETE:
                qs.delete()
            elif callable(linked.erase):
                linked.erase(qs)
        audit_erase(AuditEvent.objects.filter(object_type=Customer._meta.label_lower,
                                              object_id=str(merged.pk)))
        Customer.objects.filter(pk=merged.pk).update(
            **PERSONAL_FIELDS, status=CustomerStatus.MERGED, search_text="", sort_key="~",
            display_name=_("Anonymised customer %(number)s") % {"number": merged.number},
            anonymised_at=timezone.now())
    search.lexicon_prune(old_words)
    # The change log of the customer record held the old values (names, addresses).
    audit_erase(AuditEvent.objects.filter(object_type=Customer._meta.label_lower,
                                          object_id=str(customer.pk)))
    scrub_payloads(needles)
    _customers_changed([customer.pk, *Customer.objects.filter(merged_into=customer)
                        .values_list("pk", flat=True)])
    timeline_add(customer_id=customer.pk, kind=TimelineKind.SYSTEM,
                 subject=_("Personal data anonymised"), actor=actor)
    audit_record(action="customers.gdpr.anonymise", obj=customer, actor=actor,
                 branch_id=customer.branch_id, message=reason[:500])
    return customer


# --- merge -----------------------------------------------------------------------------

@transaction.atomic
def customer_merge(*, actor: Actor, survivor_id: int, merged_id: int) -> MergeRecord:
    """Move everything of ``merged_id`` to ``survivor_id``; blanks of the survivor are
    filled from the merged record. The merge record lets :func:`customer_unmerge` undo it."""
    from punkt.customers.services import refresh_derived

    org_perms.ensure(actor, perms.CUSTOMER_MERGE.code)
    if survivor_id == merged_id:
        raise ValidationFailed("invalid", _("Choose two different customers."), field="merged")
    first, second = sorted([survivor_id, merged_id])
    missing = _("Customer not found.")
    locked = {pk: Customer.objects.locked(pk, missing=missing) for pk in (first, second)}
    survivor, merged = locked[survivor_id], locked[merged_id]
    for c in (survivor, merged):
        if c.status != CustomerStatus.ACTIVE:
            raise Conflict("not_active", _("%(name)s is not an active customer.")
                           % {"name": c.number})
    if survivor.kind != merged.kind:
        raise ValidationFailed("invalid", _("Only customers of the same type can be merged."),
                               field="merged")
    from punkt.customers.services import EDITABLE

    filled = {}
    for name in EDITABLE:
        if getattr(survivor, name) in ("", None) and getattr(merged, name) not in ("", None):
            filled[name] = _value(getattr(merged, name))
            setattr(survivor, name, getattr(merged, name))
    moved: dict[str, list[Any]] = {}
    known = set(survivor.contacts.values_list("kind", "value"))
    duplicate_contacts = [c.pk for c in merged.contacts.all() if (c.kind, c.value) in known]
    moved["contacts_dropped"] = list(merged.contacts.filter(pk__in=duplicate_contacts)
                                     .values("kind", "value", "label"))
    CustomerContact.objects.filter(pk__in=duplicate_contacts).delete()
    for label, linked in LINKED.items():
        if not linked.move_on_merge or linked.model is Consent:
            continue
        qs = linked.model._default_manager.filter(**{linked.field: merged})
        ids = list(qs.values_list("pk", flat=True))
        if ids:
            moved[label] = ids
            linked.model._default_manager.filter(pk__in=ids).update(
                **{linked.field: survivor})
    _merge_recommendations(survivor, merged, moved)
    _recompute_consents(survivor)
    _recompute_consents(merged)
    snapshot = {f: _value(getattr(merged, f)) for f in EDITABLE}
    snapshot["search_text"] = merged.search_text
    merged.status = CustomerStatus.MERGED
    merged.merged_into = survivor
    merged.search_text = ""
    merged.save()
    refresh_derived(survivor)
    survivor.save()
    search.index_customers([survivor, merged])
    _customers_changed([survivor.pk, merged.pk])
    record = MergeRecord.objects.create(survivor=survivor, merged=merged, moved=moved,
                                        filled=filled, snapshot=snapshot,
                                        actor=employee_of(actor))
    timeline_add(customer_id=survivor.pk, kind=TimelineKind.SYSTEM,
                 subject=_("Merged with duplicate %(number)s") % {"number": merged.number},
                 actor=actor, source=record)
    audit_record(action="customers.customer.merge", obj=survivor, actor=actor,
                 branch_id=survivor.branch_id,
                 changes={"merged": [merged.number, None], "merge_record": [None, record.pk],
                          "filled": [None, sorted(filled)]})
    return record


def _merge_recommendations(survivor: Customer, merged: Customer,
                           moved: dict[str, list[Any]]) -> None:
    """The duplicate's "recommended by" goes to the survivor when it has none (and it was
    not the survivor who recommended the duplicate); the customers the duplicate brought
    become the survivor's, except the survivor himself (nobody recommends himself). The
    ids go into the merge record, so undoing moves them back."""
    own = Recommendation.objects.filter(customer=merged).exclude(recommender=survivor)
    if not Recommendation.objects.filter(customer=survivor).exists():
        ids = list(own.values_list("pk", flat=True))
        if ids:
            moved[Recommendation._meta.label_lower] = ids
            Recommendation.objects.filter(pk__in=ids).update(customer=survivor)
    brought = list(Recommendation.objects.filter(recommender=merged).exclude(customer=survivor)
                   .values_list("pk", flat=True))
    if brought:
        moved[RECOMMENDER_LABEL] = brought
        Recommendation.objects.filter(pk__in=brought).update(recommender=survivor)


def _recompute_consents(customer: Customer) -> None:
    """The current consent per purpose = its newest event (after events moved)."""
    Consent.objects.filter(customer=customer).delete()
    latest: dict[str, ConsentEvent] = {}
    for event in ConsentEvent.objects.filter(customer=customer).order_by("at", "pk"):
        latest[event.purpose] = event
    Consent.objects.bulk_create([
        Consent(customer=customer, purpose=p, granted=e.granted, changed_at=e.at,
                last_event=e) for p, e in latest.items()])


@transaction.atomic
def customer_unmerge(*, actor: Actor, record_id: int) -> Customer:
    """Undo a merge: rows go back, the survivor's filled blanks are cleared again."""
    from punkt.customers.services import refresh_derived

    org_perms.ensure(actor, perms.CUSTOMER_MERGE.code)
    record = MergeRecord.objects.locked(record_id, missing=_("Merge not found."))
    if record.undone_at is not None:
        raise Conflict("already_undone", _("This merge was already undone."))
    first, second = sorted([record.survivor_id, record.merged_id])
    missing = _("Customer not found.")
    locked = {pk: Customer.objects.locked(pk, missing=missing) for pk in (first, second)}
    survivor, merged = locked[record.survivor_id], locked[record.merged_id]
    if merged.status != CustomerStatus.MERGED or survivor.status != CustomerStatus.ACTIVE:
        raise Conflict("not_reversible", _("One of the customers changed status since the "
                                           "merge (e.g. anonymised); it cannot be undone."))
    for label, ids in record.moved.items():
        linked = LINKED.get(label)
        if linked is None:
            continue
        linked.model._default_manager.filter(pk__in=ids).update(**{linked.field: merged})
    for row in record.moved.get("contacts_dropped", []):
        CustomerContact.objects.get_or_create(customer=merged, kind=row["kind"],
                                              value=row["value"],
                                              defaults={"label": row.get("label", "")})
    for name in record.filled:
        field = Customer._meta.get_field(name)
        setattr(survivor, name, None if field.null else "")
    _recompute_consents(survivor)
    _recompute_consents(merged)
    merged.status = CustomerStatus.ACTIVE
    merged.merged_into = None
    refresh_derived(merged)
    merged.save()
    refresh_derived(survivor)
    survivor.save()
    search.index_customers([survivor, merged])
    _customers_changed([survivor.pk, merged.pk])
    record.undone_at = timezone.now()
    record.save(update_fields=["undone_at"])
    timeline_add(customer_id=survivor.pk, kind=TimelineKind.SYSTEM,
                 subject=_("Merge with %(number)s undone") % {"number": merged.number},
                 actor=actor, source=record)
    audit_record(action="customers.customer.unmerge", obj=merged, actor=actor,
                 branch_id=merged.branch_id, changes={"merge_record": [record.pk, None]})
    return merged


# --- data-subject requests ---------------------------------------------------------------

def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day ``months`` later; the month's last day when it has no such day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def request_due(received_on: datetime.date) -> datetime.date:
    """One month from receipt (GDPR art. 12(3))."""
    return add_months(received_on, 1)


@transaction.atomic
def data_request_create(*, actor: Actor, customer_id: int, kind: str,
                        received_on: datetime.date, note: str = "") -> DataSubjectRequest:
    org_perms.ensure(actor, perms.GDPR_MANAGE.code)
    customer = Customer.objects.visible_to(actor, perms.GDPR_MANAGE).get_or_not_found(
        customer_id, missing=_("Customer not found."))
    if kind not in RequestKind.values:
        raise ValidationFailed("invalid", _("Choose the kind of request."), field="kind")
    today = timezone.localdate()
    if received_on > today:
        raise ValidationFailed("invalid", _("The date received cannot be in the future."),
                               field="received_on")
    if received_on < today - datetime.timedelta(days=366):
        raise ValidationFailed("invalid", _("The date received is more than a year ago."),
                               field="received_on")
    req = DataSubjectRequest.objects.create(
        customer=customer, kind=kind, received_on=received_on,
        due_on=request_due(received_on), note=(note or "").strip()[:2000],
        created_by=employee_of(actor))
    audit_record(action="customers.gdpr.request", obj=req, actor=actor,
                 branch_id=customer.branch_id, message=kind)
    return req


@transaction.atomic
def data_request_extend(*, actor: Actor, request_id: int, reason: str) -> DataSubjectRequest:
    """Extend by two months (art. 12(3)); the customer must be told why within the first."""
    org_perms.ensure(actor, perms.GDPR_MANAGE.code)
    req = DataSubjectRequest.objects.locked(request_id, missing=_("Request not found."))
    if req.status != RequestStatus.OPEN:
        raise Conflict("invalid_state", _("Only an open request can be extended, once."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed("required", _("Give the reason for the extension; the customer "
                                             "must be told it."), field="reason")
    req.status = RequestStatus.EXTENDED
    req.due_on = add_months(req.received_on, 3)
    req.note = (req.note + "\n" if req.note else "") + _("Extended: %(r)s") % {"r": reason}
    req.save(update_fields=["status", "due_on", "note"])
    audit_record(action="customers.gdpr.request_extend", obj=req, actor=actor,
                 changes={"due_on": [None, req.due_on.isoformat()]})
    return req


@transaction.atomic
def data_request_close(*, actor: Actor, request_id: int, status: str, resolution: str
                       ) -> DataSubjectRequest:
    org_perms.ensure(actor, perms.GDPR_MANAGE.code)
    req = DataSubjectRequest.objects.locked(request_id, missing=_("Request not found."))
    if not req.is_open:
        raise Conflict("invalid_state", _("This request is already closed."))
    if status not in (RequestStatus.DONE, RequestStatus.REFUSED):
        raise ValidationFailed("invalid", _("Close as completed or refused."), field="status")
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationFailed("required", _("Say what was done (or why it was refused)."),
                               field="resolution")
    req.status = status
    req.resolution = resolution[:2000]
    req.closed_at = timezone.now()
    req.save(update_fields=["status", "resolution", "closed_at"])
    audit_record(action="customers.gdpr.request_close", obj=req, actor=actor, message=status)
    return req
