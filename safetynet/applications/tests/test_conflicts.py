"""Conflict of interest (近亲属): a member who is a near relative of staff or of a committee member
is flagged, registered separately, and the county must visit before confirmation."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from safetynet.applications import services as s
from safetynet.applications.selectors import conflicts_for, kinship
from safetynet.applications.tests.factories import TODAY, apply, approval, to_review
from safetynet.core import testing

pytestmark = pytest.mark.usefixtures("calendar", "rules")


def test_relations_through_the_head_of_household():
    assert kinship("self", "child") == "child"
    assert kinship("child", "self") == "parent"
    assert kinship("child", "child") == "sibling"
    assert kinship("parent", "child") == "grandchild"
    assert kinship("other", "child") == ""


def test_a_declared_relative_flags_the_case_and_registers_it_separately(personas, household_a):
    s.staff_relative_declare(
        actor=personas.alice,
        relative_name="李芳",
        id_number=testing.make_id_number(birth="19720810", seq=1, male=False),
        relation="sibling",
        today=TODAY,
    )
    case = apply(personas, household_a).cases.get()
    assert case.conflict_flag
    assert case.separate_register_no == "备案〔2026〕1号"
    assert case.conflict_detail == [
        {
            "member": "李芳",
            "staff": "艾丽",
            "position": "低保经办人员",
            "relation": "兄弟姐妹",
            "source": "近亲属申报",
        }
    ]
    assert case.transitions.filter(action="conflict_flag").exists()


def test_a_staff_members_own_household_is_flagged_through_the_linked_person(personas, household_a):
    from safetynet.accounts.models import User

    User.objects.filter(pk=personas.victor.pk).update(person=household_a.head)  # the coordinator is the head
    found = conflicts_for(household=household_a)
    assert {(f.member_name, f.relation) for f in found} == {("张伟", "本人"), ("李芳", "配偶")}
    assert apply(personas, household_a).cases.get().conflict_flag


def test_staff_elsewhere_do_not_flag_a_household_outside_their_work(personas, household_a):
    s.staff_relative_declare(
        actor=personas.bob,
        relative_name="李芳",
        id_number=testing.make_id_number(birth="19720810", seq=1, male=False),
        relation="sibling",
        today=TODAY,
    )
    assert not apply(personas, household_a).cases.get().conflict_flag


def test_a_flagged_case_needs_a_county_home_visit_before_confirmation(personas, household_a):
    s.staff_relative_declare(
        actor=personas.carol,
        relative_name="张伟",
        id_number=testing.make_id_number(birth="19700305", seq=1),
        relation="sibling",
        today=TODAY,
    )
    case = to_review(personas, apply(personas, household_a).cases.get())
    day = TODAY + dt.timedelta(days=8)
    with pytest.raises(ValidationError) as err:
        s.case_approve(actor=personas.carol, case=case, data=approval(case), today=day)
    assert "县级民政部门入户核查" in str(err.value.message_dict["county_visit_if_flagged"])
    with pytest.raises(ValidationError):  # a caseworker cannot record the county's visit
        s.visit_record(
            actor=personas.alice,
            case=case,
            kind="home",
            visited_on=day,
            investigators=["a", "b"],
            family_signatures=["张伟"],
            by_county=True,
            findings="x",
            today=day,
        )
    s.visit_record(
        actor=personas.carol,
        case=case,
        kind="home",
        visited_on=day,
        investigators=["卡罗", "县民政局干部"],
        family_signatures=["张伟"],
        by_county=True,
        findings="县级入户核查属实",
        today=day,
    )
    decision = s.case_approve(actor=personas.carol, case=case, data=approval(case), today=day)
    assert decision.pk


def test_declaring_a_relative_checks_the_identity_number_and_the_relation(personas):
    with pytest.raises(ValidationError) as err:
        s.staff_relative_declare(actor=personas.alice, relative_name="", id_number="123", relation="cousin")
    assert set(err.value.message_dict) == {"relative_name", "relation", "id_number"}
