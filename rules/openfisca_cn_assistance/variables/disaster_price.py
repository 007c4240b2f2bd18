"""受灾人员救助 (disaster victims) and 价格临时补贴 (price-linked temporary subsidy)."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from openfisca_cn_assistance import common as c
from openfisca_cn_assistance.entities import Household, Person

H = c.HouseDamage


class disaster_eligible(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "受灾人员救助：受自然灾害影响 / disaster relief: affected by a natural disaster"
    reference = "自然灾害救助条例; 社会救助法 第28条"

    def formula(household, period):
        return household("disaster_affected", period)


class disaster_amount(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "受灾救助金额（应急 + 冬春 + 重建）/ disaster relief: emergency + winter–spring + rebuilding"
    unit = "currency-CNY"
    reference = "自然灾害救助条例 第14–20条: 应急救助按人; 冬春救助按需评估; 倒损住房恢复重建按损坏程度"

    def formula(household, period):
        persons = household("counted_members", period)
        emergency = household("disaster_emergency_per_person", period) * persons
        winter = np.minimum(
            household("winter_spring_need", period),
            household("disaster_winter_spring_cap_per_person", period) * persons,
        )
        damage = household("house_damage", period)
        rebuild = np.select(
            [damage == H.damaged, damage == H.severe, damage == H.collapsed],
            [
                household("disaster_rebuild_damaged", period),
                household("disaster_rebuild_severe", period),
                household("disaster_rebuild_collapsed", period),
            ],
            0,
        )
        return np.where(
            household("disaster_eligible", period), c.round_half_up(emergency + winter + rebuild), 0
        )


class price_subsidy_triggered(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "价格临时补贴启动（CPI或食品价格涨幅达到启动条件）/ the price subsidy is triggered"
    reference = "社会救助法 第32条; 联动机制 [A]"

    def formula(household, period):
        return (household("cpi_yoy", period) >= household("price_trigger_cpi", period)) | (
            household("food_cpi_yoy", period) >= household("price_trigger_food_cpi", period)
        )


class price_subsidy_target(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "价格补贴保障对象（低保、特困、领取失业保险金）/ a target of the price subsidy"
    reference = "联动机制 [A]: 低保对象、特困人员、领取失业保险金人员…"

    def formula(person, period):
        counted = person("is_counted_member", period)
        dibao = person.household("dibao_paid", period) & person("is_covered", period)
        return counted & (
            dibao
            | person("single_person_dibao_eligible", period)
            | person("medical_status_tekun", period)
            | person("receives_unemployment_insurance", period)
        )


class price_subsidy_targets(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "价格补贴人数 / persons receiving the price subsidy"
    unit = "person"
    reference = "社会救助法 第32条"

    def formula(household, period):
        return household.sum(household.members("price_subsidy_target", period))


class price_subsidy_has_targets(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "有价格补贴保障对象 / has at least one target person"
    reference = "社会救助法 第32条"

    def formula(household, period):
        return household("price_subsidy_targets", period) > 0


class price_subsidy_eligible(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "符合价格临时补贴条件 / eligible for the price subsidy"
    reference = "社会救助法 第32条"

    def formula(household, period):
        return household("price_subsidy_triggered", period) & household("price_subsidy_has_targets", period)


class price_subsidy_monthly_amount(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "价格临时补贴（月）/ monthly price subsidy"
    unit = "currency-CNY"
    reference = "[A] 补贴 = 人数 × 低保标准 × 基数比例 × max(CPI涨幅, 0)"

    def formula(household, period):
        per_person = (
            household("dibao_standard", period)
            * household("price_basis_ratio", period)
            * np.maximum(household("cpi_yoy", period), 0)
        )
        amount = c.round_half_up(per_person * household("price_subsidy_targets", period))
        return np.where(household("price_subsidy_eligible", period), amount, 0)
