"""Workflow endpoints: applications, the worklist, cases and their moves, records, documents,
public notices, joint meetings, complaints, leads.

The moves and records go through the same table of operations as the staff pages
(``forms.OPERATIONS`` / ``forms.RECORDS``): one form parses, one service decides. Scope and role
come from the services (``restrict``): wrong role → 403, outside the caller's region → 404; a
move not allowed from the current state, a missing field or a stale ``version`` → 422 listing
what is wrong.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Body, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import ConfigDict

from safetynet.api.auth import caller
from safetynet.api.pagination import Pagination
from safetynet.applications import choices as c
from safetynet.applications import forms as f
from safetynet.applications import selectors, services, workflow
from safetynet.applications.models import (
    Case,
    Complaint,
    JointMeeting,
    Lead,
    NoticeLine,
    PublicNotice,
    SpotCheck,
    SpotCheckItem,
)

router = Router(tags=["applications 申请与审核确认"])


class ErrorOut(Schema):
    detail: str


class FieldErrorsOut(Schema):
    errors: dict[str, list[str]]


READ_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 422: FieldErrorsOut}


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


# ---- outputs -------------------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    number: str
    household_id: int
    household_number: str
    head_name: str
    region_code: str
    program: str
    kind: str
    state: str
    state_label: str
    version: int
    step_due: dt.date | None
    step_due_provisional: bool
    total_due: dt.date | None
    total_due_provisional: bool
    extended: bool
    delegated: bool
    conflict_flag: bool
    outcome: str
    rules_eligible: bool | None
    rules_amount: Decimal | None
    proposed_amount: Decimal | None

    @staticmethod
    def resolve_household_number(obj: Case) -> str:
        return obj.household.number

    @staticmethod
    def resolve_head_name(obj: Case) -> str:
        return obj.household.head_name

    @staticmethod
    def resolve_state_label(obj: Case) -> str:
        return str(obj.get_state_display())


class TransitionOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor_name: str
    reason: str
    time: dt.datetime
    step_due: dt.date | None


class DecisionOut(Schema):
    id: int
    kind: str
    decided_on: dt.date
    amount: Decimal | None
    rules_amount: Decimal | None
    amount_reason: str
    members: list[dict[str, Any]]
    first_payment_month: dt.date | None
    taper: list[dict[str, Any]]
    stages: list[dict[str, Any]]
    payee_kind: str
    payee_name: str
    payee_account_masked: str
    next_review_on: dt.date | None
    reasons: str
    failed_rules: list[dict[str, Any]]
    document_number: str
    letter_id: int | None


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    content_type: str
    size: int
    sha256: str


class ActionOut(Schema):
    action: str
    label: str
    target: str


class CaseDetailOut(CaseOut):
    opened_on: dt.date
    clock_start: dt.date | None
    opinion_text: str
    opinion_eligible: bool | None
    separate_register_no: str
    next_review_on: dt.date | None
    entitlement_active: bool
    actions: list[ActionOut]
    transitions: list[TransitionOut]
    decisions: list[DecisionOut]
    documents: list[DocumentOut]


class ApplicationOut(Schema):
    id: int
    number: str
    household_id: int
    applicant_id: int
    programs: list[str]
    channel: str
    proxy_kind: str
    proxy_name: str
    submitted_on: dt.date
    commitment_signed: bool
    missing_items: list[str]
    cases: list[CaseOut]

    @staticmethod
    def resolve_cases(obj) -> list[Case]:
        return list(obj.cases.select_related("household").order_by("id"))


class CountsOut(Schema):
    open: int
    tasks: int
    overdue: int
    due_soon: int
    leads: int
    complaints: int


class NoticeLineOut(Schema):
    id: int
    applicant_name: str
    household_size: int
    amount: Decimal | None
    village_name: str
    objections: int

    @staticmethod
    def resolve_objections(obj: NoticeLine) -> int:
        return obj.objections.count()


class NoticeOut(Schema):
    id: int
    number: str
    program: str
    region_code: str
    issuer: str
    start_date: dt.date
    end_date: dt.date
    status: str
    contact_phone: str
    contact_address: str
    lines: list[NoticeLineOut]

    @staticmethod
    def resolve_lines(obj: PublicNotice) -> list[NoticeLine]:
        return list(obj.lines.order_by("id"))


class LeadOut(Schema):
    id: int
    source: str
    region_code: str
    household_id: int | None
    note: str
    status: str
    due_on: dt.date | None


class ComplaintOut(Schema):
    id: int
    kind: str
    case_id: int | None
    region_code: str
    complainant: str
    contact_masked: str
    received_on: dt.date
    content: str
    status: str
    answer: str
    outcome: str


class MeetingItemOut(Schema):
    id: int
    case_id: int
    decision: str
    note: str


class MeetingOut(Schema):
    id: int
    title: str
    held_on: dt.date
    status: str
    minutes: str
    items: list[MeetingItemOut]

    @staticmethod
    def resolve_items(obj: JointMeeting) -> list:
        return list(obj.items.order_by("id"))


# ---- inputs --------------------------------------------------------------------------------------


class ApplicationIn(Input):
    household_id: int
    applicant_id: int
    programs: list[str]
    proxy_kind: str = ""
    proxy_name: str = ""
    proxy_relation: str = ""
    commitment_signed: bool = False
    materials: list[str] = []
    note: str = ""
    submitted_on: dt.date | None = None

    def to_input(self, channel: str = c.Channel.API) -> services.ApplicationInput:
        return services.ApplicationInput(channel=channel, **self.model_dump())


class SelfApplicationIn(Input):
    """A resident's own application: the household is the caller's own."""

    programs: list[str]
    commitment_signed: bool = False
    note: str = ""


class CaseFilters(Schema):
    program: str = ""
    state: str = ""
    village: str = ""
    due: str = ""
    mine: bool = True


class LeadIn(Input):
    source: str
    household_id: int
    note: str


class ConvertIn(ApplicationIn):
    consent_note: str


class NoteIn(Input):
    note: str = ""


class NoticeIn(Input):
    village: str
    case_ids: list[int]
    contact_phone: str = ""
    contact_address: str = ""


class ObjectionIn(Input):
    content: str = ""
    raised_by: str = ""


class ComplaintIn(Input):
    kind: str
    content: str = ""
    case_id: int | None = None
    household_id: int | None = None
    person_id: int | None = None
    complainant: str = ""
    contact: str = ""
    received_on: dt.date | None = None


class ComplaintActionIn(Input):
    assignee_id: int | None = None
    answer: str = ""
    outcome: str = ""


class MeetingIn(Input):
    title: str = ""
    held_on: dt.date
    case_ids: list[int] = []
    participants: str = ""


class MeetingDecisionIn(Input):
    item_id: int
    decision: str
    note: str = ""


class MinutesIn(Input):
    minutes: str = ""
    decisions: list[MeetingDecisionIn] = []


# ---- helpers -------------------------------------------------------------------------------------


def _case_detail(user: Any, pk: int) -> Case:
    case = selectors.case_get(user=user, pk=pk)
    if case.state == c.State.NOTICE:  # its notice ended: closed on access
        line = case.notice_lines.select_related("notice").order_by("-id").first()
        if line and services.notice_close_if_ended(notice=line.notice):
            case = selectors.case_get(user=user, pk=pk)
    case.actions = [  # type: ignore[attr-defined]
        {"action": s.action, "label": str(s.label), "target": s.target}
        for s in selectors.available_actions(user=user, case=case)
    ]
    return case


def _form_errors(form) -> ValidationError:
    return ValidationError({key: [str(e) for e in errors] for key, errors in form.errors.items()})


def _form_data(name: str, case: Case, payload: dict[str, Any]) -> dict[str, Any]:
    """JSON → the form's fields: members of an approval become its per-member fields; lists
    stay lists; booleans stay booleans (a form treats a missing key as False)."""
    data = {k: v for k, v in payload.items() if v is not None and k != "members"}
    if name == "approve":
        for member in payload.get("members") or []:
            pid = member.get("person_id")
            data[f"covered_{pid}"] = True
            data[f"part_{pid}"] = member.get("amount", "0")
        data.setdefault("kind", c.DecisionKind.APPROVE if case.kind == c.CaseKind.APPLICATION else "")
    data.setdefault("version", case.version)
    return data


class _Data(dict):
    """A dict the forms read like a QueryDict (``getlist`` for multiple choices)."""

    def getlist(self, key: str, default: Any = None) -> list:
        value = self.get(key, default if default is not None else [])
        return value if isinstance(value, list) else [value]


def _run(user: Any, case_id: int, name: str, payload: dict[str, Any], *, record: bool) -> Any:
    table = f.RECORDS if record else f.OPERATIONS
    if name not in table:
        raise ValidationError(
            {"action": [_("未知的操作：%(n)s（可用：%(a)s）") % {"n": name, "a": "、".join(sorted(table))}]}
        )
    case = (
        Case.objects.restrict(user, "view" if record else "change")
        .select_related("household", "application")
        .get(pk=case_id)
    )
    form = f.operation_form(name, case, _Data(_form_data(name, case, payload)), record=record)
    if not form.is_valid():
        raise _form_errors(form)
    return table[name].run(user, case, form)


# ---- applications and cases ----------------------------------------------------------------------


@router.post(
    "/applications", response={201: ApplicationOut, **WRITE_ERRORS}, summary="提交救助申请（一门受理）"
)
def application_create(request: HttpRequest, payload: ApplicationIn) -> Any:
    """One application for a household, one case per program (channel ``api``)."""
    application = services.application_submit(actor=caller(request), data=payload.to_input())
    return Status(201, application)


@router.post(
    "/applications/self",
    response={201: ApplicationOut, **WRITE_ERRORS},
    summary="群众自助申请（本人家庭）",
)
def application_self_create(request: HttpRequest, payload: SelfApplicationIn) -> Any:
    """A signed-in resident applies for their own household (channel ``self``): the same
    application and cases as window intake, in the township's worklist."""
    application = services.application_self_submit(
        actor=caller(request),
        programs=payload.programs,
        commitment_signed=payload.commitment_signed,
        note=payload.note,
    )
    return Status(201, application)


@router.get(
    "/applications/{application_id}", response={200: ApplicationOut, **READ_ERRORS}, summary="申请详情"
)
def application_detail(request: HttpRequest, application_id: int) -> Any:
    return selectors.application_get(user=caller(request), pk=application_id)


@router.get("/cases", response=list[CaseOut], summary="待办与在办个案")
@paginate(Pagination)
def case_list(request: HttpRequest, filters: Query[CaseFilters]) -> Any:
    """The caller's tasks (``mine=true``, default) or all open cases in scope, by due date."""
    return selectors.worklist(
        user=caller(request),
        filters=selectors.WorklistFilter(
            program=filters.program,
            state=filters.state,
            village=filters.village,
            due=filters.due,
            mine=filters.mine,
        ),
    )


@router.get("/cases/{case_id}", response={200: CaseDetailOut, **READ_ERRORS}, summary="个案详情")
def case_detail(request: HttpRequest, case_id: int) -> Any:
    """A case with its due dates, the moves the caller may make now, its transitions, decisions
    and documents."""
    return _case_detail(caller(request), case_id)


@router.post(
    "/cases/{case_id}/actions/{action}", response={200: CaseDetailOut, **WRITE_ERRORS}, summary="办理（流转）"
)
def case_action(request: HttpRequest, case_id: int, action: str, payload: Body[dict[str, Any]]) -> Any:
    """Make a move of the procedure table (``accept``, ``return``, ``authorise``, ``assess``,
    ``propose``, ``submit_review``, ``approve``, ``refuse``, ``notify``…). The body holds the
    move's fields (as on the staff page) and ``version``, the case version the caller saw. An
    approval lists ``members: [{"person_id", "amount"}]``."""
    _run(caller(request), case_id, action, payload, record=False)
    return _case_detail(caller(request), case_id)


@router.post(
    "/cases/{case_id}/records/{what}",
    response={200: CaseDetailOut, **WRITE_ERRORS},
    summary="记录调查、授权等",
)
def case_record(request: HttpRequest, case_id: int, what: str, payload: Body[dict[str, Any]]) -> Any:
    """Add a record: ``visit``, ``authorisation`` (with ``esign_record``), ``deliberation``,
    ``hearing``, ``materials``, ``extend``, ``complaint``. Scans go to ``/documents``."""
    _run(caller(request), case_id, what, payload, record=True)
    return _case_detail(caller(request), case_id)


@router.post(
    "/cases/{case_id}/documents",
    response={201: DocumentOut, **WRITE_ERRORS},
    summary="上传材料（图片或 PDF）",
)
def document_create(
    request: HttpRequest, case_id: int, kind: Form[str], file: File[UploadedFile], title: Form[str] = ""
) -> Any:
    """Multipart upload; the type is decided by the content, the size is checked, the SHA-256 kept."""
    document = services.document_upload(
        actor=caller(request), case=Case(pk=case_id), kind=kind, upload=file, title=title
    )
    return Status(201, document)


@router.get("/documents/{document_id}", response={200: None, **READ_ERRORS}, summary="下载材料")
def document_content(request: HttpRequest, document_id: int) -> Any:
    document = selectors.document_get(user=caller(request), pk=document_id)
    response = FileResponse(document.file.open("rb"), content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get("/workflow/counts", response=CountsOut, summary="待办计数")
def counts(request: HttpRequest) -> Any:
    """Open cases in scope, the caller's tasks, overdue and due within 3 working days."""
    return selectors.home_counts(user=caller(request))


@router.get("/workflow/table", summary="审核确认流程表")
def procedure_table(request: HttpRequest) -> Any:
    """The procedure as data: every move, who may make it, what must be on file, its time limit."""
    return [
        {
            "procedures": sorted(s.procedures),
            "programs": sorted(s.programs) if s.programs else None,
            "from": s.source,
            "to": s.target,
            "action": s.action,
            "label": str(s.label),
            "roles": sorted(s.roles),
            "delegable": s.delegable,
            "requires": list(s.requires),
            "limit": s.limit,
        }
        for s in workflow.STEPS
    ]


# ---- leads ----------------------------------------------------------------------------------------


@router.post("/leads", response={201: LeadOut, **WRITE_ERRORS}, summary="登记救助线索（发现报告、监测预警）")
def lead_create(request: HttpRequest, payload: LeadIn) -> Any:
    from safetynet.registry.models import Household

    lead = services.lead_create(
        actor=caller(request),
        source=payload.source,
        note=payload.note,
        household=Household(pk=payload.household_id),
    )
    return Status(201, lead)


@router.get("/leads", response=list[LeadOut], summary="待联系的线索")
@paginate(Pagination)
def lead_list(request: HttpRequest) -> Any:
    return selectors.leads(user=caller(request))


@router.post(
    "/leads/{lead_id}/convert", response={201: ApplicationOut, **WRITE_ERRORS}, summary="线索转为申请"
)
def lead_convert(request: HttpRequest, lead_id: int, payload: ConvertIn) -> Any:
    data = payload.model_dump()
    consent = data.pop("consent_note")
    application = services.lead_convert(
        actor=caller(request),
        lead=Lead(pk=lead_id),
        data=services.ApplicationInput(**data),
        consent_note=consent,
    )
    return Status(201, application)


@router.post("/leads/{lead_id}/decline", response={200: LeadOut, **WRITE_ERRORS}, summary="家庭不申请")
def lead_decline(request: HttpRequest, lead_id: int, payload: NoteIn) -> Any:
    return services.lead_decline(actor=caller(request), lead=Lead(pk=lead_id), note=payload.note)


# ---- notices ---------------------------------------------------------------------------------------


@router.post("/notices", response={201: NoticeOut, **WRITE_ERRORS}, summary="发布公示")
def notice_create(request: HttpRequest, payload: NoticeIn) -> Any:
    notice = services.notice_publish(
        actor=caller(request),
        village_code=payload.village,
        case_ids=payload.case_ids,
        contact_phone=payload.contact_phone,
        contact_address=payload.contact_address,
    )
    return Status(201, notice)


@router.get("/notices/{notice_id}", response={200: NoticeOut, **READ_ERRORS}, summary="公示详情")
def notice_detail(request: HttpRequest, notice_id: int) -> Any:
    """A notice past its last day is closed on access (its cases move on)."""
    notice = selectors.notice_get(user=caller(request), pk=notice_id)
    if services.notice_close_if_ended(notice=notice):
        notice = selectors.notice_get(user=caller(request), pk=notice_id)
    return notice


@router.post(
    "/notices/{notice_id}/close", response={200: NoticeOut, **WRITE_ERRORS}, summary="公示期满，结束公示"
)
def notice_close(request: HttpRequest, notice_id: int) -> Any:
    return services.notice_close(actor=caller(request), notice=PublicNotice(pk=notice_id))


@router.post(
    "/notice-lines/{line_id}/objections", response={201: dict, **WRITE_ERRORS}, summary="登记公示异议"
)
def objection_create(request: HttpRequest, line_id: int, payload: ObjectionIn) -> Any:
    line = NoticeLine.objects.get(
        pk=line_id, notice__in=PublicNotice.objects.restrict(caller(request), "view")
    )
    row = services.objection_record(
        actor=caller(request), line=line, content=payload.content, raised_by=payload.raised_by
    )
    return Status(201, {"id": row.pk, "received_on": row.received_on.isoformat()})


# ---- complaints -------------------------------------------------------------------------------------


@router.post("/complaints", response={201: ComplaintOut, **WRITE_ERRORS}, summary="登记申诉、投诉举报")
def complaint_create(request: HttpRequest, payload: ComplaintIn) -> Any:
    from safetynet.registry.models import Household, Person

    row = services.complaint_register(
        actor=caller(request),
        kind=payload.kind,
        content=payload.content,
        case=Case(pk=payload.case_id) if payload.case_id else None,
        household=Household(pk=payload.household_id) if payload.household_id else None,
        person=Person(pk=payload.person_id) if payload.person_id else None,
        complainant=payload.complainant,
        contact=payload.contact,
        received_on=payload.received_on,
    )
    return Status(201, row)


@router.post(
    "/complaints/{complaint_id}/{step}",
    response={200: ComplaintOut, **WRITE_ERRORS},
    summary="交办、答复、办结",
)
def complaint_step(request: HttpRequest, complaint_id: int, step: str, payload: ComplaintActionIn) -> Any:
    user = caller(request)
    complaint = Complaint.objects.restrict(user, "change").get(pk=complaint_id)
    if step == "assign":
        from safetynet.accounts.models import User

        assignee = User.objects.filter(pk=payload.assignee_id).first() if payload.assignee_id else None
        return services.complaint_assign(actor=user, complaint=complaint, user=assignee)
    if step == "answer":
        return services.complaint_answer(actor=user, complaint=complaint, answer=payload.answer)
    if step == "close":
        return services.complaint_close(actor=user, complaint=complaint, outcome=payload.outcome)
    raise ValidationError({"step": [_("只能是 assign、answer 或 close")]})


# ---- joint meetings ----------------------------------------------------------------------------------


@router.post("/meetings", response={201: MeetingOut, **WRITE_ERRORS}, summary="召集联席会议")
def meeting_create(request: HttpRequest, payload: MeetingIn) -> Any:
    meeting = services.meeting_create(
        actor=caller(request),
        title=payload.title,
        held_on=payload.held_on,
        case_ids=payload.case_ids,
        participants=payload.participants,
    )
    return Status(201, meeting)


@router.post(
    "/meetings/{meeting_id}/minutes", response={200: MeetingOut, **WRITE_ERRORS}, summary="会议纪要与决定"
)
def meeting_minutes(request: HttpRequest, meeting_id: int, payload: MinutesIn) -> Any:
    return services.meeting_record(
        actor=caller(request),
        meeting=JointMeeting(pk=meeting_id),
        minutes=payload.minutes,
        decisions={d.item_id: (d.decision, d.note) for d in payload.decisions},
    )


# ---- county spot checks (县级抽查) ---------------------------------------------------------------------


class SpotCheckIn(Input):
    township_code: str
    date_from: dt.date
    date_to: dt.date
    program: str = c.Program.TEKUN


class SpotCheckItemOut(Schema):
    id: int
    case_id: int
    case_number: str
    outcome: str
    note: str
    checked_on: dt.date | None

    @staticmethod
    def resolve_case_number(obj) -> str:
        return obj.case.number


class SpotCheckOut(Schema):
    id: int
    township_code: str
    program: str
    period_from: dt.date
    period_to: dt.date
    share_percent: Decimal
    share_reference: str
    population: list[str]
    seed: str
    drawn_on: dt.date
    items: list[SpotCheckItemOut]

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.select_related("case").order_by("id"))


class SpotCheckRecordIn(Input):
    outcome: str
    note: str = ""
    checked_on: dt.date | None = None


@router.post("/spot-checks", response={201: SpotCheckOut, **WRITE_ERRORS}, summary="县级抽查：抽取样本")
def spot_check_create(request: HttpRequest, payload: SpotCheckIn) -> Any:
    """Draw (or return the recorded draw of) the county's sample of a township's delegated
    confirmations for a period; the share is the dated parameter ``workflow.spot_check_percent``."""
    check = services.spot_check_draw(
        actor=caller(request),
        township_code=payload.township_code,
        date_from=payload.date_from,
        date_to=payload.date_to,
        program=payload.program,
    )
    return Status(201, check)


@router.get("/spot-checks/{check_id}", response={200: SpotCheckOut, **READ_ERRORS}, summary="县级抽查详情")
def spot_check_detail(request: HttpRequest, check_id: int) -> Any:
    return SpotCheck.objects.restrict(caller(request), "view").get(pk=check_id)


@router.post(
    "/spot-checks/items/{item_id}", response={200: SpotCheckItemOut, **WRITE_ERRORS}, summary="记录抽查结果"
)
def spot_check_item_record(request: HttpRequest, item_id: int, payload: SpotCheckRecordIn) -> Any:
    user = caller(request)
    item = SpotCheckItem.objects.select_related("case").get(
        pk=item_id, spot_check__in=SpotCheck.objects.restrict(user, "view")
    )
    return services.spot_check_record(
        actor=user, item=item, outcome=payload.outcome, note=payload.note, checked_on=payload.checked_on
    )
