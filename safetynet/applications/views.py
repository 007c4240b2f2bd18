"""Staff pages of the workflow: worklists, intake, the case page and its actions, notices,
joint meetings, complaints, leads, declarations of relatives, documents.

Thin: parse a form, call one service or selector, render. Records come through
``restrict(user, action)`` (wrong role → 403 page; outside scope → 404 via ``core.views.scoped``);
service ``ValidationError``s go back onto the form (``registry.forms.apply_errors``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safetynet.accounts.roles import Role
from safetynet.applications import choices as c
from safetynet.applications import forms as f
from safetynet.applications import printing, selectors, services, workflow
from safetynet.applications.models import (
    Application,
    Case,
    Complaint,
    JointMeeting,
    Lead,
    NoticeLine,
    Objection,
    PublicNotice,
    SpotCheck,
    SpotCheckItem,
    StaffRelative,
)
from safetynet.core.permissions import require, role_allows
from safetynet.core.views import scoped
from safetynet.registry.forms import apply_errors, village_choices
from safetynet.registry.models import Household, Membership


def _page_links(request: HttpRequest, page) -> Any:
    def link(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        return "?" + query.urlencode()

    page.prev_link = link(page.previous_page_number()) if page.has_previous() else ""
    page.next_link = link(page.next_page_number()) if page.has_next() else ""
    return page


def _page(request: HttpRequest, items, per_page: int = selectors.PAGE_SIZE):
    return _page_links(request, Paginator(items, per_page).get_page(request.GET.get("page")))


def _today() -> Any:
    return timezone.localdate()


# ---- worklists ---------------------------------------------------------------------------------


@scoped
def worklist(request: HttpRequest) -> HttpResponse:
    """My tasks, sorted by due date; filters by program, step, village; all open cases on request."""
    user: Any = request.user
    require(user, Case, "view")
    g = request.GET
    filters = selectors.WorklistFilter(
        program=g.get("program", "") if g.get("program", "") in c.Program.values else "",
        state=g.get("state", "") if g.get("state", "") in c.State.values else "",
        village=g.get("village", "") if g.get("village", "").isdigit() else "",
        township=g.get("township", "") if g.get("township", "").isdigit() else "",
        due=g.get("due", "") if g.get("due", "") in ("overdue", "soon") else "",
        mine=g.get("all") != "1",
    )
    today = _today()
    page = _page_links(
        request, selectors.worklist_page(user=user, filters=filters, page=_page_number(request), today=today)
    )
    return render(
        request,
        "applications/worklist.html",
        {
            "page": page,
            "filters": filters,
            "today": today,
            "soon": selectors.due_soon_limit(today),
            "programs": c.Program.choices,
            "states": c.State.choices,
            "villages": village_choices(user),
            "can_add": role_allows(user, Application, "add"),
        },
    )


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page") or 1))
    except ValueError:
        return 1


@scoped
def supervision(request: HttpRequest) -> HttpResponse:
    """A supervisor's view: open, overdue and due-soon cases by township."""
    require(request.user, Case, "view")
    rows = selectors.supervision(user=request.user)
    return render(
        request,
        "applications/supervision.html",
        {"rows": rows, "states": dict(c.State.choices), "totals": _totals(rows)},
    )


def _totals(rows) -> dict[str, int]:
    return {
        "open": sum(r.open for r in rows),
        "overdue": sum(r.overdue for r in rows),
        "due_soon": sum(r.due_soon for r in rows),
    }


# ---- intake --------------------------------------------------------------------------------------


def _find_household(user, text: str) -> Household | None:
    from safetynet.registry.selectors import SearchQuery, household_search

    text = text.strip()
    if not text:
        return None
    found = Household.objects.restrict(user, "view").filter(number=text).first()
    if found is None and len(text) >= 15:
        found = household_search(user=user, query=SearchQuery(id_number=text)).first()
    return found


@scoped
def application_new(request: HttpRequest) -> HttpResponse:
    """一门受理 at the window (or a coordinator's application for a family): pick the household,
    then the applicant, the programs, who applied for whom, the materials."""
    user: Any = request.user
    require(user, Application, "add")
    household = None
    pick = f.HouseholdPickForm(request.GET or None)
    if request.GET.get("household", "").isdigit():
        household = Household.objects.restrict(user, "view").get(pk=int(request.GET["household"]))
    elif pick.is_valid():
        household = _find_household(user, pick.cleaned_data["number"])
        if household is None:
            pick.add_error("number", _("未找到该家庭（或不在您的管辖范围内）：请先在家庭档案中建档"))
    if household is None:
        return render(request, "applications/application_new.html", {"pick": pick})
    members = list(
        Membership.objects.filter(household=household, end_date__isnull=True)
        .select_related("person")
        .order_by("id")
    )
    coordinator = user.role == Role.COORDINATOR
    form = f.ApplicationForm(
        request.POST or None,
        members=members,
        coordinator=coordinator,
        initial={"applicant": household.head_id, "submitted_on": _today()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(actor=user, data=form.application_input(household.pk))
        except ValidationError as exc:
            apply_errors(exc, form, aliases={"applicant_id": "applicant", "household_id": "applicant"})
        else:
            messages.success(request, _("已受理申请 %(n)s。") % {"n": application.number})
            return redirect("applications:application_detail", pk=application.pk)
    return render(
        request, "applications/application_new.html", {"pick": pick, "household": household, "form": form}
    )


@scoped
def self_apply(request: HttpRequest) -> HttpResponse:
    """A resident applies for their own household (phone-friendly), and sees how their
    applications stand."""
    user: Any = request.user
    if user.role != Role.RESIDENT:
        return redirect("applications:application_new")
    form = f.SelfApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            application = services.application_self_submit(
                actor=user, programs=d["programs"], commitment_signed=d["commitment_signed"], note=d["note"]
            )
        except ValidationError as exc:
            apply_errors(exc, form, aliases={"applicant_id": "programs", "household_id": "programs"})
        else:
            messages.success(
                request,
                _("已提交申请 %(n)s。乡镇（街道）将在受理后联系您，请保持电话畅通。")
                % {"n": application.number},
            )
            return redirect("applications:self_apply")
    mine = (
        Application.objects.restrict(user, "view")
        .prefetch_related("cases")
        .order_by("-submitted_on", "-id")[:20]
        if user.household_id
        else []
    )
    return render(
        request,
        "applications/self_apply.html",
        {"form": form, "applications": mine, "linked": bool(user.household_id)},
    )


@scoped
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get(user=request.user, pk=pk)
    return render(request, "applications/application_detail.html", {"application": application})


# ---- the case page -------------------------------------------------------------------------------


@scoped
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    case = selectors.case_get(user=user, pk=pk)
    today = _today()
    if _close_ended_notice(case, today):
        case = selectors.case_get(user=user, pk=pk)
    steps = selectors.available_actions(user=user, case=case)
    members = selectors.case_members(case=case)
    auth_needs = selectors.authorisation_needs(household=case.household, today=today)
    entry = selectors.snapshot_program(case)
    return render(
        request,
        "applications/case_detail.html",
        {
            "case": case,
            "today": today,
            "soon": selectors.due_soon_limit(today),
            "steps": steps,
            "members": members,
            "auth_needs": auth_needs,
            "rules": entry,
            "records": _records_for(user, case),
            "can_change": role_allows(user, Case, "change") and case.closed_at is None,
            "materials": services.MATERIALS,
            "timeline": _timeline(case),
        },
    )


def _close_ended_notice(case: Case, today) -> bool:
    """A case still "in notice" after its notice's last day: close the notice now (on access)."""
    if case.state != c.State.NOTICE:
        return False
    line = case.notice_lines.select_related("notice").order_by("-id").first()
    return bool(line and services.notice_close_if_ended(notice=line.notice, today=today))


def _records_for(user, case: Case) -> list[tuple[str, Any]]:
    """The records the user may add to the case (the forms linked from its page)."""
    if case.closed_at is not None:
        return [("document", f.RECORDS["document"].label)] if role_allows(user, Case, "change") else []
    names = ["document", "materials", "authorisation", "visit", "verification", "hearing", "complaint"]
    if case.state == c.State.OBJECTION:
        names.insert(0, "deliberation")
    if case.kind == c.CaseKind.APPLICATION and case.clock_start and not case.extended:
        names.append("extend")
    if user.role == Role.COORDINATOR:
        names = [n for n in names if n in ("document", "visit", "complaint")]
    if user.role == Role.VERIFICATION_OFFICER:
        names = [n for n in names if n in ("document", "verification")]
    return [(n, f.RECORDS[n].label) for n in names if _may_record(user, n)]


def _may_record(user, name: str) -> bool:
    from safetynet.applications.models import Authorisation, Document, HomeVisit, VerificationReport

    model = {
        "authorisation": Authorisation,
        "visit": HomeVisit,
        "verification": VerificationReport,
        "document": Document,
        "complaint": Complaint,
    }.get(name, Case)
    return role_allows(user, model, "add" if model is not Case else "change")


def _timeline(case: Case) -> list[dict[str, Any]]:
    """Each step the case went through: entered, its due date, left, late or on time."""
    rows = []
    transitions = list(case.transitions.all())
    for i, t in enumerate(transitions):
        left = next((n.time for n in transitions[i + 1 :] if n.from_state != n.to_state), None)
        late = bool(t.step_due and left and left.date() > t.step_due)
        rows.append(
            {
                "t": t,
                "label": workflow.ACTION_LABELS.get(t.action, _label(t.action)),
                "left": left,
                "late": late,
            }
        )
    return rows


def _label(action: str) -> str:
    return {
        "open": _("立案"),
        "conflict_flag": _("近亲属单独登记备案"),
        "extend": _("延期"),
        "assign": _("分派经办人"),
        "agenda": _("列入联席会议议程"),
        "complaint": _("收到申诉/投诉举报"),
    }.get(action, action)


@scoped
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One move of the table (a button on the case page): its form, then the service."""
    if action not in f.OPERATIONS:
        raise Http404
    user: Any = request.user
    case = Case.objects.restrict(user, "change").select_related("household", "application").get(pk=pk)
    operation = f.OPERATIONS[action]
    form = f.operation_form(action, case, request.POST or None)
    step = workflow.find(workflow.procedure_of(case.program, case.kind), case.program, case.state, action)
    if request.method == "POST" and form.is_valid():
        try:
            operation.run(user, case, form)
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(
                request, _("已办理：%(a)s。") % {"a": workflow.ACTION_LABELS.get(action, action)}
            )
            return redirect("applications:case_detail", pk=case.pk)
    return render(
        request,
        "applications/case_action.html",
        {
            "case": case,
            "form": form,
            "title": workflow.ACTION_LABELS.get(action, action),
            "target_label": c.State(step.target).label if step else "",
            "rules": selectors.snapshot_program(case) if action in ("propose", "approve", "refuse") else {},
            "upload": False,
        },
    )


@scoped
def case_record(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    """Add a record to a case: an authorisation, a visit, the verification report, a hearing, a
    document, materials, an extension, a complaint."""
    if what not in f.RECORDS:
        raise Http404
    user: Any = request.user
    case = Case.objects.restrict(user, "view").select_related("household", "application").get(pk=pk)
    operation = f.RECORDS[what]
    form = f.operation_form(what, case, request.POST or None, request.FILES or None, record=True)
    if request.method == "POST" and form.is_valid():
        try:
            operation.run(user, case, form)
        except ValidationError as exc:
            apply_errors(exc, form, aliases={"file": "upload", "document": "upload"})
        else:
            messages.success(request, _("已记录：%(w)s。") % {"w": operation.label})
            return redirect("applications:case_detail", pk=case.pk)
    return render(
        request,
        "applications/case_action.html",
        {"case": case, "form": form, "title": operation.label, "upload": operation.upload, "rules": {}},
    )


@scoped
def case_file(request: HttpRequest, pk: int) -> HttpResponse:
    """一户一档: the whole case file as one PDF for the paper archive."""
    user: Any = request.user
    case = selectors.case_get(user=user, pk=pk)
    content = printing.render_case_file(case, compiled_by=str(user), today=_today())
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.number}.pdf"'
    return response


@require_POST
@scoped
def letter_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    services.letter_regenerate(actor=request.user, case=Case(pk=pk))
    messages.success(request, _("已重新生成决定书。"))
    return redirect("applications:case_detail", pk=pk)


@scoped
def document_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A document, shown inline; 404 outside the case's region."""
    document = selectors.document_get(user=request.user, pk=pk)
    response: Any = FileResponse(document.file.open("rb"), content_type=document.content_type)
    ext = document.file.name.rsplit(".", 1)[-1]
    response["Content-Disposition"] = f'inline; filename="document-{document.pk}.{ext}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---- public notices --------------------------------------------------------------------------------


@scoped
def notice_list(request: HttpRequest) -> HttpResponse:
    require(request.user, PublicNotice, "view")
    return render(
        request,
        "applications/notice_list.html",
        {
            "page": _page(request, selectors.notices(user=request.user).select_related("village")),
            "can_add": role_allows(request.user, PublicNotice, "add"),
        },
    )


@scoped
def notice_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(user, PublicNotice, "add")
    village = request.GET.get("village") or request.POST.get("village") or ""
    candidates = list(selectors.notice_candidates(user=user, village=village)) if village else []
    form = f.NoticeForm(
        request.POST or None, candidates=candidates, initial={"cases": [str(x.pk) for x in candidates]}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            notice = services.notice_publish(
                actor=user,
                village_code=village,
                case_ids=[int(x) for x in d["cases"]],
                contact_phone=d["contact_phone"],
                contact_address=d["contact_address"],
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("已发布公示 %(n)s。") % {"n": notice.number})
            return redirect("applications:notice_detail", pk=notice.pk)
    return render(
        request,
        "applications/notice_new.html",
        {"form": form, "village": village, "villages": village_choices(user), "candidates": candidates},
    )


@scoped
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice as posted (name, household size, amount, village), with objections."""
    notice = selectors.notice_get(user=request.user, pk=pk)
    if services.notice_close_if_ended(notice=notice):
        notice = selectors.notice_get(user=request.user, pk=pk)
    return render(
        request,
        "applications/notice_detail.html",
        {
            "notice": notice,
            "today": _today(),
            "can_change": role_allows(request.user, PublicNotice, "change"),
            "can_object": role_allows(request.user, Objection, "add"),
        },
    )


@scoped
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get(user=request.user, pk=pk)
    response = HttpResponse(printing.render_notice(notice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{notice.number}.pdf"'
    return response


@require_POST
@scoped
def notice_close(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.notice_close(actor=request.user, notice=PublicNotice(pk=pk))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("公示已结束，个案已转入下一环节。"))
    return redirect("applications:notice_detail", pk=pk)


@scoped
def objection_new(request: HttpRequest, pk: int) -> HttpResponse:
    line = NoticeLine.objects.select_related("notice", "case").get(
        pk=pk, notice__in=PublicNotice.objects.restrict(request.user, "view")
    )
    form = f.ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objection_record(actor=request.user, line=line, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("已登记异议。"))
            return redirect("applications:notice_detail", pk=line.notice_id)
    return render(
        request,
        "applications/simple_form.html",
        {
            "form": form,
            "title": _("登记公示异议：%(n)s") % {"n": line.applicant_name},
            "back": ("applications:notice_detail", line.notice_id),
        },
    )


# ---- joint meetings --------------------------------------------------------------------------------


@scoped
def meeting_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(user, JointMeeting, "view")
    candidates = (
        list(selectors.meeting_agenda_candidates(user=user)) if role_allows(user, JointMeeting, "add") else []
    )
    form = f.MeetingForm(request.POST or None, candidates=candidates, initial={"held_on": _today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            meeting = services.meeting_create(
                actor=user,
                title=d["title"],
                held_on=d["held_on"] or _today(),
                participants=d["participants"],
                case_ids=[int(x) for x in d["cases"]],
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            return redirect("applications:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "applications/meeting_list.html",
        {"page": _page(request, selectors.meetings(user=user)), "form": form, "candidates": candidates},
    )


@scoped
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    meeting = selectors.meeting_get(user=user, pk=pk)
    items = list(meeting.items.all())
    form = f.MinutesForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_record(
                actor=user, meeting=meeting, minutes=form.cleaned_data["minutes"], decisions=form.decisions()
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("已记录会议纪要，决定已应用到各个案。"))
            return redirect("applications:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "applications/meeting_detail.html",
        {"meeting": meeting, "form": form, "can_change": role_allows(user, JointMeeting, "change")},
    )


# ---- complaints ------------------------------------------------------------------------------------


@scoped
def complaint_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Complaint, "view")
    open_only = request.GET.get("all") != "1"
    return render(
        request,
        "applications/complaint_list.html",
        {
            "page": _page(request, selectors.complaints(user=request.user, open_only=open_only)),
            "open_only": open_only,
        },
    )


def _staff_for(user) -> list:
    from safetynet.accounts.models import User

    if not user.region_id:
        return []
    return list(
        User.objects.filter(
            region_id__startswith=user.region_id[:6],
            role__in=[Role.CASEWORKER, Role.COUNTY_OFFICER],
            is_active=True,
        ).order_by("username")
    )


@scoped
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    complaint = (
        Complaint.objects.restrict(user, "view").select_related("case", "assigned_to", "person").get(pk=pk)
    )
    staff = _staff_for(user)
    form = f.ComplaintActionForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if d["action"] == "assign":
                assignee = next((u for u in staff if u.pk == d["assignee"]), None)
                services.complaint_assign(actor=user, complaint=complaint, user=assignee)
            elif d["action"] == "answer":
                services.complaint_answer(actor=user, complaint=complaint, answer=d["answer"])
            else:
                services.complaint_close(actor=user, complaint=complaint, outcome=d["outcome"])
        except ValidationError as exc:
            apply_errors(exc, form, aliases={"user": "assignee", "status": "action"})
        else:
            messages.success(request, _("已办理。"))
            return redirect("applications:complaint_detail", pk=complaint.pk)
    return render(
        request,
        "applications/complaint_detail.html",
        {"complaint": complaint, "form": form, "can_change": role_allows(user, Complaint, "change")},
    )


# ---- leads (线索) and discovery reports ---------------------------------------------------------


@scoped
def lead_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(user, Lead, "view")
    form = f.LeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        require(user, Lead, "add")
        d = form.cleaned_data
        household = Household.objects.restrict(user, "view").filter(number=d["number"].strip()).first()
        if household is None:
            form.add_error("number", _("未找到该家庭（或不在您的管辖范围内）"))
        else:
            try:
                lead = services.lead_create(
                    actor=user, source=d["source"], note=d["note"], household=household
                )
            except ValidationError as exc:
                apply_errors(exc, form, aliases={"household": "number"})
            else:
                messages.success(request, _("已登记线索。"))
                return redirect("applications:lead_detail", pk=lead.pk)
    return render(
        request,
        "applications/lead_list.html",
        {
            "page": _page(request, selectors.leads(user=user)),
            "form": form,
            "today": _today(),
            "can_add": role_allows(user, Lead, "add"),
        },
    )


@scoped
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Convert a lead into an application with the family's consent, or record why not."""
    user: Any = request.user
    lead = Lead.objects.restrict(user, "view").select_related("household", "person").get(pk=pk)
    members = (
        list(
            Membership.objects.filter(household=lead.household, end_date__isnull=True).select_related(
                "person"
            )
        )
        if lead.household
        else []
    )
    data = request.POST if request.method == "POST" else None
    form = f.ApplicationForm(
        data if data and "convert" in data else None,
        members=members,
        coordinator=user.role == Role.COORDINATOR,
        initial={"applicant": lead.household.head_id if lead.household else None, "submitted_on": _today()},
    )
    consent = f.ConsentForm(data if data and "convert" in data else None)
    decline = f.LeadDeclineForm(data if data and "decline" in data else None)
    if data and "convert" in data and form.is_valid() and consent.is_valid() and lead.household_id:
        try:
            application = services.lead_convert(
                actor=user,
                lead=lead,
                data=form.application_input(lead.household_id),
                consent_note=consent.cleaned_data["consent_note"],
            )
        except ValidationError as exc:
            apply_errors(exc, form, aliases={"consent_note": "applicant", "applicant_id": "applicant"})
            for message in exc.message_dict.get("consent_note", []):
                consent.add_error("consent_note", message)
        else:
            messages.success(request, _("已转为申请 %(n)s。") % {"n": application.number})
            return redirect("applications:application_detail", pk=application.pk)
    if data and "decline" in data and decline.is_valid():
        try:
            services.lead_decline(actor=user, lead=lead, note=decline.cleaned_data["note"])
        except ValidationError as exc:
            apply_errors(exc, decline, aliases={"lead": "note"})
        else:
            messages.success(request, _("已记录。"))
            return redirect("applications:lead_list")
    return render(
        request,
        "applications/lead_detail.html",
        {"lead": lead, "form": form, "consent": consent, "decline": decline},
    )


# ---- declarations of relatives ----------------------------------------------------------------------


@scoped
def relatives(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(user, StaffRelative, "view")
    form = f.RelativeForm(request.POST or None)
    if request.method == "POST" and "end" in request.POST:
        row = StaffRelative.objects.restrict(user, "change").get(pk=int(request.POST["end"]))
        services.staff_relative_end(actor=user, row=row)
        messages.success(request, _("已撤销该申报。"))
        return redirect("applications:relatives")
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_relative_declare(actor=user, **form.service_args())
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("已申报。"))
            return redirect("applications:relatives")
    return render(
        request,
        "applications/relatives.html",
        {"rows": selectors.staff_relatives(user=user), "form": form},
    )


# ---- county spot checks (县级抽查) -------------------------------------------------------------------


def _townships(user) -> list[tuple[str, str]]:
    from safetynet.regions.choices import Level
    from safetynet.regions.models import Region

    qs = Region.objects.filter(level=Level.TOWNSHIP)
    if user.region_id:
        from safetynet.core.permissions import region_q

        qs = qs.filter(region_q("code", user.region_id))
    return [(r.code, r.name) for r in qs.order_by("code")]


@scoped
def spot_check_list(request: HttpRequest) -> HttpResponse:
    """The county's spot checks of township-confirmed tekun cases, and the form to draw one."""
    user: Any = request.user
    require(user, SpotCheck, "view")
    can_add = role_allows(user, SpotCheck, "add")
    form = f.SpotCheckDrawForm(request.POST or None, townships=_townships(user)) if can_add else None
    if request.method == "POST" and form is not None and form.is_valid():
        d = form.cleaned_data
        try:
            check = services.spot_check_draw(
                actor=user, township_code=d["township"], date_from=d["date_from"], date_to=d["date_to"]
            )
        except ValidationError as exc:
            apply_errors(exc, form, aliases={"period": "date_from"})
        else:
            messages.success(request, _("已抽取 %(n)s 个个案。") % {"n": check.items.count()})
            return redirect("applications:spot_check_detail", pk=check.pk)
    checks = SpotCheck.objects.restrict(user, "view").order_by("-drawn_on", "-id")
    return render(
        request,
        "applications/spot_check_list.html",
        {"form": form, "page": _page(request, checks), "active": "spot_checks"},
    )


@scoped
def spot_check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The county's worklist of one draw: each sampled case and its check outcome."""
    user: Any = request.user
    check = SpotCheck.objects.restrict(user, "view").get(pk=pk)
    can_change = role_allows(user, SpotCheck, "change")
    posted = None
    if request.method == "POST" and can_change:
        posted = f.SpotCheckRecordForm(request.POST)
        if posted.is_valid():
            d = posted.cleaned_data
            item = SpotCheckItem.objects.get(pk=d["item"], spot_check=check)
            try:
                services.spot_check_record(
                    actor=user, item=item, outcome=d["outcome"], note=d["note"], checked_on=d["checked_on"]
                )
            except ValidationError as exc:
                apply_errors(exc, posted)
            else:
                messages.success(request, _("已记录抽查结果：%(n)s。") % {"n": item.case.number})
                return redirect("applications:spot_check_detail", pk=check.pk)
    rows = []
    for item in check.items.select_related("case", "case__household").order_by("outcome", "id"):
        form = (
            posted
            if posted is not None and str(posted.data.get("item")) == str(item.pk)
            else f.SpotCheckRecordForm(
                initial={
                    "item": item.pk,
                    "outcome": item.outcome,
                    "note": item.note,
                    "checked_on": item.checked_on,
                },
                prefix=None,
            )
        )
        rows.append((item, form))
    done = sum(1 for item, _f in rows if item.outcome)
    return render(
        request,
        "applications/spot_check_detail.html",
        {"check": check, "rows": rows, "can_change": can_change, "done": done, "active": "spot_checks"},
    )
