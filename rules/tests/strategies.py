"""Hypothesis strategies: random but valid households for the property tests."""

from __future__ import annotations

from hypothesis import strategies as st

DISABILITY = ["none", "visual", "hearing", "speech", "physical", "intellectual", "mental", "multiple"]
EMPLOYMENT = [
    "na",
    "employed",
    "self_employed",
    "flexible",
    "farming",
    "unemployed_registered",
    "unemployed",
    "retired",
]
SCHOOLING = ["none", "preschool", "primary", "junior", "senior", "vocational", "undergraduate"]

money = st.one_of(
    st.just(0), st.integers(0, 6000), st.floats(0, 20000, allow_nan=False).map(lambda x: round(x, 2))
)


@st.composite
def person(draw, supporter=False):
    category = draw(st.sampled_from(DISABILITY))
    p = {
        "age": draw(st.integers(0, 100)),
        "disability_category": category,
        "disability_grade": 0 if category == "none" else draw(st.integers(1, 4)),
        "serious_illness": draw(st.booleans()),
        "employment": draw(st.sampled_from(EMPLOYMENT)),
        "schooling": draw(st.sampled_from(SCHOOLING)),
        "wage_income": draw(money),
        "pension_income": draw(st.sampled_from([0, 0, 300, 1200])),
        "monetary_assets": draw(st.sampled_from([0, 5000, 24000, 30000])),
        "medical_costs_year": draw(st.sampled_from([0, 3000, 20000, 80000])),
        "medical_out_of_pocket_12m": draw(st.sampled_from([0, 10000, 40000])),
        "adl_bathing": draw(st.booleans()),
        "tekun_recognised": draw(st.booleans()) if not supporter else False,
        "refused_job_offers": draw(st.sampled_from([0, 0, 3])),
        "receives_unemployment_insurance": draw(st.booleans()),
    }
    if supporter:
        p["receives_dibao"] = draw(st.booleans())
    return p


@st.composite
def household(draw):
    """(members, supporters, household facts, extra standards)."""
    members = draw(st.lists(person(), min_size=1, max_size=5))
    supporters = draw(st.lists(person(supporter=True), max_size=2))
    facts = {
        "hukou_type": draw(st.sampled_from(["urban", "rural"])),
        "emergency_event": draw(st.booleans()),
        "necessary_spending": draw(st.sampled_from([0, 4000, 12000, 60000])),
        "spending_cause": draw(st.sampled_from(["none", "medical", "education"])),
        "housing_need": draw(st.booleans()),
        "renting": draw(st.booleans()),
        "housing_subsidy_area": draw(st.sampled_from([0, 30])),
        "disaster_affected": draw(st.booleans()),
    }
    standards = {
        "topup_rate_severe": draw(st.sampled_from([0, 0.35])),
        "topup_rate_vulnerable": draw(st.sampled_from([0, 0.25])),
        "housing_rent_standard": draw(st.sampled_from([0, 50])),
        "cpi_yoy": draw(st.sampled_from([0, 0.04])),
        "rounding": draw(st.sampled_from(["half_up_cent", "up_yuan", "half_up_yuan"])),
    }
    return members, supporters, facts, standards
