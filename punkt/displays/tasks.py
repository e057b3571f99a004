"""The displays' daily job: overdue display tasks remind their branch once a day."""

from __future__ import annotations

import datetime

from django.tasks import task

from punkt.core.jobs import periodic


@task()
def remind_overdue(slot: str) -> dict[str, int]:
    """Safe to run twice or at once: the day is claimed per task by a conditional update
    of ``reminded_on`` and each notification's key names the task and the day (C9, C13)."""
    from punkt.displays.services import remind_overdue as run

    return run()


periodic("displays.remind_overdue", datetime.timedelta(days=1),
         lambda slot: remind_overdue.enqueue(slot=slot.isoformat()))
