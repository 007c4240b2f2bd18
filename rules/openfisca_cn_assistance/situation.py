"""The JSON situation format and ``evaluate(situation, period) -> result``.

A situation describes one household, its legal supporters living elsewhere and the regional
standards that apply, so that a result can be reproduced without the database (format in
docs/rules.md; examples in ``situation_examples/``)::

    {
      "period": "2026-08",                       # optional when given to evaluate()
      "programs": ["dibao", "tekun"],            # optional: default every program
      "household": {"id": "H1", "hukou_type": "urban", ...household inputs...},
      "members": [{"id": "p1", "role": "head", "age": 45, "wage_income": 12000, ...}, ...],
      "supporters": [{"id": "s1", "age": 72, ...}],
      "standards": {"dibao_standard_urban": 1450, ...}
    }

Keys of ``household``, of each member and supporter, and of ``standards`` are the names of the
package's input variables (``input_fields()`` lists them with label and unit). ``validate()``
returns every bad field with the reason; ``evaluate()`` raises ``SituationError`` carrying that
list, or returns the results with their explanations.
"""

from __future__ import annotations

import math
import re
from typing import Any

from openfisca_core.indexed_enums import Enum
from openfisca_core.simulations import SimulationBuilder

from openfisca_cn_assistance import __version__, tax_benefit_system
from openfisca_cn_assistance.common import SIGNED_INPUTS
from openfisca_cn_assistance.explain import explain
from openfisca_cn_assistance.programs import PROGRAM_KEYS
from openfisca_cn_assistance.standards import BY_NAME as STANDARDS_BY_NAME
from openfisca_cn_assistance.standards import REQUIRED as REQUIRED_STANDARDS

TOP_LEVEL_KEYS = ("period", "programs", "household", "members", "supporters", "standards")
# Variables with a default formula that a situation may still set: the adapter knows better
# (a minor or a sibling living in the household owes the others no support).
OVERRIDABLE = ("is_legal_supporter",)
PERSON_META_KEYS = ("id", "role", "name")
MAX_AGE = 130
_PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")


class SituationError(ValueError):
    """The situation is not valid; ``errors`` lists every bad field with the reason."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))


def _error(field: str, zh: str, en: str) -> dict[str, str]:
    return {"field": field, "message": zh, "message_en": en}


def input_fields() -> dict[str, dict[str, dict[str, Any]]]:
    """The keys a situation may use: person inputs, household inputs and standards."""
    tbs = tax_benefit_system()
    out: dict[str, dict[str, dict[str, Any]]] = {"person": {}, "household": {}, "standards": {}}
    for name, variable in sorted(tbs.variables.items()):
        info = {"label": variable.label, "unit": variable.unit, "type": variable.value_type.__name__}
        if variable.value_type is Enum:
            info["values"] = [item.name for item in variable.possible_values]
        if name in STANDARDS_BY_NAME:
            info["required"] = STANDARDS_BY_NAME[name].required
            out["standards"][name] = info
        elif variable.is_input_variable() or name in OVERRIDABLE:
            out[variable.entity.key][name] = info
    return out


def _check_value(field: str, name: str, value: Any, variable, errors: list) -> None:
    kind = variable.value_type
    if kind is bool:
        if not isinstance(value, bool):
            errors.append(_error(field, "应为 true 或 false", "must be true or false"))
        return
    if kind is Enum:
        names = [item.name for item in variable.possible_values]
        if value not in names:
            errors.append(
                _error(
                    field,
                    f"取值无效，应为 {', '.join(names)} 之一",
                    f"invalid value, expected one of {', '.join(names)}",
                )
            )
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        errors.append(_error(field, "应为数字", "must be a number"))
        return
    if kind is int and not float(value).is_integer():
        errors.append(_error(field, "应为整数", "must be a whole number"))
        return
    if not math.isfinite(value):
        errors.append(_error(field, "应为有限数字", "must be a finite number"))
        return
    if value < 0 and name not in SIGNED_INPUTS:
        errors.append(_error(field, f"不能为负数（{value}）", f"must not be negative ({value})"))


def _check_person(
    field: str, person: Any, allowed: dict, tbs, ids: set, errors: list, supporter: bool
) -> None:
    if not isinstance(person, dict):
        errors.append(_error(field, "应为对象", "must be an object"))
        return
    person_id = person.get("id")
    if not isinstance(person_id, str) or not person_id.strip():
        errors.append(_error(f"{field}.id", "缺少人员编号", "missing person id"))
    elif person_id in ids:
        errors.append(_error(f"{field}.id", f"人员编号 {person_id} 重复", f"duplicate person id {person_id}"))
    else:
        ids.add(person_id)
    role = person.get("role", "supporter" if supporter else "member")
    if supporter and role != "supporter":
        errors.append(
            _error(
                f"{field}.role",
                "外居义务人的角色只能是 supporter",
                "a supporter's role can only be supporter",
            )
        )
    if not supporter and role not in ("head", "member"):
        errors.append(
            _error(f"{field}.role", "角色应为 head（户主）或 member（成员）", "role must be head or member")
        )
    if "name" in person and not isinstance(person["name"], str):
        errors.append(_error(f"{field}.name", "姓名应为文字", "name must be text"))
    for key, value in person.items():
        if key in PERSON_META_KEYS:
            continue
        if key not in allowed:
            errors.append(_error(f"{field}.{key}", "未知字段", "unknown field"))
            continue
        _check_value(f"{field}.{key}", key, value, tbs.variables[key], errors)
    age = person.get("age")
    if "age" not in person:
        errors.append(_error(f"{field}.age", "缺少年龄", "missing age"))
    elif isinstance(age, (int, float)) and not isinstance(age, bool) and not 0 <= age <= MAX_AGE:
        errors.append(
            _error(
                f"{field}.age",
                f"年龄 {age} 不可能（应在 0–{MAX_AGE} 之间）",
                f"impossible age {age} (0–{MAX_AGE})",
            )
        )
    grade = person.get("disability_grade", 0)
    category = person.get("disability_category", "none")
    if isinstance(grade, int) and not isinstance(grade, bool):
        if grade > 4:
            errors.append(
                _error(
                    f"{field}.disability_grade",
                    f"残疾等级 {grade} 无效（应为 1–4）",
                    f"invalid grade {grade} (1–4)",
                )
            )
        elif grade > 0 and category == "none":
            errors.append(
                _error(
                    f"{field}.disability_category",
                    "有残疾等级但缺少残疾类别",
                    "a disability grade needs a category",
                )
            )
        elif grade == 0 and category not in ("none", None):
            errors.append(
                _error(
                    f"{field}.disability_grade",
                    "有残疾类别但缺少残疾等级",
                    "a disability category needs a grade",
                )
            )


def _check_period(period: Any, tbs, errors: list) -> str | None:
    if not isinstance(period, str) or not _PERIOD_RE.match(period) or not 1 <= int(period[5:]) <= 12:
        errors.append(
            _error(
                "period",
                f"期间 {period!r} 无效，应为 YYYY-MM",
                f"invalid period {period!r}, expected YYYY-MM",
            )
        )
        return None
    try:
        in_force = bool(tbs.get_parameters_at_instant(f"{period}-01").general.rules_in_force)
    except Exception:  # noqa: BLE001 - OpenFisca raises ParameterNotFound before the first date
        in_force = False
    if not in_force:
        errors.append(
            _error(
                "period",
                f"{period} 没有施行的规则（本规则包自 2021-07 起适用）",
                f"no rules in force in {period} (from 2021-07)",
            )
        )
        return None
    return period


def validate(situation: Any, period: str | None = None) -> list[dict[str, str]]:
    """Every problem of the situation, each with the field and the reason (Chinese and English)."""
    tbs = tax_benefit_system()
    errors: list[dict[str, str]] = []
    if not isinstance(situation, dict):
        return [_error("(root)", "情形应为 JSON 对象", "the situation must be a JSON object")]
    for key in situation:
        if key not in TOP_LEVEL_KEYS:
            errors.append(_error(key, "未知字段", "unknown field"))
    if period is None:
        period = situation.get("period")
    if period is None:
        errors.append(_error("period", "缺少期间", "missing period"))
    else:
        _check_period(period, tbs, errors)
    programs = situation.get("programs")
    if programs is not None:
        if not isinstance(programs, list):
            errors.append(_error("programs", "应为项目代码列表", "must be a list of program keys"))
        else:
            for i, key in enumerate(programs):
                if key not in PROGRAM_KEYS:
                    errors.append(
                        _error(f"programs[{i}]", f"未知的救助项目 {key!r}", f"unknown program {key!r}")
                    )
    fields = input_fields()
    household = situation.get("household", {})
    if not isinstance(household, dict):
        errors.append(_error("household", "应为对象", "must be an object"))
        household = {}
    for key, value in household.items():
        if key == "id":
            if not isinstance(value, str):
                errors.append(_error("household.id", "家庭编号应为文字", "household id must be text"))
        elif key in fields["standards"]:
            errors.append(
                _error(
                    f"household.{key}", "地区标准应写在 standards 中", "regional standards go in standards"
                )
            )
        elif key not in fields["household"]:
            errors.append(_error(f"household.{key}", "未知字段", "unknown field"))
        else:
            _check_value(f"household.{key}", key, value, tbs.variables[key], errors)
    ids: set[str] = set()
    members = situation.get("members")
    if not isinstance(members, list) or not members:
        errors.append(_error("members", "至少需要一名家庭成员", "at least one member is required"))
        members = []
    for i, member in enumerate(members):
        _check_person(f"members[{i}]", member, fields["person"], tbs, ids, errors, supporter=False)
    heads = [m for m in members if isinstance(m, dict) and m.get("role") == "head"]
    if members and len(heads) != 1:
        errors.append(
            _error(
                "members",
                f"应有且只有一名户主（role: head），现有 {len(heads)} 名",
                f"exactly one head required, found {len(heads)}",
            )
        )
    supporters = situation.get("supporters", [])
    if not isinstance(supporters, list):
        errors.append(_error("supporters", "应为列表", "must be a list"))
        supporters = []
    for i, supporter in enumerate(supporters):
        _check_person(f"supporters[{i}]", supporter, fields["person"], tbs, ids, errors, supporter=True)
    standards = situation.get("standards")
    if not isinstance(standards, dict):
        errors.append(_error("standards", "缺少地区标准", "missing regional standards"))
        standards = {}
    for name in REQUIRED_STANDARDS:
        if name not in standards:
            label = STANDARDS_BY_NAME[name].label_zh
            errors.append(
                _error(
                    f"standards.{name}",
                    f"缺少必需的地区标准：{label}",
                    f"missing required standard: {STANDARDS_BY_NAME[name].label_en}",
                )
            )
    for key, value in standards.items():
        if key not in fields["standards"]:
            errors.append(_error(f"standards.{key}", "未知的地区标准", "unknown standard"))
            continue
        _check_value(f"standards.{key}", key, value, tbs.variables[key], errors)
        if (
            key.startswith("dibao_standard_")
            and isinstance(value, (int, float))
            and not isinstance(value, bool)
            and value <= 0
        ):
            errors.append(
                _error(f"standards.{key}", "低保标准应大于 0", "the dibao standard must be above 0")
            )
    return errors


def to_openfisca(situation: dict, period: str) -> dict:
    """The situation as OpenFisca's entities dictionary (the same shape as a YAML test input)."""

    def values(entity: dict) -> dict:
        return {k: {period: v} for k, v in entity.items() if k not in PERSON_META_KEYS}

    persons = {}
    roles: dict[str, list[str]] = {"head": [], "members": [], "supporters": []}
    for member in situation["members"]:
        persons[member["id"]] = values(member)
        roles["head" if member.get("role") == "head" else "members"].append(member["id"])
    for supporter in situation.get("supporters", []):
        persons[supporter["id"]] = values(supporter)
        roles["supporters"].append(supporter["id"])
    household: dict[str, Any] = {
        k: {period: v} for k, v in situation.get("household", {}).items() if k != "id"
    }
    household.update({k: {period: v} for k, v in situation.get("standards", {}).items()})
    household.update({k: v for k, v in roles.items() if v})
    return {
        "persons": persons,
        "households": {str(situation.get("household", {}).get("id", "household")): household},
    }


def simulate(situation: dict, period: str | None = None):
    """Validate, then build the OpenFisca simulation of one household (nothing computed yet)."""
    if period is None and isinstance(situation, dict):
        period = situation.get("period")
    errors = validate(situation, period)
    if errors or period is None:
        raise SituationError(errors)
    builder = SimulationBuilder()
    builder.set_default_period(period)
    return builder.build_from_entities(tax_benefit_system(), to_openfisca(situation, period)), period


def evaluate(situation: dict, period: str | None = None) -> dict:
    """Validate the situation, compute every requested program and explain each result.

    Returns ``{"period", "household", "rules", "eligible", "programs", "standards"}``; raises
    ``SituationError`` (with ``.errors``) when the situation is not valid.
    """
    simulation, period = simulate(situation, period)
    names = {p["id"]: p["name"] for p in situation["members"] if "name" in p}
    programs = situation.get("programs") or list(PROGRAM_KEYS)
    results = explain(simulation, 0, period, programs=programs, names=names)
    standards = {}
    for name in STANDARDS_BY_NAME:
        value = simulation.calculate(name, period)
        standards[name] = value.decode_to_str()[0] if hasattr(value, "decode_to_str") else value[0].item()
    return {
        "period": period,
        "household": situation.get("household", {}).get("id"),
        "rules": {"package": "openfisca_cn_assistance", "version": __version__},
        "eligible": [key for key, result in results.items() if result["eligible"]],
        "programs": results,
        "standards": standards,
    }
