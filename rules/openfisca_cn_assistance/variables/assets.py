"""Household assets (审核确认办法 第14条; 社会救助法 第23条: the province sets the rule).

Asset limits are inclusive (不超过: at the limit passes, domain-rules §11.2).
"""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from openfisca_cn_assistance.entities import Household


def _sum_counted(household, period, name):
    counted = household.members("is_counted_member", period)
    return household.sum(np.where(counted, household.members(name, period), 0))


class business_holdings(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "成员的企业出资与股权 / members' subscribed capital and equity"
    unit = "currency-CNY"
    reference = "审核确认办法 第14条; 北京 counts subscribed capital as a monetary asset [S]"

    def formula(household, period):
        return _sum_counted(household, period, "business_capital")


class monetary_assets_total(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "家庭货币财产（含企业出资）/ household monetary assets, business holdings included"
    unit = "currency-CNY"
    reference = "审核确认办法 第14条"

    def formula(household, period):
        return _sum_counted(household, period, "monetary_assets") + household("business_holdings", period)


class monetary_assets_per_capita(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "人均货币财产 / monetary assets per capita"
    unit = "currency-CNY"
    reference = "北京: 人均货币财产不超过24个月低收入标准 [S]"

    def formula(household, period):
        persons = household("counted_members", period)
        return np.where(persons > 0, household("monetary_assets_total", period) / np.maximum(persons, 1), 0)


class monetary_asset_limit(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "低保人均货币财产上限 / dibao limit of monetary assets per capita"
    unit = "currency-CNY"
    reference = "社会救助法 第23条; 审核确认办法 第14条"

    def formula(household, period):
        return household("asset_multiple", period) * household("dibao_standard", period)


class low_income_asset_limit(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "低收入家庭人均货币财产上限 / low-income limit of monetary assets per capita"
    unit = "currency-CNY"
    reference = "2023 意见 (边缘 assets meet local rules); 刚性支出困难家庭认定办法 第4条"

    def formula(household, period):
        return household("edge_asset_multiple", period) * household("dibao_standard", period)


class monetary_asset_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "人均货币财产不超过低保上限 / monetary assets per capita within the dibao limit"
    reference = "审核确认办法 第14条; domain-rules §11.2 (inclusive)"

    def formula(household, period):
        return household("monetary_assets_per_capita", period) <= household("monetary_asset_limit", period)


class low_income_monetary_asset_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "人均货币财产不超过低收入上限 / monetary assets per capita within the low-income limit"
    reference = "2023 意见; domain-rules §11.2 (inclusive)"

    def formula(household, period):
        return household("monetary_assets_per_capita", period) <= household("low_income_asset_limit", period)


class vehicles_count(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "家庭机动车数 / household motor vehicles"
    unit = "count"
    reference = "审核确认办法 第14条"

    def formula(household, period):
        return _sum_counted(household, period, "vehicles")


class vehicle_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "机动车不超过允许数 / vehicles within the rule"
    reference = "北京 [S]"

    def formula(household, period):
        return household("vehicles_count", period) <= household("max_vehicles", period)


class dwellings_count(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "家庭住房套数 / household dwellings"
    unit = "count"
    reference = "审核确认办法 第14条"

    def formula(household, period):
        return _sum_counted(household, period, "dwellings")


class dwelling_area_per_person(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "人均住房面积 / floor area per person"
    unit = "m2"
    reference = "北京 [S]"

    def formula(household, period):
        persons = household("counted_members", period)
        area = _sum_counted(household, period, "dwelling_area")
        return np.where(persons > 0, area / np.maximum(persons, 1), 0)


class dwelling_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "住房套数不超过允许数，或人均面积低于当地平均 / dwellings within the rule, or area per person below the local average"
    reference = "北京: ≥2 套 unless per-capita floor area is below the city average [S]"

    def formula(household, period):
        within = household("dwellings_count", period) <= household("max_dwellings", period)
        small = household("dwelling_area_per_person", period) < household(
            "average_floor_area_per_person", period
        )
        return within | small


class non_residential_count(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "非住宅房产数 / non-residential properties"
    unit = "count"
    reference = "北京 [S]"

    def formula(household, period):
        return _sum_counted(household, period, "non_residential_properties")


class non_residential_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "非住宅房产不超过允许数 / non-residential property within the rule"
    reference = "北京 [S]"

    def formula(household, period):
        return household("non_residential_count", period) <= household("max_non_residential", period)


class physical_asset_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = (
        "车辆、住房、非住宅房产均符合规定 / vehicles, dwellings and non-residential property within the rules"
    )
    reference = "审核确认办法 第14条"

    def formula(household, period):
        return (
            household("vehicle_test", period)
            & household("dwelling_test", period)
            & household("non_residential_test", period)
        )


class dibao_asset_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "家庭财产符合低保规定 / household assets within the dibao rule"
    reference = "审核确认办法 第14条"

    def formula(household, period):
        return household("monetary_asset_test", period) & household("physical_asset_test", period)


class low_income_asset_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "家庭财产符合低收入家庭规定 / household assets within the low-income rule"
    reference = "2023 意见; 刚性支出困难家庭认定办法 第4条"

    def formula(household, period):
        return household("low_income_monetary_asset_test", period) & household("physical_asset_test", period)
