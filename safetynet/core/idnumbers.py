"""Identity numbers: GB 11643 resident identity numbers and the other documents the platform
accepts (domain-rules §11.15).

``parse_identity(kind, value)`` returns the normalised number with the birth date and sex it
encodes, or raises ``IdentityError`` with a code and a message that says exactly what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# Province-level codes of GB/T 2260, plus 71 (Taiwan), 81 (Hong Kong), 82 (Macao).
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)
PERMIT_PREFIXES = {"810000": "HK", "820000": "MO", "830000": "TW"}


class IdKind:
    RESIDENT = "resident"  # 居民身份证
    HKMOTW_PERMIT = "hkmotw_permit"  # 港澳台居民居住证
    FOREIGN_PR = "foreign_pr"  # 外国人永久居留身份证
    PLATFORM = "platform"  # 平台临时标识（待补录）

    CHOICES = [
        (RESIDENT, _("居民身份证")),
        (HKMOTW_PERMIT, _("港澳台居民居住证")),
        (FOREIGN_PR, _("外国人永久居留身份证")),
        (PLATFORM, _("平台临时标识（待补录证件号）")),
    ]


class IdentityError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Identity:
    kind: str
    number: str
    birth_date: dt.date | None
    sex: str | None  # "M" or "F"
    converted_from: str | None = None


def check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def _date(text: str, value: str) -> dt.date:
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise IdentityError(
            "date_invalid", str(_("证件号码中的出生日期 %(d)s 不是有效日期：%(v)s") % {"d": text, "v": value})
        ) from None


def _check_date(birth: dt.date, value: str, today: dt.date) -> None:
    if birth > today:
        raise IdentityError(
            "date_future",
            str(_("证件号码中的出生日期 %(d)s 晚于今天：%(v)s") % {"d": birth.isoformat(), "v": value}),
        )
    if birth.year < 1880:
        raise IdentityError(
            "date_invalid", str(_("证件号码中的出生年份 %(y)s 不可能：%(v)s") % {"y": birth.year, "v": value})
        )


def _eighteen(value: str, today: dt.date, *, kind: str) -> Identity:
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise IdentityError("chars", str(_("证件号码只能是17位数字加1位数字或X：%(v)s") % {"v": value}))
    if value[:2] not in PROVINCE_CODES:
        raise IdentityError(
            "region",
            str(_("证件号码前两位 %(p)s 不是有效的省级行政区划代码：%(v)s") % {"p": value[:2], "v": value}),
        )
    birth = _date(value[6:14], value)
    _check_date(birth, value, today)
    expected = check_digit(value[:17])
    if value[17] != expected:
        raise IdentityError(
            "checksum", str(_("证件号码校验位错误（应为 %(e)s）：%(v)s") % {"e": expected, "v": value})
        )
    sex = "M" if int(value[16]) % 2 else "F"
    return Identity(kind=kind, number=value, birth_date=birth, sex=sex)


def parse_identity(kind: str, value: str, *, today: dt.date | None = None) -> Identity:
    today = today or dt.date.today()
    value = (value or "").strip().upper().replace(" ", "")
    if kind == IdKind.PLATFORM:
        return Identity(kind=kind, number=value or platform_identifier(), birth_date=None, sex=None)
    if not value:
        raise IdentityError("empty", str(_("证件号码不能为空")))
    if kind == IdKind.RESIDENT:
        if len(value) == 15:
            if not value.isdigit():
                raise IdentityError("chars", str(_("15位身份证号码只能是数字：%(v)s") % {"v": value}))
            first17 = value[:6] + "19" + value[6:]
            converted = first17 + check_digit(first17)
            identity = _eighteen(converted, today, kind=kind)
            return Identity(kind, identity.number, identity.birth_date, identity.sex, converted_from=value)
        if len(value) != 18:
            raise IdentityError(
                "length",
                str(
                    _("身份证号码应为18位（或旧版15位），实际 %(n)s 位：%(v)s")
                    % {"n": len(value), "v": value}
                ),
            )
        if value[:6] in PERMIT_PREFIXES:
            raise IdentityError(
                "kind",
                str(_("这是港澳台居民居住证号码，请选择证件类型“港澳台居民居住证”：%(v)s") % {"v": value}),
            )
        return _eighteen(value, today, kind=kind)
    if kind == IdKind.HKMOTW_PERMIT:
        if len(value) != 18:
            raise IdentityError(
                "length",
                str(_("港澳台居民居住证号码应为18位，实际 %(n)s 位：%(v)s") % {"n": len(value), "v": value}),
            )
        if value[:6] not in PERMIT_PREFIXES:
            raise IdentityError(
                "region", str(_("港澳台居民居住证号码应以810000、820000或830000开头：%(v)s") % {"v": value})
            )
        return _eighteen(value, today, kind=kind)
    if kind == IdKind.FOREIGN_PR:
        # 2017 card: 3 letters (nationality) + 12 digits; 2023 card: 18 characters starting with 9,
        # GB 11643 check digit, birth date in characters 7-14. Layout details are [A] (unverified).
        if re.fullmatch(r"[A-Z]{3}\d{12}", value):
            return Identity(kind=kind, number=value, birth_date=None, sex=None)
        if len(value) == 18 and value[0] == "9":
            if not re.fullmatch(r"9\d{16}[\dX]", value):
                raise IdentityError("chars", str(_("外国人永久居留身份证号码格式错误：%(v)s") % {"v": value}))
            birth = _date(value[6:14], value)
            _check_date(birth, value, today)
            expected = check_digit(value[:17])
            if value[17] != expected:
                raise IdentityError(
                    "checksum",
                    str(_("证件号码校验位错误（应为 %(e)s）：%(v)s") % {"e": expected, "v": value}),
                )
            return Identity(kind=kind, number=value, birth_date=birth, sex="M" if int(value[16]) % 2 else "F")
        raise IdentityError(
            "length",
            str(
                _("外国人永久居留身份证号码应为15位（3位字母加12位数字）或以9开头的18位：%(v)s")
                % {"v": value}
            ),
        )
    raise IdentityError("kind", str(_("未知的证件类型：%(k)s") % {"k": kind}))


def cross_check(identity: Identity, *, birth_date: dt.date | None, sex: str | None) -> list[tuple[str, str]]:
    """Compare a stated birth date and sex with what the number encodes; returns (field, message)."""
    problems: list[tuple[str, str]] = []
    if identity.birth_date and birth_date and identity.birth_date != birth_date:
        problems.append(
            (
                "birth_date",
                str(
                    _("出生日期 %(s)s 与证件号码中的 %(n)s 不一致")
                    % {"s": birth_date.isoformat(), "n": identity.birth_date.isoformat()}
                ),
            )
        )
    if identity.sex and sex and identity.sex != sex:
        problems.append(
            (
                "sex",
                str(
                    _("性别与证件号码第17位不一致（号码表示%(n)s）")
                    % {"n": _("男") if identity.sex == "M" else _("女")}
                ),
            )
        )
    return problems


def platform_identifier() -> str:
    """A platform identifier for a person without a number yet; flagged for follow-up."""
    return "SN" + uuid.uuid4().hex[:16].upper()
