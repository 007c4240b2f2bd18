"""An approval in the review workflow becomes an entitlement with its grant event."""

import datetime as dt

import pytest

from safetynet.applications import services as s
from safetynet.applications.tests.conftest import calendar, media, rules  # noqa: F401 — fixtures
from safetynet.applications.tests.factories import TODAY, apply, approval, to_review
from safetynet.payments.models import Entitlement


@pytest.mark.usefixtures("calendar", "rules")
def test_an_approved_dibao_decision_becomes_an_entitlement(personas, household_a):
    case = to_review(personas, apply(personas, household_a).cases.get())
    decision = s.case_approve(
        actor=personas.carol, case=case, data=approval(case), today=TODAY + dt.timedelta(days=8)
    )
    ent = Entitlement.objects.get(case=case)
    event = ent.events.get()
    assert event.kind == "grant" and event.decision == decision
    assert ent.first_month == decision.first_payment_month
    assert sorted(p["person_id"] for p in event.parts) == sorted(m["person_id"] for m in decision.members)
    assert ent.monthly_amount == decision.amount
