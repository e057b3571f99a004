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
