"""The township's steps: authorisation (授权核对), investigation (入户调查、邻里访问、信函索证),
the verification report, the rules assessment, the preliminary opinion (初审意见), community
deliberation (民主评议), hearings, help first (先行救助), extension, termination, and the moves
that need nothing but the table's checks and a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.accounts.roles import Role
from safetynet.applications import choices as c
from safetynet.applications import deadlines, selectors, workflow
from safetynet.applications.models import (
    Authorisation,
    Case,
    Deliberation,
    Document,
    EmergencyPayment,
    Hearing,
    HomeVisit,
    Objection,
    VerificationReport,
)
from safetynet.applications.services._base import (
    actor_ref,
    add_error,
    advance,
    atomic,
    check_step,
    gate,
    load_case,
    raise_if,
    record_event,
    require_text,
    today_or,
)
from safetynet.applications.services.documents import store_upload
from safetynet.core.permissions import require
from safetynet.core.services import change_log_write, snapshot
from safetynet.registry.models import LegalSupporter, Membership, Person


def case_move(
    *,
    actor: Any,
    case: Case,
    action: str,
    reason: str = "",
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> Case:
    """A move that needs only the table's checks and, where the table says so, a reason:
    authorise, investigate, submit for review, complete the paperwork, send back, refer to the
    joint meeting, terminate."""
    today = today_or(today)
    case = load_case(actor, case)
    step = gate(case, action, actor)
    errors: dict[str, list[str]] = {}
    if step.reason_required:
        reason = require_text(errors, "reason", reason, _("“%(a)s”须写明理由") % {"a": step.label})
    check_step(step, case, today=today, errors=errors)
    raise_if(errors)
    changes: dict[str, Any] = {}
    if step.target == c.State.TERMINATED:
        changes["outcome"] = c.Outcome.TERMINATED
    with atomic():
        return advance(
            case,
            step,
            actor=actor,
            today=today,
            reason=reason.strip(),
            expected_version=expected_version,
            changes=changes,
            data={"day": today},  # the day of the move (the termination notice runs from it)
        )


# ---- authorisation ------------------------------------------------------------------------------


def authorisation_record(
    *,
    actor: Any,
    case: Case,
    person: Person,
    signed_by: Person,
    role: str,
    scope: list[str],
    purpose: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    esign_record: str = "",
    upload: Any = None,
    upload_name: str = "",
    today: dt.date | None = None,
) -> Authorisation:
    """Record one person's verification authorisation with its scan or e-signature record."""
    require(actor, Authorisation, "add")
    today = today_or(today)
    case = load_case(actor, case, "view")
    household = case.household
    errors: dict[str, list[str]] = {}
    members = {
        m.person_id: m.person
        for m in Membership.objects.filter(household=household, end_date__isnull=True).select_related(
            "person"
        )
    }
    supporters = set(
        LegalSupporter.objects.filter(household=household, end_date__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    if role not in c.AuthRole.values:
        add_error(errors, "role", _("签署身份无效：%(v)s") % {"v": role})
    is_member = person.pk in members
    if role == c.AuthRole.SUPPORTER:
        if person.pk not in supporters:
            add_error(errors, "person", _("%(n)s 不是本家庭登记的法定义务人") % {"n": person.name})
        if signed_by.pk != person.pk:
            add_error(errors, "signed_by", _("法定义务人须本人签署同意（不能由他人代签）"))
    elif not is_member:
        add_error(errors, "person", _("%(n)s 不是本家庭的现有成员") % {"n": person.name})
    else:
        age = person.age_on(today)
        minor = age is not None and age < selectors.ADULT_AGE
        if role == c.AuthRole.SELF:
            if signed_by.pk != person.pk:
                add_error(errors, "signed_by", _("成年人须本人签署核对授权"))
            if minor:
                add_error(errors, "role", _("%(n)s 未成年，须由监护人签署") % {"n": person.name})
        if role == c.AuthRole.GUARDIAN:
            if not minor:
                add_error(errors, "role", _("%(n)s 已成年，须本人签署") % {"n": person.name})
            if signed_by.pk == person.pk:
                add_error(errors, "signed_by", _("监护人不能是未成年人本人"))
            signer_age = signed_by.age_on(today)
            if signer_age is not None and signer_age < selectors.ADULT_AGE:
                add_error(errors, "signed_by", _("监护人须为成年人"))
    scope = list(dict.fromkeys(scope or []))
    if not scope:
        add_error(errors, "scope", _("请勾选授权核对的事项"))
    bad = [s for s in scope if s not in c.DataItem.values]
    if bad:
        add_error(errors, "scope", _("未知的核对事项：%(v)s") % {"v": "、".join(bad)})
    purpose = require_text(errors, "purpose", purpose, _("请填写授权用途"))
    if valid_to is not None and valid_to < valid_from:
        add_error(errors, "valid_to", _("有效期至不能早于有效期自"))
    if upload is None and not esign_record.strip():
        add_error(errors, "upload", _("请上传签字的授权书扫描件，或填写电子签名记录编号"))
    raise_if(errors)
    with atomic():
        document = store_upload(
            actor=actor,
            case=case,
            kind=c.DocumentKind.AUTHORISATION,
            upload=upload,
            name=upload_name,
            title=_("核对授权书：%(n)s") % {"n": person.name},
        )
        auth = Authorisation.objects.create(
            household=household,
            application=case.application,
            region_code=case.region_code,
            person=person,
            signed_by=signed_by,
            role=role,
            scope=scope,
            purpose=purpose,
            valid_from=valid_from,
            valid_to=valid_to,
            document=document,
            esign_record=esign_record.strip(),
            created_by=actor_ref(actor),
        )
        change_log_write(actor=actor, action="create", obj=auth, after=snapshot(auth), reason="authorisation")
    return auth


# ---- investigation and verification -------------------------------------------------------------


def visit_record(
    *,
    actor: Any,
    case: Case,
    kind: str,
    visited_on: dt.date,
    investigators: list[str],
    findings: str,
    family_signatures: list[str] | None = None,
    remote: bool = False,
    remote_reason: str = "",
    by_county: bool = False,
    neighbours: str = "",
    upload: Any = None,
    today: dt.date | None = None,
) -> HomeVisit:
    """A home visit (≥2 investigators, signed by the family members present; remote only with a
    reason), a neighbour visit or written evidence."""
    require(actor, HomeVisit, "add")
    today = today_or(today)
    case = load_case(actor, case, "view")
    errors: dict[str, list[str]] = {}
    if case.closed_at is not None:
        add_error(errors, "case", _("个案已办结，不能再记录调查"))
    if kind not in c.VisitKind.values:
        add_error(errors, "kind", _("调查方式无效：%(v)s") % {"v": kind})
    names = [n.strip() for n in investigators if n and n.strip()]
    signatures = [n.strip() for n in (family_signatures or []) if n and n.strip()]
    if kind == c.VisitKind.HOME:
        if len(set(names)) < 2:
            add_error(
                errors,
                "investigators",
                _("入户调查须至少两名调查人员（现有 %(n)s 名）") % {"n": len(set(names))},
            )
        if remote:
            require_text(
                errors, "remote_reason", remote_reason, _("远程调查须注明原因（如重大突发事件期间）")
            )
        elif not signatures:
            add_error(errors, "family_signatures", _("入户调查表须有在场家庭成员签字"))
    elif not names:
        add_error(errors, "investigators", _("请填写调查人员"))
    if kind == c.VisitKind.NEIGHBOUR and not neighbours.strip():
        add_error(errors, "neighbours", _("邻里访问须写明走访对象"))
    if by_county and getattr(actor, "role", "") != Role.COUNTY_OFFICER:
        add_error(errors, "by_county", _("县级入户核查须由县级民政部门人员记录"))
    if visited_on > today:
        add_error(errors, "visited_on", _("调查日期不能晚于今天"))
    findings = require_text(errors, "findings", findings, _("请填写调查情况"))
    raise_if(errors)
    with atomic():
        document = store_upload(
            actor=actor,
            case=case,
            kind=c.DocumentKind.VISIT,
            upload=upload,
        )
        visit = HomeVisit.objects.create(
            case=case,
            kind=kind,
            visited_on=visited_on,
            investigators=names,
            family_signatures=signatures,
            remote=remote,
            remote_reason=remote_reason.strip() if remote else "",
            by_county=by_county,
            neighbours=neighbours.strip(),
            findings=findings,
            document=document,
            created_by=actor_ref(actor),
        )
        change_log_write(actor=actor, action="create", obj=visit, after=snapshot(visit), reason="visit")
    return visit


def verification_attach(
    *,
    actor: Any,
    case: Case,
    issuer: str,
    received_on: dt.date,
    summary: str,
    upload: Any = None,
    document: Document | None = None,
    report_number: str = "",
    concerns: bool = False,
    today: dt.date | None = None,
) -> VerificationReport:
    """Attach the verification report received from the verification centre (recorded as
    such: ``source = centre``) until the verification hub sends its own."""
    require(actor, VerificationReport, "add")
    today = today_or(today)
    case = load_case(actor, case, "view")
    errors: dict[str, list[str]] = {}
    issuer = require_text(errors, "issuer", issuer, _("请填写出具报告的核对机构"))
    summary = require_text(errors, "summary", summary, _("请填写核对结果摘要"))
    if received_on > today:
        add_error(errors, "received_on", _("收到日期不能晚于今天"))
    if upload is None and document is None:
        add_error(errors, "upload", _("请上传核对报告（PDF 或扫描件）"))
    if document is not None and document.case_id != case.pk:
        add_error(errors, "document", _("该文件不属于本个案"))
    if case.closed_at is not None:
        add_error(errors, "case", _("个案已办结"))
    raise_if(errors)
    with atomic():
        if document is None:
            document = store_upload(
                actor=actor,
                case=case,
                kind=c.DocumentKind.VERIFICATION,
                upload=upload,
                title=_("核对报告 %(n)s") % {"n": report_number} if report_number else "",
            )
        assert document is not None  # either a document or an upload, checked above
        report = VerificationReport.objects.create(
            case=case,
            source="centre",
            report_number=report_number.strip(),
            issuer=issuer,
            received_on=received_on,
            summary=summary,
            concerns=concerns,
            document=document,
            created_by=actor_ref(actor),
        )
        change_log_write(
            actor=actor,
            action="create",
            obj=report,
            after=snapshot(report),
            reason="verification report (centre)",
        )
    return report


def _program_result(outputs: dict, program: str) -> tuple[bool | None, Decimal | None]:
    entry = selectors.program_entry(outputs, program)
    eligible = entry.get("eligible")
    raw = entry.get("monthly_amount", entry.get("amount"))
    try:
        amount = Decimal(str(raw)).quantize(Decimal("0.01")) if raw not in (None, "") else None
    except (InvalidOperation, ValueError):
        amount = None
    return (bool(eligible) if eligible is not None else None), amount


def case_assess(
    *, actor: Any, case: Case, today: dt.date | None = None, expected_version: int | None = None
) -> Case:
    """The investigation is complete: run the rules engine for the household and attach its
    result and explanation to the case as a decision snapshot."""
    from safetynet.eligibility import services as eligibility_services

    today = today_or(today)
    case = load_case(actor, case)
    step = gate(case, "assess", actor)
    raise_if(check_step(step, case, today=today))
    snapshot_create = getattr(eligibility_services, "snapshot_create", None)
    if snapshot_create is None:
        raise ValidationError(
            {"snapshot": [_("规则评估服务尚未就绪（eligibility.services.snapshot_create）")]}
        )
    from openfisca_cn_assistance.situation import SituationError

    from safetynet.eligibility.selectors import MissingStandard

    with atomic():
        try:
            snap = snapshot_create(
                actor=actor,
                household=case.household,
                month=today.replace(day=1),
                purpose=f"case {case.number}",
            )
        except MissingStandard as exc:
            raise ValidationError({"snapshot": [exc.message]}) from None
        except SituationError as exc:
            raise ValidationError(
                {
                    "snapshot": [
                        _("家庭数据不完整，无法评估：%(e)s")
                        % {"e": "；".join(e["message"] for e in exc.errors)}
                    ]
                }
            ) from None
        eligible, amount = _program_result(snap.outputs or {}, case.program)
        return advance(
            case,
            step,
            actor=actor,
            today=today,
            reason=_("规则评估：%(r)s") % {"r": _("符合") if eligible else _("不符合")},
            expected_version=expected_version,
            changes={"snapshot": snap, "rules_eligible": eligible, "rules_amount": amount},
            data={
                "snapshot": snap.pk,
                "eligible": eligible,
                "amount": str(amount) if amount is not None else None,
            },
        )


def case_propose(
    *,
    actor: Any,
    case: Case,
    eligible: bool | None,
    opinion: str,
    amount: Any = None,
    proposed_kind: str = "",
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> Case:
    """初审意见 (or a review's proposal): eligible or not, why, and the proposed amount."""
    today = today_or(today)
    case = load_case(actor, case)
    step = gate(case, "propose", actor)
    errors: dict[str, list[str]] = {}
    opinion = require_text(errors, "opinion", opinion, _("请填写初审意见"))
    review = case.kind != c.CaseKind.APPLICATION
    if review:
        if proposed_kind not in (
            c.DecisionKind.CONTINUE,
            c.DecisionKind.INCREASE,
            c.DecisionKind.DECREASE,
            c.DecisionKind.STOP,
        ):
            add_error(errors, "proposed_kind", _("复核意见须为维持、增发、减发或停止"))
        eligible = proposed_kind != c.DecisionKind.STOP
    elif eligible is None:
        add_error(errors, "eligible", _("请选择是否符合条件"))
    value: Decimal | None = None
    if amount not in (None, ""):
        try:
            value = Decimal(str(amount)).quantize(Decimal("0.01"))
            if value < 0:
                add_error(errors, "amount", _("金额不能为负数"))
        except (InvalidOperation, ValueError):
            add_error(errors, "amount", _("金额必须是数字：%(v)s") % {"v": amount})
    elif eligible and case.program in c.MONTHLY_PROGRAMS | c.ONE_OFF_PROGRAMS:
        value = case.rules_amount
        if value is None:
            add_error(errors, "amount", _("请填写拟救助金额"))
    check_step(step, case, today=today, errors=errors, data={"kind": proposed_kind})
    # the check reads the case as stored; the proposal being made now counts
    if review and proposed_kind:
        errors.pop("proposal_recorded", None)
    raise_if(errors)
    changes = {
        "opinion_text": opinion,
        "opinion_eligible": bool(eligible),
        "proposed_amount": value if eligible else None,
        "proposed_kind": proposed_kind,
    }
    with atomic():
        return advance(
            case,
            step,
            actor=actor,
            today=today,
            reason=opinion,
            expected_version=expected_version,
            changes=changes,
            data={"eligible": bool(eligible), "amount": str(value) if value is not None else None},
        )


# ---- objections: deliberation or re-investigation -------------------------------------------------


def _handle_objections(case: Case, handling: str, note: str) -> None:
    Objection.objects.filter(line__case=case, handling="").update(
        handling=handling, handling_note=note, handled_at=timezone.now()
    )


def deliberation_record(
    *,
    actor: Any,
    case: Case,
    held_on: dt.date,
    participants: int,
    representatives: int,
    votes_for: int,
    votes_against: int,
    abstentions: int = 0,
    minutes: str = "",
    today: dt.date | None = None,
) -> Deliberation:
    """民主评议 after an objection: participants, residents' representatives, the vote."""
    require(actor, Deliberation, "add")
    today = today_or(today)
    case = load_case(actor, case, "view")
    errors: dict[str, list[str]] = {}
    if case.state != c.State.OBJECTION:
        add_error(errors, "case", _("只有公示有异议的个案才需要民主评议"))
    if participants <= 0:
        add_error(errors, "participants", _("参加人数必须大于0"))
    if representatives > participants:
        add_error(errors, "representatives", _("居民代表人数不能多于参加人数"))
    if votes_for + votes_against + abstentions > participants:
        add_error(errors, "votes_for", _("赞成、反对、弃权合计不能多于参加人数"))
    if held_on > today:
        add_error(errors, "held_on", _("评议日期不能晚于今天"))
    minutes = require_text(errors, "minutes", minutes, _("请填写评议记录"))
    raise_if(errors)
    with atomic():
        row = Deliberation.objects.create(
            case=case,
            held_on=held_on,
            participants=participants,
            representatives=representatives,
            votes_for=votes_for,
            votes_against=votes_against,
            abstentions=abstentions,
            minutes=minutes,
            created_by=actor_ref(actor),
        )
        change_log_write(actor=actor, action="create", obj=row, after=snapshot(row), reason="deliberation")
    return row


def case_deliberate(
    *,
    actor: Any,
    case: Case,
    reason: str = "",
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> Case:
    """After the deliberation, back to a new preliminary opinion (then a new notice)."""
    today = today_or(today)
    case = load_case(actor, case)
    step = gate(case, "deliberate", actor)
    raise_if(check_step(step, case, today=today))
    with atomic():
        _handle_objections(case, c.ObjectionHandling.DELIBERATION, reason)
        return advance(
            case,
            step,
            actor=actor,
            today=today,
            reason=reason or _("民主评议"),
            expected_version=expected_version,
            changes={"opinion_text": "", "opinion_eligible": None},
        )


def case_reinvestigate(
    *, actor: Any, case: Case, reason: str, today: dt.date | None = None, expected_version: int | None = None
) -> Case:
    today = today_or(today)
    case = load_case(actor, case)
    step = gate(case, "reinvestigate", actor)
    errors: dict[str, list[str]] = {}
    reason = require_text(errors, "reason", reason, _("请说明重新调查的事项"))
    raise_if(errors)
    with atomic():
        _handle_objections(case, c.ObjectionHandling.REINVESTIGATE, reason)
        return advance(case, step, actor=actor, today=today, reason=reason, expected_version=expected_version)


# ---- hearings (陈述申辩) ------------------------------------------------------------------------


def hearing_record(
    *,
    actor: Any,
    case: Case,
    held_on: dt.date,
    attendees: str,
    statement: str,
    upload: Any = None,
    today: dt.date | None = None,
) -> Hearing:
    """The household's opinion heard before a decrease or a stop (社会救助法 第48条)."""
    require(actor, Hearing, "add")
    today = today_or(today)
    case = load_case(actor, case, "view")
    errors: dict[str, list[str]] = {}
    attendees = require_text(errors, "attendees", attendees, _("请填写参加人员"))
    statement = require_text(
        errors, "statement", statement, _("请记录家庭的陈述和申辩意见（未到场的写明情况）")
    )
    if held_on > today:
        add_error(errors, "held_on", _("日期不能晚于今天"))
    if case.closed_at is not None:
        add_error(errors, "case", _("个案已办结"))
    raise_if(errors)
    with atomic():
        document = store_upload(
            actor=actor,
            case=case,
            kind=c.DocumentKind.HEARING,
            upload=upload,
        )
        row = Hearing.objects.create(
            case=case,
            held_on=held_on,
            attendees=attendees,
            statement=statement,
            document=document,
            created_by=actor_ref(actor),
        )
        change_log_write(actor=actor, action="create", obj=row, after=snapshot(row), reason="hearing")
    return row


# ---- emergency: help first (先行救助) ---------------------------------------------------------


def case_help_first(
    *,
    actor: Any,
    case: Case,
    amount: Any,
    paid_to: str,
    signatures: str,
    reason: str,
    receipt_no: str = "",
    paid_on: dt.date | None = None,
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> Case:
    """Emergency temporary assistance: pay at once from the township's standby fund (township,
    amount, date, receipt), complete the paperwork after (its own deadline)."""
    today = today_or(today)
    case = load_case(actor, case)
    step = gate(case, "help_first", actor)
    errors: dict[str, list[str]] = {}
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
        if value <= 0:
            add_error(errors, "amount", _("先行救助金额必须大于0"))
    except (InvalidOperation, ValueError):
        add_error(errors, "amount", _("金额必须是数字：%(v)s") % {"v": amount})
        value = Decimal(0)
    paid_to = require_text(errors, "paid_to", paid_to, _("请填写领款人"))
    signatures = require_text(errors, "signatures", signatures, _("请填写经办人和领款人签字情况"))
    reason = require_text(errors, "reason", reason, _("请写明急难事由"))
    receipt_no = require_text(errors, "receipt_no", receipt_no, _("请填写领款凭证号（备用金支出凭证）"))
    paid_on = paid_on or today
    if paid_on > today:
        add_error(errors, "paid_on", _("发放日期不能晚于今天"))
    raise_if(errors)
    params = deadlines.parameters_for(region_code=case.region_code, program=case.program, day=today)
    with atomic():
        row = EmergencyPayment.objects.create(
            case=case,
            amount=value,
            paid_on=paid_on,
            paid_to=paid_to,
            signatures=signatures,
            reason=reason,
            township_code=case.township_code,
            receipt_no=receipt_no,
            created_by=actor_ref(actor),
        )
        change_log_write(actor=actor, action="create", obj=row, after=snapshot(row), reason="help first")
        return advance(
            case,
            step,
            actor=actor,
            today=today,
            reason=_("先行救助 %(a)s 元（乡镇临时救助备用金）：%(r)s") % {"a": value, "r": reason},
            expected_version=expected_version,
            changes={"delegated": deadlines.is_delegated(params)},
            data={"amount": str(value)},
        )


# ---- extension, assignment ---------------------------------------------------------------------


def case_extend(*, actor: Any, case: Case, reason_code: str, note: str, today: dt.date | None = None) -> Case:
    """Extend the total limit to 45 working days, with the ground and a written reason."""
    today = today_or(today)
    case = load_case(actor, case)
    if getattr(actor, "role", "") not in (Role.CASEWORKER, Role.COUNTY_OFFICER):
        raise PermissionDenied(_("延期须由经办人员或县级审核人员办理"))
    errors: dict[str, list[str]] = {}
    if case.kind != c.CaseKind.APPLICATION or case.clock_start is None:
        add_error(errors, "case", _("只有已受理的申请个案可以延期"))
    if case.closed_at is not None or case.state in (c.State.APPROVED, c.State.REFUSED):
        add_error(errors, "case", _("已作出决定或已办结的个案不能延期"))
    if case.extended:
        add_error(errors, "case", _("该个案已延期，不能再次延期"))
    if reason_code not in c.ExtensionReason.values:
        add_error(errors, "reason_code", _("请选择延期事由（异议、人户分离、异地申请或情况复杂）"))
    note = require_text(errors, "note", note, _("请写明延期理由"))
    raise_if(errors)
    case.extended = True
    params = deadlines.parameters_for(region_code=case.region_code, program=case.program, day=today)
    step = workflow.Step("extend", case.state, case.state, frozenset(), "", limit=case.step_limit or None)
    due = deadlines.due_for(case, case.state, step.limit, case.step_entered_on, params)
    with atomic():
        updated = Case.objects.filter(pk=case.pk, version=case.version, extended=False).update(
            extended=True,
            extension_reason=reason_code,
            extension_note=note,
            total_due=due.total.due if due.total else None,
            total_due_provisional=bool(due.total and due.total.provisional),
            step_due=due.step.due if due.step else None,
            step_due_provisional=bool(due.step and due.step.provisional),
            version=case.version + 1,
        )
        if updated != 1:
            raise ValidationError({"state": [_("个案已被他人处理，请刷新后重试")]})
        case.refresh_from_db()
        record_event(
            case,
            actor=actor,
            action="extend",
            reason=_("延期至45个工作日（%(r)s）：%(n)s")
            % {"r": c.ExtensionReason(reason_code).label, "n": note},
            data={"total_due": case.total_due},
        )
        change_log_write(
            actor=actor,
            action="update",
            obj=case,
            after={"extended": True, "extension_reason": reason_code, "total_due": case.total_due},
            reason=note,
        )
    return case


def case_assign(*, actor: Any, case: Case, user: Any) -> Case:
    """Give a case to a caseworker (my tasks)."""
    case = load_case(actor, case)
    if user is not None:
        from safetynet.core.permissions import region_bounds

        low, high = region_bounds(user.region_id) if user.region_id else ("", "")
        if not user.region_id or not (low <= case.region_code <= high):
            raise ValidationError({"user": [_("%(u)s 的管辖范围不包含本个案") % {"u": user}]})
    with atomic():
        Case.objects.filter(pk=case.pk).update(assigned_to=user)
        case.refresh_from_db()
        record_event(case, actor=actor, action="assign", reason=str(user or "—"))
        change_log_write(
            actor=actor, action="update", obj=case, after={"assigned_to": getattr(user, "pk", None)}
        )
    return case
