"""The complaints' jobs: the daily clock (overdue complaints deemed accepted, reminders
before the deadline) and the receipts e-mailed to customers, tried again until they go."""

from __future__ import annotations

import datetime

from django.tasks import task

from punkt.core.jobs import periodic


@task()
def run_clocks(slot: str) -> dict[str, int]:
    """Safe to run twice or at once: each complaint is deemed accepted by a conditional
    update under its row lock, each reminder once (``reminded_at``, the notification's
    key) (C9, C13)."""
    from punkt.complaints import capa, services

    overdue = capa.remind_overdue()
    return {"deemed_accepted": services.mark_overdue(), "reminded": services.send_reminders(),
            "actions_overdue": overdue["owners"], "actions_escalated": overdue["escalated"]}


periodic("complaints.clocks", datetime.timedelta(days=1),
         lambda slot: run_clocks.enqueue(slot=slot.isoformat()))


@task()
def send_receipt(mail_id: int) -> str:
    from punkt.complaints.services import send_now

    return send_now(mail_id)


@task()
def resend_receipts(slot: str) -> dict[str, int]:
    from punkt.complaints.services import resend

    return resend()


periodic("complaints.resend_receipts", datetime.timedelta(minutes=5),
         lambda slot: resend_receipts.enqueue(slot=slot.isoformat()))


@task()
def refresh_figures(slot: str) -> dict[str, object]:
    """Recount the statistics' kept figures up to a few minutes ago (``figures.py``) and the
    customers served in the standard periods (``served.py``); the page corrects them with
    what was received or changed since, so a late or skipped run only makes it read more."""
    from punkt.complaints import figures, served

    return {**figures.refresh(), "served": served.refresh()}


periodic("complaints.figures", datetime.timedelta(hours=1),
         lambda slot: refresh_figures.enqueue(slot=slot.isoformat()))
