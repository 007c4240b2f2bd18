"""临时救助 (temporary assistance): emergency (急难型) and expenditure-driven (支出型).
民发〔2018〕23号; 暂行办法 第47–49条; 社会救助法 第29、37、50条; domain-rules §5.1, §11.8."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from openfisca_cn_assistance import common as c
from openfisca_cn_assistance.entities import Household


class temporary_emergency_eligible(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "急难型临时救助：遭遇急难 / emergency temporary assistance: an emergency happened"
    reference = "民发〔2018〕23号 (急难型: 可先行救助, 不作经济状况核对); 社会救助法 第50条"

    def formula(household, period):
        return household("emergency_event", period)


class temporary_emergency_cap_amount(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "急难型救助上限（标准月数 × 标准 × 人数，且不超过每户上限）/ emergency cap"
    unit = "currency-CNY"
    reference = "北京 京民社救发〔2020〕86号: 不超过3个月低保标准/人 [S]"

    def formula(household, period):
        per_person = household("temporary_emergency_months", period) * household("dibao_standard", period)
        cap = per_person * household("counted_members", period)
        household_cap = household("temporary_emergency_cap", period)
        return np.where(household_cap > 0, np.minimum(cap, household_cap), cap)


class temporary_emergency_amount(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "急难型救助金额（评估需要，未评估时为上限）/ emergency amount (assessed need, or the cap when not assessed)"
    unit = "currency-CNY"
    reference = "民发〔2018〕23号; 北京 [S]"

    def formula(household, period):
        cap = household("temporary_emergency_cap_amount", period)
        need = household("emergency_need", period)
        amount = np.where(need > 0, np.minimum(need, cap), cap)
        return np.where(household("temporary_emergency_eligible", period), c.round_half_up(amount), 0)


class temporary_expenditure_min(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "支出型起算支出（按家庭类别）/ spending from which the household qualifies (by group)"
    unit = "currency-CNY"
    reference = "北京 京民社救发〔2020〕86号: 低保、低收入、特困家庭 2,000 元; 其他 5,000 元 [S]"

    def formula(household, period):
        low = household("low_income_status", period)
        return np.where(low, household("tx_low_income_min", period), household("tx_other_min", period))


class temporary_expenditure_spending_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "必要支出达到起算额 / necessary spending reaches the band's minimum"
    reference = "domain-rules §11.8"

    def formula(household, period):
        spending = household("necessary_spending", period)
        has_cause = household("spending_cause", period) != c.SpendingCause.none
        return has_cause & (spending > 0) & (spending >= household("temporary_expenditure_min", period))


class temporary_expenditure_income_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "年人均收入低于上年度人均可支配收入 / yearly per-capita income below last year's per-capita disposable income"
    reference = "民发〔2018〕23号 (支出型: 家庭人均可支配收入一般低于上年度当地人均可支配收入)"

    def formula(household, period):
        return household("per_capita_income_annual", period) < household(
            "disposable_income_last_year", period
        )


class temporary_expenditure_once_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "本年度未因同一事由获救助 / not yet assisted this year for the same cause"
    reference = "北京 京民社救发〔2020〕86号: 同一事由一年内不重复救助 [S]"

    def formula(household, period):
        return np.logical_not(household("same_cause_assisted_this_year", period))


class temporary_expenditure_eligible(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "符合支出型临时救助条件 / eligible for expenditure-driven temporary assistance"
    reference = "民发〔2018〕23号; 社会救助法 第29条"

    def formula(household, period):
        return (
            household("dibao_has_covered_persons", period)
            & household("temporary_expenditure_spending_test", period)
            & household("temporary_expenditure_income_test", period)
            & household("low_income_asset_test", period)
            & household("temporary_expenditure_once_test", period)
        )


class temporary_expenditure_amount(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "支出型临时救助金额 / expenditure-driven amount"
    unit = "currency-CNY"
    reference = (
        "domain-rules §11.8: 达到起算额后，一档比例适用于上限以内的全部支出，超出部分适用二档比例；重度残疾加成；上限为标准的月数. "
        "北京 京民社救发〔2020〕86号 [S]"
    )

    def formula(household, period):
        low = household("low_income_status", period)
        top = np.where(low, household("tx_low_income_top", period), household("tx_other_top", period))
        rate_1 = np.where(
            low, household("tx_low_income_rate_1", period), household("tx_other_rate_1", period)
        )
        rate_2 = np.where(
            low, household("tx_low_income_rate_2", period), household("tx_other_rate_2", period)
        )
        bonus = household("has_severely_disabled_member", period) * household("tx_disability_bonus", period)
        spending = household("necessary_spending", period)
        amount = (rate_1 + bonus) * np.minimum(spending, top) + (rate_2 + bonus) * np.maximum(
            spending - top, 0
        )
        cap = household("tx_cap_months", period) * household("dibao_standard", period)
        amount = c.round_half_up(np.minimum(amount, cap))
        return np.where(household("temporary_expenditure_eligible", period), amount, 0)
