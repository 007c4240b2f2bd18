"""API endpoints of this app (mounted under /api/v1/ by safetynet/api/main.py)."""

from __future__ import annotations

from ninja import Router, Schema

from safetynet.api.auth import caller
from safetynet.payments import selectors, services
from safetynet.payments.models import BankFile

router = Router(tags=["payments"])


class PayrollOut(Schema):
    id: int
    county_code: str
    program: str
    month: str
    state: str
    line_count: int
    total: str
    check_report: dict


class BuildIn(Schema):
    month: str
    program: str = "dibao"


class ReturnIn(Schema):
    bank_file: int
    content: str


def _out(p) -> dict:
    return {
        "id": p.pk,
        "county_code": p.county_code,
        "program": p.program,
        "month": f"{p.month:%Y-%m}",
        "state": p.state,
        "line_count": p.line_count,
        "total": str(p.total),
        "check_report": p.check_report,
    }


@router.get("/payrolls", response=list[PayrollOut])
def payrolls(request):
    return [_out(p) for p in selectors.payroll_list(user=caller(request))[:100]]


@router.post("/payrolls", response=PayrollOut)
def payroll_build(request, data: BuildIn):
    payroll, _created = services.payroll_build(
        actor=caller(request),
        county_code=services.county_of(caller(request).region_id or ""),
        program=data.program,
        month=services.parse_month(data.month),
    )
    return _out(payroll)


@router.get("/payrolls/{pk}", response=PayrollOut)
def payroll_get(request, pk: int):
    return _out(selectors.payroll_list(user=caller(request)).get(pk=pk))


@router.post("/payrolls/{pk}/check", response=PayrollOut)
def payroll_check(request, pk: int):
    return _out(
        services.payroll_check(
            actor=caller(request), payroll=selectors.payroll_list(user=caller(request)).get(pk=pk)
        )
    )


@router.post("/payrolls/{pk}/approve", response=PayrollOut)
def payroll_approve(request, pk: int):
    return _out(
        services.payroll_approve(
            actor=caller(request), payroll=selectors.payroll_list(user=caller(request)).get(pk=pk)
        )
    )


@router.post("/payrolls/{pk}/files")
def bank_files(request, pk: int, layout: str = "csv"):
    payroll = selectors.payroll_list(user=caller(request)).get(pk=pk)
    files = services.bank_files_build(actor=caller(request), payroll=payroll, layout=layout)
    return [
        {
            "id": f.pk,
            "bank": f.bank_name,
            "count": f.line_count,
            "total": str(f.total),
            "checksum": f.checksum,
        }
        for f in files
    ]


@router.post("/returns")
def return_import(request, data: ReturnIn):
    bank_file = BankFile.objects.get(
        pk=data.bank_file, payroll__in=selectors.payroll_list(user=caller(request))
    )
    imp = services.return_file_import(
        actor=caller(request), bank_file=bank_file, content=data.content.encode()
    )
    return {"id": imp.pk, "status": imp.status, "paid": imp.paid, "failed": imp.failed, "errors": imp.errors}


@router.get("/corrections")
def corrections(request):
    return [
        {
            "id": c.pk,
            "payroll": c.payroll_id,
            "payee": c.entitlement.payee_name,
            "account": c.entitlement.account_masked,
            "reason": c.reason,
            "amount": str(c.amount),
            "state": c.state,
        }
        for c in selectors.correction_list(user=caller(request))[:500]
    ]
