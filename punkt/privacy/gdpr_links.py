"""What the privacy area declares: its own processing (the breach log) and the
platform's (the audit log, background jobs), which have no area of their own."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from punkt.core.processing import (
    BASE_MEASURES,
    FROM_YEAR_END,
    Period,
    activity,
    midnight,
    retention_category,
)

activity("privacy.audit",
         name=_("Audit log"),
         purpose=_("Accountability and security: who did what and when"),
         legal_basis=_("GDPR art. 5(2), 32; art. 6(1)(c) and (f)"),
         subjects=_("Employees; customers named in changes"),
         data=_("Actor, time, IP address, action, object number, changed fields"),
         recipients=_("Administrators"),
         retention=_("5 years, then deleted by the retention purge"),
         measures=BASE_MEASURES)
activity("privacy.breaches",
         name=_("Breach log"),
         purpose=_("Documenting personal data breaches and notifying UODO"),
         legal_basis=_("GDPR art. 33(5), art. 6(1)(c)"),
         subjects=_("Customers and employees affected by a breach"),
         data=_("Description of the breach, categories and number of people affected"),
         recipients=_("Administrators; UODO"),
         retention=_("Kept as accountability records"),
         measures=BASE_MEASURES)


# --- retention categories of customers as a whole and of the platform ------------------

def _former_customers(cutoff: datetime.date) -> Any:
    """Customers with no contract in force or in preparation, none ended since the cutoff,
    no invoice within its tax period, no sale and no contact since the cutoff."""
    from punkt.cashdesk.gdpr_links import tax_cutoff
    from punkt.cashdesk.models import Invoice
    from punkt.contracts.models import Contract, ContractStatus
    from punkt.customers.models import Customer, CustomerStatus, TimelineEntry
    from punkt.sales.models import Sale

    since = midnight(cutoff)
    ended = [ContractStatus.ACTIVE, ContractStatus.REJECTED, ContractStatus.CANCELLED]
    customer = OuterRef("pk")
    return Customer.objects.filter(status=CustomerStatus.ACTIVE, created_at__lt=since,
                                   updated_at__lt=since).exclude(
        Exists(Contract.objects.filter(customer=customer).filter(
            ~Q(status__in=ended) | Q(ends_on__gte=cutoff)))).exclude(
        Exists(Invoice.objects.filter(customer=customer, issued_on__gte=tax_cutoff()))).exclude(
        Exists(Sale.objects.filter(customer=customer, created_at__gte=since))).exclude(
        Exists(TimelineEntry.objects.filter(customer=customer, created_at__gte=since)))


def _anonymise(ids: list[Any]) -> int:
    from punkt.core.access import SystemActor
    from punkt.customers.gdpr import customer_anonymise

    for pk in ids:
        customer_anonymise(actor=SystemActor("retention purge"), customer_id=pk,
                           reason="retention period ended (former customer)")
    return len(ids)


retention_category(
    "customers.former", label=_("Former customers without contracts"),
    rule=_("3 years from the end of the year of the last contract, invoice, sale or "
           "contact: claims connected with running a business (Civil Code art. 118); "
           "invoices keep them longer (tax period)"),
    default=Period(years=3, counted_from=FROM_YEAR_END), expired=_former_customers,
    date_field="updated_at", purge=_anonymise,
    action=_("anonymised as on a request for erasure"))


def _old_audit(cutoff: datetime.date) -> Any:
    from punkt.core.models import AuditEvent

    return AuditEvent.objects.filter(at__lt=midnight(cutoff))


def _delete_audit(ids: list[Any]) -> int:
    from django.db import models

    from punkt.core.models import AuditEvent

    return models.QuerySet.delete(AuditEvent.objects.filter(pk__in=ids))[0]


retention_category(
    "core.audit", label=_("Audit log"),
    rule=_("5 years, as the accounting records it accounts for (Accounting Act art. 74); "
           "the database refuses to delete rows younger than a year"),
    default=Period(years=5), expired=_old_audit, date_field="at", purge=_delete_audit,
    action=_("deleted"))


def _old_jobs(cutoff: datetime.date) -> Any:
    from punkt.core.models import JobProgress, JobStatus

    return JobProgress.objects.filter(updated_at__lt=midnight(cutoff),
                                      status__in=[JobStatus.DONE, JobStatus.FAILED])


retention_category(
    "core.jobs", label=_("Background job payloads (import reports)"),
    rule=_("90 days: kept only while the person who started the job may need the report "
           "(GDPR art. 5(1)(e), storage limitation)"),
    default=Period(days=90), expired=_old_jobs, date_field="updated_at",
    purge=lambda ids: _delete_jobs(ids), action=_("deleted"))


def _delete_jobs(ids: list[Any]) -> int:
    from punkt.core.models import JobProgress

    return JobProgress.objects.filter(pk__in=ids).delete()[0]
