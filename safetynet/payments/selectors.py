"""Read side of payments: payroll pages, correction list, the monthly report and its chart."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from safetynet.payments.models import Correction, Payroll
from safetynet.regions.models import Region


def region_names(codes: list[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


def payroll_list(*, user: Any):
    return Payroll.objects.restrict(user, "view").order_by("-month", "program", "-id")


def correction_list(*, user: Any, payroll: Payroll | None = None):
    qs = (
        Correction.objects.restrict(user, "view")
        .select_related("entitlement", "payroll")
        .order_by("state", "id")
    )
    if payroll is not None:
        qs = qs.filter(payroll=payroll)
    return qs


def monthly_report(*, user: Any, months: int = 12) -> list[dict[str, Any]]:
    """Expenditure and recipients by month and program (approved payrolls), month on month."""
    rows = (
        payroll_list(user=user)
        .filter(state=Payroll.State.APPROVED)
        .values("month", "program")
        .annotate(total=Sum("lines__amount"), recipients=Count("lines__entitlement", distinct=True))
        .order_by("month", "program")
    )
    out: list[dict[str, Any]] = []
    last: dict[str, Decimal] = {}
    for r in list(rows)[-months * 4 :]:
        total = Decimal(str(r["total"] or 0))
        prev = last.get(r["program"])
        out.append({**r, "total": total, "change": (total - prev) if prev is not None else None})
        last[r["program"]] = total
    return out


def chart_svg_bars(report: list[dict[str, Any]], width: int = 560, height: int = 160) -> list[dict[str, Any]]:
    """Bar geometry for an inline SVG chart (no script library)."""
    if not report:
        return []
    top = max(r["total"] for r in report) or Decimal(1)
    step = width / len(report)
    return [
        {
            "x": round(i * step + 4, 1),
            "w": round(step - 8, 1),
            "h": round(float(r["total"] / top) * (height - 30), 1),
            "y": round(height - 20 - float(r["total"] / top) * (height - 30), 1),
            "label": f"{r['month']:%Y-%m} {r['program']}",
            "total": r["total"],
        }
        for i, r in enumerate(report)
    ]


def household_recovery_balance(*, user: Any, household_id: int) -> Decimal:
    """The unpaid recovery balance shown on the household page."""
    from safetynet.payments.models import Recovery

    total = (
        Recovery.objects.restrict(user, "view")
        .filter(household_id=household_id)
        .aggregate(b=Sum("balance"))["b"]
    )
    return Decimal(str(total or 0))


# ---------------------------------------------------------------- temporary assistance and standby fund


def temporary_stage_list(*, user: Any):
    from safetynet.payments.models import TemporaryStage

    return (
        TemporaryStage.objects.restrict(user, "view")
        .select_related("entitlement", "payment_line", "cash_entry", "decision")
        .order_by("-month", "id")
    )


def county_townships(*, user: Any) -> list[tuple[str, str]]:
    """(code, name) of the townships of the user's county (for the county officer's picker)."""
    region = getattr(user, "region_id", None) or ""
    if not region:
        return []
    return list(
        Region.objects.filter(code__startswith=region[:6], level=4)
        .order_by("code")
        .values_list("code", "name")
    )


def standby_page(*, user: Any, township_code: str) -> dict[str, Any]:
    """Balance, ledger entries, cash stages due and unpaid, help-first payments not yet in the
    ledger, and the latest reconciliations of one township's standby fund."""
    from safetynet.payments.models import StandbyEntry, StandbyReconciliation, TemporaryStage
    from safetynet.payments.services.temporary import standby_balance

    entries = StandbyEntry.objects.restrict(user, "view").filter(township_code=township_code)
    due = (
        TemporaryStage.objects.restrict(user, "view")
        .filter(township_code=township_code, method=TemporaryStage.Method.CASH, cash_entry__isnull=True)
        .select_related("entitlement")
        .order_by("month", "id")
    )
    return {
        "balance": standby_balance(township_code),
        "entries": entries.order_by("-entry_date", "-id")[:200],
        "due": due[:200],
        "reconciliations": StandbyReconciliation.objects.restrict(user, "view").filter(
            township_code=township_code
        )[:10],
        "township_name": region_names([township_code]).get(township_code, township_code),
    }


# ------------------------------------------------- pa: 提标 adjustments, penalties, recoveries


def adjustment_list(*, user: Any):
    from safetynet.payments.models import StandardAdjustment

    return StandardAdjustment.objects.restrict(user, "view").order_by("-from_month", "-id")


def adjustment_lines(*, user: Any, adjustment: Any):
    """The household lines of an adjustment the user may see (township staff: their township)."""
    from safetynet.payments.models import Entitlement

    visible = Entitlement.objects.restrict(user, "view").values("pk")
    return (
        adjustment.lines.filter(entitlement_id__in=visible)
        .select_related("household", "entitlement", "backpay_payroll")
        .order_by("township_code", "id")
    )


def penalty_list(*, user: Any):
    from safetynet.payments.models import Penalty

    return Penalty.objects.restrict(user, "view").select_related("household").order_by("-notice_on", "-id")


def recovery_list(*, user: Any):
    from safetynet.payments.models import Recovery

    return Recovery.objects.restrict(user, "view").select_related("household").order_by("-id")
