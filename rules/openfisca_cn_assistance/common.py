"""Shared vocabulary of the rules: enumerations and small numeric helpers.

Variables modules are loaded by OpenFisca from their files; everything they share lives here,
in an ordinary module, so that the situation validator, the batch builder and the explanations
use the very same codes.
"""

from __future__ import annotations

import numpy as np
from openfisca_core.indexed_enums import Enum

# --- Enumerations (names are the codes used in situations and YAML tests; values are labels) ---


class HukouType(Enum):
    urban = "城镇户口 / urban"
    rural = "农村户口 / rural"


class DisabilityCategory(Enum):
    none = "无残疾 / none"
    visual = "视力残疾 / visual"
    hearing = "听力残疾 / hearing"
    speech = "言语残疾 / speech"
    physical = "肢体残疾 / physical"
    intellectual = "智力残疾 / intellectual"
    mental = "精神残疾 / mental"
    multiple = "多重残疾 / multiple"


class WorkCapacity(Enum):
    full = "有劳动能力 / full"
    partial = "部分丧失劳动能力 / partial"
    none = "无劳动能力 / none"


class Schooling(Enum):
    none = "不在学 / not in school"
    preschool = "学前教育 / preschool"
    primary = "小学 / primary"
    junior = "初中 / junior secondary"
    senior = "普通高中 / senior secondary"
    vocational = "中职/高职 / vocational"
    undergraduate = "本科/专科 / undergraduate"
    postgraduate = "研究生 / postgraduate"


class Employment(Enum):
    na = "不适用 / not applicable"
    employed = "单位就业 / salaried"
    self_employed = "个体经营 / self-employed"
    flexible = "灵活就业 / flexible"
    farming = "务农 / farming"
    unemployed_registered = "登记失业 / registered unemployed"
    unemployed = "未就业 / not employed"
    retired = "退休 / retired"


class ExclusionReason(Enum):
    """Why a person living in the household is not a counted member (审核确认办法 第7条)."""

    none = "计入 / counted"
    clergy = "宗教教职人员脱离家庭连续三年以上 / clergy away 3+ years"
    prisoner = "在监狱服刑 / in prison"
    drug_rehab = "强制隔离戒毒 / compulsory drug rehabilitation"
    missing = "宣告失踪 / declared missing"
    conscript = "义务兵（地方规定）/ conscript (local rule)"
    provincial = "省级民政部门规定的其他情形 / other provincial case"


class SelfCareLevel(Enum):
    able = "具备生活自理能力 / able to care for oneself"
    partial = "部分丧失生活自理能力 / partly lost"
    full = "完全丧失生活自理能力 / fully lost"


class DibaoMode(Enum):
    gap = "差额救助 / gap-filling"
    banded = "分档救助 / banded"


class Rounding(Enum):
    half_up_cent = "四舍五入到分 / half-up to the cent"
    up_yuan = "向上取整到元 / up to the whole yuan"
    half_up_yuan = "四舍五入到元 / half-up to the whole yuan"


class SpendingCause(Enum):
    none = "无 / none"
    medical = "医疗 / medical"
    education = "教育 / education"
    other = "其他 / other"


class HouseDamage(Enum):
    none = "无损坏 / none"
    damaged = "一般损坏 / damaged"
    severe = "严重损坏 / severely damaged"
    collapsed = "倒塌 / collapsed"


class MedicalStatus(Enum):
    none = "无 / none"
    tekun = "特困人员 / tekun"
    dibao = "低保对象 / dibao"
    edge = "低保边缘家庭成员 / edge"
    rigid_expenditure = "刚性支出困难家庭成员 / rigid expenditure"
    illness = "因病致贫重病患者 / impoverished by illness"


ENUMS = {
    "hukou_type": HukouType,
    "disability_category": DisabilityCategory,
    "work_capacity": WorkCapacity,
    "schooling": Schooling,
    "employment": Employment,
    "exclusion_reason": ExclusionReason,
    "self_care_level": SelfCareLevel,
    "dibao_mode": DibaoMode,
    "rounding": Rounding,
    "spending_cause": SpendingCause,
    "house_damage": HouseDamage,
    "medical_best_status": MedicalStatus,
}

# Inputs that may be negative (a business or property loss, falling prices); every other number is >= 0.
SIGNED_INPUTS = frozenset({"business_net_income", "property_net_income", "cpi_yoy", "food_cpi_yoy"})

# A tiny tolerance so that 0.005 stored as 0.004999999 still rounds up.
_EPS = 1e-7


def round_half_up(values, decimals: int = 2):
    """Half-up rounding (0.005 → 0.01; -0.005 → -0.01), not numpy's banker's rounding."""
    factor = 10.0**decimals
    values = np.asarray(values, dtype=np.float64)
    if values.size and values.min() >= 0:
        out = values * factor  # the fast path: amounts and incomes are rarely negative
        out += 0.5 + _EPS
        np.floor(out, out=out)
        out /= factor
        return out
    return np.sign(values) * np.floor(np.abs(values) * factor + 0.5 + _EPS) / factor


def _round_with(values, code: int):
    if code == Rounding.up_yuan.index:
        return np.ceil(values - _EPS * 100)
    return round_half_up(values, 0 if code == Rounding.half_up_yuan.index else 2)


def round_amount(values, rule):
    """Round an amount with the region's rule (domain-rules §11.1): once, at the end."""
    values = np.asarray(values, dtype=np.float64)
    codes = np.asarray(rule)
    if codes.size == 0 or codes.min() == codes.max():
        return _round_with(values, int(codes.flat[0]) if codes.size else Rounding.half_up_cent.index)
    out = round_half_up(values, 2)
    for code in (Rounding.up_yuan.index, Rounding.half_up_yuan.index):
        where = codes == code
        if where.any():
            out[where] = _round_with(values[where], code)
    return out


def household_value(person, name: str, period):
    """``person.household(name, period)`` without copying a value shared by every household.

    Standards left at their parameter default are zero-stride views of one value; projecting
    them onto three million persons would copy that value three million times.
    """
    households = person.simulation.populations["household"]
    values = households(name, period)
    if type(values) is np.ndarray and values.ndim == 1 and values.strides == (0,) and values.size:
        return np.broadcast_to(values[:1], (person.count,))
    return households.project(values)
