"""Fines for fraud (骗取社会救助): the administrative-penalty procedure.

notice (告知: facts, basis, the allowed range, the right to state a case and to ask for a
hearing) → hearing requested and held, or waived, or the request period lapses → decision
(multiple × amount obtained). The allowed multiple is a dated parameter chosen by the date of the
conduct (domain-rules §2.10, §11.11): 1–3× before 2026-07-01 (暂行办法 第68条), up to 2× from
then (社会救助法 第73条). A multiple outside the range is refused with a clear message.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.services import change_log_write, snapshot
from safetynet.eligibility.selectors import MissingStandard
from safetynet.payments import parameters
from safetynet.payments.models import Penalty, Recovery
from safetynet.payments.services._common import CENT, user_or_none

P = Penalty.State


def _decimal(value: Any, field: str, label: str) -> Decimal:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: [_("%(l)s 应为数字：%(v)s") % {"l": label, "v": value}]}) from exc


def _county_only(actor: Any) -> None:
    from safetynet.accounts.roles import Role

    if getattr(actor, "role", None) not in (Role.COUNTY_OFFICER, Role.ADMIN):
        raise PermissionDenied(_("行政处罚由县级民政部门作出"))


def fine_range_for(*, conduct_on: dt.date, region_code: str) -> tuple[Decimal, Decimal, str]:
    """(minimum, maximum, reference) of the multiple for conduct on ``conduct_on``."""
    try:
        low, high = parameters.fine_range(conduct_on=conduct_on, region_code=region_code)
    except MissingStandard as exc:
        raise ValidationError(
            {"conduct_on": [_("%(d)s 的违法行为没有可适用的罚款规定") % {"d": conduct_on.isoformat()}]}
        ) from exc
    return low.value, high.value, high.reference


@transaction.atomic
def penalty_notify(
    *,
    actor: Any,
    household: Any,
    conduct_on: dt.date,
    amount_obtained: Any,
    facts: str,
    notice_on: dt.date | None = None,
    person: Any = None,
    party_name: str = "",
    recovery: Recovery | None = None,
) -> Penalty:
    """告知: open the case with the facts, the amount obtained and the range the law allows."""
    _county_only(actor)
    errors: dict[str, list[str]] = {}
    amount = _decimal(amount_obtained, "amount_obtained", _("骗取金额")).quantize(CENT)
    if amount <= 0:
        errors.setdefault("amount_obtained", []).append(_("骗取金额必须大于0"))
    if not facts.strip():
        errors.setdefault("facts", []).append(_("请写明违法事实"))
    notice_on = notice_on or timezone.localdate()
    if conduct_on > notice_on:
        errors.setdefault("conduct_on", []).append(_("违法行为日期不能晚于告知日期"))
    if errors:
        raise ValidationError(errors)
    low, high, reference = fine_range_for(conduct_on=conduct_on, region_code=household.region_code)
    days = parameters.hearing_request_days(region_code=household.region_code, day=notice_on)
    penalty = Penalty.objects.create(
        number=f"CF{household.region_code[:6]}{notice_on:%Y%m%d}{Penalty.objects.count() + 1:05d}",
        household=household,
        person=person,
        party_name=party_name or getattr(person, "name", "") or household.head_name,
        region_code=household.region_code,
        recovery=recovery,
        conduct_on=conduct_on,
        amount_obtained=amount,
        facts=facts.strip(),
        notice_on=notice_on,
        hearing_deadline=notice_on + dt.timedelta(days=days),
        multiple_min=low.quantize(CENT),
        multiple_max=high.quantize(CENT),
        rate_reference=reference[:300],
        created_by=user_or_none(actor),
    )
    change_log_write(
        actor=actor, action="create", obj=penalty, after=snapshot(penalty), reason=_("行政处罚告知")
    )
    return penalty


def _locked(actor: Any, penalty: Penalty) -> Penalty:
    _county_only(actor)
    row = Penalty.objects.restrict(actor, "change").select_for_update().get(pk=penalty.pk)
    if row.state == P.DECIDED:
        raise ValidationError({"state": [_("处罚决定已作出，案件不能再变更")]})
    return row


@transaction.atomic
def penalty_hearing(
    *,
    actor: Any,
    penalty: Penalty,
    action: str,
    on: dt.date | None = None,
    record: str = "",
) -> Penalty:
    """听证: ``request`` (the party asked in time), ``held`` (with the record), or ``waive``
    (the party gave up the hearing; any statement is kept in the record)."""
    row = _locked(actor, penalty)
    on = on or timezone.localdate()
    before = snapshot(row)
    if action == "request":
        if row.state != P.NOTIFIED:
            raise ValidationError({"action": [_("只有已告知的案件可以申请听证")]})
        if on > row.hearing_deadline:
            raise ValidationError(
                {"on": [_("申请听证已超过期限（%(d)s 前）") % {"d": row.hearing_deadline.isoformat()}]}
            )
        row.state = P.HEARING_REQUESTED
    elif action == "held":
        if row.state != P.HEARING_REQUESTED:
            raise ValidationError({"action": [_("当事人未申请听证，不能记录听证")]})
        if not record.strip():
            raise ValidationError({"record": [_("请填写听证记录")]})
        row.state, row.hearing_on = P.HEARD, on
    elif action == "waive":
        if row.state not in (P.NOTIFIED, P.HEARING_REQUESTED):
            raise ValidationError({"action": [_("当前状态不能放弃听证")]})
        row.state = P.WAIVED
    else:
        raise ValidationError({"action": [_("未知的操作：%(a)s") % {"a": action}]})
    if record.strip():
        row.hearing_record = (row.hearing_record + "\n" + record.strip()).strip()
    row.save()
    change_log_write(
        actor=actor, action="update", obj=row, before=before, after=snapshot(row), reason=_("听证")
    )
    return row


@transaction.atomic
def penalty_decide(
    *,
    actor: Any,
    penalty: Penalty,
    multiple: Any,
    reason: str,
    decided_on: dt.date | None = None,
    document_number: str = "",
) -> Penalty:
    """处罚决定: fine = multiple × amount obtained. Refused while the party may still ask for a
    hearing or a requested hearing has not been held, and for a multiple outside the range in
    force on the date of the conduct."""
    row = _locked(actor, penalty)
    decided_on = decided_on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if row.state == P.HEARING_REQUESTED:
        errors.setdefault("state", []).append(_("当事人已申请听证，须先举行听证"))
    if row.state == P.NOTIFIED and decided_on <= row.hearing_deadline:
        errors.setdefault("state", []).append(
            _("申请听证期限至 %(d)s，期满或当事人放弃听证后方可决定")
            % {"d": row.hearing_deadline.isoformat()}
        )
    if not reason.strip():
        errors.setdefault("reason", []).append(_("请写明处罚理由"))
    value = _decimal(multiple, "multiple", _("罚款倍数"))
    low, high, reference = fine_range_for(conduct_on=row.conduct_on, region_code=row.region_code)
    # the lower bound is inclusive (1倍以上) except a zero minimum, which means "more than 0"
    if value > high or value < low or value <= 0:
        errors.setdefault("multiple", []).append(
            _("罚款倍数 %(v)s 超出允许范围：%(d)s 的违法行为应为 %(lo)s–%(hi)s 倍（%(ref)s）")
            % {
                "v": value,
                "d": row.conduct_on.isoformat(),
                "lo": low if low > 0 else _("大于0"),
                "hi": high,
                "ref": reference,
            }
        )
    if errors:
        raise ValidationError(errors)
    before = snapshot(row)
    row.multiple = value.quantize(CENT)
    row.fine_amount = (row.amount_obtained * value).quantize(CENT)
    row.decided_on, row.decision_reason = decided_on, reason.strip()
    row.document_number = document_number.strip()
    row.state = P.DECIDED
    row.save()
    change_log_write(
        actor=actor,
        action="update",
        obj=row,
        before=before,
        after=snapshot(row),
        reason=_("作出行政处罚决定"),
    )
    return row
