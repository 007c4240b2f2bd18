"""Reads of the core: verifying the hash chains of the logs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from safetynet.core.models import AccessLog, ChainHead, ChangeLog
from safetynet.core.services import row_hash
from safetynet.core.workdays import Deadline, WorkingCalendar, add_working_days


@dataclass
class ChainReport:
    log: str
    rows: int
    ok: bool
    broken_at: int | None = None
    problem: str = ""


def audit_chain_verify(log: str = "change") -> ChainReport:
    """Walk a log in order; name the first row whose link or content does not hold."""
    model = ChangeLog if log == "change" else AccessLog
    previous = "0" * 64
    count = 0
    for row in model.objects.order_by("pk").iterator(chunk_size=5000):
        count += 1
        if row.prev_hash != previous:
            return ChainReport(
                log,
                count,
                False,
                row.pk,
                "prev_hash does not match the previous row (a row was removed or inserted)",
            )
        if row_hash(row, model.HASHED_FIELDS) != row.hash:
            return ChainReport(
                log, count, False, row.pk, "content does not match its hash (the row was altered)"
            )
        previous = row.hash
    head = ChainHead.objects.filter(name=log).first()
    if head and head.last_hash != previous:
        return ChainReport(
            log, count, False, None, "the last rows were removed (chain head does not match the last row)"
        )
    return ChainReport(log, count, True)


def working_calendar() -> WorkingCalendar:
    """The holiday calendar as entered in the database (cached per process until changed)."""
    from safetynet.core.models import CalendarDay, CalendarYear

    version = (CalendarYear.objects.count(), CalendarDay.objects.count())
    if _CALENDAR_CACHE.get("version") == version:
        return _CALENDAR_CACHE["calendar"]
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (holidays if kind == CalendarDay.Kind.HOLIDAY else workdays).add(day)
    calendar = WorkingCalendar(
        frozenset(holidays),
        frozenset(workdays),
        frozenset(CalendarYear.objects.values_list("year", flat=True)),
    )
    _CALENDAR_CACHE.update(version=version, calendar=calendar)
    return calendar


def deadline_after(start: dt.date, working_days: int) -> Deadline:
    return add_working_days(working_calendar(), start, working_days)


_CALENDAR_CACHE: dict = {}
