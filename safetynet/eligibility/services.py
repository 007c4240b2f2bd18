"""Writes of eligibility: proposing and approving regional standards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.permissions import region_bounds, require
from safetynet.core.services import change_log_write, snapshot
from safetynet.eligibility.models import DecisionSnapshot, RegionalStandard, UrbanRuralScope
from safetynet.eligibility.selectors import guideline_floor
from safetynet.regions.models import Region


def standard_propose(
    *,
    actor,
    region_code: str,
    key: str,
    value: Any,
    effective_from: dt.date,
    reference: str,
    urban_rural: str = "",
    is_guideline: bool = False,
    known_keys: set[str] | None = None,
) -> RegionalStandard:
    """An officer proposes a value for their own region (or one below it)."""
    require(actor, RegionalStandard, "add")
    errors: dict[str, list[str]] = {}
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        errors.setdefault("region_code", []).append(_("区划代码 %(c)s 不存在") % {"c": region_code})
    elif actor.region_id is not None:
        low, high = region_bounds(actor.region_id)
        if not (low <= region_code <= high):
            errors.setdefault("region_code", []).append(_("只能为本级或下级区划制定标准"))
    if known_keys is not None and key not in known_keys:
        errors.setdefault("key", []).append(_("未知的标准项目：%(k)s") % {"k": key})
    try:
        number = Decimal(str(value))
        if number < 0:
            errors.setdefault("value", []).append(_("数值不能为负数"))
    except (InvalidOperation, ValueError):
        errors.setdefault("value", []).append(_("数值必须是数字：%(v)s") % {"v": value})
        number = Decimal(0)
    if urban_rural not in UrbanRuralScope.values:
        errors.setdefault("urban_rural", []).append(_("城乡只能是 urban、rural 或留空"))
    if not reference.strip():
        errors.setdefault("reference", []).append(_("请填写文件依据（文号）"))
    if region is not None and "value" not in errors:
        floor = guideline_floor(region_code=region_code, key=key, urban_rural=urban_rural, day=effective_from)
        if floor is not None and number < floor.value:
            errors.setdefault("value", []).append(
                _("不得低于上级指导标准 %(v)s（%(r)s 制定）") % {"v": floor.value, "r": floor.region.name}
            )
    if errors or region is None:
        raise ValidationError(errors)
    with transaction.atomic():
        row = RegionalStandard.objects.create(
            region=region,
            region_code=region_code,
            key=key,
            urban_rural=urban_rural,
            effective_from=effective_from,
            value=number,
            is_guideline=is_guideline,
            reference=reference.strip(),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        change_log_write(
            actor=actor, action="create", obj=row, after=snapshot(row), reason="standard proposed"
        )
    return row


def standard_decide(*, actor, standard: RegionalStandard, approve: bool, note: str = "") -> RegionalStandard:
    """Approve or reject a proposal. The approver is not the proposer (four-eyes)."""
    require(actor, RegionalStandard, "change")
    standard = RegionalStandard.objects.restrict(actor, "change").get(pk=standard.pk)
    if standard.status != RegionalStandard.Status.PROPOSED:
        raise ValidationError({"status": [_("该标准已审批，不能重复审批")]})
    if standard.created_by_id is not None and standard.created_by_id == getattr(actor, "pk", None):
        raise PermissionDenied(_("提出人不能审批自己的提议"))
    try:
        with transaction.atomic():
            return _decide(actor, standard, approve, note)
    except IntegrityError:
        raise ValidationError(
            {"effective_from": [_("同一区划、项目、城乡和生效日期已有批准的标准")]}
        ) from None


def _decide(actor, standard: RegionalStandard, approve: bool, note: str) -> RegionalStandard:
    # Conditional update + row count: two approvers at once cannot both succeed.
    updated = RegionalStandard.objects.filter(pk=standard.pk, status=RegionalStandard.Status.PROPOSED).update(
        status=RegionalStandard.Status.APPROVED if approve else RegionalStandard.Status.REJECTED,
        approved_by=actor,
        approved_at=timezone.now(),
        decision_note=note,
    )
    if updated != 1:
        raise ValidationError({"status": [_("该标准已被他人审批")]})
    standard.refresh_from_db()
    change_log_write(
        actor=actor,
        action="update",
        obj=standard,
        after={"status": standard.status, "note": note},
        reason="standard decided",
    )
    return standard


def snapshot_create(*, actor, household, month: dt.date, purpose: str) -> DecisionSnapshot:
    """Evaluate a household and store the inputs, outputs and rules version used for a decision.
    Raises ``MissingStandard`` or ``SituationError`` (nothing stored) when it cannot be evaluated."""
    import openfisca_cn_assistance

    from safetynet.eligibility.selectors import evaluate_situation
    from safetynet.eligibility.situations import household_situation
    from safetynet.registry.models import Household

    require(actor, DecisionSnapshot, "add")
    household = Household.objects.restrict(actor, "view").get(pk=household.pk)
    month = month.replace(day=1)
    situation = household_situation(household=household, month=month)
    result = evaluate_situation(situation)
    with transaction.atomic():
        snapshot = DecisionSnapshot.objects.create(
            household=household,
            region_code=household.region_code,
            month=month,
            purpose=purpose,
            inputs=situation,
            outputs=result,
            rules_version=openfisca_cn_assistance.__version__,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        change_log_write(
            actor=actor,
            action="create",
            obj=snapshot,
            after={
                "household": household.number,
                "month": month,
                "purpose": purpose,
                "rules_version": snapshot.rules_version,
                "eligible": result.get("eligible"),
            },
            reason=purpose,
        )
    return snapshot


# Demo and test standards for a mid-size city (domain-rules §8, "suggested demo parameter set").
DEMO_STANDARDS: dict[str, tuple[Any, str]] = {
    "dibao_standard_urban": (800, "示范值 [A]：中等城市城镇低保标准（domain-rules §8）"),
    "dibao_standard_rural": (650, "示范值 [A]：中等城市农村低保标准（domain-rules §8）"),
    "asset_multiple": (24, "示范值：参照北京 24 个月 [S]"),
    "minimum_wage": (2080, "示范值：最低档月最低工资 2080 元（青海一档，2026-01-01）[S-2]"),
    "disposable_income_last_year": (41314, "示范值 [A]：2024 年全国居民人均可支配收入"),
    "consumption_expenditure_last_year": (29476, "2025 年全国居民人均消费支出 [S-2]"),
    "care_rate_able": (0.2, "参照北京 京民社救发〔2017〕24号 20% [S]"),
    "care_rate_partial": (0.4, "参照北京 40% [S]"),
    "care_rate_full": (0.6, "参照北京 60% [S]"),
    "rigid_expenditure_ratio": (0.5, "示范值 [A]：刚性支出占家庭总收入比例"),
}


def standards_seed(
    *, actor, region_code: str, effective_from: dt.date, values: dict[str, tuple[Any, str]] | None = None
) -> int:
    """Set up approved standards for a region in one step (demo and tests: a setup job stands in
    for the proposal and approval). Existing approved values for the same date are left alone."""
    values = values if values is not None else DEMO_STANDARDS
    region = Region.objects.get(code=region_code)
    created = 0
    with transaction.atomic():
        for key, (value, reference) in values.items():
            _row, made = RegionalStandard.objects.get_or_create(
                region=region,
                key=key,
                urban_rural="",
                effective_from=effective_from,
                status=RegionalStandard.Status.APPROVED,
                defaults={
                    "region_code": region_code,
                    "value": Decimal(str(value)),
                    "reference": reference,
                    "approved_at": timezone.now(),
                    "decision_note": "setup",
                },
            )
            created += made
        if created:
            change_log_write(
                actor=actor,
                action="import",
                object_type="eligibility.regionalstandard",
                object_id=region_code,
                after={"created": created, "effective_from": effective_from},
                reason="standards set up",
            )
    return created
