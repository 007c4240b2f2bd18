"""Properties of the rules on random households (hypothesis): amounts are never negative, they do
not rise when counted income rises (outside taper and single-person cases), and they do not
depend on the order of the members."""

from __future__ import annotations

from conftest import make_situation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import household

from openfisca_cn_assistance import evaluate
from openfisca_cn_assistance.programs import PROGRAMS

AMOUNT_KEYS = ("monthly_amount", "amount")
SETTINGS = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def amounts(result) -> dict[str, float]:
    out = {}
    for key, program in result["programs"].items():
        for amount_key in AMOUNT_KEYS:
            if amount_key in program:
                out[key] = program[amount_key]
    return out


def member_amounts(result) -> dict[tuple[str, str], float]:
    out = {}
    for key, program in result["programs"].items():
        for member in program.get("members", []):
            if isinstance(member, dict):
                for amount_key in AMOUNT_KEYS:
                    if amount_key in member:
                        out[(key, member["member"])] = member[amount_key]
    return out


@SETTINGS
@given(household())
def test_amounts_are_never_negative(drawn):
    members, supporters, facts, standards = drawn
    result = evaluate(make_situation(members, supporters, standards, **facts))
    assert all(value >= 0 for value in amounts(result).values())
    assert all(value >= 0 for value in member_amounts(result).values())


@SETTINGS
@given(household(), st.data())
def test_amounts_do_not_rise_when_counted_income_rises(drawn, data):
    members, supporters, facts, standards = drawn
    who = data.draw(st.integers(0, len(members) - 1), label="member whose wage rises")
    rise = data.draw(st.sampled_from([1, 50, 500, 3000]), label="rise")
    before = evaluate(make_situation(members, supporters, standards, **facts))
    members[who]["wage_income"] = members[who]["wage_income"] + rise
    after = evaluate(make_situation(members, supporters, standards, **facts))
    for key, value in amounts(after).items():
        if key == "single_person_dibao":  # a household leaving dibao may open single-person dibao
            continue
        assert value <= amounts(before)[key] + 0.01, key


@SETTINGS
@given(household(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_the_order_of_members(drawn, random):
    members, supporters, facts, standards = drawn
    situation = make_situation(members, supporters, standards, **facts)
    shuffled = dict(situation, members=list(situation["members"]), supporters=list(situation["supporters"]))
    random.shuffle(shuffled["members"])
    random.shuffle(shuffled["supporters"])
    first, second = evaluate(situation), evaluate(shuffled)
    for program in PROGRAMS:
        assert first["programs"][program.key]["eligible"] == second["programs"][program.key]["eligible"], (
            program.key
        )
    assert amounts(first) == amounts(second)
    assert member_amounts(first) == member_amounts(second)
