"""Shared helpers of the payments services: months, constants, the event fold."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from safetynet.payments.models import (
    Entitlement,
    EntitlementEvent,
)

CENT = Decimal("0.01")
EXCLUSIVE = {"dibao": "tekun", "tekun": "dibao"}  # never paid to the same person by both
E = EntitlementEvent.Kind
S = Entitlement.State


def month_start(value: dt.date) -> dt.date:
    return value.replace(day=1)


def month_add(value: dt.date, n: int) -> dt.date:
    y, m = divmod(value.year * 12 + value.month - 1 + n, 12)
    return dt.date(y, m + 1, 1)


def parse_month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text.strip()[:7], "%Y-%m").date()
    except ValueError as exc:
        raise ValidationError({"month": [_("月份格式应为 YYYY-MM：%(v)s") % {"v": text}]}) from exc


def county_of(code: str) -> str:
    return code[:6] + "000000"


def user_or_none(actor: Any) -> Any:
    """The acting user for a ``created_by`` field; ``None`` for a system job without a user."""
    return actor if getattr(actor, "pk", None) else None


def lines_totals(payroll: Any) -> tuple[int, Decimal]:
    """Count and total (to the cent) of a payroll's lines, as the database holds them: what a
    payroll's ``line_count``/``total`` are set from, and checked against before approval."""
    from django.db.models import Count, Sum

    agg = payroll.lines.aggregate(n=Count("id"), t=Sum("amount"))
    return agg["n"] or 0, Decimal(str(agg["t"] or 0)).quantize(CENT)
