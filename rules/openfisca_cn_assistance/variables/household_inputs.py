"""Facts about the household: the adapter supplies them from the case and its events."""

from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from openfisca_cn_assistance import common as c
from openfisca_cn_assistance.entities import Household


class hukou_type(Variable):
    value_type = Enum
    possible_values = c.HukouType
    default_value = c.HukouType.urban
    entity = Household
    definition_period = MONTH
    label = "户口性质（决定适用城镇或农村标准）/ hukou type (urban or rural standard)"
    reference = "domain-rules §11.10"


class is_single_parent(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "单亲家庭 / single-parent household"
    reference = "北京 收入核减 [S]"


class taper_month(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "渐退期第几个月（0 = 不在渐退期）/ month of the taper granted (0 = none)"
    unit = "month"
    reference = "审核确认办法 第33条; domain-rules §11.3"


class dibao_paid_before_rise(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "收入增加前一个月的低保金 / dibao paid in the month before income rose"
    unit = "currency-CNY"
    reference = "domain-rules §11.3: the taper base"


class emergency_event(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "遭遇急难（火灾、交通事故、突发重病等）/ an emergency happened"
    reference = "民发〔2018〕23号; 社会救助法 第29、50条"


class emergency_need(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "急难救助评估需要（元，0 = 未评估）/ assessed emergency need (0 = not assessed)"
    unit = "currency-CNY"
    reference = "民发〔2018〕23号"


class necessary_spending(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "支出型：突发的必要支出（元）/ sudden necessary spending (yuan)"
    unit = "currency-CNY"
    reference = "民发〔2018〕23号: 支出型; 北京 京民社救发〔2020〕86号 [S]"


class spending_cause(Variable):
    value_type = Enum
    possible_values = c.SpendingCause
    default_value = c.SpendingCause.none
    entity = Household
    definition_period = MONTH
    label = "支出型救助事由 / cause of the spending"
    reference = "北京: once a year per cause [S]"


class same_cause_assisted_this_year(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "本年度已因同一事由获临时救助 / already assisted this year for the same cause"
    reference = "北京 京民社救发〔2020〕86号 [S]"


class housing_need(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "住房困难（住建部门认定）/ housing need confirmed by 住建"
    reference = "暂行办法 第40条"


class renting(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "在市场租房、申请租赁补贴 / rents and applies for the rental subsidy"
    reference = "社会救助法 第26条"


class housing_subsidy_area(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "补贴面积（平方米）/ subsidised area (m²)"
    unit = "m2"
    reference = "北京: rent standard × ratio × area [S]"


class disaster_affected(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "受自然灾害影响 / affected by a natural disaster"
    reference = "自然灾害救助条例; 社会救助法 第28条"


class winter_spring_need(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "冬春生活困难评估需要（元）/ assessed winter–spring need"
    unit = "currency-CNY"
    reference = "自然灾害救助条例 第20条"


class house_damage(Variable):
    value_type = Enum
    possible_values = c.HouseDamage
    default_value = c.HouseDamage.none
    entity = Household
    definition_period = MONTH
    label = "住房倒损程度 / damage to the house"
    reference = "自然灾害救助条例 第19条"


class basic_living_cost_12m(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "近12个月基本生活费用支出（县级规定计入时）/ basic living costs, last 12 months (where the county counts them)"
    unit = "currency-CNY"
    reference = "刚性支出困难家庭认定办法 第5条(一); 0 unless the county's rule counts them"
