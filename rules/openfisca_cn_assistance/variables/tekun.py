"""特困人员救助供养 (tekun): the three conditions of 特困人员认定办法 第4条, and the support amount."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from openfisca_cn_assistance import common as c
from openfisca_cn_assistance.entities import Household, Person

S = c.Schooling


class tekun_standard_base(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "特困人员适用的低保标准（城乡）/ the dibao standard applying to this person for tekun"
    unit = "currency-CNY"
    reference = "特困人员认定办法 第19条: 有承包土地或集体收益的按农村标准，易地扶贫搬迁进城的按城镇标准; domain-rules §11.10"

    def formula(person, period):
        urban_hukou = person.household("hukou_type", period) == c.HukouType.urban
        urban = (urban_hukou & np.logical_not(person("has_contracted_land", period))) | person(
            "relocated_to_town", period
        )
        return np.where(
            urban,
            c.household_value(person, "dibao_standard_urban", period),
            c.household_value(person, "dibao_standard_rural", period),
        )


class tekun_minor_continuation(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "已认定的未成年特困人员继续供养（未满18周岁或在读）/ recognised minor still supported (under 18, or in school)"
    reference = "特困人员认定办法 第24条; 社会救助法 第16条; domain-rules §11.6"

    def formula(person, period, parameters):
        schooling = person("schooling", period)
        in_school = (
            (schooling == S.primary)
            | (schooling == S.junior)
            | (schooling == S.senior)
            | (schooling == S.vocational)
        )
        young = person("age", period) < parameters(period).tekun.support_until_age
        return person("tekun_recognised", period) & (young | in_school)


class tekun_work_capacity_test(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "无劳动能力（特困口径），或已认定未成年人继续供养 / no work capacity (tekun), or a recognised minor still supported"
    reference = "特困人员认定办法 第4条(一), 第5条, 第24条"

    def formula(person, period):
        return person("no_work_capacity_for_tekun", period) | person("tekun_minor_continuation", period)


class tekun_income_monthly(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "本人月收入（特困口径，取整到分）/ own monthly income, tekun reading, to the cent"
    unit = "currency-CNY"
    reference = "特困人员认定办法 第6–7条: 基础养老金、基本医疗保险等社会保险和优待抚恤金、高龄津贴不计入"

    def formula(person, period):
        months = np.maximum(c.household_value(person, "income_reference_months", period), 1)
        income = person("gross_income_monthly", period) - person("old_age_allowance", period) / months
        return c.round_half_up(np.maximum(income, 0))


class tekun_income_test(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "本人收入低于当地低保标准 / own income below the local dibao standard"
    reference = "特困人员认定办法 第6条 (无生活来源)"

    def formula(person, period):
        return person("tekun_income_monthly", period) < person("tekun_standard_base", period)


class tekun_own_assets(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "本人货币财产 / own monetary assets"
    unit = "currency-CNY"
    reference = "特困人员认定办法 第6–7条"

    def formula(person, period):
        return person("monetary_assets", period) + person("business_capital", period)


class tekun_asset_limit(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "特困人员财产上限 / tekun asset limit"
    unit = "currency-CNY"
    reference = "特困人员认定办法 第7条 (set by the city or above)"

    def formula(person, period):
        return c.household_value(person, "tekun_asset_multiple", period) * person(
            "tekun_standard_base", period
        )


class tekun_asset_test(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "本人财产符合特困人员财产规定 / own assets within the tekun rule"
    reference = "特困人员认定办法 第6条; domain-rules §11.2 (inclusive)"

    def formula(person, period):
        return person("tekun_own_assets", period) <= person("tekun_asset_limit", period)


class is_legal_supporter(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "法定义务人（外居义务人，及同住的计入成员）/ a legal supporter (those living elsewhere, and counted members living together)"
    reference = (
        "特困人员认定办法 第4条(三); 审核确认办法 第7条: members living together are spouses, children and others with a "
        "duty of support. Default: every counted member owes support to the others; the adapter sets False for a member "
        "without a duty (e.g. a sibling who owes none)"
    )

    def formula(person, period):
        return person("is_supporter", period) | person("is_counted_member", period)


class supporter_unable(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "法定义务人无履行义务能力（第8条六种情形之一）/ supporter unable to perform the duty (one of the six cases)"
    reference = (
        "特困人员认定办法 第8条: (一) 特困人员; (二) 60周岁以上的低保对象; (三) 70周岁以上、本人收入低于上年人均可支配收入且财产符合低收入家庭规定; "
        "(四) 重度残疾或三级智力、精神残疾且收入财产同(三); (五) 无民事行为能力、被宣告失踪或在监狱服刑且财产符合规定; (六) 省级规定的其他情形"
    )

    def formula(person, period, parameters):
        p = parameters(period).tekun.supporter
        age = person("age", period)
        low_income = person("supporter_annual_income", period) < c.household_value(
            person, "disposable_income_last_year", period
        )
        limit = c.household_value(person, "edge_asset_multiple", period) * person.household(
            "dibao_standard", period
        )
        assets_ok = person("tekun_own_assets", period) <= limit
        incapable = (
            person("no_civil_capacity", period)
            | person("declared_missing", period)
            | person("in_prison", period)
        )
        # A member of this household's dibao unit is a dibao recipient too.
        dibao = person("receives_dibao", period) | (
            person.household("dibao_paid", period) & person("is_covered", period)
        )
        return (
            person("tekun_recognised", period)
            | (dibao & (age >= p.dibao_elderly_age))
            | ((age >= p.elderly_age) & low_income & assets_ok)
            | (person("severe_disability", period) & low_income & assets_ok)
            | (incapable & assets_ok)
            | person("supporter_unable_other", period)
        )


class able_supporters(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "有履行能力的法定义务人数 / supporters able to support"
    unit = "person"
    reference = "特困人员认定办法 第4条(三)"

    def formula(household, period):
        able = household.members("is_legal_supporter", period) & np.logical_not(
            household.members("supporter_unable", period)
        )
        return household.sum(able)


class tekun_supporter_test(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "无法定义务人，或义务人均无履行能力 / no legal supporter, or every supporter unable"
    reference = "特困人员认定办法 第4条(三), 第8条"

    def formula(person, period):
        own = person("is_legal_supporter", period) & np.logical_not(person("supporter_unable", period))
        # A person is not their own supporter: remove them from the household's count.
        return (person.household("able_supporters", period) - own) <= 0


class tekun_not_child_protection(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "未选择孤儿或事实无人抚养儿童保障 / did not choose orphan or de-facto unsupported child support"
    reference = "特困人员认定办法 第9条"

    def formula(person, period):
        return np.logical_not(person("child_protection_chosen", period))


class tekun_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "符合特困人员条件 / eligible as tekun"
    reference = "特困人员认定办法 第4条; 社会救助法 第15–16条"

    def formula(person, period):
        return (
            person("is_counted_member", period)
            & person("tekun_work_capacity_test", period)
            & person("tekun_income_test", period)
            & person("tekun_asset_test", period)
            & person("tekun_supporter_test", period)
            & person("tekun_not_child_protection", period)
        )


class tekun_basic_amount(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "特困基本生活标准（月）/ tekun basic living standard per month"
    unit = "currency-CNY"
    reference = "社会救助法 第17条; 国发〔2016〕14号 [A] (≥1.3 × dibao); 北京 1.5 × [S]"

    def formula(person, period):
        return c.household_value(person, "tekun_basic_multiple", period) * person(
            "tekun_standard_base", period
        )


class tekun_care_amount(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "照料护理标准（月，按自理能力分档）/ care standard per month by self-care tier"
    unit = "currency-CNY"
    reference = "特困人员认定办法 第20–23条; 北京: 最低工资的20%/40%/60% [S]"

    def formula(person, period):
        level = person("self_care_level", period)
        rate = np.select(
            [level == c.SelfCareLevel.full, level == c.SelfCareLevel.partial],
            [
                c.household_value(person, "care_rate_full", period),
                c.household_value(person, "care_rate_partial", period),
            ],
            c.household_value(person, "care_rate_able", period),
        )
        return rate * c.household_value(person, "minimum_wage", period)


class tekun_monthly_amount(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "特困供养金（月）/ monthly tekun support"
    unit = "currency-CNY"
    reference = "暂行办法 第15条; 社会救助法 第16–17条; 北京 total ≥ last year's per-capita consumption [S]"

    def formula(person, period):
        floor = (
            c.household_value(person, "tekun_support_floor_ratio", period)
            * c.household_value(person, "consumption_expenditure_last_year", period)
            / 12
        )
        total = np.maximum(person("tekun_basic_amount", period) + person("tekun_care_amount", period), floor)
        amount = c.round_amount(total, c.household_value(person, "rounding", period))
        return np.where(person("tekun_eligible", period), amount, 0)


class tekun_persons(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "符合特困条件的成员数 / members eligible as tekun"
    unit = "person"
    reference = "特困人员认定办法 第4条"

    def formula(household, period):
        return household.sum(household.members("tekun_eligible", period))
