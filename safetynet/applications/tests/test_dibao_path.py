"""The dibao path from the window to the letter, and the paths off it: return for missing
materials, non-acceptance, refusal, objection with deliberation, termination."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safetynet.applications import choices as c
from safetynet.applications import services as s
from safetynet.applications.models import Case, Decision, Transition
from safetynet.applications.tests.factories import (
    AMOUNT,
    TODAY,
    apply,
    approval,
    authorise_all,
    investigate,
    to_opinion,
    to_review,
)
from safetynet.core.models import ChangeLog

pytestmark = pytest.mark.usefixtures("calendar", "rules")


def test_one_application_opens_one_case_per_program(personas, household_a):
    application = apply(personas, household_a, programs=("dibao", "tekun"))
    cases = list(application.cases.order_by("id"))
    assert [case.program for case in cases] == ["dibao", "tekun"]
    assert all(case.state == c.State.SUBMITTED for case in cases)
    assert application.channel == c.Channel.WINDOW
    assert Transition.objects.filter(case__in=cases, action="open").count() == 2


def test_a_household_cannot_apply_twice_for_the_same_program(personas, household_a):
    apply(personas, household_a)
    with pytest.raises(ValidationError) as err:
        apply(personas, household_a)
    assert "正在办理" in str(err.value.message_dict["programs"])


def test_the_dibao_path_ends_in_an_approval_letter_with_a_county_number(personas, household_a):
    case = apply(personas, household_a).cases.get()
    case = to_review(personas, case)
    assert case.state == c.State.REVIEW
    assert case.total_due is not None and case.clock_start == TODAY
    decision = s.case_approve(
        actor=personas.carol, case=case, data=approval(case), today=TODAY + dt.timedelta(days=8)
    )
    case.refresh_from_db()
    assert case.state == c.State.APPROVED and case.outcome == c.Outcome.APPROVED
    assert case.entitlement_active
    assert decision.amount == AMOUNT == decision.rules_amount
    assert sum(Decimal(m["amount"]) for m in decision.members) == AMOUNT
    assert decision.first_payment_month == dt.date(2026, 12, 1)  # the month after the decision
    assert decision.next_review_on == dt.date(2027, 12, 1)  # stable household: a year
    assert decision.payee_kind == c.Payee.HOUSEHOLD and decision.payee_account_masked.endswith("8901")
    assert decision.document_number == "示民救〔2026〕1号"
    assert decision.letter is not None and decision.letter.content_type == "application/pdf"
    case = s.case_notify(
        actor=personas.alice, case=case, method="直接送达", today=TODAY + dt.timedelta(days=9)
    )
    assert case.state == c.State.NOTIFIED and case.closed_at is not None
    actions = list(case.transitions.values_list("action", flat=True))
    assert actions == [
        "open",
        "accept",
        "authorise",
        "investigate",
        "assess",
        "propose",
        "publish",
        "close_notice",
        "approve",
        "notify",
    ]
    # every move is in the change log, with its actor
    moves = ChangeLog.objects.filter(object_type="applications.case", object_id=str(case.pk), action="update")
    assert moves.filter(actor=personas.carol).count() == 1


def test_an_amount_other_than_the_rules_needs_a_written_reason_kept_beside_it(personas, household_a):
    case = to_review(personas, apply(personas, household_a).cases.get())
    data = approval(case)
    data.members[0].amount = Decimal(data.members[0].amount) + 50
    with pytest.raises(ValidationError) as err:
        s.case_approve(actor=personas.carol, case=case, data=data, today=TODAY + dt.timedelta(days=8))
    assert "须写明理由" in str(err.value.message_dict["amount_reason"])
    assert not Decision.objects.exists()
    data.amount_reason = "长期患病，医疗支出大"
    decision = s.case_approve(actor=personas.carol, case=case, data=data, today=TODAY + dt.timedelta(days=8))
    assert decision.amount == AMOUNT + 50 and decision.rules_amount == AMOUNT


def test_missing_materials_are_listed_at_once_and_acceptance_waits_for_them(personas, household_a):
    case = apply(personas, household_a, commitment_signed=False).cases.get()
    with pytest.raises(ValidationError) as err:
        s.case_accept(actor=personas.alice, case=case, today=TODAY)
    assert "承诺书" in str(err.value.message_dict["commitment_signed"])
    case = s.case_return(
        actor=personas.alice, case=case, missing_items=["户口簿复印件", "收入证明"], today=TODAY
    )
    assert case.state == c.State.RETURNED
    assert case.application.missing_items == ["户口簿复印件", "收入证明"]
    case = s.case_resubmit(actor=personas.alice, case=case, received=["户口簿复印件"], today=TODAY)
    s.case_commitment(
        actor=personas.alice, application=case.application, materials=[], commitment_signed=True
    )
    with pytest.raises(ValidationError) as err:
        s.case_accept(actor=personas.alice, case=case, today=TODAY)
    assert "收入证明" in str(err.value.message_dict["materials_complete"])


def test_a_return_without_items_is_refused_and_nothing_changes(personas, household_a):
    case = apply(personas, household_a).cases.get()
    with pytest.raises(ValidationError) as err:
        s.case_return(actor=personas.alice, case=case, missing_items=["  "], today=TODAY)
    assert "一次性列明" in str(err.value)
    case.refresh_from_db()
    assert case.state == c.State.SUBMITTED and case.version == 1


def test_not_accepting_needs_reasons_and_closes_the_case(personas, household_a):
    case = apply(personas, household_a).cases.get()
    with pytest.raises(ValidationError):
        s.case_not_accept(actor=personas.alice, case=case, reason="", today=TODAY)
    case = s.case_not_accept(actor=personas.alice, case=case, reason="申请人户籍不在本镇", today=TODAY)
    assert case.state == c.State.NOT_ACCEPTED and case.closed_at is not None
    assert case.outcome == c.Outcome.NOT_ACCEPTED


def test_authorisation_needs_every_adult_a_guardian_for_each_minor_and_each_supporter(personas, household_a):
    from safetynet.applications.selectors import authorisation_gaps
    from safetynet.core import testing
    from safetynet.registry.services import MemberInput, PersonInput, member_add, supporter_add

    member_add(
        actor=personas.alice,
        household=household_a,
        reason="出生",
        member=MemberInput(
            PersonInput(name="张小宝", id_number=testing.make_id_number(birth="20200101", seq=77)),
            relation="child",
        ),
    )
    supporter_add(
        actor=personas.alice,
        household=household_a,
        relation="child",
        duty="shanyang",
        reason="外出务工的儿子",
        person=PersonInput(
            name="张强", id_number=testing.make_id_number(region6="320102", birth="19950101", seq=5)
        ),
    )
    case = s.case_accept(actor=personas.alice, case=apply(personas, household_a).cases.get(), today=TODAY)
    gaps = authorisation_gaps(case=case, today=TODAY)
    assert [(g.person.name, g.role) for g in gaps] == [
        ("张伟", "self"),
        ("李芳", "self"),
        ("张小宝", "guardian"),
        ("张强", "supporter"),
    ]
    with pytest.raises(ValidationError) as err:
        s.case_move(actor=personas.alice, case=case, action="authorise", today=TODAY)
    assert "张小宝" in str(err.value) and "张强" in str(err.value)
    # a supporter cannot be signed for by someone else; a minor cannot sign for themselves
    head = household_a.head
    with pytest.raises(ValidationError) as err:
        s.authorisation_record(
            actor=personas.alice,
            case=case,
            person=gaps[3].person,
            signed_by=head,
            role="supporter",
            scope=["deposits"],
            purpose="核对",
            valid_from=TODAY,
            esign_record="x",
            today=TODAY,
        )
    assert "本人签署" in str(err.value.message_dict["signed_by"])
    authorise_all(personas, case)
    case = s.case_move(actor=personas.alice, case=case, action="authorise", today=TODAY)
    assert case.state == c.State.AUTHORISED


def test_a_home_visit_needs_two_investigators_and_the_familys_signature_or_a_remote_reason(
    personas, household_a
):
    case = apply(personas, household_a).cases.get()
    with pytest.raises(ValidationError) as err:
        s.visit_record(
            actor=personas.alice,
            case=case,
            kind="home",
            visited_on=TODAY,
            investigators=["艾丽"],
            findings="…",
            today=TODAY,
        )
    assert set(err.value.message_dict) == {"investigators", "family_signatures"}
    visit = s.visit_record(
        actor=personas.alice,
        case=case,
        kind="home",
        visited_on=TODAY,
        investigators=["艾丽", "王干事"],
        remote=True,
        remote_reason="疫情封控期间视频入户",
        findings="视频查看居住情况",
        today=TODAY,
    )
    assert visit.remote and visit.family_signatures == []


def test_refusal_with_reasons_and_failed_rules_then_a_refusal_letter(personas, household_a, rules):
    rules.eligible = False
    case = apply(personas, household_a).cases.get()
    case = s.case_accept(actor=personas.alice, case=case, today=TODAY)
    authorise_all(personas, case)
    case = s.case_move(actor=personas.alice, case=case, action="authorise", today=TODAY)
    case = s.case_move(actor=personas.alice, case=case, action="investigate", today=TODAY)
    investigate(personas, case)
    case = s.case_assess(actor=personas.alice, case=case, today=TODAY)
    assert case.rules_eligible is False
    case = s.case_propose(
        actor=personas.alice, case=case, eligible=False, opinion="人均收入高于标准", today=TODAY
    )
    with pytest.raises(ValidationError):  # a negative opinion is not posted
        s.notice_publish(
            actor=personas.alice,
            village_code=case.region_code,
            case_ids=[case.pk],
            contact_phone="1",
            contact_address="x",
            today=TODAY,
        )
    case = s.case_move(actor=personas.alice, case=case, action="submit_review", today=TODAY)
    with pytest.raises(ValidationError) as err:
        s.case_refuse(actor=personas.carol, case=case, reasons="  ", today=TODAY)
    assert "理由" in str(err.value.message_dict["reasons"])
    decision = s.case_refuse(
        actor=personas.carol, case=case, reasons="家庭月人均收入高于当地低保标准", today=TODAY
    )
    assert decision.failed_rules[0]["code"] == "DB_INCOME"
    assert decision.failed_rules[0]["detail"] == "月人均收入高于标准 400 元"
    assert decision.document_number and decision.letter is not None
    case.refresh_from_db()
    assert case.state == c.State.REFUSED and case.outcome == c.Outcome.REFUSED and not case.entitlement_active
    assert case.step_limit == "notify"  # written reasons within 3 working days


def test_an_objection_leads_to_deliberation_and_a_new_notice(personas, household_a):
    case = to_opinion(personas, apply(personas, household_a).cases.get())
    notice = s.notice_publish(
        actor=personas.alice,
        village_code=case.region_code,
        case_ids=[case.pk],
        contact_phone="0512-1",
        contact_address="镇民政办",
        today=TODAY,
    )
    assert notice.end_date == TODAY + dt.timedelta(days=6)
    line = notice.lines.get()
    s.objection_record(
        actor=personas.victor, line=line, content="该户有一辆小汽车", raised_by="村民", today=TODAY
    )
    with pytest.raises(ValidationError):  # not before the notice ends
        s.notice_close(actor=personas.alice, notice=notice, today=notice.end_date)
    s.notice_close(actor=personas.alice, notice=notice, today=notice.end_date + dt.timedelta(days=1))
    case.refresh_from_db()
    assert case.state == c.State.OBJECTION
    day = notice.end_date + dt.timedelta(days=2)
    with pytest.raises(ValidationError) as err:
        s.case_deliberate(actor=personas.alice, case=case, today=day)
    assert "民主评议" in str(err.value)
    s.deliberation_record(
        actor=personas.alice,
        case=case,
        held_on=day,
        participants=11,
        representatives=8,
        votes_for=9,
        votes_against=1,
        abstentions=1,
        minutes="车辆系借用，评议同意",
        today=day,
    )
    case = s.case_deliberate(actor=personas.alice, case=case, reason="异议经评议不成立", today=day)
    assert case.state == c.State.OPINION and case.opinion_text == ""
    assert line.objections.get().handling == c.ObjectionHandling.DELIBERATION


def test_objections_only_while_the_notice_runs(personas, household_a):
    case = to_opinion(personas, apply(personas, household_a).cases.get())
    notice = s.notice_publish(
        actor=personas.alice,
        village_code=case.region_code,
        case_ids=[case.pk],
        contact_phone="0512-1",
        contact_address="镇民政办",
        today=TODAY,
    )
    with pytest.raises(ValidationError) as err:
        s.objection_record(
            actor=personas.alice,
            line=notice.lines.get(),
            content="x",
            today=notice.end_date + dt.timedelta(days=1),
        )
    assert "公示期" in str(err.value)


def test_a_notice_with_no_lines_is_refused(personas, household_a):
    from safetynet.core import testing

    with pytest.raises(ValidationError) as err:
        s.notice_publish(
            actor=personas.alice,
            village_code=testing.VILLAGE_A1,
            case_ids=[],
            contact_phone="",
            contact_address="",
            today=TODAY,
        )
    assert set(err.value.message_dict) == {"cases", "contact_phone", "contact_address"}


def test_terminating_for_non_cooperation_records_the_reason(personas, household_a):
    case = s.case_accept(actor=personas.alice, case=apply(personas, household_a).cases.get(), today=TODAY)
    with pytest.raises(ValidationError):
        s.case_move(actor=personas.alice, case=case, action="terminate", reason="", today=TODAY)
    case = s.case_move(
        actor=personas.alice, case=case, action="terminate", reason="家庭拒不配合入户调查", today=TODAY
    )
    assert case.state == c.State.TERMINATED and case.outcome == c.Outcome.TERMINATED
    assert case.transitions.last().reason == "家庭拒不配合入户调查"


def test_a_caseworker_cannot_confirm_unless_delegated(personas, household_a):
    case = to_review(personas, apply(personas, household_a).cases.get())
    with pytest.raises(PermissionDenied):
        s.case_approve(
            actor=personas.alice, case=case, data=approval(case), today=TODAY + dt.timedelta(days=8)
        )


def test_a_caseworker_of_another_township_does_not_find_the_case(personas, household_a):
    case = apply(personas, household_a).cases.get()
    with pytest.raises(Case.DoesNotExist):
        s.case_accept(actor=personas.bob, case=case, today=TODAY)
