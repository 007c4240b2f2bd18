"""Regional standards as household inputs, generated from the table in ``standards.py``.

These classes are added to the system by ``CountryTaxBenefitSystem``, not loaded from
``variables/``: OpenFisca's file loader only picks up classes written as ``class`` statements.

One variable per row of ``openfisca_cn_assistance.standards.STANDARDS``: label, unit and legal
reference come from the table; where the row names a parameter, the variable's formula returns
the dated parameter value, and an input set by the adapter replaces it.
"""

import numpy as np
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from openfisca_cn_assistance.entities import Household
from openfisca_cn_assistance.standards import STANDARDS


def _from_parameter(path, dtype):
    def formula(household, period, parameters):
        node = parameters(period)
        for part in path.split("."):
            node = node[part]
        # A zero-stride view: one value shared by every household, no memory per household.
        return np.broadcast_to(np.asarray(node, dtype=dtype), (household.count,))

    return formula


def _same_as(other):
    def formula(household, period):
        return household(other, period)

    return formula


def _make(standard):
    attrs = {
        "__module__": __name__,
        "entity": Household,
        "definition_period": MONTH,
        "label": f"{standard.label_zh} / {standard.label_en}",
        "unit": standard.unit,
        "reference": ("[regional standard, required] " if standard.required else "") + standard.reference,
    }
    if standard.enum is not None:
        attrs["value_type"] = Enum
        attrs["possible_values"] = standard.enum
        attrs["default_value"] = next(iter(standard.enum))
    else:
        attrs["value_type"] = standard.value_type
        if standard.parameter:
            attrs["formula"] = _from_parameter(
                standard.parameter, np.int32 if standard.value_type is int else np.float64
            )
        elif standard.same_as:
            attrs["formula"] = _same_as(standard.same_as)
    return type(standard.name, (Variable,), attrs)


# Added by CountryTaxBenefitSystem (OpenFisca's file loader only picks up `class` statements).
STANDARD_VARIABLES = tuple(_make(standard) for standard in STANDARDS)
