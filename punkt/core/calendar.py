"""Working days in Poland: public holidays built in (``holidays``), plus company days off."""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def polish_holidays(year: int) -> dict[datetime.date, str]:
    return dict(holidays.country_holidays("PL", years=year, language="pl"))


def holiday_name(day: datetime.date) -> str | None:
    return polish_holidays(day.year).get(day)


def is_public_holiday(day: datetime.date) -> bool:
    return day in polish_holidays(day.year)


def is_working_day(day: datetime.date, extra_days_off: set[datetime.date] | None = None) -> bool:
    """Monday to Friday, neither a public holiday nor a company day off."""
    if day.weekday() >= 5 or is_public_holiday(day):
        return False
    return not (extra_days_off and day in extra_days_off)


def next_working_day(day: datetime.date, extra_days_off: set[datetime.date] | None = None
                     ) -> datetime.date:
    """``day`` itself if it is a working day, else the next one (KC art. 115)."""
    while not is_working_day(day, extra_days_off):
        day += datetime.timedelta(days=1)
    return day
