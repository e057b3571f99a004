"""Two employees at once on one customer (PostgreSQL: row locks, conditional updates)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from punkt.core.errors import DomainError
from punkt.customers import gdpr, imports, services
from punkt.customers.models import (
    ConsentEvent,
    CustomerImport,
    CustomerStatus,
    ImportStatus,
    MergeRecord,
)
from punkt.customers.tests.factories import CustomerFactory
from punkt.organization.tests.test_concurrency import _race
from tests.world import make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers; row locks need PostgreSQL"),
]
def _customer(w: Any, **data: Any) -> Any:
    return CustomerFactory.create(actor=w.service_a, branch=w.a, **data)


def test_same_consent_recorded_at_once_counts_once() -> None:
    w = make_world()
    c = _customer(w)
    results = _race(4, lambda: services.consent_record(
        actor=w.service_a, customer_id=c.pk, purpose="marketing_sms", granted=True))
    assert ConsentEvent.objects.filter(customer=c, purpose="marketing_sms").count() == 1
    assert len([r for r in results if isinstance(r, DomainError)]) == 3


def test_two_merges_of_the_same_duplicate() -> None:
    w = make_world()
    a, b, c = _customer(w), _customer(w), _customer(w)
    results = _race(2, lambda: gdpr.customer_merge(actor=w.expert, survivor_id=a.pk,
                                                   merged_id=b.pk))
    results += _race(2, lambda: gdpr.customer_merge(actor=w.expert, survivor_id=c.pk,
                                                    merged_id=a.pk))
    assert MergeRecord.objects.count() == 2
    b.refresh_from_db()
    assert b.status == CustomerStatus.MERGED


def test_import_confirmed_twice_at_once_starts_once() -> None:
    w = make_world()
    job = CustomerImport.objects.create(branch=w.a, created_by=w.manager_a,
                                        original_name="k.csv", stored_name="k-race.csv",
                                        status=ImportStatus.CHECKED, rows_valid=3)
    results = _race(4, lambda: imports.import_confirm(actor=w.manager_a, import_id=job.pk))
    assert len([r for r in results if not isinstance(r, DomainError)]) == 1


def test_database_refuses_changing_consent_history() -> None:
    from django.db.utils import DatabaseError

    w = make_world()
    c = _customer(w)
    with pytest.raises(DatabaseError), connection.cursor() as cur:
        cur.execute("UPDATE customers_consentevent SET granted = false WHERE customer_id = %s",
                    [c.pk])
    with pytest.raises(DatabaseError), connection.cursor() as cur:
        cur.execute("DELETE FROM customers_consentevent WHERE customer_id = %s", [c.pk])
