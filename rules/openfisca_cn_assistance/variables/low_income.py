"""低保边缘家庭 (edge) and 刚性支出困难家庭 (rigid expenditure): 2023 意见 §二; 社会救助法
第21–22条; 刚性支出困难家庭认定办法 (in force 2025-01-01)."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from openfisca_cn_assistance.entities import Household


class edge_not_dibao_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "不符合低保条件（且不在渐退期）/ not eligible for dibao (and not in taper)"
    reference = "审核确认办法 第8条; 2023 意见 §二"

    def formula(household, period):
        return np.logical_not(household("dibao_paid", period))


class edge_line(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "低保边缘收入线（标准 × 倍数）/ edge income line (standard × multiplier)"
    unit = "currency-CNY"
    reference = "社会救助法 第21条 (省级规定上浮比例); 默认 1.5 倍"

    def formula(household, period):
        return household("edge_multiplier", period) * household("dibao_standard", period)


class edge_income_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "月人均收入低于低保边缘收入线 / monthly per-capita income below the edge line"
    reference = "社会救助法 第21条; domain-rules §11.2 (strict)"

    def formula(household, period):
        return household("per_capita_income", period) < household("edge_line", period)


class edge_eligible(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "认定为低保边缘家庭 / recognised as an edge household"
    reference = "社会救助法 第21条; 2023 意见 §二"

    def formula(household, period):
        return (
            household("dibao_has_covered_persons", period)
            & household("edge_not_dibao_test", period)
            & household("edge_income_test", period)
            & household("low_income_asset_test", period)
        )


class rigid_expenditure_in_force(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "刚性支出困难家庭认定办法已施行 / the rigid-expenditure rules are in force"
    reference = "刚性支出困难家庭认定办法: 自2025年1月1日起施行 (before: no national rule, False)"

    def formula_2025_01_01(household, period):
        return np.ones(household.count, dtype=bool)


class rigid_expenditure_12m(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "申请前12个月刚性支出 / rigid expenditure over the 12 months before the application"
    unit = "currency-CNY"
    reference = "刚性支出困难家庭认定办法 第5条"

    def formula(household, period):
        counted = household.members("is_counted_member", period)
        spending = (
            household.members("medical_out_of_pocket_12m", period)
            + household.members("education_expense_12m", period)
            + household.members("rehabilitation_expense_12m", period)
            + household.members("other_rigid_expense_12m", period)
        )
        return household.sum(np.where(counted, spending, 0)) + household("basic_living_cost_12m", period)


class rigid_spending_threshold(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "刚性支出门槛（家庭总收入 × 比例）/ spending threshold (household income × the set share)"
    unit = "currency-CNY"
    reference = "刚性支出困难家庭认定办法 第4条; 社会救助法 第22条"

    def formula(household, period):
        return household("household_total_income_12m", period) * household("rigid_expenditure_ratio", period)


class rigid_spending_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "刚性支出超过家庭总收入的规定比例 / rigid spending above the set share of household income"
    reference = "刚性支出困难家庭认定办法 第4条; domain-rules §11.2 (strict, above)"

    def formula(household, period):
        spending = household("rigid_expenditure_12m", period)
        return (spending > 0) & (spending > household("rigid_spending_threshold", period))


class rigid_income_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "年人均收入低于上年度当地居民人均可支配收入 / yearly per-capita income below last year's per-capita disposable income"
    reference = "刚性支出困难家庭认定办法 第4条; domain-rules §11.2 (strict)"

    def formula(household, period):
        return household("per_capita_income_annual", period) < household(
            "disposable_income_last_year", period
        )


class rigid_not_other_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "不属于低保、低保边缘家庭 / not a dibao or edge household"
    reference = "刚性支出困难家庭认定办法 第4条 (未纳入低保、特困、低保边缘)"

    def formula(household, period):
        return (
            household("dibao_has_covered_persons", period)
            & np.logical_not(household("dibao_paid", period))
            & np.logical_not(household("edge_eligible", period))
        )


class rigid_expenditure_eligible(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "认定为刚性支出困难家庭 / recognised as a rigid-expenditure household"
    reference = "刚性支出困难家庭认定办法 第4条; 社会救助法 第22条"

    def formula(household, period):
        return (
            household("rigid_expenditure_in_force", period)
            & household("rigid_not_other_test", period)
            & household("rigid_income_test", period)
            & household("low_income_asset_test", period)
            & household("rigid_spending_test", period)
        )


class low_income_status(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "低保、特困、低保边缘或刚性支出困难家庭 / dibao, tekun, edge or rigid-expenditure household"
    reference = "2023 意见 §二 (低收入人口); 社会救助法 第24–26条 (special assistance targets)"

    def formula(household, period):
        tekun = household.any(
            household.members("tekun_eligible", period) | household.members("tekun_recognised", period)
        )
        single = household.any(household.members("single_person_dibao_eligible", period))
        return (
            household("dibao_paid", period)
            | household("edge_eligible", period)
            | household("rigid_expenditure_eligible", period)
            | tekun
            | single
        )
