"""最低生活保障 (dibao): eligibility, the amount, classified top-ups, refusal of work, taper."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from openfisca_cn_assistance import common as c
from openfisca_cn_assistance.entities import Household, Person


class dibao_has_covered_persons(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "有低保保障人口 / the unit has at least one covered person"
    reference = "审核确认办法 第7条"

    def formula(household, period):
        return household("covered_persons", period) > 0


class dibao_income_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "月人均收入低于低保标准 / monthly per-capita income below the dibao standard"
    reference = "社会救助法 第18条; 暂行办法 第9条; domain-rules §11.2 (strict)"

    def formula(household, period):
        return household("per_capita_income", period) < household("dibao_standard", period)


class dibao_eligible(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "符合低保条件 / eligible for dibao"
    reference = "社会救助法 第18条; 审核确认办法 第3、13、14条"

    def formula(household, period):
        return (
            household("dibao_has_covered_persons", period)
            & household("dibao_income_test", period)
            & household("dibao_asset_test", period)
        )


class dibao_band(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "分档（1–3，按人均收入占标准的比例）/ band (1–3, by per-capita income as a share of the standard)"
    unit = "band"
    reference = "审核确认办法 第23条; 社会救助法 第18条"

    def formula(household, period):
        ratio = household("per_capita_income", period) / np.maximum(household("dibao_standard", period), 0.01)
        return np.select(
            [
                ratio < household("band_1_ceiling_ratio", period),
                ratio < household("band_2_ceiling_ratio", period),
            ],
            [1, 2],
            3,
        )


class refuses_work(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "连续拒绝介绍工作达到次数 / refused suitable work the set number of times in a row"
    reference = "暂行办法 第45条; 审核确认办法 第34条"

    def formula(person, period, parameters):
        return person("is_covered", period) & (
            person("refused_job_offers", period) >= parameters(period).dibao.refusal.threshold
        )


class dibao_refusing_persons(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "拒绝就业的保障人口 / covered persons refusing work"
    unit = "person"
    reference = "暂行办法 第45条"

    def formula(household, period):
        return household.sum(household.members("refuses_work", period))


class dibao_base_amount(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "低保金基本部分（取整前）/ the dibao base amount before rounding"
    unit = "currency-CNY"
    reference = (
        "差额: 标准 × 保障人数 − 保障人口计入收入 (domain-rules §11.1; 审核确认办法 第23条); 分档: 档次比例 × 标准 × 保障人数; "
        "拒绝就业成员的份额按 refusal_kept_rate 保留 (暂行办法 第45条)"
    )

    def formula(household, period):
        standard = household("dibao_standard", period)
        persons = household("covered_persons", period)
        gap = standard * persons - household("household_counted_income", period)
        band = household("dibao_band", period)
        band_rate = np.select(
            [band == 1, band == 2],
            [household("band_1_rate", period), household("band_2_rate", period)],
            household("band_3_rate", period),
        )
        banded = band_rate * standard * persons
        banded_mode = household("dibao_mode", period) == c.DibaoMode.banded
        base = np.maximum(np.where(banded_mode, banded, gap), 0)
        cut = household("dibao_refusing_persons", period) * (1 - household("refusal_kept_rate", period))
        return base * (1 - cut / np.maximum(persons, 1))


class dibao_topup_rate(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "分类施保比例（取高，不叠加）/ classified top-up rate (the higher applies, no stacking)"
    unit = "/1"
    reference = "审核确认办法 第27条; 社会救助法 第20条; 北京 重病重残35%、老幼学生等25% [S]"

    def formula(person, period, parameters):
        p = parameters(period).dibao.topup
        age = person("age", period)
        severe = person("severe_disability", period) | person("serious_illness", period)
        vulnerable = (
            (age >= p.elder_age)
            | (age <= p.child_max_age)
            | (person("schooling", period) != c.Schooling.none)
            | person("reached_retirement_age", period)
            | (person("work_capacity", period) == c.WorkCapacity.none)
            | person("traditional_relief_target", period)
        )
        rate = np.maximum(
            severe * c.household_value(person, "topup_rate_severe", period),
            vulnerable * c.household_value(person, "topup_rate_vulnerable", period),
        )
        kept = np.where(
            person("refuses_work", period), c.household_value(person, "refusal_kept_rate", period), 1
        )
        return rate * kept


class dibao_topup_amount(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "分类施保增发额 / classified top-ups of the covered persons"
    unit = "currency-CNY"
    reference = "domain-rules §11.1: added per member after the base"

    def formula(household, period):
        covered = household.members("is_covered", period)
        rates = household.sum(np.where(covered, household.members("dibao_topup_rate", period), 0))
        return c.round_amount(rates * household("dibao_standard", period), household("rounding", period))


class in_taper(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "处于渐退期 / in the taper period"
    reference = "审核确认办法 第33条; 2022 通知 (原则上不超过6个月); domain-rules §11.3"

    def formula(household, period):
        month = household("taper_month", period)
        return (
            (month >= 1)
            & (month <= household("taper_months", period))
            & np.logical_not(household("dibao_eligible", period))
            & household("dibao_has_covered_persons", period)
        )


class taper_rate(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "渐退发放比例 / share of the previous benefit paid this taper month"
    unit = "/1"
    reference = "北京: 1–3 月 100%, 4–6 月 50% [S]"

    def formula(household, period):
        full = household("taper_month", period) <= household("taper_full_months", period)
        return np.where(full, 1.0, household("taper_reduced_rate", period))


class dibao_monthly_amount(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "低保金（月）/ monthly dibao amount"
    unit = "currency-CNY"
    reference = "审核确认办法 第23、27、33条; domain-rules §11.1, §11.3"

    def formula(household, period):
        rounding = household("rounding", period)
        regular = c.round_amount(household("dibao_base_amount", period), rounding) + household(
            "dibao_topup_amount", period
        )
        taper = c.round_amount(
            household("dibao_paid_before_rise", period) * household("taper_rate", period), rounding
        )
        return np.select(
            [household("dibao_eligible", period), household("in_taper", period)], [regular, taper], 0
        )


class dibao_paid(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "本月领取低保（含渐退）/ receives dibao this month (taper included)"
    reference = "审核确认办法 第33条"

    def formula(household, period):
        return household("dibao_eligible", period) | household("in_taper", period)
