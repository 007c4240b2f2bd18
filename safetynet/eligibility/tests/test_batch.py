import datetime as dt

import pytest

from safetynet.core import testing
from safetynet.core.models import ChangeLog, Job
from safetynet.eligibility.models import EvaluationResult, EvaluationRun, Scenario
from safetynet.eligibility.selectors import household_evaluation
from safetynet.eligibility.services import evaluation_run, scenario_create, scenario_run, scenario_start
from safetynet.eligibility.tests.test_situations import DECEMBER, declare
from safetynet.registry.services import household_create


@pytest.fixture
def caseload(personas, standards):
    """Three households of township A: poor, just above the line, with a car."""
    poor = household_create(actor=personas.alice, data=testing.household_input(seq=1), reason="r")
    declare(personas.alice, poor, "income", "wages", 6000, person=poor.head)
    near = household_create(
        actor=personas.alice, data=testing.household_input(seq=2, head_name="赵强"), reason="r"
    )
    declare(
        personas.alice, near, "income", "wages", 650 * 2 * 12 + 12, person=near.head
    )  # 1 yuan a month above
    car = household_create(
        actor=personas.alice, data=testing.household_input(seq=3, head_name="孙丽"), reason="r"
    )
    declare(personas.alice, car, "asset", "vehicle", 30000, quantity=1)
    return poor, near, car


def test_the_batch_agrees_with_the_single_household_evaluation(personas, caseload):
    run = evaluation_run(actor=personas.carol, region_code=testing.COUNTY, month=DECEMBER)
    assert run.status == "done" and run.households == 3
    by_household = {
        r.household_id: r.decoded() for r in EvaluationResult.objects.filter(run=run).select_related("run")
    }
    for household in caseload:
        single = household_evaluation(user=personas.carol, household_id=household.pk, month=DECEMBER).result[
            "programs"
        ]
        for key in ("dibao", "edge", "tekun", "medical"):
            assert by_household[household.pk][key]["eligible"] == single[key]["eligible"], (household, key)
        if single["dibao"]["eligible"]:
            assert by_household[household.pk]["dibao"]["amount"] == pytest.approx(
                single["dibao"]["monthly_amount"]
            )
    poor, near, car = caseload
    assert by_household[poor.pk]["dibao"]["eligible"] and not by_household[near.pk]["dibao"]["eligible"]
    assert run.summary["programs"]["dibao"]["households"] == 1
    assert ChangeLog.objects.filter(job=run.job, action="job").count() == 1


def test_a_caseworker_cannot_start_a_batch(personas, caseload):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        evaluation_run(actor=personas.alice, region_code=testing.TOWNSHIP_A, month=DECEMBER)


def test_a_what_if_raise_of_the_rural_standard_brings_in_the_household_just_above(personas, caseload):
    poor, near, _car = caseload
    scenario = scenario_create(
        actor=personas.carol,
        region_code=testing.COUNTY,
        month=DECEMBER,
        name="农村标准提高50元",
        changes={"dibao_standard_rural": 700},
    )
    assert scenario.base["dibao_standard_rural"]["rural"] == 650.0
    scenario = scenario_run(scenario=scenario, actor=personas.carol)
    dibao = scenario.summary["programs"]["dibao"]
    assert dibao["gained"] == 1 and dibao["lost"] == 0
    assert dibao["yearly_delta"] == pytest.approx(
        ((700 * 2 - 500) - (650 * 2 - 500) + (700 * 2 - 1301)) * 12, abs=0.05
    )
    changed = set(scenario.household_changes.filter(program="dibao").values_list("household_id", flat=True))
    assert changed == {poor.pk, near.pk}


def test_a_scenario_runs_as_a_background_job_with_progress(
    personas, caseload, django_capture_on_commit_callbacks
):
    scenario = scenario_create(
        actor=personas.carol,
        region_code=testing.COUNTY,
        month=DECEMBER,
        name="x",
        changes={"dibao_standard_rural": 660},
    )
    with django_capture_on_commit_callbacks(execute=True):
        scenario_start(actor=personas.carol, scenario=scenario)
    scenario.refresh_from_db()
    assert scenario.status == Scenario.Status.DONE
    job = Job.objects.get(pk=scenario.task_job_id)
    assert job.progress_done == job.progress_total == 4 and job.status == "succeeded"


def test_bad_scenarios_list_every_field(personas, caseload):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        scenario_create(
            actor=personas.carol,
            region_code=testing.COUNTY,
            month=DECEMBER,
            name="",
            changes={"nope": 1, "dibao_standard_rural": "abc", "edge_multiplier": -1},
        )
    assert set(info.value.message_dict) == {"name", "nope", "dibao_standard_rural", "edge_multiplier"}
    assert EvaluationRun.objects.count() == 0 and Scenario.objects.count() == 0
    assert dt.date(2026, 12, 1) == DECEMBER
