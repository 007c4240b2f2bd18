"""The regional standards: every local number enters a household's simulation as an INPUT.

Each standard below is an OpenFisca household variable of the same name (generated in
``variables/standards.py``). The adapter fills them from the database's regional standards
table, one array per standard (one value per household), and ``evaluate()`` takes them inline in
``situation["standards"]``.

- ``required``: the law gives no national value (the dibao standard…). The adapter MUST supply
  it; ``evaluate()`` lists it as an error when missing. In a bare simulation it defaults to 0.
- ``parameter``: where the adapter supplies nothing, the dated, cited value of this parameter
  applies (a national default, or a neutral value marked as such in its reference).
- ``same_as``: defaults to another standard (e.g. the edge asset rule follows the dibao one).
- Enumerations (``dibao_mode``, ``rounding``) default to their first value.
"""

from __future__ import annotations

from dataclasses import dataclass

from openfisca_cn_assistance import common as c


@dataclass(frozen=True)
class Standard:
    name: str
    label_zh: str
    label_en: str
    unit: str
    reference: str
    required: bool = False
    parameter: str | None = None
    same_as: str | None = None
    enum: type | None = None
    value_type: type = float


def _p(name, zh, en, unit, parameter, reference="see the parameter's own reference", **kw):
    return Standard(name, zh, en, unit, reference, parameter=parameter, **kw)


def _r(name, zh, en, unit, reference, **kw):
    return Standard(name, zh, en, unit, reference, required=True, **kw)


STANDARDS: tuple[Standard, ...] = (
    # --- the regional table (required: no national value) ---
    _r(
        "dibao_standard_urban",
        "城镇低保标准",
        "urban dibao standard",
        "yuan/person/month",
        "社会救助法 第19条; 暂行办法 第10条: set by the province or city. No default: the adapter must supply it.",
    ),
    _r(
        "dibao_standard_rural",
        "农村低保标准",
        "rural dibao standard",
        "yuan/person/month",
        "社会救助法 第19条. Equal to the urban one where the region has a unified standard.",
    ),
    _r(
        "asset_multiple",
        "低保货币财产人均上限（标准的月数）",
        "dibao monetary assets per capita, months of the standard",
        "months",
        "审核确认办法 第14条; 社会救助法 第23条 (province sets the asset rule); 北京 24 [S]",
    ),
    _r(
        "minimum_wage",
        "月最低工资标准",
        "monthly minimum wage",
        "yuan/month",
        "特困 care tiers (北京 京民社救发〔2017〕24号); 因病致贫 test (京医保发〔2023〕9号)",
    ),
    _r(
        "disposable_income_last_year",
        "上年度居民人均可支配收入",
        "last year's per-capita disposable income",
        "yuan/year",
        "刚性支出困难家庭认定办法 第4条; 特困人员认定办法 第8条; 临时救助 (民发〔2018〕23号)",
    ),
    _r(
        "consumption_expenditure_last_year",
        "上年度居民人均消费支出",
        "last year's per-capita consumption expenditure",
        "yuan/year",
        "社会救助法 第19条 (standard basis); 北京 特困 floor [S]",
    ),
    _r(
        "care_rate_able",
        "照料护理标准：具备自理能力（最低工资的比例）",
        "care tier, able to care for oneself (share of minimum wage)",
        "/1",
        "特困人员认定办法 第20–23条 (tier set locally); 北京 20% [S]",
    ),
    _r("care_rate_partial", "照料护理标准：部分丧失自理能力", "care tier, partly lost", "/1", "北京 40% [S]"),
    _r("care_rate_full", "照料护理标准：完全丧失自理能力", "care tier, fully lost", "/1", "北京 60% [S]"),
    _r(
        "rigid_expenditure_ratio",
        "刚性支出占家庭总收入的比例",
        "rigid expenditure share of household income",
        "/1",
        "刚性支出困难家庭认定办法 第4条; 社会救助法 第22条 (set by the prefecture city or above)",
    ),
    # --- with a national default or a neutral default ---
    _p("edge_multiplier", "低保边缘倍数", "edge multiplier", "/1", "edge.multiplier"),
    Standard(
        "edge_asset_multiple",
        "低收入家庭货币财产人均上限（标准的月数）",
        "low-income monetary assets per capita, months",
        "months",
        "2023 意见: 低保边缘家庭财产状况 meets local rules; defaults to the dibao rule",
        same_as="asset_multiple",
    ),
    Standard(
        "tekun_asset_multiple",
        "特困人员货币财产上限（标准的月数）",
        "tekun monetary assets, months of the standard",
        "months",
        "特困人员认定办法 第7条 (set by the city or above); defaults to the dibao rule",
        same_as="asset_multiple",
    ),
    _p(
        "max_vehicles",
        "允许机动车数",
        "motor vehicles allowed",
        "count",
        "assets.max_vehicles",
        value_type=int,
    ),
    _p("max_dwellings", "允许住房套数", "dwellings allowed", "count", "assets.max_dwellings", value_type=int),
    _p(
        "max_non_residential",
        "允许非住宅房产数",
        "non-residential properties allowed",
        "count",
        "assets.max_non_residential",
        value_type=int,
    ),
    _p(
        "average_floor_area_per_person",
        "当地人均住房面积",
        "local average floor area per person",
        "m2",
        "assets.average_floor_area_per_person",
    ),
    _p(
        "income_reference_months",
        "收入计算期（月）",
        "income reference period (months)",
        "months",
        "income.reference_months",
        value_type=int,
    ),
    Standard(
        "dibao_mode",
        "低保金计算方式",
        "dibao amount method",
        "code",
        "审核确认办法 第23条; 社会救助法 第18条",
        enum=c.DibaoMode,
    ),
    _p(
        "band_1_ceiling_ratio",
        "分档：一档上限",
        "band 1 ceiling (share of standard)",
        "/1",
        "dibao.bands.band_1_ceiling_ratio",
    ),
    _p("band_2_ceiling_ratio", "分档：二档上限", "band 2 ceiling", "/1", "dibao.bands.band_2_ceiling_ratio"),
    _p("band_1_rate", "分档：一档每人比例", "band 1 rate", "/1", "dibao.bands.band_1_rate"),
    _p("band_2_rate", "分档：二档每人比例", "band 2 rate", "/1", "dibao.bands.band_2_rate"),
    _p("band_3_rate", "分档：三档每人比例", "band 3 rate", "/1", "dibao.bands.band_3_rate"),
    Standard(
        "rounding",
        "金额取整规则",
        "rounding rule",
        "code",
        "domain-rules §11.1: default half-up to the cent; whole yuan up is the common alternative",
        enum=c.Rounding,
    ),
    _p(
        "topup_rate_severe",
        "分类施保：重病重残",
        "top-up: serious illness or severe disability",
        "/1",
        "dibao.topup.severe_rate",
    ),
    _p(
        "topup_rate_vulnerable",
        "分类施保：老年、未成年、在校等",
        "top-up: elderly, children, students…",
        "/1",
        "dibao.topup.vulnerable_rate",
    ),
    _p(
        "deduction_severe_member_rate",
        "收入核减：重病重残成员",
        "deduction: severely ill or disabled member",
        "/1",
        "income.deductions.severe_member_rate",
    ),
    _p(
        "deduction_elderly_supporter_rate",
        "收入核减：义务人60岁以上加扣",
        "deduction: supporter aged 60+",
        "/1",
        "income.deductions.elderly_supporter_rate",
    ),
    _p(
        "deduction_single_parent_rate",
        "收入核减：单亲抚养",
        "deduction: single parent",
        "/1",
        "income.deductions.single_parent_rate",
    ),
    _p(
        "incentive_salaried_rate",
        "就业扣减：单位就业",
        "employment deduction: salaried",
        "/1",
        "income.employment_incentive.salaried_rate",
    ),
    _p(
        "incentive_flexible_rate",
        "就业扣减：个体灵活就业",
        "employment deduction: flexible",
        "/1",
        "income.employment_incentive.flexible_rate",
    ),
    _p(
        "incentive_flexible_floor_ratio",
        "就业扣减：灵活就业下限",
        "flexible earnings floor (share of standard)",
        "/1",
        "income.employment_incentive.flexible_floor_ratio",
    ),
    _p(
        "taper_months",
        "渐退期（月）",
        "taper length (months)",
        "months",
        "dibao.taper.max_months",
        value_type=int,
    ),
    _p(
        "taper_full_months",
        "渐退全额月数",
        "taper months at the full rate",
        "months",
        "dibao.taper.full_months",
        value_type=int,
    ),
    _p("taper_reduced_rate", "渐退其余月份比例", "taper reduced rate", "/1", "dibao.taper.reduced_rate"),
    _p(
        "refusal_kept_rate",
        "拒绝就业成员保留份额",
        "share kept by a member refusing work",
        "/1",
        "dibao.refusal.kept_rate",
    ),
    _p(
        "tekun_basic_multiple",
        "特困基本生活标准（低保标准倍数）",
        "tekun basic living multiple",
        "/1",
        "tekun.basic_living_multiple",
    ),
    _p(
        "tekun_support_floor_ratio",
        "特困年供养额不低于人均消费支出的比例",
        "tekun yearly floor, share of consumption",
        "/1",
        "tekun.support_floor_ratio",
    ),
    _p(
        "temporary_emergency_months",
        "急难型每人上限（标准月数）",
        "emergency cap per person (months)",
        "months",
        "temporary.emergency.months_per_person",
    ),
    _p(
        "temporary_emergency_cap",
        "急难型每户上限（元）",
        "emergency cap per household (yuan)",
        "yuan",
        "temporary.emergency.cap",
    ),
    _p(
        "tx_low_income_min",
        "支出型（低收入）起算支出",
        "expenditure: low-income minimum",
        "yuan",
        "temporary.expenditure.low_income_min",
    ),
    _p(
        "tx_low_income_top",
        "支出型（低收入）一档上限",
        "expenditure: low-income band top",
        "yuan",
        "temporary.expenditure.low_income_top",
    ),
    _p(
        "tx_low_income_rate_1",
        "支出型（低收入）一档比例",
        "expenditure: low-income rate 1",
        "/1",
        "temporary.expenditure.low_income_rate_1",
    ),
    _p(
        "tx_low_income_rate_2",
        "支出型（低收入）二档比例",
        "expenditure: low-income rate 2",
        "/1",
        "temporary.expenditure.low_income_rate_2",
    ),
    _p(
        "tx_other_min",
        "支出型（其他）起算支出",
        "expenditure: others minimum",
        "yuan",
        "temporary.expenditure.other_min",
    ),
    _p(
        "tx_other_top",
        "支出型（其他）一档上限",
        "expenditure: others band top",
        "yuan",
        "temporary.expenditure.other_top",
    ),
    _p(
        "tx_other_rate_1",
        "支出型（其他）一档比例",
        "expenditure: others rate 1",
        "/1",
        "temporary.expenditure.other_rate_1",
    ),
    _p(
        "tx_other_rate_2",
        "支出型（其他）二档比例",
        "expenditure: others rate 2",
        "/1",
        "temporary.expenditure.other_rate_2",
    ),
    _p(
        "tx_disability_bonus",
        "支出型重度残疾加成",
        "expenditure: severe-disability bonus",
        "/1",
        "temporary.expenditure.disability_bonus",
    ),
    _p(
        "tx_cap_months",
        "支出型上限（标准月数）",
        "expenditure: cap in months of the standard",
        "months",
        "temporary.expenditure.cap_months",
    ),
    *(
        _p(
            f"medical_{cat}_{item}",
            f"医疗救助（{zh}）{izh}",
            f"medical ({cat}) {item}",
            unit,
            f"medical.{cat}.{item}",
        )
        for cat, zh in (
            ("tekun", "特困"),
            ("dibao", "低保"),
            ("edge", "边缘"),
            ("rigid_expenditure", "刚性支出"),
            ("illness", "因病致贫"),
        )
        for item, izh, unit in (
            ("deductible_share", "起付线比例", "/1"),
            ("rate", "救助比例", "/1"),
            ("cap", "年度限额", "yuan"),
        )
    ),
    _p("education_preschool", "教育救助：学前", "education: preschool", "yuan/year", "education.preschool"),
    _p(
        "education_compulsory",
        "教育救助：义务教育",
        "education: compulsory",
        "yuan/year",
        "education.compulsory",
    ),
    _p(
        "education_senior",
        "教育救助：普通高中",
        "education: senior secondary",
        "yuan/year",
        "education.senior",
    ),
    _p(
        "education_vocational",
        "教育救助：职业教育",
        "education: vocational",
        "yuan/year",
        "education.vocational",
    ),
    _p("education_higher", "教育救助：高等教育", "education: higher", "yuan/year", "education.higher"),
    _p(
        "education_boarding_allowance",
        "寄宿生生活补助",
        "boarding allowance",
        "yuan/year",
        "education.boarding_allowance",
    ),
    _p(
        "housing_ratio_dibao",
        "租赁补贴比例（低保、特困）",
        "rental ratio (dibao, tekun)",
        "/1",
        "housing.ratio_dibao",
    ),
    _p(
        "housing_ratio_low_income",
        "租赁补贴比例（低收入）",
        "rental ratio (low income)",
        "/1",
        "housing.ratio_low_income",
    ),
    _p(
        "housing_rent_standard",
        "租金补贴标准（元/平方米/月）",
        "rent standard (yuan/m²/month)",
        "yuan/m2/month",
        "housing.rent_standard",
    ),
    _p(
        "disaster_emergency_per_person",
        "受灾应急救助（元/人）",
        "disaster emergency relief per person",
        "yuan",
        "disaster.emergency_per_person",
    ),
    _p(
        "disaster_winter_spring_cap_per_person",
        "冬春救助上限（元/人）",
        "winter–spring relief cap per person",
        "yuan",
        "disaster.winter_spring_cap_per_person",
    ),
    _p(
        "disaster_rebuild_damaged",
        "重建补助：一般损坏",
        "rebuilding: damaged",
        "yuan",
        "disaster.rebuild.damaged",
    ),
    _p(
        "disaster_rebuild_severe",
        "重建补助：严重损坏",
        "rebuilding: severely damaged",
        "yuan",
        "disaster.rebuild.severe",
    ),
    _p(
        "disaster_rebuild_collapsed",
        "重建补助：倒塌",
        "rebuilding: collapsed",
        "yuan",
        "disaster.rebuild.collapsed",
    ),
    _p(
        "price_trigger_cpi",
        "价格补贴启动：CPI涨幅",
        "price subsidy trigger: CPI",
        "/1",
        "price_subsidy.trigger_cpi",
    ),
    _p(
        "price_trigger_food_cpi",
        "价格补贴启动：食品价格涨幅",
        "price subsidy trigger: food prices",
        "/1",
        "price_subsidy.trigger_food_cpi",
    ),
    _p(
        "price_basis_ratio",
        "价格补贴基数比例",
        "price subsidy basis ratio",
        "/1",
        "price_subsidy.basis_ratio",
    ),
    Standard(
        "cpi_yoy",
        "当月CPI同比涨幅",
        "CPI year-on-year this month",
        "/1",
        "statistics bureau; 0 when not supplied",
    ),
    Standard(
        "food_cpi_yoy",
        "当月食品价格同比涨幅",
        "food prices year-on-year this month",
        "/1",
        "statistics bureau; 0 when not supplied",
    ),
)

BY_NAME = {s.name: s for s in STANDARDS}
REQUIRED = tuple(s.name for s in STANDARDS if s.required)
