import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safetynet.core.models import ChangeLog
from safetynet.eligibility.models import DecisionSnapshot
from safetynet.eligibility.selectors import MissingStandard, household_evaluation
from safetynet.eligibility.services import snapshot_create
from safetynet.eligibility.situations import household_situation
from safetynet.registry.services import declaration_record

DECEMBER = dt.date(2026, 12, 1)
YEAR = (dt.date(2025, 12, 1), dt.date(2026, 11, 30))


def declare(actor, household, what, kind, amount, person=None, source="declared", **extra):
    return declaration_record(
        actor=actor,
        household=household,
        what=what,
        kind=kind,
        amount=amount,
        period_start=YEAR[0],
        period_end=YEAR[1],
        reason="申报",
        person=person,
        source=source,
        **extra,
    )


def test_a_missing_standard_names_region_and_month(personas, household_a):
    with pytest.raises(MissingStandard) as info:
        household_situation(household=household_a, month=DECEMBER)
    assert "2026-12" in info.value.message
    evaluation = household_evaluation(user=personas.alice, household_id=household_a.pk, month=DECEMBER)
    assert evaluation.result is None and "2026-12" in evaluation.error


def test_a_poor_rural_couple_is_eligible_for_dibao_at_the_rural_standard(personas, household_a, standards):
    head = household_a.head
    declare(personas.alice, household_a, "income", "wages", 6000, person=head)  # 500 a month for two
    evaluation = household_evaluation(user=personas.alice, household_id=household_a.pk, month=DECEMBER)
    dibao = evaluation.result["programs"]["dibao"]
    assert dibao["eligible"] is True
    assert dibao["standard"] == 650.0
    assert dibao["monthly_amount"] == pytest.approx(650 * 2 - 500)


def test_a_verification_finding_replaces_the_declared_value_and_is_shown_as_the_source(
    personas, household_a, standards
):
    head = household_a.head
    declare(personas.alice, household_a, "income", "wages", 6000, person=head)
    declare(personas.alice, household_a, "income", "wages", 30000, person=head, source="verification")
    situation = household_situation(household=household_a, month=DECEMBER)
    member = next(m for m in situation["members"] if m["role"] == "head")
    assert member["wage_income"] == 30000
    assert {"person": member["id"], "field": "wage_income", "source": "verification"}.items() <= next(
        s for s in situation["sources"] if s["field"] == "wage_income"
    ).items()
    evaluation = household_evaluation(user=personas.alice, household_id=household_a.pk, month=DECEMBER)
    assert evaluation.result["programs"]["dibao"]["eligible"] is False


def test_assets_of_the_household_count_and_a_car_disqualifies(personas, household_a, standards):
    declare(personas.alice, household_a, "asset", "vehicle", 50000, quantity=1)
    evaluation = household_evaluation(user=personas.alice, household_id=household_a.pk, month=DECEMBER)
    failed = [t["code"] for t in evaluation.result["programs"]["dibao"]["tests"] if not t["passed"]]
    assert "DB_VEHICLE" in failed


def test_a_snapshot_keeps_inputs_outputs_and_version(personas, household_a, standards):
    before = ChangeLog.objects.count()
    snapshot = snapshot_create(
        actor=personas.alice, household=household_a, month=DECEMBER, purpose="dibao 审核"
    )
    assert DecisionSnapshot.objects.count() == 1 and ChangeLog.objects.count() - before == 1
    assert snapshot.inputs["standards"]["dibao_standard_rural"] == 650.0
    assert "dibao" in snapshot.outputs["programs"] and snapshot.rules_version


def test_bob_cannot_evaluate_a_township_a_household(personas, household_a, standards):
    from safetynet.registry.models import Household

    with pytest.raises(Household.DoesNotExist):
        household_evaluation(user=personas.bob, household_id=household_a.pk, month=DECEMBER)


def test_the_evaluate_command_lists_every_bad_field(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text('{"period": "2026-13", "members": [{"id": "a", "age": -1}]}', encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("evaluate", str(path))
    err = capsys.readouterr().err
    assert "period" in err and "members[0].age" in err
