"""Large reads of reports: the statistics that add up a year of rows at once — on the
read replica when one is configured.

``with report_reads():`` (or a view decorated ``@reads_reports``) runs a report's reads
in one transaction, on the PostgreSQL read replica when ``DATABASE_REPLICA_URL`` is set
(``settings.REPORTS_ON_REPLICA``), else on the primary: :class:`ReportRouter` sends
every ORM read made inside it to that database, and :func:`read_connection` is the
connection for a report's own SQL. Writes made inside (an export's audit record, a kept
count in the cache) still go to the primary: the router sends no write to the replica.

A replica replays the primary a moment behind: a report read there may miss what was
saved a second ago. Nothing that decides a write reads inside ``report_reads`` — the
counters, the tills and every workflow read the primary.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

#: room for one report's aggregation in memory (the default 4 MB spills a year's
#: per-employee sums to disk)
WORK_MEM = "32MB"
REPLICA = "replica"

#: the database the reports read now (None outside ``report_reads``)
_reading: ContextVar[str | None] = ContextVar("punkt_report_reads", default=None)

def report_database() -> str:
    """The alias a report reads from: the replica when configured and switched on."""
    if getattr(settings, "REPORTS_ON_REPLICA", False) and REPLICA in connections:
        return REPLICA
    return DEFAULT_DB_ALIAS


def read_connection() -> BaseDatabaseWrapper:
    """The connection for a report's own SQL: the replica inside ``report_reads`` (when
    it reads there), the primary elsewhere."""
    return connections[_reading.get() or DEFAULT_DB_ALIAS]


@contextmanager
def report_reads() -> Iterator[str]:
    """Run a report's statements in one transaction on the report database, where
    PostgreSQL aggregates in memory and in the request's own process: on two cores,
    parallel workers for a 100 ms aggregate cost more (start-up, a partial sort, a merge)
    than they save, and take the cores other requests wait for. Elsewhere (SQLite) only
    the transaction. Yields the alias read. Nested, the outer one's database is kept."""
    alias = _reading.get() or report_database()
    token = _reading.set(alias)
    try:
        with transaction.atomic(using=alias):
            connection = connections[alias]
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("SELECT set_config('work_mem', %s, true), "
                                "set_config('max_parallel_workers_per_gather', '0', true)",
                                [WORK_MEM])
            yield alias
    finally:
        _reading.reset(token)


def reads_reports[F: Callable[..., Any]](view: F) -> F:
    """A report view or API operation whose reads run in :func:`report_reads`."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with report_reads():
            return view(*args, **kwargs)

    # the signature with its annotations resolved in the view's own module: an API
    # operation's parameters are read from it (django-ninja), and the wrapper's module
    # does not know their types
    wrapped.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


class ReportRouter:
    """Reads inside ``report_reads`` go to its database; everything else (every write,
    every read outside a report, every migration) to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return _reading.get()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica is the primary's copy

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
