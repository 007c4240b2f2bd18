"""Who is in the unit: counted members (审核确认办法 第7条), the dibao unit, and the two
disability predicates that the texts keep apart (domain-rules §9)."""

import numpy as np
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from openfisca_cn_assistance import common as c
from openfisca_cn_assistance.entities import Household, Person

D = c.DisabilityCategory


class is_supporter(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "外居法定义务人（不是家庭成员）/ legal supporter living elsewhere (not a member)"
    reference = "特困人员认定办法 第8条; 社会救助法 第41条"

    def formula(person, period):
        return person.has_role(Household.SUPPORTER)


class is_counted_member(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "计入共同生活家庭成员 / counted member of the household"
    reference = "审核确认办法 第7条; domain-rules §2.1"

    def formula(person, period):
        excluded = person("exclusion_reason", period) != c.ExclusionReason.none
        return np.logical_not(person("is_supporter", period)) & np.logical_not(excluded)


class is_covered(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "低保保障人口（计入成员，已认定特困人员除外）/ covered by the household's dibao unit"
    reference = "domain-rules §11.1, §11.5: a person recognised as tekun leaves the dibao unit"

    def formula(person, period):
        return person("is_counted_member", period) & np.logical_not(person("tekun_recognised", period))


class counted_members(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "共同生活家庭成员人数 / counted members"
    unit = "person"
    reference = "审核确认办法 第7条"

    def formula(household, period):
        return household.sum(household.members("is_counted_member", period))


class covered_persons(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "低保保障人数 / persons covered by the dibao unit"
    unit = "person"
    reference = "domain-rules §11.1"

    def formula(household, period):
        return household.sum(household.members("is_covered", period))


class severe_disability(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "重度残疾（单人保口径：一、二级，或三级智力、精神残疾）/ severe disability (single-person dibao reading)"
    reference = "审核确认办法 第8条(一); domain-rules §9 severe_disability_for_single_person_dibao"

    def formula(person, period):
        grade = person("disability_grade", period)
        category = person("disability_category", period)
        has = category != D.none
        mental = (category == D.intellectual) | (category == D.mental)
        return has & (((grade >= 1) & (grade <= 2)) | (mental & (grade == 3)))


class no_work_capacity_for_tekun(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "无劳动能力（特困口径）/ no capacity to work (tekun reading)"
    reference = (
        "特困人员认定办法 第5条: 60周岁以上; 未满16周岁; 一至三级智力、精神残疾; 一、二级肢体残疾; 一级视力残疾; 省级规定的其他情形. "
        "Narrower than the single-person reading: grade 1–2 hearing or speech does not qualify (domain-rules §3.2)"
    )

    def formula(person, period, parameters):
        p = parameters(period).tekun
        age = person("age", period)
        grade = person("disability_grade", period)
        category = person("disability_category", period)
        graded = grade >= 1
        return (
            (age >= p.elderly_age)
            | (age < p.minor_age)
            | (((category == D.intellectual) | (category == D.mental)) & graded & (grade <= 3))
            | ((category == D.physical) & graded & (grade <= 2))
            | ((category == D.visual) & (grade == 1))
            | person("no_work_capacity_other", period)
        )


class adl_failed_count(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "六项日常生活活动中不能自主完成的项数 / daily activities not achieved (of six)"
    unit = "count"
    reference = "特困人员认定办法 第20条"

    def formula(person, period):
        names = (
            "adl_eating",
            "adl_dressing",
            "adl_transfer",
            "adl_toileting",
            "adl_indoor_walking",
            "adl_bathing",
        )
        total = np.zeros(person.count, dtype=np.int32)
        for name in names:
            total += np.logical_not(person(name, period))
        return total


class self_care_level(Variable):
    value_type = Enum
    possible_values = c.SelfCareLevel
    default_value = c.SelfCareLevel.able
    entity = Person
    definition_period = MONTH
    label = "生活自理能力 / self-care ability"
    reference = "特困人员认定办法 第21条: 六项全部能完成 具备; 有1–3项不能 部分丧失; 有4项以上不能 完全丧失"

    def formula(person, period):
        failed = person("adl_failed_count", period)
        return np.select([failed >= 4, failed >= 1], [2, 1], 0)


class dibao_standard(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "适用的低保标准（按户口性质）/ the dibao standard that applies (by hukou type)"
    unit = "currency-CNY"
    reference = "domain-rules §11.10: urban or rural by the household's hukou type, unless the region has one standard"

    def formula(household, period):
        urban = household("hukou_type", period) == c.HukouType.urban
        return np.where(
            urban, household("dibao_standard_urban", period), household("dibao_standard_rural", period)
        )


class is_head(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "户主 / head of household"
    reference = "domain-rules §11.16"

    def formula(person, period):
        return person.has_role(Household.HEAD)
