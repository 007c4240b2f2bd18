"""The transition table: every allowed move passes the gate for exactly the roles the table
names; every other (state, action) pair is refused with a message naming what is allowed; a
refused move changes nothing."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safetynet.accounts.roles import Role
from safetynet.applications import choices as c
from safetynet.applications import services as s
from safetynet.applications import workflow
from safetynet.applications.models import Case
from safetynet.applications.services._base import gate
from safetynet.applications.tests.factories import TODAY, apply

ACTIONS = sorted({step.action for step in workflow.STEPS})
PROGRAM_OF = {
    workflow.APPLICATION: [
        c.Program.DIBAO,
        c.Program.TEKUN,
        c.Program.EDGE,
        c.Program.RIGID_EXPENDITURE,
        c.Program.TEMPORARY_EXPENDITURE,
    ],
    workflow.EMERGENCY: [c.Program.TEMPORARY_EMERGENCY],
    workflow.REVIEW: [c.Program.DIBAO, c.Program.TEKUN],
}
KIND_OF = {
    workflow.APPLICATION: c.CaseKind.APPLICATION,
    workflow.EMERGENCY: c.CaseKind.APPLICATION,
    workflow.REVIEW: c.CaseKind.REVIEW,
}


def _case(procedure: str, program: str, state: str, delegated: bool = False) -> Case:
    return Case(number="T1", program=program, kind=KIND_OF[procedure], state=state, delegated=delegated)


def _combinations():
    for procedure, programs in PROGRAM_OF.items():
        for program, state, action in itertools.product(programs, c.State.values, ACTIONS):
            yield procedure, program, state, action


@pytest.mark.parametrize("delegated", [False, True])
def test_every_move_in_the_table_is_allowed_for_its_roles_and_no_other(delegated):
    checked = 0
    for procedure, program, state, action in _combinations():
        step = workflow.find(procedure, program, state, action)
        case = _case(procedure, program, state, delegated)
        if step is None:  # refused from this state whatever the role
            with pytest.raises(ValidationError) as err:
                gate(case, action, SimpleNamespace(role=Role.COUNTY_OFFICER))
            assert "不能进行" in str(err.value), (procedure, program, state, action)
            continue
        for role in Role.values:
            user = SimpleNamespace(role=role)
            allowed = role in step.roles or (delegated and step.delegable and role == Role.CASEWORKER)
            if allowed:
                assert gate(case, action, user) == step
            else:
                with pytest.raises(PermissionDenied):
                    gate(case, action, user)
            checked += 1
    assert checked > 500


def test_the_table_names_only_known_states_checks_and_limits():
    from safetynet.applications.deadlines import LIMITS

    for step in workflow.STEPS:
        assert step.source in c.State.values and step.target in c.State.values
        assert set(step.requires) <= set(workflow.CHECKS), step
        assert step.limit is None or step.limit in LIMITS, step
        assert step.roles, step


def test_one_row_per_move_for_each_program():
    seen = set()
    for step in workflow.STEPS:
        for procedure in step.procedures:
            for program in PROGRAM_OF[procedure]:
                if workflow.applies(step, procedure, program):
                    key = (procedure, program, step.source, step.action)
                    assert key not in seen, key
                    seen.add(key)


def test_every_state_of_a_procedure_can_be_left_or_is_final():
    for procedure in workflow.PROCEDURES:
        for state in workflow.reachable_states(procedure):
            leaves = [s for s in workflow.STEPS if s.source == state and procedure in s.procedures]
            assert leaves or state in c.FINAL_STATES, (procedure, state)


def test_the_notice_is_required_for_dibao_tekun_and_edge_but_not_for_rigid_expenditure():
    case = _case(workflow.APPLICATION, c.Program.DIBAO, c.State.OPINION)
    case.opinion_eligible, case.opinion_text = True, "拟同意"
    ctx = workflow.CheckContext(today=TODAY)
    step = workflow.find(workflow.APPLICATION, c.Program.DIBAO, c.State.OPINION, "submit_review")
    assert list(workflow.missing(step, case, ctx)) == ["notice_not_needed"]
    case.program = c.Program.RIGID_EXPENDITURE
    step = workflow.find(workflow.APPLICATION, c.Program.RIGID_EXPENDITURE, c.State.OPINION, "submit_review")
    assert workflow.missing(step, case, ctx) == {}


@pytest.mark.usefixtures("calendar", "rules")
def test_a_forbidden_move_changes_nothing_whatever_the_state(personas, household_a):
    case = apply(personas, household_a).cases.get()
    generic = [
        "authorise",
        "investigate",
        "submit_review",
        "complete_paperwork",
        "refer_meeting",
        "send_back",
        "terminate",
        "meeting_return",
    ]
    for state in c.State.values:
        Case.objects.filter(pk=case.pk).update(state=state)
        for action in generic:
            if workflow.find(workflow.APPLICATION, c.Program.DIBAO, state, action):
                continue
            actor = (
                personas.carol
                if action in ("refer_meeting", "send_back", "meeting_return")
                else personas.alice
            )
            with pytest.raises(ValidationError) as err:
                s.case_move(actor=actor, case=case, action=action, reason="试", today=TODAY)
            assert "不能进行" in str(err.value.message_dict["state"])
            fresh = Case.objects.get(pk=case.pk)
            assert (fresh.state, fresh.version) == (state, 1)
    assert case.transitions.count() == 1  # only the opening row
