"""Household income (审核确认办法 第13条): what is counted, what is not, and the local deductions.

Inputs are totals over the reference period; everything below is per month. Per-capita income is
rounded to the cent before it is compared with a line, so that "exactly at the standard" means
exactly (domain-rules §11.2).
"""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from openfisca_cn_assistance import common as c
from openfisca_cn_assistance.entities import Household, Person

E = c.Employment


def _months(person, period):
    return np.maximum(c.household_value(person, "income_reference_months", period), 1)


class wages_net(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "工资性收入（扣除必要就业成本）/ wages net of necessary employment costs, over the period"
    unit = "currency-CNY"
    reference = "审核确认办法 第13条(一)"

    def formula(person, period):
        return np.maximum(person("wage_income", period) - person("employment_costs", period), 0)


class transfer_net_income(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "转移净收入（计算期）/ net transfer income over the period"
    unit = "currency-CNY"
    reference = "审核确认办法 第13条(四): 转移性收入减去转移性支出"

    def formula(person, period, parameters):
        counted_basic_pension = np.where(
            parameters(period).income.exclude_basic_pension, 0, person("basic_pension", period)
        )
        return (
            person("support_received", period)
            + person("pension_income", period)
            + person("other_transfer_income", period)
            + person("old_age_allowance", period)
            + counted_basic_pension
            - person("support_paid", period)
            - person("taxes_and_contributions", period)
        )


class excluded_income(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "不计入家庭收入的项目（计算期）/ items not counted as income, over the period"
    unit = "currency-CNY"
    reference = (
        "审核确认办法 第13条: 优待抚恤金、奖励性补助、社会救助款物、基础养老金（十四五）、市级规定的其他项目"
    )

    def formula(person, period, parameters):
        basic = np.where(parameters(period).income.exclude_basic_pension, person("basic_pension", period), 0)
        return (
            person("preferential_care_payments", period)
            + person("reward_subsidies", period)
            + person("assistance_received", period)
            + person("locally_excluded_income", period)
            + basic
        )


class earned_income_monthly(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "月劳动收入（工资净额 + 经营净收入）/ monthly earnings"
    unit = "currency-CNY"
    reference = "审核确认办法 第13条(一)(二)"

    def formula(person, period):
        return (person("wages_net", period) + person("business_net_income", period)) / _months(person, period)


class counted_earned_income_monthly(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "计入的月劳动收入（就业扣减后）/ counted monthly earnings after the employment incentive"
    unit = "currency-CNY"
    reference = (
        "审核确认办法 第13条 (必要的就业成本可适当扣减); 2020 意见 第11项. 北京 [S]: 单位就业 扣减标准的80%; "
        "个体、灵活就业 ≥180% 扣减80%, 100%–180% 按100%计算, <100% 按实际"
    )

    def formula(person, period):
        earned = person("earned_income_monthly", period)
        standard = person.household("dibao_standard", period)
        salaried = c.household_value(person, "incentive_salaried_rate", period) * standard
        flexible = c.household_value(person, "incentive_flexible_rate", period) * standard
        floor = c.household_value(person, "incentive_flexible_floor_ratio", period) * standard
        kind = person("employment", period)
        is_salaried = kind == E.employed
        is_flexible = (kind == E.self_employed) | (kind == E.flexible)
        flexible_counted = np.where(earned < floor, earned, np.maximum(floor, earned - flexible))
        salaried_counted = np.where(earned > 0, np.maximum(earned - salaried, 0), earned)
        return np.select([is_salaried, is_flexible], [salaried_counted, flexible_counted], earned)


class counted_income_monthly(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "个人月计入收入 / a person's counted monthly income"
    unit = "currency-CNY"
    reference = "审核确认办法 第13条"

    def formula(person, period):
        other = (
            person("property_net_income", period)
            + person("transfer_net_income", period)
            + person("other_income", period)
        )
        return person("counted_earned_income_monthly", period) + other / _months(person, period)


class gross_income_monthly(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "个人月收入（不作就业扣减）/ a person's monthly income before incentives"
    unit = "currency-CNY"
    reference = "刚性支出困难家庭认定办法 第4条 (家庭总收入); 特困人员认定办法 第8条 (本人收入)"

    def formula(person, period):
        other = (
            person("property_net_income", period)
            + person("transfer_net_income", period)
            + person("other_income", period)
        )
        return person("earned_income_monthly", period) + other / _months(person, period)


class own_income_monthly(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "本人月收入（单人保口径，取整到分）/ own monthly counted income, to the cent"
    unit = "currency-CNY"
    reference = "domain-rules §11.4: the member's own counted income"

    def formula(person, period):
        return c.round_half_up(np.maximum(person("counted_income_monthly", period), 0))


class supporter_annual_income(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "义务人本人年收入 / a supporter's own yearly income"
    unit = "currency-CNY"
    reference = "特困人员认定办法 第8条(三)(四)"

    def formula(person, period):
        return np.maximum(person("gross_income_monthly", period), 0) * 12


class has_severe_member(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "有重病或重度残疾成员 / has a seriously ill or severely disabled member"
    reference = "北京 收入核减 [S]; 临时救助 重度残疾加成 [S]"

    def formula(household, period):
        severe = household.members("severe_disability", period) | household.members("serious_illness", period)
        return household.any(severe & household.members("is_counted_member", period))


class has_severely_disabled_member(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "有重度残疾成员 / has a severely disabled member"
    reference = "北京 临时救助: 有重度残疾人的家庭 +10 个百分点 [S]"

    def formula(household, period):
        severe = household.members("severe_disability", period) & household.members(
            "is_counted_member", period
        )
        return household.any(severe)


class has_elderly_supporter(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "法定义务人年满60周岁 / a legal supporter is 60 or older"
    reference = "北京 收入核减 [S]"

    def formula(household, period):
        supporter = household.members("is_legal_supporter", period)
        severe = household.members("severe_disability", period) | household.members("serious_illness", period)
        return household.any(supporter & np.logical_not(severe) & (household.members("age", period) >= 60))


class has_dependent_child(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "有16周岁以下或全日制在校子女 / has a child aged 16 or under or a full-time student"
    reference = "北京 收入核减 [S]"

    def formula(household, period, parameters):
        child_age = parameters(period).dibao.topup.child_max_age
        age = household.members("age", period)
        schooling = household.members("schooling", period)
        # 审核确认办法 第7条(三): full-time students at bachelor's level or below
        student = (schooling != c.Schooling.none) & (schooling != c.Schooling.postgraduate)
        counted = household.members("is_counted_member", period) & np.logical_not(
            household.members("is_head", period)
        )
        return household.any(counted & ((age <= child_age) | student))


class income_deductions_monthly(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "收入核减（月）/ local income deductions per month"
    unit = "currency-CNY"
    reference = "审核确认办法 第13条 (因残疾、患重病等增加的刚性支出…可适当扣减); 北京 [S]"

    def formula(household, period):
        standard = household("dibao_standard", period)
        severe = household("has_severe_member", period)
        rate = (
            severe * household("deduction_severe_member_rate", period)
            + (severe & household("has_elderly_supporter", period))
            * household("deduction_elderly_supporter_rate", period)
            + (household("is_single_parent", period) & household("has_dependent_child", period))
            * household("deduction_single_parent_rate", period)
        )
        return rate * standard


class household_counted_income(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = (
        "保障人口的月计入收入合计（核减后）/ counted monthly income of the covered persons, after deductions"
    )
    unit = "currency-CNY"
    reference = "domain-rules §11.1: counted income of the covered persons"

    def formula(household, period):
        covered = household.members("is_covered", period)
        total = household.sum(np.where(covered, household.members("counted_income_monthly", period), 0))
        return np.maximum(total - household("income_deductions_monthly", period), 0)


class per_capita_income(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "家庭月人均收入（取整到分）/ monthly per-capita income, to the cent"
    unit = "currency-CNY"
    reference = "审核确认办法 第13条; domain-rules §11.2"

    def formula(household, period):
        persons = household("covered_persons", period)
        income = household("household_counted_income", period)
        return c.round_half_up(np.where(persons > 0, income / np.maximum(persons, 1), 0))


class household_total_income_12m(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "家庭总收入（12个月）/ total household income over 12 months"
    unit = "currency-CNY"
    reference = "刚性支出困难家庭认定办法 第4条"

    def formula(household, period):
        counted = household.members("is_counted_member", period)
        monthly = household.sum(np.where(counted, household.members("gross_income_monthly", period), 0))
        return np.maximum(monthly, 0) * 12


class per_capita_income_annual(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "家庭年人均收入 / yearly per-capita income"
    unit = "currency-CNY"
    reference = "刚性支出困难家庭认定办法 第4条; 民发〔2018〕23号"

    def formula(household, period):
        return household("per_capita_income", period) * 12
