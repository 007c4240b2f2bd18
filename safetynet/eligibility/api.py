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
from ninja import Router

from safetynet.api.auth import caller
from safetynet.eligibility.selectors import MissingStandard, household_evaluation

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


__all__ = ["router", "MissingStandard"]
