"""The assessment step with the real rules engine (``eligibility.services.snapshot_create``): the
snapshot is attached, its result and amount land on the case, the approval starts from it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from safetynet.applications import services as s
from safetynet.applications.tests.factories import apply, authorise_all, investigate
from safetynet.core import testing
from safetynet.registry.models import Membership

pytestmark = pytest.mark.usefixtures("calendar")


def _to_investigating(personas, household, today):
    case = apply(personas, household, today=today).cases.get()
    case = s.case_accept(actor=personas.alice, case=case, today=today)
    authorise_all(personas, case, today)
    case = s.case_move(actor=personas.alice, case=case, action="authorise", today=today)
    case = s.case_move(actor=personas.alice, case=case, action="investigate", today=today)
    investigate(personas, case, today)
    return case


def test_the_assessment_attaches_the_rules_snapshot(personas, household_a):
    from safetynet.eligibility.services import standards_seed

    Membership.objects.filter(household=household_a).update(start_date=dt.date(2026, 1, 1))
    standards_seed(actor=None, region_code=testing.CITY, effective_from=dt.date(2026, 1, 1))
    today = timezone.localdate()
    case = _to_investigating(personas, household_a, today)
    case = s.case_assess(actor=personas.alice, case=case, today=today)
    assert case.snapshot is not None and case.snapshot.purpose == f"case {case.number}"
    assert case.rules_eligible is True  # no income declared: below the standard
    assert case.rules_amount is not None and case.rules_amount > 0
    defaults = s.approval_defaults(case)
    assert {m.person_id for m in defaults.members} == set(
        Membership.objects.filter(household=household_a).values_list("person_id", flat=True)
    )
    assert sum(m.amount for m in defaults.members) == case.rules_amount


def test_without_regional_standards_the_assessment_says_which_is_missing(personas, household_a):
    Membership.objects.filter(household=household_a).update(start_date=dt.date(2026, 1, 1))
    today = timezone.localdate()
    case = _to_investigating(personas, household_a, today)
    with pytest.raises(ValidationError) as err:
        s.case_assess(actor=personas.alice, case=case, today=today)
    assert "snapshot" in err.value.message_dict
    case.refresh_from_db()
    assert case.state == "investigating" and case.snapshot_id is None
