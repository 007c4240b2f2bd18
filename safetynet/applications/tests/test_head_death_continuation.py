"""The head of household dies and the review continues assistance (domain-rules §11.17): the
applications side opens a new case linked to the review (停旧建新) and calls payments'
``entitlement_continue``, so the old entitlement stops and a new linked one carries the
survivors' own parts over (a member's top-up stays the member's)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from safetynet.applications import choices as c
from safetynet.applications import services as s
from safetynet.applications.models import Case
from safetynet.applications.tests.factories import TODAY, apply, approval, to_review
from safetynet.payments.models import Entitlement
from safetynet.registry.models import Membership

pytestmark = pytest.mark.usefixtures("calendar", "rules")
DAY = TODAY + dt.timedelta(days=8)


def _death_review_at_county(personas, household, who: str):
    case = to_review(personas, apply(personas, household).cases.get())
    data = approval(case)
    head = Membership.objects.get(household=household, relation="self")
    spouse = Membership.objects.get(household=household, relation="spouse")
    # 张伟 360, 李芳 400 (her own part, e.g. with a classified top-up)
    data.members = [
        s.MemberShare(head.person_id, Decimal("360")),
        s.MemberShare(spouse.person_id, Decimal("400"), "含分类施保 40 元"),
    ]
    data.amount_reason = "李芳分类施保"
    s.case_approve(actor=personas.carol, case=case, data=data, today=DAY)
    entitlement = s.case_notify(actor=personas.alice, case=case, method="直接送达", today=DAY)
    from safetynet.registry.services import member_leave

    gone = head if who == "head" else spouse
    member_leave(actor=personas.alice, membership=gone, reason="病故", day=timezone.localdate(), died=True)
    assert s.changes_scan(today=DAY) == 1
    review = Case.objects.get(predecessor=entitlement)
    assert review.kind == c.CaseKind.DEATH and review.change_person_id == gone.person_id
    review = s.case_move(actor=personas.alice, case=review, action="investigate", today=DAY)
    s.visit_record(
        actor=personas.alice,
        case=review,
        kind="home",
        visited_on=DAY,
        investigators=["艾丽", "王干事"],
        family_signatures=["李芳" if who == "head" else "张伟"],
        findings="户主病故，其余成员仍符合条件",
        today=DAY,
    )
    review = s.case_assess(actor=personas.alice, case=review, today=DAY)
    review = s.case_propose(
        actor=personas.alice,
        case=review,
        eligible=None,
        proposed_kind="continue",
        opinion="继续保障",
        today=DAY,
    )
    review = s.case_move(actor=personas.alice, case=review, action="submit_review", today=DAY)
    return entitlement, review, spouse


def test_the_heads_death_opens_a_linked_new_case_and_payments_carry_the_survivors_parts_over(
    personas, household_a
):
    entitlement, review, spouse = _death_review_at_county(personas, household_a, "head")
    old = Entitlement.objects.get(case=entitlement)
    assert old.monthly_amount == Decimal("760.00")
    data = approval(review, kind=c.DecisionKind.CONTINUE, amount_reason="户主病故，延续李芳本人部分")
    data.members = [s.MemberShare(spouse.person_id, Decimal("400"), "含分类施保 40 元")]
    decision = s.case_approve(actor=personas.carol, case=review, data=data, today=DAY)
    successor = Case.objects.get(predecessor=review)
    assert successor.kind == c.CaseKind.CONTINUATION and successor.program == "dibao"
    assert successor.entitlement_active and successor.next_review_on == decision.next_review_on
    assert successor.state == c.State.NOTIFIED and successor.outcome == c.Outcome.CONTINUED
    review.refresh_from_db()
    entitlement.refresh_from_db()
    assert not review.entitlement_active and not entitlement.entitlement_active
    assert review.transitions.filter(action="continuation").exists()
    # payments: the old entitlement stops, a new one linked to it carries 李芳's own part over
    old.refresh_from_db()
    new = Entitlement.objects.get(predecessor=old)
    assert old.state == Entitlement.State.STOPPED
    assert new.case_id == successor.pk and new.monthly_amount == Decimal("400.00")
    assert [(p.person_id, p.amount) for p in new.parts.all()] == [(spouse.person_id, Decimal("400.00"))]
    # the continued entitlement is reviewed on its own schedule later
    assert s.reviews_schedule(today=successor.next_review_on - dt.timedelta(days=10)) == 1
    assert Case.objects.filter(predecessor=successor, kind=c.CaseKind.REVIEW).exists()


def test_another_members_death_changes_the_same_entitlement(personas, household_a):
    entitlement, review, spouse = _death_review_at_county(personas, household_a, "spouse")
    data = approval(
        review, kind=c.DecisionKind.DECREASE, amount_reason="成员病故", note="李芳病故，减发其个人部分"
    )
    head = Membership.objects.get(household=household_a, relation="self")
    data.members = [s.MemberShare(head.person_id, Decimal("360"))]
    s.hearing_record(
        actor=personas.alice, case=review, held_on=DAY, attendees="张伟", statement="无异议", today=DAY
    )
    s.case_approve(actor=personas.carol, case=review, data=data, today=DAY)
    assert not Case.objects.filter(predecessor=review).exists()  # no 停旧建新
    old = Entitlement.objects.get(case=review)
    assert not Entitlement.objects.filter(predecessor=old).exists()
