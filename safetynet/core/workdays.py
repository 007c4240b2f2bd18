"""Chinese working-day arithmetic (法定工作日): weekends, official holidays and adjusted
working days. Pure functions over a calendar; the calendar itself is kept in the database
(``CalendarYear``/``CalendarDay``) and read by ``core.selectors.working_calendar``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class WorkingCalendar:
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()  # adjusted working weekend days (调休)
    known_years: frozenset[int] = field(default_factory=frozenset)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


@dataclass(frozen=True)
class Deadline:
    due: dt.date
    provisional: bool  # True when a year on the way has no official schedule entered yet


def add_working_days(calendar: WorkingCalendar, start: dt.date, days: int) -> Deadline:
    """The date ``days`` working days after ``start`` (the start day itself is not counted:
    "受理之日起3个工作日内" counts from the next working day)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    day = start
    provisional = start.year not in calendar.known_years
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if day.year not in calendar.known_years:
            provisional = True
        if calendar.is_working_day(day):
            counted += 1
    return Deadline(day, provisional)


def working_days_between(calendar: WorkingCalendar, start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            count += 1
    return count
