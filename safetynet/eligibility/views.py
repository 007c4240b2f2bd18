"""Eligibility pages: the household page's evaluation panel (loaded by htmx)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safetynet.core.forms import apply_errors
from safetynet.core.permissions import role_allows
from safetynet.core.views import paginate, scoped
from safetynet.eligibility.forms import DecisionForm, RunForm, ScenarioForm, StandardProposalForm
from safetynet.eligibility.models import EvaluationRun, RegionalStandard, Scenario
from safetynet.eligibility.selectors import (
    MissingStandard,
    household_evaluation,
    run_household_explanation,
    scenario_changes,
    scenario_get,
    standards_history,
    standards_overview,
)
from safetynet.eligibility.services import (
    evaluation_run,
    scenario_create,
    scenario_start,
    standard_decide,
    standard_propose,
)

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


# --- regional standards -----------------------------------------------------------------------


def _labels() -> dict[str, Any]:
    from openfisca_cn_assistance.standards import STANDARDS

    return {s.name: s for s in STANDARDS}


@scoped
def standards_page(request: HttpRequest) -> HttpResponse:
    """Standards in force at the user's region, proposals awaiting approval, and the history."""
    user: Any = request.user
    history = standards_history(user=user)  # 403 for roles without access
    month = timezone.localdate().replace(day=1)
    overview = standards_overview(region_code=user.region_id, month=month) if user.region_id else {}
    labels = _labels()
    rows = [
        {
            "key": k,
            "label": labels[k].label_zh if k in labels else k,
            "label_en": labels[k].label_en if k in labels else k,
            "unit": labels[k].unit if k in labels else "",
            "required": labels[k].required if k in labels else False,
            **v,
        }
        for k, v in overview.items()
    ]
    can_propose = role_allows(user, RegionalStandard, "add")
    form = StandardProposalForm(request.POST or None)
    if request.method == "POST":
        if not can_propose:
            raise PermissionDenied
        if form.is_valid():
            try:
                standard_propose(
                    actor=user, region_code=user.region_id, known_keys=set(labels), **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(exc, form)
            else:
                messages.success(request, _("标准调整已提交，等待审批。"))
                return redirect("eligibility:standards")
    pending = history.filter(status=RegionalStandard.Status.PROPOSED)
    return render(
        request,
        "eligibility/standards.html",
        {
            "rows": rows,
            "month": month,
            "form": form,
            "can_propose": can_propose,
            "pending": pending,
            "history": paginate(request, history.exclude(status=RegionalStandard.Status.PROPOSED)),
            "can_decide": role_allows(user, RegionalStandard, "change"),
        },
    )


@require_POST
@scoped
def standard_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    standard = RegionalStandard.objects.restrict(request.user, "change").get(pk=pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        standard_decide(
            actor=request.user,
            standard=standard,
            approve=request.POST.get("decision") == "approve",
            note=form.cleaned_data.get("note", ""),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("无权审批"))
    else:
        messages.success(request, _("已审批。"))
    return redirect("eligibility:standards")


# --- what-if scenarios ------------------------------------------------------------------------


@scoped
def scenario_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    scenarios = Scenario.objects.restrict(user, "view").select_related("region").order_by("-id")
    can_add = role_allows(user, Scenario, "add")
    form = ScenarioForm(request.POST or None)
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        if form.is_valid():
            try:
                scenario = scenario_create(
                    actor=user,
                    region_code=user.region_id,
                    month=form.cleaned_data["month"],
                    name=form.cleaned_data["name"],
                    changes=form.changes(),
                )
                scenario_start(actor=user, scenario=scenario)
            except ValidationError as exc:
                apply_errors(exc, form)
            else:
                return redirect("eligibility:scenario_detail", pk=scenario.pk)
    return render(
        request,
        "eligibility/scenario_list.html",
        {"scenarios": paginate(request, scenarios), "form": form, "can_add": can_add},
    )


def _chart(programs: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """Bars of the yearly cost before and after, per program (SVG drawn by the template)."""
    items = [(k, v) for k, v in programs.items() if v["before_amount"] or v["after_amount"]]
    top = (
        max(
            [max(v["before_amount"], v["after_amount"]) * (12 if v["monthly"] else 1) for _k, v in items]
            or [1]
        )
        or 1
    )
    bars = []
    for i, (key, v) in enumerate(items):
        factor = 12 if v["monthly"] else 1
        before, after = v["before_amount"] * factor, v["after_amount"] * factor
        bars.append(
            {
                "label": labels.get(key, key),
                "y": 10 + i * 46,
                "before": before,
                "after": after,
                "w_before": round(420 * before / top, 1),
                "w_after": round(420 * after / top, 1),
            }
        )
    return {"bars": bars, "height": 20 + 46 * len(bars)}


@scoped
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from openfisca_cn_assistance.programs import BY_KEY

    scenario = scenario_get(user=request.user, pk=pk)
    program = request.GET.get("program", "")
    labels = {k: getattr(p, "label_zh", k) for k, p in BY_KEY.items()}
    programs = scenario.summary.get("programs", {})
    rows = [{"key": k, "label": labels.get(k, k), **v} for k, v in programs.items()]
    changes = paginate(
        request, scenario_changes(user=request.user, scenario=scenario, program=program), per_page=50
    )
    for change in changes:
        change.label = labels.get(change.program, change.program)
    context = {
        "scenario": scenario,
        "rows": rows,
        "chart": _chart(programs, labels) if programs else None,
        "changes": changes,
        "program": program,
        "program_label": labels.get(program, ""),
        "changed_programs": [
            r for r in rows if r["gained"] or r["lost"] or r["before_amount"] != r["after_amount"]
        ],
        "labels_std": _labels(),
    }
    template = (
        "eligibility/_scenario_status.html"
        if request.headers.get("HX-Request")
        else "eligibility/scenario_detail.html"
    )
    return render(request, template, context)


# --- batch runs -------------------------------------------------------------------------------


@scoped
def run_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    runs = EvaluationRun.objects.restrict(user, "view").select_related("region").order_by("-id")
    can_add = role_allows(user, EvaluationRun, "add")
    form = RunForm(request.POST or None)
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        if form.is_valid():
            try:
                run = evaluation_run(actor=user, region_code=user.region_id, month=form.cleaned_data["month"])
            except ValidationError as exc:
                apply_errors(exc, form)
            except MissingStandard as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("eligibility:run_detail", pk=run.pk)
    return render(
        request,
        "eligibility/run_list.html",
        {"runs": paginate(request, runs), "form": form, "can_add": can_add},
    )


@scoped
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from openfisca_cn_assistance.programs import BY_KEY

    run = EvaluationRun.objects.restrict(request.user, "view").select_related("region").get(pk=pk)
    labels = {k: getattr(p, "label_zh", k) for k, p in BY_KEY.items()}
    rows = [{"key": k, "label": labels.get(k, k), **v} for k, v in run.summary.get("programs", {}).items()]
    program = request.GET.get("program", "dibao")
    bit = run.programs.index(program) if program in run.programs else 0
    results = (
        run.results.annotate(hit=F("eligible_mask").bitrightshift(bit).bitand(1))
        .filter(hit=1)
        .order_by("region_code", "household_id")
    )
    return render(
        request,
        "eligibility/run_detail.html",
        {
            "run": run,
            "rows": rows,
            "program": program,
            "labels": labels,
            "results": paginate(
                request, results.values("household_id", "region_code", "amounts"), per_page=50
            ),
            "bit": bit,
        },
    )


@scoped
def run_household(request: HttpRequest, pk: int, household_id: int) -> HttpResponse:
    run, result = run_household_explanation(user=request.user, run_id=pk, household_id=household_id)
    from safetynet.eligibility.selectors import Evaluation

    evaluation = Evaluation(month=run.month, result=result)
    return render(
        request,
        "eligibility/run_household.html",
        {
            "run": run,
            "household_id": household_id,
            "evaluation": evaluation,
            "rows": _rows(result),
            "sources": [],
        },
    )
