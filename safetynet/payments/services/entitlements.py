"""Entitlements as events: grant, change, continue (停旧建新), from a decision, account fixes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.crypto import decrypt, encrypt
from safetynet.core.masking import mask_account
from safetynet.core.services import change_log_write, snapshot
from safetynet.payments.models import (
    Correction,
    Entitlement,
    EntitlementEvent,
    EntitlementPart,
)
from safetynet.payments.parameters import funding_json
from safetynet.payments.services._common import (
    CENT,
    EXCLUSIVE,
    E,
    S,
    county_of,
    month_add,
    month_start,
    parse_month,
)


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
        funding=funding or funding_json(program=program, region_code=code, month=month_start(first_month)),
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
