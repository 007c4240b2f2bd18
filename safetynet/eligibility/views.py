"""Eligibility pages: the household page's evaluation panel (loaded by htmx)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from safetynet.core.views import scoped
from safetynet.eligibility.selectors import household_evaluation

AMOUNT_KEYS = ("monthly_amount", "amount")


def _rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per program for the template: amount, tests, and per-member parts."""
    rows = []
    for key, program in result.get("programs", {}).items():
        amount_key = next((k for k in AMOUNT_KEYS if k in program), None)
        rows.append(
            {
                "key": key,
                "program": program,
                "amount": program.get(amount_key) if amount_key else None,
                "monthly": amount_key == "monthly_amount",
                "tests": program.get("tests", []),
                "members": [
                    m
                    for m in program.get("members", [])
                    if isinstance(m, dict) and (m.get("tests") or m.get("eligible"))
                ],
            }
        )
    return rows


@scoped
def household_evaluation_panel(request: HttpRequest, pk: int) -> HttpResponse:
    month_text = request.GET.get("month", "")
    try:
        month = (
            dt.date.fromisoformat(f"{month_text}-01") if month_text else timezone.localdate().replace(day=1)
        )
    except ValueError:
        month = timezone.localdate().replace(day=1)
    evaluation = household_evaluation(user=request.user, household_id=pk, month=month)
    situation = evaluation.situation or {}
    names = {m["id"]: m.get("name", "") for m in situation.get("members", [])}
    sources = [{**s, "name": names.get(s["person"], s["person"])} for s in situation.get("sources", [])]
    return render(
        request,
        "eligibility/_evaluation.html",
        {
            "evaluation": evaluation,
            "rows": _rows(evaluation.result) if evaluation.result else [],
            "sources": sources,
        },
    )
