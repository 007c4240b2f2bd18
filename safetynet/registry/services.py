"""Writes of the registry. Each service validates, runs in one transaction, and writes its
change-log rows and the household's change report explicitly."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core import crypto
from safetynet.core.idnumbers import IdentityError, IdKind, cross_check, parse_identity
from safetynet.core.masking import mask_account, mask_id_number, mask_phone
from safetynet.core.permissions import region_bounds, require
from safetynet.core.services import access_log_write, change_log_write, snapshot
from safetynet.regions.choices import Level
from safetynet.regions.models import Region
from safetynet.registry import choices as c
from safetynet.registry.models import (
    AssetItem,
    ChangeReport,
    Household,
    IncomeItem,
    LegalSupporter,
    Membership,
    Person,
    RigidExpense,
)


class ConflictError(ValidationError):
    """A person is already counted in another household."""


@dataclass
class PersonInput:
    """What a form, an API call or an import row says about a person."""

    name: str
    id_number: str = ""
    id_kind: str = IdKind.RESIDENT
    birth_date: dt.date | None = None
    sex: str = ""
    phone: str = ""
    hukou_type: str = ""
    hukou_address: str = ""
    disability_category: str = ""
    disability_grade: int | None = None
    serious_illness: bool = False
    illness_name: str = ""
    work_capacity: str = c.WorkCapacity.FULL
    schooling: str = c.Schooling.NOT_IN_SCHOOL
    full_time_student: bool = False
    employment: str = c.Employment.NOT_APPLICABLE


@dataclass
class MemberInput:
    person: PersonInput
    relation: str = c.Relation.SELF
    counted: bool = True
    exclusion_reason: str = ""


@dataclass
class HouseholdInput:
    region_code: str
    address: str
    hukou_type: str
    members: list[MemberInput] = field(default_factory=list)
    phone: str = ""
    bank_name: str = ""
    account_holder: str = ""
    account_number: str = ""


PERSON_FIELDS = [f.name for f in fields(PersonInput) if f.name not in {"id_number", "id_kind", "phone"}]


def _choice(errors: dict, key: str, value: str, options, *, allow_blank: bool = True) -> None:
    if value == "" and allow_blank:
        return
    if value not in options.values:
        errors.setdefault(key, []).append(
            _("“%(v)s”不是有效选项（可选：%(o)s）")
            % {"v": value, "o": "、".join(str(x) for x in options.values if x)}
        )


def person_validate(
    data: PersonInput, *, prefix: str = "", today: dt.date | None = None
) -> tuple[Any, dict[str, list[str]]]:
    """Check a person's fields; returns the parsed identity and errors keyed by field."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    identity = None
    if not data.name.strip():
        errors.setdefault(prefix + "name", []).append(_("姓名不能为空"))
    elif len(data.name.strip()) > 50:
        errors.setdefault(prefix + "name", []).append(_("姓名过长（最多50个字）"))
    if data.id_kind not in {k for k, _label in IdKind.CHOICES}:
        errors.setdefault(prefix + "id_kind", []).append(_("未知的证件类型：%(k)s") % {"k": data.id_kind})
    else:
        try:
            identity = parse_identity(data.id_kind, data.id_number, today=today)
        except IdentityError as exc:
            errors.setdefault(prefix + "id_number", []).append(exc.message)
    if identity is not None:
        for fld, msg in cross_check(identity, birth_date=data.birth_date, sex=data.sex or None):
            errors.setdefault(prefix + fld, []).append(msg)
    if data.birth_date and data.birth_date > today:
        errors.setdefault(prefix + "birth_date", []).append(_("出生日期不能晚于今天"))
    if (
        identity is not None
        and identity.birth_date is None
        and data.birth_date is None
        and data.id_kind != IdKind.PLATFORM
    ):
        errors.setdefault(prefix + "birth_date", []).append(_("该证件号码不含出生日期，请填写出生日期"))
    _choice(errors, prefix + "sex", data.sex, c.Sex)
    _choice(errors, prefix + "hukou_type", data.hukou_type, c.HukouType)
    _choice(errors, prefix + "disability_category", data.disability_category, c.DisabilityCategory)
    _choice(errors, prefix + "work_capacity", data.work_capacity, c.WorkCapacity, allow_blank=False)
    _choice(errors, prefix + "schooling", data.schooling, c.Schooling, allow_blank=False)
    _choice(errors, prefix + "employment", data.employment, c.Employment, allow_blank=False)
    if data.disability_category and data.disability_grade not in (1, 2, 3, 4):
        errors.setdefault(prefix + "disability_grade", []).append(_("有残疾类别时必须填写残疾等级（1-4级）"))
    if not data.disability_category and data.disability_grade:
        errors.setdefault(prefix + "disability_grade", []).append(_("填写残疾等级时必须选择残疾类别"))
    if data.phone and not data.phone.replace("-", "").isdigit():
        errors.setdefault(prefix + "phone", []).append(_("联系电话只能包含数字"))
    return identity, errors


def _person_values(data: PersonInput, identity) -> dict[str, Any]:
    values = {name: getattr(data, name) for name in PERSON_FIELDS}
    values["name"] = data.name.strip()
    values["birth_date"] = data.birth_date or identity.birth_date
    values["sex"] = data.sex or identity.sex or ""
    values["id_kind"] = identity.kind
    values["id_enc"] = crypto.encrypt(identity.number)
    values["id_hash"] = crypto.blind_index(identity.number)
    values["id_masked"] = mask_id_number(identity.number)
    values["needs_followup"] = identity.kind == IdKind.PLATFORM
    values["phone_enc"] = crypto.encrypt(data.phone) if data.phone else ""
    values["phone_masked"] = mask_phone(data.phone)
    return values


def _check_scope(
    actor, region_code: str, key: str = "region_code", regions: dict[str, Region | None] | None = None
) -> Region:
    """The village a household is filed in, if it exists and is in the actor's scope. ``regions``
    memoises the lookups across calls (a batch import checks thousands of households)."""
    regions = {} if regions is None else regions
    if region_code not in regions:
        regions[region_code] = Region.objects.filter(code=region_code).first()
    region = regions[region_code]
    if region is None:
        raise ValidationError({key: [_("区划代码 %(c)s 不存在") % {"c": region_code}]})
    if region.level != Level.VILLAGE:
        raise ValidationError(
            {key: [_("家庭必须登记在村/社区一级（%(c)s 不是村/社区）") % {"c": region_code}]}
        )
    if actor.region_id is not None:
        low, high = region_bounds(actor.region_id)
        if not (low <= region_code <= high):
            raise ValidationError({key: [_("区划 %(c)s 不在您的管辖范围内") % {"c": region_code}]})
    elif actor.role != "admin":
        raise PermissionDenied("no region")
    return region


def _conflict(actor, person: Person, key: str) -> ConflictError:
    other = (
        Membership.objects.filter(person=person, counted=True, end_date__isnull=True)
        .select_related("household")
        .first()
    )
    message = _("证件号码为 %(m)s 的人员已是另一个家庭的共同生活成员，不能重复计入") % {"m": person.id_masked}
    if other is not None and Household.objects.restrict(actor, "view").filter(pk=other.household_id).exists():
        message += _("（家庭编号 %(n)s，户主 %(h)s）") % {
            "n": other.household.number,
            "h": other.household.head_name,
        }
    return ConflictError({key: [message]})


def _report(
    *,
    household: Household,
    kind: str,
    actor,
    reason: str,
    person: Person | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> ChangeReport:
    return ChangeReport.objects.create(
        household=household,
        kind=kind,
        person=person,
        reason=reason,
        before=before,
        after=after,
        created_by=actor if getattr(actor, "pk", None) else None,
        actor_name=actor.get_username() if getattr(actor, "pk", None) else "system",
    )


def _next_number(region_code: str) -> str:
    last = (
        Household.objects.filter(number__startswith="H" + region_code)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last[-5:]) + 1 if last else 1
    return f"H{region_code}{seq:05d}"


def _require_reason(reason: str) -> None:
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("请填写变更原因")]})


def _person_for_member(actor, data: PersonInput, identity, key: str) -> tuple[Person, bool]:
    """The existing person with this identity number, or a new one. Returns (person, created)."""
    existing = Person.objects.filter(id_hash=crypto.blind_index(identity.number)).first()
    if existing is not None:
        return existing, False
    values = _person_values(data, identity)
    person = Person(created_by=actor if getattr(actor, "pk", None) else None, region_code="", **values)
    return person, True


def _add_member(
    actor, household: Household, member: MemberInput, identity, key: str, start: dt.date
) -> Membership:
    person, created = _person_for_member(actor, member.person, identity, key)
    if not created:
        busy = Membership.objects.filter(person=person, end_date__isnull=True)
        if busy.filter(household=household).exists():
            raise ValidationError({key: [_("该人员已在本家庭中")]})
        if member.counted and busy.filter(counted=True).exists():
            raise _conflict(actor, person, key)
    person.region_code = household.region_code
    person.full_clean(exclude=["id_enc", "region_code"])
    person.save()
    change_log_write(
        actor=actor,
        action="create" if created else "update",
        obj=person,
        after=snapshot(person),
        reason="member added to household " + household.number,
    )
    membership = Membership(
        household=household,
        person=person,
        relation=member.relation,
        counted=member.counted,
        exclusion_reason="" if member.counted else member.exclusion_reason,
        start_date=start,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    membership.full_clean(exclude=["household", "person"])
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise _conflict(actor, person, key) from None
    change_log_write(
        actor=actor,
        action="create",
        obj=membership,
        after=snapshot(membership),
        reason="member added to household " + household.number,
    )
    return membership


def _validate_members(members: list[MemberInput]) -> tuple[list, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    identities = []
    numbers: dict[str, int] = {}
    for i, member in enumerate(members):
        prefix = f"members.{i}."
        identity, errs = person_validate(member.person, prefix=prefix)
        errors.update(errs)
        if member.relation not in c.Relation.values:
            errors.setdefault(prefix + "relation", []).append(
                _("与户主关系无效：%(v)s") % {"v": member.relation}
            )
        if not member.counted and member.exclusion_reason not in c.ExclusionReason.values:
            errors.setdefault(prefix + "exclusion_reason", []).append(
                _("不计入共同生活家庭成员时必须选择法定原因")
            )
        if identity is not None and identity.kind != IdKind.PLATFORM:
            if identity.number in numbers:
                errors.setdefault(prefix + "id_number", []).append(
                    _("证件号码与第 %(n)s 名成员重复") % {"n": numbers[identity.number] + 1}
                )
            numbers[identity.number] = i
        identities.append(identity)
    heads = [m for m in members if m.relation == c.Relation.SELF]
    if len(heads) != 1:
        errors.setdefault("members", []).append(_("家庭必须有且只有一名户主（与户主关系为“本人”）"))
    return identities, errors


def _household_sensitive(values: HouseholdInput) -> dict[str, str]:
    return {
        "phone_enc": crypto.encrypt(values.phone) if values.phone else "",
        "phone_masked": mask_phone(values.phone),
        "account_enc": crypto.encrypt(values.account_number) if values.account_number else "",
        "account_masked": mask_account(values.account_number),
    }


def household_validate(
    *, actor, data: HouseholdInput, regions: dict[str, Region | None] | None = None
) -> tuple[Region | None, list, dict[str, list[str]]]:
    """The checks of ``household_create`` without writing (the batch import uses them too):
    the region (None when it fails), the parsed identities and the errors keyed by field."""
    errors: dict[str, list[str]] = {}
    if not data.address.strip():
        errors.setdefault("address", []).append(_("居住地址不能为空"))
    if data.hukou_type not in c.HukouType.values:
        errors.setdefault("hukou_type", []).append(_("户口性质必须是城镇或农村"))
    if data.account_number and not data.account_number.replace(" ", "").isdigit():
        errors.setdefault("account_number", []).append(_("银行账号只能包含数字"))
    identities, member_errors = _validate_members(data.members)
    errors.update(member_errors)
    try:
        region = _check_scope(actor, data.region_code, regions=regions)
    except ValidationError as exc:
        for key, msgs in exc.message_dict.items():
            errors.setdefault(key, []).extend(msgs)
        region = None
    return region, identities, errors


def household_create(
    *, actor, data: HouseholdInput, reason: str = "", today: dt.date | None = None
) -> Household:
    """File a new household with its members (建档)."""
    require(actor, Household, "add")
    today = today or timezone.localdate()
    region, identities, errors = household_validate(actor=actor, data=data)
    if errors:
        raise ValidationError(errors)
    assert region is not None
    with transaction.atomic():
        household = Household(
            number=_next_number(region.code),
            region=region,
            region_code=region.code,
            address=data.address.strip(),
            hukou_type=data.hukou_type,
            bank_name=data.bank_name,
            account_holder=data.account_holder,
            created_by=actor if getattr(actor, "pk", None) else None,
            **_household_sensitive(data),
        )
        household.save()
        members = [
            _add_member(actor, household, member, identity, f"members.{i}.id_number", today)
            for i, (member, identity) in enumerate(zip(data.members, identities, strict=True))
        ]
        head = next(m.person for m in members if m.relation == c.Relation.SELF)
        household.head = head
        household.head_name = head.name
        household.size = sum(1 for m in members if m.counted)
        household.save(update_fields=["head", "head_name", "size"])
        change_log_write(
            actor=actor,
            action="create",
            obj=household,
            after=snapshot(household),
            reason=reason or "household filed",
        )
        _report(
            household=household,
            kind=c.ChangeKind.CREATED,
            actor=actor,
            reason=reason or _("新建家庭档案"),
            after={"members": [m.person.name for m in members]},
        )
    return household


HOUSEHOLD_EDITABLE = ("address", "hukou_type", "bank_name", "account_holder")


def household_update(*, actor, household: Household, reason: str, changes: dict[str, Any]) -> Household:
    """Edit a household's own fields (address, hukou type, payment details)."""
    require(actor, Household, "change")
    _require_reason(reason)
    household = Household.objects.restrict(actor, "change").get(pk=household.pk)
    before = snapshot(household)
    errors: dict[str, list[str]] = {}
    for key, value in changes.items():
        if key in HOUSEHOLD_EDITABLE:
            setattr(household, key, value)
        elif key == "phone":
            household.phone_enc = crypto.encrypt(value) if value else ""
            household.phone_masked = mask_phone(value)
        elif key == "account_number":
            if value and not str(value).replace(" ", "").isdigit():
                errors.setdefault("account_number", []).append(_("银行账号只能包含数字"))
            household.account_enc = crypto.encrypt(value) if value else ""
            household.account_masked = mask_account(value)
        else:
            errors.setdefault(key, []).append(_("该字段不能在此修改"))
    if not household.address.strip():
        errors.setdefault("address", []).append(_("居住地址不能为空"))
    if household.hukou_type not in c.HukouType.values:
        errors.setdefault("hukou_type", []).append(_("户口性质必须是城镇或农村"))
    if errors:
        raise ValidationError(errors)
    after = snapshot(household)
    diff_before = {k: v for k, v in before.items() if after.get(k) != v}
    diff_after = {k: after[k] for k in diff_before}
    if not diff_after:
        return household
    with transaction.atomic():
        household.updated_at = timezone.now()
        household.save()
        change_log_write(
            actor=actor, action="update", obj=household, before=diff_before, after=diff_after, reason=reason
        )
        kind = c.ChangeKind.ADDRESS if set(diff_after) <= {"address"} else c.ChangeKind.EDITED
        _report(
            household=household, kind=kind, actor=actor, reason=reason, before=diff_before, after=diff_after
        )
    return household


def member_add(
    *, actor, household: Household, member: MemberInput, reason: str, start: dt.date | None = None
) -> Membership:
    """A person joins the household (成员加入)."""
    require(actor, Membership, "add")
    _require_reason(reason)
    household = Household.objects.restrict(actor, "change").get(pk=household.pk)
    identities, errors = _validate_members([member])
    errors.pop("members", None)
    if member.relation == c.Relation.SELF:
        errors.setdefault("members.0.relation", []).append(_("家庭已有户主；新成员的关系不能是“本人”"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        membership = _add_member(
            actor, household, member, identities[0], "members.0.id_number", start or timezone.localdate()
        )
        household.size = household.memberships.filter(counted=True, end_date__isnull=True).count()
        household.save(update_fields=["size"])
        _report(
            household=household,
            kind=c.ChangeKind.MEMBER_JOINED,
            actor=actor,
            reason=reason,
            person=membership.person,
            after={
                "name": membership.person.name,
                "relation": membership.relation,
                "counted": membership.counted,
            },
        )
    return membership


PERSON_EDITABLE = tuple(n for n in PERSON_FIELDS if n not in {"birth_date", "sex"})


def member_update(*, actor, person: Person, reason: str, changes: dict[str, Any]) -> Person:
    """Correct or update a person's facts (disability, illness, work, schooling…)."""
    require(actor, Person, "change")
    _require_reason(reason)
    person = Person.objects.restrict(actor, "change").get(pk=person.pk)
    before = snapshot(person)
    errors: dict[str, list[str]] = {}
    for key, value in changes.items():
        if key in PERSON_EDITABLE:
            setattr(person, key, value)
        elif key == "phone":
            person.phone_enc = crypto.encrypt(value) if value else ""
            person.phone_masked = mask_phone(value)
        else:
            errors.setdefault(key, []).append(_("该字段不能在此修改"))
    check = PersonInput(**{n: getattr(person, n) for n in PERSON_FIELDS}, id_kind="platform")
    _identity, more = person_validate(check)
    for key, msgs in more.items():
        if key not in {"birth_date", "id_number"}:
            errors.setdefault(key, []).extend(msgs)
    if errors:
        raise ValidationError(errors)
    after = snapshot(person)
    diff_before = {k: v for k, v in before.items() if after.get(k) != v}
    diff_after = {k: after[k] for k in diff_before}
    if not diff_after:
        return person
    with transaction.atomic():
        person.updated_at = timezone.now()
        person.save()
        change_log_write(
            actor=actor, action="update", obj=person, before=diff_before, after=diff_after, reason=reason
        )
        if "name" in diff_after:  # the household list shows the head's name from the household row
            Household.objects.filter(head=person).update(head_name=person.name, updated_at=person.updated_at)
        for membership in person.memberships.filter(end_date__isnull=True).select_related("household"):
            _report(
                household=membership.household,
                kind=c.ChangeKind.MEMBER_EDITED,
                actor=actor,
                reason=reason,
                person=person,
                before=diff_before,
                after=diff_after,
            )
    return person


def member_leave(
    *, actor, membership: Membership, reason: str, day: dt.date | None = None, died: bool = False
) -> Membership:
    """A member leaves the household or dies (成员离开/死亡)."""
    require(actor, Membership, "change")
    _require_reason(reason)
    membership = (
        Membership.objects.restrict(actor, "change")
        .select_related("household", "person")
        .get(pk=membership.pk)
    )
    if membership.end_date is not None:
        raise ValidationError({"membership": [_("该成员已离开本家庭")]})
    day = day or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"day": [_("日期不能晚于今天")]})
    if day < membership.start_date:
        raise ValidationError(
            {"day": [_("离开日期不能早于加入日期 %(d)s") % {"d": membership.start_date.isoformat()}]}
        )
    household = membership.household
    if (
        membership.relation == c.Relation.SELF
        and not died
        and household.memberships.filter(end_date__isnull=True).count() > 1
    ):
        raise ValidationError({"membership": [_("户主离开前请先变更户主")]})
    with transaction.atomic():
        membership.end_date = day
        membership.end_reason = "died" if died else "left"
        membership.save(update_fields=["end_date", "end_reason"])
        change_log_write(
            actor=actor,
            action="update",
            obj=membership,
            after={"end_date": day, "end_reason": membership.end_reason},
            reason=reason,
        )
        if died:
            person = membership.person
            person.death_date = day
            person.save(update_fields=["death_date"])
            change_log_write(
                actor=actor, action="update", obj=person, after={"death_date": day}, reason=reason
            )
        household.size = household.memberships.filter(counted=True, end_date__isnull=True).count()
        household.save(update_fields=["size"])
        _report(
            household=household,
            kind=c.ChangeKind.MEMBER_DIED if died else c.ChangeKind.MEMBER_LEFT,
            actor=actor,
            reason=reason,
            person=membership.person,
            before={"name": membership.person.name},
            after={"date": day.isoformat()},
        )
    return membership


def supporter_add(
    *,
    actor,
    household: Household,
    person: PersonInput,
    relation: str,
    duty: str,
    reason: str,
    address: str = "",
    supported: Person | None = None,
) -> LegalSupporter:
    """Record a legal supporter living outside the household (法定义务人)."""
    require(actor, LegalSupporter, "add")
    _require_reason(reason)
    household = Household.objects.restrict(actor, "change").get(pk=household.pk)
    identity, errors = person_validate(person)
    if relation not in c.Relation.values or relation == c.Relation.SELF:
        errors.setdefault("relation", []).append(_("关系无效"))
    if duty not in c.SupportDuty.values:
        errors.setdefault("duty", []).append(_("义务类型无效"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        existing = Person.objects.filter(id_hash=crypto.blind_index(identity.number)).first()
        if existing is None:
            existing = Person(
                region_code=household.region_code,
                created_by=actor if getattr(actor, "pk", None) else None,
                **_person_values(person, identity),
            )
            existing.save()
            change_log_write(
                actor=actor, action="create", obj=existing, after=snapshot(existing), reason=reason
            )
        supporter = LegalSupporter.objects.create(
            household=household,
            person=existing,
            relation=relation,
            duty=duty,
            address=address,
            supported=supported,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        change_log_write(
            actor=actor, action="create", obj=supporter, after=snapshot(supporter), reason=reason
        )
        _report(
            household=household,
            kind=c.ChangeKind.SUPPORTER,
            actor=actor,
            reason=reason,
            person=existing,
            after={"name": existing.name, "relation": relation, "duty": duty},
        )
    return supporter


_DECLARATION_MODELS = {
    "income": (IncomeItem, c.IncomeKind, c.ChangeKind.INCOME),
    "asset": (AssetItem, c.AssetKind, c.ChangeKind.ASSET),
    "expense": (RigidExpense, c.ExpenseKind, c.ChangeKind.EXPENSE),
}


def declaration_record(
    *,
    actor,
    household: Household,
    what: str,
    kind: str,
    amount: Any,
    period_start: dt.date,
    period_end: dt.date,
    reason: str,
    person: Person | None = None,
    source: str = c.Source.DECLARED,
    as_of: dt.date | None = None,
    quantity: int = 1,
    area: Any = None,
    note: str = "",
):
    """Record an income, asset or rigid-expense item, dated and with its source (申报)."""
    model, kinds, change_kind = _DECLARATION_MODELS[what]
    require(actor, model, "add")
    _require_reason(reason)
    household = Household.objects.restrict(actor, "change").get(pk=household.pk)
    errors: dict[str, list[str]] = {}
    if kind not in kinds.values:
        errors.setdefault("kind", []).append(_("类型无效：%(v)s") % {"v": kind})
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        errors.setdefault("amount", []).append(_("金额必须是数字：%(v)s") % {"v": amount})
        value = Decimal(0)
    if value < 0:
        errors.setdefault("amount", []).append(_("金额不能为负数"))
    if period_end < period_start:
        errors.setdefault("period_end", []).append(_("期间止不能早于期间起"))
    if source not in c.Source.values:
        errors.setdefault("source", []).append(_("来源无效"))
    if person is not None and not household.memberships.filter(person=person, end_date__isnull=True).exists():
        errors.setdefault("person", []).append(_("该人员不是本家庭成员"))
    if errors:
        raise ValidationError(errors)
    extra = {"quantity": quantity, "area": area} if model is AssetItem else {}
    with transaction.atomic():
        item = model.objects.create(  # type: ignore[misc]
            household=household,
            person=person,
            kind=kind,
            amount=value,
            period_start=period_start,
            period_end=period_end,
            source=source,
            as_of=as_of or timezone.localdate(),
            note=note,
            created_by=actor if getattr(actor, "pk", None) else None,
            **extra,
        )
        change_log_write(actor=actor, action="create", obj=item, after=snapshot(item), reason=reason)
        _report(
            household=household,
            kind=change_kind,
            actor=actor,
            reason=reason,
            person=person,
            after={"kind": kind, "amount": str(value), "source": source},
        )
    return item


SENSITIVE_FIELDS = {"id_number": "id_enc", "phone": "phone_enc", "account_number": "account_enc"}


def sensitive_reveal(*, actor, obj: Person | Household, field_name: str, purpose: str = "") -> str:
    """The full value of an identity number, phone or bank account, for roles that need it.
    Every reveal is written to the access log."""
    if not getattr(actor, "sees_full_values", False):
        raise PermissionDenied("role does not see full values")
    obj = type(obj).objects.restrict(actor, "view").get(pk=obj.pk)
    stored = getattr(obj, SENSITIVE_FIELDS[field_name], "")
    if not stored:
        return ""
    access_log_write(actor=actor, obj=obj, field=field_name, purpose=purpose)
    return crypto.decrypt(stored)


def person_input_from_dict(data: dict[str, Any]) -> PersonInput:
    allowed = {f.name for f in fields(PersonInput)}
    return PersonInput(**{k: v for k, v in data.items() if k in allowed})


__all__ = ["PersonInput", "MemberInput", "HouseholdInput", "ConflictError", "asdict"]
