"""Sending the contact form's mails (the receipt, reply notices), tried again until they go."""

from __future__ import annotations

import datetime

from django.tasks import task

from punkt.core.jobs import periodic


@task()
def send_mail(mail_id: int) -> str:
    from punkt.webform.services import send_now

    return send_now(mail_id)


@task()
def resend_mails(slot: str) -> dict[str, int]:
    from punkt.webform.services import resend

    return resend()


periodic("webform.resend", datetime.timedelta(minutes=5),
         lambda slot: resend_mails.enqueue(slot=slot.isoformat()))
