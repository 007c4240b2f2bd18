"""Reports: monthly expenditure and recipients by program and township (approved payrolls),
month on month, and their Excel export (Chinese headers; English through gettext)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from safetynet.payments.models import PaymentLine, Payroll
from safetynet.payments.services._common import CENT


def program_label(code: str) -> str:
    from safetynet.applications.choices import Program

    extra = {"price_subsidy": _("价格临时补贴"), "temporary": _("临时救助")}
    if code in extra:
        return str(extra[code])
    try:
        return str(Program(code).label)
    except ValueError:
        return code


def _change(now: Decimal, before: Decimal | None) -> tuple[Decimal | None, str]:
    if before is None:
        return None, ""
    diff = now - before
    pct = f"{(diff / before * 100).quantize(Decimal('0.1'))}%" if before else ""
    return diff, pct


def expenditure_report(*, user: Any, months: int = 12) -> dict[str, list[dict[str, Any]]]:
    """``by_program``: month × program; ``by_township``: month × program × township; each row
    with expenditure (sum of the lines of approved payrolls), recipients (distinct payees) and
    the change against the previous month of the same program (and township)."""
    from safetynet.payments.selectors import payroll_list, region_names

    approved = payroll_list(user=user).filter(state=Payroll.State.APPROVED)
    month_list = sorted(set(approved.values_list("month", flat=True)))[-months:]
    lines = PaymentLine.objects.filter(payroll__in=approved.filter(month__in=month_list))
    by_town = list(
        lines.values("payroll__month", "payroll__program", "township_code")
        .annotate(total=Sum("amount"), recipients=Count("entitlement_id", distinct=True))
        .order_by("payroll__month", "payroll__program", "township_code")
    )
    by_prog = list(
        lines.values("payroll__month", "payroll__program")
        .annotate(total=Sum("amount"), recipients=Count("entitlement_id", distinct=True))
        .order_by("payroll__month", "payroll__program")
    )
    names = region_names(sorted({r["township_code"] for r in by_town}))
    out_prog: list[dict[str, Any]] = []
    last_prog: dict[str, Decimal] = {}
    for r in by_prog:
        total = Decimal(str(r["total"] or 0)).quantize(CENT)
        key = r["payroll__program"]
        diff, pct = _change(total, last_prog.get(key))
        last_prog[key] = total
        out_prog.append(
            {
                "month": r["payroll__month"],
                "program": key,
                "program_label": program_label(key),
                "total": total,
                "recipients": r["recipients"],
                "change": diff,
                "change_pct": pct,
            }
        )
    out_town: list[dict[str, Any]] = []
    last_town: dict[tuple[str, str], Decimal] = {}
    for r in by_town:
        total = Decimal(str(r["total"] or 0)).quantize(CENT)
        key2 = (r["payroll__program"], r["township_code"])
        diff, pct = _change(total, last_town.get(key2))
        last_town[key2] = total
        out_town.append(
            {
                "month": r["payroll__month"],
                "program": key2[0],
                "program_label": program_label(key2[0]),
                "township_code": key2[1],
                "township": names.get(key2[1], key2[1]),
                "total": total,
                "recipients": r["recipients"],
                "change": diff,
                "change_pct": pct,
            }
        )
    return {"by_program": out_prog, "by_township": out_town}


def expenditure_xlsx(*, user: Any, months: int = 12) -> bytes:
    """The report as .xlsx: sheet 按项目 (by program) and sheet 按乡镇 (by township)."""
    import xlsxwriter

    report = expenditure_report(user=user, months=months)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    sheets = (
        (
            _("按项目"),
            [
                _("月份"),
                _("救助项目"),
                _("项目代码"),
                _("支出（元）"),
                _("保障户数"),
                _("环比变化（元）"),
                _("环比"),
            ],
            [
                [
                    f"{r['month']:%Y-%m}",
                    r["program_label"],
                    r["program"],
                    r["total"],
                    r["recipients"],
                    r["change"],
                    r["change_pct"],
                ]
                for r in report["by_program"]
            ],
        ),
        (
            _("按乡镇"),
            [
                _("月份"),
                _("救助项目"),
                _("项目代码"),
                _("乡镇（街道）"),
                _("乡镇代码"),
                _("支出（元）"),
                _("保障户数"),
                _("环比变化（元）"),
                _("环比"),
            ],
            [
                [
                    f"{r['month']:%Y-%m}",
                    r["program_label"],
                    r["program"],
                    r["township"],
                    r["township_code"],
                    r["total"],
                    r["recipients"],
                    r["change"],
                    r["change_pct"],
                ]
                for r in report["by_township"]
            ],
        ),
    )
    for title, headers, rows in sheets:
        sheet = book.add_worksheet(str(title))
        sheet.write_row(0, 0, [str(h) for h in headers], bold)
        sheet.freeze_panes(1, 0)
        for i, row in enumerate(rows, start=1):
            for j, value in enumerate(row):
                if isinstance(value, Decimal):
                    sheet.write_number(i, j, float(value), money)
                elif isinstance(value, int):
                    sheet.write_number(i, j, value)
                elif value is None:
                    sheet.write_blank(i, j, None)
                else:
                    sheet.write_string(i, j, str(value))
        sheet.set_column(0, len(headers) - 1, 14)
    book.close()
    return out.getvalue()
