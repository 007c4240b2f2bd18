"""Dynamic management (动态管理): review cases on schedule (yearly for stable households, every
6 months for unstable income or able-bodied members, tekun yearly), change cases from reported
changes, a death review due within 3 months; and the recomputation of provisional due dates
once a year's holiday schedule is entered."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from safetynet.applications import choices as c
from safetynet.applications import deadlines
from safetynet.applications.models import Case, Counter
from safetynet.applications.services._base import (
    actor_ref,
    add_error,
    atomic,
    number_next,
    open_case_record,
    raise_if,
    require_text,
    today_or,
)
from safetynet.core import context
from safetynet.core.permissions import require
from safetynet.core.services import change_log_write, job_finish, job_start, snapshot
from safetynet.registry import choices as rc
from safetynet.registry.models import ChangeReport

CHANGE_KINDS = {
    rc.ChangeKind.MEMBER_JOINED: c.CaseKind.CHANGE,
    rc.ChangeKind.MEMBER_LEFT: c.CaseKind.CHANGE,
    rc.ChangeKind.MEMBER_DIED: c.CaseKind.DEATH,
    rc.ChangeKind.INCOME: c.CaseKind.CHANGE,
    rc.ChangeKind.ASSET: c.CaseKind.CHANGE,
}


def _open_review(
    entitlement: Case,
    *,
    kind: str,
    due: dt.date,
    actor: Any,
    today: dt.date,
    reason: str,
    job: Any = None,
    change_report: ChangeReport | None = None,
) -> Case:
    number = number_next(f"review:{entitlement.township_code}", today.year)
    case = Case(
        number=f"FH{entitlement.township_code[:9]}{today.year}{number:05d}",
        household_id=entitlement.household_id,
        region_code=entitlement.household.region_code,
        township_code=entitlement.household.region_code[:9] + "000",
        program=entitlement.program,
        kind=kind,
        opened_on=today,
        review_due=due,
        predecessor=entitlement,
        change_report=change_report,
        change_person=change_report.person if change_report else None,
        delegated=entitlement.delegated,
        step_entered_on=today,
        created_by=actor_ref(actor),
        job=job,
    )
    case.household = entitlement.household
    open_case_record(case, actor=actor, today=today, reason=reason, data={"predecessor": entitlement.pk})
    return case


def _has_open_review(entitlement: Case) -> bool:
    return (
        Case.objects.filter(predecessor=entitlement, closed_at__isnull=True)
        .exclude(kind=c.CaseKind.APPLICATION)
        .exists()
    )


def review_open(
    *,
    actor: Any,
    case: Case,
    kind: str = c.CaseKind.CHANGE,
    reason: str,
    due: dt.date | None = None,
    today: dt.date | None = None,
) -> Case:
    """Open a review of an entitlement by hand (a reported change, a complaint's finding)."""
    require(actor, Case, "add")
    today = today_or(today)
    entitlement = Case.objects.restrict(actor, "change").select_related("household").get(pk=case.pk)
    errors: dict[str, list[str]] = {}
    reason = require_text(errors, "reason", reason, _("请说明复核原因"))
    if not entitlement.entitlement_active:
        add_error(errors, "case", _("该个案不在享受待遇中，无需复核"))
    elif _has_open_review(entitlement):
        add_error(errors, "case", _("该个案已有正在办理的复核"))
    if kind not in (c.CaseKind.REVIEW, c.CaseKind.CHANGE, c.CaseKind.DEATH):
        add_error(errors, "kind", _("复核类型无效"))
    raise_if(errors)
    params = deadlines.parameters_for(
        region_code=entitlement.region_code, program=entitlement.program, day=today
    )
    if due is None:
        months = params["workflow.death_review_months"].value if kind == c.CaseKind.DEATH else 1
        due = deadlines.add_months(today, int(months or 1))
    with atomic():
        review = _open_review(entitlement, kind=kind, due=due, actor=actor, today=today, reason=reason)
        change_log_write(actor=actor, action="create", obj=review, after=snapshot(review), reason=reason)
    return review


def reviews_schedule(*, today: dt.date | None = None, actor: Any = None) -> int:
    """Open the periodic review of every entitlement whose review date falls within the lead
    time (30 days by default) and has no review open yet. One job, one change-log entry."""
    today = today_or(today)
    from safetynet.applications import parameters

    lead = parameters.national("workflow.review_lead_days", today)
    horizon = today + dt.timedelta(days=int(lead.value) if lead else 30)
    due_rows = (
        Case.objects.filter(entitlement_active=True, next_review_on__lte=horizon)
        .select_related("household")
        .order_by("next_review_on", "id")
    )
    job = job_start(kind="workflow.reviews_schedule", actor=actor, params={"today": today})
    opened = []
    with context.bound(job=job.pk), atomic():
        for entitlement in due_rows.iterator(chunk_size=500):
            if _has_open_review(entitlement):
                continue
            case = _open_review(
                entitlement,
                kind=c.CaseKind.REVIEW,
                due=entitlement.next_review_on or today,
                actor=actor,
                today=today,
                reason=_("定期复核（到期日 %(d)s）") % {"d": entitlement.next_review_on},
                job=job,
            )
            opened.append(case.number)
    digest = hashlib.sha256("\n".join(opened).encode()).hexdigest()
    job_finish(job=job, counts={"opened": len(opened)}, digest=digest, reason="periodic reviews opened")
    return len(opened)


def changes_scan(*, today: dt.date | None = None, actor: Any = None) -> int:
    """Open a change case (or a death review due within 3 months of the death) for every change
    reported since the last scan on a household with an active entitlement."""
    today = today_or(today)
    Counter.objects.get_or_create(key="changes_scan", year=0)
    last = Counter.objects.get(key="changes_scan", year=0).last
    reports = (
        ChangeReport.objects.filter(pk__gt=last, kind__in=list(CHANGE_KINDS))
        .select_related("person")
        .order_by("pk")
    )
    job = job_start(kind="workflow.changes_scan", actor=actor, params={"after": last})
    opened: list[str] = []
    high = last
    with context.bound(job=job.pk), atomic():
        for report in reports.iterator(chunk_size=500):
            high = max(high, report.pk)
            kind = CHANGE_KINDS[report.kind]
            entitlements = Case.objects.filter(
                household_id=report.household_id, entitlement_active=True
            ).select_related("household")
            for entitlement in entitlements:
                if _has_open_review(entitlement):
                    continue
                params = deadlines.parameters_for(
                    region_code=entitlement.region_code, program=entitlement.program, day=today
                )
                if kind == c.CaseKind.DEATH:
                    died = (report.person.death_date if report.person else None) or report.created_at.date()
                    due = deadlines.add_months(died, int(params["workflow.death_review_months"].value or 3))
                else:
                    due = deadlines.add_months(today, 1)
                case = _open_review(
                    entitlement,
                    kind=kind,
                    due=due,
                    actor=actor,
                    today=today,
                    reason=f"{report.get_kind_display()}：{report.reason}",
                    job=job,
                    change_report=report if not Case.objects.filter(change_report=report).exists() else None,
                )
                opened.append(case.number)
        Counter.objects.filter(key="changes_scan", year=0).update(last=high)
    digest = hashlib.sha256("\n".join(opened).encode()).hexdigest()
    job_finish(
        job=job, counts={"opened": len(opened), "last_report": high}, digest=digest, reason="change cases"
    )
    return len(opened)


def deadlines_recompute(*, actor: Any = None, today: dt.date | None = None) -> int:
    """Recompute the due dates that were provisional (a year not entered in the holiday
    calendar when they were computed). Run after ``safetynet calendar enter``; the daily job
    runs it too. Returns how many cases changed."""
    today = today_or(today)
    rows = Case.objects.filter(closed_at__isnull=True).filter(
        Q(step_due_provisional=True) | Q(total_due_provisional=True)
    )
    job = job_start(kind="workflow.deadlines_recompute", actor=actor)
    changed = []
    with context.bound(job=job.pk), atomic():
        for case in rows.iterator(chunk_size=500):
            params = deadlines.parameters_for(
                region_code=case.region_code, program=case.program, day=case.step_entered_on
            )
            due = deadlines.due_for(case, case.state, case.step_limit or None, case.step_entered_on, params)
            values = {
                "step_due": due.step.due if due.step else None,
                "step_due_provisional": bool(due.step and due.step.provisional),
                "total_due": due.total.due if due.total else None,
                "total_due_provisional": bool(due.total and due.total.provisional),
            }
            if any(getattr(case, k) != v for k, v in values.items()):
                Case.objects.filter(pk=case.pk, version=case.version).update(**values)
                changed.append(f"{case.number}:{values['step_due']}:{values['total_due']}")
    job_finish(
        job=job,
        counts={"changed": len(changed)},
        digest=hashlib.sha256("\n".join(changed).encode()).hexdigest(),
        reason="provisional due dates recomputed",
    )
    return len(changed)
