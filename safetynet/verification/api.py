"""API endpoints of this app (mounted under /api/v1/ by safetynet/api/main.py). Thin: restrict(),
then the same services as the pages."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from safetynet.api.auth import caller
from safetynet.verification import fuzzy, services
from safetynet.verification.models import Discrepancy, HouseholdReport, MatchCandidate, Run

router = Router(tags=["verification"])


class RunIn(Schema):
    region_code: str
    departments: list[str] | None = None
    transport: str = "file"
    server_url: str = ""


class RunOut(Schema):
    id: int
    region_code: str
    purpose: str
    transport: str
    departments: list[str]
    as_of: dt.date
    stage: str
    status: str
    counts: dict
    error: str


class DiscrepancyOut(Schema):
    household_number: str
    person: str | None
    kind: str
    message: str
    declared: float | None
    found: float | None


class ReportOut(Schema):
    id: int
    run: int
    household_number: str
    concerns: bool
    data: dict


@router.get("/verification/runs", response=list[RunOut])
def runs(request: HttpRequest):
    return list(Run.objects.restrict(caller(request), "view")[:100])


@router.post("/verification/runs", response={201: RunOut})
def run_create(request: HttpRequest, payload: RunIn):
    run = services.run_start(actor=caller(request), **payload.dict())
    return 201, services.run_execute(run=run)


@router.get("/verification/runs/{run_id}", response=RunOut)
def run_get(request: HttpRequest, run_id: int):
    return Run.objects.restrict(caller(request), "view").get(pk=run_id)


@router.get("/verification/runs/{run_id}/discrepancies", response=list[DiscrepancyOut])
def discrepancies(request: HttpRequest, run_id: int):
    run = Run.objects.restrict(caller(request), "view").get(pk=run_id)
    rows = (
        Discrepancy.objects.restrict(caller(request), "view")
        .filter(run=run)
        .select_related("household", "person")
    )
    return [
        DiscrepancyOut(
            household_number=d.household.number,
            person=d.person.name if d.person else None,
            kind=d.kind,
            message=d.message,
            declared=d.declared,
            found=d.found,
        )
        for d in rows
    ]


@router.get("/verification/runs/{run_id}/households/{household_id}", response=ReportOut)
def report(request: HttpRequest, run_id: int, household_id: int):
    r = (
        HouseholdReport.objects.restrict(caller(request), "view")
        .select_related("household")
        .get(run_id=run_id, household_id=household_id)
    )
    return ReportOut(
        id=r.pk, run=r.run_id, household_number=r.household.number, concerns=r.concerns, data=r.data
    )


class CandidatePerson(Schema):
    id: int
    name: str
    id_masked: str
    birth_date: dt.date | None
    household_id: int | None
    household_number: str | None
    address: str


class CandidateOut(Schema):
    id: int
    run: int
    department: str
    dataset: str
    record: dict
    findings: list[dict]
    person: CandidatePerson
    probability: float
    rank: int
    levels: dict[str, str]
    status: str
    decided_by: str | None
    decided_at: dt.datetime | None
    reason: str


class DecisionIn(Schema):
    decision: str  # "confirm" or "reject"
    reason: str


def _candidate_out(c: MatchCandidate) -> CandidateOut:
    h = c.household
    return CandidateOut(
        id=c.pk,
        run=c.run_id,
        department=c.department,
        dataset=c.dataset,
        record=c.record,
        findings=c.findings,
        person=CandidatePerson(
            id=c.person.pk,
            name=c.person.name,
            id_masked=c.person.id_masked,
            birth_date=c.person.birth_date,
            household_id=h.pk if h else None,
            household_number=h.number if h else None,
            address=(h.address if h else "") or c.person.hukou_address,
        ),
        probability=c.probability,
        rank=c.rank,
        levels={k: fuzzy.level_label(k, v) for k, v in c.levels.items()},
        status=c.status,
        decided_by=c.decided_by.username if c.decided_by else None,
        decided_at=c.decided_at,
        reason=c.reason,
    )


@router.get("/verification/runs/{run_id}/candidates", response=list[CandidateOut], summary="疑似匹配列表")
def candidates(request: HttpRequest, run_id: int, status: str = "pending"):
    """The fuzzy-match candidates of a run (identity numbers masked; the full number through
    ``POST /persons/{id}/reveal``, logged)."""
    run = Run.objects.restrict(caller(request), "view").get(pk=run_id)
    rows = (
        MatchCandidate.objects.restrict(caller(request), "view")
        .filter(run=run)
        .select_related("person", "household", "decided_by")
        .order_by("department", "record_key", "rank")
    )
    if status in MatchCandidate.Status.values:
        rows = rows.filter(status=status)
    return [_candidate_out(c) for c in rows[:500]]


@router.post(
    "/verification/candidates/{candidate_id}/decision", response=CandidateOut, summary="确认或否认疑似匹配"
)
def candidate_decision(request: HttpRequest, candidate_id: int, payload: DecisionIn):
    """Confirm (the record becomes this person's findings) or reject, with a reason."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    user = caller(request)
    candidate = MatchCandidate.objects.restrict(user, "change").get(pk=candidate_id)
    if payload.decision not in ("confirm", "reject"):
        raise ValidationError({"decision": [_("处理方式须为 confirm（确认）或 reject（否认）")]})
    c = fuzzy.candidate_decide(
        actor=user, candidate=candidate, confirm=payload.decision == "confirm", reason=payload.reason
    )
    return _candidate_out(
        MatchCandidate.objects.select_related("person", "household", "decided_by").get(pk=c.pk)
    )
