"""Temporary assistance payments (临时救助): one-off or staged payments of one approval, paid in
the county's temporary payroll of each stage's month or in cash from the township's standby
fund (临时救助备用金), and the standby-fund ledger with its reconciliation.

Contract with the review workflow (applications.Decision), read defensively:

- an approval (``kind == "approve"``) of a case whose program is a one-off program
  (``temporary_emergency`` / ``temporary_expenditure``);
- ``decision.stages``: ``[{"month": "2026-12", "amount": "800.00", "method": "bank"|"cash"}]``
  (``method`` optional, default bank); empty → one payment of ``decision.amount`` in the month
  of ``decision.first_payment_month`` or else the month of the decision (temporary assistance
  is paid at once, not from the month after);
- help-first cash (``applications.EmergencyPayment`` of the case, 先行救助) is part of the
  decision's amount: it is deducted from the earliest stages, never paid twice;
- payee: ``decision.payee_name`` / ``payee_account_enc``, else the household's account; a bank
  stage without any account is paid in cash.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.services import change_log_write, job_finish, job_start, snapshot
from safetynet.payments.models import (
    Entitlement,
    PaymentLine,
    Payroll,
    StandbyEntry,
    StandbyReconciliation,
    TemporaryStage,
)
from safetynet.payments.services._common import (
    CENT,
    county_of,
    lines_totals,
    month_start,
    parse_month,
    user_or_none,
)

ONE_OFF = ("temporary_emergency", "temporary_expenditure")
TEMPORARY_PROGRAM = "temporary"  # the program of the county's temporary payroll


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _stage_plan(decision: Any) -> list[dict[str, Any]]:
    """[{seq, month, amount, method, note}] from the decision. Where the decision carries
    ``standby_cash`` (the workflow's contract), its stages are already net of the help-first
    cash; otherwise the help-first cash of the case is deducted from the earliest stages."""
    raw = list(getattr(decision, "stages", None) or [])
    netted = hasattr(decision, "standby_cash")
    if not raw and not netted:
        month = getattr(decision, "first_payment_month", None) or decision.decided_on
        raw = [{"month": f"{month:%Y-%m}", "amount": str(decision.amount or 0)}]
    plan: list[dict[str, Any]] = []
    for i, row in enumerate(raw, start=1):
        plan.append(
            {
                "seq": i,
                "month": parse_month(str(row.get("month", ""))),
                "amount": _money(row.get("amount")),
                "method": row.get("method") or TemporaryStage.Method.BANK,
                "note": "",
            }
        )
    if not netted:
        from safetynet.applications.models import EmergencyPayment

        first = _money(
            EmergencyPayment.objects.filter(case_id=decision.case_id).aggregate(t=Sum("amount"))["t"]
        )
        for p in plan:
            take = min(first, p["amount"])
            p["amount"] -= take
            first -= take
            p["note"] = _("已扣除先行救助 %(a)s 元") % {"a": take} if take else ""
    return [p for p in plan if p["amount"] > 0]


def _carrier(actor: Any, decision: Any) -> Entitlement:
    """The entitlement row that carries the payee and account of one temporary decision."""
    case = decision.case
    hh = case.household
    number = f"LS{decision.pk:010d}"
    ent = Entitlement.objects.filter(number=number).first()
    if ent:
        return ent
    account_enc = getattr(decision, "payee_account_enc", "") or hh.account_enc
    masked = getattr(decision, "payee_account_masked", "") or hh.account_masked
    ent = Entitlement.objects.create(
        number=number,
        case=case,
        household=hh,
        program=case.program,
        county_code=county_of(case.region_code),
        township_code=case.township_code or case.region_code[:9] + "000",
        region_code=case.region_code,
        payee_kind=getattr(decision, "payee_kind", "") or Entitlement.PayeeKind.HOUSEHOLD,
        payee_name=getattr(decision, "payee_name", "") or hh.account_holder or hh.head_name,
        bank_name=hh.bank_name,
        account_enc=account_enc,
        account_masked=masked,
        state=Entitlement.State.STOPPED,  # one-off: never in a monthly payroll (no events)
        monthly_amount=_money(decision.amount),
        first_month=month_start(getattr(decision, "first_payment_month", None) or decision.decided_on),
        created_by=user_or_none(actor),
    )
    change_log_write(actor=actor, action="create", obj=ent, after=snapshot(ent), reason=_("临时救助批准"))
    return ent


@transaction.atomic
def temporary_from_decision(*, actor: Any, decision: Any) -> list[TemporaryStage]:
    """The stages of an approved temporary-assistance decision (idempotent: a decision's stages
    are created once; the database refuses a second row for a stage)."""
    case = decision.case
    if case.program not in ONE_OFF or decision.kind != "approve":
        return []
    existing = list(TemporaryStage.objects.filter(decision=decision).order_by("seq"))
    if existing:
        return existing
    ent = _carrier(actor, decision)
    has_account = bool(ent.account_enc)
    stages = []
    for p in _stage_plan(decision):
        method = p["method"] if has_account else TemporaryStage.Method.CASH
        note = p["note"] or ("" if has_account else _("无银行账户，由备用金现金发放"))
        stages.append(
            TemporaryStage.objects.create(
                decision=decision,
                case=case,
                household_id=case.household_id,
                entitlement=ent,
                seq=p["seq"],
                month=p["month"],
                amount=p["amount"],
                method=method,
                county_code=ent.county_code,
                township_code=ent.township_code,
                region_code=ent.region_code,
                note=note,
                created_by=user_or_none(actor),
            )
        )
    change_log_write(
        actor=actor,
        action="create",
        obj=decision,
        after={"stages": [f"{s.month:%Y-%m} {s.amount} {s.method}" for s in stages]},
        reason=_("临时救助分阶段发放计划"),
    )
    return stages


def temporary_sync(*, actor: Any, county_code: str | None = None, township_code: str | None = None) -> int:
    """Create the stages of every approved temporary decision that has none yet (pull side of
    the workflow hook; safe to run any number of times). Returns the number of decisions."""
    from safetynet.applications.models import Decision

    qs = Decision.objects.filter(kind="approve", case__program__in=ONE_OFF).exclude(
        pk__in=TemporaryStage.objects.values("decision_id")
    )
    if county_code:
        qs = qs.filter(case__region_code__startswith=county_code[:6])
    if township_code:
        qs = qs.filter(case__region_code__startswith=township_code[:9])
    n = 0
    for decision in qs.select_related("case", "case__household").order_by("id"):
        temporary_from_decision(actor=actor, decision=decision)
        n += 1
    return n


def temporary_payroll_build(
    *, actor: Any, county_code: str, month: dt.date, cutoff: dt.date | None = None
) -> tuple[Payroll, bool]:
    """The county's temporary payroll of ``month``: one line per bank stage due in or before the
    month and not yet paid (a stage approved after last month's payroll was frozen comes now).
    Building twice creates nothing; then check → approve → bank files as for every payroll."""
    month = month_start(month)
    temporary_sync(actor=actor, county_code=county_code)
    existing = Payroll.objects.filter(
        county_code=county_code, program=TEMPORARY_PROGRAM, month=month, kind=Payroll.Kind.TEMPORARY
    ).first()
    if existing:
        return existing, False
    job = job_start(
        kind="payroll_temporary", actor=actor, params={"county": county_code, "month": f"{month:%Y-%m}"}
    )
    with transaction.atomic():
        payroll = Payroll.objects.create(
            county_code=county_code,
            program=TEMPORARY_PROGRAM,
            month=month,
            kind=Payroll.Kind.TEMPORARY,
            cutoff=cutoff or timezone.localdate(),
            job=job,
            created_by=user_or_none(actor),
        )
        due = list(
            TemporaryStage.objects.select_for_update()
            .filter(
                county_code=county_code,
                month__lte=month,
                method=TemporaryStage.Method.BANK,
                payment_line__isnull=True,
                cash_entry__isnull=True,
            )
            .select_related("household", "decision")
            .order_by("id")
        )
        lines = PaymentLine.objects.bulk_create(
            [
                PaymentLine(
                    payroll=payroll,
                    entitlement_id=s.entitlement_id,
                    person_id=_payee_person(s),
                    for_month=s.month,
                    kind=PaymentLine.Kind.TEMPORARY,
                    township_code=s.township_code,
                    amount=s.amount,
                    job_id=job.pk,
                )
                for s in due
            ]
        )
        for s, line in zip(due, lines, strict=True):
            TemporaryStage.objects.filter(pk=s.pk).update(payment_line=line)
        payroll.line_count, payroll.total = lines_totals(payroll)
        payroll.save(update_fields=["line_count", "total"])
        change_log_write(
            actor=actor,
            action="create",
            obj=payroll,
            after=snapshot(payroll),
            reason=_("生成临时救助发放名册"),
        )
    job_finish(job=job, counts={"lines": payroll.line_count, "total": str(payroll.total)}, digest="")
    return payroll, True


def _payee_person(stage: TemporaryStage) -> int:
    """The person a temporary line is booked to: the first member of the decision, else the head."""
    members = getattr(stage.decision, "members", None) or []
    for m in members:
        if m.get("person_id"):
            return int(m["person_id"])
    if stage.household.head_id:
        return int(stage.household.head_id)
    first = stage.household.memberships.order_by("id").values_list("person_id", flat=True).first()
    return int(first or 0)


def stage_status(stage: TemporaryStage) -> str:
    """计划 / 已纳入名册 / 已到账 / 发放失败 / 已现金发放 (read from the line or the cash entry)."""
    if stage.cash_entry_id:
        return _("已现金发放")
    if stage.payment_line_id:
        status = stage.payment_line.status  # type: ignore[union-attr]
        return {"paid": _("已到账"), "failed": _("发放失败")}.get(status, _("已纳入名册"))
    return _("待发放")


# ---------------------------------------------------------------- standby fund (备用金)


def _require_township_staff(actor: Any, township_code: str) -> None:
    from safetynet.core.permissions import region_bounds, role_allows

    if not role_allows(actor, StandbyEntry, "change"):
        raise PermissionDenied(_("无权登记备用金"))
    region = getattr(actor, "region_id", None)
    if region:
        low, high = region_bounds(region)
        if not (low <= township_code <= high or township_code[:9] == region[:9]):
            raise PermissionDenied(_("只能登记本辖区乡镇的备用金"))


def standby_balance(township_code: str, *, as_of: dt.date | None = None) -> Decimal:
    qs = StandbyEntry.objects.filter(township_code=township_code)
    if as_of:
        qs = qs.filter(entry_date__lte=as_of)
    top = qs.filter(kind=StandbyEntry.Kind.TOPUP).aggregate(t=Sum("amount"))["t"] or 0
    out = qs.filter(kind=StandbyEntry.Kind.CASH).aggregate(t=Sum("amount"))["t"] or 0
    return _money(Decimal(str(top)) - Decimal(str(out)))


def _positive(value: Any, field: str, label: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except Exception as exc:  # noqa: BLE001 — any malformed amount is reported
        raise ValidationError({field: [_("%(l)s格式错误：%(v)s") % {"l": label, "v": value}]}) from exc
    if amount <= 0 or amount != amount.quantize(CENT):
        raise ValidationError(
            {field: [_("%(l)s须为大于0的金额（最多两位小数）：%(v)s") % {"l": label, "v": value}]}
        )
    return amount


@transaction.atomic
def standby_topup(
    *, actor: Any, township_code: str, amount: Any, entry_date: dt.date, reference: str, note: str = ""
) -> StandbyEntry:
    """拨付 — the county tops up a township's standby fund (document number required)."""
    _require_township_staff(actor, township_code)
    value = _positive(amount, "amount", _("拨付金额"))
    if not reference.strip():
        raise ValidationError({"reference": [_("请填写拨付文号")]})
    if StandbyEntry.objects.filter(
        township_code=township_code, kind=StandbyEntry.Kind.TOPUP, reference=reference.strip()
    ).exists():
        raise ValidationError({"reference": [_("拨付文号 %(r)s 已登记") % {"r": reference}]})
    entry = StandbyEntry.objects.create(
        township_code=township_code,
        county_code=county_of(township_code),
        kind=StandbyEntry.Kind.TOPUP,
        entry_date=entry_date,
        amount=value,
        reference=reference.strip(),
        note=note,
        created_by=user_or_none(actor),
    )
    change_log_write(actor=actor, action="create", obj=entry, after=snapshot(entry), reason=_("备用金拨付"))
    return entry


@transaction.atomic
def standby_cash_pay(
    *,
    actor: Any,
    stage: TemporaryStage,
    entry_date: dt.date,
    receipt: str,
    paid_to: str,
    signatures: str,
) -> StandbyEntry:
    """Pay one stage in cash from the township's standby fund, with receipt number, recipient
    and signatures. Refused when the stage is already in a payroll or already paid, or when the
    fund's balance does not cover it."""
    stage = TemporaryStage.objects.select_for_update().get(pk=stage.pk)
    _require_township_staff(actor, stage.township_code)
    errors: dict[str, list[str]] = {}
    if stage.payment_line_id or stage.cash_entry_id:
        raise ValidationError({"stage": [_("该笔临时救助已发放或已纳入发放名册，不能重复发放")]})
    if not receipt.strip():
        errors.setdefault("receipt", []).append(_("请填写收据编号"))
    if not paid_to.strip():
        errors.setdefault("paid_to", []).append(_("请填写领款人"))
    if not signatures.strip():
        errors.setdefault("signatures", []).append(_("请填写经办及领款签字"))
    if entry_date > timezone.localdate():
        errors.setdefault("entry_date", []).append(_("发放日期不能晚于今天"))
    if errors:
        raise ValidationError(errors)
    # lock the township's ledger rows so two cash payments cannot both pass the balance test
    list(StandbyEntry.objects.select_for_update().filter(township_code=stage.township_code).values_list("pk"))
    balance = standby_balance(stage.township_code)
    if balance < stage.amount:
        raise ValidationError(
            {"amount": [_("备用金余额 %(b)s 元不足以支付 %(a)s 元") % {"b": balance, "a": stage.amount}]}
        )
    if StandbyEntry.objects.filter(
        township_code=stage.township_code, kind=StandbyEntry.Kind.CASH, reference=receipt.strip()
    ).exists():
        raise ValidationError({"receipt": [_("收据编号 %(r)s 已使用") % {"r": receipt}]})
    entry = StandbyEntry.objects.create(
        township_code=stage.township_code,
        county_code=stage.county_code,
        kind=StandbyEntry.Kind.CASH,
        entry_date=entry_date,
        amount=stage.amount,
        reference=receipt.strip(),
        paid_to=paid_to.strip(),
        signatures=signatures.strip(),
        case_id=stage.case_id,
        note=_("临时救助第 %(n)s 阶段") % {"n": stage.seq},
        created_by=user_or_none(actor),
    )
    TemporaryStage.objects.filter(pk=stage.pk).update(
        cash_entry=entry, method=TemporaryStage.Method.CASH, updated_at=timezone.now()
    )
    change_log_write(
        actor=actor, action="create", obj=entry, after=snapshot(entry), reason=_("备用金现金发放")
    )
    return entry


@transaction.atomic
def standby_record_help_first(*, actor: Any, township_code: str) -> int:
    """Record the township's help-first cash payments (先行救助, made before the paperwork) in
    the ledger, once each (the database refuses a second entry for one payment)."""
    from safetynet.applications.models import EmergencyPayment

    _require_township_staff(actor, township_code)
    done = StandbyEntry.objects.filter(emergency_payment__isnull=False).values("emergency_payment_id")
    fields = {f.name for f in EmergencyPayment._meta.get_fields()}
    where = Q(case__township_code=township_code)
    if "township_code" in fields:  # the fund that paid, where the workflow records it
        where = Q(township_code=township_code) | (Q(township_code="") & where)
    todo = EmergencyPayment.objects.filter(where).exclude(pk__in=done).select_related("case").order_by("id")
    n = 0
    for ep in todo:
        entry = StandbyEntry.objects.create(
            township_code=township_code,
            county_code=county_of(township_code),
            kind=StandbyEntry.Kind.CASH,
            entry_date=ep.paid_on,
            amount=ep.amount,
            reference=_help_first_reference(township_code, ep),
            paid_to=ep.paid_to,
            signatures=ep.signatures,
            case_id=ep.case_id,
            emergency_payment=ep,
            note=_("先行救助"),
            created_by=user_or_none(actor),
        )
        change_log_write(
            actor=actor, action="create", obj=entry, after=snapshot(entry), reason=_("登记先行救助")
        )
        n += 1
    return n


def _help_first_reference(township_code: str, ep: Any) -> str:
    receipt = (getattr(ep, "receipt_no", "") or "").strip()
    if (
        receipt
        and not StandbyEntry.objects.filter(
            township_code=township_code, kind=StandbyEntry.Kind.CASH, reference=receipt
        ).exists()
    ):
        return receipt
    return f"{receipt}/XX{ep.pk}" if receipt else f"XX{ep.pk:08d}"


def _justification(entries: list[StandbyEntry]) -> list[dict[str, Any]]:
    """Each cash entry against the decision that justifies it: a stage of an approval, or a
    help-first payment whose case has since been approved for at least the cash paid."""
    from safetynet.applications.models import Decision

    case_ids = {e.case_id for e in entries if e.case_id}
    approved: dict[int, Decimal] = {}
    for case_id, amount in Decision.objects.filter(case_id__in=case_ids, kind="approve").values_list(
        "case_id", "amount"
    ):
        approved[case_id] = approved.get(case_id, Decimal(0)) + _money(amount)
    stage_of = dict(
        TemporaryStage.objects.filter(cash_entry_id__in=[e.pk for e in entries]).values_list(
            "cash_entry_id", "decision_id"
        )
    )
    help_first: dict[int, Decimal] = {}
    for e in entries:
        if e.emergency_payment_id and e.case_id:
            help_first[e.case_id] = help_first.get(e.case_id, Decimal(0)) + e.amount
    rows = []
    for e in entries:
        if e.pk in stage_of:
            ok, why = True, _("临时救助决定 #%(d)s") % {"d": stage_of[e.pk]}
        elif e.emergency_payment_id:
            total = approved.get(e.case_id or 0)
            if total is None:
                ok, why = False, _("先行救助尚未补办审批")
            elif total < help_first.get(e.case_id or 0, Decimal(0)):
                ok, why = False, _("先行救助金额超出批准金额 %(a)s 元") % {"a": total}
            else:
                ok, why = True, _("先行救助，已补办审批")
        else:
            ok, why = False, _("无对应的救助决定")
        rows.append(
            {
                "entry": e.pk,
                "date": f"{e.entry_date:%Y-%m-%d}",
                "reference": e.reference,
                "paid_to": e.paid_to,
                "amount": str(e.amount),
                "justified": ok,
                "basis": why,
            }
        )
    return rows


@transaction.atomic
def standby_reconcile(
    *, actor: Any, township_code: str, as_of: dt.date, counted_balance: Any
) -> StandbyReconciliation:
    """对账: the ledger balance against the cash counted, each cash payment against its decision,
    and the cash stages due but not yet paid."""
    _require_township_staff(actor, township_code)
    try:
        counted = Decimal(str(counted_balance).strip()).quantize(CENT)
    except Exception as exc:  # noqa: BLE001
        raise ValidationError(
            {"counted_balance": [_("实存现金格式错误：%(v)s") % {"v": counted_balance}]}
        ) from exc
    if counted < 0:
        raise ValidationError({"counted_balance": [_("实存现金不能为负数")]})
    book = standby_balance(township_code, as_of=as_of)
    cash = list(
        StandbyEntry.objects.filter(
            township_code=township_code, kind=StandbyEntry.Kind.CASH, entry_date__lte=as_of
        ).order_by("entry_date", "id")
    )
    rows = _justification(cash)
    pending = [
        {
            "stage": s.pk,
            "month": f"{s.month:%Y-%m}",
            "amount": str(s.amount),
            "payee": s.entitlement.payee_name,
        }
        for s in TemporaryStage.objects.filter(
            township_code=township_code,
            method=TemporaryStage.Method.CASH,
            cash_entry__isnull=True,
            month__lte=month_start(as_of),
        ).select_related("entitlement")
    ]
    top = StandbyEntry.objects.filter(
        township_code=township_code, kind=StandbyEntry.Kind.TOPUP, entry_date__lte=as_of
    ).aggregate(t=Sum("amount"))["t"]
    report = {
        "topups": str(_money(top)),
        "cash_paid": str(_money(sum((e.amount for e in cash), Decimal(0)))),
        "entries": rows,
        "unjustified": [r for r in rows if not r["justified"]],
        "pending_cash": pending,
    }
    rec = StandbyReconciliation.objects.create(
        township_code=township_code,
        as_of=as_of,
        book_balance=book,
        counted_balance=counted,
        difference=counted - book,
        report=report,
        created_by=user_or_none(actor),
    )
    change_log_write(
        actor=actor,
        action="create",
        obj=rec,
        after={"book": str(book), "counted": str(counted), "unjustified": len(report["unjustified"])},
        reason=_("备用金对账"),
    )
    return rec
