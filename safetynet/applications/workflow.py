"""The procedure as a table in code (architecture.md, "Workflow is a table in code").

Each row of ``STEPS`` is one allowed move: the procedure(s) and program(s) it belongs to, the
state it leaves and the state it enters, the action's name, the roles that may take it, what must
be on file by then (named checks, below), and the name of the time limit of the state entered
(``deadlines.py`` turns names into dated, regional parameters). A move that is not in the table
is not allowed; the services never decide "what comes next" anywhere else.

Procedures:
- ``application``: dibao, tekun, edge, rigid expenditure and expenditure-driven temporary
  assistance: submitted → accepted → authorised → investigating → assessed → opinion →
  [notice 7 days → (objection → re-investigation or deliberation)] → county review
  [→ joint meeting] → approved / refused → notified. Rigid expenditure and expenditure-driven
  temporary assistance may go from the opinion to the county without a notice; so does a
  negative opinion (no one is posted who is not proposed).
- ``emergency``: emergency temporary assistance: help first from the standby fund, paperwork
  after (or a quick ordinary acceptance), county (or delegated township) approval, possibly in
  stages; no verification, deliberation or notice required (民发〔2018〕23号).
- ``review``: periodic review, change and death reviews of an entitlement: investigation,
  assessment, proposal, county decision to continue, increase, decrease or stop; a decrease or
  stop needs the household's hearing on file (社会救助法 第48条).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from safetynet.accounts.roles import Role
from safetynet.applications.choices import CaseKind, DecisionKind, Program, State

APPLICATION = "application"
EMERGENCY = "emergency"
REVIEW = "review"
PROCEDURES = (APPLICATION, EMERGENCY, REVIEW)

NOTICE_PROGRAMS = frozenset({Program.DIBAO, Program.TEKUN, Program.EDGE})
NO_NOTICE_PROGRAMS = frozenset({Program.RIGID_EXPENDITURE, Program.TEMPORARY_EXPENDITURE})

CW = frozenset({Role.CASEWORKER})
CO = frozenset({Role.COUNTY_OFFICER})
CW_CO = CW | CO
CW_COORD = CW | frozenset({Role.COORDINATOR})


def procedure_of(program: str, kind: str) -> str:
    if kind != CaseKind.APPLICATION:
        return REVIEW
    return EMERGENCY if program == Program.TEMPORARY_EMERGENCY else APPLICATION


@dataclass(frozen=True)
class Step:
    action: str
    source: str
    target: str
    roles: frozenset[str]
    label: Any
    requires: tuple[str, ...] = ()
    limit: str | None = None
    procedures: frozenset[str] = frozenset({APPLICATION})
    programs: frozenset[str] | None = None  # None: every program of the procedure
    delegable: bool = False  # a caseworker may take it where confirmation is delegated
    reason_required: bool = False


def _s(
    action, source, target, roles, label, requires=(), limit=None, procedures=(APPLICATION,), **kw
) -> Step:
    return Step(action, source, target, roles, label, tuple(requires), limit, frozenset(procedures), **kw)


S = State
TEKUN_ONLY = frozenset({Program.TEKUN})
NOT_TEKUN = frozenset(Program.values) - TEKUN_ONLY
APP_EMERG = (APPLICATION, EMERGENCY)
ALL = (APPLICATION, EMERGENCY, REVIEW)
OPEN_BEFORE_DECISION = (
    S.SUBMITTED,
    S.RETURNED,
    S.ACCEPTED,
    S.AUTHORISED,
    S.INVESTIGATING,
    S.ASSESSED,
    S.OPINION,
    S.OBJECTION,
    S.REVIEW,
    S.HELPED,
)

# fmt: off
# One row per move: action, from, to, roles, label, required on file, time limit of the state
# entered, procedures (default: application), and flags.
STEPS: tuple[Step, ...] = (
    # ---- intake (受理) ------------------------------------------------------------------------------------------
    _s("accept",        S.SUBMITTED,     S.ACCEPTED,      CW,       _("受理"),                 ("commitment_signed", "materials_complete"), "investigation_start", (APPLICATION,)),
    _s("accept",        S.SUBMITTED,     S.ACCEPTED,      CW,       _("受理"),                 ("commitment_signed", "materials_complete"), None, (EMERGENCY,)),
    _s("return",        S.SUBMITTED,     S.RETURNED,      CW,       _("退回补正（一次性告知）"), (), None, APP_EMERG),
    _s("resubmit",      S.RETURNED,      S.SUBMITTED,     CW_COORD, _("补正后重新提交"),       (), "acceptance", APP_EMERG),
    _s("not_accept",    S.SUBMITTED,     S.NOT_ACCEPTED,  CW,       _("不予受理"),             (), None, APP_EMERG, reason_required=True),
    # ---- authorisation and investigation (授权核对、调查核实) ---------------------------------------------------
    _s("authorise",     S.ACCEPTED,      S.AUTHORISED,    CW,       _("授权核对手续齐全"),     ("authorisations_complete",), "investigation_start"),
    _s("investigate",   S.AUTHORISED,    S.INVESTIGATING, CW,       _("启动调查并申请信息核对"), (), "investigation"),
    _s("assess",        S.INVESTIGATING, S.ASSESSED,      CW,       _("调查核实完成，规则评估"), ("home_visit", "verification_report"), None),
    _s("propose",       S.ASSESSED,      S.OPINION,       CW,       _("提出初审意见"),         ("snapshot",), None),
    # ---- public notice (公示) and objections ---------------------------------------------------------------------
    _s("publish",       S.OPINION,       S.NOTICE,        CW,       _("张榜公示"),             ("opinion_recorded", "opinion_positive"), "notice"),
    _s("submit_review", S.OPINION,       S.REVIEW,        CW,       _("报县级审核确认"),       ("opinion_recorded", "notice_not_needed"), "county_review"),
    _s("close_notice",  S.NOTICE,        S.REVIEW,        CW,       _("公示期满无异议，报县级审核确认"), ("notice_ended", "no_objections"), "county_review"),
    _s("objection",     S.NOTICE,        S.OBJECTION,     CW,       _("公示期满有异议"),       ("notice_ended", "has_objections"), "reinvestigation"),
    _s("reinvestigate", S.OBJECTION,     S.INVESTIGATING, CW,       _("重新调查"),             (), "reinvestigation"),
    _s("deliberate",    S.OBJECTION,     S.OPINION,       CW,       _("民主评议后重新提出初审意见"), ("deliberation",), None),
    # ---- county review and decision (审核确认) ---------------------------------------------------------------------
    _s("refer_meeting", S.REVIEW,        S.JOINT_MEETING, CO,       _("提交联席会议一事一议"), (), None, reason_required=True),
    _s("meeting_return", S.JOINT_MEETING, S.REVIEW,       CO,       _("联席会议同意，回到审核确认"), ("meeting_decided",), "county_review"),
    _s("send_back",     S.REVIEW,        S.INVESTIGATING, CO,       _("退回乡镇重新调查"),     (), "reinvestigation", ALL, reason_required=True),
    _s("approve",       S.REVIEW,        S.APPROVED,      CO,       _("批准"),                 ("snapshot", "county_visit_if_flagged"), "notify", delegable=True),
    _s("approve",       S.REVIEW,        S.APPROVED,      CO,       _("批准"),                 ("county_visit_if_flagged",), "notify", (EMERGENCY,), delegable=True),
    _s("refuse",        S.REVIEW,        S.REFUSED,       CO,       _("不予批准"),             (), "notify", APP_EMERG, delegable=True, reason_required=True),
    _s("refuse",        S.JOINT_MEETING, S.REFUSED,       CO,       _("联席会议决定不予救助"), ("meeting_decided",), "notify", reason_required=True),
    _s("notify",        S.APPROVED,      S.NOTIFIED,      CW_CO,    _("决定书已送达"),         ("letter_issued",), None, ALL),
    _s("notify",        S.REFUSED,       S.NOTIFIED,      CW_CO,    _("决定书已送达"),         ("letter_issued",), None, APP_EMERG),
    _s("notify",        S.STOPPED,       S.NOTIFIED,      CW_CO,    _("停止救助通知已送达"),   ("letter_issued",), None, (REVIEW,)),
    # ---- emergency temporary assistance (急难型临时救助：先行救助) -------------------------------------------
    _s("help_first",    S.SUBMITTED,     S.HELPED,        CW,       _("先行救助（备用金）"),   (), "emergency_paperwork", (EMERGENCY,)),
    _s("complete_paperwork", S.HELPED,   S.REVIEW,        CW,       _("补办手续，报审批"),     ("commitment_signed", "materials_complete"), "county_review", (EMERGENCY,)),
    _s("submit_review", S.ACCEPTED,      S.REVIEW,        CW,       _("报审批"),               (), "county_review", (EMERGENCY,)),
    # ---- review of an entitlement (复核) ------------------------------------------------------------------------------
    _s("investigate",   S.OPENED,        S.INVESTIGATING, CW,       _("启动复核调查"),         (), "investigation", (REVIEW,)),
    _s("assess",        S.INVESTIGATING, S.ASSESSED,      CW,       _("复核调查完成，规则评估"), ("visit_or_verification", "authorisations_complete"), None, (REVIEW,)),
    _s("propose",       S.ASSESSED,      S.OPINION,       CW,       _("提出复核意见"),         ("snapshot", "proposal_recorded"), None, (REVIEW,)),
    _s("submit_review", S.OPINION,       S.REVIEW,        CW,       _("报县级审核确认"),       ("opinion_recorded",), "county_review", (REVIEW,)),
    _s("approve",       S.REVIEW,        S.APPROVED,      CO,       _("确认继续救助（维持/增发/减发）"), ("snapshot", "hearing_if_reduction"), "notify", (REVIEW,), delegable=True),
    _s("stop",          S.REVIEW,        S.STOPPED,       CO,       _("停止救助"),             ("hearing",), "notify", (REVIEW,), programs=NOT_TEKUN, delegable=True, reason_required=True),
    # tekun: termination is posted in the village for 7 days before it takes effect (特困人员认定办法 第24–27条)
    _s("stop_notice",   S.REVIEW,        S.STOP_NOTICE,   CO,       _("拟终止供养，张榜公示"), ("hearing",), "stop_notice", (REVIEW,), programs=TEKUN_ONLY, delegable=True, reason_required=True),
    _s("withdraw_stop", S.STOP_NOTICE,   S.REVIEW,        CO,       _("公示有异议，撤回拟终止"), (), "county_review", (REVIEW,), programs=TEKUN_ONLY, delegable=True, reason_required=True),
    _s("stop",          S.STOP_NOTICE,   S.STOPPED,       CO,       _("公示期满，终止供养"),   ("hearing", "stop_notice_ended"), "notify", (REVIEW,), programs=TEKUN_ONLY, delegable=True, reason_required=True),
    # ---- termination (终止办理：不配合调查等) -------------------------------------------------------------------------
    *(
        _s("terminate", state,           S.TERMINATED,    CW_CO,    _("终止办理"),             (), None, APP_EMERG, reason_required=True)
        for state in OPEN_BEFORE_DECISION
    ),
)
# fmt: on

ACTION_LABELS: dict[str, Any] = {}
for _step in STEPS:
    ACTION_LABELS.setdefault(_step.action, _step.label)


def applies(step: Step, procedure: str, program: str) -> bool:
    return procedure in step.procedures and (step.programs is None or program in step.programs)


def steps_for(procedure: str, program: str, state: str) -> list[Step]:
    """The moves out of ``state`` for a case of this procedure and program."""
    return [s for s in STEPS if s.source == state and applies(s, procedure, program)]


def find(procedure: str, program: str, state: str, action: str) -> Step | None:
    for step in steps_for(procedure, program, state):
        if step.action == action:
            return step
    return None


def roles_for(step: Step, *, delegated: bool) -> frozenset[str]:
    return step.roles | CW if (step.delegable and delegated) else step.roles


def role_may(step: Step, role: str, *, delegated: bool) -> bool:
    return role in roles_for(step, delegated=delegated)


# Moves that are always possible but do not make a case someone's task.
NOT_TASKS = {"terminate"}


def task_states(role: str) -> tuple[set[str], set[str]]:
    """States in which a role has something to do (the worklist's "my tasks"): its own, and
    those it has only where confirmation is delegated to the township."""
    own = {s.source for s in STEPS if role in s.roles and s.action not in NOT_TASKS}
    delegated: set[str] = set()
    if role == Role.CASEWORKER:
        delegated = {s.source for s in STEPS if s.delegable and s.action not in NOT_TASKS} - own
    return own, delegated


def reachable_states(procedure: str) -> set[str]:
    return {s.source for s in STEPS if procedure in s.procedures} | {
        s.target for s in STEPS if procedure in s.procedures
    }


INITIAL_STATE = {APPLICATION: State.SUBMITTED, EMERGENCY: State.SUBMITTED, REVIEW: State.OPENED}


# ---- checks: what must be on file by then ------------------------------------------------------


@dataclass
class CheckContext:
    today: dt.date
    data: dict[str, Any] = field(default_factory=dict)


CheckFn = Callable[[Any, CheckContext], list[str]]
CHECKS: dict[str, CheckFn] = {}


def check(name: str) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        CHECKS[name] = fn
        return fn

    return register


def missing(step: Step, case: Any, ctx: CheckContext) -> dict[str, list[str]]:
    """What is not yet on file for ``step``: {check name: [messages]} (empty when complete)."""
    problems: dict[str, list[str]] = {}
    for name in step.requires:
        messages = CHECKS[name](case, ctx)
        if messages:
            problems[name] = messages
    return problems


# The checks import the models lazily: workflow.py is the table, readable without Django apps.


@check("commitment_signed")
def _commitment(case, ctx):
    app = case.application
    if app is None or app.commitment_signed:
        return []
    return [str(_("申请人尚未签署承诺书（如实申报、配合调查）"))]


@check("materials_complete")
def _materials(case, ctx):
    app = case.application
    if app is None or not app.missing_items:
        return []
    return [str(_("尚有待补正的材料：%(m)s") % {"m": "、".join(app.missing_items)})]


@check("authorisations_complete")
def _authorisations(case, ctx):
    from safetynet.applications.selectors import authorisation_gaps

    return [gap.message for gap in authorisation_gaps(case=case, today=ctx.today)]


def _visit_problems(case) -> tuple[bool, list[str]]:
    visits = [v for v in case.visits.all() if v.kind == "home"]
    if not visits:
        return False, [str(_("尚无入户调查记录"))]
    for visit in visits:
        if len(visit.investigators) >= 2 and (
            visit.family_signatures or (visit.remote and visit.remote_reason)
        ):
            return True, []
    return False, [str(_("入户调查记录须有至少两名调查人员，并有在场家庭成员签字（远程调查须注明原因）"))]


@check("home_visit")
def _home_visit(case, ctx):
    return _visit_problems(case)[1]


@check("verification_report")
def _verification(case, ctx):
    if case.verification_reports.exists():
        return []
    return [str(_("尚未附上家庭经济状况核对报告"))]


@check("visit_or_verification")
def _visit_or_verification(case, ctx):
    if case.verification_reports.exists() or _visit_problems(case)[0]:
        return []
    return [str(_("复核须有核对报告或符合要求的入户调查记录"))]


@check("snapshot")
def _snapshot(case, ctx):
    return [] if case.snapshot_id else [str(_("尚未进行规则评估（评估快照）"))]


@check("opinion_recorded")
def _opinion(case, ctx):
    return (
        []
        if case.opinion_text.strip() and case.opinion_eligible is not None
        else [str(_("尚未提出初审意见"))]
    )


@check("proposal_recorded")
def _proposal(case, ctx):
    return [] if case.proposed_kind else [str(_("复核意见须说明拟维持、增发、减发或停止"))]


@check("opinion_positive")
def _opinion_positive(case, ctx):
    if case.opinion_eligible:
        return []
    return [str(_("初审意见为不符合条件的，不予公示，直接报县级审核确认"))]


@check("notice_not_needed")
def _notice_not_needed(case, ctx):
    if case.program in NO_NOTICE_PROGRAMS or case.opinion_eligible is False:
        return []
    return [str(_("%(p)s拟批准的须先公示，公示期满后报县级审核确认") % {"p": case.get_program_display()})]


def _current_line(case):
    return case.notice_lines.select_related("notice").order_by("-id").first()


@check("notice_ended")
def _notice_ended(case, ctx):
    line = _current_line(case)
    if line is None:
        return [str(_("本个案没有公示记录"))]
    if ctx.today <= line.notice.end_date:
        return [str(_("公示期至 %(d)s，期满后才能结束") % {"d": line.notice.end_date.isoformat()})]
    return []


@check("no_objections")
def _no_objections(case, ctx):
    line = _current_line(case)
    if line is not None and line.objections.exists():
        return [str(_("公示期间收到异议，须重新调查或民主评议"))]
    return []


@check("has_objections")
def _has_objections(case, ctx):
    line = _current_line(case)
    if line is None or not line.objections.exists():
        return [str(_("公示期间未收到异议"))]
    return []


@check("deliberation")
def _deliberation(case, ctx):
    entered = case.step_entered_on
    if case.deliberations.filter(held_on__gte=entered).exists():
        return []
    return [str(_("尚未记录异议后的民主评议"))]


@check("meeting_decided")
def _meeting_decided(case, ctx):
    wanted = ctx.data.get("meeting_decision")
    items = case.meeting_items.filter(applied_at__isnull=True).exclude(decision="")
    if wanted:
        items = items.filter(decision=wanted)
    return [] if items.exists() else [str(_("联席会议尚未对本个案作出决定"))]


@check("county_visit_if_flagged")
def _county_visit(case, ctx):
    flagged = case.conflict_flag or case.complaints.exists()
    if not flagged or case.visits.filter(by_county=True, kind="home").exists():
        return []
    why = _("近亲属备案") if case.conflict_flag else _("被投诉举报")
    return [str(_("%(w)s的个案须经县级民政部门入户核查后才能审核确认") % {"w": why})]


@check("hearing_if_reduction")
def _hearing_if_reduction(case, ctx):
    if ctx.data.get("kind") in (DecisionKind.DECREASE, DecisionKind.STOP) and not case.hearings.exists():
        return [str(_("减发或停发前须听取家庭陈述申辩意见（社会救助法 第48条）"))]
    return []


@check("hearing")
def _hearing(case, ctx):
    if case.hearings.exists():
        return []
    return [str(_("停止救助前须听取家庭陈述申辩意见（社会救助法 第48条）"))]


@check("stop_notice_ended")
def _stop_notice_ended(case, ctx):
    """The termination notice has run its days (7 calendar days by default) since it was posted."""
    from safetynet.applications import deadlines

    params = deadlines.parameters_for(
        region_code=case.region_code, program=case.program, day=case.step_entered_on
    )
    days = int(params["workflow.stop_notice_days"].value or 0)
    last = case.step_entered_on + dt.timedelta(days=max(days, 1) - 1)
    if case.state == State.STOP_NOTICE and ctx.today > last:
        return []
    return [str(_("终止供养公示期至 %(d)s，期满后才能终止") % {"d": last.isoformat()})]


@check("letter_issued")
def _letter(case, ctx):
    decision = case.decisions.order_by("-id").first()
    if decision is not None and decision.document_number and decision.letter_id:
        return []
    return [str(_("尚未出具决定书（文号）"))]


CHECK_LABELS: dict[str, Any] = {
    "commitment_signed": _("承诺书"),
    "materials_complete": _("申请材料"),
    "authorisations_complete": _("核对授权"),
    "home_visit": _("入户调查"),
    "verification_report": _("核对报告"),
    "visit_or_verification": _("调查或核对"),
    "snapshot": _("规则评估"),
    "opinion_recorded": _("初审意见"),
    "proposal_recorded": _("复核意见"),
    "opinion_positive": _("初审意见"),
    "notice_not_needed": _("公示"),
    "notice_ended": _("公示期"),
    "no_objections": _("公示异议"),
    "has_objections": _("公示异议"),
    "deliberation": _("民主评议"),
    "meeting_decided": _("联席会议"),
    "county_visit_if_flagged": _("县级入户核查"),
    "hearing_if_reduction": _("陈述申辩"),
    "hearing": _("陈述申辩"),
    "letter_issued": _("决定书"),
    "stop_notice_ended": _("终止供养公示期"),
}
