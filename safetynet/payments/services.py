"""Payments: entitlements as events, payroll build/check/approve, bank files, reconciliation.

Money changes only through an event that names its decision and reason. The payroll is built
set-based: rows are computed from ``values_list`` tuples (never ORM objects) and written with one
``executemany`` in one transaction on SQLite, or ``COPY`` into a staging table and one
``INSERT … SELECT`` on PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.crypto import decrypt, encrypt
from safetynet.core.masking import mask_account
from safetynet.core.services import access_log_write, change_log_write, job_finish, job_start, snapshot
from safetynet.payments.models import (
    BankFile,
    Correction,
    Entitlement,
    EntitlementEvent,
    EntitlementPart,
    PaymentLine,
    Payroll,
    ReturnImport,
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


# ---------------------------------------------------------------- entitlements as events


def _parts_json(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "person_id": int(p["person_id"]),
            "name": p.get("name", ""),
            "amount": str(Decimal(str(p["amount"])).quantize(CENT)),
            "note": p.get("note", ""),
        }
        for p in parts
    ]


def _apply(
    ent: Entitlement,
    *,
    kind: str,
    month: dt.date,
    parts: list[dict[str, Any]],
    state: str,
    decision: Any,
    reason: str,
    actor: Any,
) -> EntitlementEvent:
    """Append one event and refresh the cached state (entitlement row and its parts)."""
    if not reason.strip():
        raise ValidationError({"reason": [_("待遇变更必须写明理由")]})
    parts = _parts_json(parts)
    amount = sum((Decimal(p["amount"]) for p in parts), Decimal(0))
    ent.event_count += 1
    event = EntitlementEvent.objects.create(
        entitlement=ent,
        seq=ent.event_count,
        kind=kind,
        effective_month=month_start(month),
        decision=decision,
        reason=reason,
        state_after=state,
        parts=parts,
        amount_after=amount,
        actor_name=getattr(actor, "username", "") or "system",
    )
    _refresh(ent, actor=actor, reason=reason)
    return event


def entitlement_replay(entitlement: Entitlement, *, month: dt.date | None = None) -> dict[str, Any]:
    """The state derived from the events alone, in force in ``month`` (default: this month).
    Events apply in order of their effective month, then of recording; before the first
    event takes effect the first event's state is shown (a grant from next month)."""
    month = month_start(month or timezone.localdate())
    events = sorted(entitlement.events.all(), key=lambda e: (e.effective_month, e.seq))
    if not events:
        return {"state": S.ACTIVE, "parts": [], "amount": Decimal(0)}
    current = events[0]
    for ev in events:
        if ev.effective_month <= month:
            current = ev
    return {"state": current.state_after, "parts": current.parts, "amount": current.amount_after}


def _refresh(ent: Entitlement, *, actor: Any, reason: str) -> None:
    """Store the state in force this month, as replay computes it."""
    before = snapshot(ent)
    now = entitlement_replay(ent)
    ent.state, ent.monthly_amount = now["state"], now["amount"]
    ent.save()
    EntitlementPart.objects.filter(entitlement=ent).delete()
    EntitlementPart.objects.bulk_create(
        EntitlementPart(
            entitlement=ent,
            person_id=p["person_id"],
            person_name=p["name"],
            amount=Decimal(p["amount"]),
            note=p["note"],
        )
        for p in now["parts"]
    )
    change_log_write(actor=actor, action="update", obj=ent, before=before, after=snapshot(ent), reason=reason)


def _check_exclusive(*, program: str, person_ids: list[int], exclude: int | None = None) -> None:
    other = EXCLUSIVE.get(program)
    if not other:
        return
    clash = EntitlementPart.objects.filter(
        person_id__in=person_ids, entitlement__program=other, entitlement__state__in=[S.ACTIVE, S.SUSPENDED]
    )
    if exclude:
        clash = clash.exclude(entitlement_id=exclude)
    names = sorted(set(clash.values_list("person_name", flat=True)))
    if names:
        raise ValidationError(
            {
                "members": [
                    _("%(n)s 已享受%(o)s，低保与特困供养不得同时享受") % {"n": "、".join(names), "o": other}
                ]
            }
        )


@transaction.atomic
def entitlement_grant(
    *,
    actor: Any,
    household: Any,
    program: str,
    parts: list[dict[str, Any]],
    first_month: dt.date,
    payee_kind: str,
    payee_name: str,
    bank_name: str = "",
    account: str = "",
    account_enc: str = "",
    taper: list[dict[str, Any]] | None = None,
    funding: dict[str, Any] | None = None,
    decision: Any = None,
    case: Any = None,
    predecessor: Entitlement | None = None,
    reason: str = "",
) -> Entitlement:
    """批准: a new entitlement with a grant event and, for a taper schedule, one taper event per
    month at its rate (the household amount split over the members' parts in proportion)."""
    if not parts:
        raise ValidationError({"members": [_("请至少确定一名保障对象")]})
    _check_exclusive(program=program, person_ids=[int(p["person_id"]) for p in parts])
    if account and not account_enc:
        account_enc = encrypt(account)
    masked = mask_account(decrypt(account_enc)) if account_enc else ""
    code = household.region_code
    ent = Entitlement.objects.create(
        number=f"DY{program[:2].upper()}{household.pk:08d}{Entitlement.objects.count() + 1:06d}",
        case=case,
        household=household,
        program=program,
        county_code=county_of(code),
        township_code=code[:9] + "000",
        region_code=code,
        predecessor=predecessor,
        payee_kind=payee_kind,
        payee_name=payee_name,
        bank_name=bank_name,
        account_enc=account_enc,
        account_masked=masked,
        monthly_amount=0,
        first_month=month_start(first_month),
        funding=funding or {"central": "0.60", "provincial": "0.25", "county": "0.15"},
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    change_log_write(actor=actor, action="create", obj=ent, after=snapshot(ent), reason=reason or _("批准"))
    kind = E.CONTINUE if predecessor else E.GRANT
    _apply(
        ent,
        kind=kind,
        month=first_month,
        parts=parts,
        state=S.ACTIVE,
        decision=decision,
        reason=reason or _("批准"),
        actor=actor,
    )
    base = sum((Decimal(str(p["amount"])) for p in parts), Decimal(0))
    for step in taper or []:
        target = Decimal(str(step["amount"])).quantize(CENT)
        scaled = [dict(p, amount=(Decimal(str(p["amount"])) * target / base).quantize(CENT)) for p in parts]
        scaled[0]["amount"] += target - sum(s["amount"] for s in scaled)
        state = S.ACTIVE if target > 0 else S.STOPPED
        _apply(
            ent,
            kind=E.TAPER,
            month=parse_month(step["month"]),
            parts=scaled,
            state=state,
            decision=decision,
            reason=_("渐退期按 %(a)s 元发放") % {"a": target},
            actor=actor,
        )
    return ent


@transaction.atomic
def entitlement_change(
    *,
    actor: Any,
    entitlement: Entitlement,
    kind: str,
    month: dt.date,
    reason: str,
    decision: Any = None,
    parts: list[dict[str, Any]] | None = None,
) -> EntitlementEvent:
    """增发/减发/暂停/恢复/停止 from a month. Decreases and stops need their decision (taken
    after the hearing the review workflow records)."""
    ent = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
    if kind in (E.DECREASE, E.STOP) and decision is None:
        raise ValidationError({"decision": [_("减发或停止必须依据听取陈述申辩后的决定")]})
    current = entitlement_replay(ent, month=month_start(month))
    new_parts = parts if parts is not None else current["parts"]
    state = {E.SUSPEND: S.SUSPENDED, E.STOP: S.STOPPED}.get(kind, S.ACTIVE)  # type: ignore[call-overload]
    if current["state"] == S.STOPPED:
        raise ValidationError({"kind": [_("待遇 %(n)s 已停止，不能再变更") % {"n": ent.number}]})
    if state == S.ACTIVE:
        _check_exclusive(
            program=ent.program, person_ids=[int(p["person_id"]) for p in new_parts], exclude=ent.pk
        )
    return _apply(
        ent,
        kind=kind,
        month=month,
        parts=new_parts,
        state=state,
        decision=decision,
        reason=reason,
        actor=actor,
    )


@transaction.atomic
def entitlement_continue(
    *,
    actor: Any,
    entitlement: Entitlement,
    survivors: list[int],
    month: dt.date,
    reason: str,
    decision: Any = None,
    household: Any = None,
    payee_name: str = "",
) -> Entitlement:
    """停旧建新: the head of household died and the review continues assistance. The old
    entitlement stops from ``month``; a new linked one starts then with the survivors' own parts
    carried over intact (a member's classified top-up stays with the member)."""
    old = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
    current = entitlement_replay(old, month=month_start(month))
    kept = [p for p in current["parts"] if int(p["person_id"]) in set(survivors)]
    if not kept:
        raise ValidationError({"survivors": [_("没有可延续的保障对象")]})
    _apply(
        old,
        kind=E.STOP,
        month=month,
        parts=[],
        state=S.STOPPED,
        decision=decision,
        reason=reason,
        actor=actor,
    )
    return entitlement_grant(
        actor=actor,
        household=household or old.household,
        program=old.program,
        parts=kept,
        first_month=month,
        payee_kind=old.payee_kind,
        payee_name=payee_name or old.payee_name,
        bank_name=old.bank_name,
        account_enc=old.account_enc,
        funding=old.funding,
        decision=decision,
        case=getattr(decision, "case", None),
        predecessor=old,
        reason=reason,
    )


def entitlement_from_decision(*, actor: Any, decision: Any) -> Entitlement | None:
    """Hook for the review workflow: an approval of a monthly program becomes an entitlement;
    increase / decrease / stop decisions in a review become events on the one under review."""
    case = decision.case
    if case.program not in ("dibao", "tekun"):
        return None
    month = decision.first_payment_month or month_add(decision.decided_on, 1)
    if decision.kind == "approve" or (
        decision.kind in ("continue", "increase", "decrease") and case.predecessor_id is None
    ):
        hh = case.household
        return entitlement_grant(
            actor=actor,
            household=hh,
            program=case.program,
            parts=decision.members,
            first_month=month,
            payee_kind=decision.payee_kind or "household",
            payee_name=decision.payee_name or hh.account_holder or hh.head_name,
            bank_name=hh.bank_name,
            account_enc=decision.payee_account_enc or hh.account_enc,
            taper=decision.taper,
            decision=decision,
            case=case,
            reason=decision.reasons or _("审核确认批准"),
        )
    prior = Entitlement.objects.filter(case_id=case.predecessor_id).order_by("-id").first()
    if prior is None:
        return None
    kind = {"increase": E.INCREASE, "decrease": E.DECREASE, "stop": E.STOP, "continue": E.CONTINUE}.get(
        decision.kind
    )
    if kind is None:
        return None
    if kind == E.CONTINUE:
        kind = E.INCREASE  # same parts re-stated; recorded as a change event with its decision
    entitlement_change(
        actor=actor,
        entitlement=prior,
        kind=kind,
        month=month,
        reason=decision.reasons or str(decision.get_kind_display()),
        decision=decision,
        parts=decision.members if kind != E.STOP else [],
    )
    Entitlement.objects.filter(pk=prior.pk).update(case=case)
    return prior


@transaction.atomic
def entitlement_account_fix(
    *, actor: Any, entitlement: Entitlement, bank_name: str, holder: str, account: str, reason: str
) -> Entitlement:
    """Correct a payee's account; open corrections for it become ready to reissue."""
    ent = Entitlement.objects.restrict(actor, "change").select_for_update().get(pk=entitlement.pk)
    account = "".join(account.split())
    if not account.isdigit() or not 8 <= len(account) <= 30:
        raise ValidationError({"account": [_("银行账号应为 8–30 位数字")]})
    before = snapshot(ent)
    ent.bank_name, ent.payee_name = bank_name.strip() or ent.bank_name, holder.strip() or ent.payee_name
    ent.account_enc, ent.account_masked = encrypt(account), mask_account(account)
    ent.save()
    Correction.objects.filter(entitlement=ent, state=Correction.State.OPEN).update(
        state=Correction.State.FIXED
    )
    change_log_write(
        actor=actor,
        action="update",
        obj=ent,
        before=before,
        after=snapshot(ent),
        reason=reason or _("更正收款账户"),
    )
    return ent


# ---------------------------------------------------------------- payroll


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
        PaymentLine.objects.filter(
            entitlement__county_code=county_code, entitlement__program=program
        ).values_list("entitlement_id", "person_id", "for_month")
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
INSERT INTO payments_paymentline
    (payroll_id, entitlement_id, person_id, for_month, kind, township_code, amount, status, failure, job_id)
SELECT %(payroll)s, e.id, (p.part->>'person_id')::bigint, m.m::date,
       CASE WHEN m.m::date = %(month)s THEN 'regular' ELSE 'backpay' END,
       e.township_code, (p.part->>'amount')::numeric, 'pending', '', %(job)s
FROM payments_entitlement e
CROSS JOIN LATERAL (
    SELECT min(effective_month) AS f FROM payments_entitlementevent
    WHERE entitlement_id = e.id AND recorded_at::date <= %(cutoff)s) fm
CROSS JOIN LATERAL generate_series(fm.f, %(month)s::date, interval '1 month') AS m(m)
CROSS JOIN LATERAL (
    SELECT ev.state_after, ev.parts FROM payments_entitlementevent ev
    WHERE ev.entitlement_id = e.id AND ev.effective_month <= m.m AND ev.recorded_at::date <= %(cutoff)s
    ORDER BY ev.effective_month DESC, ev.seq DESC LIMIT 1) cur
CROSS JOIN LATERAL jsonb_array_elements(cur.parts) AS p(part)
WHERE e.county_code = %(county)s AND e.program = %(program)s AND e.first_month <= %(month)s
  AND fm.f IS NOT NULL AND cur.state_after = 'active' AND (p.part->>'amount')::numeric > 0
ON CONFLICT DO NOTHING
"""


def _insert_lines(payroll: Payroll, job_id: int) -> int:
    """PostgreSQL: one INSERT … SELECT computes every due month from the events (the same rule
    as ``payroll_rows``); the unique constraint drops months already paid. SQLite: the rows
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
            cur.execute(PG_BUILD, params)  # type: ignore[arg-type]
            return cur.rowcount
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
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        _insert_lines(payroll, job.pk)
        agg = payroll.lines.aggregate(n=Count("id"), t=Sum("amount"))
        payroll.line_count, payroll.total = agg["n"] or 0, Decimal(str(agg["t"] or 0)).quantize(CENT)
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
    """Totals by township and changes against last month with the events' reasons."""
    by_town = list(
        payroll.lines.values("township_code")
        .annotate(n=Count("entitlement_id", distinct=True), total=Sum("amount"))
        .order_by("township_code")
    )
    prev = Payroll.objects.filter(
        county_code=payroll.county_code,
        program=payroll.program,
        kind=payroll.kind,
        month=month_add(payroll.month, -1),
    ).first()
    now_ents = dict(payroll.lines.values_list("entitlement_id").annotate(t=Sum("amount")))
    prev_ents = dict(prev.lines.values_list("entitlement_id").annotate(t=Sum("amount"))) if prev else {}
    changes = []
    changed = [e for e in set(now_ents) | set(prev_ents) if now_ents.get(e) != prev_ents.get(e)]
    reasons: dict[int, str] = {}
    for ent_id, reason in (
        EntitlementEvent.objects.filter(entitlement_id__in=changed[:500])
        .order_by("seq")
        .values_list("entitlement_id", "reason")
    ):
        reasons[ent_id] = reason
    numbers = dict(Entitlement.objects.filter(pk__in=changed[:500]).values_list("pk", "number"))
    for e in sorted(changed)[:500]:
        changes.append(
            {
                "entitlement": numbers.get(e, str(e)),
                "before": _yuan(prev_ents.get(e, 0)),
                "after": _yuan(now_ents.get(e, 0)),
                "reason": reasons.get(e, ""),
            }
        )
    backpay = payroll.lines.filter(kind=PaymentLine.Kind.BACKPAY).aggregate(t=Sum("amount"))["t"] or Decimal(
        0
    )
    lines_total = Decimal(str(payroll.lines.aggregate(t=Sum("amount"))["t"] or 0)).quantize(CENT)
    return {
        "townships": [
            {"code": t["township_code"], "count": t["n"], "total": _yuan(t["total"])} for t in by_town
        ],
        "changes": changes,
        "changes_count": len(changed),
        "previous_total": str(prev.total) if prev else None,
        "backpay_total": _yuan(backpay),
        "lines_total": _yuan(lines_total),
        "balanced": lines_total == payroll.total,
    }


@transaction.atomic
def payroll_check(*, actor: Any, payroll: Payroll) -> Payroll:
    payroll = Payroll.objects.restrict(actor, "change").select_for_update().get(pk=payroll.pk)
    if payroll.state == Payroll.State.APPROVED:
        raise ValidationError({"state": [_("发放名册已审批冻结，不能重新核对")]})
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
    agg = payroll.lines.aggregate(n=Count("id"), t=Sum("amount"))
    if Decimal(str(agg["t"] or 0)).quantize(CENT) != payroll.total or (agg["n"] or 0) != payroll.line_count:
        raise ValidationError(
            {
                "total": [
                    _("发放名册不平衡：明细合计 %(l)s 元，名册合计 %(t)s 元")
                    % {"l": agg["t"] or 0, "t": payroll.total}
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


# ---------------------------------------------------------------- bank files

HEADER = ("H", "month", "count", "total", "sha256")


def _render(layout: str, month: dt.date, rows: list[tuple[str, str, str, Decimal]]) -> bytes:
    """rows: (reference, holder, account, amount). The checksum is SHA-256 over the body lines."""
    body = io.StringIO()
    w = csv.writer(body, lineterminator="\n")
    for ref, holder, account, amount in rows:
        if layout == BankFile.Layout.YIKATONG:
            w.writerow([ref, account, holder, f"{amount:.2f}", "社会救助", f"{month:%Y%m}"])
        else:
            w.writerow([ref, holder, account, f"{amount:.2f}"])
    text = body.getvalue()
    total = sum((r[3] for r in rows), Decimal(0))
    checksum = hashlib.sha256(text.encode()).hexdigest()
    head = f"H,{month:%Y-%m},{len(rows)},{total:.2f},{checksum}\n"
    return (head + text).encode("utf-8"), total, checksum  # type: ignore[return-value]


def _file_rows(payroll: Payroll, ent_ids: set[int] | None, bank: str | None) -> list[tuple]:
    lines = payroll.lines.all()
    if ent_ids is not None:
        lines = lines.filter(entitlement_id__in=ent_ids)
    if bank:
        lines = lines.filter(entitlement__bank_name=bank)
    sums = (
        lines.values_list("entitlement_id", "entitlement__payee_name", "entitlement__account_enc")
        .annotate(t=Sum("amount"))
        .order_by("entitlement_id")
    )
    return [(f"{payroll.pk}-{e}", name, decrypt(enc) if enc else "", t) for e, name, enc, t in sums]


@transaction.atomic
def bank_files_build(*, actor: Any, payroll: Payroll, layout: str = BankFile.Layout.CSV) -> list[BankFile]:
    """One file per bank for an approved payroll (reuses files already built)."""
    payroll = Payroll.objects.restrict(actor, "change").get(pk=payroll.pk)
    if payroll.state != Payroll.State.APPROVED:
        raise ValidationError({"state": [_("发放名册审批后才能生成代发文件")]})
    existing = list(payroll.files.filter(supplementary=False, layout=layout))
    if existing:
        return existing
    banks = sorted(set(payroll.lines.values_list("entitlement__bank_name", flat=True)))
    files = []
    for bank in banks:
        rows = _file_rows(payroll, None, bank)
        files.append(_save_file(actor, payroll, bank, layout, rows, supplementary=False))
    return files


def _save_file(
    actor: Any, payroll: Payroll, bank: str, layout: str, rows: list[tuple], *, supplementary: bool
) -> BankFile:
    if layout == BankFile.Layout.XLSX and len(rows) > 1_048_575:
        raise ValidationError({"layout": [_("超过 Excel 行数上限，请使用 CSV")]})
    content, total, checksum = _render(layout, payroll.month, rows)
    ext = "csv"
    n = payroll.files.count() + 1
    f = BankFile.objects.create(
        payroll=payroll,
        bank_name=bank or _("未登记银行"),
        layout=layout,
        supplementary=supplementary,
        name=f"payroll-{payroll.pk}-{n}-{layout}.{ext}",
        content=content,
        line_count=len(rows),
        total=total,
        checksum=checksum,
        references=[r[0] for r in rows],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    change_log_write(
        actor=actor,
        action="create",
        obj=f,
        after={"lines": len(rows), "total": str(total), "checksum": checksum},
        reason=_("生成补发文件") if supplementary else _("生成代发文件"),
    )
    return f


def bank_file_download(*, actor: Any, bank_file: BankFile) -> bytes:
    """The full file (accounts in clear) — every download is written to the access log."""
    Payroll.objects.restrict(actor, "change").get(pk=bank_file.payroll_id)
    access_log_write(actor=actor, obj=bank_file, field="account", purpose=_("下载代发文件"))
    return bytes(bank_file.content)


# ---------------------------------------------------------------- reconciliation

FAILURES = {c.value for c in Correction.Reason}


def return_file_import(*, actor: Any, bank_file: BankFile, content: bytes) -> ReturnImport:
    """Read the bank's return file: header ``H,YYYY-MM,count,total`` then
    ``reference,amount,status[,reason]`` with status ``paid`` or ``failed`` and reason one of
    wrong_account / closed_account / name_mismatch. Unknown references, duplicated lines, a
    total that does not match, or the wrong month: rejected whole with a report."""
    Payroll.objects.restrict(actor, "change").get(pk=bank_file.payroll_id)
    errors: list[str] = []
    text = content.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text))
    head = next(reader, None)
    payroll = bank_file.payroll
    lines: list[list[str]] = [r for r in reader if r]
    declared: Decimal | None = None
    if not head or head[0] != "H" or len(head) < 4:
        errors.append(_("第 1 行应为文件头 H,月份,笔数,金额"))
    else:
        if head[1] != f"{payroll.month:%Y-%m}":
            errors.append(
                _("文件头月份 %(m)s 与名册月份 %(p)s 不符") % {"m": head[1], "p": f"{payroll.month:%Y-%m}"}
            )
        try:
            if int(head[2]) != len(lines):
                errors.append(_("文件头笔数 %(h)s 与明细行数 %(n)s 不符") % {"h": head[2], "n": len(lines)})
            declared = Decimal(head[3])
        except Exception:  # noqa: BLE001 — any malformed header value is reported, not raised
            errors.append(_("文件头笔数或金额格式错误"))
    known = dict(zip(bank_file.references, _expected_amounts(bank_file), strict=False))
    seen: set[str] = set()
    paid: list[str] = []
    failed: list[tuple[str, str]] = []
    total = Decimal(0)
    for n, row in enumerate(lines, start=2):
        ref = row[0].strip()
        if ref in seen:
            errors.append(_("第 %(n)s 行：流水号 %(r)s 重复") % {"n": n, "r": ref})
            continue
        seen.add(ref)
        if ref not in known:
            errors.append(_("第 %(n)s 行：流水号 %(r)s 不在代发文件中") % {"n": n, "r": ref})
            continue
        try:
            amount = Decimal(row[1])
        except Exception:  # noqa: BLE001
            errors.append(
                _("第 %(n)s 行：金额格式错误 %(a)s") % {"n": n, "a": row[1] if len(row) > 1 else ""}
            )
            continue
        total += amount
        if amount != known[ref]:
            errors.append(
                _("第 %(n)s 行：金额 %(a)s 与代发金额 %(e)s 不符") % {"n": n, "a": amount, "e": known[ref]}
            )
        status = row[2].strip() if len(row) > 2 else ""
        if status == "paid":
            paid.append(ref)
        elif status == "failed" and len(row) > 3 and row[3].strip() in FAILURES:
            failed.append((ref, row[3].strip()))
        else:
            errors.append(
                _("第 %(n)s 行：状态应为 paid 或 failed 加原因（wrong_account/closed_account/name_mismatch）")
                % {"n": n}
            )
    if declared is not None and declared != total:
        errors.append(_("文件头金额 %(h)s 与明细合计 %(t)s 不符") % {"h": declared, "t": total})
    with transaction.atomic():
        if errors:
            imp = ReturnImport.objects.create(
                bank_file=bank_file,
                status=ReturnImport.Status.REJECTED,
                errors=errors[:200],
                created_by=_user(actor),
            )
            change_log_write(
                actor=actor, action="create", obj=imp, after={"errors": len(errors)}, reason=_("拒收银行回盘")
            )
            return imp
        ent_of = {ref: int(ref.split("-", 1)[1]) for ref in known}
        paid_ids = [ent_of[r] for r in paid]
        _mark_lines(
            bank_file.payroll_id,
            [(e, "paid", "") for e in paid_ids] + [(ent_of[r], "failed", reason) for r, reason in failed],
        )
        ent_rows = dict(
            Entitlement.objects.filter(pk__in=[ent_of[r] for r, _x in failed]).values_list(
                "pk", "township_code"
            )
        )
        Correction.objects.bulk_create(
            [
                Correction(
                    payroll_id=bank_file.payroll_id,
                    entitlement_id=ent_of[r],
                    township_code=ent_rows[ent_of[r]],
                    reason=reason,
                    amount=known[r],
                    created_by=_user(actor),
                )
                for r, reason in failed
            ],
            ignore_conflicts=True,
        )
        if bank_file.supplementary:
            Correction.objects.filter(payroll_id=bank_file.payroll_id, entitlement_id__in=paid_ids).update(
                state=Correction.State.REISSUED
            )
        imp = ReturnImport.objects.create(
            bank_file=bank_file,
            status=ReturnImport.Status.ACCEPTED,
            paid=len(paid),
            failed=len(failed),
            created_by=_user(actor),
        )
        change_log_write(
            actor=actor,
            action="create",
            obj=imp,
            after={"paid": len(paid), "failed": len(failed)},
            reason=_("导入银行回盘"),
        )
    return imp


def _mark_lines(payroll_id: int, marks: list[tuple[int, str, str]]) -> None:
    """Set each payee's lines to paid / failed. PostgreSQL: COPY into a staging table and one
    ``UPDATE … FROM``; SQLite: one ``executemany``."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "CREATE TEMP TABLE ret_stage (entitlement_id bigint, status varchar(10), failure varchar(30))"
                " ON COMMIT DROP"
            )
            with cur.cursor.copy("COPY ret_stage (entitlement_id, status, failure) FROM STDIN") as copy:
                for row in marks:
                    copy.write_row(row)
            cur.execute(
                "UPDATE payments_paymentline l SET status = s.status, failure = s.failure FROM ret_stage s"
                " WHERE l.payroll_id = %s AND l.entitlement_id = s.entitlement_id",
                [payroll_id],
            )
            cur.execute("DROP TABLE ret_stage")
        return
    with connection.cursor() as cur:
        cur.executemany(
            "UPDATE payments_paymentline SET status = %s, failure = %s WHERE payroll_id = %s AND entitlement_id = %s",
            [(st, fail, payroll_id, e) for e, st, fail in marks],
        )


def _expected_amounts(bank_file: BankFile) -> list[Decimal]:
    body = bytes(bank_file.content).decode("utf-8").splitlines()[1:]
    idx = 3
    return [Decimal(next(csv.reader([line]))[idx]) for line in body]


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def supplementary_file_build(*, actor: Any, payroll: Payroll) -> BankFile:
    """补发文件 for corrections whose account has been fixed; the same payment lines are
    reissued (never a second line for the same month)."""
    payroll = Payroll.objects.restrict(actor, "change").get(pk=payroll.pk)
    ready = Correction.objects.filter(payroll=payroll, state=Correction.State.FIXED)
    ids = set(ready.values_list("entitlement_id", flat=True))
    if not ids:
        raise ValidationError({"corrections": [_("没有已更正待补发的记录")]})
    rows = _file_rows(payroll, ids, None)
    f = _save_file(actor, payroll, _("补发"), BankFile.Layout.CSV, rows, supplementary=True)
    ready.update(reissue_file=f)
    payroll.lines.filter(entitlement_id__in=ids).update(status=PaymentLine.Status.PENDING, failure="")
    return f


# ---------------------------------------------------------------- demo


def demo_seed(
    *, actor: Any = None, county_code: str | None = None, per_township: int = 3
) -> list[Entitlement]:
    """A few approved dibao entitlements in the demo county (household accounts), for ``make demo``.
    Idempotent: households that already have an entitlement are skipped."""
    from safetynet.registry.models import Household, Membership

    qs = Household.objects.filter(status="active").exclude(account_enc="")
    if county_code:
        qs = qs.filter(region_code__startswith=county_code[:6])
    taken = set(Entitlement.objects.values_list("household_id", flat=True))
    per_town: dict[str, int] = defaultdict(int)
    # households that already have one count towards their township's quota: a rerun adds nothing
    for code in Household.objects.filter(pk__in=taken).values_list("region_code", flat=True):
        per_town[code[:9]] += 1
    made = []
    for hh in qs.order_by("id")[:2000]:
        town = hh.region_code[:9]
        if hh.pk in taken or per_town[town] >= per_township:
            continue
        members = list(
            Membership.objects.filter(household=hh, end_date__isnull=True).select_related("person")[:3]
        )
        if not members:
            continue
        parts = [{"person_id": m.person_id, "name": m.person.name, "amount": "320.00"} for m in members]
        made.append(
            entitlement_grant(
                actor=actor,
                household=hh,
                program="dibao",
                parts=parts,
                first_month=dt.date(2026, 10, 1),
                payee_kind="household",
                payee_name=hh.account_holder or hh.head_name,
                bank_name=hh.bank_name or "农商银行",
                account_enc=hh.account_enc,
                reason=_("演示数据：审核确认批准"),
            )
        )
        per_town[town] += 1
    return made


# ---------------------------------------------------------------- recovery (追缴)


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
