"""医疗救助 (medical assistance), per person per year: under each status the person holds, the
deductible, rate and cap of that status; the most favourable applies, never the sum
(domain-rules §5.2, §11.7). Below the deductible: eligible, amount 0 [A]."""

import numpy as np
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from openfisca_cn_assistance import common as c
from openfisca_cn_assistance.common import MedicalStatus
from openfisca_cn_assistance.entities import Household, Person

STATUSES = ("tekun", "dibao", "edge", "rigid_expenditure", "illness")


class illness_poverty_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "扣除医疗费用后月人均收入不高于最低工资，且财产符合规定 / per-capita income after medical costs at most the minimum wage, assets within the rule"
    reference = "北京 京医保发〔2023〕9号 [S]; 国办发〔2021〕42号 (因病致贫重病患者) [S-2]"

    def formula(household, period):
        persons = np.maximum(household("counted_members", period), 1)
        costs = household.sum(
            np.where(
                household.members("is_counted_member", period),
                household.members("medical_costs_year", period),
                0,
            )
        )
        after = (household("household_total_income_12m", period) - costs) / persons / 12
        return (after <= household("minimum_wage", period)) & household("low_income_asset_test", period)


class medical_status_tekun(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "特困人员 / tekun"
    reference = "社会救助法 第24条"

    def formula(person, period):
        return person("tekun_eligible", period) | (
            person("tekun_recognised", period) & person("is_counted_member", period)
        )


class medical_status_dibao(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "低保对象（含单人保、渐退）/ dibao recipient (single-person and taper included)"
    reference = "社会救助法 第24条"

    def formula(person, period):
        return (person.household("dibao_paid", period) & person("is_covered", period)) | person(
            "single_person_dibao_eligible", period
        )


class medical_status_edge(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "低保边缘家庭成员 / member of an edge household"
    reference = "社会救助法 第24条"

    def formula(person, period):
        return person.household("edge_eligible", period) & person("is_counted_member", period)


class medical_status_rigid_expenditure(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "刚性支出困难家庭成员 / member of a rigid-expenditure household"
    reference = "社会救助法 第24条"

    def formula(person, period):
        return person.household("rigid_expenditure_eligible", period) & person("is_counted_member", period)


class medical_status_illness(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "因病致贫重病患者 / seriously ill and impoverished by illness"
    reference = "国办发〔2021〕42号 [S-2]; 北京 京医保发〔2023〕9号 [S]"

    def formula(person, period):
        return (
            person("serious_illness", period)
            & person("is_counted_member", period)
            & person.household("illness_poverty_test", period)
        )


class medical_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "属于医疗救助对象 / a medical-assistance target"
    reference = "社会救助法 第24条; 国办发〔2021〕42号"

    def formula(person, period):
        return np.logical_or.reduce([person(f"medical_status_{s}", period) for s in STATUSES])


def _amount_under(status):
    def formula(person, period):
        costs = person("medical_costs_year", period)
        deductible = c.household_value(
            person, f"medical_{status}_deductible_share", period
        ) * c.household_value(person, "disposable_income_last_year", period)
        amount = np.maximum(costs - deductible, 0) * c.household_value(
            person, f"medical_{status}_rate", period
        )
        cap = c.household_value(person, f"medical_{status}_cap", period)
        room = np.maximum(cap - person("medical_assistance_paid_year", period), 0)
        amount = np.where(cap > 0, np.minimum(amount, room), amount)
        # -1 marks "status not held", so that a held status paying 0 still wins over none.
        return np.where(person(f"medical_status_{status}", period), amount, -1)

    return formula


class medical_amount_under_tekun(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = (
        "按特困人员身份计算的医疗救助（未持有该身份为 -1）/ amount as tekun (-1 if the status is not held)"
    )
    unit = "currency-CNY"
    reference = "国办发〔2021〕42号 [S-2]: 起付线、救助比例、年度限额 by category"
    formula = _amount_under("tekun")


class medical_amount_under_dibao(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = (
        "按低保对象身份计算的医疗救助（未持有该身份为 -1）/ amount as dibao (-1 if the status is not held)"
    )
    unit = "currency-CNY"
    reference = "国办发〔2021〕42号 [S-2]: 起付线、救助比例、年度限额 by category"
    formula = _amount_under("dibao")


class medical_amount_under_edge(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "按低保边缘家庭成员身份计算的医疗救助（未持有该身份为 -1）/ amount as edge (-1 if the status is not held)"
    unit = "currency-CNY"
    reference = "国办发〔2021〕42号 [S-2]: 起付线、救助比例、年度限额 by category"
    formula = _amount_under("edge")


class medical_amount_under_rigid_expenditure(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "按刚性支出困难家庭成员身份计算的医疗救助（未持有该身份为 -1）/ amount as rigid expenditure (-1 if the status is not held)"
    unit = "currency-CNY"
    reference = "国办发〔2021〕42号 [S-2]: 起付线、救助比例、年度限额 by category"
    formula = _amount_under("rigid_expenditure")


class medical_amount_under_illness(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "按因病致贫重病患者身份计算的医疗救助（未持有该身份为 -1）/ amount as illness (-1 if the status is not held)"
    unit = "currency-CNY"
    reference = "国办发〔2021〕42号 [S-2]: 起付线、救助比例、年度限额 by category"
    formula = _amount_under("illness")


def _best(person, period):
    """The highest amount over the statuses held, and the position of that status (first on ties)."""
    best = np.full(person.count, -1.0)
    which = np.full(person.count, -1, dtype=np.int16)
    for position, status in enumerate(STATUSES):
        amount = person(f"medical_amount_under_{status}", period)
        better = amount > best
        best = np.where(better, amount, best)
        which[better] = position
    return best, which


class medical_best_status(Variable):
    value_type = Enum
    possible_values = MedicalStatus
    default_value = MedicalStatus.none
    entity = Person
    definition_period = MONTH
    label = "最有利的救助身份（就高不就低）/ the most favourable status"
    reference = "北京 京医保发〔2022〕37号: 就高不就低 [S]; domain-rules §11.7"

    def formula(person, period):
        return _best(person, period)[1] + 1  # 0 = none; otherwise 1 + position in STATUSES


class medical_amount(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = (
        "医疗救助金额（本年度，按最有利身份）/ medical assistance this year, under the most favourable status"
    )
    unit = "currency-CNY"
    reference = "国办发〔2021〕42号 [S-2]; domain-rules §11.7"

    def formula(person, period):
        return c.round_half_up(np.maximum(_best(person, period)[0], 0))


class medical_household_amount(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "家庭医疗救助合计 / medical assistance of the household"
    unit = "currency-CNY"
    reference = "domain-rules §11.7"

    def formula(household, period):
        return household.sum(household.members("medical_amount", period))
