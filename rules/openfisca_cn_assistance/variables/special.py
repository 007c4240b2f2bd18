"""专项社会救助: education (教育救助), housing (住房救助) and employment (就业救助).
社会救助法 第25–27条; 暂行办法 第33–45条; domain-rules §5.3–5.5."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from openfisca_cn_assistance import common as c
from openfisca_cn_assistance.entities import Household, Person

S = c.Schooling
E = c.Employment


# --- education ---


class education_status_test(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "特困人员或低保、低保边缘、刚性支出困难家庭成员 / tekun, or a member of a dibao, edge or rigid-expenditure household"
    reference = "社会救助法 第25条"

    def formula(person, period):
        household_status = (
            person.household("dibao_paid", period)
            | person.household("edge_eligible", period)
            | person.household("rigid_expenditure_eligible", period)
        )
        own = person("medical_status_tekun", period) | person("single_person_dibao_eligible", period)
        return person("is_counted_member", period) & (household_status | own)


class education_in_school_test(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "在学（学前至高等教育）/ in education, preschool to higher education"
    reference = "社会救助法 第25条; 暂行办法 第33条"

    def formula(person, period):
        return person("schooling", period) != S.none


class education_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "符合教育救助条件 / eligible for education assistance"
    reference = "社会救助法 第25、38条 (apply at the school)"

    def formula(person, period):
        return person("education_status_test", period) & person("education_in_school_test", period)


class education_amount(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "教育救助（每学年）/ education assistance per school year"
    unit = "currency-CNY"
    reference = "北京: 低保学生 300 元/年, 寄宿生 240 元/月 × 10, 高校国家助学金 4,500 元/年 [S]"

    def formula(person, period):
        level = person("schooling", period)
        compulsory = (level == S.primary) | (level == S.junior)
        amount = np.select(
            [
                level == S.preschool,
                compulsory,
                level == S.senior,
                level == S.vocational,
                (level == S.undergraduate) | (level == S.postgraduate),
            ],
            [
                c.household_value(person, "education_preschool", period),
                c.household_value(person, "education_compulsory", period),
                c.household_value(person, "education_senior", period),
                c.household_value(person, "education_vocational", period),
                c.household_value(person, "education_higher", period),
            ],
            0,
        )
        boarding = compulsory & person("boarding", period)
        amount = amount + boarding * c.household_value(person, "education_boarding_allowance", period)
        return np.where(person("education_eligible", period), amount, 0)


# --- housing ---


class housing_status_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "低保、分散供养特困、低保边缘或刚性支出困难家庭 / dibao, scattered tekun, edge or rigid-expenditure household"
    reference = "社会救助法 第26条; 暂行办法 第38条"

    def formula(household, period):
        return household("low_income_status", period)


class housing_eligible(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "符合住房救助条件 / eligible for housing assistance"
    reference = "暂行办法 第40条: 住房困难由住建部门认定，收入财产由民政部门认定"

    def formula(household, period):
        return household("housing_status_test", period) & household("housing_need", period)


class housing_ratio(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "租赁补贴比例 / rental subsidy ratio"
    unit = "/1"
    reference = "北京: 低保、分散供养特困 95%, 低收入 90% [S]"

    def formula(household, period):
        dibao_like = (
            household("dibao_paid", period)
            | household.any(household.members("medical_status_tekun", period))
            | household.any(household.members("single_person_dibao_eligible", period))
        )
        return np.where(
            dibao_like,
            household("housing_ratio_dibao", period),
            household("housing_ratio_low_income", period),
        )


class housing_monthly_amount(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "租赁补贴（月）= 租金标准 × 补贴比例 × 补贴面积 / monthly rental subsidy"
    unit = "currency-CNY"
    reference = "北京 公租房租金补贴 [S]; domain-rules §5.4"

    def formula(household, period):
        amount = (
            household("housing_rent_standard", period)
            * household("housing_ratio", period)
            * household("housing_subsidy_area", period)
        )
        paid = household("housing_eligible", period) & household("renting", period)
        return np.where(paid, c.round_half_up(amount), 0)


# --- employment ---


class working_age_able(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "劳动年龄内有劳动能力、不在学 / of working age, able to work, not in school"
    reference = "暂行办法 第42–43条"

    def formula(person, period, parameters):
        return (
            person("is_counted_member", period)
            & (person("age", period) >= parameters(period).employment.working_age_min)
            & np.logical_not(person("reached_retirement_age", period))
            & (person("work_capacity", period) != c.WorkCapacity.none)
            & (person("schooling", period) == S.none)
        )


class is_employed(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "已就业（含个体、灵活就业、务农）/ employed (self-employed, flexible and farming included)"
    reference = "暂行办法 第43条"

    def formula(person, period):
        kind = person("employment", period)
        return (kind == E.employed) | (kind == E.self_employed) | (kind == E.flexible) | (kind == E.farming)


class is_jobseeker(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "劳动年龄内未就业 / of working age, able and not employed"
    reference = "社会救助法 第27条; 暂行办法 第42条"

    def formula(person, period):
        kind = person("employment", period)
        unemployed = (kind == E.unemployed_registered) | (kind == E.unemployed)
        return person("working_age_able", period) & unemployed


class zero_employment_household(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "零就业家庭 / zero-employment household"
    reference = "暂行办法 第43条; 2020 意见: 零就业家庭动态清零"

    def formula(household, period):
        able = household.members("working_age_able", period)
        employed = able & household.members("is_employed", period)
        return household.any(able) & np.logical_not(household.any(employed))


class employment_status_test(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "低保、低保边缘或刚性支出困难家庭 / dibao, edge or rigid-expenditure household"
    reference = "社会救助法 第27条"

    def formula(household, period):
        return (
            household("dibao_paid", period)
            | household("edge_eligible", period)
            | household("rigid_expenditure_eligible", period)
            | household.any(household.members("single_person_dibao_eligible", period))
        )


class employment_jobseekers(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "劳动年龄内有劳动能力的未就业成员数 / able working-age members not employed"
    unit = "person"
    reference = "社会救助法 第27条"

    def formula(household, period):
        return household.sum(household.members("is_jobseeker", period))


class employment_has_jobseeker(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "有劳动年龄内有劳动能力的未就业成员 / has an able working-age member not employed"
    reference = "社会救助法 第27条"

    def formula(household, period):
        return household("employment_jobseekers", period) > 0


class employment_eligible(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "符合就业救助条件 / eligible for employment assistance"
    reference = "社会救助法 第27条; 暂行办法 第42–45条"

    def formula(household, period):
        return household("employment_status_test", period) & household("employment_has_jobseeker", period)
