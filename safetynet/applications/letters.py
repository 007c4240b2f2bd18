"""Printed documents of the review procedure (审核确认): the public notice (公示), the decision
letter (决定书) and the whole case file (一户一档).

Pure functions: each renderer takes a plain dataclass and returns the PDF as ``bytes``; nothing
here reads the database. The services of this app build the dataclasses from a case and store
the bytes (with their SHA-256) on the case. The same data always gives the same bytes.

The documents are issued in Chinese whatever the reader's interface language, so their wording is
not marked for translation; the error messages are (staff read them). Bad input raises
``ValidationError`` with every problem listed, keyed by the field path (``lines[2].village``).
Fonts, tables and page furniture come from ``safetynet.core.pdf``; see docs/pdf.md.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from reportlab.platypus import Image, KeepTogether, PageBreak, Spacer

from safetynet.core import pdf
from safetynet.core.masking import mask_id_number, mask_phone
from safetynet.core.pdf import date_zh, month_zh, ordinal_zh, para, yuan

# ---------------------------------------------------------------------------------------------
# Validation


class _Problems:
    """Collects every problem before raising, so the caller sees all of them at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    def text(self, key: str, value: object, label: str) -> None:
        if not isinstance(value, str) or not value.strip():
            self.add(key, _("%(f)s不能为空") % {"f": label})

    def money(self, key: str, value: object, label: str) -> None:
        try:
            ok = Decimal(value) >= 0 and Decimal(value).is_finite()  # type: ignore[arg-type]
        except (InvalidOperation, TypeError, ValueError):
            ok = False
        if not ok:
            self.add(key, _("%(f)s必须是不小于 0 的金额（元），收到：%(v)r") % {"f": label, "v": value})

    def date(self, key: str, value: object, label: str) -> None:
        if not isinstance(value, dt.date):
            self.add(key, _("%(f)s必须是日期，收到：%(v)r") % {"f": label, "v": value})

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _cents(amount: Any) -> Decimal:
    return Decimal(str(amount)).quantize(Decimal("0.01"))


# A run of six or more digits in a notice line is an identity number, phone or address being
# smuggled into a field that must not carry one.
_DIGIT_RUN = re.compile(r"\d{6,}")

# ---------------------------------------------------------------------------------------------
# 1. Public notice (公示)


@dataclass(frozen=True)
class NoticeLine:
    """One proposed household on a 公示: only what the law allows to publish — applicant's
    name, household size, proposed monthly amount and village (审核确认办法 第19、24条;
    domain-rules §6.4, §11.9). There is deliberately no field for an identity number, phone,
    address, health or disability; ``from_mapping`` drops anything else a caller hands over."""

    applicant_name: str
    household_size: int
    monthly_amount: Decimal  # proposed, yuan per month
    village: str

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> NoticeLine:
        """Build a line from a wider record (a case row, an API payload), keeping only the four
        publishable fields."""
        kept: dict[str, Any] = {f.name: data.get(f.name) for f in fields(cls)}
        return cls(**kept)


@dataclass(frozen=True)
class NoticeData:
    """A 公示 posted in one village or community for the notice period (7 calendar days by
    default, a regional parameter: the caller computes ``end``)."""

    program: str  # 最低生活保障
    township: str  # the issuing township or street office: 城关镇人民政府
    village: str  # where the notice is posted: 东风村
    start: dt.date
    end: dt.date  # last day of the notice period, inclusive
    lines: tuple[NoticeLine, ...]
    objection_phone: str  # the township office's phone for objections
    objection_address: str  # ... and its address
    issued_on: dt.date
    issuer: str = ""  # defaults to the township
    title: str = ""  # defaults to "{village}{program}审核确认公示"
    legal_basis: str = ""  # e.g. 《最低生活保障审核确认办法》第十九条


def _check_notice(data: NoticeData) -> None:
    p = _Problems()
    p.text("program", data.program, _("救助项目"))
    p.text("township", data.township, _("公示单位（乡镇/街道）"))
    p.text("village", data.village, _("公示村（社区）"))
    p.text("objection_phone", data.objection_phone, _("异议受理电话"))
    p.text("objection_address", data.objection_address, _("异议受理地址"))
    for key in ("start", "end", "issued_on"):
        p.date(key, getattr(data, key), _("日期"))
    if isinstance(data.start, dt.date) and isinstance(data.end, dt.date) and data.end < data.start:
        p.add("end", _("公示结束日 %(e)s 早于开始日 %(s)s") % {"e": data.end, "s": data.start})
    if not data.lines:
        p.add("lines", _("公示名单不能为空：至少要有一户"))
    for i, line in enumerate(data.lines, start=1):
        key = f"lines[{i}]"
        if not isinstance(line, NoticeLine):
            p.add(
                key, _("第 %(n)d 行不是公示行（NoticeLine），收到 %(t)s") % {"n": i, "t": type(line).__name__}
            )
            continue
        p.text(f"{key}.applicant_name", line.applicant_name, _("第 %(n)d 行申请人姓名") % {"n": i})
        p.text(f"{key}.village", line.village, _("第 %(n)d 行所在村（社区）") % {"n": i})
        for name in ("applicant_name", "village"):
            if isinstance(getattr(line, name), str) and _DIGIT_RUN.search(getattr(line, name)):
                p.add(
                    f"{key}.{name}",
                    _("第 %(n)d 行含有一串数字；公示不得包含证件号码、电话或详细地址") % {"n": i},
                )
        if (
            not isinstance(line.household_size, int)
            or isinstance(line.household_size, bool)
            or line.household_size < 1
        ):
            p.add(f"{key}.household_size", _("第 %(n)d 行家庭人数必须是正整数") % {"n": i})
        p.money(f"{key}.monthly_amount", line.monthly_amount, _("第 %(n)d 行拟保障金额") % {"n": i})
    p.raise_if_any()


def render_public_notice(data: NoticeData) -> bytes:
    """公示: title, issuing township, notice period, the table of proposed households (name,
    household size, proposed monthly amount, village — nothing else), how to object, date and
    issuer."""
    _check_notice(data)
    st = pdf.styles()
    issuer = data.issuer or data.township
    title = data.title or f"{data.village}{data.program}审核确认公示"
    households = len(data.lines)
    persons = sum(line.household_size for line in data.lines)
    total = sum((Decimal(line.monthly_amount) for line in data.lines), Decimal(0))
    days = (data.end - data.start).days + 1
    basis = f"根据{data.legal_basis}规定，" if data.legal_basis else ""
    story = [
        para(title, st.title),
        para(data.township, st.subtitle),
        para(
            f"{basis}经本人申请、入户调查和家庭经济状况核对，{data.township}对下列 {households} 户"
            f"（共 {persons} 人）家庭提出了拟纳入{data.program}的初审意见，现予公示。",
            st.body_indent,
        ),
        para(f"公示期：{date_zh(data.start)}至{date_zh(data.end)}（共 {days} 天）。", st.body_indent),
        Spacer(0, 4),
        pdf.grid_table(
            ["序号", "申请人", "家庭人数", "拟保障金额（元/月）", "所在村（社区）"],
            [
                [
                    str(i),
                    line.applicant_name,
                    str(line.household_size),
                    yuan(line.monthly_amount),
                    line.village,
                ]
                for i, line in enumerate(data.lines, start=1)
            ],
            [0.09, 0.22, 0.14, 0.25, 0.30],
            right=(3,),
            center=(0, 2),
            footer=["合计", f"{households} 户", f"{persons} 人", yuan(total), ""],
        ),
        Spacer(0, 8),
        para(
            f"公示期间，任何单位和个人对公示对象有异议的，可以向{data.township}实名反映。"
            f"联系电话：{data.objection_phone}；地址：{data.objection_address}。"
            "对反映的情况，我们将调查核实，并为反映人保密。",
            st.body_indent,
        ),
        para("本公示仅公开申请人姓名、家庭人数、拟保障金额和所在村（社区），请勿转载、传播。", st.small),
        Spacer(0, 18),
        para(issuer, st.right),
        para(date_zh(data.issued_on), st.right),
    ]
    info = pdf.DocumentInfo(
        title=title, date=data.issued_on, author=issuer, subject=data.program, footer=title
    )
    return pdf.build(story, info)


# ---------------------------------------------------------------------------------------------
# 2. Decision letter (决定书)


@dataclass(frozen=True)
class MemberPart:
    """A covered person's own part of the monthly amount; classified top-ups (分类施保) belong to
    the member (domain-rules §11.1)."""

    name: str
    amount: Decimal
    note: str = ""  # e.g. 含重度残疾人分类施保 100.00 元


@dataclass(frozen=True)
class Approval:
    """批准: what the household gets and what it must do."""

    program: str
    covered_persons: tuple[str, ...]  # names of the persons covered
    monthly_amount: Decimal  # yuan per month, the household's total
    first_payment_month: dt.date  # the month after the decision (审核确认办法 第21条); any day of it
    next_review_date: dt.date
    member_parts: tuple[MemberPart, ...] = ()  # where there are top-ups; must add up to the total
    payee: str = ""  # 收款人 when not the household's own account (a guardian, a care institution)
    report_to: str = ""  # where changes are reported; defaults to the letter's township
    report_reference: str = ""  # e.g. 《最低生活保障审核确认办法》第三十条


@dataclass(frozen=True)
class FailedRule:
    """A test the household did not pass, with its legal reference."""

    label: str  # 月人均收入低于当地最低生活保障标准
    reference: str  # 审核确认办法 第13条
    detail: str = ""  # 月人均收入高于标准 120 元

    @classmethod
    def from_test(cls, test: Mapping[str, Any], detail: str = "") -> FailedRule:
        """From one test of the rules package's explanation (``{label_zh, reference, value,
        operator, threshold, passed}``)."""
        if not detail and test.get("value") is not None and test.get("threshold") not in (None, True):
            operator = str(test.get("operator") or "==")
            detail = (
                f"核定值 {_plain(test['value'])}，"
                f"要求 {_OPERATORS.get(operator, operator)} {_plain(test['threshold'])}"
            )
        return cls(
            label=str(test.get("label_zh", "")), reference=str(test.get("reference", "")), detail=detail
        )


def failed_rules_from_explanation(entry: Mapping[str, Any]) -> tuple[FailedRule, ...]:
    """The failed tests of one program's explanation, the distance line on the first of them."""
    failed = [t for t in entry.get("tests", ()) if not t.get("passed")]
    distance = (entry.get("distance") or {}).get("zh", "")
    return tuple(FailedRule.from_test(t, distance if i == 0 else "") for i, t in enumerate(failed))


@dataclass(frozen=True)
class AppealRights:
    """复议、诉讼权利告知. The periods are national law, kept as fields so a change in the law
    is a change of data: 60 days for administrative reconsideration (《中华人民共和国行政复议法》,
    2023 revision, 第二十条) and 6 months for administrative litigation (《中华人民共和国行政诉讼法》
    第四十六条). [S-2]: read in several unrelated public sources quoting the articles, not in the
    official text itself; verify before relying on the article numbers."""

    reconsideration_days: int = 60
    litigation_months: int = 6
    reconsideration_body: str = ""  # 复议机关, e.g. 某某县人民政府; empty: "有管辖权的行政复议机关"
    court: str = ""  # e.g. 某某县人民法院; empty: "有管辖权的人民法院"
    reconsideration_reference: str = "《中华人民共和国行政复议法》第二十条"
    litigation_reference: str = "《中华人民共和国行政诉讼法》第四十六条"


@dataclass(frozen=True)
class Refusal:
    """不予批准: the reasons (written reasons are required, 审核确认办法 第21条), the tests that
    failed, and the household's right to challenge the decision."""

    program: str
    reasons: tuple[str, ...]
    failed_rules: tuple[FailedRule, ...] = ()
    appeal: AppealRights = field(default_factory=AppealRights)


@dataclass(frozen=True)
class Stage:
    """One payment of a one-off approval paid in stages (一次审批、分阶段救助)."""

    month: dt.date  # the month it is paid in (any day of it)
    amount: Decimal
    date: dt.date | None = None  # the payment date, where fixed


@dataclass(frozen=True)
class StandbyCash:
    """Cash already paid from the township's standby fund before the approval (先行救助)."""

    township: str
    amount: Decimal
    paid_on: dt.date
    receipt_no: str = ""


@dataclass(frozen=True)
class OneOffApproval:
    """批准 of one-off temporary assistance: the amount once, or staged amounts with their months
    or dates under one approval. Nothing monthly: no "from month X", no duty to report changes
    of a monthly recipient, no review date."""

    program: str
    covered_persons: tuple[str, ...]
    amount: Decimal  # the whole assistance approved, including cash already paid first
    stages: tuple[Stage, ...] = ()  # what is still paid, adding up to amount − cash paid first
    standby: tuple[StandbyCash, ...] = ()
    payee: str = ""
    reason: str = ""  # the emergency or the expenditure, in a few words


@dataclass(frozen=True)
class ReductionNotice:
    """减发/停发告知书 (社会救助法 第48条): after hearing the household, the written notice of a
    decrease or a stop — the hearing date, the reasons, the rule, the new amount and the month it
    applies from (or the month assistance stops), and the right to challenge it."""

    program: str
    stop: bool  # True: 停发 (stop); False: 减发 (decrease)
    hearing_date: dt.date
    reasons: tuple[str, ...]
    rules: tuple[str, ...]  # the rules the decision rests on, e.g. 《最低生活保障审核确认办法》第三十二条
    effective_month: dt.date  # the new amount applies, or payment stops, from this month
    previous_amount: Decimal | None = None
    new_amount: Decimal | None = None  # a decrease: the new monthly amount
    failed_rules: tuple[FailedRule, ...] = ()
    notice_period: tuple[dt.date, dt.date] | None = None  # tekun: the termination notice (公示) ran
    appeal: AppealRights = field(default_factory=AppealRights)


@dataclass(frozen=True)
class LetterData:
    """决定书 addressed to the applicant's household."""

    document_number: str  # 文号 from the county's numbering: 示民救〔2026〕123号
    authority: str  # the deciding authority: 示范县民政局
    township: str  # the township that accepted the application and delivers the letter
    addressee_name: str  # the applicant
    household_number: str
    village: str
    decision: Approval | OneOffApproval | Refusal | ReductionNotice
    decided_on: dt.date
    application_date: dt.date | None = None
    title: str = ""  # defaults to "{program}审核确认决定书"
    seal_text: str = "（印章）"
    copy_to: tuple[str, ...] = ()  # 抄送


def _check_letter(data: LetterData) -> None:
    p = _Problems()
    p.text("document_number", data.document_number, _("文号"))
    p.text("authority", data.authority, _("决定机关"))
    p.text("township", data.township, _("受理乡镇（街道）"))
    p.text("addressee_name", data.addressee_name, _("申请人姓名"))
    p.text("household_number", data.household_number, _("家庭编号"))
    p.text("village", data.village, _("所在村（社区）"))
    p.date("decided_on", data.decided_on, _("决定日期"))
    if data.application_date is not None:
        p.date("application_date", data.application_date, _("申请日期"))
    d = data.decision
    if isinstance(d, Approval):
        p.text("decision.program", d.program, _("救助项目"))
        if not d.covered_persons or not all(isinstance(n, str) and n.strip() for n in d.covered_persons):
            p.add("decision.covered_persons", _("保障对象不能为空，每人须填写姓名"))
        p.money("decision.monthly_amount", d.monthly_amount, _("月保障金额"))
        p.date("decision.first_payment_month", d.first_payment_month, _("起始发放月份"))
        p.date("decision.next_review_date", d.next_review_date, _("下次复核日期"))
        for i, part in enumerate(d.member_parts, start=1):
            p.text(f"decision.member_parts[{i}].name", part.name, _("第 %(n)d 位成员姓名") % {"n": i})
            p.money(f"decision.member_parts[{i}].amount", part.amount, _("第 %(n)d 位成员金额") % {"n": i})
        if d.member_parts and "decision.monthly_amount" not in p.errors:
            try:
                parts = sum((Decimal(m.amount) for m in d.member_parts), Decimal(0))
            except (InvalidOperation, TypeError, ValueError):
                parts = None
            if parts is not None and _cents(parts) != _cents(d.monthly_amount):
                p.add(
                    "decision.member_parts",
                    _("各成员金额合计 %(p)s 元，与月保障金额 %(t)s 元不一致")
                    % {"p": yuan(parts), "t": yuan(d.monthly_amount)},
                )
        if (
            isinstance(data.decided_on, dt.date)
            and isinstance(d.first_payment_month, dt.date)
            and (d.first_payment_month.year, d.first_payment_month.month)
            <= (data.decided_on.year, data.decided_on.month)
        ):
            p.add(
                "decision.first_payment_month",
                _("起始发放月份应在决定作出的次月或以后（审核确认办法 第21条）"),
            )
    elif isinstance(d, Refusal):
        p.text("decision.program", d.program, _("救助项目"))
        if not d.reasons or not all(isinstance(r, str) and r.strip() for r in d.reasons):
            p.add("decision.reasons", _("不予批准必须写明理由"))
        for i, rule in enumerate(d.failed_rules, start=1):
            p.text(f"decision.failed_rules[{i}].label", rule.label, _("第 %(n)d 项未通过条件") % {"n": i})
            p.text(
                f"decision.failed_rules[{i}].reference", rule.reference, _("第 %(n)d 项条件的依据") % {"n": i}
            )
        a = d.appeal
        if not (isinstance(a.reconsideration_days, int) and a.reconsideration_days > 0):
            p.add("decision.appeal.reconsideration_days", _("行政复议申请期限必须是正整数（天）"))
        if not (isinstance(a.litigation_months, int) and a.litigation_months > 0):
            p.add("decision.appeal.litigation_months", _("行政诉讼起诉期限必须是正整数（月）"))
    elif isinstance(d, OneOffApproval):
        p.text("decision.program", d.program, _("救助项目"))
        if not d.covered_persons or not all(isinstance(n, str) and n.strip() for n in d.covered_persons):
            p.add("decision.covered_persons", _("救助对象不能为空，每人须填写姓名"))
        p.money("decision.amount", d.amount, _("救助金额"))
        for i, stage in enumerate(d.stages, start=1):
            p.date(f"decision.stages[{i}].month", stage.month, _("第 %(n)d 期发放月份") % {"n": i})
            p.money(f"decision.stages[{i}].amount", stage.amount, _("第 %(n)d 期金额") % {"n": i})
        for i, cash in enumerate(d.standby, start=1):
            p.text(f"decision.standby[{i}].township", cash.township, _("备用金所属乡镇"))
            p.money(f"decision.standby[{i}].amount", cash.amount, _("先行救助金额"))
            p.date(f"decision.standby[{i}].paid_on", cash.paid_on, _("先行救助日期"))
        if "decision.amount" not in p.errors and not any(k.startswith("decision.st") for k in p.errors):
            paid = sum((Decimal(x.amount) for x in d.stages), Decimal(0)) + sum(
                (Decimal(x.amount) for x in d.standby), Decimal(0)
            )
            if (d.stages or d.standby) and _cents(paid) != _cents(d.amount):
                p.add(
                    "decision.stages",
                    _("分阶段金额与先行救助合计 %(p)s 元，与救助金额 %(t)s 元不一致")
                    % {"p": yuan(paid), "t": yuan(d.amount)},
                )
    elif isinstance(d, ReductionNotice):
        p.text("decision.program", d.program, _("救助项目"))
        p.date("decision.hearing_date", d.hearing_date, _("听取陈述申辩日期"))
        p.date("decision.effective_month", d.effective_month, _("生效月份"))
        if not d.reasons or not all(isinstance(r, str) and r.strip() for r in d.reasons):
            p.add("decision.reasons", _("减发或停发必须写明理由"))
        if not d.rules or not all(isinstance(r, str) and r.strip() for r in d.rules):
            p.add("decision.rules", _("减发或停发必须写明依据"))
        if not d.stop:
            p.money("decision.new_amount", d.new_amount, _("减发后的月保障金额"))
        if (
            isinstance(d.hearing_date, dt.date)
            and isinstance(data.decided_on, dt.date)
            and d.hearing_date > data.decided_on
        ):
            p.add("decision.hearing_date", _("须先听取陈述申辩，再作出决定（社会救助法 第48条）"))
    else:
        p.add("decision", _("决定必须是批准、一次性批准、不予批准或减发/停发告知"))
    p.raise_if_any()


def render_decision_letter(data: LetterData) -> bytes:
    """决定书: 文号, addressee, the approval (program, covered persons, amount with each member's
    part, first payment month, duty to report changes, next review) or the refusal (reasons, the
    failed rules with their references, the right to reconsideration or litigation), issuing
    authority, date and a seal placeholder."""
    _check_letter(data)
    st = pdf.styles()
    d = data.decision
    applied = f"于{date_zh(data.application_date)}" if data.application_date else ""
    if isinstance(d, ReductionNotice):
        title = data.title or f"{d.program}{'停发' if d.stop else '减发'}告知书"
        opening = (
            f"经{data.township}复核调查和家庭经济状况核对，并于{date_zh(d.hearing_date)}听取你户的陈述和申辩，"
            f"本机关依法作出如下决定：",
        )
    else:
        title = data.title or f"{d.program}审核确认决定书"
        opening = (
            f"你户{applied}提出的{d.program}申请，经{data.township}受理、调查和家庭经济状况核对，"
            f"本机关审核确认，决定如下：",
        )
    story: list = [
        para(title, st.title),
        para(data.document_number, st.subtitle),
        para(f"{data.addressee_name}（家庭编号：{data.household_number}，{data.village}）：", st.body),
        para(opening[0], st.body_indent),
    ]
    if isinstance(d, Approval):
        story += _approval(data, d, st)
    elif isinstance(d, OneOffApproval):
        story += _one_off(d, st)
    elif isinstance(d, ReductionNotice):
        story += _reduction(d, st)
    else:
        story += _refusal(d, st)
    story += [
        Spacer(0, 50),
        para(data.authority, st.right),
        para(date_zh(data.decided_on), st.right),
        pdf.SealPlaceholder(data.seal_text, data.authority, st.right),
    ]
    if data.copy_to:
        story += [Spacer(0, 40), para("抄送：" + "、".join(data.copy_to), st.small)]
    info = pdf.DocumentInfo(
        title=title,
        date=data.decided_on,
        author=data.authority,
        subject=f"{data.document_number} {data.addressee_name}",
        footer=data.document_number,
    )
    return pdf.build(story, info)


def _approval(data: LetterData, d: Approval, st: pdf.Styles) -> list:
    names = "、".join(d.covered_persons)
    report_to = d.report_to or data.township
    reference = f"（{d.report_reference}）" if d.report_reference else ""
    points = [
        f"准予你户享受{d.program}，保障人数 {len(d.covered_persons)} 人：{names}。",
        f"月保障金额 {yuan(d.monthly_amount)} 元"
        + ("，其中各成员金额见下表。" if d.member_parts else "。")
        + (f"保障金发放给：{d.payee}。" if d.payee else ""),
        f"自{month_zh(d.first_payment_month)}起按月发放。",
        f"你户家庭人口、收入、财产状况发生变化的，应当及时如实告知{report_to}{reference}。"
        "以虚报、隐瞒等手段骗取救助的，将依法责令退回，并承担相应的法律责任。",
        f"下次复核时间：{date_zh(d.next_review_date)}。届时请配合入户调查和家庭经济状况核对。",
    ]
    out: list = []
    for i, text in enumerate(points, start=1):
        out.append(para(f"{ordinal_zh(i)}、{text}", st.body_indent))
        if i == 2 and d.member_parts:
            out += [
                Spacer(0, 2),
                pdf.grid_table(
                    ["姓名", "月金额（元）", "说明"],
                    [[m.name, yuan(m.amount), m.note] for m in d.member_parts],
                    [0.25, 0.25, 0.50],
                    right=(1,),
                    footer=["合计", yuan(d.monthly_amount), ""],
                ),
                Spacer(0, 4),
            ]
    return out


def _one_off(d: OneOffApproval, st: pdf.Styles) -> list:
    names = "、".join(d.covered_persons)
    why = f"（{d.reason}）" if d.reason else ""
    out: list = [
        para(f"一、准予给予你户{d.program}{why}，救助对象：{names}。", st.body_indent),
        para(f"二、救助金额共计 {yuan(d.amount)} 元，为一次性救助。", st.body_indent),
    ]
    n = 3
    if d.standby:
        cash = "；".join(
            f"{x.township}于{date_zh(x.paid_on)}从临时救助备用金先行发放 {yuan(x.amount)} 元"
            + (f"（凭证号 {x.receipt_no}）" if x.receipt_no else "")
            for x in d.standby
        )
        out.append(para(f"{ordinal_zh(n)}、其中{cash}，计入本次救助金额。", st.body_indent))
        n += 1
    if len(d.stages) > 1:
        out.append(para(f"{ordinal_zh(n)}、其余金额经一次审批、分阶段发放：", st.body_indent))
        out += [
            Spacer(0, 2),
            pdf.grid_table(
                ["期次", "发放时间", "金额（元）"],
                [
                    [f"第{i}期", date_zh(x.date) if x.date else month_zh(x.month), yuan(x.amount)]
                    for i, x in enumerate(d.stages, start=1)
                ],
                [0.25, 0.45, 0.30],
                right=(2,),
                footer=["合计", "", yuan(sum((Decimal(x.amount) for x in d.stages), Decimal(0)))],
            ),
            Spacer(0, 4),
        ]
        n += 1
    elif d.stages:
        x = d.stages[0]
        when = date_zh(x.date) if x.date else month_zh(x.month)
        rest = "其余" if d.standby else ""
        out.append(para(f"{ordinal_zh(n)}、{rest}{yuan(x.amount)} 元于{when}一次性发放。", st.body_indent))
        n += 1
    if d.payee:
        out.append(para(f"{ordinal_zh(n)}、救助金发放给：{d.payee}。", st.body_indent))
        n += 1
    out.append(
        para(
            f"{ordinal_zh(n)}、救助金应当用于解决本次困难。以虚报、隐瞒等手段骗取救助的，将依法责令退回，"
            "并承担相应的法律责任。",
            st.body_indent,
        )
    )
    return out


def _reduction(d: ReductionNotice, st: pdf.Styles) -> list:
    out: list = []
    if d.stop:
        out.append(
            para(
                f"一、自{month_zh(d.effective_month)}起停止发放你户的{d.program}"
                + (f"（原月保障金额 {yuan(d.previous_amount)} 元）" if d.previous_amount is not None else "")
                + "。",
                st.body_indent,
            )
        )
    else:
        before = f"由原月保障金额 {yuan(d.previous_amount)} 元" if d.previous_amount is not None else ""
        out.append(
            para(
                f"一、自{month_zh(d.effective_month)}起，你户的{d.program}{before}调整为每月 "
                f"{yuan(d.new_amount or Decimal(0))} 元（减发）。",
                st.body_indent,
            )
        )
    out.append(para("二、理由：", st.body_indent))
    out += [para(f"{i}. {reason}", st.body_indent) for i, reason in enumerate(d.reasons, start=1)]
    if d.failed_rules:
        out += [
            pdf.grid_table(
                ["条件", "核定情况", "依据"],
                [[r.label, r.detail or "不再符合", r.reference] for r in d.failed_rules],
                [0.38, 0.34, 0.28],
            ),
            Spacer(0, 4),
        ]
    out.append(para(f"三、依据：{'；'.join(d.rules)}。", st.body_indent))
    heard = f"四、本机关已于{date_zh(d.hearing_date)}听取你户的陈述和申辩（《中华人民共和国社会救助法》第四十八条）"
    if d.notice_period:
        heard += f"，并于{date_zh(d.notice_period[0])}至{date_zh(d.notice_period[1])}在村（社区）公示"
    out.append(para(heard + "。", st.body_indent))
    out.append(para(_appeal_text(d.appeal, "五"), st.body_indent))
    out.append(para("家庭情况再次发生变化、符合条件的，可以重新提出申请。", st.body_indent))
    return out


def _appeal_text(a: AppealRights, number: str = "") -> str:
    body = a.reconsideration_body or "有管辖权的行政复议机关"
    court = a.court or "有管辖权的人民法院"
    lead = f"{number}、" if number else ""
    return (
        f"{lead}如对本决定不服，可以自收到本决定书之日起 {a.reconsideration_days} 日内向{body}申请行政复议"
        f"（{a.reconsideration_reference}），或者自收到本决定书之日起 {a.litigation_months} 个月内"
        f"向{court}提起行政诉讼（{a.litigation_reference}）。"
    )


def _refusal(d: Refusal, st: pdf.Styles) -> list:
    out: list = [para(f"不予批准你户的{d.program}申请。理由如下：", st.body_indent)]
    out += [para(f"{i}. {reason}", st.body_indent) for i, reason in enumerate(d.reasons, start=1)]
    if d.failed_rules:
        out += [
            para("未通过的审核条件：", st.body_indent),
            pdf.grid_table(
                ["审核条件", "核定情况", "依据"],
                [[r.label, r.detail or "未通过", r.reference] for r in d.failed_rules],
                [0.38, 0.34, 0.28],
            ),
            Spacer(0, 4),
        ]
    a = d.appeal
    body = a.reconsideration_body or "有管辖权的行政复议机关"
    court = a.court or "有管辖权的人民法院"
    out.append(
        para(
            f"如对本决定不服，可以自收到本决定书之日起 {a.reconsideration_days} 日内向{body}申请行政复议"
            f"（{a.reconsideration_reference}），或者自收到本决定书之日起 {a.litigation_months} 个月内"
            f"向{court}提起行政诉讼（{a.litigation_reference}）。",
            st.body_indent,
        )
    )
    out.append(para("家庭情况发生变化、符合条件的，可以重新提出申请。", st.body_indent))
    return out


# ---------------------------------------------------------------------------------------------
# 3. Case file (一户一档)


@dataclass(frozen=True)
class Attachment:
    """A scan or document filed with a section: a PDF (its pages are appended as pages of the
    case file) or an image (placed on the page, scaled to fit)."""

    title: str
    content: bytes


@dataclass(frozen=True)
class RuleTest:
    """One test of a rules snapshot (the rules package's explanation, one entry of ``tests``)."""

    label: str
    passed: bool
    reference: str = ""
    value: Any = None
    operator: str = ""
    threshold: Any = None
    code: str = ""

    @classmethod
    def from_explanation(cls, test: Mapping[str, Any]) -> RuleTest:
        return cls(
            label=str(test.get("label_zh", "")),
            passed=bool(test.get("passed")),
            reference=str(test.get("reference", "")),
            value=test.get("value"),
            operator=str(test.get("operator") or ""),
            threshold=test.get("threshold"),
            code=str(test.get("code", "")),
        )


@dataclass(frozen=True)
class RulesSnapshot:
    """The rules engine's result for one program as it was used for the decision (评估快照)."""

    program: str
    eligible: bool
    month: dt.date
    rules_version: str
    tests: tuple[RuleTest, ...]
    amount: Decimal | None = None
    distance: str = ""  # 月人均收入高于标准 120 元

    @classmethod
    def from_explanation(
        cls, entry: Mapping[str, Any], *, month: dt.date, rules_version: str
    ) -> RulesSnapshot:
        """From one program's entry of ``openfisca_cn_assistance.evaluate``: household programs
        directly; per-person programs with each member's tests prefixed by the member."""
        tests = [RuleTest.from_explanation(t) for t in entry.get("tests", ())]
        for member in entry.get("members", ()):
            if isinstance(member, Mapping):
                who = member.get("name") or member.get("member", "")
                for t in member.get("tests", ()):
                    test = RuleTest.from_explanation(t)
                    tests.append(RuleTest(**{**test.__dict__, "label": f"{who}：{test.label}"}))
        amount = entry.get("monthly_amount", entry.get("amount"))
        return cls(
            program=str(entry.get("label_zh", "")),
            eligible=bool(entry.get("eligible")),
            month=month,
            rules_version=rules_version,
            tests=tuple(tests),
            amount=None if amount is None else Decimal(str(amount)),
            distance=(entry.get("distance") or {}).get("zh", ""),
        )


@dataclass(frozen=True)
class Section:
    """One part of the case file. Everything is optional; an empty section says so."""

    title: str = ""  # defaults to the slot's title
    fields: tuple[tuple[str, Any], ...] = ()  # label / value rows
    paragraphs: tuple[str, ...] = ()
    table_header: tuple[str, ...] = ()
    table_rows: tuple[tuple[Any, ...], ...] = ()
    rules: tuple[RulesSnapshot, ...] = ()
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class CaseFileData:
    """一户一档: one case of one household, for the paper archive. The standard sections come in
    a fixed order; ``other`` sections follow them."""

    household_number: str
    applicant_name: str
    village: str
    township: str
    case_number: str
    program: str
    opened_on: dt.date  # accepted (受理)
    outcome: str  # 批准 / 不予批准 / 终止 / 办理中
    compiled_on: dt.date
    compiled_by: str  # the officer who compiled the file
    authority: str  # the archive-keeping authority
    decided_on: dt.date | None = None
    application: Section | None = None
    authorisations: Section | None = None
    visits: Section | None = None
    verification: Section | None = None
    rules: Section | None = None
    notice: Section | None = None
    decision: Section | None = None
    other: tuple[Section, ...] = ()


CASE_SECTIONS = (
    ("application", "申请材料"),
    ("authorisations", "授权核对书"),
    ("visits", "入户调查记录"),
    ("verification", "家庭经济状况核对报告"),
    ("rules", "评估结果（规则快照）"),
    ("notice", "公示"),
    ("decision", "审核确认决定"),
)

# Identity numbers and mobile numbers left in free text are masked in the archive copy (an export:
# architecture.md "Data, privacy, permissions"); the caller should pass masked values already.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


def _masked(value: Any) -> str:
    text = _plain(value)
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    return _MOBILE.sub(lambda m: mask_phone(m.group()), text)


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return f"{date_zh(value.date())} {value:%H:%M}"
    if isinstance(value, dt.date):
        return date_zh(value)
    if isinstance(value, Decimal):
        return yuan(value)
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _kind(content: bytes) -> str:
    """What an attachment is: ``pdf``, ``image`` (anything Pillow can decode; a truncated scan or
    a decompression bomb is not one) or the empty string."""
    if content[:5] == b"%PDF-":
        return "pdf"
    from PIL import Image as PILImage

    try:
        with PILImage.open(io.BytesIO(content)) as image:
            image.load()
        return "image"
    except Exception:  # whatever Pillow raises, it is not a usable image
        return ""


def _check_case(data: CaseFileData) -> list[tuple[str, Section]]:
    p = _Problems()
    for name, label in (
        ("household_number", _("家庭编号")),
        ("applicant_name", _("申请人")),
        ("village", _("所在村（社区）")),
        ("township", _("受理乡镇（街道）")),
        ("case_number", _("案件编号")),
        ("program", _("救助项目")),
        ("outcome", _("办理结果")),
        ("compiled_by", _("立卷人")),
        ("authority", _("立卷单位")),
    ):
        p.text(name, getattr(data, name), label)
    p.date("opened_on", data.opened_on, _("受理日期"))
    p.date("compiled_on", data.compiled_on, _("立卷日期"))
    sections = [(key, getattr(data, key) or Section(title=title)) for key, title in CASE_SECTIONS]
    sections += [(f"other[{i}]", s) for i, s in enumerate(data.other, start=1)]
    for key, section in sections:
        if key.startswith("other") and not section.title.strip():
            p.add(f"{key}.title", _("附加部分必须有标题"))
        for i, att in enumerate(section.attachments, start=1):
            akey = f"{key}.attachments[{i}]"
            p.text(f"{akey}.title", att.title, _("附件标题"))
            kind = _kind(att.content) if isinstance(att.content, bytes) and att.content else ""
            if not kind:
                p.add(akey, _("附件“%(t)s”既不是 PDF 也不是可识别的图片") % {"t": att.title})
            elif kind == "pdf":
                try:
                    pdf.pdf_page_count(att.content, label=att.title)
                except ValidationError as exc:
                    for message in exc.messages:
                        p.add(akey, message)
        if section.table_rows and not section.table_header:
            p.add(f"{key}.table_header", _("有表格行时必须给出表头"))
        width = len(section.table_header)
        for i, row in enumerate(section.table_rows, start=1):
            if len(row) != width:
                p.add(
                    f"{key}.table_rows[{i}]",
                    _("第 %(n)d 行有 %(c)d 列，表头有 %(w)d 列") % {"n": i, "c": len(row), "w": width},
                )
    p.raise_if_any()
    return sections


def render_case_file(data: CaseFileData) -> bytes:
    """一户一档: a cover page, a table of contents, then the sections (application,
    authorisations, visit records, verification report, rules snapshot, notice, decision, and any
    others), attached PDFs as pages and images on pages."""
    sections = _check_case(data)
    st = pdf.styles()
    title = f"{data.program}审核确认档案"
    story: list = [
        Spacer(0, 60),
        para("一户一档", st.title),
        para(title, st.subtitle),
        Spacer(0, 30),
        pdf.field_table(
            [
                ("家庭编号", data.household_number),
                ("申请人", data.applicant_name),
                ("所在村（社区）", data.village),
                ("受理乡镇（街道）", data.township),
                ("案件编号", data.case_number),
                ("救助项目", data.program),
                ("受理日期", date_zh(data.opened_on)),
                ("决定日期", date_zh(data.decided_on) if data.decided_on else "—"),
                ("办理结果", data.outcome),
                ("立卷单位", data.authority),
                ("立卷人", data.compiled_by),
                ("立卷日期", date_zh(data.compiled_on)),
            ]
        ),
        PageBreak(),
        para("目录", st.title),
        pdf.table_of_contents(),
    ]
    number = 0
    for i, (key, section) in enumerate(sections, start=1):
        default = dict(CASE_SECTIONS).get(key, "")
        heading = f"{ordinal_zh(i)}、{section.title or default}"
        body, number = _section(section, st, number)
        # A section with material starts a page; an empty one just says so where it is.
        story += [PageBreak()] if body else [Spacer(0, 12)]
        story.append(para(heading, st.heading, toc_level=0))
        story += body or [para("本案无此项材料。", st.body)]
    info = pdf.DocumentInfo(
        title=f"一户一档 {data.household_number} {data.case_number}",
        date=data.compiled_on,
        author=data.authority,
        subject=title,
        footer=f"一户一档 · {data.household_number} · {data.case_number}",
        numbered_from=2,
    )
    return pdf.build(story, info)


def _section(section: Section, st: pdf.Styles, number: int) -> tuple[list, int]:
    out: list = []
    if section.fields:
        out += [pdf.field_table([(label, _masked(value)) for label, value in section.fields]), Spacer(0, 6)]
    out += [para(_masked(text), st.body_indent) for text in section.paragraphs]
    if section.table_header:
        n = len(section.table_header)
        out += [
            pdf.grid_table(
                [str(h) for h in section.table_header],
                [[_masked(v) for v in row] for row in section.table_rows],
                [1 / n] * n,
            ),
            Spacer(0, 6),
        ]
    for snapshot in section.rules:
        out += _snapshot(snapshot, st)
    for att in section.attachments:
        number += 1
        label = f"附件 {number}：{att.title}"
        if _kind(att.content) == "pdf":
            pages = pdf.attached_pdf(att.content)
            pages[0]._sn_toc = (1, label)  # type: ignore[attr-defined]
            out += [para(f"{label}（PDF 原件，共 {pages[0].pages} 页，附后）", st.body)] + pages
        else:
            out.append(KeepTogether([para(label, st.subheading, toc_level=1), _image(att.content)]))
    return out, number


_OPERATORS = {"<=": "≤", ">=": "≥", "==": "=", "!=": "≠"}


def _snapshot(s: RulesSnapshot, st: pdf.Styles) -> list:
    verdict = "符合条件" if s.eligible else "不符合条件"
    amount = f"，测算金额 {yuan(s.amount)} 元" if s.amount is not None else ""
    out: list = [
        para(f"{s.program}：{verdict}{amount}", st.subheading),
        para(f"评估月份：{month_zh(s.month)}；规则包版本：{s.rules_version}。{s.distance}", st.small),
        Spacer(0, 3),
    ]
    if s.tests:
        out.append(
            pdf.grid_table(
                ["审核条件", "核定值", "条件", "结果", "依据"],
                [
                    [
                        t.label,
                        _plain(t.value) if t.value is not None else "—",
                        f"{_OPERATORS.get(t.operator, t.operator)} {_plain(t.threshold)}"
                        if t.threshold not in (None, True)
                        else "—",
                        para("通过", st.cell) if t.passed else para("未通过", st.cell_alert),
                        t.reference,
                    ]
                    for t in s.tests
                ],
                [0.32, 0.14, 0.16, 0.1, 0.28],
            )
        )
    out.append(Spacer(0, 8))
    return out


# Images are scaled down to fit the frame and resampled above this size, so a phone photo does not
# make a 30 MB archive (A4 at 300 dpi is 2480 × 3508).
_IMAGE_MAX_PIXELS = 2480


def _image(content: bytes) -> Image:
    """An image flowable that fits the frame: JPEGs pass through unchanged when small enough;
    anything else is flattened on white, scaled down if too large and stored losslessly (PNG),
    or as JPEG when the source was a JPEG."""
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(content)) as source:
        source.load()
        fmt = source.format
        dpi = float((source.info.get("dpi") or (150, 150))[0] or 150)
        if fmt == "JPEG" and max(source.size) <= _IMAGE_MAX_PIXELS and source.mode in ("RGB", "L"):
            data, (width, height) = content, source.size
        else:
            image = source.convert("RGBA")
            flat = PILImage.new("RGB", image.size, "white")
            flat.paste(image, mask=image.getchannel("A"))
            flat.thumbnail((_IMAGE_MAX_PIXELS, _IMAGE_MAX_PIXELS))
            buffer = io.BytesIO()
            if fmt == "JPEG":
                flat.save(buffer, format="JPEG", quality=85)
            else:
                flat.save(buffer, format="PNG", optimize=True)
            data, (width, height) = buffer.getvalue(), flat.size
            dpi *= width / source.size[0]  # keep the printed size when resampled
    natural_w, natural_h = width * 72 / dpi, height * 72 / dpi
    box_w, box_h = pdf.CONTENT_WIDTH, pdf.FRAME_HEIGHT - 80
    scale = min(1.0, box_w / natural_w, box_h / natural_h)
    return Image(io.BytesIO(data), width=natural_w * scale, height=natural_h * scale)
