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
