"""Recovery (追缴) of overpayments: open, repay."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from safetynet.core.services import change_log_write, snapshot
from safetynet.payments.models import (
    Entitlement,
)
from safetynet.payments.services._common import CENT, lines_totals, user_or_none


@transaction.atomic
def recovery_open(
    *,
    actor: Any,
    household: Any,
    months: list[dict[str, Any]],
    reason: str,
    method: str,
    instalment: Any,
    decision: Any = None,
    entitlement: Entitlement | None = None,
) -> Any:
    """追缴 of overpaid months (``[{"month": "2026-10", "amount": "320.00"}]``) with its decision."""
    from decimal import InvalidOperation

    from safetynet.payments.models import Recovery
    from safetynet.payments.services._common import parse_month

    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("追缴必须写明理由")]
    if not months:
        errors["months"] = [_("请列出多发的月份和金额")]
    if method not in Recovery.Method.values:
        errors["method"] = [_("未知的追缴方式：%(v)s") % {"v": method}]
    total = Decimal(0)
    for i, m in enumerate(months or []):
        try:
            parse_month(str(m.get("month", "")))
        except ValidationError:
            errors[f"months.{i}.month"] = [_("第 %(n)s 行月份格式应为 YYYY-MM") % {"n": i + 1}]
        try:
            amount = Decimal(str(m.get("amount", "")).strip()).quantize(CENT)
        except (InvalidOperation, ValueError):
            errors[f"months.{i}.amount"] = [_("第 %(n)s 行金额应为数字") % {"n": i + 1}]
            continue
        if amount <= 0:
            errors[f"months.{i}.amount"] = [_("第 %(n)s 行金额必须大于0") % {"n": i + 1}]
        total += amount
    try:
        instalment = Decimal(str(instalment).strip()).quantize(CENT)
    except (InvalidOperation, ValueError):
        errors["instalment"] = [_("每期金额应为数字")]
    if errors:
        raise ValidationError(errors)
    if total <= 0 or instalment <= 0:
        raise ValidationError({"instalment": [_("追缴总额和每期金额必须大于0")]})
    rec = Recovery.objects.create(
        household=household,
        region_code=household.region_code,
        entitlement=entitlement,
        decision=decision,
        reason=reason,
        months=months,
        amount=total,
        method=method,
        instalment=min(instalment, total),
        balance=total,
        created_by=user_or_none(actor),
    )
    change_log_write(actor=actor, action="create", obj=rec, after=snapshot(rec), reason=reason)
    return rec


@transaction.atomic
def recovery_repay(*, actor: Any, recovery: Any, amount: Any, paid_on: dt.date, source: str = "cash") -> Any:
    from safetynet.payments.models import Recovery

    rec = Recovery.objects.select_for_update().get(pk=recovery.pk)
    amount = Decimal(str(amount)).quantize(CENT)
    if amount <= 0 or amount > rec.balance:
        raise ValidationError({"amount": [_("退还金额应大于0且不超过余额 %(b)s 元") % {"b": rec.balance}]})
    rec.repayments.create(paid_on=paid_on, amount=amount, source=source)
    before = snapshot(rec)
    rec.balance -= amount
    rec.save(update_fields=["balance", "updated_at"])
    change_log_write(
        actor=actor, action="update", obj=rec, before=before, after=snapshot(rec), reason=_("追缴退还")
    )
    return rec


# ------------------------------------------------------------------ offset against payments


def recovery_offsets_apply(payroll: Any) -> int:
    """Offset (从后续发放中抵扣): for each open recovery to be repaid by offset whose household
    is paid in this payroll, keep back up to the recovery's instalment, never more than the
    configured share of the household's payment in this payroll (``payments.offset.max_share``)
    and never more than the balance; the lines are reduced (never below zero), the amount is
    recorded as a repayment and a ``RecoveryOffset`` (once per recovery and payroll), and the
    balance falls. Returns the number of recoveries offset."""
    from django.db.models import Q, Sum

    from safetynet.payments.models import PaymentLine, Recovery, RecoveryOffset, Repayment
    from safetynet.payments.parameters import offset_max_share

    recoveries = list(
        Recovery.objects.select_for_update(of=("self",))
        .filter(method=Recovery.Method.OFFSET, balance__gt=0)
        .filter(
            Q(entitlement__county_code=payroll.county_code, entitlement__program=payroll.program)
            | Q(entitlement__isnull=True, region_code__startswith=payroll.county_code[:6])
        )
        .exclude(offsets__payroll=payroll)
        .order_by("id")
    )
    if not recoveries:
        return 0
    by_household = dict(
        Entitlement.objects.filter(
            county_code=payroll.county_code,
            program=payroll.program,
            household_id__in=[r.household_id for r in recoveries if r.entitlement_id is None],
        )
        .order_by("id")
        .values_list("household_id", "pk")
    )
    targets = {r.pk: r.entitlement_id or by_household.get(r.household_id) for r in recoveries}
    gross = dict(
        payroll.lines.filter(entitlement_id__in=[t for t in targets.values() if t])
        .values_list("entitlement_id")
        .annotate(t=Sum("amount"))
    )
    share = offset_max_share(region_code=payroll.county_code, month=payroll.month)
    taken: dict[int, Decimal] = {}
    done = 0
    for rec in recoveries:
        ent_id = targets.get(rec.pk)
        if not ent_id or ent_id not in gross:
            continue
        total = Decimal(str(gross[ent_id])).quantize(CENT)
        cap = (total * min(share.value, Decimal(1))).quantize(CENT, rounding="ROUND_DOWN") - taken.get(
            ent_id, 0
        )
        amount = min(rec.balance, rec.instalment, cap)
        if amount <= 0:
            continue
        lines = list(
            payroll.lines.filter(entitlement_id=ent_id, amount__gt=0).order_by("-for_month", "-amount", "id")
        )
        left = amount
        for line in lines:
            cut = min(line.amount, left)
            line.amount -= cut
            left -= cut
            if left <= 0:
                break
        PaymentLine.objects.bulk_update(lines, ["amount"])
        amount -= left
        taken[ent_id] = taken.get(ent_id, Decimal(0)) + amount
        repayment = Repayment.objects.create(
            recovery=rec, paid_on=payroll.month, amount=amount, source=f"offset:{payroll.pk}"
        )
        RecoveryOffset.objects.create(
            recovery=rec,
            payroll=payroll,
            entitlement_id=ent_id,
            gross=total,
            amount=amount,
            repayment=repayment,
        )
        before = snapshot(rec)
        rec.balance -= amount
        rec.save(update_fields=["balance", "updated_at"])
        change_log_write(
            actor=None,
            action="update",
            obj=rec,
            before=before,
            after=snapshot(rec),
            reason=_("从发放名册 %(p)s 中抵扣追缴款 %(a)s 元") % {"p": payroll, "a": amount},
        )
        done += 1
    return done


def payroll_hook(payroll: Any, job_id: int | None = None) -> None:
    """Called once by ``payroll_build`` after the lines are written and before the totals:
    提标 back-pay lines, then offsets against recoveries."""
    from safetynet.payments.services.adjustments import adjustment_backpay_insert

    adjustment_backpay_insert(payroll, job_id)
    recovery_offsets_apply(payroll)


def payroll_report_extras(payroll: Any) -> dict[str, Any]:
    """Added to the payroll check report: totals by funding source (central, provincial,
    county: the dated shares in force for the county, program and month), the offsets kept back
    and the 提标 back-pay in this payroll."""
    from django.db.models import Sum

    from safetynet.payments.models import PaymentLine, RecoveryOffset
    from safetynet.payments.parameters import LEVELS, funding_shares

    _count, total = lines_totals(payroll)
    labels = {"central": _("中央"), "provincial": _("省级"), "county": _("县级")}
    shares = funding_shares(program=payroll.program, region_code=payroll.county_code, month=payroll.month)
    funding = []
    rest = total
    for level in LEVELS:
        value = shares[level]
        amount = (
            rest if level == LEVELS[-1] else (total * value.value).quantize(CENT, rounding="ROUND_HALF_UP")
        )
        rest -= amount
        funding.append(
            {
                "level": level,
                "label": str(labels[level]),
                "share": str(value.value),
                "amount": str(amount),
                "source": value.region_code or "national",
                "reference": value.reference,
            }
        )
    offsets = RecoveryOffset.objects.filter(payroll=payroll).aggregate(t=Sum("amount"))["t"] or 0
    offset_rows = [
        {"entitlement": number, "gross": str(gross), "amount": str(amount), "reason": reason}
        for number, gross, amount, reason in RecoveryOffset.objects.filter(payroll=payroll)
        .order_by("id")
        .values_list("entitlement__number", "gross", "amount", "recovery__reason")[:500]
    ]
    adjust = payroll.lines.filter(kind=PaymentLine.Kind.ADJUST).aggregate(t=Sum("amount"))["t"] or 0
    return {
        "funding": funding,
        "offset_total": str(Decimal(str(offsets)).quantize(CENT)),
        "offsets": offset_rows,
        "adjust_backpay_total": str(Decimal(str(adjust)).quantize(CENT)),
    }
