"""Price-linked temporary subsidy (价格临时补贴, 社会救助法 第32条): when the consumer price index
rises past the trigger, a one-off payroll for the county and month pays every person of the
named categories a fixed amount per person per month. Set-based like the monthly payroll, then
the same check → approve → freeze → bank files path.

Parameters (dated, regional: a region overrides the national default in the regional standards
table with the same key, read through ``eligibility.selectors.standards_in_force``):

- ``payments.price_subsidy.cpi_threshold`` — CPI month-on-year rise (%) that triggers it;
- ``payments.price_subsidy.amount`` — yuan per person per month;
- ``payments.price_subsidy.covers.<category>`` — 1 when the trigger pays that category.

Categories with entitlements in this platform are paid (dibao, tekun); the others the national
mechanism names (unemployment-insurance recipients, orphans, …) are paid by other departments
and are listed in the job's counts as not paid here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.services import change_log_write, job_finish, job_start, snapshot
from safetynet.eligibility.selectors import StandardValue, standards_in_force
from safetynet.payments.models import Entitlement, EntitlementEvent, Payroll
from safetynet.payments.services._common import CENT, S, lines_totals, month_start, user_or_none

PROGRAM = "price_subsidy"
PAID_HERE = ("dibao", "tekun")  # categories with entitlements in this platform
OTHER_CATEGORIES = ("unemployment", "orphan", "unsupported_child", "special_care")
_SINCE = dt.date(2021, 1, 1)


@dataclass(frozen=True)
class Param:
    key: str
    value: Decimal
    effective_from: dt.date
    reference: str


PARAMETERS: tuple[Param, ...] = (
    Param(
        "payments.price_subsidy.cpi_threshold",
        Decimal("3.5"),
        _SINCE,
        "[A] 价格临时补贴联动机制：CPI单月同比涨幅达到3.5%时启动（发改价格规〔2021〕1553号，未在本项目核验原文）",
    ),
    Param(
        "payments.price_subsidy.amount",
        Decimal("30.00"),
        _SINCE,
        "[A] 每人每月补贴金额：由各地按月低保标准×CPI涨幅测算后设定，此处为占位默认值",
    ),
    Param("payments.price_subsidy.covers.dibao", Decimal(1), _SINCE, "[A] 保障对象：城乡低保对象"),
    Param("payments.price_subsidy.covers.tekun", Decimal(1), _SINCE, "[A] 保障对象：特困人员"),
    *(
        Param(f"payments.price_subsidy.covers.{c}", Decimal(1), _SINCE, "[A] 保障对象（由其他部门发放）")
        for c in OTHER_CATEGORIES
    ),
)


def price_subsidy_parameters(*, county_code: str, month: dt.date) -> dict[str, StandardValue]:
    """Every price-subsidy parameter in force for the county in the month (regional beats national)."""
    day = month_start(month)
    defaults: dict[str, StandardValue] = {}
    for p in PARAMETERS:
        if p.effective_from <= day:
            found = defaults.get(p.key)
            if found is None or (found.effective_from or _SINCE) <= p.effective_from:
                defaults[p.key] = StandardValue(p.key, p.value, "", p.effective_from, p.reference)
    keys = sorted({p.key for p in PARAMETERS})
    return standards_in_force(
        region_code=county_code, month=day, urban_rural="", keys=keys, defaults=defaults, optional=keys
    )


def price_subsidy_trigger(*, county_code: str, month: dt.date, cpi: Any) -> dict[str, Any]:
    """Whether the trigger fires, the amount and the categories named (with their references)."""
    try:
        rise = Decimal(str(cpi).strip())
    except Exception as exc:  # noqa: BLE001
        raise ValidationError({"cpi": [_("CPI 同比涨幅格式错误：%(v)s") % {"v": cpi}]}) from exc
    params = price_subsidy_parameters(county_code=county_code, month=month)
    threshold = params.get("payments.price_subsidy.cpi_threshold")
    amount = params.get("payments.price_subsidy.amount")
    if threshold is None or amount is None or threshold.value is None or amount.value is None:
        raise ValidationError({"parameters": [_("本地区未设置价格临时补贴的启动条件或补贴标准")]})
    prefix = "payments.price_subsidy.covers."
    named = sorted(k[len(prefix) :] for k, v in params.items() if k.startswith(prefix) and v.value)
    return {
        "cpi": str(rise),
        "threshold": str(threshold.value),
        "fires": rise >= threshold.value,
        "amount": str(Decimal(amount.value).quantize(CENT)),
        "categories": named,
        "paid_here": [c for c in named if c in PAID_HERE],
        "not_paid_here": [c for c in named if c not in PAID_HERE],
        "references": {k: v.reference for k, v in params.items()},
    }


PG_SUBSIDY = """
INSERT INTO payments_paymentline
    (payroll_id, entitlement_id, person_id, for_month, kind, township_code, amount, status, failure, job_id)
SELECT %(payroll)s, e.id, (p.part->>'person_id')::bigint, %(month)s::date, 'subsidy',
       e.township_code, %(amount)s::numeric, 'pending', '', %(job)s
FROM payments_entitlement e
CROSS JOIN LATERAL (
    SELECT ev.state_after, ev.parts FROM payments_entitlementevent ev
    WHERE ev.entitlement_id = e.id AND ev.effective_month <= %(month)s AND ev.recorded_at::date <= %(cutoff)s
    ORDER BY ev.effective_month DESC, ev.seq DESC LIMIT 1) cur
CROSS JOIN LATERAL jsonb_array_elements(cur.parts) AS p(part)
WHERE e.county_code = %(county)s AND e.program = ANY(%(programs)s) AND e.first_month <= %(month)s
  AND cur.state_after = 'active' AND (p.part->>'amount')::numeric > 0
ON CONFLICT DO NOTHING
"""


def _subsidy_rows(*, county_code: str, programs: list[str], month: dt.date, cutoff: dt.date) -> list[tuple]:
    """(entitlement, person, township) of every covered member in force in the month (SQLite path)."""
    towns = dict(
        Entitlement.objects.filter(
            county_code=county_code, program__in=programs, first_month__lte=month
        ).values_list("pk", "township_code")
    )
    current: dict[int, tuple] = {}
    for ent_id, state, parts in (
        EntitlementEvent.objects.filter(
            entitlement_id__in=list(towns), effective_month__lte=month, recorded_at__date__lte=cutoff
        )
        .order_by("entitlement_id", "effective_month", "seq")
        .values_list("entitlement_id", "state_after", "parts")
    ):
        current[ent_id] = (state, parts)
    rows = []
    for ent_id, (state, parts) in current.items():
        if state != S.ACTIVE:
            continue
        for p in parts:
            if Decimal(str(p["amount"])) > 0:
                rows.append((ent_id, int(p["person_id"]), towns[ent_id]))
    return rows


def price_subsidy_build(
    *,
    actor: Any,
    county_code: str,
    month: dt.date,
    cpi: Any,
    cutoff: dt.date | None = None,
) -> tuple[Payroll, bool]:
    """One-off payroll of the price subsidy for the county and month when the trigger fires.
    Refused (nothing stored) below the threshold; building twice creates nothing new."""
    month = month_start(month)
    trigger = price_subsidy_trigger(county_code=county_code, month=month, cpi=cpi)
    if not trigger["fires"]:
        raise ValidationError(
            {
                "cpi": [
                    _("CPI 同比涨幅 %(c)s%% 未达到启动条件 %(t)s%%，不发放价格临时补贴")
                    % {"c": trigger["cpi"], "t": trigger["threshold"]}
                ]
            }
        )
    if not trigger["paid_here"]:
        raise ValidationError({"categories": [_("启动条件未指定由民政发放的保障对象（低保、特困）")]})
    existing = Payroll.objects.filter(
        county_code=county_code, program=PROGRAM, month=month, kind=Payroll.Kind.PRICE_SUBSIDY
    ).first()
    if existing:
        return existing, False
    cutoff = cutoff or timezone.localdate()
    job = job_start(
        kind="payroll_price_subsidy",
        actor=actor,
        params={
            "county": county_code,
            "month": f"{month:%Y-%m}",
            **{k: v for k, v in trigger.items() if k != "references"},
        },
    )
    with transaction.atomic():
        payroll = Payroll.objects.create(
            county_code=county_code,
            program=PROGRAM,
            month=month,
            kind=Payroll.Kind.PRICE_SUBSIDY,
            cutoff=cutoff,
            job=job,
            created_by=user_or_none(actor),
        )
        amount = Decimal(trigger["amount"])
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(
                    PG_SUBSIDY,
                    {
                        "payroll": payroll.pk,
                        "job": job.pk,
                        "month": month,
                        "cutoff": cutoff,
                        "county": county_code,
                        "programs": trigger["paid_here"],
                        "amount": amount,
                    },
                )
        else:
            rows = _subsidy_rows(
                county_code=county_code, programs=trigger["paid_here"], month=month, cutoff=cutoff
            )
            with connection.cursor() as cur:
                cur.executemany(
                    "INSERT INTO payments_paymentline (payroll_id, entitlement_id, person_id, for_month, kind,"
                    " township_code, amount, status, failure, job_id)"
                    " VALUES (%s, %s, %s, %s, 'subsidy', %s, %s, 'pending', '', %s)",
                    [(payroll.pk, e, p, month, t, str(amount), job.pk) for e, p, t in rows],
                )
        payroll.line_count, payroll.total = lines_totals(payroll)
        payroll.save(update_fields=["line_count", "total"])
        change_log_write(
            actor=actor,
            action="create",
            obj=payroll,
            after={**snapshot(payroll), "trigger": {k: v for k, v in trigger.items() if k != "references"}},
            reason=_("生成价格临时补贴发放名册"),
        )
    digest = hashlib.sha256(f"{payroll.pk}:{payroll.line_count}:{payroll.total}".encode()).hexdigest()
    job_finish(
        job=job,
        counts={
            "lines": payroll.line_count,
            "total": str(payroll.total),
            "not_paid_here": trigger["not_paid_here"],
        },
        digest=digest,
    )
    return payroll, True
