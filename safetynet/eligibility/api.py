"""Eligibility endpoints: evaluate a situation (JSON in, JSON out, nothing stored) and this
month's evaluation of a stored household."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from safetynet.api.auth import caller
from safetynet.core.permissions import region_bounds
from safetynet.eligibility import services
from safetynet.eligibility.models import RegionalStandard
from safetynet.eligibility.selectors import (
    MissingStandard,
    household_evaluation,
    scenario_changes,
    scenario_get,
    standards_history,
    standards_overview,
)

router = Router(tags=["eligibility 救助资格评估"])


def _situation_errors(errors: list[dict[str, str]]) -> ValidationError:
    grouped: dict[str, list[str]] = {}
    for error in errors:
        grouped.setdefault(error["field"], []).append(error["message"])
    return ValidationError(grouped)


@router.post("/eligibility/evaluate", summary="评估家庭情形（不保存）", response=dict[str, Any])
def evaluate(request: HttpRequest) -> dict[str, Any]:
    """Body: a household situation as documented in docs/rules.md; the answer is the same JSON
    as `safetynet evaluate` prints. Every bad field is listed (422)."""
    from openfisca_cn_assistance import evaluate as rules_evaluate
    from openfisca_cn_assistance.situation import SituationError

    try:
        situation = json.loads(request.body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationError({"body": [_("请求体不是有效的 JSON")]}) from None
    try:
        return rules_evaluate(situation)
    except SituationError as exc:
        raise _situation_errors(exc.errors) from None


@router.get("/households/{household_id}/evaluation", summary="家庭本月评估结果", response=dict[str, Any])
def household_evaluation_get(request: HttpRequest, household_id: int, month: str = "") -> dict[str, Any]:
    """``month`` is YYYY-MM (default: this month). Nothing is stored."""
    try:
        day = dt.date.fromisoformat(f"{month}-01") if month else timezone.localdate().replace(day=1)
    except ValueError:
        raise ValidationError({"month": [_("月份格式应为 YYYY-MM")]}) from None
    evaluation = household_evaluation(user=caller(request), household_id=household_id, month=day)
    if evaluation.errors:
        raise _situation_errors(evaluation.errors)
    if evaluation.error:
        raise ValidationError({"standards": [evaluation.error]})
    return {
        "month": evaluation.month.strftime("%Y-%m"),
        "sources": evaluation.situation.get("sources", []),  # type: ignore[union-attr]
        **(evaluation.result or {}),
    }


def _month(text: str, field: str = "month") -> dt.date:
    try:
        return dt.date.fromisoformat(f"{text}-01") if text else timezone.localdate().replace(day=1)
    except ValueError:
        raise ValidationError({field: [_("月份格式应为 YYYY-MM")]}) from None


# --- regional standards (the same operations as the standards page) ----------------------------


class StandardIn(Schema):
    key: str
    value: str
    effective_from: dt.date
    reference: str
    urban_rural: str = ""
    region_code: str = ""
    is_guideline: bool = False


class DecisionIn(Schema):
    approve: bool
    note: str = ""


def _standard_out(row: RegionalStandard) -> dict[str, Any]:
    return {
        "id": row.pk,
        "region_code": row.region_code,
        "key": row.key,
        "urban_rural": row.urban_rural,
        "effective_from": row.effective_from.isoformat(),
        "value": str(row.value),
        "is_guideline": row.is_guideline,
        "reference": row.reference,
        "status": row.status,
        "proposed_by": getattr(row.created_by, "username", None),
        "approved_by": getattr(row.approved_by, "username", None),
        "decision_note": row.decision_note,
    }


@router.get("/eligibility/standards", summary="本区划现行标准", response=dict[str, Any])
def standards_in_force_get(request: HttpRequest, region: str = "", month: str = "") -> dict[str, Any]:
    """Every standard as it applies at ``region`` (default: the caller's) for ``month`` (YYYY-MM),
    urban and rural, with the region that set it ("national" for a national default)."""
    user = caller(request)
    standards_history(user=user)  # the same permission as the standards page
    code = region or user.region_id or ""
    if not code:
        raise ValidationError({"region": [_("请指定区划代码")]})
    if user.region_id and not (region_bounds(user.region_id)[0] <= code <= region_bounds(user.region_id)[1]):
        raise ValidationError({"region": [_("只能查询本级或下级区划")]})
    day = _month(month)
    return {
        "region": code,
        "month": day.strftime("%Y-%m"),
        "standards": standards_overview(region_code=code, month=day),
    }


@router.get("/eligibility/standards/history", summary="标准调整记录", response=list[dict[str, Any]])
def standards_history_get(request: HttpRequest, key: str = "", status: str = "") -> list[dict[str, Any]]:
    rows = standards_history(user=caller(request), key=key or None).order_by("-effective_from", "-pk")
    if status:
        rows = rows.filter(status=status)
    return [_standard_out(r) for r in rows[:500]]


@router.post("/eligibility/standards", summary="提出标准调整（待审批）", response={201: dict[str, Any]})
def standard_propose_post(request: HttpRequest, data: StandardIn) -> Status:
    from openfisca_cn_assistance.standards import STANDARDS

    user = caller(request)
    row = services.standard_propose(
        actor=user,
        region_code=data.region_code or user.region_id or "",
        key=data.key,
        value=data.value,
        effective_from=data.effective_from,
        reference=data.reference,
        urban_rural=data.urban_rural,
        is_guideline=data.is_guideline,
        known_keys={s.name for s in STANDARDS},
    )
    return Status(201, _standard_out(row))


@router.post("/eligibility/standards/{standard_id}/decision", summary="审批标准调整", response=dict[str, Any])
def standard_decide_post(request: HttpRequest, standard_id: int, data: DecisionIn) -> dict[str, Any]:
    user = caller(request)
    row = RegionalStandard.objects.restrict(user, "view").get(pk=standard_id)
    return _standard_out(
        services.standard_decide(actor=user, standard=row, approve=data.approve, note=data.note)
    )


# --- what-if scenarios and batch runs -----------------------------------------------------------


class ScenarioIn(Schema):
    name: str
    month: str = ""
    changes: dict[str, Any]


def _scenario_out(s: Any) -> dict[str, Any]:
    job = s.task_job
    return {
        "id": s.pk,
        "name": s.name,
        "region_code": s.region_code,
        "month": s.month.strftime("%Y-%m"),
        "status": s.status,
        "changes": s.changes,
        "progress": {"done": job.progress_done, "total": job.progress_total} if job is not None else None,
        "summary": s.summary,
    }


@router.post("/eligibility/scenarios", summary="新建测算方案并开始测算", response={202: dict[str, Any]})
def scenario_post(request: HttpRequest, data: ScenarioIn) -> Status:
    user = caller(request)
    scenario = services.scenario_create(
        actor=user,
        region_code=user.region_id or "",
        month=_month(data.month),
        name=data.name,
        changes=data.changes,
    )
    services.scenario_start(actor=user, scenario=scenario)
    return Status(202, _scenario_out(scenario_get(user=user, pk=scenario.pk)))


@router.get("/eligibility/scenarios/{scenario_id}", summary="测算方案结果", response=dict[str, Any])
def scenario_read(request: HttpRequest, scenario_id: int) -> dict[str, Any]:
    return _scenario_out(scenario_get(user=caller(request), pk=scenario_id))


@router.get(
    "/eligibility/scenarios/{scenario_id}/changes", summary="测算中变化的家庭", response=list[dict[str, Any]]
)
def scenario_changes_get(
    request: HttpRequest, scenario_id: int, program: str = "", offset: int = 0, limit: int = 100
) -> list[dict[str, Any]]:
    user = caller(request)
    scenario = scenario_get(user=user, pk=scenario_id)
    rows = scenario_changes(user=user, scenario=scenario, program=program)[offset : offset + min(limit, 1000)]
    return [
        {
            "household_id": r.household_id,
            "region_code": r.region_code,
            "program": r.program,
            "before_eligible": r.before_eligible,
            "after_eligible": r.after_eligible,
            "before_amount": str(r.before_amount),
            "after_amount": str(r.after_amount),
        }
        for r in rows
    ]


__all__ = ["router", "MissingStandard"]
