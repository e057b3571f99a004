"""The import shape every file import shares (punkt/core/imports.py)."""

from __future__ import annotations

from typing import Any

import pytest

from punkt.core import imports


def test_every_import_labels_only_states_of_the_table() -> None:
    from punkt.cashdesk.imports import IMPORT_FLOW as INVOICES
    from punkt.cashdesk.models import ImportStatus as InvoiceStatus
    from punkt.customers.models import ImportStatus as CustomerStatus
    from punkt.customers.workflows import IMPORT_FLOW as CUSTOMERS

    table = {s for t in CUSTOMERS.transitions.values() for s in (*t.sources, t.target)}
    assert table == set(imports.STATES)
    assert set(CustomerStatus.values) <= table and set(InvoiceStatus.values) <= table
    assert [(t.action, t.sources, t.target) for t in CUSTOMERS.transitions.values()] == [
        (t.action, t.sources, t.target) for t in INVOICES.transitions.values()]


def test_row_errors_keep_a_capped_list_and_count_all() -> None:
    errors = imports.RowErrors(cap=2)
    assert not errors
    for row in (5, 3, 4):
        errors.add(row, "pesel", f"row {row}")
    assert errors.count == 3 and [e["row"] for e in errors.by_row()] == [3, 5]
    listed = errors.by_cell(lambda n: f"{n} more")
    assert listed[-1] == {"row": 0, "field": "", "message": "1 more"}


def test_numbered_rows_stop_past_the_limit(tmp_path: Any) -> None:
    from punkt.core.errors import ValidationFailed

    path = tmp_path / "f.csv"
    path.write_text("Imię;b\nx;1\ny;2\nz;3\n")
    rows = imports.numbered_rows(path, {"imię": "a"}, max_rows=2, too_many="too many")
    assert next(rows) == (2, {"a": "x", "b": "1"}) and next(rows)[0] == 3
    with pytest.raises(ValidationFailed) as exc:
        next(rows)
    assert exc.value.field == "file" and exc.value.message == "too many"


@pytest.mark.django_db
def test_a_move_happens_once(world: Any) -> None:
    """A confirmation pressed twice, a task run twice: the job moves once (C10)."""
    from punkt.customers.models import CustomerImport, ImportStatus
    from punkt.customers.workflows import IMPORT_FLOW

    job = CustomerImport.objects.create(branch=world.a, original_name="k.csv",
                                        stored_name="k-move.csv", status=ImportStatus.CHECKED)
    twin = CustomerImport.objects.get(pk=job.pk)
    assert IMPORT_FLOW.move(job, "confirm") and job.status == ImportStatus.RUNNING
    assert not IMPORT_FLOW.move(twin, "confirm") and twin.status == ImportStatus.CHECKED
    assert IMPORT_FLOW.move(job, "finish", rows_imported=3)
    job.refresh_from_db()
    assert (job.status, job.rows_imported) == (ImportStatus.DONE, 3)
