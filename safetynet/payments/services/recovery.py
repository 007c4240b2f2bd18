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
from safetynet.payments.services._common import CENT
from safetynet.payments.services.bankfiles import _user


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
    from safetynet.payments.models import Recovery

    if not reason.strip():
        raise ValidationError({"reason": [_("追缴必须写明理由")]})
    if not months:
        raise ValidationError({"months": [_("请列出多发的月份和金额")]})
    total = sum((Decimal(str(m["amount"])).quantize(CENT) for m in months), Decimal(0))
    instalment = Decimal(str(instalment)).quantize(CENT)
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
        created_by=_user(actor),
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
