"""The vectorised path gives the same results as one household at a time, and its failure
bitmasks are the checks of programs.py."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from openfisca_cn_assistance import common, tax_benefit_system
from openfisca_cn_assistance.batch import BatchInputError, build_simulation, compute, compute_batch
from openfisca_cn_assistance.explain import explain
from openfisca_cn_assistance.programs import PROGRAMS

sys.path.insert(0, str(Path(__file__).parents[2] / "bench"))
from bench_rules import synthetic_population  # noqa: E402

PERIOD = "2026-08"


@pytest.fixture(scope="module")
def population():
    return synthetic_population(400, seed=11)


@pytest.fixture(scope="module")
def batch(population):
    persons, households = population
    return compute_batch(persons, households, PERIOD)


def _one_household(persons, households, h):
    """The arrays of household h alone."""
    rows = np.flatnonzero(persons["household_index"] == h)
    one_persons = {
        k: (np.zeros(len(rows), dtype=np.int64) if k == "household_index" else v[rows])
        for k, v in persons.items()
    }
    one_households = {k: v[h : h + 1] for k, v in households.items()}
    return one_persons, one_households


def test_batch_equals_one_household_at_a_time(population, batch):
    persons, households = population
    for h in range(0, 400, 7):
        one = compute_batch(*_one_household(persons, households, h), PERIOD)
        for program in PROGRAMS:
            big, small = batch.households[program.key], one.households[program.key]
            assert bool(big.eligible[h]) == bool(small.eligible[0]), (h, program.key)
            assert int(big.failed[h]) == int(small.failed[0]), (h, program.key)
            if big.amount is not None:
                assert big.amount[h] == pytest.approx(small.amount[0], abs=0.001), (h, program.key)


def test_a_household_is_eligible_exactly_when_no_check_failed(batch):
    for program in PROGRAMS:
        if program.entity == "household":
            result = batch.households[program.key]
            assert np.array_equal(result.eligible, result.failed == 0), program.key
        else:
            person = batch.persons[program.key]
            assert np.array_equal(person.eligible, person.failed == 0), program.key


def test_every_program_finds_someone_in_a_large_enough_population(batch):
    found = {key: int(r.eligible.sum()) for key, r in batch.households.items()}
    assert all(count > 0 for count in found.values()), found


def test_failed_codes_decode_the_bitmask(batch):
    dibao = batch.households["dibao"]
    h = int(np.flatnonzero(dibao.failed)[0])
    codes = batch.failed_codes("dibao", dibao.failed[h])
    assert codes and all(code.startswith("DB_") for code in codes)
    assert batch.failed_codes("dibao", 0) == []


def test_explanations_of_a_batch_household_agree_with_the_bitmask(population):
    persons, households = population
    simulation = build_simulation(persons, households, PERIOD)
    result = compute(simulation, PERIOD)
    for h in (0, 5, 17):
        explained = explain(simulation, h, PERIOD)
        for program in PROGRAMS:
            if program.entity != "household":
                continue
            failed = [t["code"] for t in explained[program.key]["tests"] if not t["passed"]]
            assert failed == result.failed_codes(program.key, result.households[program.key].failed[h])


def test_columns_flatten_the_results(batch):
    columns = batch.columns()
    assert {"dibao_eligible", "dibao_amount", "dibao_failed", "edge_eligible", "edge_failed"} <= set(columns)
    assert "edge_amount" not in columns


def test_missing_standards_and_unknown_columns_are_named(population):
    persons, households = population
    incomplete = {k: v for k, v in households.items() if k != "dibao_standard_urban"}
    with pytest.raises(BatchInputError, match="dibao_standard_urban"):
        build_simulation(persons, incomplete, PERIOD)
    with pytest.raises(BatchInputError, match="shoe_size"):
        build_simulation({**persons, "shoe_size": persons["age"]}, households, PERIOD)
    with pytest.raises(BatchInputError, match="age"):
        build_simulation({**persons, "age": persons["age"][:-1]}, households, PERIOD)


def test_enum_inputs_take_codes_or_names(population):
    persons, households = population
    coded = compute_batch(persons, households, PERIOD, programs=["dibao"])
    names = np.array([item.name for item in common.HukouType])[households["hukou_type"]]
    named = compute_batch(persons, {**households, "hukou_type": names}, PERIOD, programs=["dibao"])
    assert np.array_equal(coded.households["dibao"].amount, named.households["dibao"].amount)


def test_all_money_is_float64():
    floats = [v for v in tax_benefit_system().variables.values() if v.value_type is float]
    assert floats and all(v.dtype == np.float64 for v in floats)


def _situation_of(persons, households, h):
    """Household h of the arrays as a JSON situation for evaluate()."""
    from openfisca_cn_assistance.standards import BY_NAME

    tbs = tax_benefit_system()

    def plain(name, value):
        variable = tbs.variables[name]
        if variable.value_type is common.Enum:
            return list(variable.possible_values)[int(value)].name if not isinstance(value, str) else value
        if variable.value_type is bool:
            return bool(value)
        if variable.value_type is int:
            return int(value)
        return float(value)

    members, supporters = [], []
    for row in np.flatnonzero(persons["household_index"] == h):
        person = {"id": f"r{row}"}
        person.update(
            {k: plain(k, v[row]) for k, v in persons.items() if k not in ("household_index", "role")}
        )
        role = int(persons["role"][row])
        if role == 2:
            supporters.append(person)
        else:
            members.append({**person, "role": "head" if role == 0 else "member"})
    household = {"id": f"h{h}"}
    standards = {}
    for name, column in households.items():
        (standards if name in BY_NAME else household)[name] = plain(name, column[h])
    return {"household": household, "members": members, "supporters": supporters, "standards": standards}


def test_batch_equals_evaluate_of_the_same_household(population, batch):
    from openfisca_cn_assistance import evaluate

    persons, households = population
    for h in range(0, 400, 23):
        result = evaluate(_situation_of(persons, households, h), PERIOD)
        for program in PROGRAMS:
            explained = result["programs"][program.key]
            assert explained["eligible"] == bool(batch.households[program.key].eligible[h]), (h, program.key)
            if program.amount:
                amount = explained.get("monthly_amount", explained.get("amount"))
                assert amount == pytest.approx(batch.households[program.key].amount[h], abs=0.01), (
                    h,
                    program.key,
                )
