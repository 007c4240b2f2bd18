"""The system itself: every variable and parameter carries its label and legal reference, the
YAML cases are numerous and readable, and the package stays free of Django."""

from __future__ import annotations

from pathlib import Path

import yaml

from openfisca_cn_assistance import tax_benefit_system
from openfisca_cn_assistance.programs import PROGRAMS
from openfisca_cn_assistance.standards import STANDARDS

YAML_DIR = Path(__file__).parents[1] / "openfisca_cn_assistance" / "tests"


def _leaves(node):
    children = getattr(node, "children", None)
    if children is None:
        yield node
        return
    for child in children.values():
        yield from _leaves(child)


def test_every_variable_has_a_label_and_a_reference():
    for name, variable in tax_benefit_system().variables.items():
        assert variable.label and "/ " in variable.label, f"{name}: label should be '中文 / English'"
        assert variable.reference, f"{name}: legal reference missing"
        if variable.value_type in (int, float):
            assert variable.unit, f"{name}: unit missing"


def test_every_parameter_value_is_dated_and_cited():
    for parameter in _leaves(tax_benefit_system().parameters):
        assert parameter.values_list, parameter.name
        for value in parameter.values_list:
            assert value.metadata.get("reference"), f"{parameter.name}@{value.instant_str}: reference missing"


def test_every_standard_is_a_household_variable_and_defaults_are_parameters():
    tbs = tax_benefit_system()
    for standard in STANDARDS:
        assert tbs.variables[standard.name].entity.key == "household"
        if standard.parameter:
            node = tbs.parameters
            for part in standard.parameter.split("."):
                node = node.children[part]
        if standard.same_as:
            assert standard.same_as in tbs.variables


def test_every_check_names_existing_variables():
    tbs = tax_benefit_system()
    for program in PROGRAMS:
        for name in (program.eligible, program.amount, *program.extras.values()):
            if name:
                assert name in tbs.variables, (program.key, name)
        for check in program.checks:
            for name in (check.passed, check.value, check.threshold):
                if isinstance(name, str):
                    assert name in tbs.variables, (program.key, check.code, name)
        codes = [c.code for c in program.checks]
        assert len(codes) == len(set(codes)) <= 32


def test_there_are_at_least_100_named_and_cited_yaml_cases_covering_every_program():
    cases = []
    for path in sorted(YAML_DIR.glob("*.yaml")):
        cases.extend(yaml.safe_load(path.read_text()))
    assert len(cases) >= 100
    for case in cases:
        assert case["name"] and case["description"], case.get("name")
    outputs = " ".join(str(case["output"]) for case in cases)
    for program in PROGRAMS:
        assert program.eligible in outputs or (program.amount or "") in outputs, program.key
