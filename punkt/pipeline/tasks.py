"""The pipeline's daily check (R11.5): each seller is told how many of their customers
have no next step — no sale open, no next contact agreed."""

from __future__ import annotations

import datetime

from django.tasks import task

from punkt.core.jobs import periodic


@task()
def check_next_steps(slot: str) -> dict[str, int]:
    """Safe to run twice or at once: one notification per seller and day (its key) (C9)."""
    from punkt.pipeline import services

    return {"told": services.tell_sellers_without_next_step(
        datetime.date.fromisoformat(slot[:10]))}


periodic("pipeline.next_steps", datetime.timedelta(days=1),
         lambda slot: check_next_steps.enqueue(slot=slot.isoformat()))


@task()
def prepare_monthly_packs(slot: str) -> dict[str, int]:
    """On the working day before the month's last Friday: every branch's pack of the
    previous month, stored once, its managers told once (C9). Other days: nothing."""
    from punkt.pipeline import packs

    month = packs.due_month(datetime.date.fromisoformat(slot[:10]))
    if month is None:
        return {"branches": 0, "stored": 0, "told": 0}
    return packs.prepare_all(month)


periodic("pipeline.monthly_packs", datetime.timedelta(days=1),
         lambda slot: prepare_monthly_packs.enqueue(slot=slot.isoformat()))
