"""The transition engine and the helpers every workflow service shares.

A service reads the case through ``restrict(actor, "change")`` (wrong role → 403, outside scope →
404), asks the table whether the move is allowed from the current state and for the actor's role,
validates its own input and the table's checks together (so one message lists everything that
is wrong), then, in one transaction, writes its records and moves the case with a conditional
UPDATE on (state, version) and a row-count check: of two officers approving at once, one wins
and the other is told the case has moved on; nothing of the loser's is kept.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.applications import deadlines, workflow
from safetynet.applications.choices import FINAL_STATES, State
from safetynet.applications.models import Case, Counter, Transition
from safetynet.core.services import change_log_write, to_json


def today_or(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def actor_ref(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def actor_name(actor: Any) -> str:
    return actor.get_username() if getattr(actor, "pk", None) else "system"


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def add_error(errors: dict[str, list[str]], key: str, message: Any) -> None:
    errors.setdefault(key, []).append(str(message))


def require_text(errors: dict[str, list[str]], key: str, value: str, message: Any) -> str:
    value = (value or "").strip()
    if not value:
        add_error(errors, key, message)
    return value


def number_next(key: str, year: int) -> int:
    """The next number of a per-key, per-year sequence. Must run inside the caller's
    transaction: the UPDATE locks the row until it commits, so no two callers get one number."""
    Counter.objects.get_or_create(key=key, year=year)
    updated = Counter.objects.filter(key=key, year=year).update(last=F("last") + 1)
    if updated != 1:  # pragma: no cover - the row was just created
        raise RuntimeError(f"counter {key}/{year} missing")
    return Counter.objects.get(key=key, year=year).last


def load_case(actor: Any, case: Case | int, action: str = "change") -> Case:
    pk = case.pk if isinstance(case, Case) else case
    return (
        Case.objects.restrict(actor, action)
        .select_related("application", "household", "household__region")
        .get(pk=pk)
    )


def gate(case: Case, action: str, actor: Any) -> workflow.Step:
    """The table's row for this move, or a clear refusal: not allowed from this state (422,
    listing what is allowed) or not for this role (403)."""
    procedure = workflow.procedure_of(case.program, case.kind)
    step = workflow.find(procedure, case.program, case.state, action)
    if step is None:
        allowed = [
            str(s.label)
            for s in workflow.steps_for(procedure, case.program, case.state)
            if workflow.role_may(s, getattr(actor, "role", ""), delegated=case.delegated)
        ]
        message = _("个案 %(n)s 当前环节为“%(s)s”，不能进行“%(a)s”。") % {
            "n": case.number,
            "s": case.get_state_display(),
            "a": workflow.ACTION_LABELS.get(action, action),
        }
        message += (
            _("当前可进行：%(l)s。") % {"l": "、".join(dict.fromkeys(allowed))}
            if allowed
            else _("您在此环节没有可进行的操作。")
        )
        raise ValidationError({"state": [message]})
    if not workflow.role_may(step, getattr(actor, "role", ""), delegated=case.delegated):
        raise PermissionDenied(
            _("“%(a)s”须由%(r)s办理") % {"a": step.label, "r": "、".join(_role_labels(step, case))}
        )
    return step


def _role_labels(step: workflow.Step, case: Case) -> list[str]:
    from safetynet.accounts.roles import Role

    return [str(Role(r).label) for r in sorted(workflow.roles_for(step, delegated=case.delegated))]


def check_step(
    step: workflow.Step, case: Case, *, today: dt.date, data: dict | None = None, errors: dict | None = None
) -> dict[str, list[str]]:
    """The table's checks for the step, merged into ``errors``."""
    errors = errors if errors is not None else {}
    ctx = workflow.CheckContext(today=today, data=data or {})
    for name, messages in workflow.missing(step, case, ctx).items():
        for message in messages:
            add_error(errors, name, message)
    return errors


def advance(
    case: Case,
    step: workflow.Step,
    *,
    actor: Any,
    today: dt.date,
    reason: str = "",
    expected_version: int | None = None,
    changes: dict[str, Any] | None = None,
    data: dict | None = None,
) -> Case:
    """Move the case along ``step`` (inside the caller's transaction). ``changes`` are other
    fields of the case written by the same conditional UPDATE."""
    changes = dict(changes or {})
    for name, value in changes.items():  # the due dates may depend on them (clock start, extension)
        setattr(case, name, value)
    params = deadlines.parameters_for(region_code=case.region_code, program=case.program, day=today)
    due = deadlines.due_for(case, step.target, step.limit, today, params)
    values: dict[str, Any] = {
        **changes,
        "state": step.target,
        "version": F("version") + 1,
        "step_entered_on": today,
        "step_due": due.step.due if due.step else None,
        "step_due_provisional": bool(due.step and due.step.provisional),
        "step_limit": due.limit,
        "total_due": due.total.due if due.total else None,
        "total_due_provisional": bool(due.total and due.total.provisional),
        "updated_at": timezone.now(),
    }
    if step.target in FINAL_STATES:
        values["closed_at"] = timezone.now()
    version = expected_version if expected_version is not None else case.version
    updated = Case.objects.filter(pk=case.pk, state=step.source, version=version).update(**values)
    if updated != 1:
        raise ValidationError(
            {
                "state": [
                    _("个案 %(n)s 已被他人处理（环节或版本已变化），本次“%(a)s”未生效，请刷新页面后重试。")
                    % {"n": case.number, "a": step.label}
                ]
            }
        )
    Transition.objects.create(
        case=case,
        action=step.action,
        from_state=step.source,
        to_state=step.target,
        actor=actor_ref(actor),
        actor_name=actor_name(actor),
        reason=reason,
        time=timezone.now(),
        step_due=values["step_due"],
        step_due_provisional=values["step_due_provisional"],
        data=to_json(data or {}),
    )
    change_log_write(
        actor=actor,
        action="update",
        obj=case,
        before={"state": step.source, "version": version},
        after={
            "state": step.target,
            "version": version + 1,
            "step_due": values["step_due"],
            **{k: v for k, v in changes.items() if not hasattr(v, "pk")},
        },
        reason=f"{step.action}: {reason}" if reason else step.action,
    )
    case.refresh_from_db()
    return case


def open_case_record(
    case: Case, *, actor: Any, today: dt.date, reason: str, data: dict | None = None
) -> Case:
    """Give a new case its first due dates and its first transition row (from nothing)."""
    procedure = workflow.procedure_of(case.program, case.kind)
    state = workflow.INITIAL_STATE[procedure]
    limit = "acceptance" if state == State.SUBMITTED and procedure == workflow.APPLICATION else None
    if procedure == workflow.EMERGENCY:
        limit = None
    params = deadlines.parameters_for(region_code=case.region_code, program=case.program, day=today)
    case.state = state
    case.step_entered_on = today
    due = deadlines.due_for(case, state, limit, today, params)
    case.step_due = due.step.due if due.step else None
    case.step_due_provisional = bool(due.step and due.step.provisional)
    case.step_limit = due.limit
    case.total_due = due.total.due if due.total else None
    case.total_due_provisional = bool(due.total and due.total.provisional)
    case.full_clean(exclude=["application", "household", "snapshot", "predecessor", "change_report"])
    case.save()
    Transition.objects.create(
        case=case,
        action="open",
        from_state="",
        to_state=state,
        actor=actor_ref(actor),
        actor_name=actor_name(actor),
        reason=reason,
        time=timezone.now(),
        step_due=case.step_due,
        step_due_provisional=case.step_due_provisional,
        data=to_json(data or {}),
    )
    return case


def record_event(case: Case, *, actor: Any, action: str, reason: str, data: dict | None = None) -> Transition:
    """A dated event on a case that does not change its state (an extension, a reassignment)."""
    return Transition.objects.create(
        case=case,
        action=action,
        from_state=case.state,
        to_state=case.state,
        actor=actor_ref(actor),
        actor_name=actor_name(actor),
        reason=reason,
        time=timezone.now(),
        step_due=case.step_due,
        step_due_provisional=case.step_due_provisional,
        data=to_json(data or {}),
    )


atomic = transaction.atomic
