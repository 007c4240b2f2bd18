"""单人保: a severely disabled or seriously ill member of an edge household covered alone
(审核确认办法 第8条; 社会救助法 第21条; domain-rules §2.8, §11.4)."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from openfisca_cn_assistance import common as c
from openfisca_cn_assistance.entities import Person


class single_person_edge_household(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "所在家庭为低保边缘家庭 / the member's household is an edge household"
    reference = "审核确认办法 第8条(一)(二): 低保边缘家庭中的…"

    def formula(person, period):
        return person.household("edge_eligible", period)


class single_person_ground(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "重度残疾（一、二级或三级智力、精神残疾）、重病或其他可单独申请的情形 / severe disability, major illness or another ground to apply alone"
    reference = "审核确认办法 第8条; 2022 通知 (单人户)"

    def formula(person, period):
        return person("is_counted_member", period) & (
            person("severe_disability", period)
            | person("serious_illness", period)
            | person("single_person_other_ground", period)
        )


class single_person_income_test(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "本人月收入低于低保标准 / own monthly income below the dibao standard"
    reference = "domain-rules §11.4 [A]: the member's own unit"

    def formula(person, period):
        return person("own_income_monthly", period) < person.household("dibao_standard", period)


class single_person_not_tekun(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "未被认定为特困人员 / not recognised as tekun"
    reference = "domain-rules §11.5: tekun and dibao are never paid together"

    def formula(person, period):
        return np.logical_not(person("tekun_recognised", period))


class single_person_dibao_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "符合单人保条件 / eligible for single-person dibao"
    reference = "审核确认办法 第8条; 社会救助法 第21条"

    def formula(person, period):
        return (
            person("single_person_edge_household", period)
            & person("single_person_ground", period)
            & person("single_person_income_test", period)
            & person("single_person_not_tekun", period)
        )


class single_person_dibao_amount(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "单人保月低保金 / monthly single-person dibao"
    unit = "currency-CNY"
    reference = "domain-rules §11.4 [A]: standard − own counted income, plus the member's top-up"

    def formula(person, period):
        standard = person.household("dibao_standard", period)
        rounding = c.household_value(person, "rounding", period)
        base = c.round_amount(np.maximum(standard - person("own_income_monthly", period), 0), rounding)
        topup = c.round_amount(person("dibao_topup_rate", period) * standard, rounding)
        return np.where(person("single_person_dibao_eligible", period), base + topup, 0)
