"""Intake (一门受理): applications at the window, from a coordinator's discovery report, through
the API, and leads (线索) from monitoring; acceptance, return for missing materials (一次性告知),
non-acceptance; the conflict-of-interest flag and the staff's declarations of relatives."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safetynet.accounts.roles import Role
from safetynet.applications import choices as c
from safetynet.applications import deadlines, selectors, workflow
from safetynet.applications.models import Application, Case, Lead, StaffRelative
from safetynet.applications.services._base import (
    actor_ref,
    add_error,
    advance,
    atomic,
    check_step,
    gate,
    load_case,
    number_next,
    open_case_record,
    raise_if,
    record_event,
    require_text,
    today_or,
)
from safetynet.core import crypto
from safetynet.core.idnumbers import IdentityError, IdKind, parse_identity
from safetynet.core.masking import mask_id_number
from safetynet.core.permissions import region_bounds, require
from safetynet.core.services import change_log_write, snapshot
from safetynet.registry.models import Household, Membership, Person

# The materials an application may list (告知承诺制: what the government's own platforms hold
# is not asked for, domain-rules §2.2). Lazy: the labels follow the language of each request.
MATERIALS = {
    "application_form": gettext_lazy("救助申请书"),
    "id_cards": gettext_lazy("家庭成员身份证件"),
    "hukou": gettext_lazy("户口簿"),
    "income": gettext_lazy("收入情况说明或证明"),
    "disability": gettext_lazy("残疾证（如有）"),
    "illness": gettext_lazy("疾病诊断证明（如有）"),
    "expenses": gettext_lazy("刚性支出票据（如有）"),
    "power_of_attorney": gettext_lazy("代办委托书（代办时）"),
    "emergency": gettext_lazy("急难情况说明"),
}


@dataclass
class ApplicationInput:
    """What the window form, a coordinator or an API caller says about an application."""

    household_id: int
    applicant_id: int
    programs: list[str]
    channel: str = c.Channel.WINDOW
    proxy_kind: str = ""
    proxy_name: str = ""
    proxy_relation: str = ""
    commitment_signed: bool = False
    materials: list[str] = field(default_factory=list)
    note: str = ""
    submitted_on: dt.date | None = None


def _township(code: str) -> str:
    return code[:9] + "000"


def _county(code: str) -> str:
    return code[:6] + "000000"


def _validate_application(actor: Any, data: ApplicationInput, household: Household, today: dt.date) -> dict:
    errors: dict[str, list[str]] = {}
    programs = list(dict.fromkeys(data.programs or []))
    if not programs:
        add_error(errors, "programs", _("请至少选择一个救助项目"))
    for program in programs:
        if program not in c.Program.values:
            add_error(errors, "programs", _("“%(p)s”不是可申请的救助项目") % {"p": program})
    if data.channel not in c.Channel.values:
        add_error(errors, "channel", _("受理渠道无效：%(v)s") % {"v": data.channel})
    if data.proxy_kind not in c.ProxyKind.values:
        add_error(errors, "proxy_kind", _("代办方式无效：%(v)s") % {"v": data.proxy_kind})
    elif data.proxy_kind in (c.ProxyKind.COMMITTEE, c.ProxyKind.RELATIVE):
        require_text(errors, "proxy_name", data.proxy_name, _("代为申请时须填写代办人或代办单位"))
        if data.proxy_kind == c.ProxyKind.RELATIVE:
            require_text(errors, "proxy_relation", data.proxy_relation, _("请填写代办人与申请人的关系"))
    if data.channel == c.Channel.SELF and getattr(actor, "role", "") != Role.RESIDENT:
        add_error(errors, "channel", _("“群众自助申请”只能由群众本人在网上提交"))
    if getattr(actor, "role", "") == Role.COORDINATOR and data.channel == c.Channel.WINDOW:
        add_error(errors, "channel", _("协理员提交的申请应为“协理员发现报告转申请”或“监测线索转申请”"))
    for item in data.materials:
        if item not in MATERIALS:
            add_error(errors, "materials", _("未知的材料：%(m)s") % {"m": item})
    submitted = data.submitted_on or today
    if submitted > today:
        add_error(errors, "submitted_on", _("申请日期不能晚于今天"))
    member = Membership.objects.filter(
        household=household, person_id=data.applicant_id, end_date__isnull=True
    ).first()
    if member is None:
        add_error(errors, "applicant_id", _("申请人必须是该家庭的现有成员"))
    if household.status != Household.Status.ACTIVE:
        add_error(errors, "household_id", _("家庭档案 %(n)s 已注销，不能申请") % {"n": household.number})
    busy = (
        Case.objects.filter(household=household, program__in=programs)
        .filter(closed_at__isnull=True, kind=c.CaseKind.APPLICATION)
        .values_list("program", "number")
    )
    for program, number in busy:
        add_error(
            errors,
            "programs",
            _("该家庭已有正在办理的%(p)s申请（个案 %(n)s），不能重复申请")
            % {"p": c.Program(program).label, "n": number},
        )
    active = Case.objects.filter(
        household=household, program__in=programs, entitlement_active=True
    ).values_list("program", flat=True)
    for program in active:
        add_error(
            errors,
            "programs",
            _("该家庭正在享受%(p)s，情况变化请办理变更复核") % {"p": c.Program(program).label},
        )
    return errors


def _flag_conflicts(case: Case, *, actor: Any, today: dt.date) -> None:
    """Near relatives of staff → flag, register separately (单独登记备案), require a county
    home visit before confirmation (审核确认办法 第20条)."""
    found = selectors.conflicts_for(household=case.household)
    if not found or case.conflict_flag:
        return
    number = number_next(f"sep:{_county(case.region_code)}", today.year)
    case.conflict_flag = True
    case.conflict_detail = [f.as_dict() for f in found]
    case.separately_registered_on = today
    case.separate_register_no = _("备案〔%(y)s〕%(n)s号") % {"y": today.year, "n": number}
    case.save(
        update_fields=["conflict_flag", "conflict_detail", "separately_registered_on", "separate_register_no"]
    )
    record_event(
        case,
        actor=actor,
        action="conflict_flag",
        reason=_("家庭成员系工作人员或村（居）委会成员近亲属，单独登记备案 %(n)s")
        % {"n": case.separate_register_no},
        data={"conflicts": case.conflict_detail},
    )
    change_log_write(
        actor=actor,
        action="update",
        obj=case,
        after={"conflict_flag": True, "separate_register_no": case.separate_register_no},
        reason="conflict of interest registered separately",
    )


def _open_cases(application: Application, *, actor: Any, today: dt.date, reason: str) -> list[Case]:
    cases = []
    township = _township(application.region_code)
    for program in application.programs:
        number = number_next(f"case:{township}", today.year)
        case = Case(
            number=f"AJ{township[:9]}{today.year}{number:05d}",
            application=application,
            household=application.household,
            region_code=application.region_code,
            township_code=township,
            program=program,
            kind=c.CaseKind.APPLICATION,
            opened_on=application.submitted_on,
            step_entered_on=today,
            created_by=actor_ref(actor),
        )
        if workflow.procedure_of(program, case.kind) == workflow.EMERGENCY:
            case.clock_start = application.submitted_on  # the decision limit runs from the application
        open_case_record(case, actor=actor, today=today, reason=reason, data={"channel": application.channel})
        change_log_write(actor=actor, action="create", obj=case, after=snapshot(case), reason=reason)
        _flag_conflicts(case, actor=actor, today=today)
        cases.append(case)
    return cases


def application_submit(
    *, actor: Any, data: ApplicationInput, today: dt.date | None = None, lead: Lead | None = None
) -> Application:
    """Register an application (一门受理): one record for the household, one case per program."""
    require(actor, Application, "add")
    today = today_or(today)
    household = Household.objects.restrict(actor, "view").get(pk=data.household_id)
    errors = _validate_application(actor, data, household, today)
    raise_if(errors)
    return _register(actor, data, household, today=today, lead=lead)


# Programs a resident may ask for on their own (all of them: one application, several programs).
SELF_PROGRAMS = tuple(c.Program.values)


def application_self_submit(
    *,
    actor: Any,
    programs: list[str],
    commitment_signed: bool,
    note: str = "",
    applicant_id: int | None = None,
    today: dt.date | None = None,
) -> Application:
    """A signed-in resident applies for their own household (web page or API): the same
    application record and cases as window intake (channel ``self``), landing in the township's
    worklist as "已提交待受理". The applicant is the resident's own person record (or, for a
    resident account without one, the member they name); the commitment must be signed."""
    if getattr(actor, "role", "") != Role.RESIDENT:
        raise PermissionDenied(_("只有群众本人账户可以自助申请；工作人员请使用窗口受理"))
    if not actor.household_id:
        raise PermissionDenied(_("您的账户尚未关联家庭档案，请到乡镇（街道）窗口申请"))
    today = today_or(today)
    household = Household.objects.restrict(actor, "view").get(pk=actor.household_id)
    errors: dict[str, list[str]] = {}
    person_id = getattr(actor, "person_id", None) or applicant_id
    if person_id is None:
        person_id = household.head_id
    if not commitment_signed:
        add_error(errors, "commitment_signed", _("请阅读并勾选承诺：如实申报家庭情况，配合调查核实"))
    data = ApplicationInput(
        household_id=household.pk,
        applicant_id=int(person_id or 0),
        programs=list(programs or []),
        channel=c.Channel.SELF,
        commitment_signed=bool(commitment_signed),
        materials=["application_form"],
        note=(note or "").strip(),
    )
    for key, messages in _validate_application(actor, data, household, today).items():
        for message in messages:
            add_error(errors, key, message)
    raise_if(errors)
    return _register(actor, data, household, today=today, lead=None)


def _register(
    actor: Any, data: ApplicationInput, household: Household, *, today: dt.date, lead: Lead | None
) -> Application:
    proxy_user = actor_ref(actor) if data.proxy_kind == c.ProxyKind.COORDINATOR else None
    with atomic():
        number = number_next(f"app:{_township(household.region_code)}", today.year)
        application = Application(
            number=f"SQ{household.region_code[:9]}{today.year}{number:05d}",
            household=household,
            region_code=household.region_code,
            applicant_id=data.applicant_id,
            programs=list(dict.fromkeys(data.programs)),
            channel=data.channel,
            proxy_kind=data.proxy_kind,
            proxy_name=(data.proxy_name or (str(actor) if proxy_user else "")).strip(),
            proxy_relation=data.proxy_relation.strip(),
            proxy_user=proxy_user,
            lead=lead,
            submitted_on=data.submitted_on or today,
            commitment_signed=data.commitment_signed,
            materials=list(dict.fromkeys(data.materials)),
            note=data.note.strip(),
            created_by=actor_ref(actor),
        )
        application.save()
        change_log_write(
            actor=actor, action="create", obj=application, after=snapshot(application), reason="application"
        )
        reason = str(c.Channel(data.channel).label)
        if data.proxy_kind:
            reason += _("（%(k)s：%(n)s）") % {
                "k": c.ProxyKind(data.proxy_kind).label,
                "n": application.proxy_name,
            }
        _open_cases(application, actor=actor, today=today, reason=reason)
    return application


# ---- acceptance ---------------------------------------------------------------------------------


def case_accept(
    *, actor: Any, case: Case, today: dt.date | None = None, expected_version: int | None = None
) -> Case:
    """受理: the materials are complete and the commitment signed. The total limit starts here;
    whether the county has delegated confirmation to the township is fixed now."""
    today = today_or(today)
    case = load_case(actor, case)
    step = gate(case, "accept", actor)
    raise_if(check_step(step, case, today=today))
    params = deadlines.parameters_for(region_code=case.region_code, program=case.program, day=today)
    changes: dict[str, Any] = {"delegated": deadlines.is_delegated(params)}
    if workflow.procedure_of(case.program, case.kind) != workflow.EMERGENCY:
        changes["clock_start"] = today
    with atomic():
        case = advance(
            case,
            step,
            actor=actor,
            today=today,
            reason=_("受理"),
            expected_version=expected_version,
            changes=changes,
        )
        _flag_conflicts(case, actor=actor, today=today)
    return case


def case_return(
    *,
    actor: Any,
    case: Case,
    missing_items: list[str],
    note: str = "",
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> Case:
    """退回补正: tell the applicant once everything that is missing (一次性告知)."""
    today = today_or(today)
    case = load_case(actor, case)
    step = gate(case, "return", actor)
    errors: dict[str, list[str]] = {}
    items = [i.strip() for i in missing_items if i and i.strip()]
    if not items:
        add_error(errors, "missing_items", _("请一次性列明所有需要补正的材料"))
    raise_if(errors)
    with atomic():
        application = case.application
        assert application is not None
        application.missing_items = list(dict.fromkeys([*application.missing_items, *items]))
        application.save(update_fields=["missing_items"])
        change_log_write(
            actor=actor,
            action="update",
            obj=application,
            after={"missing_items": application.missing_items},
            reason="return for missing materials",
        )
        reason = _("一次性告知需补正：%(m)s") % {"m": "、".join(items)}
        if note.strip():
            reason += "；" + note.strip()
        case = advance(
            case,
            step,
            actor=actor,
            today=today,
            reason=reason,
            expected_version=expected_version,
            data={"missing_items": items},
        )
    return case


def case_resubmit(
    *,
    actor: Any,
    case: Case,
    received: list[str],
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> Case:
    """The family brings what was missing: the items received are crossed off."""
    today = today_or(today)
    case = load_case(actor, case)
    step = gate(case, "resubmit", actor)
    application = case.application
    assert application is not None
    errors: dict[str, list[str]] = {}
    unknown = [i for i in received if i not in application.missing_items]
    if unknown:
        add_error(errors, "received", _("以下材料不在补正清单中：%(m)s") % {"m": "、".join(unknown)})
    if not received:
        add_error(errors, "received", _("请勾选已补交的材料"))
    raise_if(errors)
    with atomic():
        application.missing_items = [i for i in application.missing_items if i not in received]
        application.save(update_fields=["missing_items"])
        change_log_write(
            actor=actor,
            action="update",
            obj=application,
            after={"missing_items": application.missing_items},
            reason="materials received",
        )
        case = advance(
            case,
            step,
            actor=actor,
            today=today,
            reason=_("已补交：%(m)s") % {"m": "、".join(received)},
            expected_version=expected_version,
        )
    return case


def case_not_accept(
    *, actor: Any, case: Case, reason: str, today: dt.date | None = None, expected_version: int | None = None
) -> Case:
    """不予受理, with the reasons."""
    today = today_or(today)
    case = load_case(actor, case)
    step = gate(case, "not_accept", actor)
    errors: dict[str, list[str]] = {}
    reason = require_text(errors, "reason", reason, _("不予受理须写明理由"))
    raise_if(errors)
    with atomic():
        return advance(
            case,
            step,
            actor=actor,
            today=today,
            reason=reason,
            expected_version=expected_version,
            changes={"outcome": c.Outcome.NOT_ACCEPTED},
        )


def case_commitment(
    *, actor: Any, application: Application, materials: list[str], commitment_signed: bool
) -> Application:
    """Record materials received and the signed commitment before acceptance."""
    require(actor, Application, "change")
    application = Application.objects.restrict(actor, "change").get(pk=application.pk)
    errors: dict[str, list[str]] = {}
    for item in materials:
        if item not in MATERIALS:
            add_error(errors, "materials", _("未知的材料：%(m)s") % {"m": item})
    raise_if(errors)
    with atomic():
        application.materials = list(dict.fromkeys([*application.materials, *materials]))
        application.commitment_signed = application.commitment_signed or commitment_signed
        application.save(update_fields=["materials", "commitment_signed"])
        change_log_write(
            actor=actor,
            action="update",
            obj=application,
            after={"materials": application.materials, "commitment_signed": application.commitment_signed},
            reason="materials",
        )
    return application


# ---- leads (线索) and discovery reports (发现报告) ---------------------------------------------


def lead_create(
    *,
    actor: Any,
    source: str,
    note: str,
    household: Household | None = None,
    person: Person | None = None,
    today: dt.date | None = None,
) -> Lead:
    """A monitoring signal, hotline call, referral or a coordinator's discovery report becomes a
    lead for the village's coordinator — never an application by itself (Law 第39条; 审核确认办法
    第28条). ``actor`` may be None when a batch job (monitoring) calls."""
    from safetynet.core.selectors import deadline_after

    today = today_or(today)
    if actor is not None:
        require(actor, Lead, "add")
    errors: dict[str, list[str]] = {}
    if source not in c.LeadSource.values:
        add_error(errors, "source", _("线索来源无效：%(v)s") % {"v": source})
    note = require_text(errors, "note", note, _("请说明发现的困难情况"))
    if household is None and person is None:
        add_error(errors, "household", _("线索须指向一个家庭或一个人"))
    raise_if(errors)
    if household is not None:
        household = (
            Household.objects.restrict(actor, "view").get(pk=household.pk)
            if actor is not None
            else Household.objects.get(pk=household.pk)
        )
        region = household.region_code
    else:
        assert person is not None
        person = (
            Person.objects.restrict(actor, "view").get(pk=person.pk)
            if actor is not None
            else Person.objects.get(pk=person.pk)
        )
        region = person.region_code
        membership = Membership.objects.filter(person=person, end_date__isnull=True, counted=True).first()
        household = membership.household if membership else None
    params = deadlines.parameters_for(region_code=region, program="", day=today)
    days = params["workflow.lead_contact_days"].value
    with atomic():
        lead = Lead.objects.create(
            region_code=region,
            household=household,
            person=person,
            source=source,
            note=note,
            due_on=deadline_after(today, int(days)).due if days is not None else None,
            created_by=actor_ref(actor),
        )
        change_log_write(actor=actor, action="create", obj=lead, after=snapshot(lead), reason="lead")
    return lead


def discovery_report_create(
    *, actor: Any, household: Household, note: str, today: dt.date | None = None
) -> Lead:
    """发现报告: a village coordinator reports a household that seems to need help."""
    return lead_create(
        actor=actor, source=c.LeadSource.DISCOVERY, note=note, household=household, today=today
    )


def lead_convert(
    *,
    actor: Any,
    lead: Lead,
    data: ApplicationInput,
    consent_note: str,
    today: dt.date | None = None,
) -> Application:
    """The family agrees: the coordinator (or caseworker) applies with them or, with their
    consent, for them (代办). The consent is recorded on the lead and the application."""
    require(actor, Lead, "change")
    today = today_or(today)
    lead = Lead.objects.restrict(actor, "change").get(pk=lead.pk)
    errors: dict[str, list[str]] = {}
    if lead.status != c.LeadStatus.OPEN:
        add_error(errors, "lead", _("该线索已处理（%(s)s）") % {"s": lead.get_status_display()})
    consent_note = require_text(
        errors, "consent_note", consent_note, _("请记录家庭同意申请（或同意代办）的情况")
    )
    if lead.household_id and lead.household_id != data.household_id:
        add_error(errors, "household_id", _("申请家庭与线索所指家庭不一致"))
    raise_if(errors)
    if getattr(actor, "role", "") == Role.COORDINATOR:
        data.proxy_kind = data.proxy_kind or c.ProxyKind.COORDINATOR
    data.channel = c.Channel.DISCOVERY if lead.source == c.LeadSource.DISCOVERY else c.Channel.LEAD
    data.note = (data.note + "\n" if data.note else "") + _("家庭同意：%(n)s") % {"n": consent_note}
    with atomic():
        application = application_submit(actor=actor, data=data, today=today, lead=lead)
        lead.status = c.LeadStatus.CONVERTED
        lead.outcome_note = consent_note
        lead.closed_at = timezone.now()
        lead.save(update_fields=["status", "outcome_note", "closed_at"])
        change_log_write(
            actor=actor,
            action="update",
            obj=lead,
            after={"status": lead.status, "application": application.number},
            reason="lead converted",
        )
    return application


def lead_decline(*, actor: Any, lead: Lead, note: str) -> Lead:
    """The family does not want to apply (or the need was not confirmed)."""
    require(actor, Lead, "change")
    lead = Lead.objects.restrict(actor, "change").get(pk=lead.pk)
    errors: dict[str, list[str]] = {}
    note = require_text(errors, "note", note, _("请说明未申请的原因"))
    if lead.status != c.LeadStatus.OPEN:
        add_error(errors, "lead", _("该线索已处理（%(s)s）") % {"s": lead.get_status_display()})
    raise_if(errors)
    with atomic():
        updated = Lead.objects.filter(pk=lead.pk, status=c.LeadStatus.OPEN).update(
            status=c.LeadStatus.DECLINED, outcome_note=note, closed_at=timezone.now()
        )
        if updated != 1:
            raise ValidationError({"lead": [_("该线索已被他人处理")]})
        lead.refresh_from_db()
        change_log_write(actor=actor, action="update", obj=lead, after={"status": lead.status}, reason=note)
    return lead


# ---- declarations of relatives (近亲属申报) -----------------------------------------------------


def staff_relative_declare(
    *,
    actor: Any,
    relative_name: str,
    id_number: str,
    relation: str,
    position: str = "",
    staff_name: str = "",
    region_code: str = "",
    today: dt.date | None = None,
) -> StaffRelative:
    """A staff member declares a near relative; or a caseworker registers a village committee
    member's relative (``staff_name`` and ``region_code`` of the village given)."""
    require(actor, StaffRelative, "add")
    today = today_or(today)
    errors: dict[str, list[str]] = {}
    relative_name = require_text(errors, "relative_name", relative_name, _("请填写亲属姓名"))
    if relation not in c.Relation.values or relation == c.Relation.SELF:
        add_error(errors, "relation", _("关系须为配偶、父母、子女、兄弟姐妹、祖父母外祖父母或孙子女外孙子女"))
    number = ""
    try:
        number = parse_identity(IdKind.RESIDENT, (id_number or "").strip().upper(), today=today).number
    except IdentityError as exc:
        add_error(errors, "id_number", exc.message)
    for_self = not staff_name.strip()
    if for_self:
        position = position or (
            c.StaffPosition.CASEWORKER if actor.role == Role.CASEWORKER else c.StaffPosition.OFFICER
        )
        region = actor.region_id or ""
    else:
        region = region_code or actor.region_id or ""
        if actor.region_id:
            low, high = region_bounds(actor.region_id)
            if not (low <= region <= high):
                add_error(errors, "region_code", _("只能为本辖区的村（居）委会成员登记"))
    if position not in c.StaffPosition.values:
        add_error(errors, "position", _("职务无效"))
    if not region:
        raise PermissionDenied(_("没有所属区划的用户不能申报"))
    raise_if(errors)
    with atomic():
        row = StaffRelative.objects.create(
            staff=actor if for_self else None,
            staff_name=str(actor) if for_self else staff_name.strip(),
            position=position,
            region_code=region,
            relative_name=relative_name,
            relative_hash=crypto.blind_index(number),
            relative_masked=mask_id_number(number),
            relation=relation,
            declared_on=today,
            created_by=actor_ref(actor),
        )
        change_log_write(
            actor=actor, action="create", obj=row, after=snapshot(row), reason="relative declared"
        )
    return row


def staff_relative_end(*, actor: Any, row: StaffRelative, today: dt.date | None = None) -> StaffRelative:
    require(actor, StaffRelative, "change")
    row = StaffRelative.objects.restrict(actor, "change").get(pk=row.pk)
    row.ended_on = today_or(today)
    with atomic():
        row.save(update_fields=["ended_on"])
        change_log_write(
            actor=actor, action="update", obj=row, after={"ended_on": row.ended_on}, reason="ended"
        )
    return row
