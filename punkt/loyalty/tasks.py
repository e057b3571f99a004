"""The daily expiry of points (and the tiers whose purchases left the 12-month window):
once per daily slot (C9); a second run expires nothing (``ExpiryRun``)."""

from __future__ import annotations

import datetime

from django.tasks import task

from punkt.core.jobs import periodic


@task()
def expire_points(slot: str) -> int:
    from punkt.loyalty.services import expire_points as run

    return run()


periodic("loyalty.expire_points", datetime.timedelta(days=1),
         lambda slot: expire_points.enqueue(slot=slot.isoformat()))
