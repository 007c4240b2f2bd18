"""Facts about a person: the inputs the adapter supplies from the household file and verification.

Incomes and expenses are totals over the household's income reference period
(``income_reference_months``, e.g. the 12 months before the application); rigid and medical
expenses are over the last 12 months or the current year, as labelled.
"""

from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from openfisca_cn_assistance import common as c
from openfisca_cn_assistance.entities import Person

# --- identity and condition ---


class age(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "周岁年龄 / age in full years"
    unit = "year"
    reference = "特困人员认定办法 第5条; 审核确认办法 第7条"


class disability_category(Variable):
    value_type = Enum
    possible_values = c.DisabilityCategory
    default_value = c.DisabilityCategory.none
    entity = Person
    definition_period = MONTH
    label = "残疾类别（残疾人证）/ disability category (disability certificate)"
    reference = "GB/T 26341-2010 残疾人残疾分类和分级"


class disability_grade(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "残疾等级（1–4级，0 = 无）/ disability grade (1 most severe, 0 = none)"
    unit = "grade"
    reference = "GB/T 26341-2010"


class serious_illness(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "患重特大疾病（当地认定）/ has a locally recognised major illness"
    reference = "审核确认办法 第8条(二); 社会救助法 第21条"


class work_capacity(Variable):
    value_type = Enum
    possible_values = c.WorkCapacity
    default_value = c.WorkCapacity.full
    entity = Person
    definition_period = MONTH
    label = "劳动能力（评定结果）/ assessed work capacity"
    reference = "2022 通知: 劳动力系数 — judge on the actual situation"


class schooling(Variable):
    value_type = Enum
    possible_values = c.Schooling
    default_value = c.Schooling.none
    entity = Person
    definition_period = MONTH
    label = "在学情况（全日制）/ full-time schooling"
    reference = "审核确认办法 第7条(三); 特困人员认定办法 第24条; 社会救助法 第25条"


class boarding(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "寄宿生 / boarding student"
    reference = "北京 义务教育寄宿生生活补助 [S]"


class employment(Variable):
    value_type = Enum
    possible_values = c.Employment
    default_value = c.Employment.na
    entity = Person
    definition_period = MONTH
    label = "就业状况 / employment status"
    reference = "审核确认办法 第13条 (employment costs); 暂行办法 第43条"


class reached_retirement_age(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "已达法定退休年龄 / has reached the statutory retirement age"
    reference = "北京 分类施保 [S]; the adapter applies the 2025 gradual retirement-age reform"


class exclusion_reason(Variable):
    value_type = Enum
    possible_values = c.ExclusionReason
    default_value = c.ExclusionReason.none
    entity = Person
    definition_period = MONTH
    label = "不计入共同生活家庭成员的原因 / why the person is not a counted member"
    reference = "审核确认办法 第7条 (excluded persons)"


class tekun_recognised(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "已认定为特困人员 / already recognised as tekun"
    reference = "特困人员认定办法 第8条(一), 第24条; domain-rules §11.5: a tekun person leaves the dibao unit"


class receives_dibao(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "本人为低保对象（外居义务人）/ is a dibao recipient (for a supporter living elsewhere)"
    reference = "特困人员认定办法 第8条(二)"


class traditional_relief_target(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "传统救济对象 / traditional relief target"
    reference = "北京 分类施保 [S]"


class refused_job_offers(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "连续无正当理由拒绝介绍工作的次数 / refusals in a row of suitable work offered by 人社"
    unit = "count"
    reference = "暂行办法 第45条; 审核确认办法 第34条"


class child_protection_chosen(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "选择孤儿或事实无人抚养儿童保障 / chose orphan or de-facto unsupported child support"
    reference = "特困人员认定办法 第9条"


class has_contracted_land(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "有承包土地或集体经营收益 / has contracted land or a collective-income share"
    reference = "特困人员认定办法 第19条: rural rates"


class relocated_to_town(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "易地扶贫搬迁进城镇 / relocated to a town under poverty-relief relocation"
    reference = "特困人员认定办法 第19条: urban rates"


class no_civil_capacity(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "无民事行为能力 / without civil capacity"
    reference = "特困人员认定办法 第8条(五)"


class declared_missing(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "被宣告失踪 / declared missing"
    reference = "特困人员认定办法 第8条(五)"


class in_prison(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "在监狱服刑 / in prison"
    reference = "特困人员认定办法 第8条(五)"


class supporter_unable_other(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "省级规定的其他无履行义务能力情形 / other provincial case of a supporter unable to support"
    reference = "特困人员认定办法 第8条(六)"


class no_work_capacity_other(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "省级规定的其他无劳动能力情形 / other provincial case of no work capacity"
    reference = "特困人员认定办法 第5条(四)"


class single_person_other_ground(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = (
        "单独提出申请的其他情形（宗教教职人员、县级规定）/ other ground to apply alone (clergy, county rule)"
    )
    reference = "审核确认办法 第8条(三)(四)"


class receives_unemployment_insurance(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "领取失业保险金 / receives unemployment insurance"
    reference = "价格临时补贴 targets [A]"


# --- self-care: the six daily activities (特困人员认定办法 第20条); True = does it unaided ---


class adl_eating(Variable):
    value_type = bool
    default_value = True
    entity = Person
    definition_period = MONTH
    label = "自主吃饭 / eats unaided"
    reference = "特困人员认定办法 第20条"


class adl_dressing(Variable):
    value_type = bool
    default_value = True
    entity = Person
    definition_period = MONTH
    label = "自主穿衣 / dresses unaided"
    reference = "特困人员认定办法 第20条"


class adl_transfer(Variable):
    value_type = bool
    default_value = True
    entity = Person
    definition_period = MONTH
    label = "自主上下床 / gets in and out of bed unaided"
    reference = "特困人员认定办法 第20条"


class adl_toileting(Variable):
    value_type = bool
    default_value = True
    entity = Person
    definition_period = MONTH
    label = "自主如厕 / uses the toilet unaided"
    reference = "特困人员认定办法 第20条"


class adl_indoor_walking(Variable):
    value_type = bool
    default_value = True
    entity = Person
    definition_period = MONTH
    label = "室内行走 / walks indoors unaided"
    reference = "特困人员认定办法 第20条"


class adl_bathing(Variable):
    value_type = bool
    default_value = True
    entity = Person
    definition_period = MONTH
    label = "自主洗澡 / bathes unaided"
    reference = "特困人员认定办法 第20条"


# --- income over the reference period (审核确认办法 第13条), yuan ---


_R13 = "审核确认办法 第13条"


class wage_income(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "工资性收入（计算期合计）/ wages and benefits over the period"
    unit = "currency-CNY"
    reference = _R13 + "(一)"


class employment_costs(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "必要的就业成本 / necessary employment costs"
    unit = "currency-CNY"
    reference = _R13 + "(一)"


class business_net_income(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "经营净收入（可为负）/ net business income (may be negative)"
    unit = "currency-CNY"
    reference = _R13 + "(二)"


class property_net_income(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "财产净收入（可为负）/ net property income (may be negative)"
    unit = "currency-CNY"
    reference = _R13 + "(三)"


class support_received(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "赡养费、抚养费、扶养费收入 / support payments received"
    unit = "currency-CNY"
    reference = _R13 + "(四)"


class pension_income(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "离退休金、养老金（不含基础养老金）/ pensions (without the basic pension)"
    unit = "currency-CNY"
    reference = _R13 + "(四)"


class other_transfer_income(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "其他转移性收入（失业保险金、遗属补助、赔偿、赠送等）/ other transfers"
    unit = "currency-CNY"
    reference = _R13 + "(四)"


class support_paid(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "支付的赡养费等 / support paid out"
    unit = "currency-CNY"
    reference = _R13 + "(四) transfer expenditure"


class taxes_and_contributions(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "个人所得税及社会保险缴费 / income tax and social-insurance contributions"
    unit = "currency-CNY"
    reference = _R13 + "(四)"


class other_income(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "其他应当计入的收入 / other counted income"
    unit = "currency-CNY"
    reference = _R13 + "(五)"


class basic_pension(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "城乡居民基础养老金 / central basic pension of the resident scheme"
    unit = "currency-CNY"
    reference = _R13 + " (not counted in 十四五)"


class old_age_allowance(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "高龄津贴 / old-age allowance"
    unit = "currency-CNY"
    reference = (
        "特困人员认定办法 第7条 (not counted for tekun); counted for dibao unless the city excludes it"
    )


class preferential_care_payments(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "优待抚恤金 / payments to veterans' families"
    unit = "currency-CNY"
    reference = _R13 + " 不计入(一)"


class reward_subsidies(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "计划生育奖励扶助金、奖学金、见义勇为奖励等 / reward-type subsidies"
    unit = "currency-CNY"
    reference = _R13 + " 不计入(一)"


class assistance_received(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "政府发放的社会救助款物 / social-assistance benefits received"
    unit = "currency-CNY"
    reference = _R13 + " 不计入(二)"


class locally_excluded_income(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "市级以上政府规定不计入的其他收入 / other items excluded by the city"
    unit = "currency-CNY"
    reference = _R13 + " 不计入(四)"


# --- assets (审核确认办法 第14条) ---


class monetary_assets(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "货币财产（存款、现金、有价证券、基金、商业保险、债权、互联网金融资产）/ monetary assets"
    unit = "currency-CNY"
    reference = "审核确认办法 第14条"


class business_capital(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "企业出资、股权（认缴出资额）/ subscribed capital and equity in enterprises"
    unit = "currency-CNY"
    reference = "北京 counts subscribed capital as monetary [S]"


class vehicles(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "名下机动车（不含残疾人代步车）/ motor vehicles registered (disability vehicles excluded)"
    unit = "count"
    reference = "审核确认办法 第14条; 北京 [S]"


class dwellings(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "名下住房套数（含承租公房）/ dwellings owned or publicly rented"
    unit = "count"
    reference = "审核确认办法 第14条; 北京 [S]"


class dwelling_area(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "名下住房建筑面积 / floor area of those dwellings"
    unit = "m2"
    reference = "北京 [S]"


class non_residential_properties(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "名下非住宅房产 / non-residential properties"
    unit = "count"
    reference = "北京 [S]"


# --- expenses ---
class medical_out_of_pocket_12m(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "近12个月自付合规医疗费用 / eligible out-of-pocket medical costs, last 12 months"
    unit = "currency-CNY"
    reference = "刚性支出困难家庭认定办法 第5条(二)"


class education_expense_12m(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "近12个月教育支出（不超过同级公办标准）/ schooling costs, last 12 months"
    unit = "currency-CNY"
    reference = "刚性支出困难家庭认定办法 第5条(三)"


class rehabilitation_expense_12m(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "近12个月康复及辅具支出 / rehabilitation and assistive devices, last 12 months"
    unit = "currency-CNY"
    reference = "刚性支出困难家庭认定办法 第5条(四)"


class other_rigid_expense_12m(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "县级规定的其他刚性支出 / other rigid spending set by the county"
    unit = "currency-CNY"
    reference = "刚性支出困难家庭认定办法 第5条(五)"


class medical_costs_year(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "本年度经基本医保、大病保险等报销后的合规自付医疗费用 / this year's eligible out-of-pocket medical costs"
    unit = "currency-CNY"
    reference = "社会救助法 第24条"


class medical_assistance_paid_year(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "本年度已获医疗救助金额 / medical assistance already paid this year"
    unit = "currency-CNY"
    reference = "国办发〔2021〕42号: yearly cap [S-2]"
