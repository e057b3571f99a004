"""The service desk's jobs: SLA states recomputed every minute (warnings, breaches and
escalation, ``punkt/servicedesk/sla.py``) and the orphan check every 15 minutes."""

from __future__ import annotations

import datetime

from django.tasks import task

from punkt.core.jobs import periodic


@task()
def recompute_sla(slot: str) -> dict[str, int]:
    """Safe to run twice or at once: each state changes by a conditional update and warns
    or escalates only when that update took (C10, C13)."""
    from punkt.servicedesk import sla

    return sla.recompute_due()


periodic("servicedesk.recompute_sla", datetime.timedelta(minutes=1),
         lambda slot: recompute_sla.enqueue(slot=slot.isoformat()))


@task()
def check_orphans(slot: str) -> int:
    """Open tickets without an owner routed again; safe twice (each fix is conditional on
    the assignee read under the row lock, and a fixed ticket is no orphan)."""
    from punkt.servicedesk import orphans

    return len(orphans.check())


periodic("servicedesk.check_orphans", datetime.timedelta(minutes=15),
         lambda slot: check_orphans.enqueue(slot=slot.isoformat()))


@task()
def control_lists_ready(slot: str) -> int:
    """On Monday morning each manager is told last week's control list is ready; safe to
    run every hour and twice (one notification per manager and week, by its key)."""
    from punkt.servicedesk import weighty

    return weighty.notify_control_lists()


periodic("servicedesk.control_lists_ready", datetime.timedelta(hours=1),
         lambda slot: control_lists_ready.enqueue(slot=slot.isoformat()))
