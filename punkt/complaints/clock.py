"""The legal clock of a complaint (C15): the deadline is computed at intake (and again
when an appeal opens a new round) from the complaint's kind — received date + N days,
the end of that day in Warsaw time, moved to the next working day when it falls on a
Saturday, a Sunday or a Polish public holiday (KC art. 111, 115).

The periods are settings (``PUNKT_COMPLAINT_DAYS``), seeded with the legal ones: 14 days
for consumer goods (Consumer Rights Act art. 7a), 30 days for telecom and
e-communication services (Electronic Communications Law; deemed upheld when late);
business customers: the days agreed in their contract, entered at intake. The handler is
reminded ``PUNKT_COMPLAINT_REMIND_DAYS`` days before the deadline."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from punkt.core.calendar import next_working_day

WARSAW = ZoneInfo("Europe/Warsaw")
#: the legal periods in days (a business customer's come from the contract)
LEGAL_DAYS = {"consumer_goods": 14, "telecom": 30}
#: the days a contract may give a business customer
CONTRACT_DAYS_MAX = 365


def legal_days() -> dict[str, int]:
    """The periods in force: the settings over the legal defaults."""
    return {**LEGAL_DAYS, **getattr(settings, "PUNKT_COMPLAINT_DAYS", {})}


def remind_days() -> int:
    return int(getattr(settings, "PUNKT_COMPLAINT_REMIND_DAYS", 4))


def period(kind: str, contract_days: int | None = None) -> int:
    """The days to answer a complaint of ``kind``."""
    if kind == "business":
        if not contract_days:
            raise ValueError("a business complaint needs the contract's days")
        return int(contract_days)
    return legal_days()[kind]


def rule(kind: str, days: int) -> str:
    """The rule a deadline comes from, as the page names it."""
    if kind == "consumer_goods":
        return _("%(days)d days — art. 7a of the Consumer Rights Act; deemed accepted when "
                 "not answered in time") % {"days": days}
    if kind == "telecom":
        return _("%(days)d days — the Electronic Communications Law; deemed upheld when not "
                 "answered in time") % {"days": days}
    return _("%(days)d days — as agreed in the customer's contract") % {"days": days}


def deadline(start: datetime.datetime, days: int) -> datetime.datetime:
    """The end (in Warsaw) of the day ``days`` after ``start``'s day, or of the next
    working day when that one is a Saturday, a Sunday or a public holiday."""
    day = start.astimezone(WARSAW).date() + datetime.timedelta(days=days)
    day = next_working_day(day)
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=WARSAW)


def reminder(due: datetime.datetime) -> datetime.datetime:
    """The start (in Warsaw) of the day ``remind_days()`` before the deadline's day."""
    day = due.astimezone(WARSAW).date() - datetime.timedelta(days=remind_days())
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=WARSAW)


def days_left(due: datetime.datetime, now: datetime.datetime) -> int:
    """Whole calendar days from today (Warsaw) to the deadline's day; negative: overdue."""
    return (due.astimezone(WARSAW).date() - now.astimezone(WARSAW).date()).days
