"""Request and response shapes of the registry API.

Inputs only parse (types, required fields, unknown fields refused); every rule about the values
(identity numbers, choices, scope, conflicts) is the services' and comes back as a 422 keyed by
field. Choice fields are therefore plain strings here, with their codes listed in the OpenAPI
document. Outputs carry masked identity numbers, phones and accounts only; the full value is
``POST /persons/{id}/reveal`` (logged).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from decimal import Decimal
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict, field_serializer, field_validator

from safetynet.core.idnumbers import IdKind
from safetynet.registry import choices as c
from safetynet.registry.services import HouseholdInput, MemberInput, PersonInput


def _codes(choices: Any) -> dict[str, Any]:
    return {"enum": [value for value in choices.values]}


CENT = Decimal("0.01")
# Default of PATCH fields: a field that is not sent is left as it is (``exclude_unset``); an
# explicit null for a text field is a 422. Typed Any so that ``name: str = Field(OMITTED)`` checks.
OMITTED: Any = None
ID_KINDS: dict[str, Any] = {"enum": [k for k, _label in IdKind.CHOICES]}


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


# ---- inputs ----------------------------------------------------------------------------------


class MemberIn(Input):
    """A member as one flat object; errors come back as ``members.<i>.<field>``."""

    name: str = Field(description="姓名")
    id_number: str = Field("", description="证件号码（居民身份证18位或旧版15位等）")
    id_kind: str = Field(IdKind.RESIDENT, description="证件类型", json_schema_extra=ID_KINDS)
    birth_date: dt.date | None = Field(None, description="出生日期（证件号码不含出生日期时必填）")
    sex: str = Field("", description="性别 M/F（可由证件号码推出）", json_schema_extra=_codes(c.Sex))
    phone: str = Field("", description="联系电话")
    hukou_type: str = Field("", description="户口性质", json_schema_extra=_codes(c.HukouType))
    hukou_address: str = Field("", description="户籍地址")
    disability_category: str = Field(
        "", description="残疾类别", json_schema_extra=_codes(c.DisabilityCategory)
    )
    disability_grade: int | None = Field(None, description="残疾等级 1–4")
    serious_illness: bool = Field(False, description="患重特大疾病")
    illness_name: str = Field("", description="疾病名称")
    work_capacity: str = Field(
        c.WorkCapacity.FULL, description="劳动能力", json_schema_extra=_codes(c.WorkCapacity)
    )
    schooling: str = Field(
        c.Schooling.NOT_IN_SCHOOL, description="在学情况", json_schema_extra=_codes(c.Schooling)
    )
    full_time_student: bool = Field(False, description="全日制在校")
    employment: str = Field(
        c.Employment.NOT_APPLICABLE, description="就业状况", json_schema_extra=_codes(c.Employment)
    )
    relation: str = Field(
        c.Relation.SELF, description="与户主关系（户主为 self）", json_schema_extra=_codes(c.Relation)
    )
    counted: bool = Field(True, description="计入共同生活家庭成员")
    exclusion_reason: str = Field(
        "", description="不计入的法定原因", json_schema_extra=_codes(c.ExclusionReason)
    )

    def to_input(self) -> MemberInput:
        person = PersonInput(**{f.name: getattr(self, f.name) for f in fields(PersonInput)})
        return MemberInput(
            person=person,
            relation=self.relation,
            counted=self.counted,
            exclusion_reason=self.exclusion_reason,
        )


class HouseholdCreateIn(Input):
    region_code: str = Field(description="所属村/社区的12位区划代码")
    address: str = Field(description="居住地址")
    hukou_type: str = Field(description="户口性质", json_schema_extra=_codes(c.HukouType))
    members: list[MemberIn] = Field(description="家庭成员，其中恰好一人 relation=self（户主）")
    phone: str = Field("", description="联系电话")
    bank_name: str = Field("", description="开户银行")
    account_holder: str = Field("", description="账户户名")
    account_number: str = Field("", description="银行账号")
    reason: str = Field("", description="建档原因（记入变更日志）")

    def to_input(self) -> HouseholdInput:
        return HouseholdInput(
            region_code=self.region_code,
            address=self.address,
            hukou_type=self.hukou_type,
            members=[m.to_input() for m in self.members],
            phone=self.phone,
            bank_name=self.bank_name,
            account_holder=self.account_holder,
            account_number=self.account_number,
        )


class HouseholdPatchIn(Input):
    """Only the fields sent are changed; ``reason`` is required."""

    reason: str = Field(description="变更原因")
    address: str = Field(OMITTED, description="居住地址")
    hukou_type: str = Field(OMITTED, description="户口性质", json_schema_extra=_codes(c.HukouType))
    phone: str = Field(OMITTED, description="联系电话（空字符串表示清除）")
    bank_name: str = Field(OMITTED, description="开户银行")
    account_holder: str = Field(OMITTED, description="账户户名")
    account_number: str = Field(OMITTED, description="银行账号（空字符串表示清除）")

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude={"reason"})


class MemberJoinIn(MemberIn):
    relation: str = Field(description="与户主关系（不能是 self）", json_schema_extra=_codes(c.Relation))
    reason: str = Field(description="变更原因")
    start_date: dt.date | None = Field(None, description="加入日期（默认今天）")


class MemberLeaveIn(Input):
    reason: str = Field(description="变更原因")
    date: dt.date | None = Field(None, description="离开或死亡日期（默认今天）")
    died: bool = Field(False, description="成员死亡")


class PersonPatchIn(Input):
    """Only the fields sent are changed; ``reason`` is required. Identity number, birth date and
    sex are not edited here (they follow the identity document)."""

    reason: str = Field(description="变更原因")
    name: str = Field(OMITTED, description="姓名")
    phone: str = Field(OMITTED, description="联系电话（空字符串表示清除）")
    hukou_type: str = Field(OMITTED, description="户口性质", json_schema_extra=_codes(c.HukouType))
    hukou_address: str = Field(OMITTED, description="户籍地址")
    disability_category: str = Field(
        OMITTED, description="残疾类别", json_schema_extra=_codes(c.DisabilityCategory)
    )
    disability_grade: int | None = Field(None, description="残疾等级 1–4")
    serious_illness: bool = Field(OMITTED, description="患重特大疾病")
    illness_name: str = Field(OMITTED, description="疾病名称")
    work_capacity: str = Field(OMITTED, description="劳动能力", json_schema_extra=_codes(c.WorkCapacity))
    schooling: str = Field(OMITTED, description="在学情况", json_schema_extra=_codes(c.Schooling))
    full_time_student: bool = Field(OMITTED, description="全日制在校")
    employment: str = Field(OMITTED, description="就业状况", json_schema_extra=_codes(c.Employment))

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude={"reason"})


class DeclarationIn(Input):
    what: Literal["income", "asset", "expense"] = Field(description="申报类别：收入、财产或刚性支出")
    kind: str = Field(description="类型代码（收入、财产或支出的类型）")
    amount: Decimal | str = Field(description="金额（元）")
    period_start: dt.date = Field(description="所属期间起")
    period_end: dt.date = Field(description="所属期间止")
    reason: str = Field(description="变更原因")
    person_id: int | None = Field(None, description="所属成员（人员 id）；不填表示全家")
    source: str = Field(c.Source.DECLARED, description="来源", json_schema_extra=_codes(c.Source))
    as_of: dt.date | None = Field(None, description="截至日期（默认今天）")
    quantity: int = Field(1, ge=0, description="数量（财产）")
    area: Decimal | None = Field(None, description="面积（平方米，住房等财产）")
    note: str = Field("", description="说明")


class RevealIn(Input):
    field: Literal["id_number", "phone"] = Field(description="要查看完整值的字段")
    purpose: str = Field(description="查看目的（记入访问日志）")

    @field_validator("purpose")
    @classmethod
    def _purpose_given(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(_("请填写查看目的"))
        return value.strip()


class HouseholdRevealIn(RevealIn):
    field: Literal["phone", "account_number"] = Field(description="要查看完整值的字段")  # type: ignore[assignment]


class HouseholdFilters(Schema):
    id_number: str = Field("", description="完整证件号码（精确匹配，经盲索引）")
    name: str = Field("", description="成员姓名（全名或开头几个字）")
    region: str = Field(
        "", description="区划代码（村、乡镇或县，12位）", json_schema_extra={"pattern": r"^(\d{12})?$"}
    )

    @field_validator("region")
    @classmethod
    def _region_code(cls, value: str) -> str:
        value = value.strip()
        if value and not (len(value) == 12 and value.isdigit()):
            raise ValueError(_("区划代码应为12位数字：%(v)s") % {"v": value})
        return value


# ---- outputs ---------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    name: str
    id_kind: str
    id_masked: str = Field(description="证件号码（脱敏）")
    needs_followup: bool = Field(description="待补录证件号")
    birth_date: dt.date | None
    sex: str
    phone_masked: str = Field(description="联系电话（脱敏）")
    hukou_type: str
    hukou_address: str
    disability_category: str
    disability_grade: int | None
    serious_illness: bool
    illness_name: str
    work_capacity: str
    schooling: str
    full_time_student: bool
    employment: str
    death_date: dt.date | None
    region_code: str
    updated_at: dt.datetime


class PersonMembershipOut(Schema):
    id: int
    household_id: int
    household_number: str = Field(alias="household.number")
    relation: str
    counted: bool
    start_date: dt.date
    end_date: dt.date | None


class PersonDetailOut(PersonOut):
    memberships: list[PersonMembershipOut] = Field(description="本人在您管辖范围内的家庭成员关系（含历史）")

    @staticmethod
    def resolve_memberships(obj: Any) -> list:
        return obj.visible_memberships


class MembershipOut(Schema):
    id: int
    household_id: int
    relation: str
    counted: bool
    exclusion_reason: str
    start_date: dt.date
    end_date: dt.date | None
    end_reason: str
    person: PersonOut


class SupporterPersonOut(Schema):
    id: int
    name: str
    id_masked: str


class SupporterOut(Schema):
    id: int
    relation: str
    duty: str
    address: str
    supported_id: int | None
    person: SupporterPersonOut


class HouseholdOut(Schema):
    id: int
    number: str = Field(description="家庭编号")
    region_code: str
    region_name: str = Field(alias="region.name")
    address: str
    hukou_type: str
    head_id: int | None
    head_name: str
    size: int = Field(description="共同生活人数")
    phone_masked: str
    bank_name: str
    account_holder: str
    account_masked: str
    status: str
    updated_at: dt.datetime


class DeclarationOut(Schema):
    id: int
    kind: str
    amount: Decimal
    period_start: dt.date
    period_end: dt.date
    source: str
    as_of: dt.date
    person_id: int | None
    note: str

    @field_serializer("amount")
    def _yuan(self, value: Decimal) -> str:
        return str(value.quantize(CENT))


class DeclarationGroupOut(Schema):
    count: int
    recent: list[DeclarationOut] = Field(description="最近的申报（按截至日期倒序，至多20条）")


class DeclarationsOut(Schema):
    incomes: DeclarationGroupOut
    assets: DeclarationGroupOut
    expenses: DeclarationGroupOut


class HouseholdDetailOut(HouseholdOut):
    """Built from ``registry.selectors.household_get`` (current members and supporters
    prefetched) with ``declarations`` attached by the view."""

    members: list[MembershipOut] = Field(description="当前成员")
    supporters: list[SupporterOut] = Field(description="当前法定赡养/抚养/扶养义务人")
    declarations: DeclarationsOut

    @staticmethod
    def resolve_members(obj: Any) -> list:
        return obj.current_members

    @staticmethod
    def resolve_supporters(obj: Any) -> list:
        return obj.current_supporters


class DeclarationCreatedOut(DeclarationOut):
    what: str
    household_id: int


class ChangeReportOut(Schema):
    id: int
    kind: str
    kind_label: str
    person_id: int | None
    person_name: str | None
    reason: str
    before: Any
    after: Any
    actor_name: str
    created_at: dt.datetime

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_person_name(obj: Any) -> str | None:
        return obj.person.name if obj.person_id else None


class RevealOut(Schema):
    field: str
    value: str = Field(description="完整值（本次查看已记入访问日志）")


class ErrorOut(Schema):
    detail: str


class FieldErrorsOut(Schema):
    errors: dict[str, list[str]] = Field(description="字段 → 错误信息列表，如 members.0.id_number")
