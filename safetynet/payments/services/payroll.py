"""Monthly payroll (发放名册): rows from entitlements in force, build, check, approve (freeze)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.services import change_log_write, job_finish, job_start, snapshot
from safetynet.payments.models import (
    Entitlement,
    EntitlementEvent,
    PaymentLine,
    Payroll,
)
from safetynet.payments.services._common import CENT, S, lines_totals, month_add, month_start, user_or_none
from safetynet.payments.services.recovery import payroll_hook, payroll_report_extras

MONTHLY_PROGRAMS = ("dibao", "tekun")


def _months_due(first: dt.date, month: dt.date) -> list[dt.date]:
    out, m = [], first
    while m <= month:
        out.append(m)
        m = month_add(m, 1)
    return out


def payroll_rows(*, county_code: str, program: str, month: dt.date, cutoff: dt.date) -> list[tuple]:
    """(entitlement_id, person_id, for_month, kind, township, amount) for every month from the
    first payment month up to ``month`` not yet paid: back-pay for late decisions, taper months
    at their rates, nothing from the month a stop or suspension takes effect."""
    ents = dict(
        Entitlement.objects.filter(
            county_code=county_code, program=program, first_month__lte=month
        ).values_list("pk", "township_code")
    )
    if not ents:
        return []
    events: dict[int, list[tuple]] = defaultdict(list)
    ev_q = EntitlementEvent.objects.filter(
        entitlement__county_code=county_code, entitlement__program=program, recorded_at__date__lte=cutoff
    ).order_by("entitlement_id", "effective_month", "seq")
    for ent_id, eff, state, parts in ev_q.values_list(
        "entitlement_id", "effective_month", "state_after", "parts"
    ):
        events[ent_id].append((eff, state, parts))
    paid = set(
        PaymentLine.objects.filter(entitlement__county_code=county_code, entitlement__program=program)
        .exclude(kind=PaymentLine.Kind.SUBSIDY)  # a price subsidy is paid on top of the month
        .values_list("entitlement_id", "person_id", "for_month")
    )
    rows: list[tuple] = []
    for ent_id, evs in events.items():
        first = min(e[0] for e in evs)
        i, cur = 0, None
        for m in _months_due(first, month):
            while i < len(evs) and evs[i][0] <= m:
                cur = evs[i]
                i += 1
            if cur is None or cur[1] != S.ACTIVE:
                continue
            kind = PaymentLine.Kind.REGULAR if m == month else PaymentLine.Kind.BACKPAY
            for p in cur[2]:
                pid = int(p["person_id"])
                if (ent_id, pid, m) in paid or Decimal(p["amount"]) <= 0:
                    continue
                rows.append((ent_id, pid, m, kind, ents[ent_id], Decimal(p["amount"])))
    return rows


PG_BUILD = """
WITH last_in_month AS (
    -- the last event of each entitlement and effective month (highest seq), recorded by the cutoff
    SELECT DISTINCT ON (ev.entitlement_id, ev.effective_month)
           ev.entitlement_id, ev.effective_month, ev.state_after, ev.parts, e.township_code
    FROM payments_entitlementevent ev
    JOIN payments_entitlement e ON e.id = ev.entitlement_id
    WHERE e.county_code = %(county)s AND e.program = %(program)s AND e.first_month <= %(month)s
      AND ev.recorded_at::date <= %(cutoff)s AND ev.effective_month <= %(month)s
    ORDER BY ev.entitlement_id, ev.effective_month, ev.seq DESC
), spans AS (
    -- each state holds from its month up to the month before the next event's
    SELECT l.*, lead(l.effective_month) OVER (PARTITION BY l.entitlement_id ORDER BY l.effective_month) AS next_month
    FROM last_in_month l
)
INSERT INTO payments_paymentline
    (payroll_id, entitlement_id, person_id, for_month, kind, township_code, amount, status, failure, job_id)
SELECT %(payroll)s, s.entitlement_id, (p.part->>'person_id')::bigint, m.m::date,
       CASE WHEN m.m::date = %(month)s THEN 'regular' ELSE 'backpay' END,
       s.township_code, (p.part->>'amount')::numeric, 'pending', '', %(job)s
FROM spans s
CROSS JOIN LATERAL generate_series(
    s.effective_month,
    LEAST(COALESCE(s.next_month - interval '1 month', %(month)s::date), %(month)s::date),
    interval '1 month') AS m(m)
CROSS JOIN LATERAL jsonb_array_elements(s.parts) AS p(part)
WHERE s.state_after = 'active' AND (p.part->>'amount')::numeric > 0
  -- months already paid: one probe of the payment_once index (its predicate is implied);
  -- cheaper than ON CONFLICT, which first probes every unique index of the table
  AND NOT EXISTS (
      SELECT 1 FROM payments_paymentline x
      WHERE x.entitlement_id = s.entitlement_id AND x.person_id = (p.part->>'person_id')::bigint
        AND x.for_month = m.m::date AND x.kind <> 'subsidy')
"""


def pg_batch_settings(cur: Any) -> None:
    """For the million-row statements of this transaction (PostgreSQL): no JIT (its compile
    time costs seconds and buys nothing on these plans) and room to hash and sort in memory."""
    cur.execute("SET LOCAL jit = off")
    cur.execute("SET LOCAL work_mem = '256MB'")


def _insert_lines(payroll: Payroll, job_id: int) -> int:
    """PostgreSQL: one INSERT … SELECT computes every due month from the events (the same rule
    as ``payroll_rows``) and skips months already paid; the unique constraint still refuses a
    double payment (a concurrent build of an overlapping month fails and is rerun). SQLite: the rows
    from ``payroll_rows`` with one ``executemany`` in the caller's transaction."""
    params = {
        "payroll": payroll.pk,
        "job": job_id,
        "month": payroll.month,
        "cutoff": payroll.cutoff,
        "county": payroll.county_code,
        "program": payroll.program,
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            pg_batch_settings(cur)
            cur.execute(PG_BUILD, params)  # type: ignore[arg-type]
            n = cur.rowcount
            # fresh statistics, so the check and the bank files plan hash joins, not loops
            cur.execute("ANALYZE payments_paymentline")
            return n
    rows = payroll_rows(
        county_code=payroll.county_code, program=payroll.program, month=payroll.month, cutoff=payroll.cutoff
    )
    cols = "payroll_id, entitlement_id, person_id, for_month, kind, township_code, amount, status, failure, job_id"
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO payments_paymentline ({cols}) VALUES (%s, %s, %s, %s, %s, %s, %s, 'pending', '', %s)",
            [(payroll.pk, r[0], r[1], r[2], r[3], r[4], str(r[5]), job_id) for r in rows],
        )
    return len(rows)


def payroll_build(
    *, actor: Any, county_code: str, program: str, month: dt.date, cutoff: dt.date | None = None
) -> tuple[Payroll, bool]:
    """Prepare the month's payroll. Building the same month twice creates nothing new: the
    existing payroll is returned with ``created=False``."""
    month = month_start(month)
    if program not in MONTHLY_PROGRAMS:
        raise ValidationError(
            {
                "program": [
                    _("%(p)s 不是按月发放的救助项目（临时救助、价格临时补贴另有名册）") % {"p": program}
                ]
            }
        )
    existing = Payroll.objects.filter(
        county_code=county_code, program=program, month=month, kind=Payroll.Kind.REGULAR
    ).first()
    if existing:
        return existing, False
    cutoff = cutoff or timezone.localdate()
    job = job_start(
        kind="payroll_build",
        actor=actor,
        params={"county": county_code, "program": program, "month": f"{month:%Y-%m}"},
    )
    with transaction.atomic():
        payroll = Payroll.objects.create(
            county_code=county_code,
            program=program,
            month=month,
            cutoff=cutoff,
            job=job,
            created_by=user_or_none(actor),
        )
        _insert_lines(payroll, job.pk)
        payroll_hook(payroll, job.pk)  # 提标 back-pay and recovery offsets (services/recovery.py)
        payroll.line_count, payroll.total = lines_totals(payroll)
        payroll.save(update_fields=["line_count", "total"])
        change_log_write(
            actor=actor, action="create", obj=payroll, after=snapshot(payroll), reason=_("生成发放名册")
        )
    digest = hashlib.sha256(f"{payroll.pk}:{payroll.line_count}:{payroll.total}".encode()).hexdigest()
    job_finish(job=job, counts={"lines": payroll.line_count, "total": str(payroll.total)}, digest=digest)
    return payroll, True


def _yuan(value: Any) -> str:
    return str(Decimal(str(value or 0)).quantize(CENT))


def payroll_check_report(payroll: Payroll) -> dict[str, Any]:
    """Totals by township and changes against last month with the events' reasons. Aggregated in
    the database (two grouped scans of the lines), never by loading lines into Python."""
    by_town = list(
        payroll.lines.values("township_code")
        .annotate(
            n=Count("entitlement_id", distinct=True),
            total=Sum("amount"),
            backpay=Sum("amount", filter=Q(kind=PaymentLine.Kind.BACKPAY)),
        )
        .order_by("township_code")
    )
    prev = Payroll.objects.filter(
        county_code=payroll.county_code,
        program=payroll.program,
        kind=payroll.kind,
        month=month_add(payroll.month, -1),
    ).first()
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=2))
    pair = [payroll.pk] + ([prev.pk] if prev else [])
    diff = (
        PaymentLine.objects.filter(payroll_id__in=pair)
        .values("entitlement_id")
        .annotate(
            now=Coalesce(Sum("amount", filter=Q(payroll_id=payroll.pk)), zero),
            before=Coalesce(Sum("amount", filter=Q(payroll_id=prev.pk if prev else 0)), zero),
        )
        .exclude(now=F("before"))
        .order_by("entitlement_id")
    )
    changes_count = diff.count()
    first = list(diff.values_list("entitlement_id", "now", "before")[:500])
    ids = [e for e, _n, _b in first]
    reasons: dict[int, str] = {}
    for ent_id, reason in (
        EntitlementEvent.objects.filter(entitlement_id__in=ids)
        .order_by("seq")
        .values_list("entitlement_id", "reason")
    ):
        reasons[ent_id] = reason
    numbers = dict(Entitlement.objects.filter(pk__in=ids).values_list("pk", "number"))
    changes = [
        {
            "entitlement": numbers.get(e, str(e)),
            "before": _yuan(before),
            "after": _yuan(now),
            "reason": reasons.get(e, ""),
        }
        for e, now, before in first
    ]
    lines_total = sum((Decimal(str(t["total"] or 0)) for t in by_town), Decimal(0)).quantize(CENT)
    backpay = sum((Decimal(str(t["backpay"] or 0)) for t in by_town), Decimal(0))
    return {
        "townships": [
            {"code": t["township_code"], "count": t["n"], "total": _yuan(t["total"])} for t in by_town
        ],
        "changes": changes,
        "changes_count": changes_count,
        "previous_total": str(prev.total) if prev else None,
        "backpay_total": _yuan(backpay),
        "lines_total": _yuan(lines_total),
        "balanced": lines_total == payroll.total,
        **payroll_report_extras(payroll),  # funding shares, offsets, 提标 back-pay (services/recovery.py)
    }


@transaction.atomic
def payroll_check(*, actor: Any, payroll: Payroll) -> Payroll:
    payroll = Payroll.objects.restrict(actor, "change").select_for_update().get(pk=payroll.pk)
    if payroll.state == Payroll.State.APPROVED:
        raise ValidationError({"state": [_("发放名册已审批冻结，不能重新核对")]})
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            pg_batch_settings(cur)
    payroll.check_report = payroll_check_report(payroll)
    payroll.state, payroll.checked_at = Payroll.State.CHECKED, timezone.now()
    payroll.save(update_fields=["check_report", "state", "checked_at", "updated_at"])
    change_log_write(
        actor=actor, action="update", obj=payroll, after={"state": payroll.state}, reason=_("核对发放名册")
    )
    return payroll


@transaction.atomic
def payroll_approve(*, actor: Any, payroll: Payroll) -> Payroll:
    """County approval freezes the payroll. Approving twice, approving before the check, or a
    payroll whose lines do not add up to its total is refused."""
    from safetynet.accounts.roles import Role

    if actor.role not in (Role.COUNTY_OFFICER, Role.ADMIN):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("只有县级民政部门可以审批发放名册"))
    payroll = Payroll.objects.restrict(actor, "change").select_for_update().get(pk=payroll.pk)
    if payroll.state == Payroll.State.APPROVED:
        raise ValidationError({"state": [_("发放名册 %(p)s 已审批，不能重复审批") % {"p": payroll}]})
    if payroll.state != Payroll.State.CHECKED:
        raise ValidationError({"state": [_("发放名册须先核对再审批")]})
    count, total = lines_totals(payroll)
    if total != payroll.total or count != payroll.line_count:
        raise ValidationError(
            {
                "total": [
                    _("发放名册不平衡：明细合计 %(l)s 元，名册合计 %(t)s 元")
                    % {"l": total, "t": payroll.total}
                ]
            }
        )
    updated = Payroll.objects.filter(pk=payroll.pk, state=Payroll.State.CHECKED).update(
        state=Payroll.State.APPROVED, approved_by=actor, approved_at=timezone.now()
    )
    if updated != 1:
        raise ValidationError({"state": [_("发放名册已被他人审批")]})
    payroll.refresh_from_db()
    change_log_write(
        actor=actor, action="update", obj=payroll, after={"state": payroll.state}, reason=_("审批发放名册")
    )
    return payroll
