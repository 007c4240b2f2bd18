"""evaluate(): validation (every bad field with its reason), results and explanations."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest
from conftest import make_situation

from openfisca_cn_assistance import evaluate
from openfisca_cn_assistance.programs import PROGRAM_KEYS
from openfisca_cn_assistance.situation import SituationError, input_fields, validate

EXAMPLES = pathlib.Path(__file__).parents[1] / "openfisca_cn_assistance" / "situation_examples"


def errors_of(situation, period=None):
    with pytest.raises(SituationError) as caught:
        evaluate(situation, period)
    return {e["field"]: e for e in caught.value.errors}


def test_a_valid_situation_has_no_errors():
    assert validate(make_situation([{"age": 40}])) == []


def test_it_lists_every_bad_field_at_once():
    situation = make_situation(
        [{"age": 40, "wage_income": -5}, {"age": 200}, {"age": 30, "disability_grade": 2}]
    )
    situation["programs"] = ["dibao", "lottery"]
    situation["standards"].pop("minimum_wage")
    situation["household"]["colour"] = "blue"
    errors = errors_of(situation)
    assert "members[0].wage_income" in errors and "负" in errors["members[0].wage_income"]["message"]
    assert "members[1].age" in errors and "200" in errors["members[1].age"]["message"]
    assert "members[2].disability_category" in errors
    assert "programs[1]" in errors and "lottery" in errors["programs[1]"]["message"]
    assert "standards.minimum_wage" in errors
    assert "household.colour" in errors
    assert all(e["message_en"] for e in errors.values())


def test_a_business_loss_may_be_negative():
    assert validate(make_situation([{"age": 40, "business_net_income": -3000}])) == []


def test_a_period_before_the_rules_is_rejected():
    errors = errors_of(make_situation([{"age": 40}]), "2019-05")
    assert "没有施行的规则" in errors["period"]["message"]


def test_a_malformed_period_is_rejected():
    errors = errors_of(make_situation([{"age": 40}]), "2026-13")
    assert "period" in errors


def test_exactly_one_head_is_required():
    situation = make_situation([{"age": 40, "role": "member"}, {"age": 38, "role": "member"}])
    assert "members" in errors_of(situation)


def test_person_ids_must_be_unique_across_members_and_supporters():
    situation = make_situation([{"age": 70, "id": "x"}], supporters=[{"age": 40, "id": "x"}])
    assert "supporters[0].id" in errors_of(situation)


def test_an_enum_value_must_be_known():
    errors = errors_of(make_situation([{"age": 40, "employment": "astronaut"}]))
    assert "members[0].employment" in errors


def test_a_standard_must_not_be_written_in_the_household():
    situation = make_situation([{"age": 40}], edge_multiplier=1.3)
    assert "household.edge_multiplier" in errors_of(situation)


def test_input_fields_lists_the_keys_a_situation_may_use():
    fields = input_fields()
    assert "wage_income" in fields["person"]
    assert "taper_month" in fields["household"]
    assert fields["standards"]["dibao_standard_urban"]["required"] is True
    assert fields["standards"]["edge_multiplier"]["required"] is False
    assert "dibao_eligible" not in fields["household"]  # computed, not an input


def test_every_program_key_is_in_the_result_with_eligible_and_tests():
    result = evaluate(make_situation([{"age": 72}]))
    assert set(result["programs"]) == set(PROGRAM_KEYS)
    for key, program in result["programs"].items():
        assert isinstance(program["eligible"], bool), key
        tests = program["tests"] if "tests" in program else program["members"][0]["tests"]
        for test in tests:
            assert set(test) >= {"code", "label_zh", "label_en", "value", "threshold", "passed", "reference"}
    json.dumps(result, ensure_ascii=False)  # JSON-serialisable as returned


def test_programs_can_be_selected():
    result = evaluate({**make_situation([{"age": 72}]), "programs": ["dibao", "tekun"]})
    assert set(result["programs"]) == {"dibao", "tekun"}


def test_the_distance_line_names_the_gap_to_the_standard():
    result = evaluate(make_situation([{"age": 40, "wage_income": 1120}]))
    dibao = result["programs"]["dibao"]
    assert dibao["eligible"] is False
    assert dibao["distance"]["zh"] == "月人均收入高于标准 120 元"
    assert dibao["distance"]["en"] == "monthly per-capita income is 120 yuan above the standard"
    failed = [t["code"] for t in dibao["tests"] if not t["passed"]]
    assert failed == ["DB_INCOME"]


def test_per_person_programs_name_the_member():
    situation = make_situation(
        [
            {"age": 55, "wage_income": 3600, "name": "父亲"},
            {"age": 30, "disability_category": "hearing", "disability_grade": 2, "name": "儿子"},
            {"age": 50},
        ]
    )
    single = evaluate(situation)["programs"]["single_person_dibao"]
    assert single["eligible"] is True
    assert single["eligible_members"] == ["p2"]
    member = next(m for m in single["members"] if m["member"] == "p2")
    assert member["name"] == "儿子" and member["monthly_amount"] == 1000


def test_the_standards_used_are_echoed_so_the_result_can_be_reproduced():
    result = evaluate(make_situation([{"age": 40}], standards={"edge_multiplier": 1.3}))
    assert result["standards"]["edge_multiplier"] == 1.3
    assert result["standards"]["rounding"] == "half_up_cent"
    assert result["standards"]["taper_months"] == 6  # the national default applies


def test_period_argument_wins_and_is_reported():
    result = evaluate(make_situation([{"age": 40}]), "2025-03")
    assert result["period"] == "2025-03"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_the_situation_examples_evaluate(path):
    result = evaluate(json.loads(path.read_text()))
    assert result["programs"]


def test_the_package_never_imports_django():
    code = "import sys, openfisca_cn_assistance as o, openfisca_cn_assistance.batch, openfisca_cn_assistance.situation; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
