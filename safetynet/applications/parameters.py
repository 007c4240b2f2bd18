"""National defaults of the workflow's time limits and periods: dated parameters, each with
its legal reference. A region overrides any of them in the regional standards table with the
same key (``workflow.…``; a program-specific key ``workflow.<program>.…`` beats the general one),
read through ``eligibility.selectors.standards_in_force``.

"[A]" in a reference marks a value not verified in a source text (domain-rules.md tags); it is
a parameter precisely so that a region can set the right value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from safetynet.eligibility.selectors import StandardValue

WORKING_DAYS = "working_days"
CALENDAR_DAYS = "calendar_days"
MONTHS = "months"
FLAG = "flag"
PERCENT = "percent"


@dataclass(frozen=True)
class Parameter:
    key: str
    value: Decimal
    unit: str
    effective_from: dt.date
    reference: str
    label: str


_SINCE_2021 = dt.date(2021, 7, 1)
_SINCE_2022 = dt.date(2022, 10, 1)
_SINCE_2025 = dt.date(2025, 1, 1)


def _p(key: str, value: int | str, unit: str, since: dt.date, reference: str, label: str) -> Parameter:
    return Parameter(key, Decimal(str(value)), unit, since, reference, label)


# Each key may have several dated values; the latest one not after the day asked wins.
PARAMETERS: tuple[Parameter, ...] = (
    _p(
        "workflow.acceptance_days",
        5,
        WORKING_DAYS,
        _SINCE_2021,
        "[A] 受理审查期限：审核确认办法未规定，按地方惯例设为5个工作日",
        "受理审查",
    ),
    _p(
        "workflow.investigation_start_days",
        3,
        WORKING_DAYS,
        _SINCE_2021,
        "最低生活保障审核确认办法 第15条：受理之日起3个工作日内启动家庭经济状况调查",
        "启动调查",
    ),
    _p(
        "workflow.verification_start_days",
        3,
        WORKING_DAYS,
        _SINCE_2021,
        "最低生活保障审核确认办法 第17条：县级民政部门3个工作日内启动信息核对",
        "启动信息核对",
    ),
    _p(
        "workflow.tekun.investigation_days",
        15,
        WORKING_DAYS,
        _SINCE_2021,
        "特困人员认定办法 第12条：乡镇（街道）15个工作日内完成调查",
        "调查核实（特困）",
    ),
    _p(
        "workflow.public_notice_days",
        7,
        CALENDAR_DAYS,
        _SINCE_2021,
        "最低生活保障审核确认办法 第19条；特困人员认定办法 第13条：公示7天（按自然日计，domain-rules §11.9 [A]）",
        "公示期",
    ),
    _p(
        "workflow.tekun.reinvestigation_days",
        15,
        WORKING_DAYS,
        _SINCE_2021,
        "特困人员认定办法 第13条：有异议的，15个工作日内重新调查并提出意见",
        "异议复查（特困）",
    ),
    _p(
        "workflow.county_review_days",
        10,
        WORKING_DAYS,
        _SINCE_2021,
        "最低生活保障审核确认办法 第20条：县级民政部门收到材料之日起10个工作日内审核确认",
        "县级审核确认",
    ),
    _p(
        "workflow.tekun.county_review_days",
        15,
        WORKING_DAYS,
        _SINCE_2021,
        "特困人员认定办法 第14条：县级民政部门15个工作日内审核确认",
        "县级审核确认（特困）",
    ),
    _p(
        "workflow.notify_days",
        3,
        WORKING_DAYS,
        _SINCE_2021,
        "最低生活保障审核确认办法 第21条：不予批准的，3个工作日内书面告知（批准通知同样按3个工作日送达 [A]）",
        "决定送达",
    ),
    _p(
        "workflow.total_days",
        30,
        WORKING_DAYS,
        _SINCE_2021,
        "最低生活保障审核确认办法 第22条：自受理之日起30个工作日内办结",
        "办理总时限",
    ),
    _p(
        "workflow.total_days_delegated",
        20,
        WORKING_DAYS,
        _SINCE_2022,
        "民政部等《关于进一步做好最低生活保障等社会救助兜底工作的通知》(2022) 四：审核确认权限下放乡镇的，20个工作日",
        "办理总时限（审核确认权下放乡镇）",
    ),
    _p(
        "workflow.total_days_extended",
        45,
        WORKING_DAYS,
        _SINCE_2021,
        "最低生活保障审核确认办法 第22条；2022 通知：有异议、人户分离、异地申请或情况复杂的，可延长至45个工作日",
        "办理总时限（延长）",
    ),
    _p(
        "workflow.rigid_expenditure.total_days",
        30,
        WORKING_DAYS,
        _SINCE_2025,
        "刚性支出困难家庭认定办法 第8条：30个工作日内作出认定",
        "办理总时限（刚性支出）",
    ),
    _p(
        "workflow.temporary_expenditure.total_days",
        15,
        WORKING_DAYS,
        _SINCE_2021,
        "[A] 北京 京民社救发〔2020〕86号：支出型临时救助15个工作日（低保、特困、低收入家庭7个工作日）",
        "办理总时限（支出型临时救助）",
    ),
    _p(
        "workflow.temporary_emergency.total_days",
        5,
        WORKING_DAYS,
        _SINCE_2021,
        "[A] 北京 京民社救发〔2020〕86号：急难型临时救助5个工作日内作出决定",
        "办理总时限（急难型临时救助）",
    ),
    _p(
        "workflow.emergency_paperwork_days",
        5,
        WORKING_DAYS,
        _SINCE_2021,
        "[A] 民发〔2018〕23号：先行救助后补齐审核审批手续；期限按地方规定，默认5个工作日",
        "先行救助后补办手续",
    ),
    _p(
        "workflow.confirmation_delegated",
        0,
        FLAG,
        _SINCE_2021,
        "最低生活保障审核确认办法 第2条；社会救助法 第44条：经省级决定可将审核确认权下放乡镇（1=下放）",
        "审核确认权下放乡镇",
    ),
    _p(
        "workflow.review_months_stable",
        12,
        MONTHS,
        _SINCE_2021,
        "最低生活保障审核确认办法 第31条：收入来源稳定的家庭每年复核一次",
        "定期复核周期（稳定）",
    ),
    _p(
        "workflow.review_months_unstable",
        6,
        MONTHS,
        _SINCE_2021,
        "最低生活保障审核确认办法 第31条：收入不稳定或有劳动能力成员的家庭每半年复核一次",
        "定期复核周期（不稳定）",
    ),
    _p(
        "workflow.tekun.review_months_stable",
        12,
        MONTHS,
        _SINCE_2021,
        "特困人员认定办法：特困人员每年复核",
        "定期复核周期（特困）",
    ),
    _p(
        "workflow.tekun.review_months_unstable",
        12,
        MONTHS,
        _SINCE_2021,
        "特困人员认定办法：特困人员每年复核",
        "定期复核周期（特困）",
    ),
    _p(
        "workflow.rigid_expenditure.review_months_stable",
        12,
        MONTHS,
        _SINCE_2025,
        "刚性支出困难家庭认定办法 第9条：认定有效期不超过12个月",
        "认定有效期（刚性支出）",
    ),
    _p(
        "workflow.rigid_expenditure.review_months_unstable",
        12,
        MONTHS,
        _SINCE_2025,
        "刚性支出困难家庭认定办法 第9条：认定有效期不超过12个月",
        "认定有效期（刚性支出）",
    ),
    _p(
        "workflow.death_review_months",
        3,
        MONTHS,
        _SINCE_2022,
        "2022 通知：家庭成员死亡的，3个月内完成复核和待遇调整",
        "成员死亡复核",
    ),
    _p(
        "workflow.review_lead_days",
        30,
        CALENDAR_DAYS,
        _SINCE_2021,
        "[A] 平台约定：复核到期前30天生成复核任务",
        "复核任务提前生成",
    ),
    _p(
        "workflow.due_soon_days",
        3,
        WORKING_DAYS,
        _SINCE_2021,
        "平台约定：3个工作日内到期的事项在列表和首页提示",
        "临期提示",
    ),
    _p(
        "workflow.spot_check_percent",
        0,
        PERCENT,
        _SINCE_2021,
        "最低生活保障审核确认办法（2021）第20条：县级只对单独登记备案或被投诉举报的个案入户核查，不再按比例抽查（2012年规定的30%已废止，domain-rules §2.5）",
        "县级抽查比例",
    ),
    _p(
        "workflow.tekun.spot_check_percent",
        30,
        PERCENT,
        _SINCE_2021,
        "特困人员认定办法 第14条：县级民政部门全面审核乡镇上报材料，随机抽查核实，抽查比例不低于30%（domain-rules §3.6）",
        "县级抽查比例（特困）",
    ),
    _p(
        "workflow.stop_notice_days",
        7,
        CALENDAR_DAYS,
        _SINCE_2021,
        "特困人员认定办法 第24–27条：终止救助供养前在村（社区）公示7天，次月起停止（domain-rules §3.8；按自然日计 [A]）",
        "终止供养公示期",
    ),
    _p(
        "workflow.lead_contact_days",
        5,
        WORKING_DAYS,
        _SINCE_2021,
        "[A] 平台约定：协理员5个工作日内联系线索家庭（社会救助法 第39条 主动发现）",
        "线索联系",
    ),
)

BY_KEY: dict[str, list[Parameter]] = {}
for _param in PARAMETERS:
    BY_KEY.setdefault(_param.key, []).append(_param)
for _values in BY_KEY.values():
    _values.sort(key=lambda p: p.effective_from)


def national(key: str, day: dt.date) -> Parameter | None:
    """The national default in force on ``day`` (None before the first value or for no key)."""
    found = None
    for param in BY_KEY.get(key, ()):
        if param.effective_from <= day:
            found = param
    return found


def unit_of(key: str) -> str:
    values = BY_KEY.get(key)
    if values:
        return values[0].unit
    general = general_key(key)
    return BY_KEY[general][0].unit if general in BY_KEY else WORKING_DAYS


def general_key(key: str) -> str:
    """``workflow.tekun.county_review_days`` → ``workflow.county_review_days``."""
    parts = key.split(".")
    return f"{parts[0]}.{parts[-1]}" if len(parts) == 3 else key


def as_standard(param: Parameter) -> StandardValue:
    return StandardValue(param.key, param.value, "", param.effective_from, param.reference)
