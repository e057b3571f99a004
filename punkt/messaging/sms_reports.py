"""SMS delivery reports: what the gateway learnt from the network about an SMS it sent.

SMSAPI.pl calls the address given with each SMS (``notify_url``, see ``sms.SmsApiGateway``)
— ``PUNKT_PUBLIC_URL/sms/raporty/<PUNKT_SMS_REPORT_TOKEN>/`` — with the fields ``MsgId``,
``status`` and ``donedate`` (a Unix time), several reports at once as comma-separated
lists, by GET or POST, and expects ``OK`` in the answer. The secret in the address is
the only key: without it (or with a wrong one) the address answers 404 and nothing is
read.

What a report does to our message (``Message`` found by the gateway's id):

- ``404`` DELIVERED — ``delivered_at`` is set (the message stays ``sent``); the mailing's
  page counts it as delivered.
- ``405`` UNDELIVERED — the network says the number cannot receive it: the message is
  ``bounced`` with the reason and the number is suppressed for later mailings, like an
  e-mail's hard bounce (``mass.mark_bounced``); correcting the customer's phone is the
  way back.
- ``402`` EXPIRED, ``406`` FAILED, ``407`` REJECTED — ``bounced`` with the reason, the
  number not suppressed (the phone was off, the network failed, the operator refused).
- anything else (``403`` SENT, ``408`` UNKNOWN, ``409`` QUEUE, ``410`` ACCEPTED…) is an
  intermediate state and changes nothing.

Reports are idempotent: a second report of the same delivery changes nothing, and a
delivery report never undoes a bounce.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from punkt.messaging import mass
from punkt.messaging.models import Channel, Message, MessageStatus

DELIVERED = "404"
#: code → (reason shown on the message and the timeline, suppress the number)
FAILURES: dict[str, tuple[str, bool]] = {
    "405": ("SMS: numer nie może odebrać wiadomości (UNDELIVERED)", True),
    "402": ("SMS: wiadomość wygasła, telefon był niedostępny (EXPIRED)", False),
    "406": ("SMS: błąd sieci operatora (FAILED)", False),
    "407": ("SMS: operator odrzucił wiadomość (REJECTED)", False),
}
#: the same codes by the names SMSAPI also sends (``status_name``)
NAMES = {"DELIVERED": "404", "UNDELIVERED": "405", "EXPIRED": "402", "FAILED": "406",
         "REJECTED": "407"}
MAX_REPORTS = 1000


@dataclass(frozen=True)
class Report:
    provider_id: str
    code: str
    done_at: dt.datetime | None


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",")]


def _when(value: str) -> dt.datetime | None:
    if not value.isdigit() or len(value) > 12:
        return None
    return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)


def parse_smsapi(fields: Mapping[str, str]) -> list[Report]:
    """SMSAPI's callback fields → reports (fields it does not send are ignored; a list
    longer than the ids is cut to them)."""
    ids = [i for i in _split(fields.get("MsgId")) if i][:MAX_REPORTS]
    codes = _split(fields.get("status"))
    names = _split(fields.get("status_name"))
    dates = _split(fields.get("donedate"))
    reports = []
    for n, provider_id in enumerate(ids):
        code = codes[n] if n < len(codes) else ""
        if not code.isdigit():
            code = NAMES.get((names[n] if n < len(names) else "").upper(), "")
        reports.append(Report(provider_id=provider_id[:100], code=code,
                              done_at=_when(dates[n] if n < len(dates) else "")))
    return reports


def record(reports: list[Report]) -> dict[str, int]:
    """Apply the reports; how many were delivered, bounced and ignored."""
    outcome = {"delivered": 0, "bounced": 0, "ignored": 0}
    for report in reports:
        if report.code == DELIVERED:
            done = _delivered(report)
        elif report.code in FAILURES:
            reason, hard = FAILURES[report.code]
            pk = _message_id(report.provider_id)
            done = pk is not None and mass.mark_bounced(pk, reason=reason, hard=hard) is not None
            if done:
                outcome["bounced"] += 1
                continue
        else:
            done = False
        outcome["delivered" if done else "ignored"] += 1
    return outcome


def _message_id(provider_id: str) -> int | None:
    return (Message.objects.filter(channel=Channel.SMS, provider_id=provider_id)
            .exclude(provider_id="").values_list("pk", flat=True).first())


@transaction.atomic
def _delivered(report: Report) -> bool:
    pk = _message_id(report.provider_id)
    if pk is None:
        return False
    when = report.done_at or timezone.now()
    return bool(Message.objects.filter(
        pk=pk, delivered_at__isnull=True,
        status__in=(MessageStatus.SENT, MessageStatus.SENDING, MessageStatus.UNCERTAIN),
    ).update(delivered_at=when, status=MessageStatus.SENT))
