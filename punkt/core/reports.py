"""Large reads of reports: the statistics that add up a year of rows at once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

#: room for one report's aggregation in memory (the default 4 MB spills a year's
#: per-employee sums to disk)
WORK_MEM = "32MB"


@contextmanager
def report_reads() -> Iterator[None]:
    """Run a report's statements in one transaction where PostgreSQL aggregates in memory
    and in the request's own process: on two cores, parallel workers for a 100 ms
    aggregate cost more (start-up, a partial sort, a merge) than they save, and take the
    cores other requests wait for. Elsewhere (SQLite) only the transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT set_config('work_mem', %s, true), "
                            "set_config('max_parallel_workers_per_gather', '0', true)",
                            [WORK_MEM])
        yield
