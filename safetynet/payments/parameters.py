"""Dated parameters of payments: funding shares, fine multiples, offset limits.

Same pattern as ``safetynet/applications/parameters.py``: each key has one or more dated national
values with their reference; a region overrides any key in the regional standards table (same
key, read through ``eligibility.selectors.standards_in_force``, the nearest region wins). "[A]"
marks a value not verified in a source text: it is a parameter so that a region can set the
right one.

Keys
- ``payments.funding.<program>.central|provincial|county`` — share of the expenditure each
  level of government carries (the three add up to 1).
- ``payments.fine.multiple_min|multiple_max`` — the allowed fine for fraud as a multiple of the
  amount obtained, by the date of the conduct (domain-rules §2.10, §11.11).
- ``payments.offset.max_share`` — the largest share of a household's payment in one payroll
  that an offset against a recovery may take (never below zero).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from safetynet.applications.parameters import Parameter
from safetynet.eligibility.selectors import StandardValue, standards_in_force

SHARE = "share"
MULTIPLE = "multiple"

_SINCE_2014 = dt.date(2014, 5, 1)  # 社会救助暂行办法 in force
_SINCE_2021 = dt.date(2021, 7, 1)
LAW_2026 = dt.date(2026, 7, 1)  # 社会救助法 in force (domain-rules §11.11)

LEVELS = ("central", "provincial", "county")
FUNDED_PROGRAMS = ("dibao", "tekun")


def _p(key: str, value: int | str, unit: str, since: dt.date, reference: str, label: str) -> Parameter:
    return Parameter(key, Decimal(str(value)), unit, since, reference, label)


_FUNDING_REF = (
    "[A] 困难群众救助补助资金管理办法：中央按因素法补助，省、市、县按本地规定分担；"
    "全国无统一比例，此为占位默认值，须由省级按本地文件设置"
)

PARAMETERS: tuple[Parameter, ...] = (
    *(
        _p(f"payments.funding.{program}.{level}", value, SHARE, _SINCE_2021, _FUNDING_REF, label)
        for program in FUNDED_PROGRAMS
        for level, value, label in (
            ("central", "0.60", "中央资金分担比例"),
            ("provincial", "0.25", "省级资金分担比例"),
            ("county", "0.15", "县级资金分担比例"),
        )
    ),
    _p(
        "payments.fine.multiple_min",
        1,
        MULTIPLE,
        _SINCE_2014,
        "社会救助暂行办法 第68条：骗取社会救助的，处非法获取的救助款额或者物资价值1倍以上3倍以下的罚款",
        "骗取救助罚款最低倍数",
    ),
    _p(
        "payments.fine.multiple_max",
        3,
        MULTIPLE,
        _SINCE_2014,
        "社会救助暂行办法 第68条：1倍以上3倍以下",
        "骗取救助罚款最高倍数",
    ),
    _p(
        "payments.fine.multiple_min",
        0,
        MULTIPLE,
        LAW_2026,
        "[A] 社会救助法 第73条只规定上限（2倍以下）；平台要求倍数大于0",
        "骗取救助罚款最低倍数",
    ),
    _p(
        "payments.fine.multiple_max",
        2,
        MULTIPLE,
        LAW_2026,
        "社会救助法 第73条：责令退回，并处骗取金额2倍以下罚款",
        "骗取救助罚款最高倍数",
    ),
    _p(
        "payments.penalty.hearing_request_days",
        5,
        "calendar_days",
        _SINCE_2021,
        "行政处罚法 第64条（一）：当事人要求听证的，应当在行政机关告知后五日内提出",
        "申请听证期限",
    ),
    _p(
        "payments.offset.max_share",
        "0.50",
        SHARE,
        _SINCE_2021,
        "[A] 平台约定：从后续发放中抵扣追缴款，每月不超过当月应发金额的50%，保障基本生活",
        "追缴抵扣每月最高比例",
    ),
)

BY_KEY: dict[str, list[Parameter]] = {}
for _param in PARAMETERS:
    BY_KEY.setdefault(_param.key, []).append(_param)
for _values in BY_KEY.values():
    _values.sort(key=lambda p: p.effective_from)


def national(key: str, day: dt.date) -> Parameter | None:
    """The national default in force on ``day``."""
    found = None
    for param in BY_KEY.get(key, ()):
        if param.effective_from <= day:
            found = param
    return found


@dataclass(frozen=True)
class Value:
    key: str
    value: Decimal
    reference: str
    region_code: str  # '' for the national default
    effective_from: dt.date | None


def values_in_force(*, region_code: str, day: dt.date, keys: list[str]) -> dict[str, Value]:
    """Each key's value on ``day`` for ``region_code``: a region's own value (nearest level)
    beats the national default. A key with neither is an error naming it."""
    defaults: dict[str, StandardValue] = {}
    for key in keys:
        param = national(key, day)
        if param is not None:
            defaults[key] = StandardValue(key, param.value, "", param.effective_from, param.reference)
    found = standards_in_force(
        region_code=region_code, month=day, urban_rural="", keys=keys, defaults=defaults
    )
    return {
        k: Value(k, Decimal(str(v.value)), v.reference, v.region_code, v.effective_from)
        for k, v in found.items()
    }


def funding_shares(*, program: str, region_code: str, month: dt.date) -> dict[str, Value]:
    """Central / provincial / county shares of ``program`` in force for the region and month.
    Programs without a funding parameter are carried by the county alone."""
    if program not in FUNDED_PROGRAMS:
        return {
            "central": Value("central", Decimal(0), "", "", None),
            "provincial": Value("provincial", Decimal(0), "", "", None),
            "county": Value("county", Decimal(1), _("[A] 无分担参数的项目由县级承担"), "", None),
        }
    keys = [f"payments.funding.{program}.{level}" for level in LEVELS]
    found = values_in_force(region_code=region_code, day=month, keys=keys)
    shares = {level: found[key] for level, key in zip(LEVELS, keys, strict=True)}
    total = sum((v.value for v in shares.values()), Decimal(0))
    if total != Decimal(1):
        raise ValidationError(
            {
                "funding": [
                    _(
                        "%(p)s 在 %(m)s 的资金分担比例合计为 %(t)s，应为 1（请检查地方标准 payments.funding.*）"
                    )
                    % {"p": program, "m": month.strftime("%Y-%m"), "t": total}
                ]
            }
        )
    return shares


def funding_json(*, program: str, region_code: str, month: dt.date) -> dict[str, str]:
    """The shares as stored on an entitlement (``{"central": "0.60", …}``)."""
    return {
        level: str(v.value)
        for level, v in funding_shares(program=program, region_code=region_code, month=month).items()
    }


def fine_range(*, conduct_on: dt.date, region_code: str) -> tuple[Value, Value]:
    """(minimum, maximum) multiple for fraud committed on ``conduct_on`` (by the date of the conduct)."""
    keys = ["payments.fine.multiple_min", "payments.fine.multiple_max"]
    found = values_in_force(region_code=region_code, day=conduct_on, keys=keys)
    return found[keys[0]], found[keys[1]]


def hearing_request_days(*, region_code: str, day: dt.date) -> int:
    key = "payments.penalty.hearing_request_days"
    return int(values_in_force(region_code=region_code, day=day, keys=[key])[key].value)


def offset_max_share(*, region_code: str, month: dt.date) -> Value:
    key = "payments.offset.max_share"
    return values_in_force(region_code=region_code, day=month, keys=[key])[key]
