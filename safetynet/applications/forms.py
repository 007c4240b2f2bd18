"""Forms of the workflow and the table of operations the UI and the API share.

A form parses what the browser (or an API caller) sends; the rules are the services'. Each
entry of ``OPERATIONS`` names a form and the service call it feeds, so that the case page's
buttons, the action pages and ``POST /api/v1/cases/{id}/actions/{name}`` are one code path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safetynet.applications import choices as c
from safetynet.applications import services
from safetynet.applications.models import Case
from safetynet.registry.forms import DateInput

BLANK = [("", "—")]


def lines(value: Any) -> list[str]:
    """A textarea (one item per line, or separated by 、，,；;) or a JSON list → items."""
    if isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        text = str(value or "")
        for sep in ("、", "，", ",", "；", ";"):
            text = text.replace(sep, "\n")
        items = text.splitlines()
    return [i.strip() for i in items if i.strip()]


class ListField(forms.CharField):
    """Items one per line in a textarea; a list in JSON."""

    widget = forms.Textarea(attrs={"rows": 2})

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return lines(value)

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def prepare_value(self, value: Any) -> str:
        return "\n".join(value) if isinstance(value, list) else (value or "")


class VersionForm(forms.Form):
    """Every move carries the case version the page showed: of two officers acting on one page
    at once, the second is told the case has moved on."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReasonForm(VersionForm):
    reason = forms.CharField(
        label=_("理由/说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


# ---- intake -----------------------------------------------------------------------------------


def _program_choices():
    return c.Program.choices


class ApplicationForm(forms.Form):
    """一门受理: one application for the household, one or more programs."""

    applicant = forms.TypedChoiceField(label=_("申请人"), coerce=int)
    programs = forms.MultipleChoiceField(
        label=_("申请救助项目"), choices=_program_choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    channel = forms.ChoiceField(
        label=_("受理渠道"),
        choices=[(k, v) for k, v in c.Channel.choices if k != c.Channel.SELF],
        initial=c.Channel.WINDOW,
    )
    proxy_kind = forms.ChoiceField(label=_("代办方式"), choices=c.ProxyKind.choices, required=False)
    proxy_name = forms.CharField(label=_("代办人/单位"), required=False, max_length=100)
    proxy_relation = forms.CharField(label=_("代办人与申请人关系"), required=False, max_length=50)
    materials = forms.MultipleChoiceField(
        label=_("已收材料"),
        choices=[(k, v) for k, v in services.MATERIALS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    commitment_signed = forms.BooleanField(
        label=_("申请人已签署承诺书（如实申报、配合调查、授权核对）"), required=False
    )
    submitted_on = forms.DateField(label=_("申请日期"), required=False, widget=DateInput())
    note = forms.CharField(
        label=_("备注"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, members: list, coordinator: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["applicant"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(m.person_id, f"{m.person.name}（{m.get_relation_display()}）") for m in members]
        if coordinator:
            channel = self.fields["channel"]
            assert isinstance(channel, forms.ChoiceField)
            channel.choices = [
                (k, v) for k, v in c.Channel.choices if k not in (c.Channel.WINDOW, c.Channel.SELF)
            ]
            channel.initial = c.Channel.DISCOVERY
            self.fields["proxy_kind"].initial = c.ProxyKind.COORDINATOR

    def application_input(self, household_id: int) -> services.ApplicationInput:
        d = self.cleaned_data
        return services.ApplicationInput(
            household_id=household_id,
            applicant_id=d["applicant"],
            programs=d["programs"],
            channel=d["channel"],
            proxy_kind=d["proxy_kind"],
            proxy_name=d["proxy_name"],
            proxy_relation=d["proxy_relation"],
            commitment_signed=d["commitment_signed"],
            materials=d["materials"],
            note=d["note"],
            submitted_on=d["submitted_on"],
        )


class SelfApplicationForm(forms.Form):
    """A resident's own application (phone-friendly): which programs, a few words, the promise."""

    programs = forms.MultipleChoiceField(
        label=_("申请救助项目（可多选）"),
        choices=_program_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(
        label=_("家庭困难情况（简要说明）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    commitment_signed = forms.BooleanField(
        label=_("我承诺如实申报家庭人口、收入和财产情况，配合入户调查，同意依法核对家庭经济状况"),
        required=False,
    )


class SpotCheckDrawForm(forms.Form):
    """The county draws its sample of a township's delegated tekun confirmations."""

    township = forms.ChoiceField(label=_("乡镇（街道）"))
    date_from = forms.DateField(label=_("确认日期自"), widget=DateInput())
    date_to = forms.DateField(label=_("确认日期至"), widget=DateInput())

    def __init__(self, *args, townships: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["township"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = BLANK + townships


class SpotCheckRecordForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput())
    outcome = forms.ChoiceField(
        label=_("抽查结果"),
        choices=[(k, v) for k, v in c.SpotCheckOutcome.choices if k],
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(label=_("抽查情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    checked_on = forms.DateField(label=_("抽查日期"), required=False, widget=DateInput())


class HouseholdPickForm(forms.Form):
    number = forms.CharField(label=_("家庭编号或户主身份证号码"), max_length=30)


class LeadForm(forms.Form):
    source = forms.ChoiceField(
        label=_("线索来源"), choices=c.LeadSource.choices, initial=c.LeadSource.DISCOVERY
    )
    number = forms.CharField(label=_("家庭编号"), max_length=30)
    note = forms.CharField(
        label=_("发现的困难情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class LeadDeclineForm(forms.Form):
    note = forms.CharField(label=_("未申请的原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConsentForm(forms.Form):
    consent_note = forms.CharField(
        label=_("家庭同意申请（或同意代办）的情况"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RelativeForm(forms.Form):
    relative_name = forms.CharField(label=_("亲属姓名"), required=False, max_length=50)
    id_number = forms.CharField(
        label=_("亲属身份证号码"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    relation = forms.ChoiceField(
        label=_("关系"),
        choices=BLANK + [(k, v) for k, v in c.Relation.choices if k != "self"],
        required=False,
    )
    staff_name = forms.CharField(
        label=_("村（居）委会成员姓名"),
        required=False,
        max_length=50,
        help_text=_("为本人申报时留空；为村（居）委会成员登记时填写"),
    )
    region_code = forms.CharField(label=_("该成员所在村（社区）代码"), required=False, max_length=12)

    def service_args(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        if d["staff_name"]:
            d["position"] = c.StaffPosition.COMMITTEE
        return d


# ---- case steps --------------------------------------------------------------------------------


class ReturnForm(VersionForm):
    missing_items = ListField(label=_("需补正的全部材料（每行一项，一次性告知）"), required=False)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ResubmitForm(VersionForm):
    received = forms.MultipleChoiceField(
        label=_("已补交的材料"), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["received"]
        assert isinstance(field, forms.MultipleChoiceField)
        items = case.application.missing_items if case.application else []
        field.choices = [(i, i) for i in items]


class ProposeForm(VersionForm):
    eligible = forms.TypedChoiceField(
        label=_("初审结论"),
        choices=[("", "—"), ("1", _("符合条件，拟同意")), ("0", _("不符合条件"))],
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
    )
    proposed_kind = forms.ChoiceField(
        label=_("复核意见"),
        required=False,
        choices=BLANK
        + [
            (k, v)
            for k, v in c.DecisionKind.choices
            if k not in (c.DecisionKind.APPROVE, c.DecisionKind.REFUSE)
        ],
    )
    amount = forms.DecimalField(
        label=_("拟救助金额（元）"),
        required=False,
        decimal_places=2,
        max_digits=12,
        help_text=_("留空则按规则测算金额"),
    )
    opinion = forms.CharField(label=_("初审意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ApproveForm(VersionForm):
    """The approval: each covered member and their own part; an amount other than the rules'
    needs a reason; payee; review period."""

    kind = forms.ChoiceField(label=_("决定"), choices=c.DecisionKind.choices, initial=c.DecisionKind.APPROVE)
    amount = forms.DecimalField(
        label=_("救助金额（元，一次性救助）"), required=False, decimal_places=2, max_digits=12
    )
    amount_reason = forms.CharField(
        label=_("金额与规则测算不同的理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    payee_kind = forms.ChoiceField(label=_("收款方"), choices=BLANK + list(c.Payee.choices), required=False)
    payee_name = forms.CharField(
        label=_("收款人/机构名称"), required=False, max_length=100, help_text=_("收款方不是家庭账户时填写")
    )
    payee_account = forms.CharField(
        label=_("收款账号"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    unstable = forms.BooleanField(label=_("收入不稳定或有劳动能力成员（每半年复核）"), required=False)
    taper = ListField(label=_("渐退安排（每行：月份 金额，如 2027-01 300）"), required=False)
    stages = ListField(
        label=_(
            "分阶段发放（每行：月份或日期 金额，如 2026-12 2000 或 2027-01-15 1000；合计为救助金额减去已先行救助的金额）"
        ),
        required=False,
    )
    standby_amount = forms.DecimalField(
        label=_("已先行救助金额（元，乡镇备用金）"), required=False, decimal_places=2, max_digits=12
    )
    standby_paid_on = forms.DateField(label=_("先行救助日期"), required=False, widget=DateInput())
    standby_receipt_no = forms.CharField(label=_("先行救助领款凭证号"), required=False, max_length=50)
    standby_paid_to = forms.CharField(label=_("先行救助领款人"), required=False, max_length=50)
    note = forms.CharField(
        label=_("审核意见（减发时为减发理由，写入告知书）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    legal_basis = forms.CharField(label=_("减发依据"), required=False, max_length=300)

    def __init__(self, *args, case: Case, members: list, defaults: services.ApprovalInput, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.member_rows = []
        shares = {s.person_id: s for s in defaults.members}
        for m in members:
            if not m.counted:
                continue
            share = shares.get(m.person_id)
            covered = forms.BooleanField(label=m.person.name, required=False, initial=share is not None)
            amount = forms.DecimalField(
                label=_("%(n)s 的金额（元）") % {"n": m.person.name},
                required=False,
                decimal_places=2,
                max_digits=12,
                initial=share.amount if share else None,
            )
            if case.program not in c.MONTHLY_PROGRAMS:  # covered persons only, no monthly parts
                amount.widget = forms.HiddenInput()
                amount.initial = 0
            self.fields[f"covered_{m.person_id}"] = covered
            self.fields[f"part_{m.person_id}"] = amount
            self.member_rows.append((m, f"covered_{m.person_id}", f"part_{m.person_id}"))
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        if case.kind == c.CaseKind.APPLICATION:
            kind.choices = [(c.DecisionKind.APPROVE, c.DecisionKind.APPROVE.label)]
        else:
            kind.choices = [
                (k, c.DecisionKind(k).label)
                for k in (c.DecisionKind.CONTINUE, c.DecisionKind.INCREASE, c.DecisionKind.DECREASE)
            ]
        self.initial.setdefault("kind", defaults.kind)
        self.initial.setdefault("payee_kind", defaults.payee_kind)
        if case.program in c.ONE_OFF_PROGRAMS:
            self.initial.setdefault("amount", defaults.amount)
        # only the fields that apply to the program
        standby = ("standby_amount", "standby_paid_on", "standby_receipt_no", "standby_paid_to")
        drop: tuple[str, ...]
        if case.program in c.MONTHLY_PROGRAMS:
            drop = ("amount", "stages", *standby)
        elif case.program in c.ONE_OFF_PROGRAMS:
            drop = ("taper", "unstable", "legal_basis")
            if case.program != c.Program.TEMPORARY_EMERGENCY or case.emergency_payments.exists():
                drop += standby  # recorded by the help-first step already
        else:  # a status without an amount of its own (edge, rigid expenditure)
            drop = (
                "amount",
                "amount_reason",
                "payee_kind",
                "payee_name",
                "payee_account",
                "taper",
                "stages",
                "legal_basis",
                *standby,
            )
        if case.kind == c.CaseKind.APPLICATION and "legal_basis" not in drop:
            drop += ("legal_basis",)
        for name in drop:
            del self.fields[name]

    def rows(self):
        return [(m, self[a], self[b]) for m, a, b in self.member_rows]

    def approval_input(self) -> services.ApprovalInput:
        d = self.cleaned_data
        members = [
            services.MemberShare(m.person_id, d.get(part) if d.get(part) is not None else Decimal(0))
            for m, covered, part in self.member_rows
            if d.get(covered)
        ]

        def schedule(rows: list[str]) -> list[dict[str, str]]:
            out = []
            for row in rows:
                parts = row.replace("：", " ").replace(":", " ").split()
                out.append({"month": parts[0] if parts else "", "amount": parts[1] if len(parts) > 1 else ""})
            return out

        return services.ApprovalInput(
            members=members,
            amount=d.get("amount"),
            amount_reason=d.get("amount_reason", ""),
            payee_kind=d.get("payee_kind", ""),
            payee_name=d.get("payee_name", ""),
            payee_account=d.get("payee_account", ""),
            unstable=d.get("unstable", False),
            taper=schedule(d.get("taper") or []),
            stages=schedule(d.get("stages") or []),
            standby={
                "amount": d.get("standby_amount") if d.get("standby_amount") is not None else "",
                "paid_on": d.get("standby_paid_on"),
                "receipt_no": d.get("standby_receipt_no", ""),
                "paid_to": d.get("standby_paid_to", ""),
            }
            if "standby_amount" in self.fields
            else None,
            kind=d.get("kind") or c.DecisionKind.APPROVE,
            note=d.get("note", ""),
            legal_basis=d.get("legal_basis", ""),
        )


class RefuseForm(VersionForm):
    reasons = forms.CharField(
        label=_("不予批准的理由（每行一条）"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    failed_codes = forms.MultipleChoiceField(
        label=_("未通过的审核条件"), required=False, widget=forms.CheckboxSelectMultiple
    )
    legal_basis = forms.CharField(label=_("法律依据"), required=False, max_length=300)

    def __init__(self, *args, tests: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["failed_codes"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(t.get("code"), f"{t.get('label_zh')}（{t.get('reference')}）") for t in tests]
        self.initial.setdefault("failed_codes", [t.get("code") for t in tests if not t.get("passed", True)])


class StopForm(VersionForm):
    reasons = forms.CharField(
        label=_("停止救助的理由（每行一条）"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    legal_basis = forms.CharField(label=_("法律依据"), required=False, max_length=300)


class NotifyForm(VersionForm):
    delivered_on = forms.DateField(label=_("送达日期"), required=False, widget=DateInput())
    method = forms.CharField(label=_("送达方式"), required=False, max_length=100, initial=_("直接送达"))


class HelpFirstForm(VersionForm):
    amount = forms.DecimalField(
        label=_("先行救助金额（元）"), required=False, decimal_places=2, max_digits=12
    )
    paid_to = forms.CharField(label=_("领款人"), required=False, max_length=50)
    signatures = forms.CharField(label=_("经办人、领款人签字"), required=False, max_length=200)
    receipt_no = forms.CharField(label=_("领款凭证号"), required=False, max_length=50)
    reason = forms.CharField(label=_("急难事由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    paid_on = forms.DateField(label=_("发放日期"), required=False, widget=DateInput())


# ---- records attached to a case ------------------------------------------------------------------


class AuthorisationForm(forms.Form):
    person = forms.TypedChoiceField(label=_("被核对人"), coerce=int)
    signed_by = forms.TypedChoiceField(label=_("签署人"), coerce=int)
    role = forms.ChoiceField(label=_("签署身份"), choices=c.AuthRole.choices)
    scope = forms.MultipleChoiceField(
        label=_("授权核对事项"),
        choices=c.DataItem.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    purpose = forms.CharField(label=_("用途"), required=False, max_length=200)
    valid_from = forms.DateField(label=_("有效期自"), required=False, widget=DateInput())
    valid_to = forms.DateField(
        label=_("有效期至"),
        required=False,
        widget=DateInput(),
        help_text=_("留空：救助期间持续有效（含定期复核）"),
    )
    esign_record = forms.CharField(label=_("电子签名记录编号"), required=False, max_length=200)
    upload = forms.FileField(label=_("授权书扫描件（图片或 PDF）"), required=False)

    def __init__(self, *args, people: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in people}
        choices = [(p.pk, p.name) for p in people]
        for name in ("person", "signed_by"):
            field = self.fields[name]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = choices
        self.initial.setdefault("scope", [v for v in c.DataItem.values])


class VisitForm(forms.Form):
    kind = forms.ChoiceField(label=_("调查方式"), choices=c.VisitKind.choices)
    visited_on = forms.DateField(label=_("调查日期"), required=False, widget=DateInput())
    investigators = ListField(label=_("调查人员（至少两人，每行一人）"), required=False)
    family_signatures = ListField(label=_("签字的家庭成员"), required=False)
    remote = forms.BooleanField(label=_("远程（电话/视频）调查"), required=False)
    remote_reason = forms.CharField(label=_("远程调查原因"), required=False, max_length=300)
    by_county = forms.BooleanField(label=_("县级入户核查"), required=False)
    neighbours = forms.CharField(label=_("走访对象（邻里访问）"), required=False, max_length=300)
    findings = forms.CharField(label=_("调查情况"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    upload = forms.FileField(label=_("调查表扫描件"), required=False)


class VerificationForm(forms.Form):
    issuer = forms.CharField(
        label=_("出具机构"), required=False, max_length=100, initial=_("县级社会救助家庭经济状况核对中心")
    )
    report_number = forms.CharField(label=_("报告编号"), required=False, max_length=50)
    received_on = forms.DateField(label=_("收到日期"), required=False, widget=DateInput())
    summary = forms.CharField(
        label=_("核对结果摘要"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    concerns = forms.BooleanField(label=_("发现不符合条件的情况"), required=False)
    upload = forms.FileField(label=_("核对报告（PDF 或扫描件）"), required=False)


class DeliberationForm(forms.Form):
    held_on = forms.DateField(label=_("评议日期"), required=False, widget=DateInput())
    participants = forms.IntegerField(label=_("参加人数"), min_value=0, required=False)
    representatives = forms.IntegerField(label=_("其中居民代表"), min_value=0, required=False)
    votes_for = forms.IntegerField(label=_("赞成"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("反对"), min_value=0, required=False)
    abstentions = forms.IntegerField(label=_("弃权"), min_value=0, required=False)
    minutes = forms.CharField(label=_("评议记录"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class HearingForm(forms.Form):
    held_on = forms.DateField(label=_("听取意见日期"), required=False, widget=DateInput())
    attendees = forms.CharField(label=_("参加人员"), required=False, max_length=300)
    statement = forms.CharField(
        label=_("家庭陈述、申辩意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    upload = forms.FileField(label=_("记录扫描件"), required=False)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=c.DocumentKind.choices)
    title = forms.CharField(label=_("名称"), required=False, max_length=200)
    upload = forms.FileField(label=_("文件（图片或 PDF）"), required=False)


class MaterialsForm(forms.Form):
    materials = forms.MultipleChoiceField(
        label=_("已收材料"),
        choices=[(k, v) for k, v in services.MATERIALS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    commitment_signed = forms.BooleanField(label=_("申请人已签署承诺书"), required=False)


class ExtendForm(forms.Form):
    reason_code = forms.ChoiceField(
        label=_("延期事由"), choices=BLANK + list(c.ExtensionReason.choices), required=False
    )
    note = forms.CharField(label=_("延期理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ComplaintForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=c.ComplaintKind.choices)
    complainant = forms.CharField(label=_("申诉/举报人（可匿名）"), required=False, max_length=100)
    contact = forms.CharField(label=_("联系电话"), required=False, max_length=20)
    content = forms.CharField(label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    received_on = forms.DateField(label=_("收到日期"), required=False, widget=DateInput())


class ComplaintActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("assign", _("交办")), ("answer", _("答复")), ("close", _("办结"))])
    assignee = forms.TypedChoiceField(label=_("承办人"), coerce=int, required=False, empty_value=None)
    answer = forms.CharField(label=_("答复内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.ChoiceField(
        label=_("办理结果"),
        choices=BLANK + [(k, v) for k, v in c.ComplaintOutcome.choices if k],
        required=False,
    )

    def __init__(self, *args, staff: list, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = BLANK + [(u.pk, f"{u}（{u.get_role_display()}）") for u in staff]


class ObjectionForm(forms.Form):
    raised_by = forms.CharField(label=_("异议人（可匿名）"), required=False, max_length=100)
    content = forms.CharField(label=_("异议内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class NoticeForm(forms.Form):
    cases = forms.MultipleChoiceField(
        label=_("公示名单"), widget=forms.CheckboxSelectMultiple, required=False
    )
    contact_phone = forms.CharField(label=_("异议受理电话"), required=False, max_length=50)
    contact_address = forms.CharField(label=_("异议受理地址"), required=False, max_length=200)

    def __init__(self, *args, candidates: list, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["cases"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(case.pk), case.number) for case in candidates]


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("会议名称"), required=False, max_length=200)
    held_on = forms.DateField(label=_("会议日期"), required=False, widget=DateInput())
    participants = forms.CharField(
        label=_("参会单位及人员"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    cases = forms.MultipleChoiceField(
        label=_("议题（提交联席会议的个案）"), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, candidates: list, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["cases"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(case.pk), f"{case.number} {case.household.head_name}") for case in candidates]


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("会议纪要"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, items: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.item_rows = []
        for item in items:
            self.fields[f"decision_{item.pk}"] = forms.ChoiceField(
                label=item.case.number,
                choices=BLANK + [(k, v) for k, v in c.MeetingDecision.choices if k],
                required=False,
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(label=_("理由"), required=False, max_length=2000)
            self.item_rows.append((item, f"decision_{item.pk}", f"note_{item.pk}"))

    def rows(self):
        return [(item, self[a], self[b]) for item, a, b in self.item_rows]

    def decisions(self) -> dict[int, tuple[str, str]]:
        d = self.cleaned_data
        return {item.pk: (d.get(a) or "", d.get(b) or "") for item, a, b in self.item_rows}


# ---- the operations table -------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """One thing a user can do to a case: its form and the service call it feeds."""

    form: type[forms.Form]
    call: Callable[..., Any]
    label: Any = ""
    upload: bool = False

    def run(self, user: Any, case: Case, form: forms.Form) -> Any:
        return self.call(user, case, form.cleaned_data, form)


def _today(d: dict, key: str) -> dt.date:
    return d.get(key) or timezone.localdate()


def _version(d: dict) -> int | None:
    return d.get("version")


OPERATIONS: dict[str, Operation] = {
    "accept": Operation(
        VersionForm,
        lambda u, case, d, form: services.case_accept(actor=u, case=case, expected_version=_version(d)),
    ),
    "return": Operation(
        ReturnForm,
        lambda u, case, d, form: services.case_return(
            actor=u, case=case, missing_items=d["missing_items"], note=d["note"], expected_version=_version(d)
        ),
    ),
    "resubmit": Operation(
        ResubmitForm,
        lambda u, case, d, form: services.case_resubmit(
            actor=u, case=case, received=d["received"], expected_version=_version(d)
        ),
    ),
    "not_accept": Operation(
        ReasonForm,
        lambda u, case, d, form: services.case_not_accept(
            actor=u, case=case, reason=d["reason"], expected_version=_version(d)
        ),
    ),
    "assess": Operation(
        VersionForm,
        lambda u, case, d, form: services.case_assess(actor=u, case=case, expected_version=_version(d)),
    ),
    "propose": Operation(
        ProposeForm,
        lambda u, case, d, form: services.case_propose(
            actor=u,
            case=case,
            eligible=d["eligible"],
            opinion=d["opinion"],
            amount=d["amount"],
            proposed_kind=d["proposed_kind"],
            expected_version=_version(d),
        ),
    ),
    "approve": Operation(
        ApproveForm,
        lambda u, case, d, form: services.case_approve(
            actor=u, case=case, data=form.approval_input(), expected_version=_version(d)
        ),
    ),
    "refuse": Operation(
        RefuseForm,
        lambda u, case, d, form: services.case_refuse(
            actor=u,
            case=case,
            reasons=d["reasons"],
            failed_codes=d["failed_codes"],
            legal_basis=d["legal_basis"],
            expected_version=_version(d),
        ),
    ),
    "stop": Operation(
        StopForm,
        lambda u, case, d, form: services.case_stop(
            actor=u,
            case=case,
            reasons=d["reasons"],
            legal_basis=d["legal_basis"],
            expected_version=_version(d),
        ),
    ),
    "notify": Operation(
        NotifyForm,
        lambda u, case, d, form: services.case_notify(
            actor=u,
            case=case,
            delivered_on=d["delivered_on"],
            method=d["method"],
            expected_version=_version(d),
        ),
    ),
    "help_first": Operation(
        HelpFirstForm,
        lambda u, case, d, form: services.case_help_first(
            actor=u,
            case=case,
            amount=d["amount"] if d["amount"] is not None else "",
            paid_to=d["paid_to"],
            signatures=d["signatures"],
            reason=d["reason"],
            receipt_no=d["receipt_no"],
            paid_on=d["paid_on"],
            expected_version=_version(d),
        ),
    ),
    "deliberate": Operation(
        ReasonForm,
        lambda u, case, d, form: services.case_deliberate(
            actor=u, case=case, reason=d["reason"], expected_version=_version(d)
        ),
    ),
    "reinvestigate": Operation(
        ReasonForm,
        lambda u, case, d, form: services.case_reinvestigate(
            actor=u, case=case, reason=d["reason"], expected_version=_version(d)
        ),
    ),
}
# Moves that need nothing but the table's checks and (where the table says so) a reason.
for _name in (
    "authorise",
    "investigate",
    "submit_review",
    "complete_paperwork",
    "refer_meeting",
    "send_back",
    "terminate",
    "meeting_return",
    "stop_notice",
    "withdraw_stop",
):
    OPERATIONS[_name] = Operation(
        ReasonForm,
        lambda u, case, d, form, _a=_name: services.case_move(
            actor=u, case=case, action=_a, reason=d.get("reason", ""), expected_version=_version(d)
        ),
    )

RECORDS: dict[str, Operation] = {
    "authorisation": Operation(
        AuthorisationForm,
        lambda u, case, d, form: services.authorisation_record(
            actor=u,
            case=case,
            person=form.people[d["person"]],
            signed_by=form.people[d["signed_by"]],
            role=d["role"],
            scope=d["scope"],
            purpose=d["purpose"],
            valid_from=_today(d, "valid_from"),
            valid_to=d["valid_to"],
            esign_record=d["esign_record"],
            upload=d["upload"],
        ),
        _("核对授权"),
        upload=True,
    ),
    "visit": Operation(
        VisitForm,
        lambda u, case, d, form: services.visit_record(
            actor=u,
            case=case,
            kind=d["kind"],
            visited_on=_today(d, "visited_on"),
            investigators=d["investigators"],
            family_signatures=d["family_signatures"],
            remote=d["remote"],
            remote_reason=d["remote_reason"],
            by_county=d["by_county"],
            neighbours=d["neighbours"],
            findings=d["findings"],
            upload=d["upload"],
        ),
        _("调查记录"),
        upload=True,
    ),
    "verification": Operation(
        VerificationForm,
        lambda u, case, d, form: services.verification_attach(
            actor=u,
            case=case,
            issuer=d["issuer"],
            report_number=d["report_number"],
            received_on=_today(d, "received_on"),
            summary=d["summary"],
            concerns=d["concerns"],
            upload=d["upload"],
        ),
        _("核对报告"),
        upload=True,
    ),
    "deliberation": Operation(
        DeliberationForm,
        lambda u, case, d, form: services.deliberation_record(
            actor=u,
            case=case,
            held_on=_today(d, "held_on"),
            participants=d["participants"] or 0,
            representatives=d["representatives"] or 0,
            votes_for=d["votes_for"] or 0,
            votes_against=d["votes_against"] or 0,
            abstentions=d["abstentions"] or 0,
            minutes=d["minutes"],
        ),
        _("民主评议"),
    ),
    "hearing": Operation(
        HearingForm,
        lambda u, case, d, form: services.hearing_record(
            actor=u,
            case=case,
            held_on=_today(d, "held_on"),
            attendees=d["attendees"],
            statement=d["statement"],
            upload=d["upload"],
        ),
        _("陈述申辩"),
        upload=True,
    ),
    "document": Operation(
        DocumentForm,
        lambda u, case, d, form: services.document_upload(
            actor=u,
            case=case,
            kind=d["kind"],
            upload=d["upload"] if d["upload"] is not None else b"",
            title=d["title"],
        ),
        _("上传材料"),
        upload=True,
    ),
    "materials": Operation(
        MaterialsForm,
        lambda u, case, d, form: services.case_commitment(
            actor=u,
            application=case.application,
            materials=d["materials"],
            commitment_signed=d["commitment_signed"],
        ),
        _("材料与承诺书"),
    ),
    "extend": Operation(
        ExtendForm,
        lambda u, case, d, form: services.case_extend(
            actor=u, case=case, reason_code=d["reason_code"], note=d["note"]
        ),
        _("延期"),
    ),
    "complaint": Operation(
        ComplaintForm,
        lambda u, case, d, form: services.complaint_register(
            actor=u,
            case=case,
            kind=d["kind"],
            content=d["content"],
            complainant=d["complainant"],
            contact=d["contact"],
            received_on=d["received_on"],
        ),
        _("申诉/投诉举报"),
    ),
}


def case_people(case: Case) -> list:
    """Who may appear on an authorisation: current members and legal supporters."""
    from safetynet.registry.models import LegalSupporter, Membership

    people = [
        m.person
        for m in Membership.objects.filter(household_id=case.household_id, end_date__isnull=True)
        .select_related("person")
        .order_by("id")
    ]
    seen = {p.pk for p in people}
    for supporter in LegalSupporter.objects.filter(
        household_id=case.household_id, end_date__isnull=True
    ).select_related("person"):
        if supporter.person_id not in seen:
            people.append(supporter.person)
            seen.add(supporter.person_id)
    return people


def operation_form(
    name: str, case: Case, data: Any = None, files: Any = None, *, record: bool = False
) -> forms.Form:
    """The form of an operation on a case, with what it needs from the case."""
    from safetynet.applications import selectors

    op = (RECORDS if record else OPERATIONS)[name]
    kwargs: dict[str, Any] = {}
    if op.form is ResubmitForm:
        kwargs["case"] = case
    elif op.form is ApproveForm:
        kwargs.update(
            case=case, members=selectors.case_members(case=case), defaults=services.approval_defaults(case)
        )
    elif op.form is RefuseForm:
        kwargs["tests"] = selectors.snapshot_program(case).get("tests", [])
    elif op.form is AuthorisationForm:
        kwargs["people"] = case_people(case)
    initial = {"version": case.version} if issubclass(op.form, VersionForm) else {}
    return op.form(data, files, initial=initial, **kwargs)
