"""What each area declares about the personal data it processes, for the privacy area:

* :func:`activity` — an entry of the register of processing activities (GDPR art. 30):
  purpose, legal basis, categories of subjects and data, recipients, retention and
  security measures. ``punkt/privacy`` renders and exports the register from these.
* :func:`retention_category` — a category of data with its legal retention period and
  what the purge does once the period has run (``punkt purge``, the nightly job
  ``privacy.retention_purge``). Periods are defaults; ``settings.PUNKT_RETENTION``
  overrides them per category (``docs/retention.md``).

Areas register in their ``gdpr_links.py`` (imported at start-up), so lower areas never
import the privacy area.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

Text = str | Promise


@dataclass(frozen=True)
class Activity:
    code: str
    name: Text
    purpose: Text
    legal_basis: Text
    subjects: Text
    data: Text
    recipients: Text
    retention: Text
    measures: Text
    area: str = ""


ACTIVITIES: dict[str, Activity] = {}

#: The measures every activity shares (declarations add their own).
BASE_MEASURES = gettext_lazy(
    "Role-based access per branch, MFA for administrators and cash roles, append-only "
    "audit log, TLS, encrypted backups, passwords hashed with Argon2")


def activity(code: str, **fields: Any) -> Activity:
    """Declare an entry of the register of processing activities (GDPR art. 30(1))."""
    if code in ACTIVITIES:
        raise ValueError(f"Processing activity {code!r} registered twice")
    entry = Activity(code=code, area=code.split(".")[0], **fields)
    ACTIVITIES[code] = entry
    return entry


#: Where a period is counted from.
FROM_DATE = "date"            # the row's own date (e.g. a call)
FROM_YEAR_END = "year_end"    # the end of the calendar year of the date (KC art. 118)
FROM_TAX_YEAR_END = "tax_year_end"  # the end of the year the tax fell due: the year after
#                                     the invoice (December's VAT is due in January)


@dataclass(frozen=True)
class Period:
    years: int = 0
    days: int = 0
    counted_from: str = FROM_DATE

    def cutoff(self, today: datetime.date) -> datetime.date:
        """Rows dated before this day have outlived the period on ``today``."""
        if self.counted_from == FROM_DATE:
            day = today - datetime.timedelta(days=self.days)
            try:
                return day.replace(year=day.year - self.years)
            except ValueError:  # 29 February
                return day.replace(year=day.year - self.years, day=28)
        # A date in year Y: the period ends on 31 Dec of Y + years (+1 for the tax year),
        # so on ``today`` every date before 1 Jan of (today.year - years [- 1]) is out.
        lag = self.years + (1 if self.counted_from == FROM_TAX_YEAR_END else 0)
        return datetime.date(today.year - lag, 1, 1) - datetime.timedelta(days=self.days)

    def describe(self) -> str:
        parts = []
        if self.years:
            parts.append(f"{self.years} y")
        if self.days:
            parts.append(f"{self.days} d")
        return " ".join(parts or ["0 d"]) + f" ({self.counted_from})"


@dataclass(frozen=True)
class RetentionCategory:
    code: str
    label: Text
    #: The rule the default period comes from, shown in the report and the docs.
    rule: Text
    default: Period
    #: ``expired(cutoff)`` → a queryset of the rows past the period (not yet purged).
    expired: Callable[[datetime.date], Any]
    #: The date field of those rows, for the report's "oldest".
    date_field: str
    #: ``purge(ids)`` anonymises or deletes these rows; returns how many it handled.
    purge: Callable[[list[Any]], int]
    #: What the purge does, in a few words (report, docs).
    action: Text = ""


RETENTION: dict[str, RetentionCategory] = {}


def retention_category(code: str, **fields: Any) -> RetentionCategory:
    if code in RETENTION:
        raise ValueError(f"Retention category {code!r} registered twice")
    category = RetentionCategory(code=code, **fields)
    RETENTION[code] = category
    return category


FROM_CHOICES = (FROM_DATE, FROM_YEAR_END, FROM_TAX_YEAR_END)


def parse_period(code: str, value: Any, default: Period) -> Period:
    """A period from ``PUNKT_RETENTION``: ``{"years": 6, "days": 0, "counted_from":
    "year_end"}`` (missing keys keep the default's) or a number of years."""
    from django.core.exceptions import ImproperlyConfigured

    def bad(why: str) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"PUNKT_RETENTION[{code!r}]: {why}")

    if isinstance(value, bool):
        raise bad("give a number of years or a dict")
    if isinstance(value, int):
        value = {"years": value}
    if not isinstance(value, dict):
        raise bad("give a number of years or a dict")
    unknown = set(value) - {"years", "days", "counted_from"}
    if unknown:
        raise bad(f"unknown keys {sorted(unknown)}")
    years, days = value.get("years", default.years), value.get("days", default.days)
    counted = value.get("counted_from", default.counted_from)
    for name, number in (("years", years), ("days", days)):
        if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= 100:
            raise bad(f"{name} must be a whole number from 0 to 100")
    if counted not in FROM_CHOICES:
        raise bad(f"counted_from must be one of {FROM_CHOICES}")
    if not years and not days:
        raise bad("a period of zero would purge everything")
    return Period(years=years, days=days, counted_from=counted)


def configured() -> dict[str, Any]:
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    value = getattr(settings, "PUNKT_RETENTION", {}) or {}
    if not isinstance(value, dict):
        raise ImproperlyConfigured("PUNKT_RETENTION must be a dict: category → period")
    unknown = set(value) - set(RETENTION)
    if unknown:
        raise ImproperlyConfigured(f"PUNKT_RETENTION: unknown categories {sorted(unknown)}; "
                                   f"known: {sorted(RETENTION)}")
    return value


def period_of(category: RetentionCategory) -> Period:
    """The category's period: ``settings.PUNKT_RETENTION`` or the legal default."""
    value = configured().get(category.code)
    if value is None:
        return category.default
    return parse_period(category.code, value, category.default)


def midnight(day: datetime.date) -> datetime.datetime:
    """The start of ``day`` in local time, for comparing with date-time columns."""
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
