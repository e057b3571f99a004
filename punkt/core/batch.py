"""Many changes in one transaction, written as one: a job that makes hundreds of records
in a row (a chunk of a mailbox poll) runs them inside ``one_transaction()``.

Inside it:

- the append-only rows every change leaves behind — the audit event, the customer's
  timeline entry, the bell's notification — are kept (``add``) and written together,
  one ``INSERT`` per table, when the block ends, still inside the transaction: they
  commit or roll back with the changes they record;
- a unit of work that fails in its own savepoint drops the rows it kept
  (``mark`` / ``drop_after``), as the savepoint dropped its other writes;
- sinks and helpers may read their settings once for the whole block (``memo``: the
  webhook subscriptions) — as if every change of the block happened when it began.

Outside a block ``add`` saves the row at once, so a service behaves the same either way;
inside, the row it returns has no id yet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction


@dataclass
class Batch:
    #: (row, whether a clash with a unique key is ignored)
    rows: list[tuple[models.Model, bool]] = field(default_factory=list)
    memo: dict[str, Any] = field(default_factory=dict)

    def mark(self) -> int:
        return len(self.rows)

    def drop_after(self, mark: int) -> None:
        del self.rows[mark:]

    def flush(self) -> None:
        groups: dict[tuple[type[models.Model], bool], list[models.Model]] = defaultdict(list)
        for row, ignore in self.rows:
            groups[type(row), ignore].append(row)
        self.rows.clear()
        for (model, ignore), rows in groups.items():
            model._default_manager.bulk_create(rows, batch_size=500,
                                               ignore_conflicts=ignore)


_CURRENT: ContextVar[Batch | None] = ContextVar("punkt_batch", default=None)


@contextmanager
def one_transaction() -> Iterator[Batch]:
    """A transaction whose kept rows are written when it ends (nested: the outer one's)."""
    outer = _CURRENT.get()
    if outer is not None:
        yield outer
        return
    with transaction.atomic():
        kept = Batch()
        token = _CURRENT.set(kept)
        try:
            yield kept
            kept.flush()
        finally:
            _CURRENT.reset(token)


def current() -> Batch | None:
    return _CURRENT.get()


def memo() -> dict[str, Any] | None:
    """The block's memo (None outside a block: read every time)."""
    kept = _CURRENT.get()
    return kept.memo if kept is not None else None


def add[M: models.Model](row: M, *, ignore_conflicts: bool = False) -> M:
    """Insert ``row`` now, or with the block's others when it ends; with
    ``ignore_conflicts`` a row clashing with a unique key is left out (a notification
    sent once per key)."""
    kept = _CURRENT.get()
    if kept is not None:
        kept.rows.append((row, ignore_conflicts))
    elif ignore_conflicts:
        type(row)._default_manager.bulk_create([row], ignore_conflicts=True)
    else:
        row.save(force_insert=True)
    return row


@contextmanager
def unit() -> Iterator[None]:
    """One unit of work in its own savepoint; when it fails, the rows it kept go too."""
    kept = _CURRENT.get()
    mark = kept.mark() if kept is not None else 0
    try:
        with transaction.atomic():
            yield
    except BaseException:
        if kept is not None:
            kept.drop_after(mark)
        raise
