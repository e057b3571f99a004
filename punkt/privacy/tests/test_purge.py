"""The retention purge: periods counted as the law counts them, configurable, a dry run
that reports per category and changes nothing, a real run that purges in batches only
what outlived its period, idempotent, audited; the nightly job."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection

from punkt.core.jobs import PERIODIC
from punkt.core.models import AuditEvent
from punkt.core.processing import (
    FROM_DATE,
    FROM_TAX_YEAR_END,
    FROM_YEAR_END,
    RETENTION,
    Period,
    period_of,
)
from punkt.privacy import purge
from punkt.privacy.models import PurgeRun

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 5)


def test_tax_period_counts_from_the_end_of_the_year_after_the_invoice() -> None:
    """An invoice of December 2019: VAT due January 2020, time-barred at the end of 2025,
    purged in 2026; one of January 2020 stays until 2027 (Tax Ordinance art. 70)."""
    cutoff = Period(years=5, counted_from=FROM_TAX_YEAR_END).cutoff(TODAY)
    assert cutoff == datetime.date(2020, 1, 1)
    assert Period(years=5, counted_from=FROM_TAX_YEAR_END).cutoff(
        datetime.date(2026, 1, 1)) == datetime.date(2020, 1, 1)
    assert Period(years=6, counted_from=FROM_YEAR_END).cutoff(TODAY) == datetime.date(2020, 1, 1)
    assert Period(years=3, counted_from=FROM_DATE).cutoff(TODAY) == datetime.date(2023, 12, 5)
    assert Period(days=90).cutoff(TODAY) == datetime.date(2026, 9, 6)
    assert Period(years=1).cutoff(datetime.date(2028, 2, 29)) == datetime.date(2027, 2, 28)


def test_periods_are_configurable_and_bad_settings_are_refused(settings: Any) -> None:
    invoices = RETENTION["cashdesk.invoices"]
    assert period_of(invoices) == invoices.default
    settings.PUNKT_RETENTION = {"cashdesk.invoices": {"years": 10}}
    assert period_of(invoices) == Period(years=10, counted_from=FROM_TAX_YEAR_END)
    settings.PUNKT_RETENTION = {"core.audit": 7}
    assert period_of(RETENTION["core.audit"]).years == 7
    for bad in ({"nope": 3}, {"core.audit": "5"}, {"core.audit": {"years": -1}},
                {"core.audit": {"years": 0}}, {"core.audit": {"months": 3}},
                {"core.audit": {"counted_from": "never"}}):
        settings.PUNKT_RETENTION = bad
        with pytest.raises(ImproperlyConfigured):
            purge.categories()


def _old_invoice(world: Any, issued: datetime.date) -> Any:
    from punkt.cashdesk.models import Invoice
    from punkt.cashdesk.tests.factories import invoice

    inv = invoice(world)
    Invoice.objects.filter(pk=inv.pk).update(issued_on=issued)
    return Invoice.objects.get(pk=inv.pk)


def test_dry_run_reports_and_changes_nothing_then_the_run_purges(world: Any) -> None:
    from punkt.cashdesk.models import Invoice

    old = _old_invoice(world, datetime.date(2019, 12, 31))
    kept = _old_invoice(world, datetime.date(2020, 1, 1))
    out = io.StringIO()
    call_command("purge", "--dry-run", "--category", "cashdesk.invoices", stdout=out)
    assert "cashdesk.invoices" in out.getvalue() and "2019-12-31" in out.getvalue()
    line = PurgeRun.objects.get().report[0]
    assert (line["count"], line["oldest"], line["purged"]) == (1, "2019-12-31", 0)
    assert Invoice.objects.get(pk=old.pk).buyer_name  # nothing changed

    record = purge.run(dry_run=False, codes=["cashdesk.invoices"], batch=1)
    assert record.report[0]["purged"] == 1
    old, kept = Invoice.objects.get(pk=old.pk), Invoice.objects.get(pk=kept.pk)
    assert (old.buyer_name, old.buyer_nip, old.buyer_street, old.buyer_lookup) == ("",) * 4
    assert old.number and old.gross  # the accounting record stays
    assert kept.buyer_name and kept.buyer_lookup
    assert AuditEvent.objects.filter(action="privacy.retention.purge",
                                     message="cashdesk.invoices").count() == 1
    again = purge.run(dry_run=False, codes=["cashdesk.invoices"])
    assert again.report[0]["count"] == 0 and again.report[0]["purged"] == 0


def test_closed_contracts_lose_the_customer_data_after_six_years(world: Any,
                                                                 tmp_path: Any,
                                                                 settings: Any) -> None:
    settings.VAR_DIR = tmp_path
    from punkt.contracts.models import Contract
    from punkt.retention.tests.test_retention import active

    ended = active(world, 30)
    running = active(world, 30)
    Contract.objects.filter(pk=ended.pk).update(starts_on=datetime.date(2017, 7, 1),
                                                ends_on=datetime.date(2019, 6, 30))
    assert Contract.objects.get(pk=ended.pk).values["klient"]
    record = purge.run(dry_run=False, codes=["contracts.closed"])
    assert record.report[0]["purged"] == 1
    ended = Contract.objects.get(pk=ended.pk)
    assert ended.values["klient"] == "" and ended.values["pozycje"] and not ended.pdf_stored
    assert Contract.objects.get(pk=running.pk).values["klient"]


def test_former_customers_are_anonymised_and_current_ones_kept(world: Any) -> None:
    from punkt.contracts.tests.factories import customer
    from punkt.customers.models import Customer, CustomerStatus, TimelineEntry

    gone, current = customer(world), customer(world)
    long_ago = datetime.datetime(2021, 5, 1, tzinfo=datetime.UTC)
    Customer.objects.filter(pk__in=[gone.pk, current.pk]).update(
        created_at=long_ago, updated_at=long_ago)
    TimelineEntry.objects.filter(customer=gone).update(created_at=long_ago)
    record = purge.run(dry_run=False, codes=["customers.former"], today=TODAY)
    assert record.report[0]["purged"] == 1
    assert Customer.objects.get(pk=gone.pk).status == CustomerStatus.ANONYMISED
    assert Customer.objects.get(pk=current.pk).status == CustomerStatus.ACTIVE


def test_old_audit_rows_and_job_reports_are_deleted(world: Any) -> None:
    from django.db import models
    from django.utils import timezone

    from punkt.core.audit import audit_record
    from punkt.core.models import JobProgress, JobStatus

    old = audit_record(action="test.old")
    new = audit_record(action="test.new")
    with connection.cursor() as c:  # the test's setup: back-date around the guard
        if connection.vendor == "postgresql":
            c.execute("SET session_replication_role = replica")
        models.QuerySet.update(AuditEvent.objects.filter(pk=old.pk),
                               at=timezone.now() - datetime.timedelta(days=6 * 366))
        if connection.vendor == "postgresql":
            c.execute("SET session_replication_role = origin")
    job = JobProgress.objects.create(kind="x", status=JobStatus.DONE, result={"a": 1})
    JobProgress.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=100))
    fresh = JobProgress.objects.create(kind="x", status=JobStatus.DONE)
    purge.run(dry_run=False, codes=["core.audit", "core.jobs"])
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=new.pk).exists()
    assert list(JobProgress.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_command_refuses_unknown_categories_and_the_job_is_nightly() -> None:
    with pytest.raises(CommandError):
        call_command("purge", "--category", "nope", stdout=io.StringIO())
    assert PERIODIC["privacy.retention_purge"].every == datetime.timedelta(days=1)
    from punkt.privacy.tasks import retention_purge

    assert retention_purge.call(slot="2026-12-05T00:00:00+00:00") is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL triggers")
def test_database_refuses_what_erasure_and_purge_may_not_do(world: Any) -> None:
    """The append-only guards let through only emptying the erasable columns and deleting
    rows older than the floor (C26)."""
    from django.db import DatabaseError, transaction

    from punkt.core.audit import audit_record
    from punkt.retention.tests.test_retention import active

    row = audit_record(action="test.recent", message="x")
    contract = active(world, 30)
    event_id = contract.events.values_list("pk", flat=True)[0]
    refused = [f"UPDATE core_auditevent SET message = 'y' WHERE id = {row.pk}",
               f"DELETE FROM core_auditevent WHERE id = {row.pk}",
               f"UPDATE core_auditevent SET action = 'z', message = '' WHERE id = {row.pk}",
               f"UPDATE contracts_contractevent SET note = 'inna' WHERE id = {event_id}",
               f"DELETE FROM contracts_contractevent WHERE id = {event_id}"]
    for sql in refused:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
            c.execute(sql)
    with connection.cursor() as c:
        c.execute(f"UPDATE core_auditevent SET message = '', changes = '{{}}' "
                  f"WHERE id = {row.pk}")
        c.execute(f"UPDATE contracts_contractevent SET note = '' WHERE id = {event_id}")
