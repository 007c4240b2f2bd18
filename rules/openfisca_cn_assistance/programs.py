"""The programs and the tests behind each one: one table shared by the explanations
(``explain.py``) and the batch path's failure bitmasks (``batch.py``).

Each check names the OpenFisca variable that says whether it passed, the variable shown as its
value, and the threshold (a variable or a constant). A program is eligible exactly when all its
checks pass (``tests/test_programs.py`` asserts it on random households); the bit of a check in
a batch failure mask is its position in ``checks``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Check:
    code: str
    label_zh: str
    label_en: str
    passed: str
    reference: str
    value: str | None = None
    op: str | None = None
    threshold: str | float | None = None


@dataclass(frozen=True)
class Distance:
    """One line on the distance to the line: "月人均收入高于标准 120 元"."""

    value: str
    threshold: str
    value_zh: str
    value_en: str
    line_zh: str
    line_en: str


@dataclass(frozen=True)
class Program:
    key: str
    label_zh: str
    label_en: str
    entity: str  # "household" or "person"
    eligible: str
    checks: tuple[Check, ...]
    amount: str | None = None
    amount_key: str | None = None  # "monthly_amount" or "amount"
    distance: Distance | None = None
    extras: dict[str, str] = field(default_factory=dict)
    member_flag: str | None = None  # household programs: the person variable naming the members concerned


def _c(code, zh, en, passed, reference, value=None, op=None, threshold=None):
    return Check(code, zh, en, passed, reference, value, op, threshold)


_ASSETS_DIBAO = (
    _c(
        "DB_MONETARY",
        "人均货币财产不超过上限",
        "monetary assets per capita within the limit",
        "monetary_asset_test",
        "审核确认办法 第14条",
        "monetary_assets_per_capita",
        "<=",
        "monetary_asset_limit",
    ),
    _c(
        "DB_VEHICLE",
        "机动车符合规定",
        "vehicles within the rule",
        "vehicle_test",
        "审核确认办法 第14条",
        "vehicles_count",
        "<=",
        "max_vehicles",
    ),
    _c(
        "DB_DWELLING",
        "住房符合规定",
        "dwellings within the rule",
        "dwelling_test",
        "审核确认办法 第14条",
        "dwellings_count",
        "<=",
        "max_dwellings",
    ),
    _c(
        "DB_NON_RESIDENTIAL",
        "非住宅房产符合规定",
        "non-residential property within the rule",
        "non_residential_test",
        "审核确认办法 第14条",
        "non_residential_count",
        "<=",
        "max_non_residential",
    ),
)


def _low_income_assets(prefix):
    return (
        _c(
            f"{prefix}_MONETARY",
            "人均货币财产不超过低收入家庭上限",
            "monetary assets per capita within the low-income limit",
            "low_income_monetary_asset_test",
            "2023 意见; 社会救助法 第23条",
            "monetary_assets_per_capita",
            "<=",
            "low_income_asset_limit",
        ),
        _c(
            f"{prefix}_PHYSICAL",
            "车辆、住房、非住宅房产符合规定",
            "vehicles, dwellings and non-residential property within the rules",
            "physical_asset_test",
            "审核确认办法 第14条",
        ),
    )


PROGRAMS: tuple[Program, ...] = (
    Program(
        "dibao",
        "最低生活保障",
        "minimum living guarantee (dibao)",
        "household",
        "dibao_eligible",
        (
            _c(
                "DB_MEMBERS",
                "有低保保障人口",
                "at least one covered person",
                "dibao_has_covered_persons",
                "审核确认办法 第7条",
                "covered_persons",
                ">=",
                1,
            ),
            _c(
                "DB_INCOME",
                "月人均收入低于低保标准",
                "monthly per-capita income below the standard",
                "dibao_income_test",
                "社会救助法 第18条; domain-rules §11.2",
                "per_capita_income",
                "<",
                "dibao_standard",
            ),
            *_ASSETS_DIBAO,
        ),
        amount="dibao_monthly_amount",
        amount_key="monthly_amount",
        member_flag="is_covered",
        distance=Distance(
            "per_capita_income",
            "dibao_standard",
            "月人均收入",
            "monthly per-capita income",
            "标准",
            "the standard",
        ),
        extras={
            "in_taper": "in_taper",
            "taper_month": "taper_month",
            "covered_persons": "covered_persons",
            "per_capita_income": "per_capita_income",
            "standard": "dibao_standard",
            "topup_amount": "dibao_topup_amount",
            "band": "dibao_band",
        },
    ),
    Program(
        "single_person_dibao",
        "单人保",
        "single-person dibao",
        "person",
        "single_person_dibao_eligible",
        (
            _c(
                "SP_EDGE_HOUSEHOLD",
                "所在家庭为低保边缘家庭",
                "the household is an edge household",
                "single_person_edge_household",
                "审核确认办法 第8条",
            ),
            _c(
                "SP_GROUND",
                "重度残疾、重病或其他可单独申请的情形",
                "severe disability, major illness or another ground",
                "single_person_ground",
                "审核确认办法 第8条; domain-rules §9",
            ),
            _c(
                "SP_INCOME",
                "本人月收入低于低保标准",
                "own monthly income below the standard",
                "single_person_income_test",
                "domain-rules §11.4 [A]",
                "own_income_monthly",
                "<",
                "dibao_standard",
            ),
            _c(
                "SP_NOT_TEKUN",
                "未被认定为特困人员",
                "not recognised as tekun",
                "single_person_not_tekun",
                "domain-rules §11.5",
            ),
        ),
        amount="single_person_dibao_amount",
        amount_key="monthly_amount",
        distance=Distance(
            "own_income_monthly", "dibao_standard", "本人月收入", "own monthly income", "标准", "the standard"
        ),
    ),
    Program(
        "tekun",
        "特困人员救助供养",
        "support for extremely poor persons (tekun)",
        "person",
        "tekun_eligible",
        (
            _c(
                "TK_MEMBER",
                "计入共同生活家庭成员",
                "a counted member",
                "is_counted_member",
                "审核确认办法 第7条",
            ),
            _c(
                "TK_NO_WORK_CAPACITY",
                "无劳动能力（特困口径）或已认定未成年人继续供养",
                "no work capacity (tekun reading) or a recognised minor still supported",
                "tekun_work_capacity_test",
                "特困人员认定办法 第5条, 第24条",
                "age",
            ),
            _c(
                "TK_INCOME",
                "本人收入低于低保标准",
                "own income below the dibao standard",
                "tekun_income_test",
                "特困人员认定办法 第6–7条",
                "tekun_income_monthly",
                "<",
                "tekun_standard_base",
            ),
            _c(
                "TK_ASSETS",
                "本人财产符合规定",
                "own assets within the rule",
                "tekun_asset_test",
                "特困人员认定办法 第6–7条",
                "tekun_own_assets",
                "<=",
                "tekun_asset_limit",
            ),
            _c(
                "TK_SUPPORTERS",
                "无法定义务人或义务人无履行能力",
                "no legal supporter, or every supporter unable",
                "tekun_supporter_test",
                "特困人员认定办法 第4条(三), 第8条",
            ),
            _c(
                "TK_NOT_CHILD_PROTECTION",
                "未选择孤儿或事实无人抚养儿童保障",
                "did not choose child-protection support",
                "tekun_not_child_protection",
                "特困人员认定办法 第9条",
            ),
        ),
        amount="tekun_monthly_amount",
        amount_key="monthly_amount",
        distance=Distance(
            "tekun_income_monthly",
            "tekun_standard_base",
            "本人月收入",
            "own monthly income",
            "标准",
            "the standard",
        ),
        extras={
            "self_care_level": "self_care_level",
            "basic_amount": "tekun_basic_amount",
            "care_amount": "tekun_care_amount",
        },
    ),
    Program(
        "edge",
        "低保边缘家庭",
        "near-dibao (edge) household",
        "household",
        "edge_eligible",
        (
            _c(
                "ED_MEMBERS",
                "有计入的家庭成员",
                "at least one covered person",
                "dibao_has_covered_persons",
                "审核确认办法 第7条",
                "covered_persons",
                ">=",
                1,
            ),
            _c(
                "ED_NOT_DIBAO",
                "不符合低保条件",
                "not eligible for dibao",
                "edge_not_dibao_test",
                "审核确认办法 第8条",
            ),
            _c(
                "ED_INCOME",
                "月人均收入低于低保边缘收入线",
                "monthly per-capita income below the edge line",
                "edge_income_test",
                "社会救助法 第21条",
                "per_capita_income",
                "<",
                "edge_line",
            ),
            *_low_income_assets("ED"),
        ),
        distance=Distance(
            "per_capita_income",
            "edge_line",
            "月人均收入",
            "monthly per-capita income",
            "边缘收入线",
            "the edge line",
        ),
        extras={"edge_line": "edge_line", "multiplier": "edge_multiplier"},
    ),
    Program(
        "rigid_expenditure",
        "刚性支出困难家庭",
        "rigid-expenditure hardship household",
        "household",
        "rigid_expenditure_eligible",
        (
            _c(
                "RE_IN_FORCE",
                "认定办法已施行（2025-01-01起）",
                "the rules are in force (from 2025-01-01)",
                "rigid_expenditure_in_force",
                "刚性支出困难家庭认定办法",
            ),
            _c(
                "RE_NOT_OTHER",
                "不属于低保、低保边缘家庭",
                "not a dibao or edge household",
                "rigid_not_other_test",
                "刚性支出困难家庭认定办法 第4条",
            ),
            _c(
                "RE_INCOME",
                "年人均收入低于上年度人均可支配收入",
                "yearly per-capita income below last year's disposable income",
                "rigid_income_test",
                "刚性支出困难家庭认定办法 第4条",
                "per_capita_income_annual",
                "<",
                "disposable_income_last_year",
            ),
            *_low_income_assets("RE"),
            _c(
                "RE_SPENDING",
                "刚性支出超过家庭总收入的规定比例",
                "rigid spending above the set share of income",
                "rigid_spending_test",
                "刚性支出困难家庭认定办法 第4–5条",
                "rigid_expenditure_12m",
                ">",
                "rigid_spending_threshold",
            ),
        ),
        distance=Distance(
            "per_capita_income_annual",
            "disposable_income_last_year",
            "年人均收入",
            "yearly per-capita income",
            "上年度人均可支配收入",
            "last year's per-capita disposable income",
        ),
    ),
    Program(
        "temporary_emergency",
        "临时救助（急难型）",
        "temporary assistance (emergency)",
        "household",
        "temporary_emergency_eligible",
        (
            _c(
                "TE_EVENT",
                "遭遇急难",
                "an emergency happened",
                "emergency_event",
                "民发〔2018〕23号; 社会救助法 第50条",
            ),
        ),
        amount="temporary_emergency_amount",
        amount_key="amount",
        extras={"cap": "temporary_emergency_cap_amount"},
    ),
    Program(
        "temporary_expenditure",
        "临时救助（支出型）",
        "temporary assistance (expenditure-driven)",
        "household",
        "temporary_expenditure_eligible",
        (
            _c(
                "TX_MEMBERS",
                "有计入的家庭成员",
                "at least one covered person",
                "dibao_has_covered_persons",
                "审核确认办法 第7条",
                "covered_persons",
                ">=",
                1,
            ),
            _c(
                "TX_SPENDING",
                "必要支出达到起算额",
                "necessary spending reaches the minimum",
                "temporary_expenditure_spending_test",
                "民发〔2018〕23号; domain-rules §11.8",
                "necessary_spending",
                ">=",
                "temporary_expenditure_min",
            ),
            _c(
                "TX_INCOME",
                "年人均收入低于上年度人均可支配收入",
                "yearly per-capita income below last year's disposable income",
                "temporary_expenditure_income_test",
                "民发〔2018〕23号",
                "per_capita_income_annual",
                "<",
                "disposable_income_last_year",
            ),
            *_low_income_assets("TX"),
            _c(
                "TX_ONCE_A_YEAR",
                "本年度未因同一事由获救助",
                "not yet assisted this year for the same cause",
                "temporary_expenditure_once_test",
                "北京 京民社救发〔2020〕86号",
            ),
        ),
        amount="temporary_expenditure_amount",
        amount_key="amount",
        distance=Distance(
            "necessary_spending",
            "temporary_expenditure_min",
            "必要支出",
            "necessary spending",
            "起算额",
            "the minimum",
        ),
    ),
    Program(
        "medical",
        "医疗救助",
        "medical assistance",
        "person",
        "medical_eligible",
        (
            _c(
                "MD_STATUS",
                "属于医疗救助对象（特困、低保、边缘、刚性支出、因病致贫）",
                "a target (tekun, dibao, edge, rigid expenditure, impoverished by illness)",
                "medical_eligible",
                "社会救助法 第24条",
                "medical_best_status",
            ),
        ),
        amount="medical_amount",
        amount_key="amount",
        extras={"best_status": "medical_best_status", "costs": "medical_costs_year"},
    ),
    Program(
        "education",
        "教育救助",
        "education assistance",
        "person",
        "education_eligible",
        (
            _c(
                "EDU_STATUS",
                "特困人员或低保、边缘、刚性支出困难家庭成员",
                "tekun, or member of a dibao, edge or rigid-expenditure household",
                "education_status_test",
                "社会救助法 第25条",
            ),
            _c(
                "EDU_IN_SCHOOL",
                "在学",
                "in education",
                "education_in_school_test",
                "社会救助法 第25条",
                "schooling",
            ),
        ),
        amount="education_amount",
        amount_key="amount",
    ),
    Program(
        "housing",
        "住房救助",
        "housing assistance",
        "household",
        "housing_eligible",
        (
            _c(
                "HS_STATUS",
                "低保、特困、边缘或刚性支出困难家庭",
                "dibao, tekun, edge or rigid-expenditure household",
                "housing_status_test",
                "社会救助法 第26条",
            ),
            _c(
                "HS_NEED",
                "住房困难（住建部门认定）",
                "housing need confirmed",
                "housing_need",
                "暂行办法 第40条",
            ),
        ),
        amount="housing_monthly_amount",
        amount_key="monthly_amount",
        extras={"ratio": "housing_ratio"},
    ),
    Program(
        "employment",
        "就业救助",
        "employment assistance",
        "household",
        "employment_eligible",
        (
            _c(
                "EM_STATUS",
                "低保、边缘或刚性支出困难家庭",
                "dibao, edge or rigid-expenditure household",
                "employment_status_test",
                "社会救助法 第27条",
            ),
            _c(
                "EM_JOBSEEKER",
                "有劳动年龄内有劳动能力的未就业成员",
                "an able working-age member not employed",
                "employment_has_jobseeker",
                "社会救助法 第27条",
                "employment_jobseekers",
                ">=",
                1,
            ),
        ),
        extras={
            "zero_employment_household": "zero_employment_household",
            "jobseekers": "employment_jobseekers",
        },
        member_flag="is_jobseeker",
    ),
    Program(
        "disaster",
        "受灾人员救助",
        "disaster relief",
        "household",
        "disaster_eligible",
        (
            _c(
                "DS_AFFECTED",
                "受自然灾害影响",
                "affected by a natural disaster",
                "disaster_affected",
                "自然灾害救助条例",
            ),
        ),
        amount="disaster_amount",
        amount_key="amount",
    ),
    Program(
        "price_subsidy",
        "价格临时补贴",
        "price-linked temporary subsidy",
        "household",
        "price_subsidy_eligible",
        (
            _c(
                "PS_TRIGGER",
                "价格涨幅达到启动条件",
                "price rise reaches the trigger",
                "price_subsidy_triggered",
                "社会救助法 第32条",
                "cpi_yoy",
                ">=",
                "price_trigger_cpi",
            ),
            _c(
                "PS_TARGETS",
                "有保障对象",
                "at least one target person",
                "price_subsidy_has_targets",
                "社会救助法 第32条",
                "price_subsidy_targets",
                ">=",
                1,
            ),
        ),
        amount="price_subsidy_monthly_amount",
        amount_key="monthly_amount",
        member_flag="price_subsidy_target",
    ),
)

BY_KEY = {p.key: p for p in PROGRAMS}
PROGRAM_KEYS = tuple(BY_KEY)
