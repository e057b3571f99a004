"""The nightly retention purge (``privacy.retention_purge``)."""

from __future__ import annotations

import datetime

from django.tasks import task

from punkt.core.jobs import periodic


@task()
def retention_purge(slot: str) -> dict[str, int]:
    """Purge what outlived its retention period; safe to run twice (purged rows no longer
    match their category)."""
    from punkt.privacy import purge

    record = purge.run(dry_run=False, actor_label="scheduler")
    return {line["code"]: line["purged"] for line in record.report}


periodic("privacy.retention_purge", datetime.timedelta(days=1),
         lambda slot: retention_purge.enqueue(slot=slot.isoformat()))
