"""Objections and complaints (申诉、投诉举报): registered against a case or a person, assigned,
answered, closed with an outcome. Each step is a conditional update on the status."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.applications import choices as c
from safetynet.applications.models import Case, Complaint
from safetynet.applications.services._base import (
    actor_ref,
    add_error,
    atomic,
    raise_if,
    record_event,
    require_text,
    today_or,
)
from safetynet.core import crypto
from safetynet.core.masking import mask_phone
from safetynet.core.permissions import region_bounds, require
from safetynet.core.services import change_log_write, snapshot
from safetynet.registry.models import Household, Person


def complaint_register(
    *,
    actor: Any,
    kind: str,
    content: str,
    case: Case | None = None,
    person: Person | None = None,
    household: Household | None = None,
    complainant: str = "",
    contact: str = "",
    received_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Complaint:
    """Register an objection (申诉) or a complaint/report (投诉举报) against a case or a person.
    A complaint against an open case makes the county's home visit mandatory before confirmation."""
    require(actor, Complaint, "add")
    today = today_or(today)
    errors: dict[str, list[str]] = {}
    if kind not in c.ComplaintKind.values:
        add_error(errors, "kind", _("类型无效：%(v)s") % {"v": kind})
    content = require_text(errors, "content", content, _("请填写申诉或举报内容"))
    received_on = received_on or today
    if received_on > today:
        add_error(errors, "received_on", _("收到日期不能晚于今天"))
    if contact and not contact.replace("-", "").replace(" ", "").isdigit():
        add_error(errors, "contact", _("联系电话只能包含数字"))
    region = ""
    if case is not None:
        case = Case.objects.restrict(actor, "view").select_related("household").get(pk=case.pk)
        region, household = case.region_code, case.household
    elif household is not None:
        household = Household.objects.restrict(actor, "view").get(pk=household.pk)
        region = household.region_code
    elif person is not None:
        person = Person.objects.restrict(actor, "view").get(pk=person.pk)
        region = person.region_code
    else:
        add_error(errors, "case", _("请指明针对的个案、家庭或人员"))
    raise_if(errors)
    with atomic():
        row = Complaint.objects.create(
            kind=kind,
            region_code=region,
            case=case,
            household=household,
            person=person,
            complainant=complainant.strip(),
            contact_enc=crypto.encrypt(contact) if contact else "",
            contact_masked=mask_phone(contact),
            received_on=received_on,
            content=content,
            created_by=actor_ref(actor),
        )
        change_log_write(actor=actor, action="create", obj=row, after=snapshot(row), reason="complaint")
        if case is not None:
            record_event(
                case, actor=actor, action="complaint", reason=_("收到%(k)s") % {"k": row.get_kind_display()}
            )
    return row


def _move(
    actor: Any, complaint: Complaint, source: set[str], values: dict[str, Any], reason: str
) -> Complaint:
    complaint = Complaint.objects.restrict(actor, "change").get(pk=complaint.pk)
    updated = Complaint.objects.filter(pk=complaint.pk, status__in=sorted(source)).update(**values)
    if updated != 1:
        raise ValidationError(
            {"status": [_("当前状态为“%(s)s”，不能进行此操作") % {"s": complaint.get_status_display()}]}
        )
    complaint.refresh_from_db()
    change_log_write(
        actor=actor,
        action="update",
        obj=complaint,
        after={k: v for k, v in values.items() if k != "contact_enc"},
        reason=reason,
    )
    return complaint


def complaint_assign(*, actor: Any, complaint: Complaint, user: Any) -> Complaint:
    require(actor, Complaint, "change")
    errors: dict[str, list[str]] = {}
    if user is None or not user.region_id:
        add_error(errors, "user", _("请选择承办人"))
    else:
        low, high = region_bounds(user.region_id)
        if not (low <= complaint.region_code <= high) and not complaint.region_code.startswith(
            user.region_id[:6]
        ):
            add_error(errors, "user", _("%(u)s 的管辖范围不包含该事项") % {"u": user})
    raise_if(errors)
    with atomic():
        return _move(
            actor,
            complaint,
            {c.ComplaintStatus.REGISTERED, c.ComplaintStatus.ASSIGNED},
            {"assigned_to": user, "status": c.ComplaintStatus.ASSIGNED},
            _("交办给 %(u)s") % {"u": user},
        )


def complaint_answer(
    *, actor: Any, complaint: Complaint, answer: str, today: dt.date | None = None
) -> Complaint:
    require(actor, Complaint, "change")
    errors: dict[str, list[str]] = {}
    answer = require_text(errors, "answer", answer, _("请填写答复内容"))
    raise_if(errors)
    with atomic():
        return _move(
            actor,
            complaint,
            {c.ComplaintStatus.REGISTERED, c.ComplaintStatus.ASSIGNED},
            {"answer": answer, "answered_on": today_or(today), "status": c.ComplaintStatus.ANSWERED},
            "answered",
        )


def complaint_close(*, actor: Any, complaint: Complaint, outcome: str) -> Complaint:
    require(actor, Complaint, "change")
    errors: dict[str, list[str]] = {}
    if outcome not in c.ComplaintOutcome.values or not outcome:
        add_error(errors, "outcome", _("请选择办理结果"))
    raise_if(errors)
    with atomic():
        return _move(
            actor,
            complaint,
            {c.ComplaintStatus.ANSWERED},
            {"outcome": outcome, "status": c.ComplaintStatus.CLOSED, "closed_at": timezone.now()},
            "closed",
        )
