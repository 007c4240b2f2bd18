"""Pages of the verification centre: runs with progress and errors, a run's discrepancy list,
a household's report (HTML and PDF), the fuzzy-match candidates to confirm or reject, the
authorisation register, the query log for auditors.
Thin: records come through ``restrict(user, action)``; services do the work."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safetynet.applications.models import Authorisation
from safetynet.core.permissions import role_allows
from safetynet.core.views import paginate, scoped
from safetynet.verification import fuzzy, reports, services
from safetynet.verification.connectors import MAIN, NAMES, connector
from safetynet.verification.forms import CandidateDecisionForm
from safetynet.verification.models import (
    Discrepancy,
    FileProblem,
    HouseholdReport,
    MatchCandidate,
    Request,
    Run,
)


@scoped
def run_list(request: HttpRequest) -> HttpResponse:
    runs = Run.objects.restrict(request.user, "view")
    return render(
        request,
        "verification/run_list.html",
        {
            "page": paginate(request, runs),
            "can_add": role_allows(request.user, Run, "add"),
            "departments": [(n, connector(n).title, n in MAIN) for n in NAMES],
        },
    )


@scoped
@require_POST
def run_create(request: HttpRequest) -> HttpResponse:
    try:
        run = services.run_start(
            actor=request.user,
            region_code=request.POST.get("region_code", "").strip(),
            departments=request.POST.getlist("departments") or None,
            transport=request.POST.get("transport", "file"),
            server_url=request.POST.get("server_url", "").strip(),
        )
    except ValidationError as exc:
        for errs in exc.message_dict.values():
            for e in errs:
                messages.error(request, e)
        return redirect("verification:runs")
    try:
        services.run_execute(run=run)
    except Exception as exc:  # the run page shows the error; the run can be resumed
        messages.error(request, _("核对批次运行出错：%(e)s") % {"e": exc})
    return redirect("verification:run", run.pk)


@scoped
@require_POST
def run_resume(request: HttpRequest, pk: int) -> HttpResponse:
    run = Run.objects.restrict(request.user, "change").get(pk=pk)
    Run.objects.filter(pk=run.pk).update(status=Run.Status.RUNNING, error="")
    try:
        services.run_execute(run=run)
    except Exception as exc:
        messages.error(request, _("核对批次运行出错：%(e)s") % {"e": exc})
    return redirect("verification:run", run.pk)


@scoped
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = Run.objects.restrict(request.user, "view").get(pk=pk)
    discrepancies = (
        Discrepancy.objects.restrict(request.user, "view")
        .filter(run=run)
        .select_related("household", "person")
        .order_by("household__number", "id")
    )
    kind = request.GET.get("kind", "")
    if kind:
        discrepancies = discrepancies.filter(kind=kind)
    return render(
        request,
        "verification/run_detail.html",
        {
            "run": run,
            "page": paginate(request, discrepancies, per_page=50),
            "problems": FileProblem.objects.filter(run=run).order_by("department", "file", "row")[:200],
            "kinds": sorted(set(Discrepancy.objects.filter(run=run).values_list("kind", flat=True))),
            "kind": kind,
            "stages": services.STAGES,
            "pending_candidates": MatchCandidate.objects.filter(run=run, status="pending").count(),
        },
    )


@scoped
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = (
        HouseholdReport.objects.restrict(request.user, "view").select_related("household", "run").get(pk=pk)
    )
    return render(
        request,
        "verification/report_detail.html",
        {"report": report, "data": report.data, "categories": reports.CATEGORY},
    )


@scoped
def report_household(request: HttpRequest, run_pk: int, household_pk: int) -> HttpResponse:
    report = HouseholdReport.objects.restrict(request.user, "view").get(
        run_id=run_pk, household_id=household_pk
    )
    return redirect("verification:report", report.pk)


@scoped
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = (
        HouseholdReport.objects.restrict(request.user, "view").select_related("household", "run").get(pk=pk)
    )
    response = HttpResponse(reports.report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="verification-{report.run_id}-{report.household.number}.pdf"'
    )
    return response


@scoped
def authorisations(request: HttpRequest) -> HttpResponse:
    rows = (
        Authorisation.objects.restrict(request.user, "view")
        .select_related("person", "signed_by", "household")
        .order_by("-id")
    )
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(household__number__startswith=q)
    return render(
        request, "verification/authorisations.html", {"page": paginate(request, rows, per_page=50), "q": q}
    )


@scoped
def query_log(request: HttpRequest) -> HttpResponse:
    """Who queried whom, when, for which case, under which authorisation and why."""
    rows = (
        Request.objects.restrict(request.user, "view")
        .select_related("person", "household", "run", "run__created_by")
        .order_by("-id")
    )
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(household__number__startswith=q)
    return render(
        request, "verification/query_log.html", {"page": paginate(request, rows, per_page=50), "q": q}
    )


# ---- fuzzy-match candidates (疑似匹配) -----------------------------------------------------------


def _candidate_rows(candidates):
    rows = []
    for c in candidates:
        fields = dict(c.record.get("fields", {}))
        rows.append(
            {
                "c": c,
                "title": connector(c.department).title if c.department in NAMES else c.department,
                "record_name": fields.pop("name", ""),
                "record_birth": fields.pop("birth_date", ""),
                "record_address": fields.pop("address", ""),
                "record_other": [(k, v) for k, v in fields.items() if v not in (None, "")],
                "levels": [
                    (
                        fuzzy.COMPARISON_TITLES[k],
                        fuzzy.level_label(k, c.levels.get(k, -1)),
                        c.levels.get(k, -1),
                    )
                    for k in ("name", "birth_date", "address")
                ],
                "findings": c.findings,
            }
        )
    return rows


@scoped
def candidates(request: HttpRequest, pk: int) -> HttpResponse:
    """The candidates of a run: the department's record and the registry person side by side."""
    return _candidates_page(request, pk)


def _candidates_page(
    request: HttpRequest, pk: int, form: CandidateDecisionForm | None = None, failed: int = 0
) -> HttpResponse:
    run = Run.objects.restrict(request.user, "view").get(pk=pk)
    status = request.GET.get("status", MatchCandidate.Status.PENDING)
    rows = (
        MatchCandidate.objects.restrict(request.user, "view")
        .filter(run=run)
        .select_related("person", "household", "decided_by")
        .order_by("department", "record_key", "rank")
    )
    if status in MatchCandidate.Status.values:
        rows = rows.filter(status=status)
    page = paginate(request, rows, per_page=20)
    counts = {s: 0 for s in MatchCandidate.Status.values}
    for s, n in MatchCandidate.objects.filter(run=run).values_list("status").annotate(n=Count("id")):
        counts[s] = n
    return render(
        request,
        "verification/candidates.html",
        {
            "run": run,
            "page": page,
            "rows": _candidate_rows(page.object_list),
            "status": status,
            "statuses": [(s, label, counts[s]) for s, label in MatchCandidate.Status.choices],
            "can_decide": role_allows(request.user, MatchCandidate, "change"),
            "form": form,
            "failed": failed,
        },
    )


@scoped
@require_POST
def candidate_decide(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = MatchCandidate.objects.restrict(request.user, "change").get(pk=pk)
    form = CandidateDecisionForm(request.POST)
    if form.is_valid():
        try:
            fuzzy.candidate_decide(
                actor=request.user,
                candidate=candidate,
                confirm=form.cleaned_data["decision"] == "confirm",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            for errs in exc.message_dict.values():
                for e in errs:
                    form.add_error(None, e)
        else:
            if form.cleaned_data["decision"] == "confirm":
                messages.success(
                    request, _("已确认：该部门记录已作为 %(n)s 的核对结果") % {"n": candidate.person.name}
                )
            else:
                messages.success(request, _("已否认该疑似匹配"))
            return redirect("verification:candidates", candidate.run_id)
    return _candidates_page(request, candidate.run_id, form=form, failed=candidate.pk)
