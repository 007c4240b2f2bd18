"""社会救助规则包 — OpenFisca rules for Chinese social assistance (no Django here).

- ``CountryTaxBenefitSystem``: the OpenFisca system (entities, variables, dated parameters).
- ``evaluate(situation, period)``: one household, validated, with explanations (situation.py).
- ``explain(simulation, index)``: the tests behind each program's result (explain.py).
- ``compute_batch(persons, households, period)``: the vectorised path (batch.py).
"""

from __future__ import annotations

import functools
import os

import numpy
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from openfisca_cn_assistance import entities
from openfisca_cn_assistance.standard_variables import STANDARD_VARIABLES

__version__ = "0.1.0"

COUNTRY_DIR = os.path.dirname(os.path.abspath(__file__))


class CountryTaxBenefitSystem(TaxBenefitSystem):
    """The rules: entities, variables and parameters of the package."""

    def __init__(self) -> None:
        super().__init__(entities.entities)
        self.add_variables_from_directory(os.path.join(COUNTRY_DIR, "variables"))
        for variable in STANDARD_VARIABLES:
            self.add_variable(variable)
        self.load_parameters(os.path.join(COUNTRY_DIR, "parameters"))
        # Money is computed in float64: float32 (OpenFisca's default) is not exact to the cent
        # above ~100,000 yuan, and strict lines ("below the standard") need the cent.
        for variable in self.variables.values():
            if variable.value_type is float:
                variable.dtype = numpy.float64


@functools.lru_cache(maxsize=1)
def tax_benefit_system() -> CountryTaxBenefitSystem:
    """The system, built once per process (building it parses every YAML parameter)."""
    return CountryTaxBenefitSystem()


def evaluate(situation: dict, period: str | None = None) -> dict:
    from openfisca_cn_assistance.situation import evaluate as _evaluate

    return _evaluate(situation, period)


def explain(simulation, index: int = 0, period: str | None = None) -> dict:
    from openfisca_cn_assistance.explain import explain as _explain

    return _explain(simulation, index, period)
