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

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("a week has seven days")
        # each day's intervals, worked out once: a job recomputing thousands of clocks
        # with one schedule asks for the same few days again and again
        object.__setattr__(self, "_days", {})

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
        """The day's opening intervals as aware UTC datetimes."""
        days: dict[datetime.date, tuple[tuple[datetime.datetime, datetime.datetime], ...]]
        days = self._days  # type: ignore[attr-defined]
        found = days.get(day)
        if found is None:
            if len(days) > 4096:
                days.clear()
            found = days[day] = tuple(self._work_out(day))
        return iter(found)

    def _work_out(self, day: datetime.date
                  ) -> Iterator[tuple[datetime.datetime, datetime.datetime]]:
        if not self.is_open_day(day):
            return
        for start, end in self.week[day.weekday()]:
            a = datetime.datetime.combine(day, start, tzinfo=self.tz).astimezone(UTC)
            end_day = day + datetime.timedelta(days=1) if end == datetime.time(0) else day
            b = datetime.datetime.combine(end_day, end, tzinfo=self.tz).astimezone(UTC)
            yield a, b

    def _intervals_from(self, moment: datetime.datetime
                        ) -> Iterator[tuple[datetime.datetime, datetime.datetime]]:
        """Opening intervals that end after ``moment``, in order, clipped to start at it (UTC).

        Everything inside is UTC: Python subtracts and compares datetimes sharing one
        tzinfo by their wall clocks, which is wrong across a clock change.
        """
        moment = moment.astimezone(UTC)
        day = moment.astimezone(self.tz).date() - datetime.timedelta(days=1)  # a 24:00 end
        closed = 0
        while True:
            found = False
            for a, b in self.intervals_on(day):
                found = True
                if b > moment:
                    yield max(a, moment), b
            closed = 0 if found else closed + 1
            if closed > MAX_CLOSED_DAYS:
                raise EmptySchedule("no working time in the schedule")
            day += datetime.timedelta(days=1)

    def add(self, start: datetime.datetime, delta: datetime.timedelta) -> datetime.datetime:
        """The moment ``delta`` of working time after ``start`` (``start`` itself for zero)."""
        if delta < ZERO:
            raise ValueError("working time to add must not be negative")
        if delta == ZERO:
            return start
        left = delta
        for a, b in self._intervals_from(_aware(start)):
            if b - a >= left:
                return (a + left).astimezone(start.tzinfo)
            left -= b - a
        raise AssertionError("unreachable")  # pragma: no cover — _intervals_from is endless

    def between(self, a: datetime.datetime, b: datetime.datetime) -> datetime.timedelta:
        """Working time in ``[a, b)``; zero when ``b`` is not after ``a``."""
        a, b = _aware(a).astimezone(UTC), _aware(b).astimezone(UTC)
        if b <= a:
            return ZERO
        total = ZERO
        for x, y in self._intervals_from(a):
            if x >= b:
                break
            total += min(y, b) - x
        return total

    def next_open(self, moment: datetime.datetime) -> datetime.datetime:
        """``moment`` if the team is open then, else its next opening."""
        for a, _b in self._intervals_from(_aware(moment)):
            return a.astimezone(moment.tzinfo)
        raise AssertionError("unreachable")  # pragma: no cover

    def is_open(self, moment: datetime.datetime) -> bool:
        return self.next_open(moment) == moment


def _aware(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        raise ValueError("working-time arithmetic needs aware datetimes")
    return moment
