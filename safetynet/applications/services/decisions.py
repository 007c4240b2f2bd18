"""Decisions (审核确认): approve with everything payments need, refuse with written reasons,
stop after a hearing; the county's document number (文号); the letter; notification; the joint
meeting (联席会议/一事一议) whose decisions are applied back to the cases."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.applications import choices as c
from safetynet.applications import deadlines, printing, selectors
from safetynet.applications.models import Case, Decision, EmergencyPayment, JointMeeting, MeetingItem
from safetynet.applications.services._base import (
    actor_ref,
    add_error,
    advance,
    atomic,
    check_step,
    gate,
    load_case,
    number_next,
    raise_if,
    record_event,
    require_text,
    today_or,
)
from safetynet.applications.services.documents import store
from safetynet.core import crypto
from safetynet.core.masking import mask_account
from safetynet.core.permissions import require
from safetynet.core.services import change_log_write, snapshot
from safetynet.registry.models import Membership

logger = logging.getLogger(__name__)
CENT = Decimal("0.01")


@dataclass
class MemberShare:
    """One covered person's own part of the amount (top-ups belong to the member)."""

    person_id: int
    amount: Any = Decimal(0)
    note: str = ""


@dataclass
class ApprovalInput:
    members: list[MemberShare] = field(default_factory=list)
    amount: Any = None  # one-off programs; monthly programs add up the members' parts
    amount_reason: str = ""
    payee_kind: str = ""
    payee_name: str = ""
    payee_account: str = ""
    unstable: bool = False  # unstable income or able-bodied members: reviewed every 6 months
    taper: list[dict] = field(default_factory=list)  # [{"month": "2027-01", "amount": "300.00"}]
    # staged payments of one approval: [{"month": "2026-12", "date": "2026-12-15" (optional), "amount": "2000"}]
    stages: list[dict] = field(default_factory=list)
    # emergency: the standby-fund cash already paid, where the help-first step did not record it
    # {"amount", "paid_on", "receipt_no", "paid_to", "signatures", "reason"}
    standby: dict | None = None
    kind: str = c.DecisionKind.APPROVE  # reviews: continue / increase / decrease
    note: str = ""  # the reasons of a decrease (required there: 社会救助法 第48条)
    legal_basis: str = ""  # the rule a decrease rests on


def _money(errors: dict, key: str, value: Any, label: str, *, positive: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError):
        add_error(errors, key, _("%(l)s必须是金额（元）：%(v)s") % {"l": label, "v": value})
        return Decimal(0)
    if amount < 0 or (positive and amount == 0):
        add_error(
            errors,
            key,
            _("%(l)s必须大于0") % {"l": label} if positive else _("%(l)s不能为负数") % {"l": label},
        )
    return amount


def _month(errors: dict, key: str, value: Any) -> dt.date | None:
    try:
        if isinstance(value, dt.date):
            return value.replace(day=1)
        year, month = str(value)[:7].split("-")
        return dt.date(int(year), int(month), 1)
    except (ValueError, TypeError):
        add_error(errors, key, _("月份格式应为 YYYY-MM：%(v)s") % {"v": value})
        return None


def _schedule(
    errors: dict, key: str, rows: list[dict], *, not_before: dt.date, dates: bool = False
) -> list[dict]:
    """Rows of month and amount (taper, stages); a stage may name its payment date
    ("2026-12-15", in place of or beside the month)."""
    result = []
    for i, row in enumerate(rows):
        day: dt.date | None = None
        raw_date = str(row.get("date") or "").strip()
        raw_month = row.get("month")
        if dates and not raw_date and len(str(raw_month or "").strip()) == 10:
            raw_date = str(raw_month).strip()
        if dates and raw_date:
            try:
                day = dt.date.fromisoformat(raw_date)
            except ValueError:
                add_error(errors, f"{key}.{i}.date", _("日期格式应为 YYYY-MM-DD：%(v)s") % {"v": raw_date})
            raw_month = raw_month or raw_date
        month = _month(errors, f"{key}.{i}.month", raw_month)
        amount = _money(errors, f"{key}.{i}.amount", row.get("amount"), _("第 %(n)s 行金额") % {"n": i + 1})
        if month is not None and month < not_before:
            add_error(
                errors, f"{key}.{i}.month", _("月份不能早于 %(m)s") % {"m": not_before.strftime("%Y-%m")}
            )
        if day is not None and month is not None and day.replace(day=1) != month:
            add_error(errors, f"{key}.{i}.date", _("第 %(n)s 行的日期与月份不一致") % {"n": i + 1})
        entry = {"month": month.strftime("%Y-%m") if month else "", "amount": str(amount)}
        if dates:
            entry["date"] = day.isoformat() if day else ""
        result.append(entry)
    return result


def _standby_rows(case: Case) -> list[dict[str, Any]]:
    """The standby-fund cash paid before the approval (先行救助), as the decision carries it."""
    from safetynet.regions.models import Region

    names = {}
    rows = []
    for p in case.emergency_payments.order_by("paid_on", "id"):
        code = p.township_code or case.township_code
        if code not in names:
            region = Region.objects.filter(code=code).first()
            names[code] = region.name if region else ""
        rows.append(
            {
                "township_code": code,
                "township": names[code],
                "amount": str(p.amount),
                "paid_on": p.paid_on.isoformat(),
                "receipt_no": p.receipt_no,
                "paid_to": p.paid_to,
            }
        )
    return rows


def _standby_input(errors: dict, case: Case, data: dict | None, today: dt.date) -> dict[str, Any] | None:
    """Validate the standby-fund cash given with an emergency approval (when the help-first step
    did not record it)."""
    if not data or not any(str(v or "").strip() for v in data.values()):
        return None
    if case.program != c.Program.TEMPORARY_EMERGENCY:
        add_error(errors, "standby", _("只有急难型临时救助有先行救助（备用金）"))
        return None
    if case.emergency_payments.exists():
        add_error(errors, "standby", _("本个案已登记先行救助，无需重复登记"))
        return None
    amount = _money(errors, "standby.amount", data.get("amount") or "", _("先行救助金额"), positive=True)
    paid_on = data.get("paid_on") or today
    if isinstance(paid_on, str):
        try:
            paid_on = dt.date.fromisoformat(paid_on)
        except ValueError:
            add_error(errors, "standby.paid_on", _("日期格式应为 YYYY-MM-DD：%(v)s") % {"v": paid_on})
            paid_on = today
    if paid_on > today:
        add_error(errors, "standby.paid_on", _("发放日期不能晚于今天"))
    receipt = require_text(
        errors, "standby.receipt_no", data.get("receipt_no", ""), _("请填写先行救助领款凭证号")
    )
    paid_to = require_text(errors, "standby.paid_to", data.get("paid_to", ""), _("请填写先行救助领款人"))
    return {
        "amount": amount,
        "paid_on": paid_on,
        "receipt_no": receipt,
        "paid_to": paid_to,
        "signatures": (data.get("signatures") or paid_to).strip(),
        "reason": (data.get("reason") or _("急难情形，先行救助")).strip(),
    }


def first_payment_month(decided_on: dt.date) -> dt.date:
    """Payment starts the month after the decision (审核确认办法 第21条)."""
    return deadlines.add_months(decided_on.replace(day=1), 1)


def review_months(case: Case, *, unstable: bool, day: dt.date) -> int | None:
    params = deadlines.parameters_for(region_code=case.region_code, program=case.program, day=day)
    key = "workflow.review_months_unstable" if unstable else "workflow.review_months_stable"
    value = params[key].value
    return int(value) if value is not None else None


def approval_defaults(case: Case) -> ApprovalInput:
    """What the approval form starts from: the covered members and amounts of the rules' result
    (each member's own part where the snapshot has it, else an equal split with the remainder on
    the first member), the household's own account as payee."""
    import re

    members = selectors.case_members(case=case)
    by_pk = {m.person_id: m for m in members if m.counted}
    entry = selectors.snapshot_program(case)
    shares: list[MemberShare] = []
    for item in entry.get("members", []) or []:
        if isinstance(item, dict):
            raw = str(item.get("person_id", item.get("member", "")))
            amount = item.get("amount", item.get("monthly_amount", item.get("part")))
            if item.get("eligible") is False:
                continue
        else:
            raw, amount = str(item), None
        digits = re.sub(r"\D", "", raw)
        if digits and int(digits) in by_pk:
            shares.append(MemberShare(int(digits), amount if amount is not None else None))
    if not shares:
        shares = [MemberShare(pk) for pk in by_pk]
    total = case.rules_amount if case.rules_amount is not None else case.proposed_amount
    if shares and any(s.amount is None for s in shares):
        total = total or Decimal(0)
        each = (Decimal(total) / len(shares)).quantize(CENT, rounding="ROUND_DOWN")
        for share in shares:
            share.amount = each
        shares[0].amount = Decimal(total) - each * (len(shares) - 1)
    return ApprovalInput(
        members=shares,
        amount=total,
        payee_kind=c.Payee.HOUSEHOLD if case.program in c.MONTHLY_PROGRAMS | c.ONE_OFF_PROGRAMS else "",
        kind=c.DecisionKind.APPROVE
        if case.kind == c.CaseKind.APPLICATION
        else (case.proposed_kind or c.DecisionKind.CONTINUE),
    )


def _validate_approval(case: Case, data: ApprovalInput, today: dt.date) -> tuple[dict, dict[str, Any]]:
    errors: dict[str, list[str]] = {}
    review = case.kind != c.CaseKind.APPLICATION
    allowed = (
        (c.DecisionKind.CONTINUE, c.DecisionKind.INCREASE, c.DecisionKind.DECREASE)
        if review
        else (c.DecisionKind.APPROVE,)
    )
    if data.kind not in allowed:
        add_error(
            errors,
            "kind",
            _("此处的决定只能是：%(k)s") % {"k": "、".join(str(c.DecisionKind(k).label) for k in allowed)},
        )
    monthly = case.program in c.MONTHLY_PROGRAMS
    one_off = case.program in c.ONE_OFF_PROGRAMS
    current = {
        m.person_id: m.person
        for m in Membership.objects.filter(
            household_id=case.household_id, end_date__isnull=True
        ).select_related("person")
    }
    members: list[dict[str, Any]] = []
    seen: set[int] = set()
    for i, share in enumerate(data.members):
        person = current.get(int(share.person_id))
        if person is None:
            add_error(
                errors, f"members.{i}.person_id", _("第 %(n)s 位保障对象不是本家庭的现有成员") % {"n": i + 1}
            )
            continue
        if person.pk in seen:
            add_error(errors, f"members.{i}.person_id", _("%(n)s 重复列出") % {"n": person.name})
            continue
        seen.add(person.pk)
        part = _money(
            errors, f"members.{i}.amount", share.amount or 0, _("%(n)s 的金额") % {"n": person.name}
        )
        members.append(
            {"person_id": person.pk, "name": person.name, "amount": str(part), "note": share.note.strip()}
        )
    if not members and not one_off:
        add_error(errors, "members", _("请至少确定一名保障对象"))
    amount: Decimal | None
    if monthly:
        amount = sum((Decimal(m["amount"]) for m in members), Decimal(0))
        if members and amount <= 0:
            add_error(errors, "members", _("月保障金额合计必须大于0"))
    elif one_off:
        amount = _money(
            errors,
            "amount",
            data.amount if data.amount not in (None, "") else 0,
            _("救助金额"),
            positive=True,
        )
    else:
        amount = None
    rules_amount = case.rules_amount
    reason = data.amount_reason.strip()
    if amount is not None and rules_amount is not None and amount != rules_amount and not reason:
        add_error(
            errors,
            "amount_reason",
            _("核定金额 %(a)s 元与规则测算结果 %(r)s 元不同，须写明理由") % {"a": amount, "r": rules_amount},
        )
    payee: dict[str, Any] = {
        "payee_kind": "",
        "payee_name": "",
        "payee_account_enc": "",
        "payee_account_masked": "",
    }
    if monthly or one_off:
        if data.payee_kind not in c.Payee.values:
            add_error(errors, "payee_kind", _("请选择收款方（家庭账户、监护人或供养机构）"))
        elif data.payee_kind == c.Payee.HOUSEHOLD:
            if not case.household.account_masked:
                add_error(errors, "payee_kind", _("家庭未登记银行账户，请先在家庭档案中登记或选择其他收款方"))
            payee.update(
                payee_kind=data.payee_kind,
                payee_name=case.household.account_holder or case.household.head_name,
                payee_account_enc=case.household.account_enc,
                payee_account_masked=case.household.account_masked,
            )
        else:
            if data.payee_kind == c.Payee.INSTITUTION and case.program != c.Program.TEKUN:
                add_error(errors, "payee_kind", _("供养机构收款仅适用于特困人员集中供养"))
            name = require_text(errors, "payee_name", data.payee_name, _("请填写收款人或机构名称"))
            account = (data.payee_account or "").replace(" ", "")
            if not account.isdigit():
                add_error(errors, "payee_account", _("请填写收款账号（只能包含数字）"))
            payee.update(
                payee_kind=data.payee_kind,
                payee_name=name,
                payee_account_enc=crypto.encrypt(account) if account else "",
                payee_account_masked=mask_account(account),
            )
    # monthly programs are paid from the month after the decision (审核确认办法 第21条); temporary
    # assistance is paid at once: from the decision's own month
    first = first_payment_month(today) if monthly else (today.replace(day=1) if one_off else None)
    taper = (
        _schedule(errors, "taper", data.taper, not_before=first or today.replace(day=1)) if data.taper else []
    )
    stages = (
        _schedule(errors, "stages", data.stages, not_before=today.replace(day=1), dates=True)
        if data.stages
        else []
    )
    if stages and not one_off:
        add_error(errors, "stages", _("分阶段发放仅适用于临时救助"))
    standby = _standby_input(errors, case, data.standby, today) if one_off else None
    standby_cash: list[dict[str, Any]] = []
    if one_off and amount is not None:
        # 一次审批、分阶段救助: the amount approved includes the standby-fund cash already paid;
        # the stages are what payments still pays, and add up to the rest.
        standby_cash = _standby_rows(case)
        advanced = sum((Decimal(r["amount"]) for r in standby_cash), Decimal(0))
        if standby:
            advanced += standby["amount"]
        rest = amount - advanced
        if rest < 0:
            add_error(
                errors,
                "amount",
                _("救助金额 %(a)s 元少于已先行救助的 %(p)s 元") % {"a": amount, "p": advanced},
            )
        elif stages and sum(Decimal(s["amount"]) for s in stages) != rest:
            add_error(
                errors,
                "stages",
                _("分阶段发放金额合计须等于救助金额 %(a)s 元减去已先行救助的 %(p)s 元，即 %(r)s 元")
                % {"a": amount, "p": advanced, "r": rest},
            )
        elif not stages and rest > 0:
            stages = [{"month": (first or today).strftime("%Y-%m"), "date": "", "amount": str(rest)}]
    next_review = None
    if not one_off:
        months = review_months(case, unstable=data.unstable, day=today)
        if months:
            next_review = deadlines.add_months(first or today, months)
    values = {
        "members": members,
        "amount": amount,
        "rules_amount": rules_amount,
        "amount_reason": reason,
        "first_payment_month": first,
        "taper": taper,
        "stages": stages,
        "standby_cash": standby_cash,
        "next_review_on": next_review,
        **payee,
    }
    if data.kind == c.DecisionKind.DECREASE:
        values["reasons"] = require_text(
            errors,
            "note",
            data.note.strip() or data.amount_reason,
            _("减发须写明理由（将写入减发告知书，社会救助法 第48条）"),
        )
        values["legal_basis"] = data.legal_basis.strip()
    if standby:
        values["_standby"] = standby
    return errors, values


def _issue_letter(case: Case, decision: Decision, *, actor: Any, today: dt.date) -> Decision:
    """Give the decision its 文号 from the county's numbering and render the letter. A missing
    font does not undo the decision: the letter can be issued again (``letter_regenerate``)."""
    if not decision.document_number:
        number = number_next(f"doc:{case.region_code[:6]}", today.year)
        decision.document_number = f"{printing.document_prefix(case.region_code)}〔{today.year}〕{number}号"
        decision.save(update_fields=["document_number"])
    try:
        content = printing.render_letter(case, decision)
    except RuntimeError as exc:  # ChineseFontMissing and the like: infrastructure, not input
        logger.error("decision letter for %s not rendered: %s", case.number, exc)
        return decision
    document = store(
        actor=actor,
        case=case,
        kind=c.DocumentKind.LETTER,
        content=content,
        name=f"{decision.document_number}.pdf",
        title=_("决定书 %(n)s") % {"n": decision.document_number},
    )
    decision.letter = document
    decision.save(update_fields=["letter"])
    return decision


def _decide(
    case: Case,
    step,
    *,
    actor: Any,
    today: dt.date,
    kind: str,
    values: dict[str, Any],
    reason: str,
    expected_version: int | None,
    outcome: str,
    entitlement: bool,
) -> Decision:
    decision = Decision.objects.create(
        case=case, kind=kind, decided_on=today, created_by=actor_ref(actor), **values
    )
    changes: dict[str, Any] = {"outcome": outcome, "entitlement_active": entitlement}
    changes["next_review_on"] = values.get("next_review_on") if entitlement else None
    advance(
        case,
        step,
        actor=actor,
        today=today,
        reason=reason,
        expected_version=expected_version,
        changes=changes,
        data={"decision": decision.pk, "kind": kind},
    )
    if case.predecessor_id and case.kind != c.CaseKind.APPLICATION:
        # the review's decision replaces the entitlement under review
        Case.objects.filter(pk=case.predecessor_id).update(entitlement_active=False)
    change_log_write(actor=actor, action="create", obj=decision, after=snapshot(decision), reason=reason)
    _issue_letter(case, decision, actor=actor, today=today)
    if entitlement and head_died(case):
        # 停旧建新: the head of household died and assistance continues under a new linked case
        continuation_open(case, decision, actor=actor, today=today)
        return decision
    # payments: an approval becomes an entitlement; a review's change becomes its event
    from safetynet.payments.services import entitlement_from_decision

    entitlement_from_decision(actor=actor, decision=decision)
    return decision


def head_died(case: Case) -> bool:
    """A death review whose deceased member was the head of household (户主)."""
    if case.kind != c.CaseKind.DEATH or not case.change_person_id:
        return False
    if case.household.head_id == case.change_person_id:
        return True
    return Membership.objects.filter(
        household_id=case.household_id, person_id=case.change_person_id, relation="self"
    ).exists()


def continuation_open(review: Case, decision: Decision, *, actor: Any, today: dt.date) -> Case:
    """The head of household died and the review continues assistance (domain-rules §11.17):
    the review's entitlement ends, a new case linked to the review carries it on (停旧建新), and
    payments continues the entitlement with each survivor's own part
    (``payments.services.entitlement_continue``)."""
    from safetynet.applications.services._base import open_case_record
    from safetynet.payments.models import Entitlement
    from safetynet.payments.services import entitlement_continue

    number = number_next(f"case:{review.township_code}", today.year)
    successor = Case(
        number=f"AJ{review.township_code[:9]}{today.year}{number:05d}",
        household=review.household,
        region_code=review.region_code,
        township_code=review.township_code,
        program=review.program,
        kind=c.CaseKind.CONTINUATION,
        opened_on=today,
        predecessor=review,
        delegated=review.delegated,
        step_entered_on=today,
        created_by=actor_ref(actor),
    )
    reason = _("户主死亡，停旧建新：延续 %(o)s 的救助（决定 %(d)s）") % {
        "o": review.predecessor.number if review.predecessor else review.number,
        "d": decision.document_number,
    }
    open_case_record(successor, actor=actor, today=today, reason=reason, data={"decision": decision.pk})
    Case.objects.filter(pk=successor.pk).update(
        state=c.State.NOTIFIED,
        outcome=c.Outcome.CONTINUED,
        entitlement_active=True,
        next_review_on=decision.next_review_on,
        closed_at=timezone.now(),
        step_due=None,
        total_due=None,
    )
    Case.objects.filter(pk=review.pk).update(entitlement_active=False, next_review_on=None)
    successor.refresh_from_db()
    change_log_write(actor=actor, action="create", obj=successor, after=snapshot(successor), reason=reason)
    record_event(review, actor=actor, action="continuation", reason=reason, data={"successor": successor.pk})
    prior = (
        Entitlement.objects.filter(case_id=review.predecessor_id).order_by("-id").first()
        if review.predecessor_id
        else None
    )
    if prior is not None:
        month = decision.first_payment_month or first_payment_month(today)
        new = entitlement_continue(
            actor=actor,
            entitlement=prior,
            survivors=[int(m["person_id"]) for m in decision.members],
            month=month,
            reason=str(reason),
            decision=decision,
            household=review.household,
            payee_name=decision.payee_name,
        )
        # the continued entitlement belongs to the new case (its later reviews find it there)
        Entitlement.objects.filter(pk=new.pk).update(case=successor)
    return successor


def case_approve(
    *,
    actor: Any,
    case: Case,
    data: ApprovalInput,
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> Decision:
    """批准 (or, in a review, continue / increase / decrease): covered persons, amount with each
    member's part, first payment month, taper, payee, next review; an amount other than the
    rules' only with a written reason, kept beside the rules' result."""
    today = today_or(today)
    case = load_case(actor, case)
    step = gate(case, "approve", actor)
    errors, values = _validate_approval(case, data, today)
    check_step(step, case, today=today, data={"kind": data.kind}, errors=errors)
    raise_if(errors)
    outcomes: dict[str, str] = {
        c.DecisionKind.APPROVE: c.Outcome.APPROVED,
        c.DecisionKind.CONTINUE: c.Outcome.CONTINUED,
        c.DecisionKind.INCREASE: c.Outcome.INCREASED,
        c.DecisionKind.DECREASE: c.Outcome.DECREASED,
    }
    outcome = outcomes[data.kind]
    if data.kind == c.DecisionKind.DECREASE:
        values["hearing"] = case.hearings.order_by("-id").first()
    standby = values.pop("_standby", None)
    reason = data.note.strip() or str(c.DecisionKind(data.kind).label)
    with atomic():
        if standby:
            payment = EmergencyPayment.objects.create(
                case=case, township_code=case.township_code, created_by=actor_ref(actor), **standby
            )
            change_log_write(
                actor=actor, action="create", obj=payment, after=snapshot(payment), reason="standby cash"
            )
            values["standby_cash"] = _standby_rows(case)
        return _decide(
            case,
            step,
            actor=actor,
            today=today,
            kind=data.kind,
            values=values,
            reason=reason,
            expected_version=expected_version,
            outcome=outcome,
            entitlement=case.program not in c.ONE_OFF_PROGRAMS,
        )


def _failed_rules(case: Case, codes: list[str] | None) -> list[dict[str, str]]:
    tests = selectors.failed_tests(case)
    if codes is not None:
        tests = [t for t in selectors.snapshot_program(case).get("tests", []) if t.get("code") in codes]
    distance = (selectors.snapshot_program(case).get("distance") or {}).get("zh", "")
    return [
        {
            "code": str(t.get("code", "")),
            "label": str(t.get("label_zh", "")),
            "reference": str(t.get("reference", "")),
            "detail": distance if i == 0 else "",
        }
        for i, t in enumerate(tests)
    ]


def case_refuse(
    *,
    actor: Any,
    case: Case,
    reasons: str,
    failed_codes: list[str] | None = None,
    legal_basis: str = "",
    today: dt.date | None = None,
    expected_version: int | None = None,
    meeting_item: MeetingItem | None = None,
) -> Decision:
    """不予批准 with written reasons and the rules that failed (from the snapshot)."""
    today = today_or(today)
    case = load_case(actor, case)
    step = gate(case, "refuse", actor)
    errors: dict[str, list[str]] = {}
    reasons = require_text(errors, "reasons", reasons, _("不予批准须写明理由"))
    known = {t.get("code") for t in selectors.snapshot_program(case).get("tests", [])}
    unknown = [code for code in failed_codes or [] if code not in known]
    if unknown:
        add_error(errors, "failed_codes", _("评估快照中没有这些条件：%(c)s") % {"c": "、".join(unknown)})
    check_step(step, case, today=today, errors=errors, data={"meeting_decision": c.MeetingDecision.REFUSE})
    raise_if(errors)
    values = {
        "reasons": reasons,
        "failed_rules": _failed_rules(case, failed_codes),
        "legal_basis": legal_basis.strip(),
        "rules_amount": case.rules_amount,
        "meeting_item": meeting_item,
    }
    with atomic():
        return _decide(
            case,
            step,
            actor=actor,
            today=today,
            kind=c.DecisionKind.REFUSE,
            values=values,
            reason=reasons,
            expected_version=expected_version,
            outcome=c.Outcome.REFUSED,
            entitlement=False,
        )


def case_stop(
    *,
    actor: Any,
    case: Case,
    reasons: str,
    legal_basis: str = "",
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> Decision:
    """停止救助 after a review: needs the household's hearing on file and a written notice."""
    today = today_or(today)
    case = load_case(actor, case)
    step = gate(case, "stop", actor)
    errors: dict[str, list[str]] = {}
    reasons = require_text(errors, "reasons", reasons, _("停止救助须写明理由"))
    check_step(step, case, today=today, errors=errors)
    raise_if(errors)
    values = {
        "reasons": reasons,
        "failed_rules": _failed_rules(case, None),
        "legal_basis": legal_basis.strip(),
        "rules_amount": case.rules_amount,
        "hearing": case.hearings.order_by("-id").first(),
        "first_payment_month": first_payment_month(today),  # the stop takes effect from next month
    }
    with atomic():
        return _decide(
            case,
            step,
            actor=actor,
            today=today,
            kind=c.DecisionKind.STOP,
            values=values,
            reason=reasons,
            expected_version=expected_version,
            outcome=c.Outcome.STOPPED,
            entitlement=False,
        )


def letter_regenerate(*, actor: Any, case: Case, today: dt.date | None = None) -> Decision:
    """Render the latest decision's letter again (e.g. after the font was installed)."""
    today = today_or(today)
    case = load_case(actor, case)
    decision = case.decisions.order_by("-id").first()
    if decision is None:
        raise ValidationError({"decision": [_("本个案尚无决定")]})
    with atomic():
        return _issue_letter(case, decision, actor=actor, today=decision.decided_on)


def case_notify(
    *,
    actor: Any,
    case: Case,
    delivered_on: dt.date | None = None,
    method: str = "",
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> Case:
    """送达: the letter has been delivered to the household (via the township)."""
    today = today_or(today)
    case = load_case(actor, case)
    step = gate(case, "notify", actor)
    errors: dict[str, list[str]] = {}
    delivered_on = delivered_on or today
    if delivered_on > today:
        add_error(errors, "delivered_on", _("送达日期不能晚于今天"))
    method = require_text(errors, "method", method, _("请填写送达方式（直接送达、留置送达、邮寄等）"))
    check_step(step, case, today=today, errors=errors)
    raise_if(errors)
    with atomic():
        return advance(
            case,
            step,
            actor=actor,
            today=today,
            reason=_("%(d)s %(m)s") % {"d": delivered_on.isoformat(), "m": method},
            expected_version=expected_version,
            data={"delivered_on": delivered_on, "method": method},
        )


# ---- joint meeting (联席会议 / 一事一议) --------------------------------------------------------


def meeting_create(
    *,
    actor: Any,
    title: str,
    held_on: dt.date,
    case_ids: list[int],
    participants: str = "",
) -> JointMeeting:
    """Put the cases referred to the joint meeting on an agenda."""
    require(actor, JointMeeting, "add")
    errors: dict[str, list[str]] = {}
    title = require_text(errors, "title", title, _("请填写会议名称"))
    if not actor.region_id:
        add_error(errors, "title", _("没有所属区划的用户不能召集联席会议"))
    ids = list(dict.fromkeys(int(i) for i in case_ids or []))
    if not ids:
        add_error(errors, "cases", _("议题不能为空：请至少选择一个提交联席会议的个案"))
    candidates = {
        case.pk: case for case in selectors.meeting_agenda_candidates(user=actor).filter(pk__in=ids)
    }
    for pk in ids:
        if pk not in candidates:
            add_error(
                errors,
                "cases",
                _("个案 %(i)s 不在待议个案中（须处于“提交联席会议”环节且不在其他议程上）") % {"i": pk},
            )
    raise_if(errors)
    with atomic():
        meeting = JointMeeting.objects.create(
            region_code=actor.region_id[:6] + "000000",
            title=title,
            held_on=held_on,
            participants=participants.strip(),
            created_by=actor_ref(actor),
        )
        for pk in ids:
            MeetingItem.objects.create(meeting=meeting, case=candidates[pk])
            record_event(
                candidates[pk], actor=actor, action="agenda", reason=title, data={"meeting": meeting.pk}
            )
        change_log_write(
            actor=actor, action="create", obj=meeting, after=snapshot(meeting), reason="joint meeting"
        )
    return meeting


def meeting_record(
    *,
    actor: Any,
    meeting: JointMeeting,
    minutes: str,
    decisions: dict[int, tuple[str, str]],
    participants: str = "",
    today: dt.date | None = None,
) -> JointMeeting:
    """Record the minutes and a decision per case, and apply each back to its case: agreed →
    back to the county's confirmation; refused → refusal with the meeting's reasons; deferred →
    stays referred for the next meeting."""
    require(actor, JointMeeting, "change")
    today = today_or(today)
    meeting = JointMeeting.objects.restrict(actor, "change").get(pk=meeting.pk)
    errors: dict[str, list[str]] = {}
    minutes = require_text(errors, "minutes", minutes, _("请填写会议纪要"))
    if meeting.status != c.MeetingStatus.PLANNED:
        add_error(errors, "meeting", _("该会议已记录"))
    items = list(meeting.items.select_related("case"))
    for item in items:
        decision, note = decisions.get(item.pk, ("", ""))
        if decision not in (c.MeetingDecision.APPROVE, c.MeetingDecision.REFUSE, c.MeetingDecision.DEFER):
            add_error(errors, f"items.{item.pk}", _("请对个案 %(n)s 作出决定") % {"n": item.case.number})
        if decision == c.MeetingDecision.REFUSE and not (note or "").strip():
            add_error(
                errors, f"items.{item.pk}", _("不予救助须写明理由（个案 %(n)s）") % {"n": item.case.number}
            )
    raise_if(errors)
    with atomic():
        meeting.minutes = minutes
        meeting.participants = participants.strip() or meeting.participants
        meeting.status = c.MeetingStatus.HELD
        meeting.save(update_fields=["minutes", "participants", "status"])
        change_log_write(
            actor=actor, action="update", obj=meeting, after={"status": "held"}, reason="minutes"
        )
        for item in items:
            decision, note = decisions[item.pk]
            item.decision, item.note = decision, (note or "").strip()
            item.save(update_fields=["decision", "note"])
            if decision == c.MeetingDecision.APPROVE:
                case = load_case(actor, item.case_id)
                step = gate(case, "meeting_return", actor)
                raise_if(check_step(step, case, today=today))
                advance(
                    case,
                    step,
                    actor=actor,
                    today=today,
                    reason=_("联席会议同意：%(n)s") % {"n": item.note or meeting.title},
                )
            elif decision == c.MeetingDecision.REFUSE:
                case_refuse(actor=actor, case=item.case, reasons=item.note, today=today, meeting_item=item)
            item.applied_at = timezone.now()
            item.save(update_fields=["applied_at"])
    return meeting
