"""Scheduled retention work: end-of-term notices once a day (each contract once: C9)."""

from __future__ import annotations

import datetime

from django.tasks import task

from punkt.core.jobs import periodic


@task()
def end_of_term_notices(slot: str) -> int:
    from punkt.retention.services import send_end_of_term_notices

    return send_end_of_term_notices()


periodic("retention.end_of_term_notices", datetime.timedelta(days=1),
         lambda slot: end_of_term_notices.enqueue(slot=slot.isoformat()))
