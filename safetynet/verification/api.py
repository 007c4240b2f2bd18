"""API endpoints of this app (mounted under /api/v1/ by safetynet/api/main.py). Thin: restrict(),
then the same services as the pages."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from safetynet.api.auth import caller
from safetynet.verification import services
from safetynet.verification.models import Discrepancy, HouseholdReport, Run

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
