"""The decision letter picks its variant from the decision: one-off temporary assistance (the
amount once, or staged, with the standby-fund cash already paid — never a monthly amount, a
monthly recipient's duty to report changes or a review date), and the written notice of a
decrease or a stop (减发/停发告知书: hearing date, reasons, rule, new amount or stop month, right to
reconsideration and litigation with their time limits). Read back from the PDF's text."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from safetynet.applications import choices as c
from safetynet.applications import letters, printing
from safetynet.applications import services as s
from safetynet.applications.services.documents import document_open
from safetynet.applications.tests.factories import TODAY, apply, approval, to_review

pytestmark = pytest.mark.usefixtures("calendar", "rules")
DAY = TODAY + dt.timedelta(days=8)


def text_of(content: bytes) -> str:
    return "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages)


def letter_text(decision) -> str:
    decision.refresh_from_db()
    assert decision.letter is not None
    return text_of(document_open(decision.letter))


MONTHLY_ONLY = ("按月发放", "月保障金额", "下次复核", "应当及时如实告知")


def _emergency_to_review(personas, household, *, help_first: bool):
    case = apply(personas, household, programs=("temporary_emergency",), materials=["emergency"]).cases.get()
    if help_first:
        case = s.case_help_first(
            actor=personas.alice,
            case=case,
            amount="2000",
            paid_to="张伟",
            signatures="艾丽、张伟",
            reason="房屋失火",
            receipt_no="BYJ-2026-017",
            today=TODAY,
        )
        return s.case_move(actor=personas.alice, case=case, action="complete_paperwork", today=TODAY)
    case = s.case_accept(actor=personas.alice, case=case, today=TODAY)
    return s.case_move(actor=personas.alice, case=case, action="submit_review", today=TODAY)


def test_one_off_assistance_paid_once_has_no_monthly_wording(personas, household_a):
    case = _emergency_to_review(personas, household_a, help_first=False)
    decision = s.case_approve(
        actor=personas.carol,
        case=case,
        data=approval(case, amount="1500", amount_reason="按急难情形核定"),
        today=TODAY,
    )
    assert printing.letter_variant(case, decision) == "one_off"
    assert decision.stages == [{"month": "2026-11", "date": "", "amount": "1500.00"}]  # paid at once
    text = letter_text(decision)
    assert "救助金额共计1,500.00元，为一次性救助" in text
    assert "1,500.00元于2026年11月一次性发放" in text
    for phrase in MONTHLY_ONLY:
        assert phrase not in text, phrase


def test_staged_assistance_lists_each_stage_and_the_standby_cash(personas, household_a):
    case = _emergency_to_review(personas, household_a, help_first=True)
    data = approval(
        case,
        amount="5000",
        amount_reason="按急难情形核定",
        stages=[{"month": "2026-11", "amount": "2000"}, {"month": "2027-01-15", "amount": "1000"}],
    )
    decision = s.case_approve(actor=personas.carol, case=case, data=data, today=TODAY)
    assert decision.stages[1] == {"month": "2027-01", "date": "2027-01-15", "amount": "1000.00"}
    text = letter_text(decision)
    assert "救助金额共计5,000.00元" in text
    assert "东河镇人民政府于2026年11月2日从临时救助备用金先行发放2,000.00元（凭证号BYJ-2026-017）" in text
    assert "一次审批、分阶段发放" in text
    assert "第1期2026年11月2,000.00" in text and "第2期2027年1月15日1,000.00" in text
    for phrase in MONTHLY_ONLY:
        assert phrase not in text, phrase


def test_the_standby_cash_is_recorded_at_approval_when_help_first_did_not(personas, household_a):
    case = _emergency_to_review(personas, household_a, help_first=False)
    data = approval(case, amount="3000", amount_reason="核定", standby={"amount": "500", "receipt_no": ""})
    with pytest.raises(ValidationError) as err:
        s.case_approve(actor=personas.carol, case=case, data=data, today=TODAY)
    assert set(err.value.message_dict) == {"standby.receipt_no", "standby.paid_to"}
    assert not case.emergency_payments.exists()  # nothing stored
    data.standby = {"amount": "500", "receipt_no": "BYJ-9", "paid_to": "张伟", "paid_on": "2026-11-01"}
    decision = s.case_approve(actor=personas.carol, case=case, data=data, today=TODAY)
    payment = case.emergency_payments.get()
    assert (payment.amount, payment.receipt_no, payment.township_code) == (
        Decimal("500.00"),
        "BYJ-9",
        case.township_code,
    )
    assert decision.standby_cash[0]["receipt_no"] == "BYJ-9"
    assert decision.stages == [{"month": "2026-11", "date": "", "amount": "2500.00"}]
    assert "其余2,500.00元于2026年11月一次性发放" in letter_text(decision)


def _approved(personas, household):
    case = to_review(personas, apply(personas, household).cases.get())
    s.case_approve(actor=personas.carol, case=case, data=approval(case), today=DAY)
    return s.case_notify(actor=personas.alice, case=case, method="直接送达", today=DAY)


def _review_at_county(personas, entitlement, kind):
    review = s.review_open(
        actor=personas.alice, case=entitlement, kind=c.CaseKind.CHANGE, reason="收入变化", today=DAY
    )
    review = s.case_move(actor=personas.alice, case=review, action="investigate", today=DAY)
    s.visit_record(
        actor=personas.alice,
        case=review,
        kind="home",
        visited_on=DAY,
        investigators=["艾丽", "王干事"],
        family_signatures=["张伟"],
        findings="儿子外出务工，收入增加",
        today=DAY,
    )
    review = s.case_assess(actor=personas.alice, case=review, today=DAY)
    review = s.case_propose(
        actor=personas.alice,
        case=review,
        eligible=None,
        proposed_kind=kind,
        opinion="收入增加",
        amount="300",
        today=DAY,
    )
    review = s.case_move(actor=personas.alice, case=review, action="submit_review", today=DAY)
    s.hearing_record(
        actor=personas.alice, case=review, held_on=DAY, attendees="张伟、艾丽", statement="无异议", today=DAY
    )
    return review


def test_a_decrease_gets_the_written_notice_with_hearing_rule_new_amount_and_rights(personas, household_a):
    entitlement = _approved(personas, household_a)
    review = _review_at_county(personas, entitlement, c.DecisionKind.DECREASE)
    data = approval(review, kind=c.DecisionKind.DECREASE, amount_reason="", note="")
    data.members = [s.MemberShare(m.person_id, Decimal("150")) for m in data.members]
    with pytest.raises(ValidationError) as err:  # a decrease needs its written reasons
        s.case_approve(actor=personas.carol, case=review, data=data, today=DAY)
    assert "note" in err.value.message_dict
    data.note = "儿子外出务工，家庭人均收入增加"
    data.amount_reason = "按复核收入重新核定"
    decision = s.case_approve(actor=personas.carol, case=review, data=data, today=DAY)
    assert printing.letter_variant(review, decision) == "reduction"
    text = letter_text(decision)
    assert text.startswith("最低生活保障减发告知书")
    assert "于2026年11月10日听取你户的陈述和申辩" in text
    assert "自2026年12月起，你户的最低生活保障由原月保障金额760.00元调整为每月300.00元（减发）" in text
    assert "儿子外出务工，家庭人均收入增加" in text
    assert "依据：《最低生活保障审核确认办法》第三十一条、第三十二条" in text
    assert "《中华人民共和国社会救助法》第四十八条" in text
    assert "60日内" in text and "申请行政复议" in text and "6个月内" in text and "提起行政诉讼" in text
    assert "审核确认决定书" not in text and "准予" not in text


def test_a_stop_gets_the_stop_notice_with_the_stop_month(personas, household_a):
    entitlement = _approved(personas, household_a)
    review = _review_at_county(personas, entitlement, c.DecisionKind.STOP)
    decision = s.case_stop(
        actor=personas.carol,
        case=review,
        reasons="家庭人均收入已高于当地低保标准",
        legal_basis="《最低生活保障审核确认办法》第三十二条",
        today=DAY,
    )
    text = letter_text(decision)
    assert text.startswith("最低生活保障停发告知书")
    assert "自2026年12月起停止发放你户的最低生活保障（原月保障金额760.00元）" in text
    assert "家庭人均收入已高于当地低保标准" in text
    assert "依据：《最低生活保障审核确认办法》第三十二条" in text
    assert "于2026年11月10日听取你户的陈述和申辩" in text
    assert "60日内" in text and "6个月内" in text
    assert "不予批准你户" not in text


def test_the_renderer_refuses_a_notice_without_reasons_rule_or_a_hearing_before_the_decision():
    data = letters.LetterData(
        document_number="示民救〔2026〕1号",
        authority="示范县民政局",
        township="东河镇人民政府",
        addressee_name="张伟",
        household_number="H1",
        village="柳树村",
        decided_on=dt.date(2026, 11, 10),
        decision=letters.ReductionNotice(
            program="最低生活保障",
            stop=False,
            hearing_date=dt.date(2026, 11, 11),
            reasons=(),
            rules=(),
            effective_month=dt.date(2026, 12, 1),
            new_amount=None,
        ),
    )
    with pytest.raises(ValidationError) as err:
        letters.render_decision_letter(data)
    assert set(err.value.message_dict) == {
        "decision.reasons",
        "decision.rules",
        "decision.new_amount",
        "decision.hearing_date",
    }


def test_the_renderer_refuses_stages_that_do_not_add_up():
    data = letters.LetterData(
        document_number="示民救〔2026〕2号",
        authority="示范县民政局",
        township="东河镇人民政府",
        addressee_name="张伟",
        household_number="H1",
        village="柳树村",
        decided_on=dt.date(2026, 11, 10),
        decision=letters.OneOffApproval(
            program="临时救助（急难型）",
            covered_persons=("张伟",),
            amount=Decimal("3000"),
            stages=(letters.Stage(dt.date(2026, 12, 1), Decimal("1000")),),
        ),
    )
    with pytest.raises(ValidationError) as err:
        letters.render_decision_letter(data)
    assert "decision.stages" in err.value.message_dict


def test_the_approval_page_takes_stages_and_the_standby_cash(client, personas, household_a):
    from safetynet.applications.models import Decision

    case = _emergency_to_review(personas, household_a, help_first=False)
    client.force_login(personas.carol)
    url = f"/applications/cases/{case.pk}/act/approve/"
    page = client.get(url).content.decode()
    assert "已先行救助金额" in page and "分阶段发放" in page and "渐退安排" not in page
    form = {
        "version": case.version,
        "kind": "approve",
        "amount": "3000",
        "amount_reason": "按急难情形核定",
        "payee_kind": "household",
        "stages": "2026-12 1500\n2027-01-15 1000",
        "standby_amount": "500",
        "standby_paid_on": TODAY.isoformat(),
        "standby_receipt_no": "BYJ-3",
        "standby_paid_to": "张伟",
    }
    for m in case.household.memberships.filter(end_date__isnull=True):
        form[f"covered_{m.person_id}"] = "on"
        form[f"part_{m.person_id}"] = "0"
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    decision = Decision.objects.get(case=case)
    assert [st["amount"] for st in decision.stages] == ["1500.00", "1000.00"]
    assert decision.standby_cash[0]["receipt_no"] == "BYJ-3"
    page = client.get(f"/applications/cases/{case.pk}/").content.decode()
    assert "BYJ-3" in page and "2027-01-15 1000.00" in page
