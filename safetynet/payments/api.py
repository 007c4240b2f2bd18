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


# ---------------------------------------------------------------- /payments: temporary, price subsidy, files, reports


class MonthIn(Schema):
    month: str


class PriceSubsidyIn(Schema):
    month: str
    cpi: str


class TopupIn(Schema):
    amount: str
    entry_date: str
    reference: str
    note: str = ""


class CashIn(Schema):
    entry_date: str
    receipt: str
    paid_to: str
    signatures: str


class ReconcileIn(Schema):
    as_of: str
    counted_balance: str


def _day(text: str, field: str):
    import datetime as dt

    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError({field: [_("日期格式应为 YYYY-MM-DD：%(v)s") % {"v": text}]}) from None


def _entry(e) -> dict:
    return {
        "id": e.pk,
        "date": f"{e.entry_date:%Y-%m-%d}",
        "kind": e.kind,
        "amount": str(e.amount),
        "reference": e.reference,
        "paid_to": e.paid_to,
        "note": e.note,
    }


@router.post("/payments/temporary-payrolls", response=PayrollOut)
def temporary_payroll_build(request, data: MonthIn):
    user = caller(request)
    payroll, _created = services.temporary_payroll_build(
        actor=user,
        county_code=services.county_of(user.region_id or ""),
        month=services.parse_month(data.month),
    )
    return _out(payroll)


@router.post("/payments/price-subsidy-payrolls", response=PayrollOut)
def price_subsidy_build(request, data: PriceSubsidyIn):
    user = caller(request)
    payroll, _created = services.price_subsidy_build(
        actor=user,
        county_code=services.county_of(user.region_id or ""),
        month=services.parse_month(data.month),
        cpi=data.cpi,
    )
    return _out(payroll)


@router.get("/payments/temporary-stages")
def temporary_stages(request):
    return [
        {
            "id": s.pk,
            "decision": s.decision_id,
            "seq": s.seq,
            "month": f"{s.month:%Y-%m}",
            "amount": str(s.amount),
            "method": s.method,
            "status": str(services.stage_status(s)),
            "payee": s.entitlement.payee_name,
            "account": s.entitlement.account_masked,
            "township_code": s.township_code,
        }
        for s in selectors.temporary_stage_list(user=caller(request))[:500]
    ]


@router.get("/payments/standby/{township}")
def standby_get(request, township: str):
    page = selectors.standby_page(user=caller(request), township_code=township)
    return {
        "township": township,
        "balance": str(page["balance"]),
        "entries": [_entry(e) for e in page["entries"]],
        "reconciliations": [
            {
                "as_of": f"{r.as_of:%Y-%m-%d}",
                "book_balance": str(r.book_balance),
                "counted_balance": str(r.counted_balance),
                "difference": str(r.difference),
                "report": r.report,
            }
            for r in page["reconciliations"]
        ],
    }


@router.post("/payments/standby/{township}/topups")
def standby_topup(request, township: str, data: TopupIn):
    e = services.standby_topup(
        actor=caller(request),
        township_code=township,
        amount=data.amount,
        entry_date=_day(data.entry_date, "entry_date"),
        reference=data.reference,
        note=data.note,
    )
    return _entry(e)


@router.post("/payments/temporary-stages/{pk}/cash")
def stage_cash(request, pk: int, data: CashIn):
    from safetynet.payments.models import TemporaryStage

    user = caller(request)
    stage = TemporaryStage.objects.restrict(user, "change").get(pk=pk)
    e = services.standby_cash_pay(
        actor=user,
        stage=stage,
        entry_date=_day(data.entry_date, "entry_date"),
        receipt=data.receipt,
        paid_to=data.paid_to,
        signatures=data.signatures,
    )
    return _entry(e)


@router.post("/payments/standby/{township}/reconcile")
def standby_reconcile(request, township: str, data: ReconcileIn):
    rec = services.standby_reconcile(
        actor=caller(request),
        township_code=township,
        as_of=_day(data.as_of, "as_of"),
        counted_balance=data.counted_balance,
    )
    return {
        "book_balance": str(rec.book_balance),
        "counted_balance": str(rec.counted_balance),
        "difference": str(rec.difference),
        "report": rec.report,
    }


@router.get("/payments/files/{pk}/download")
def bank_file_content(request, pk: int):
    """The full file (accounts in clear); the download is written to the access log."""
    from django.http import HttpResponse

    from safetynet.payments.services.bankfiles import XLSX_LAYOUTS, XLSX_TYPE

    user = caller(request)
    bank_file = BankFile.objects.get(pk=pk, payroll__in=selectors.payroll_list(user=user))
    content = services.bank_file_download(actor=user, bank_file=bank_file)
    kind = XLSX_TYPE if bank_file.layout in XLSX_LAYOUTS else "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{bank_file.name}"'
    return response


@router.get("/payments/reports/expenditure")
def expenditure_report(request, months: int = 12):
    report = services.expenditure_report(user=caller(request), months=months)

    def clean(row: dict) -> dict:
        return {
            **row,
            "month": f"{row['month']:%Y-%m}",
            "total": str(row["total"]),
            "change": None if row["change"] is None else str(row["change"]),
        }

    return {key: [clean(r) for r in rows] for key, rows in report.items()}


@router.get("/payments/reports/expenditure.xlsx")
def expenditure_report_xlsx(request, months: int = 12):
    from django.http import HttpResponse

    from safetynet.payments.services.bankfiles import XLSX_TYPE

    response = HttpResponse(
        services.expenditure_xlsx(user=caller(request), months=months), content_type=XLSX_TYPE
    )
    response["Content-Disposition"] = 'attachment; filename="expenditure-report.xlsx"'
    return response


# ------------------------------------------------- pa: /payments/adjustments, penalties, recoveries


class AdjustmentIn(Schema):
    from_month: str
    program: str = "dibao"
    region: str = ""
    reason: str = ""
    document_number: str = ""


class PenaltyIn(Schema):
    household: str
    conduct_on: str
    amount_obtained: str
    facts: str
    notice_on: str = ""
    party_name: str = ""


class HearingIn(Schema):
    action: str
    on: str = ""
    record: str = ""


class DecideIn(Schema):
    multiple: str
    reason: str
    decided_on: str = ""
    document_number: str = ""


class RecoveryIn(Schema):
    household: str
    months: list[dict]
    reason: str
    method: str = "schedule"
    instalment: str


class RepayIn(Schema):
    amount: str
    paid_on: str


def _require(user, model, action: str) -> None:
    from safetynet.core.permissions import require

    require(user, model, action)


def _adjustment(a, lines=None) -> dict:
    out = {
        "id": a.pk,
        "number": a.number,
        "region_code": a.region_code,
        "program": a.program,
        "from_month": f"{a.from_month:%Y-%m}",
        "standards": a.standards,
        "reason": a.reason,
        "document_number": a.document_number,
        "household_count": a.household_count,
        "monthly_increase": str(a.monthly_increase),
        "backpay_total": str(a.backpay_total),
        "skipped": a.skipped,
    }
    if lines is not None:
        out["lines"] = [
            {
                "household": ln.household.number,
                "entitlement": ln.entitlement.number,
                "township_code": ln.township_code,
                "method": ln.method,
                "old_amount": str(ln.old_amount),
                "new_amount": str(ln.new_amount),
                "difference": str(ln.difference),
                "months": ln.months,
                "backpay_amount": str(ln.backpay_amount),
                "backpay_payroll": ln.backpay_payroll_id,
            }
            for ln in lines
        ]
    return out


def _penalty(p) -> dict:
    return {
        "id": p.pk,
        "number": p.number,
        "household": p.household.number,
        "party_name": p.party_name,
        "state": p.state,
        "conduct_on": p.conduct_on.isoformat(),
        "amount_obtained": str(p.amount_obtained),
        "multiple_min": str(p.multiple_min),
        "multiple_max": str(p.multiple_max),
        "rate_reference": p.rate_reference,
        "notice_on": p.notice_on.isoformat(),
        "hearing_deadline": p.hearing_deadline.isoformat(),
        "hearing_on": p.hearing_on.isoformat() if p.hearing_on else None,
        "multiple": str(p.multiple) if p.multiple is not None else None,
        "fine_amount": str(p.fine_amount) if p.fine_amount is not None else None,
        "decided_on": p.decided_on.isoformat() if p.decided_on else None,
        "document_number": p.document_number,
    }


def _recovery(r) -> dict:
    return {
        "id": r.pk,
        "household": r.household.number,
        "reason": r.reason,
        "method": r.method,
        "months": r.months,
        "amount": str(r.amount),
        "instalment": str(r.instalment),
        "balance": str(r.balance),
        "repayments": [
            {"paid_on": x.paid_on.isoformat(), "amount": str(x.amount), "source": x.source}
            for x in r.repayments.order_by("id")
        ],
    }


def _household_for(user, number: str):
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from safetynet.registry.models import Household

    found = Household.objects.restrict(user, "view").filter(number=number.strip()).first()
    if found is None:
        raise ValidationError({"household": [_("找不到家庭编号 %(n)s（或不在您的辖区）") % {"n": number}]})
    return found


@router.get("/payments/adjustments")
def adjustments(request):
    return [_adjustment(a) for a in selectors.adjustment_list(user=caller(request))[:200]]


@router.post("/payments/adjustments")
def adjustment_run(request, data: AdjustmentIn):
    from safetynet.payments.models import StandardAdjustment

    user = caller(request)
    _require(user, StandardAdjustment, "add")
    adj, created = services.standard_raise(
        actor=user,
        region_code=data.region or user.region_id or "",
        program=data.program,
        from_month=services.parse_month(data.from_month),
        reason=data.reason,
        document_number=data.document_number,
    )
    return {**_adjustment(adj), "created": created}


@router.get("/payments/adjustments/{pk}")
def adjustment_get(request, pk: int):
    user = caller(request)
    adj = selectors.adjustment_list(user=user).get(pk=pk)
    return _adjustment(adj, selectors.adjustment_lines(user=user, adjustment=adj)[:5000])


@router.get("/payments/penalties")
def penalties(request):
    return [_penalty(p) for p in selectors.penalty_list(user=caller(request))[:500]]


@router.post("/payments/penalties")
def penalty_notify(request, data: PenaltyIn):
    user = caller(request)
    penalty = services.penalty_notify(
        actor=user,
        household=_household_for(user, data.household),
        conduct_on=_day(data.conduct_on, "conduct_on"),
        amount_obtained=data.amount_obtained,
        facts=data.facts,
        notice_on=_day(data.notice_on, "notice_on") if data.notice_on else None,
        party_name=data.party_name,
    )
    return _penalty(penalty)


@router.get("/payments/penalties/{pk}")
def penalty_get(request, pk: int):
    return _penalty(selectors.penalty_list(user=caller(request)).get(pk=pk))


@router.post("/payments/penalties/{pk}/hearing")
def penalty_hearing(request, pk: int, data: HearingIn):
    user = caller(request)
    penalty = services.penalty_hearing(
        actor=user,
        penalty=selectors.penalty_list(user=user).get(pk=pk),
        action=data.action,
        on=_day(data.on, "on") if data.on else None,
        record=data.record,
    )
    return _penalty(penalty)


@router.post("/payments/penalties/{pk}/decide")
def penalty_decide(request, pk: int, data: DecideIn):
    user = caller(request)
    penalty = services.penalty_decide(
        actor=user,
        penalty=selectors.penalty_list(user=user).get(pk=pk),
        multiple=data.multiple,
        reason=data.reason,
        decided_on=_day(data.decided_on, "decided_on") if data.decided_on else None,
        document_number=data.document_number,
    )
    return _penalty(penalty)


@router.get("/payments/recoveries")
def recoveries(request):
    return [_recovery(r) for r in selectors.recovery_list(user=caller(request))[:500]]


@router.post("/payments/recoveries")
def recovery_open(request, data: RecoveryIn):
    from safetynet.payments.models import Entitlement, Recovery

    user = caller(request)
    _require(user, Recovery, "add")
    household = _household_for(user, data.household)
    entitlement = (
        Entitlement.objects.restrict(user, "view")
        .filter(household=household, state__in=["active", "suspended"])
        .order_by("-id")
        .first()
    )
    rec = services.recovery_open(
        actor=user,
        household=household,
        months=data.months,
        reason=data.reason,
        method=data.method,
        instalment=data.instalment,
        entitlement=entitlement,
    )
    return _recovery(rec)


@router.post("/payments/recoveries/{pk}/repay")
def recovery_repay(request, pk: int, data: RepayIn):
    from safetynet.payments.models import Recovery

    user = caller(request)
    rec = Recovery.objects.restrict(user, "change").get(pk=pk)
    return _recovery(
        services.recovery_repay(
            actor=user, recovery=rec, amount=data.amount, paid_on=_day(data.paid_on, "paid_on")
        )
    )
