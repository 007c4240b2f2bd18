"""Due dates of cases in Chinese working days: across the Spring Festival and its adjusted working
Saturdays, into a year whose schedule is not entered (provisional, then recomputed), delegated
confirmation (20), extension (45), regional overrides and program-specific limits."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from safetynet.applications import choices as c
from safetynet.applications import services as s
from safetynet.applications.deadlines import parameters_for
from safetynet.applications.models import Case
from safetynet.applications.tests.factories import apply, to_review
from safetynet.core import testing
from safetynet.core.selectors import deadline_after
from safetynet.core.services import calendar_year_enter
from safetynet.eligibility.models import RegionalStandard

pytestmark = pytest.mark.usefixtures("calendar", "rules")

FEB_12 = dt.date(2026, 2, 12)  # Thursday before the Spring Festival holiday (15–23 Feb 2026)


def _standard(key: str, value, region=testing.COUNTY):
    from safetynet.regions.models import Region

    RegionalStandard.objects.create(
        region=Region.objects.get(code=region),
        region_code=region,
        key=key,
        value=value,
        effective_from=dt.date(2021, 1, 1),
        reference="示民发〔2026〕9号",
        status=RegionalStandard.Status.APPROVED,
    )


def test_acceptance_before_the_spring_festival_counts_the_adjusted_saturdays(personas, household_a):
    case = apply(personas, household_a, today=dt.date(2026, 2, 11)).cases.get()
    case = s.case_accept(actor=personas.alice, case=case, today=FEB_12)
    # Fri 13 (1), Sat 14 adjusted working day (2), 15–23 holiday, Tue 24 (3)
    assert case.step_due == dt.date(2026, 2, 24) and case.step_limit == "investigation_start"
    # 30 working days: the holiday is skipped, Sat 28 Feb (adjusted) counts
    assert case.total_due == dt.date(2026, 4, 1)
    assert not case.step_due_provisional and not case.total_due_provisional


def test_a_case_opened_in_december_runs_into_a_year_not_entered_and_is_recomputed(personas, household_a):
    case = apply(personas, household_a, today=dt.date(2026, 12, 14)).cases.get()
    case = s.case_accept(actor=personas.alice, case=case, today=dt.date(2026, 12, 14))
    assert case.step_due == dt.date(2026, 12, 17) and not case.step_due_provisional
    assert case.total_due == dt.date(2027, 1, 25)  # weekends only in 2027, for now
    assert case.total_due_provisional
    calendar_year_enter(
        actor=None, year=2027, holidays={dt.date(2027, 1, 1): "元旦"}, workdays={}, source="国办发明电"
    )
    assert s.deadlines_recompute(today=dt.date(2026, 12, 20)) == 1
    case.refresh_from_db()
    assert case.total_due == dt.date(2027, 1, 26) and not case.total_due_provisional


def test_the_notice_runs_seven_calendar_days(personas, household_a):
    case = to_review(
        personas, apply(personas, household_a, today=dt.date(2026, 2, 10)).cases.get(), today=FEB_12
    )
    line = case.notice_lines.get()
    assert (line.notice.start_date, line.notice.end_date) == (FEB_12, dt.date(2026, 2, 18))
    publish = case.transitions.get(action="publish")
    assert publish.step_due == dt.date(2026, 2, 19)  # the day after the last day of the notice


def test_the_county_review_has_ten_working_days_capped_by_the_total(personas, household_a):
    case = to_review(
        personas, apply(personas, household_a, today=dt.date(2026, 2, 10)).cases.get(), today=FEB_12
    )
    entered = case.step_entered_on
    assert case.step_limit == "county_review"
    assert case.step_due == min(deadline_after(entered, 10).due, case.total_due)


def test_delegated_confirmation_has_twenty_days_in_total_and_a_caseworker_confirms(personas, household_a):
    _standard("workflow.confirmation_delegated", 1)
    case = apply(personas, household_a, today=dt.date(2026, 2, 11)).cases.get()
    case = s.case_accept(actor=personas.alice, case=case, today=FEB_12)
    assert case.delegated and case.total_due == dt.date(2026, 3, 18)


def test_an_extension_to_45_days_needs_a_ground_and_a_reason(personas, household_a):
    case = s.case_accept(
        actor=personas.alice, case=apply(personas, household_a, today=FEB_12).cases.get(), today=FEB_12
    )
    with pytest.raises(ValidationError) as err:
        s.case_extend(actor=personas.alice, case=case, reason_code="", note="", today=FEB_12)
    assert set(err.value.message_dict) == {"reason_code", "note"}
    case = s.case_extend(
        actor=personas.alice,
        case=case,
        reason_code=c.ExtensionReason.SPLIT_HUKOU,
        note="户籍在东河镇，长期居住在外省",
        today=FEB_12,
    )
    assert case.extended and case.total_due == deadline_after(FEB_12, 45).due
    assert case.transitions.filter(action="extend").exists()
    with pytest.raises(ValidationError):
        s.case_extend(actor=personas.alice, case=case, reason_code=c.ExtensionReason.COMPLEX, note="again")


def test_a_region_overrides_a_national_limit_and_tekun_keeps_its_own(personas, household_a):
    _standard("workflow.county_review_days", 5)
    dibao = parameters_for(region_code=testing.VILLAGE_A1, program="dibao", day=FEB_12)
    tekun = parameters_for(region_code=testing.VILLAGE_A1, program="tekun", day=FEB_12)
    assert (
        dibao["workflow.county_review_days"].value == 5 and dibao["workflow.county_review_days"].region_code
    )
    assert tekun["workflow.county_review_days"].value == 15  # 特困人员认定办法: its own national limit
    assert dibao["workflow.investigation_days"].value is None  # no step limit: the total applies
    assert tekun["workflow.investigation_days"].value == 15


def test_cases_are_ordered_by_due_date_in_the_worklist_and_counted_overdue_or_due_soon(personas, household_a):
    from safetynet.applications.selectors import WorklistFilter, home_counts, worklist

    case = apply(personas, household_a, today=dt.date(2026, 11, 2)).cases.get()
    assert case.step_due == dt.date(2026, 11, 9)  # acceptance: 5 working days [A]
    counts = home_counts(user=personas.alice, today=dt.date(2026, 11, 5))
    assert (counts.tasks, counts.overdue, counts.due_soon) == (1, 0, 1)
    counts = home_counts(user=personas.alice, today=dt.date(2026, 11, 10))
    assert (counts.tasks, counts.overdue, counts.due_soon) == (1, 1, 0)
    assert home_counts(user=personas.carol, today=dt.date(2026, 11, 10)).tasks == 0  # not the county's step
    listed = worklist(user=personas.alice, filters=WorklistFilter(due="overdue"), today=dt.date(2026, 11, 10))
    assert list(listed) == [case]
    assert Case.objects.filter(pk=case.pk, step_due__isnull=False).exists()
