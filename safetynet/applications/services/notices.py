"""Public notices (公示): a village's list of proposed households for 7 days, objections while
it runs, and its close (no objection → the county; objection → re-investigation or
deliberation)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.applications import choices as c
from safetynet.applications import deadlines, workflow
from safetynet.applications.models import Case, NoticeLine, Objection, PublicNotice
from safetynet.applications.printing import township_authority
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
    require_text,
    today_or,
)
from safetynet.core.permissions import region_bounds, require
from safetynet.core.services import change_log_write, snapshot
from safetynet.regions.choices import Level
from safetynet.regions.models import Region


def _line_values(case: Case, village: Region) -> dict[str, Any]:
    """Only what the law allows on a notice: applicant's name, household size, amount, village
    (审核确认办法 第24条; domain-rules §11.9)."""
    applicant = case.application.applicant.name if case.application else case.household.head_name
    return {
        "applicant_name": applicant,
        "household_size": case.household.size,
        "amount": case.proposed_amount if case.program in c.MONTHLY_PROGRAMS | c.ONE_OFF_PROGRAMS else None,
        "program_label": str(case.get_program_display()),
        "village_name": village.name,
    }


def notice_publish(
    *,
    actor: Any,
    village_code: str,
    case_ids: list[int],
    contact_phone: str,
    contact_address: str,
    today: dt.date | None = None,
) -> PublicNotice:
    """Post the proposed households of one village and one program for the notice period (7
    days by default), starting today; each case moves to "公示中"."""
    require(actor, PublicNotice, "add")
    today = today_or(today)
    errors: dict[str, list[str]] = {}
    village = Region.objects.filter(code=village_code, level=Level.VILLAGE).first()
    if village is None:
        add_error(errors, "village", _("请选择村（社区）：%(c)s 不是村（社区）") % {"c": village_code or "—"})
    elif actor.region_id:
        low, high = region_bounds(actor.region_id)
        if not (low <= village_code <= high):
            add_error(errors, "village", _("村（社区）%(c)s 不在您的管辖范围内") % {"c": village.name})
    contact_phone = require_text(errors, "contact_phone", contact_phone, _("请填写异议受理电话"))
    contact_address = require_text(errors, "contact_address", contact_address, _("请填写异议受理地址"))
    ids = list(dict.fromkeys(int(i) for i in case_ids or []))
    if not ids:
        add_error(errors, "cases", _("公示名单不能为空：请至少选择一个拟批准的个案"))
    cases: list[tuple[Case, Any]] = []
    for pk in ids:
        try:
            case = load_case(actor, pk)
        except Case.DoesNotExist:
            add_error(errors, "cases", _("个案 %(i)s 不存在或不在您的管辖范围内") % {"i": pk})
            continue
        if village is not None and case.region_code != village.code:
            add_error(errors, "cases", _("个案 %(n)s 不属于%(v)s") % {"n": case.number, "v": village.name})
            continue
        try:
            step = gate(case, "publish", actor)
        except ValidationError as exc:
            for message in exc.message_dict.get("state", exc.messages):
                add_error(errors, "cases", message)
            continue
        problems = check_step(step, case, today=today)
        for messages in problems.values():
            for message in messages:
                add_error(errors, "cases", f"{case.number}：{message}")
        cases.append((case, step))
    programs = {case.program for case, _step in cases}
    if len(programs) > 1:
        add_error(errors, "cases", _("一份公示只能包含同一救助项目的个案，请按项目分别公示"))
    raise_if(errors)
    assert village is not None
    params = deadlines.parameters_for(region_code=village.code, program="", day=today)
    days = int(params["workflow.public_notice_days"].value or 7)
    township = Region.objects.filter(code=village.parent_id).first()
    with atomic():
        number = number_next(f"notice:{village.code[:9]}", today.year)
        notice = PublicNotice.objects.create(
            number=f"GS{village.code[:9]}{today.year}{number:04d}",
            village=village,
            region_code=village.code,
            program=cases[0][0].program,
            issuer=township_authority(township.name if township else ""),
            contact_phone=contact_phone,
            contact_address=contact_address,
            start_date=today,
            end_date=today + dt.timedelta(days=days - 1),
            created_by=actor_ref(actor),
        )
        change_log_write(
            actor=actor, action="create", obj=notice, after=snapshot(notice), reason="notice published"
        )
        for case, step in cases:
            NoticeLine.objects.create(notice=notice, case=case, **_line_values(case, village))
            advance(
                case,
                step,
                actor=actor,
                today=today,
                reason=_("公示 %(n)s，%(s)s 至 %(e)s")
                % {"n": notice.number, "s": notice.start_date, "e": notice.end_date},
                data={"notice": notice.pk},
            )
    return notice


def objection_record(
    *,
    actor: Any,
    line: NoticeLine,
    content: str,
    raised_by: str = "",
    today: dt.date | None = None,
) -> Objection:
    """An objection against a line, while the notice runs."""
    require(actor, Objection, "add")
    today = today_or(today)
    notice = PublicNotice.objects.restrict(actor, "view").get(pk=line.notice_id)
    line = NoticeLine.objects.select_related("case").get(pk=line.pk, notice=notice)
    errors: dict[str, list[str]] = {}
    content = require_text(errors, "content", content, _("请填写异议内容"))
    if notice.status != c.NoticeStatus.RUNNING or not (notice.start_date <= today <= notice.end_date):
        add_error(
            errors,
            "line",
            _("公示期为 %(s)s 至 %(e)s，只能在公示期内登记异议")
            % {"s": notice.start_date, "e": notice.end_date},
        )
    raise_if(errors)
    with atomic():
        row = Objection.objects.create(
            line=line,
            raised_by=raised_by.strip(),
            received_on=today,
            content=content,
            created_by=actor_ref(actor),
        )
        change_log_write(actor=actor, action="create", obj=row, after=snapshot(row), reason="objection")
    return row


def notice_close(*, actor: Any, notice: PublicNotice, today: dt.date | None = None) -> PublicNotice:
    """After the notice period: each case without an objection goes to the county, each with
    one to "公示有异议" (re-investigation or deliberation next)."""
    require(actor, PublicNotice, "change")
    today = today_or(today)
    notice = PublicNotice.objects.restrict(actor, "change").get(pk=notice.pk)
    errors: dict[str, list[str]] = {}
    if notice.status != c.NoticeStatus.RUNNING:
        add_error(errors, "notice", _("公示已结束"))
    if today <= notice.end_date:
        add_error(errors, "notice", _("公示期至 %(d)s，期满后才能结束") % {"d": notice.end_date.isoformat()})
    raise_if(errors)
    with atomic():
        if not _close(notice, actor=actor, today=today):
            raise ValidationError({"notice": [_("公示已被他人结束")]})
    notice.refresh_from_db()
    return notice


def _close(notice: PublicNotice, *, actor: Any, today: dt.date) -> bool:
    """Close a running notice and move its cases on as the table says (inside the caller's
    transaction). False when someone else closed it first: nothing is done twice."""
    updated = PublicNotice.objects.filter(pk=notice.pk, status=c.NoticeStatus.RUNNING).update(
        status=c.NoticeStatus.CLOSED, closed_at=timezone.now()
    )
    if updated != 1:
        return False
    for line in notice.lines.select_related("case"):
        case = Case.objects.select_related("application", "household").get(pk=line.case_id)
        if case.state != c.State.NOTICE:
            continue
        action = "objection" if line.objections.exists() else "close_notice"
        if actor is None:  # the scheduled close: the table's move, taken by the system
            step = workflow.find(
                workflow.procedure_of(case.program, case.kind), case.program, case.state, action
            )
            assert step is not None
        else:
            step = gate(case, action, actor)
        raise_if(check_step(step, case, today=today))
        advance(case, step, actor=actor, today=today, reason=str(step.label), data={"notice": notice.pk})
    change_log_write(
        actor=actor,
        action="update",
        obj=notice,
        after={"status": "closed"},
        reason="notice closed" if actor is not None else "notice closed at the end of its period",
    )
    return True


def notice_close_if_ended(*, notice: PublicNotice, today: dt.date | None = None) -> bool:
    """Close a notice on access when its period is over (the page, the API, the case page show
    it closed, with its cases moved on). True when this call closed it."""
    today = today_or(today)
    if notice.status != c.NoticeStatus.RUNNING or today <= notice.end_date:
        return False
    with atomic():
        closed = _close(notice, actor=None, today=today)
    if closed:
        notice.refresh_from_db()
    return closed


def notices_close_ended(*, today: dt.date | None = None, actor: Any = None) -> int:
    """``safetynet workflow close-notices``: close every running notice whose period is over
    and move its cases on. Idempotent: a closed notice is not touched again. One job, one
    change-log entry per notice."""
    import hashlib

    from safetynet.core import context
    from safetynet.core.services import job_finish, job_start

    today = today_or(today)
    due = PublicNotice.objects.filter(status=c.NoticeStatus.RUNNING, end_date__lt=today).order_by(
        "end_date", "id"
    )
    job = job_start(kind="workflow.notices_close", actor=actor, params={"today": today})
    closed: list[str] = []
    with context.bound(job=job.pk):
        for notice in due.iterator(chunk_size=200):
            with atomic():  # one notice at a time: a failure leaves the others closed
                if _close(notice, actor=None, today=today):
                    closed.append(notice.number)
    job_finish(
        job=job,
        counts={"closed": len(closed)},
        digest=hashlib.sha256("\n".join(closed).encode()).hexdigest(),
        reason="notices closed at the end of their period",
    )
    return len(closed)
