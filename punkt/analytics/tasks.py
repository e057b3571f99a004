"""The refresh, once a day per slot (C9): a second scheduler or a task run twice finds the
slot's snapshot and does nothing; a refresh killed midway leaves the previous figures."""

from __future__ import annotations

import datetime

from django.tasks import task

from punkt.core.jobs import periodic


@task()
def refresh_analytics(slot: str) -> dict[str, int]:
    from punkt.analytics import refresh

    snap = refresh.refresh(slot=slot)
    return {"snapshot": snap.pk if snap else 0, "customers": snap.customers if snap else 0}


periodic("analytics.refresh", datetime.timedelta(days=1),
         lambda slot: refresh_analytics.enqueue(slot=slot.isoformat()))
