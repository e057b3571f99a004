"""C16: SLA arithmetic across weekends, Polish holidays and the clock changes."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from punkt.core.worktime import (
    UTC,
    WARSAW,
    EmptySchedule,
    WorkSchedule,
    format_hours,
    parse_hours,
)

H = datetime.timedelta(hours=1)
OFFICE = WorkSchedule.office()  # Mon–Fri 8:00–16:00 Warsaw
SPLIT = WorkSchedule.from_mapping({"mon": "8-12, 13-17", "tue": "8-12, 13-17", "wed": "9-17",
                                   "thu": "8-12, 13-17", "fri": "8-15", "sat": "10-14"},
                                  days_off=frozenset({datetime.date(2026, 11, 10)}))
ROUND_THE_CLOCK = WorkSchedule.from_mapping({k: "0:00-24:00" for k in
                                             ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
                                            public_holidays=False)
SCHEDULES = st.sampled_from([OFFICE, SPLIT, ROUND_THE_CLOCK])


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime.datetime:
    return datetime.datetime(y, m, d, hh, mm, tzinfo=WARSAW)


moments = st.datetimes(min_value=datetime.datetime(2025, 12, 1),
                       max_value=datetime.datetime(2027, 2, 1), timezones=st.just(WARSAW)
                       ).map(lambda d: d.replace(microsecond=0))
durations = st.integers(min_value=0, max_value=60 * 24 * 20).map(
    lambda m: datetime.timedelta(minutes=m))


@settings(max_examples=300, deadline=None)
@given(SCHEDULES, moments, durations, durations)
def test_add_is_additive(schedule: WorkSchedule, t: datetime.datetime, a: datetime.timedelta,
                         b: datetime.timedelta) -> None:
    twice = schedule.add(schedule.add(t, a), b)
    assert twice.astimezone(UTC) == schedule.add(t, a + b).astimezone(UTC)


@settings(max_examples=300, deadline=None)
@given(SCHEDULES, moments, durations, durations)
def test_add_is_monotonic_and_between_inverts_it(
        schedule: WorkSchedule, t: datetime.datetime, a: datetime.timedelta,
        b: datetime.timedelta) -> None:
    small, large = sorted((a, b))
    # compared in UTC: datetimes sharing a tzinfo compare by wall clock
    assert schedule.add(t, small).astimezone(UTC) <= schedule.add(t, large).astimezone(UTC)
    assert schedule.add(t, a).astimezone(UTC) >= t.astimezone(UTC)
    assert schedule.between(t, schedule.add(t, a)) == a


@settings(max_examples=300, deadline=None)
@given(SCHEDULES, moments, moments, moments)
def test_between_is_additive(schedule: WorkSchedule, x: datetime.datetime, y: datetime.datetime,
                             z: datetime.datetime) -> None:
    a, b, c = sorted(m.astimezone(UTC) for m in (x, y, z))
    assert schedule.between(a, b) + schedule.between(b, c) == schedule.between(a, c)
    assert schedule.between(a, c) <= c - a
    assert schedule.between(c, a) == datetime.timedelta(0)


def test_weekend_and_evening_are_skipped() -> None:
    # Friday 15:00 + 2 h → Monday 9:00
    assert OFFICE.add(at(2026, 11, 27, 15), 2 * H) == at(2026, 11, 30, 9)
    # a ticket written on Saturday starts its clock on Monday at 8:00
    assert OFFICE.add(at(2026, 11, 28, 11), 1 * H) == at(2026, 11, 30, 9)
    assert OFFICE.between(at(2026, 11, 27, 15), at(2026, 11, 30, 9)) == 2 * H
    # a deadline exactly at closing time stays at closing time
    assert OFFICE.add(at(2026, 11, 27, 8), 8 * H) == at(2026, 11, 27, 16)


def test_polish_holidays_are_closed() -> None:
    # 11 Nov 2026 (Wednesday) is Independence Day: Tuesday 15:00 + 2 h → Thursday 9:00
    assert OFFICE.add(at(2026, 11, 10, 15), 2 * H) == at(2026, 11, 12, 9)
    # Easter Monday 6 Apr 2026 (computed from Easter): Friday 3 Apr 15:00 + 2 h → Tue 7 Apr 9:00
    assert OFFICE.add(at(2026, 4, 3, 15), 2 * H) == at(2026, 4, 7, 9)
    # Christmas Eve is a holiday from 2025; 24–26 Dec 2026 closed, 28 Dec Monday
    assert OFFICE.add(at(2026, 12, 23, 15), 2 * H) == at(2026, 12, 28, 9)
    # a company day off closes the team too
    assert SPLIT.add(at(2026, 11, 9, 16), 2 * H) == at(2026, 11, 12, 9)


@pytest.mark.parametrize("day", [datetime.date(2026, 3, 30), datetime.date(2026, 10, 26)])
def test_days_after_the_clock_change_have_the_full_hours(day: datetime.date) -> None:
    # 29 Mar 2026 (clocks forward) and 25 Oct 2026 (clocks back) are Sundays: the
    # Friday-to-Monday span holds exactly one day of work, in real elapsed time.
    friday = day - datetime.timedelta(days=3)
    start = at(friday.year, friday.month, friday.day, 12)
    assert OFFICE.add(start, 8 * H) == at(day.year, day.month, day.day, 12)
    assert OFFICE.between(start, at(day.year, day.month, day.day, 12)) == 8 * H


def test_round_the_clock_counts_real_hours_across_the_change() -> None:
    # 29 Mar 2026 has 23 hours, 25 Oct 2026 has 25 in Warsaw
    assert ROUND_THE_CLOCK.between(at(2026, 3, 29), at(2026, 3, 30)) == 23 * H
    assert ROUND_THE_CLOCK.between(at(2026, 10, 25), at(2026, 10, 26)) == 25 * H
    # one hour after 1:30 on 29 Mar is 3:30 summer time
    assert ROUND_THE_CLOCK.add(at(2026, 3, 29, 1, 30), H) == at(2026, 3, 29, 3, 30)
    # across the October fold: 2:30 CEST + 1 h = 2:30 CET
    first = datetime.datetime(2026, 10, 25, 2, 30, tzinfo=WARSAW, fold=0)
    later = ROUND_THE_CLOCK.add(first, H)
    assert later.astimezone(UTC) - first.astimezone(UTC) == H


def test_open_and_next_open() -> None:
    assert OFFICE.is_open(at(2026, 12, 4, 9))
    assert not OFFICE.is_open(at(2026, 12, 4, 16))  # closing time is closed
    assert OFFICE.next_open(at(2026, 12, 5, 10)) == at(2026, 12, 7, 8)
    assert OFFICE.next_open(at(2026, 12, 4, 9)) == at(2026, 12, 4, 9)


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="aware"):
        OFFICE.add(datetime.datetime(2026, 12, 4, 9), H)
    with pytest.raises(ValueError, match="negative"):
        OFFICE.add(at(2026, 12, 4, 9), -H)
    with pytest.raises(EmptySchedule):
        WorkSchedule(week=((),) * 7).add(at(2026, 12, 4), H)
    for text, problem in [("8-", "8:00-16:00"), ("16-8", "after the start"),
                          ("8-12, 11-15", "not overlap"), ("25-26", "8:00-16:00")]:
        with pytest.raises(ValueError, match=problem):
            parse_hours(text)


def test_hours_round_trip() -> None:
    for text in ["8:00-16:00", "8:00-12:00, 13:00-17:00", "0:00-24:00", ""]:
        assert format_hours(parse_hours(text)) == text


def _walked(schedule: WorkSchedule, a: datetime.datetime, b: datetime.datetime
            ) -> datetime.timedelta:
    """``between`` the slow way: every day's intervals from ``a`` to ``b`` summed."""
    a, b = a.astimezone(UTC), b.astimezone(UTC)
    total = datetime.timedelta(0)
    day = a.astimezone(WARSAW).date() - datetime.timedelta(days=1)
    while day <= b.astimezone(WARSAW).date():
        for x, y in schedule.intervals_on(day):
            total += max(datetime.timedelta(0), min(y, b) - max(x, a))
        day += datetime.timedelta(days=1)
    return total


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(moments, durations), min_size=1, max_size=6))
def test_the_table_answers_like_a_walk_of_days_in_any_order(
        asked: list[tuple[datetime.datetime, datetime.timedelta]]) -> None:
    # a fresh schedule per example: its table starts at the first moment asked and grows
    # back and forth as later ones fall outside it
    schedule = WorkSchedule.from_mapping({"mon": "8-12, 13-17", "tue": "22:00-24:00",
                                          "wed": "0:00-6:00", "sat": "10-14"})
    for t, d in asked:
        later = t + d
        assert schedule.between(t, later) == _walked(schedule, t, later)
        assert schedule.between(t, schedule.add(t, d)) == d


def test_a_long_closure_is_crossed_and_an_endless_one_refused() -> None:
    closed = frozenset(datetime.date(2027, 1, 1) + datetime.timedelta(days=n)
                       for n in range(300))
    schedule = WorkSchedule.office(days_off=closed)
    assert schedule.add(at(2026, 12, 31, 15), 2 * H) == at(2027, 10, 28, 9)
    assert schedule.next_open(at(2026, 12, 31, 17)) == at(2027, 10, 28, 8)
    nothing = WorkSchedule.office(days_off=frozenset(
        datetime.date(2027, 1, 1) + datetime.timedelta(days=n) for n in range(500)))
    with pytest.raises(EmptySchedule):
        nothing.add(at(2026, 12, 31, 15), 2 * H)
