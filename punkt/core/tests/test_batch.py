"""``batch.one_transaction``: the audit rows of a block are written together when it
ends, with the block; a unit that fails takes its rows with it; outside a block every
row is written at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from punkt.core import batch
from punkt.core.audit import audit_record
from punkt.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _inserts(ctx: CaptureQueriesContext) -> int:
    return sum(q["sql"].startswith('INSERT INTO "core_auditevent"')
               for q in ctx.captured_queries)


def test_the_rows_of_a_block_are_written_together_when_it_ends() -> None:
    with CaptureQueriesContext(connection) as ctx, batch.one_transaction():
        for n in range(5):
            audit_record(action=f"test.batch.{n}")
        assert AuditEvent.objects.filter(action__startswith="test.batch").count() == 0
    assert AuditEvent.objects.filter(action__startswith="test.batch").count() == 5
    assert _inserts(ctx) == 1


def test_a_failed_unit_drops_its_rows_and_the_others_stay() -> None:
    with batch.one_transaction():
        audit_record(action="test.batch.kept")
        with pytest.raises(RuntimeError), batch.unit():
            audit_record(action="test.batch.dropped")
            raise RuntimeError("this mail fails")
        with batch.unit():
            audit_record(action="test.batch.next")
    assert sorted(AuditEvent.objects.filter(action__startswith="test.batch")
                  .values_list("action", flat=True)) == ["test.batch.kept", "test.batch.next"]


def test_a_block_that_fails_writes_nothing() -> None:
    with pytest.raises(RuntimeError), batch.one_transaction():
        audit_record(action="test.batch.lost")
        raise RuntimeError("the worker stops")
    assert not AuditEvent.objects.filter(action="test.batch.lost").exists()


def test_outside_a_block_a_row_is_written_at_once() -> None:
    assert batch.current() is None and batch.memo() is None
    row = audit_record(action="test.batch.now")
    assert row.pk is not None
