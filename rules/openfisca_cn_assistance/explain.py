"""Explanations: for one household of a computed simulation, every program's result with the
tests applied (value, threshold, passed, legal reference) and one line on the distance to the
line. Plain Python over the simulation's arrays; the batch path does not call it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
from openfisca_core.indexed_enums import EnumArray

from openfisca_cn_assistance.programs import BY_KEY, PROGRAMS, Check, Distance, Program


class _Reader:
    """Reads variables for one household (index) and its persons out of a simulation."""

    def __init__(self, simulation, index: int, period: str) -> None:
        self.simulation = simulation
        self.period = period
        self.index = index
        self.tbs = simulation.tax_benefit_system
        households = simulation.populations["household"]
        persons = simulation.populations["person"]
        in_household = np.flatnonzero(households.members_entity_id == index)
        supporter = simulation.calculate("is_supporter", period)
        self.member_rows = [int(i) for i in in_household if not supporter[i]]
        self.person_ids = persons.ids
        self._cache: dict[str, Any] = {}

    def array(self, name: str):
        if name not in self._cache:
            self._cache[name] = self.simulation.calculate(name, self.period)
        return self._cache[name]

    def value(self, name: str, row: int | None = None):
        """The value for the household, or for the person at ``row`` (household variables are
        read at the household's index whatever the row)."""
        array = self.array(name)
        variable = self.tbs.get_variable(name, check_existence=True)
        position = self.index if variable.entity.key == "household" or row is None else row
        money = (variable.unit or "").startswith(("currency", "yuan"))
        return _plain(array, position, 2 if money else 6)


def _plain(array, position: int, decimals: int):
    if isinstance(array, EnumArray):
        return array.decode_to_str()[position]
    item = array[position]
    if isinstance(item, (np.bool_, bool)):
        return bool(item)
    if isinstance(item, (np.integer, int)):
        return int(item)
    value = float(item)
    return round(value, decimals) if math.isfinite(value) else value


def _threshold(reader: _Reader, check: Check, row: int | None):
    if check.threshold is None:
        return True if check.value is None else None
    if isinstance(check.threshold, str):
        return reader.value(check.threshold, row)
    return check.threshold


def _tests(reader: _Reader, program: Program, row: int | None) -> list[dict]:
    tests = []
    for check in program.checks:
        value = reader.value(check.value, row) if check.value else reader.value(check.passed, row)
        tests.append(
            {
                "code": check.code,
                "label_zh": check.label_zh,
                "label_en": check.label_en,
                "value": value,
                "operator": check.op or ("==" if check.value is None else None),
                "threshold": _threshold(reader, check, row),
                "passed": bool(reader.value(check.passed, row)),
                "reference": check.reference,
            }
        )
    return tests


def _yuan(amount: float) -> str:
    amount = round(abs(amount), 2)
    return f"{amount:.0f}" if amount == int(amount) else f"{amount:.2f}"


def distance_line(distance: Distance, value: float, threshold: float) -> dict[str, str]:
    """ "月人均收入高于标准 120 元" / "monthly per-capita income is 120 yuan above the standard"."""
    gap = round(value - threshold, 2)
    if gap == 0:
        return {
            "zh": f"{distance.value_zh}等于{distance.line_zh}",
            "en": f"{distance.value_en} equals {distance.line_en}",
        }
    word_zh, word_en = ("高于", "above") if gap > 0 else ("低于", "below")
    return {
        "zh": f"{distance.value_zh}{word_zh}{distance.line_zh} {_yuan(gap)} 元",
        "en": f"{distance.value_en} is {_yuan(gap)} yuan {word_en} {distance.line_en}",
    }


def _entry(reader: _Reader, program: Program, row: int | None) -> dict:
    entry: dict[str, Any] = {"eligible": bool(reader.value(program.eligible, row))}
    if program.amount:
        entry[program.amount_key or "amount"] = reader.value(program.amount, row)
    for key, name in program.extras.items():
        entry[key] = reader.value(name, row)
    entry["tests"] = _tests(reader, program, row)
    if program.distance:
        d = program.distance
        entry["distance"] = distance_line(d, reader.value(d.value, row), reader.value(d.threshold, row))
    return entry


def explain_program(reader: _Reader, program: Program, names: dict[str, str] | None = None) -> dict:
    result: dict[str, Any] = {"label_zh": program.label_zh, "label_en": program.label_en}
    if program.entity == "household":
        result.update(_entry(reader, program, None))
        if program.member_flag:
            flags = reader.array(program.member_flag)
            result["members"] = [str(reader.person_ids[row]) for row in reader.member_rows if flags[row]]
        return result
    members = []
    for row in reader.member_rows:
        person_id = str(reader.person_ids[row])
        member: dict[str, Any] = {"member": person_id}
        if names and person_id in names:
            member["name"] = names[person_id]
        member.update(_entry(reader, program, row))
        members.append(member)
    result["eligible"] = any(m["eligible"] for m in members)
    if program.amount:
        amount_key = program.amount_key or "amount"
        result[amount_key] = round(sum(m[amount_key] for m in members), 2)
    result["eligible_members"] = [m["member"] for m in members if m["eligible"]]
    result["members"] = members
    return result


def explain(
    simulation,
    index: int = 0,
    period: str | None = None,
    programs: Iterable[str] | None = None,
    names: dict[str, str] | None = None,
) -> dict[str, dict]:
    """Every program's result for household ``index`` of a computed (or computable) simulation.

    Returns ``{program_key: {eligible, monthly_amount | amount, tests: [...], distance, ...}}``;
    per-person programs (single_person_dibao, tekun, medical, education) also list ``members``.
    """
    if period is None:
        period = str(getattr(simulation, "default_calculation_period", None) or "")
        if not period:
            raise ValueError("explain() needs the period (e.g. '2026-08')")
    reader = _Reader(simulation, index, str(period))
    selected = [BY_KEY[key] for key in programs] if programs is not None else list(PROGRAMS)
    return {program.key: explain_program(reader, program, names) for program in selected}
