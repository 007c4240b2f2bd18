import datetime as dt

import pytest

from safetynet.core.selectors import deadline_after, working_calendar
from safetynet.core.services import calendar_seed_from_library, calendar_year_enter
from safetynet.core.workdays import working_days_between


@pytest.fixture
def calendar_2026(db):
    calendar_seed_from_library(years=range(2025, 2027))


def test_the_spring_festival_and_an_adjusted_saturday(calendar_2026):
    # Thu 12 Feb 2026 + 3: Fri 13 (1), Sat 14 is an adjusted working day (2), 15–23 holiday, Tue 24 (3)
    deadline = deadline_after(dt.date(2026, 2, 12), 3)
    assert deadline.due == dt.date(2026, 2, 24) and not deadline.provisional


def test_an_ordinary_week(calendar_2026):
    assert deadline_after(dt.date(2026, 11, 27), 3).due == dt.date(2026, 12, 2)  # Fri + 3 → Wed
    assert deadline_after(dt.date(2026, 11, 30), 0).due == dt.date(2026, 11, 30)


def test_into_a_year_not_yet_entered_is_provisional_and_recomputed_when_entered(calendar_2026):
    deadline = deadline_after(dt.date(2026, 12, 28), 10)
    assert deadline.provisional
    assert deadline.due == dt.date(2027, 1, 11)  # weekends only
    calendar_year_enter(
        actor=None, year=2027, holidays={dt.date(2027, 1, 1): "元旦"}, workdays={}, source="test"
    )
    again = deadline_after(dt.date(2026, 12, 28), 10)
    assert not again.provisional and again.due == dt.date(2027, 1, 12)


def test_counting_working_days_between_dates(calendar_2026):
    assert (
        working_days_between(working_calendar(), dt.date(2026, 9, 30), dt.date(2026, 10, 10)) == 3
    )  # 1–7 Oct holiday; 8, 9 and the adjusted Saturday 10
