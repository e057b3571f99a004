"""Working time: SLA clocks counted in a team's opening hours.

A :class:`WorkSchedule` says when a team works: opening intervals per weekday in local
(Warsaw) time, minus Polish public holidays and the company's days off. Two operations
answer every SLA question:

- :meth:`WorkSchedule.add` — the moment ``delta`` of working time after ``start``
  (a first-response deadline is ``schedule.add(created, target)``);
- :meth:`WorkSchedule.between` — the working time elapsed from ``a`` to ``b``
  (how much of the target a ticket has used, pauses subtracted by the caller).

Both work on aware datetimes and count real elapsed time, so the days the clocks change
(29 March and 25 October 2026 in Poland) hold exactly the hours the team is open. For
every ``t``, ``a``, ``b`` ≥ 0: ``add(add(t, a), b) == add(t, a + b)`` and
``between(t, add(t, a)) == a`` (tested as Hypothesis properties, C16).
"""

from __future__ import annotations

import datetime
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from punkt.core.calendar import is_public_holiday

WARSAW = ZoneInfo("Europe/Warsaw")
UTC = datetime.UTC
ZERO = datetime.timedelta(0)
#: the longest stretch searched for the next opening before the schedule is called empty
MAX_CLOSED_DAYS = 400

Interval = tuple[datetime.time, datetime.time]
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class EmptySchedule(ValueError):
    """The schedule has no working time at all (every day closed)."""


def parse_hours(text: str) -> tuple[Interval, ...]:
    """``"8:00-16:00"`` or ``"8-12, 13-17"`` → intervals; ``""`` = closed; ``24:00`` ends the day.

    Raises ``ValueError`` naming the bad part.
    """
    out: list[Interval] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            a, b = (s.strip() for s in part.split("-"))
            start, end = _parse_clock(a), _parse_clock(b)
        except ValueError:
            raise ValueError(f"«{part}»: write hours as 8:00-16:00") from None
        if end != datetime.time(0) and end <= start:
            raise ValueError(f"«{part}»: the end must come after the start")
        if out and (out[-1][1] == datetime.time(0) or start < out[-1][1]):
            raise ValueError(f"«{part}»: intervals must be in order and not overlap")
        out.append((start, end))
    return tuple(out)


def _parse_clock(text: str) -> datetime.time:
    hh, _, mm = text.partition(":")
    h, m = int(hh), int(mm or 0)
    if h == 24 and m == 0:
        return datetime.time(0)  # end of the day
    return datetime.time(h, m)


def format_hours(intervals: Sequence[Interval]) -> str:
    def clock(t: datetime.time, end: bool) -> str:
        return "24:00" if end and t == datetime.time(0) else f"{t.hour}:{t.minute:02d}"
    return ", ".join(f"{clock(a, False)}-{clock(b, True)}" for a, b in intervals)


@dataclass(frozen=True)
class WorkSchedule:
    """Opening intervals per weekday (Monday first), closed on holidays and ``days_off``."""

    week: tuple[tuple[Interval, ...], ...]
    days_off: frozenset[datetime.date] = field(default_factory=frozenset)
    public_holidays: bool = True
    tz: ZoneInfo = WARSAW
    _table: _Table | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("a week has seven days")
        # ``_table``: the opening intervals of a span of days with the working time before
        # each, built once and grown when asked outside it: a job recomputing thousands of
        # clocks with one schedule answers each with a binary search, not a walk of days

    @classmethod
    def office(cls, opens: datetime.time = datetime.time(8),
               closes: datetime.time = datetime.time(16),
               days_off: frozenset[datetime.date] = frozenset()) -> WorkSchedule:
        """Monday to Friday, one interval a day."""
        day = ((opens, closes),)
        return cls(week=(day,) * 5 + ((), ()), days_off=days_off)

    @classmethod
    def from_mapping(cls, hours: Mapping[str, str],
                     days_off: frozenset[datetime.date] = frozenset(),
                     public_holidays: bool = True) -> WorkSchedule:
        """``{"mon": "8:00-16:00", …}`` as stored on a team; a missing day is closed."""
        return cls(week=tuple(parse_hours(hours.get(k, "")) for k in WEEKDAY_KEYS),
                   days_off=days_off, public_holidays=public_holidays)

    def is_open_day(self, day: datetime.date) -> bool:
        if not self.week[day.weekday()] or day in self.days_off:
            return False
        return not (self.public_holidays and is_public_holiday(day))

    def intervals_on(self, day: datetime.date
                     ) -> Iterator[tuple[datetime.datetime, datetime.datetime]]:
        """The day's opening intervals as aware UTC datetimes.

        Everything inside is UTC: Python subtracts and compares datetimes sharing one
        tzinfo by their wall clocks, which is wrong across a clock change.
        """
        if not self.is_open_day(day):
            return
        for start, end in self.week[day.weekday()]:
            a = datetime.datetime.combine(day, start, tzinfo=self.tz).astimezone(UTC)
            end_day = day + datetime.timedelta(days=1) if end == datetime.time(0) else day
            b = datetime.datetime.combine(end_day, end, tzinfo=self.tz).astimezone(UTC)
            yield a, b

    def _covering(self, *moments: datetime.datetime) -> _Table:
        """The table, grown if needed to hold every interval that may contain ``moments``
        (UTC): from the day before the earliest (a 24:00 end) to the day after the latest."""
        table = self._table
        if table is not None and all(table.safe_from <= m < table.safe_to for m in moments):
            return table
        days = [m.astimezone(self.tz).date() for m in moments]
        lo, hi = min(days) - _DAY, max(days) + 2 * _DAY
        if table is None:
            table = _Table(self, lo - _MARGIN, hi + _MARGIN)
        elif lo < table.lo or hi > table.hi:
            # a little more than asked, so a run over many tickets grows it rarely
            table = _Table(self, table.lo if lo >= table.lo else lo - _MARGIN,
                           table.hi if hi <= table.hi else hi + _MARGIN)
        else:
            return table
        object.__setattr__(self, "_table", table)
        return table

    def add(self, start: datetime.datetime, delta: datetime.timedelta) -> datetime.datetime:
        """The moment ``delta`` of working time after ``start`` (``start`` itself for zero)."""
        if delta < ZERO:
            raise ValueError("working time to add must not be negative")
        if delta == ZERO:
            return start
        moment = _aware(start).astimezone(UTC)
        table = self._covering(moment)
        while True:
            found = table.moment_of(table.worked(moment) + delta)
            if found is not None:
                return found.astimezone(start.tzinfo)
            if table.closed_at_end() > MAX_CLOSED_DAYS:
                raise EmptySchedule("no working time in the schedule")
            # further ahead: twice the span
            table = self._covering(moment, datetime.datetime.combine(
                table.hi + (table.hi - table.lo), datetime.time(12), tzinfo=self.tz))

    def between(self, a: datetime.datetime, b: datetime.datetime) -> datetime.timedelta:
        """Working time in ``[a, b)``; zero when ``b`` is not after ``a``."""
        a, b = _aware(a).astimezone(UTC), _aware(b).astimezone(UTC)
        if b <= a:
            return ZERO
        table = self._covering(a, b)
        return table.worked(b) - table.worked(a)

    def next_open(self, moment: datetime.datetime) -> datetime.datetime:
        """``moment`` if the team is open then, else its next opening."""
        at = _aware(moment).astimezone(UTC)
        table = self._covering(at)
        while True:
            found = table.opening_after(at)
            if found is not None:
                return found.astimezone(moment.tzinfo)
            if table.closed_at_end() > MAX_CLOSED_DAYS:
                raise EmptySchedule("no working time in the schedule")
            table = self._covering(at, datetime.datetime.combine(
                table.hi + (table.hi - table.lo), datetime.time(12), tzinfo=self.tz))

    def is_open(self, moment: datetime.datetime) -> bool:
        return self.next_open(moment) == moment


_DAY = datetime.timedelta(days=1)
_MARGIN = datetime.timedelta(days=45)


class _Table:
    """The opening intervals of the days ``[lo, hi)`` in order (UTC), each with the
    working time from the table's start to its own start. ``worked(t)`` is the working
    time from the start to ``t``, so ``between(a, b) = worked(b) - worked(a)`` and ``add``
    is the moment whose ``worked`` is the target: two binary searches, whatever the span.
    Valid only for moments whose days lie inside it (``WorkSchedule._covering``)."""

    __slots__ = ("lo", "hi", "safe_from", "safe_to", "starts", "ends", "before", "through",
                 "last_day")

    def __init__(self, schedule: WorkSchedule, lo: datetime.date, hi: datetime.date) -> None:
        self.lo, self.hi = lo, hi
        # the moments (UTC) whose day, the day before and the day after lie inside it
        self.safe_from = datetime.datetime.combine(lo + _DAY, datetime.time(0),
                                                   tzinfo=schedule.tz).astimezone(UTC)
        self.safe_to = datetime.datetime.combine(hi - _DAY, datetime.time(0),
                                                 tzinfo=schedule.tz).astimezone(UTC)
        self.starts: list[datetime.datetime] = []
        self.ends: list[datetime.datetime] = []
        self.before: list[datetime.timedelta] = []   # working time before interval i
        self.through: list[datetime.timedelta] = []  # … up to its end
        self.last_day: datetime.date | None = None
        total = ZERO
        day = lo
        while day < hi:
            for a, b in schedule.intervals_on(day):
                self.starts.append(a)
                self.ends.append(b)
                self.before.append(total)
                total += b - a
                self.through.append(total)
                self.last_day = day
            day += _DAY

    def worked(self, moment: datetime.datetime) -> datetime.timedelta:
        i = bisect_right(self.starts, moment) - 1
        if i < 0:
            return ZERO
        return self.before[i] + min(moment, self.ends[i]) - self.starts[i]

    def moment_of(self, target: datetime.timedelta) -> datetime.datetime | None:
        """The first moment whose ``worked`` is ``target`` (> 0); None past the table."""
        i = bisect_left(self.through, target)
        if i == len(self.through):
            return None
        return self.starts[i] + (target - self.before[i])

    def opening_after(self, moment: datetime.datetime) -> datetime.datetime | None:
        i = bisect_right(self.ends, moment)
        if i == len(self.ends):
            return None
        return max(self.starts[i], moment)

    def closed_at_end(self) -> int:
        """Days closed at the table's end (all of them when it has no opening)."""
        last = self.last_day or self.lo
        return (self.hi - last).days


def _aware(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        raise ValueError("working-time arithmetic needs aware datetimes")
    return moment
