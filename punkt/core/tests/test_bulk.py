"""core.bulk.insert: the same rows as bulk_create (COPY on PostgreSQL)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import IntegrityError

from punkt.core import bulk
from punkt.customers.models import Customer, CustomerImport, CustomerWord

pytestmark = pytest.mark.django_db


def test_insert_writes_what_bulk_create_would(world: Any) -> None:
    made = [Customer(branch=world.a, kind="person", first_name="Żaneta", last_name=f"Łoś {i}",
                     birth_date=datetime.date(1990, 1, 2), consumer_like=bool(i % 2),
                     has_branches=None, founding_year=None, sort_key=f"los {i}")
            for i in range(3)]
    bulk.insert(made)
    assert all(c.pk for c in made) and len({c.pk for c in made}) == 3
    for c in made:
        stored = Customer.objects.get(pk=c.pk)
        assert (stored.last_name, stored.birth_date, stored.consumer_like, stored.branch_id,
                stored.has_branches) == (c.last_name, c.birth_date, c.consumer_like,
                                         world.a.pk, None)
        assert stored.updated_at is not None and stored.created_at is not None  # auto_now
    job = CustomerImport(branch=world.a, original_name="k.csv", stored_name="x.csv",
                         errors=[{"row": 2, "field": "pesel", "message": "zły „PESEL”"}])
    bulk.insert([job])
    assert CustomerImport.objects.get(pk=job.pk).errors[0]["message"] == "zły „PESEL”"
    assert bulk.insert([]) == []


def test_insert_refuses_unsaved_relations_and_reports_constraint_errors(world: Any) -> None:
    unsaved = Customer(branch=world.a, kind="person", last_name="X")
    with pytest.raises(ValueError):
        bulk.insert([CustomerWord(customer=unsaved, branch=world.a, word="x", sort_key="x")])
    saved = bulk.insert([Customer(branch=world.a, kind="person", last_name="Y")])[0]
    twice = [CustomerWord(customer=saved, branch=world.a, word="y", sort_key="y")
             for _ in range(2)]
    with pytest.raises(IntegrityError):  # unique (customer, word)
        bulk.insert(twice)


def _stored(model: Any, pk: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    row = model.objects.filter(pk=pk).values().get()
    return {k: v for k, v in row.items() if k not in ("id", *skip)}


def test_insert_rows_writes_what_instances_would(world: Any) -> None:
    """Plain rows give the rows model instances give: the fields left out get the field's
    default (callable ones per row), auto_now times; ids come back in order."""
    from django.utils import timezone

    from punkt.customers.models import ConsentEvent, TimelineEntry

    before = timezone.now()
    rows = [{"branch_id": world.a.pk, "kind": "person", "first_name": "Żaneta",
             "last_name": f"Łoś {i}", "birth_date": datetime.date(1990, 1, 2 + i),
             "consumer_like": bool(i % 2), "has_branches": None, "founding_year": 1990 + i,
             "sort_key": f"los {i}"} for i in range(3)]
    ids = bulk.insert_rows(Customer, rows)
    made = [Customer(**row) for row in rows]
    bulk.insert(made)
    assert len(set(ids)) == 3 and all(isinstance(pk, int) for pk in ids)
    for pk, twin, row in zip(ids, made, rows, strict=True):
        stored = Customer.objects.get(pk=pk)
        assert stored.last_name == row["last_name"] and stored.status == "active"
        assert stored.created_at >= before and stored.updated_at >= before
        assert stored.created_at != Customer.objects.get(pk=ids[0]).created_at or pk == ids[0]
        times = ("created_at", "updated_at")
        assert _stored(Customer, pk, times) == _stored(Customer, twin.pk, times)
    entry = bulk.insert_rows(TimelineEntry, [{"customer_id": ids[0], "kind": "system"}])[0]
    stored_entry = TimelineEntry.objects.get(pk=entry)
    assert (stored_entry.subject, stored_entry.direction, stored_entry.branch_id) == ("", "",
                                                                                      None)
    assert stored_entry.occurred_at >= before
    assert bulk.insert_rows(ConsentEvent, []) == []


def test_insert_rows_refuses_unknown_fields_and_uneven_rows(world: Any) -> None:
    with pytest.raises(TypeError, match="'customer'"):
        bulk.insert_rows(CustomerWord, [{"customer": 1, "word": "x"}])
    saved = bulk.insert_rows(Customer, [{"branch_id": world.a.pk, "kind": "person",
                                         "last_name": "Y"}])[0]
    with pytest.raises(ValueError, match="same fields"):
        bulk.insert_rows(CustomerWord, [
            {"customer_id": saved, "branch_id": world.a.pk, "word": "a", "sort_key": "y"},
            {"customer_id": saved, "branch_id": world.a.pk, "word": "b"}])
    twice = {"customer_id": saved, "branch_id": world.a.pk, "word": "y", "sort_key": "y"}
    with pytest.raises(IntegrityError):  # unique (customer, word)
        bulk.insert_rows(CustomerWord, [twice, dict(twice)])


def test_present_finds_the_values_held(world: Any) -> None:
    """One statement on PostgreSQL (an array), chunks of ``__in`` elsewhere: same answer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pesels = [f"8501011234{i}" for i in range(10)]
    bulk.insert_rows(Customer, [{"branch_id": world.a.pk, "kind": "person", "last_name": p,
                                 "pesel": p, "status": "merged" if p.endswith("9") else "active"}
                                for p in pesels[::3]])
    asked = [*pesels, "", "x'); DROP TABLE customers_customer; --", *pesels[:2]]
    active = Customer.objects.filter(status="active")
    with CaptureQueriesContext(connection) as queries:
        found = bulk.present(active, "pesel", asked, chunk=4)
    assert found == {"85010112340", "85010112343", "85010112346"}
    assert len(queries) == (1 if connection.vendor == "postgresql" else 3)
    assert bulk.present(active, "pesel", []) == set()
    assert bulk.present(Customer.objects.all(), "last_name", ["85010112349"]) == {"85010112349"}


def test_insert_rows_without_ids_lets_the_database_number_them(world: Any) -> None:
    saved = bulk.insert_rows(Customer, [{"branch_id": world.a.pk, "kind": "person",
                                         "last_name": "Z"}])[0]
    rows = [{"customer_id": saved, "branch_id": world.a.pk, "word": w, "sort_key": "z"}
            for w in ("alfa", "beta")]
    assert bulk.insert_rows(CustomerWord, rows, return_ids=False) == []
    stored = CustomerWord.objects.filter(customer_id=saved).order_by("pk")
    assert [w.word for w in stored] == ["alfa", "beta"] and stored[0].pk < stored[1].pk
    later = bulk.insert_rows(CustomerWord, [{**rows[0], "word": "gamma"}])[0]
    assert later > stored[1].pk  # the sequence moved on
