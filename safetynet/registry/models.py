"""The household file: households (户), persons, memberships, legal supporters, declarations
and change reports. The rules engine evaluates from these records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safetynet.core.models import TrackedModel
from safetynet.core.permissions import ScopedManager, region_q
from safetynet.registry import choices as c


def _staff_or_resident_q(user: Any, region_field: str, household_field: str) -> Q:
    """Scope shared by registry models: staff by region, a resident by their own household."""
    from safetynet.accounts.roles import Role

    if user.role == Role.RESIDENT:
        return Q(**{household_field: user.household_id}) if user.household_id else Q(pk__in=[])
    if user.role == Role.ADMIN and user.region_id is None:
        return Q()
    if user.region_id is None:
        return Q(pk__in=[])
    return region_q(region_field, user.region_id)


class Person(TrackedModel):
    """人员 — one natural person, one record across the whole platform."""

    name = models.CharField(_("姓名"), max_length=50)
    id_kind = models.CharField(_("证件类型"), max_length=20, default="resident")
    id_enc = models.TextField(_("证件号码（密文）"))
    id_hash = models.CharField(max_length=64, unique=True)
    id_masked = models.CharField(_("证件号码"), max_length=24)
    needs_followup = models.BooleanField(_("待补录证件号"), default=False)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    sex = models.CharField(_("性别"), max_length=1, choices=c.Sex.choices, blank=True)
    phone_enc = models.TextField(blank=True)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True)
    hukou_type = models.CharField(_("户口性质"), max_length=10, choices=c.HukouType.choices, blank=True)
    hukou_address = models.CharField(_("户籍地址"), max_length=200, blank=True)
    disability_category = models.CharField(
        _("残疾类别"), max_length=20, choices=c.DisabilityCategory.choices, blank=True
    )
    disability_grade = models.PositiveSmallIntegerField(
        _("残疾等级"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    serious_illness = models.BooleanField(_("患重特大疾病"), default=False)
    illness_name = models.CharField(_("疾病名称"), max_length=100, blank=True)
    work_capacity = models.CharField(
        _("劳动能力"), max_length=10, choices=c.WorkCapacity.choices, default=c.WorkCapacity.FULL
    )
    schooling = models.CharField(
        _("在学情况"), max_length=20, choices=c.Schooling.choices, default=c.Schooling.NOT_IN_SCHOOL
    )
    full_time_student = models.BooleanField(_("全日制在校"), default=False)
    employment = models.CharField(
        _("就业状况"), max_length=30, choices=c.Employment.choices, default=c.Employment.NOT_APPLICABLE
    )
    death_date = models.DateField(_("死亡日期"), null=True, blank=True)
    # The village whose household counts this person (or that filed them); drives staff scope.
    region_code = models.CharField(_("所属区划"), max_length=12, db_index=True)

    objects = ScopedManager()

    AUDIT_EXCLUDE = ("id_enc", "id_hash", "phone_enc")

    class Meta:
        verbose_name = _("人员")
        indexes = [
            # serves: search by name (whole or leading characters) within a region
            models.Index(fields=["name", "region_code"], name="person_name_region"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        if user.role == "resident":
            # a subquery, not a join: a person may have several memberships of one household
            members = Membership.objects.filter(household_id=user.household_id).values("person_id")
            return Q(pk__in=members) if user.household_id else Q(pk__in=[])
        return _staff_or_resident_q(user, "region_code", "pk")

    def age_on(self, day: dt.date) -> int | None:
        if self.birth_date is None:
            return None
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


class Household(TrackedModel):
    """户（共同生活家庭）— the unit assessed for assistance, filed in one village."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("在册")
        ARCHIVED = "archived", _("已注销")

    number = models.CharField(_("家庭编号"), max_length=20, unique=True)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name=_("所属村/社区"))
    region_code = models.CharField(max_length=12)
    address = models.CharField(_("居住地址"), max_length=200)
    hukou_type = models.CharField(_("户口性质"), max_length=10, choices=c.HukouType.choices)
    head = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("户主")
    )
    head_name = models.CharField(_("户主姓名"), max_length=50, blank=True)
    size = models.PositiveSmallIntegerField(_("共同生活人数"), default=0)
    phone_enc = models.TextField(blank=True)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=60, blank=True)
    account_holder = models.CharField(_("账户户名"), max_length=50, blank=True)
    account_enc = models.TextField(blank=True)
    account_masked = models.CharField(_("银行账号"), max_length=40, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)

    objects = ScopedManager()

    AUDIT_EXCLUDE = ("phone_enc", "account_enc")

    class Meta:
        verbose_name = _("家庭")
        indexes = [
            # serves: households of a village / township / county (range on the 12-digit code)
            models.Index(fields=["region_code", "id"], name="household_region"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.head_name}"

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _staff_or_resident_q(user, "region_code", "pk")


class Membership(TrackedModel):
    """家庭成员关系 — a person's membership of a household, counted or excluded with a reason."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    relation = models.CharField(_("与户主关系"), max_length=20, choices=c.Relation.choices)
    counted = models.BooleanField(_("计入共同生活家庭成员"), default=True)
    exclusion_reason = models.CharField(
        _("不计入原因"), max_length=20, choices=c.ExclusionReason.choices, blank=True
    )
    start_date = models.DateField(_("加入日期"))
    end_date = models.DateField(_("离开日期"), null=True, blank=True)
    end_reason = models.CharField(_("离开原因"), max_length=20, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("家庭成员")
        constraints = [
            # A person is counted in at most one household at a time.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(counted=True, end_date__isnull=True),
                name="person_counted_once",
            ),
            models.UniqueConstraint(
                fields=["household", "person"],
                condition=Q(end_date__isnull=True),
                name="membership_current_once",
            ),
            models.CheckConstraint(
                condition=Q(counted=True) | ~Q(exclusion_reason=""), name="excluded_needs_reason"
            ),
        ]

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _staff_or_resident_q(user, "household__region_code", "household")


class LegalSupporter(TrackedModel):
    """法定赡养/抚养/扶养义务人 — a person with a legal duty of support living outside the household."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="supporters")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="supporter_of")
    supported = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("被赡养/抚养人"),
    )
    relation = models.CharField(_("关系"), max_length=20, choices=c.Relation.choices)
    duty = models.CharField(_("义务类型"), max_length=20, choices=c.SupportDuty.choices)
    address = models.CharField(_("居住地址"), max_length=200, blank=True)
    end_date = models.DateField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("法定义务人")

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _staff_or_resident_q(user, "household__region_code", "household")


class _Declaration(TrackedModel):
    household = models.ForeignKey(Household, on_delete=models.PROTECT)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2, default=0)
    period_start = models.DateField(_("所属期间起"))
    period_end = models.DateField(_("所属期间止"))
    source = models.CharField(_("来源"), max_length=20, choices=c.Source.choices, default=c.Source.DECLARED)
    as_of = models.DateField(_("截至日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _staff_or_resident_q(user, "household__region_code", "household")


class IncomeItem(_Declaration):
    """收入申报 — one member's income of one type over a period (审核确认办法 第13条)."""

    kind = models.CharField(_("收入类型"), max_length=30, choices=c.IncomeKind.choices)

    class Meta:
        verbose_name = _("收入")
        indexes = [models.Index(fields=["household", "kind"], name="income_household")]


class AssetItem(_Declaration):
    """财产申报 — one asset of the household (第14条): value, count, floor area."""

    kind = models.CharField(_("财产类型"), max_length=30, choices=c.AssetKind.choices)
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    area = models.DecimalField(_("面积（平方米）"), max_digits=10, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("财产")
        indexes = [models.Index(fields=["household", "kind"], name="asset_household")]


class RigidExpense(_Declaration):
    """刚性支出 — medical, schooling or rehabilitation spending over the last 12 months."""

    kind = models.CharField(_("支出类型"), max_length=30, choices=c.ExpenseKind.choices)

    class Meta:
        verbose_name = _("刚性支出")
        indexes = [models.Index(fields=["household", "kind"], name="expense_household")]


class ChangeReport(TrackedModel):
    """户情变更报告 — a change to a household (member joins/leaves/dies, address, income,
    assets), with reason, actor and time: the household's history."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("变更类型"), max_length=20, choices=c.ChangeKind.choices)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT)
    reason = models.TextField(_("原因"))
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    actor_name = models.CharField(max_length=150, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("户情变更")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["household", "created_at"], name="change_household")]

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _staff_or_resident_q(user, "household__region_code", "household")
