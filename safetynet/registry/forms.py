"""Forms of the household pages. They parse what the browser sends into the services' inputs
(``HouseholdInput``, ``MemberInput``, ``PersonInput``); the rules themselves (identity
numbers, one head per household, the reason for a change…) are checked by
``registry.services`` and their errors are put back on the fields by ``apply_errors``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safetynet.core.forms import apply_errors  # noqa: F401  (re-exported)
from safetynet.core.idnumbers import IdKind
from safetynet.regions.choices import Level
from safetynet.regions.models import Region
from safetynet.registry import choices as c
from safetynet.registry.services import HouseholdInput, MemberInput, PersonInput

BLANK = [("", "—")]


def _grade_label(grade: int):
    """ "1级"… in the language of the request (a lazy string, formatted when rendered)."""
    from django.utils.functional import lazy
    from django.utils.translation import gettext

    return lazy(lambda: gettext("%(n)s级") % {"n": grade}, str)()


def _blank(choices) -> list:
    return BLANK + [(v, label) for v, label in choices if v != ""]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _reason_field() -> forms.CharField:
    # Not required here: the services require the reason and say so at the field.
    return forms.CharField(
        label=_("变更原因"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "required": True}),
        help_text=_("说明为什么修改，记入户情变更和变更日志"),
    )


def _set_choices(form: forms.Form, name: str, choices: list) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def village_choices(user) -> list[tuple[str, str]]:
    """Villages the user may file households in (their region's villages; all for an admin
    without a region)."""
    qs = Region.objects.filter(level=Level.VILLAGE).select_related("parent")
    if user.region_id is not None:
        from safetynet.regions.selectors import villages_for_user

        qs = villages_for_user(user).select_related("parent")
    elif user.role != "admin":
        return []
    return [(r.code, f"{r.parent.name if r.parent else ''} {r.name}".strip()) for r in qs.order_by("code")]


class SearchForm(forms.Form):
    id_number = forms.CharField(
        label=_("身份证号码"), required=False, max_length=30, help_text=_("完整号码，精确查找")
    )
    name = forms.CharField(
        label=_("姓名"), required=False, max_length=50, help_text=_("全名或开头的字，如“张”或“张伟”")
    )
    village = forms.ChoiceField(label=_("村/社区"), required=False)

    def __init__(self, *args, villages: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        _set_choices(self, "village", [("", _("全部"))] + villages)


class PersonFields(forms.Form):
    """The fields every person form shares (member rows, a new member, a supporter)."""

    name = forms.CharField(label=_("姓名"), required=False, max_length=50)
    id_kind = forms.ChoiceField(label=_("证件类型"), choices=IdKind.CHOICES, initial=IdKind.RESIDENT)
    id_number = forms.CharField(
        label=_("证件号码"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    birth_date = forms.DateField(
        label=_("出生日期"), required=False, widget=DateInput(), help_text=_("可不填：按身份证号码识别")
    )
    sex = forms.ChoiceField(
        label=_("性别"),
        choices=_blank(c.Sex.choices),
        required=False,
        help_text=_("可不填：按身份证号码识别"),
    )
    phone = forms.CharField(
        label=_("联系电话"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    def person_input(self) -> PersonInput:
        d = self.cleaned_data
        extra = {k: d[k] for k in MemberForm.MORE if k in d}
        if extra.get("disability_grade") is None:
            extra.pop("disability_grade", None)
        return PersonInput(
            name=d["name"],
            id_kind=d["id_kind"],
            id_number=d["id_number"],
            birth_date=d["birth_date"],
            sex=d["sex"],
            phone=d["phone"],
            **extra,
        )


class MemberForm(PersonFields):
    """One member row of the household form."""

    relation = forms.ChoiceField(label=_("与户主关系"), choices=c.Relation.choices, initial=c.Relation.CHILD)
    hukou_type = forms.ChoiceField(label=_("户口性质"), choices=_blank(c.HukouType.choices), required=False)
    hukou_address = forms.CharField(label=_("户籍地址"), required=False, max_length=200)
    disability_category = forms.ChoiceField(
        label=_("残疾类别"), choices=c.DisabilityCategory.choices, required=False
    )
    disability_grade = forms.TypedChoiceField(
        label=_("残疾等级"),
        choices=BLANK + [(i, _grade_label(i)) for i in range(1, 5)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    serious_illness = forms.BooleanField(label=_("患重特大疾病"), required=False)
    illness_name = forms.CharField(label=_("疾病名称"), required=False, max_length=100)
    work_capacity = forms.ChoiceField(
        label=_("劳动能力"), choices=c.WorkCapacity.choices, initial=c.WorkCapacity.FULL
    )
    schooling = forms.ChoiceField(
        label=_("在学情况"), choices=c.Schooling.choices, initial=c.Schooling.NOT_IN_SCHOOL
    )
    full_time_student = forms.BooleanField(label=_("全日制在校"), required=False)
    employment = forms.ChoiceField(
        label=_("就业状况"), choices=c.Employment.choices, initial=c.Employment.NOT_APPLICABLE
    )
    counted = forms.BooleanField(label=_("计入共同生活家庭成员"), required=False, initial=True)
    exclusion_reason = forms.ChoiceField(
        label=_("不计入原因"),
        choices=_blank(c.ExclusionReason.choices),
        required=False,
        help_text=_("不计入时必填"),
    )

    MAIN = ("name", "relation", "id_kind", "id_number", "birth_date", "sex")
    MORE = (
        "hukou_type",
        "hukou_address",
        "disability_category",
        "disability_grade",
        "serious_illness",
        "illness_name",
        "work_capacity",
        "schooling",
        "full_time_student",
        "employment",
    )
    MEMBERSHIP = ("phone", "counted", "exclusion_reason")

    def is_blank(self) -> bool:
        """A row the user left empty (no name, no number) is ignored."""
        return not (
            self.data.get(self.add_prefix("name"), "").strip()
            or self.data.get(self.add_prefix("id_number"), "").strip()
        )

    def main_fields(self):
        return [self[n] for n in self.MAIN]

    def more_fields(self):
        return [self[n] for n in self.MORE + self.MEMBERSHIP]

    def more_has_errors(self) -> bool:
        return any(self[n].errors for n in self.MORE + self.MEMBERSHIP)

    def member_input(self) -> MemberInput:
        d = self.cleaned_data
        return MemberInput(
            person=self.person_input(),
            relation=d["relation"],
            counted=d["counted"],
            exclusion_reason=d["exclusion_reason"],
        )


class HouseholdForm(forms.Form):
    """The household's own fields when filing a new household (建档)."""

    village = forms.ChoiceField(label=_("所属村/社区"))
    address = forms.CharField(label=_("居住地址"), required=False, max_length=200)
    hukou_type = forms.ChoiceField(label=_("户口性质"), choices=_blank(c.HukouType.choices), required=False)
    phone = forms.CharField(
        label=_("联系电话"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    bank_name = forms.CharField(label=_("开户银行"), required=False, max_length=60)
    account_holder = forms.CharField(label=_("账户户名"), required=False, max_length=50)
    account_number = forms.CharField(
        label=_("银行账号"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    reason = forms.CharField(
        label=_("建档说明"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("可不填，默认为“新建家庭档案”"),
    )

    ALIASES = {"region_code": "village"}

    def __init__(self, *args, villages: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        _set_choices(self, "village", BLANK + villages)

    def household_input(self, members: list[MemberInput]) -> HouseholdInput:
        d = self.cleaned_data
        return HouseholdInput(
            region_code=d["village"],
            address=d["address"],
            hukou_type=d["hukou_type"],
            members=members,
            phone=d["phone"],
            bank_name=d["bank_name"],
            account_holder=d["account_holder"],
            account_number=d["account_number"],
        )


class HouseholdEditForm(forms.Form):
    address = forms.CharField(label=_("居住地址"), required=False, max_length=200)
    hukou_type = forms.ChoiceField(label=_("户口性质"), choices=_blank(c.HukouType.choices), required=False)
    phone = forms.CharField(
        label=_("新联系电话"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text=_("留空则不修改"),
    )
    bank_name = forms.CharField(label=_("开户银行"), required=False, max_length=60)
    account_holder = forms.CharField(label=_("账户户名"), required=False, max_length=50)
    account_number = forms.CharField(
        label=_("新银行账号"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("留空则不修改"),
    )
    reason = _reason_field()

    def changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        changes = {k: d[k] for k in ("address", "hukou_type", "bank_name", "account_holder")}
        for secret in ("phone", "account_number"):
            if d[secret].strip():
                changes[secret] = d[secret].strip()
        return changes


class MemberAddForm(MemberForm):
    start_date = forms.DateField(
        label=_("加入日期"), required=False, widget=DateInput(), help_text=_("留空为今天")
    )
    reason = _reason_field()


class MemberEditForm(forms.Form):
    name = forms.CharField(label=_("姓名"), required=False, max_length=50)
    phone = forms.CharField(
        label=_("新联系电话"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text=_("留空则不修改"),
    )
    reason = _reason_field()

    EDITABLE = ("name",) + MemberForm.MORE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        template = MemberForm()
        for name in MemberForm.MORE:
            self.fields[name] = template.fields[name]
        self.order_fields(["name", *MemberForm.MORE, "phone", "reason"])

    def changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        changes = {k: d[k] for k in self.EDITABLE}
        if d["phone"].strip():
            changes["phone"] = d["phone"].strip()
        return changes


class MemberLeaveForm(forms.Form):
    EVENTS = [("left", _("离开本户（迁出、分户等）")), ("died", _("死亡"))]

    event = forms.ChoiceField(label=_("变动类型"), choices=EVENTS, widget=forms.RadioSelect, initial="left")
    day = forms.DateField(label=_("日期"), required=False, widget=DateInput(), help_text=_("留空为今天"))
    reason = _reason_field()


class SupporterForm(PersonFields):
    relation = forms.ChoiceField(
        label=_("与被赡养/抚养人关系"),
        choices=[(v, label) for v, label in c.Relation.choices if v != c.Relation.SELF],
    )
    duty = forms.ChoiceField(label=_("义务类型"), choices=c.SupportDuty.choices)
    supported = forms.ChoiceField(label=_("被赡养/抚养人"), required=False)
    address = forms.CharField(label=_("居住地址"), required=False, max_length=200)
    reason = _reason_field()

    field_order = [
        "name",
        "id_kind",
        "id_number",
        "birth_date",
        "sex",
        "phone",
        "relation",
        "duty",
        "supported",
        "address",
        "reason",
    ]

    def __init__(self, *args, members: list, **kwargs):
        super().__init__(*args, **kwargs)
        _set_choices(self, "supported", BLANK + [(str(m.person_id), m.person.name) for m in members])


class DeclarationForm(forms.Form):
    KINDS = {"income": c.IncomeKind, "asset": c.AssetKind, "expense": c.ExpenseKind}
    TITLES = {"income": _("收入申报"), "asset": _("财产申报"), "expense": _("刚性支出申报")}

    kind = forms.ChoiceField(label=_("类型"))
    person = forms.ChoiceField(label=_("所属成员"), required=False, help_text=_("家庭共有的留空"))
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=14, decimal_places=2, min_value=0)
    quantity = forms.IntegerField(label=_("数量"), min_value=1, initial=1, required=False)
    area = forms.DecimalField(
        label=_("面积（平方米）"), max_digits=10, decimal_places=2, required=False, min_value=0
    )
    period_start = forms.DateField(label=_("所属期间起"), widget=DateInput())
    period_end = forms.DateField(label=_("所属期间止"), widget=DateInput())
    source = forms.ChoiceField(label=_("来源"), choices=c.Source.choices, initial=c.Source.DECLARED)
    as_of = forms.DateField(
        label=_("截至日期"), required=False, widget=DateInput(), help_text=_("留空为今天")
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=200)
    reason = _reason_field()

    def __init__(self, *args, what: str, members: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.what = what
        _set_choices(self, "kind", self.KINDS[what].choices)
        _set_choices(self, "person", BLANK + [(str(m.person_id), m.person.name) for m in members])
        self.members = {str(m.person_id): m.person for m in members}
        if what != "asset":
            del self.fields["quantity"]
            del self.fields["area"]

    @property
    def title(self):
        return self.TITLES[self.what]

    def service_args(self) -> dict[str, Any]:
        d = self.cleaned_data
        args = {k: d[k] for k in ("kind", "amount", "period_start", "period_end", "source", "as_of", "note")}
        args["person"] = self.members.get(d["person"]) if d["person"] else None
        if self.what == "asset":
            args["quantity"] = d["quantity"] or 1
            args["area"] = d["area"]
        return args
