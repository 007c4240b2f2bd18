"""Shared helpers for the rules package's pytest suite (no Django here)."""

from __future__ import annotations

import copy
import os
import tempfile

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis keeps no state in the working tree (no .hypothesis/ next to the project).
set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "hypothesis-openfisca-cn-assistance"))

PERIOD = "2026-08"

STANDARDS = {
    "dibao_standard_urban": 1000,
    "dibao_standard_rural": 800,
    "asset_multiple": 24,
    "minimum_wage": 2000,
    "disposable_income_last_year": 48000,
    "consumption_expenditure_last_year": 30000,
    "care_rate_able": 0.2,
    "care_rate_partial": 0.4,
    "care_rate_full": 0.6,
    "rigid_expenditure_ratio": 0.5,
    "income_reference_months": 1,
}


def make_situation(members, supporters=(), standards=None, **household):
    """A valid situation: the first member is the head unless a role is given."""
    members = copy.deepcopy(list(members))
    for i, member in enumerate(members):
        member.setdefault("id", f"p{i + 1}")
        member.setdefault("role", "head" if i == 0 else "member")
    supporters = copy.deepcopy(list(supporters))
    for i, supporter in enumerate(supporters):
        supporter.setdefault("id", f"s{i + 1}")
    return {
        "period": PERIOD,
        "household": {"id": "H1", **household},
        "members": members,
        "supporters": supporters,
        "standards": {**STANDARDS, **(standards or {})},
    }


@pytest.fixture
def situation():
    return make_situation
