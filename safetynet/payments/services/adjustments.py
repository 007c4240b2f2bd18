"""提标 (raising the standard): recompute every affected entitlement of a region in one batch.

One ``StandardAdjustment`` (the decision record of the whole adjustment) with one
``AdjustmentLine`` per household; an ``increase`` event per entitlement (several when later
events re-state the parts: each is re-stated with the new amounts); the months already paid at the
old standard are owed as back-pay, paid by the next payroll (``adjustment_backpay_insert``, called
by the payroll build through ``recovery.payroll_hook``). Running the same adjustment twice
changes nothing.

The amount follows the decision's own formula:
- ``rules``: the case's rules snapshot (the situation the decision was computed on) is evaluated
  again by the rules package with the new dibao standard, and the household's difference is
  added to the current member parts (equal split, remainder on the first part) — member parts
  and classified top-ups set by the decision stay as they were;
- ``formula`` (no snapshot: a decision entered by hand): dibao parts rise by the standard's rise
  (standard × covered persons − income, domain-rules §11.1); tekun parts by the tekun basic
  multiple × the rise (特困基本生活标准 = 低保标准 × 倍数).
Households in taper keep their taper amounts (domain-rules §11.3); stopped entitlements are left.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.permissions import region_q
from safetynet.core.services import change_log_write, job_finish, job_start, snapshot
from safetynet.eligibility.models import RegionalStandard
from safetynet.eligibility.selectors import region_chain, standards_in_force
from safetynet.payments.models import (
    AdjustmentLine,
    Entitlement,
    EntitlementEvent,
    EntitlementPart,
    PaymentLine,
    Payroll,
    StandardAdjustment,
)
from safetynet.payments.services._common import CENT, E, S, month_add, month_start, user_or_none

STANDARD_KEYS = {"urban": "dibao_standard_urban", "rural": "dibao_standard_rural"}
ADJUSTABLE = ("dibao", "tekun")


class _Std:
    """Cached dibao standards (and tekun multiple) by region, class and month."""

    def __init__(self) -> None:
        self.cache: dict[tuple, Decimal | None] = {}

    def get(
        self, region_code: str, urban_rural: str, month: dt.date, key: str | None = None
    ) -> Decimal | None:
        key = key or STANDARD_KEYS.get(urban_rural or "rural", STANDARD_KEYS["rural"])
        k = (region_code, urban_rural, month_start(month), key)
        if k not in self.cache:
            found = standards_in_force(
                region_code=region_code,
                month=month,
                urban_rural=urban_rural or "",
                keys=[key],
                optional=[key],
            )
            self.cache[k] = Decimal(str(found[key].value)) if key in found else None
        return self.cache[k]


def _tekun_multiple(std: _Std, region_code: str, urban_rural: str, month: dt.date) -> Decimal:
    value = std.get(region_code, urban_rural, month, key="tekun_basic_multiple")
    if value is not None:
        return value
    from openfisca_cn_assistance import tax_benefit_system

    params = tax_benefit_system.parameters(f"{month:%Y-%m}")
    return Decimal(str(params.tekun.basic_living_multiple))


def _raised_standards(region_code: str, program: str, from_month: dt.date) -> list[RegionalStandard]:
    """The approved dibao standards of the region (or a region above it) that take effect in
    ``from_month``: the reason for an adjustment."""
    del program  # dibao and tekun both follow the dibao standard
    return list(
        RegionalStandard.objects.filter(
            status=RegionalStandard.Status.APPROVED,
            key__in=list(STANDARD_KEYS.values()),
            region_code__in=region_chain(region_code),
            effective_from__gte=from_month,
            effective_from__lt=month_add(from_month, 1),
        ).order_by("id")
    )


def _split(total: Decimal, parts: list[dict[str, Any]]) -> dict[int, Decimal]:
    """``total`` over the parts paid (equal split, remainder on the first)."""
    paid = [p for p in parts if Decimal(str(p["amount"])) > 0] or parts
    if not paid:
        return {}
    each = (total / len(paid)).quantize(CENT, rounding="ROUND_DOWN")
    out = {int(p["person_id"]): each for p in paid}
    first = int(paid[0]["person_id"])
    out[first] += total - each * len(paid)
    return out


def _program_amount(result: dict[str, Any], program: str) -> Decimal:
    entry = (result.get("programs") or result).get(program) or {}
    return Decimal(str(entry.get("monthly_amount") or 0))


def _rules_delta(
    ent: Entitlement, parts: list[dict[str, Any]], new_std: dict[str, Decimal]
) -> dict[int, Decimal] | None:
    """Per-person difference from re-evaluating the decision's snapshot with the new standard
    (None when the entitlement has no usable snapshot)."""
    case = ent.case
    snap = getattr(case, "snapshot", None) if case is not None else None
    if snap is None or not isinstance(snap.inputs, dict) or "standards" not in snap.inputs:
        return None
    from safetynet.eligibility.selectors import evaluate_situation

    situation = copy.deepcopy(snap.inputs)
    situation["programs"] = [ent.program]  # only the program paid: one evaluation each
    old = evaluate_situation(situation)
    raised = copy.deepcopy(situation)
    for ur, key in STANDARD_KEYS.items():
        if ur in new_std:
            raised["standards"][key] = float(new_std[ur])
    if raised["standards"] == situation["standards"]:
        return {}
    new = evaluate_situation(raised)
    if ent.program == "tekun":
        entry_old = {m.get("member"): m for m in (old["programs"]["tekun"].get("members") or [])}
        entry_new = {m.get("member"): m for m in (new["programs"]["tekun"].get("members") or [])}
        out: dict[int, Decimal] = {}
        for p in parts:
            key = f"p{int(p['person_id'])}"
            if key in entry_old and key in entry_new:
                # the member's monthly amount when the snapshot found them eligible (the floor may
                # bind), else the basic living amount, which is what follows the standard
                field = "monthly_amount" if entry_old[key].get("eligible") else "basic_amount"
                out[int(p["person_id"])] = (
                    Decimal(str(entry_new[key].get(field) or 0))
                    - Decimal(str(entry_old[key].get(field) or 0))
                ).quantize(CENT)
        if out:
            return out
    diff = (_program_amount(new, ent.program) - _program_amount(old, ent.program)).quantize(CENT)
    return _split(diff, parts)


def _formula_delta(
    ent: Entitlement,
    parts: list[dict[str, Any]],
    std: _Std,
    urban_rural: str,
    old_month: dt.date,
    new_month: dt.date,
) -> dict[int, Decimal]:
    old = std.get(ent.region_code, urban_rural, old_month)
    new = std.get(ent.region_code, urban_rural, new_month)
    if old is None or new is None or new <= old:
        return {}
    rise = new - old
    if ent.program == "tekun":
        rise = (rise * _tekun_multiple(std, ent.region_code, urban_rural, new_month)).quantize(CENT)
    return {int(p["person_id"]): rise.quantize(CENT) for p in parts if Decimal(str(p["amount"])) > 0}


def _in_force(events: list[tuple], month: dt.date) -> tuple | None:
    """The event in force in ``month`` (events as (effective, seq, kind, state, parts, recorded), sorted)."""
    cur = None
    for ev in events:
        if ev[0] <= month:
            cur = ev
    return cur


def _fingerprint(rows: list[RegionalStandard]) -> str:
    text = ";".join(f"{r.pk}:{r.key}:{r.urban_rural}:{r.value}" for r in rows)
    return hashlib.sha256(text.encode()).hexdigest()


def standard_raise(
    *,
    actor: Any,
    region_code: str,
    program: str,
    from_month: dt.date,
    reason: str = "",
    document_number: str = "",
) -> tuple[StandardAdjustment, bool]:
    """提标: recompute every entitlement of ``program`` in ``region_code`` from ``from_month``
    after an approved rise of the dibao standard. Returns ``(adjustment, created)``; running it
    again returns the existing adjustment and changes nothing."""
    from_month = month_start(from_month)
    if program not in ADJUSTABLE:
        raise ValidationError({"program": [_("只有低保和特困供养按标准调整（%(p)s）") % {"p": program}]})
    raised = _raised_standards(region_code, program, from_month)
    if not raised:
        raise ValidationError(
            {
                "from_month": [
                    _("区划 %(r)s 在 %(m)s 没有已批准生效的新低保标准，无法提标")
                    % {"r": region_code, "m": from_month.strftime("%Y-%m")}
                ]
            }
        )
    fingerprint = _fingerprint(raised)
    existing = StandardAdjustment.objects.filter(
        region_code=region_code, program=program, from_month=from_month, fingerprint=fingerprint
    ).first()
    if existing is not None:
        return existing, False
    job = job_start(
        kind="standard_raise",
        actor=actor,
        params={"region": region_code, "program": program, "from": f"{from_month:%Y-%m}"},
    )
    with transaction.atomic():
        adjustment, made = _raise(
            actor=actor,
            job=job,
            region_code=region_code,
            program=program,
            from_month=from_month,
            raised=raised,
            fingerprint=fingerprint,
            reason=reason,
            document_number=document_number,
        )
    job_finish(
        job=job,
        counts={
            "households": adjustment.household_count,
            "events": made,
            "monthly_increase": str(adjustment.monthly_increase),
            "backpay": str(adjustment.backpay_total),
        },
        digest=fingerprint,
    )
    return adjustment, True


def _raise(
    *,
    actor: Any,
    job: Any,
    region_code: str,
    program: str,
    from_month: dt.date,
    raised: list[RegionalStandard],
    fingerprint: str,
    reason: str,
    document_number: str,
) -> tuple[StandardAdjustment, int]:
    std = _Std()
    before_month = month_add(from_month, -1)
    approved_at = max(r.approved_at or r.created_at for r in raised)
    ents = list(
        Entitlement.objects.select_for_update(of=("self",))
        .filter(region_q("region_code", region_code), program=program)
        .exclude(state=S.STOPPED)
        .exclude(
            adjustment_lines__adjustment__fingerprint=fingerprint,
            adjustment_lines__adjustment__from_month=from_month,
        )
        .select_related("household", "case__snapshot")
        .order_by("id")
    )
    ids = [e.pk for e in ents]
    events: dict[int, list[tuple]] = defaultdict(list)
    for row in (
        EntitlementEvent.objects.filter(entitlement_id__in=ids)
        .order_by("entitlement_id", "effective_month", "seq")
        .values_list(
            "entitlement_id", "effective_month", "seq", "kind", "state_after", "parts", "recorded_at"
        )
    ):
        events[row[0]].append(row[1:])
    paid: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    for ent_id, person_id, month in PaymentLine.objects.filter(
        entitlement_id__in=ids,
        for_month__gte=from_month,
        kind__in=[PaymentLine.Kind.REGULAR, PaymentLine.Kind.BACKPAY],
    ).values_list("entitlement_id", "person_id", "for_month"):
        paid[ent_id].append((person_id, month))

    standards = {
        r.urban_rural or "unified": {"key": r.key, "value": str(r.value), "region": r.region_code, "id": r.pk}
        for r in raised
    }
    number = (
        f"TB{region_code}{program[:2].upper()}{from_month:%Y%m}-{StandardAdjustment.objects.count() + 1:04d}"
    )
    adjustment = StandardAdjustment.objects.create(
        number=number,
        region_code=region_code,
        program=program,
        from_month=from_month,
        standards=standards,
        fingerprint=fingerprint,
        reason=reason or _("提高最低生活保障标准，按新标准重新核定保障金额"),
        document_number=document_number,
        created_by=user_or_none(actor),
        job=job,
    )
    actor_name = getattr(actor, "username", "") or "system"
    today = month_start(timezone.localdate())
    event_rows: list[EntitlementEvent] = []
    line_rows: list[AdjustmentLine] = []
    ent_updates: list[Entitlement] = []
    new_parts_now: dict[int, list[dict[str, Any]]] = {}
    skipped: list[dict[str, str]] = []
    event_reason = _("提标：自 %(m)s 起按新标准调整（%(n)s）") % {"m": f"{from_month:%Y-%m}", "n": number}
    for ent in ents:
        evs = events.get(ent.pk, [])
        cur = _in_force(evs, from_month) or (evs[0] if evs else None)
        if cur is None:
            continue
        restate = [cur] + [ev for ev in evs if ev[0] > from_month and ev is not cur]
        restate = [ev for ev in restate if ev[3] not in (S.STOPPED,) and ev[2] != E.TAPER and ev[4]]
        if not restate:
            skipped.append({"entitlement": ent.number, "reason": _("渐退期或已停止，不调整")})
            continue
        urban_rural = ent.household.hukou_type or "rural"
        new_std = {
            ur: v for ur in STANDARD_KEYS if (v := std.get(ent.region_code, ur, from_month)) is not None
        }
        base_parts = restate[0][4]
        delta = _rules_delta(ent, base_parts, new_std)
        method = "rules"
        if delta is None:
            method = "formula"
            # the standard the amount was computed with: the one in force in the decision's month
            # (payment starts the month after it, §2.5), unless the raise was approved only after
            # the event was recorded (the decision could not know it: the old standard)
            recorded_at = restate[0][5]
            if recorded_at is not None and recorded_at < approved_at:
                old_month = before_month
            else:
                old_month = month_add(restate[0][0], -1)
            delta = _formula_delta(ent, base_parts, std, urban_rural, old_month, from_month)
        delta = {pid: d for pid, d in delta.items() if d > 0}
        if not delta:
            skipped.append({"entitlement": ent.number, "reason": _("标准未变化或金额已按新标准核定")})
            continue
        seq = ent.event_count
        first_event = None
        new_by_event: list[tuple[dt.date, str, list[dict[str, Any]]]] = []
        for ev in restate:
            parts = [
                {
                    **p,
                    "amount": str(
                        (Decimal(str(p["amount"])) + delta.get(int(p["person_id"]), Decimal(0))).quantize(
                            CENT
                        )
                    ),
                }
                for p in ev[4]
            ]
            seq += 1
            eff = max(ev[0], from_month)
            new_event = EntitlementEvent(
                entitlement=ent,
                seq=seq,
                kind=E.INCREASE,
                effective_month=eff,
                decision=None,
                reason=event_reason,
                state_after=ev[3],
                parts=parts,
                amount_after=sum((Decimal(p["amount"]) for p in parts), Decimal(0)),
                actor_name=actor_name,
            )
            event_rows.append(new_event)
            first_event = first_event or new_event
            new_by_event.append((eff, ev[3], parts))
        # the cached state: what replay gives for this month with the new events
        merged = [(ev[0], ev[1], ev[3], ev[4]) for ev in evs] + [
            (eff, 10**6 + i, st, parts) for i, (eff, st, parts) in enumerate(new_by_event)
        ]
        merged.sort(key=lambda r: (r[0], r[1]))
        now = merged[0]
        for r in merged:
            if r[0] <= today:
                now = r
        ent.event_count = seq
        ent.state = now[2]
        ent.monthly_amount = sum((Decimal(str(p["amount"])) for p in now[3]), Decimal(0))
        ent_updates.append(ent)
        new_parts_now[ent.pk] = now[3]
        # months already paid at the old amount → back-pay of the difference
        backpay_parts: list[dict[str, Any]] = []
        months: set[str] = set()
        for person_id, month in sorted(paid.get(ent.pk, []), key=lambda r: (r[1], r[0])):
            old_ev = _in_force(evs, month)
            if old_ev is None or old_ev[2] == E.TAPER or old_ev[3] != S.ACTIVE:
                continue
            d = delta.get(person_id)
            if not d:
                continue
            backpay_parts.append({"person_id": person_id, "month": f"{month:%Y-%m}", "amount": str(d)})
            months.add(f"{month:%Y-%m}")
        old_amount = sum((Decimal(str(p["amount"])) for p in base_parts), Decimal(0))
        new_amount = old_amount + sum(delta.values(), Decimal(0))
        line_rows.append(
            AdjustmentLine(
                adjustment=adjustment,
                entitlement=ent,
                household_id=ent.household_id,
                county_code=ent.county_code,
                township_code=ent.township_code,
                region_code=ent.region_code,
                method=method,
                old_amount=old_amount,
                new_amount=new_amount,
                difference=new_amount - old_amount,
                parts=[
                    {
                        "person_id": int(p["person_id"]),
                        "name": p.get("name", ""),
                        "old": str(p["amount"]),
                        "new": str(
                            (Decimal(str(p["amount"])) + delta.get(int(p["person_id"]), Decimal(0))).quantize(
                                CENT
                            )
                        ),
                    }
                    for p in base_parts
                ],
                months=sorted(months),
                backpay_parts=backpay_parts,
                backpay_amount=sum((Decimal(b["amount"]) for b in backpay_parts), Decimal(0)),
            )
        )
    # set-based writes: one executemany per table (psycopg pipelines them); Django's ORM
    # bulk_update/bulk_create spent most of the time compiling expressions
    now_ts = timezone.now()
    for event in event_rows:
        event.recorded_at = now_ts
    _insert_many(
        EntitlementEvent,
        event_rows,
        [
            "entitlement",
            "seq",
            "kind",
            "effective_month",
            "decision",
            "reason",
            "state_after",
            "parts",
            "amount_after",
            "recorded_at",
            "actor_name",
        ],
    )
    first_ids = dict(
        EntitlementEvent.objects.filter(reason=event_reason, recorded_at=now_ts)
        .values("entitlement_id")
        .annotate(first=Min("id"))
        .values_list("entitlement_id", "first")
    )
    for line in line_rows:
        line.event_id = first_ids.get(line.entitlement_id)
    _insert_many(
        AdjustmentLine,
        line_rows,
        [
            "adjustment",
            "entitlement",
            "household",
            "county_code",
            "township_code",
            "region_code",
            "method",
            "old_amount",
            "new_amount",
            "difference",
            "parts",
            "months",
            "backpay_parts",
            "backpay_amount",
            "backpay_payroll",
            "event",
        ],
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE payments_entitlement SET event_count = %s, state = %s, monthly_amount = %s, updated_at = %s"
            " WHERE id = %s",
            [(e.event_count, e.state, str(e.monthly_amount), now_ts, e.pk) for e in ent_updates],
        )
    EntitlementPart.objects.filter(entitlement_id__in=list(new_parts_now)).delete()
    _insert_many(
        EntitlementPart,
        [
            EntitlementPart(
                entitlement_id=ent_id,
                person_id=int(p["person_id"]),
                person_name=p.get("name", ""),
                amount=Decimal(str(p["amount"])),
                note=p.get("note", ""),
            )
            for ent_id, parts in new_parts_now.items()
            for p in parts
        ],
        ["entitlement", "person", "person_name", "amount", "note"],
    )
    adjustment.household_count = len(line_rows)
    adjustment.monthly_increase = sum((ln.difference for ln in line_rows), Decimal(0))
    adjustment.backpay_total = sum((ln.backpay_amount for ln in line_rows), Decimal(0))
    adjustment.skipped = skipped[:500]
    adjustment.save(update_fields=["household_count", "monthly_increase", "backpay_total", "skipped"])
    change_log_write(
        actor=actor,
        action="create",
        obj=adjustment,
        after=snapshot(adjustment),
        reason=adjustment.reason,
        job=job,
    )
    return adjustment, len(event_rows)


def _insert_many(model: Any, objs: list[Any], fields: list[str]) -> None:
    """INSERT the objects' values with one ``executemany`` (values prepared by the fields, so JSON
    and decimals are adapted for the database in use)."""
    if not objs:
        return
    conn = connections[DEFAULT_DB_ALIAS]  # the real connection, not the proxy, in the row loop
    cols = [model._meta.get_field(f) for f in fields]
    qn = conn.ops.quote_name
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c.column) for c in cols)}) "
        f"VALUES ({', '.join(['%s'] * len(cols))})"
    )
    with connection.cursor() as cur:
        cur.executemany(sql, [[c.get_db_prep_save(getattr(o, c.attname), conn) for c in cols] for o in objs])


def adjustment_backpay_insert(payroll: Payroll, job_id: int | None) -> int:
    """Payroll hook: the 提标 back-pay owed to this payroll's county and program (months already
    paid at the old standard) becomes lines of kind ``adjust`` (提标补发) for the months they
    belong to, and each adjustment line records the payroll that settled it. Lines of several
    adjustments for the same part and month are added up (one line per part, month and payroll)."""
    pending = list(
        AdjustmentLine.objects.select_for_update(of=("self",))
        .filter(
            county_code=payroll.county_code,
            adjustment__program=payroll.program,
            backpay_payroll__isnull=True,
            backpay_amount__gt=0,
        )
        .filter(Q(adjustment__created_at__date__lte=payroll.cutoff))
        .values_list("pk", "entitlement_id", "township_code", "backpay_parts")
    )
    if not pending:
        return 0
    sums: dict[tuple[int, int, dt.date], Decimal] = defaultdict(Decimal)
    town: dict[int, str] = {}
    for _pk, ent_id, township, parts in pending:
        town[ent_id] = township
        for b in parts:
            month = dt.date.fromisoformat(b["month"] + "-01")
            sums[(ent_id, int(b["person_id"]), month)] += Decimal(b["amount"])
    cols = "payroll_id, entitlement_id, person_id, for_month, kind, township_code, amount, status, failure, job_id"
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO payments_paymentline ({cols}) VALUES (%s, %s, %s, %s, %s, %s, %s, 'pending', '', %s)",
            [
                (payroll.pk, ent_id, pid, month, PaymentLine.Kind.ADJUST, town[ent_id], str(amount), job_id)
                for (ent_id, pid, month), amount in sorted(sums.items())
            ],
        )
    AdjustmentLine.objects.filter(pk__in=[p[0] for p in pending]).update(backpay_payroll=payroll)
    return len(sums)
