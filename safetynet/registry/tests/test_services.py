import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from safetynet.core import testing
from safetynet.core.models import AccessLog, ChangeLog
from safetynet.registry.models import Household, Membership, Person
from safetynet.registry.services import (
    ConflictError,
    MemberInput,
    PersonInput,
    household_create,
    household_update,
    member_add,
    member_leave,
    sensitive_reveal,
)


def test_it_files_a_household_with_members_and_history(household_a):
    assert household_a.size == 2
    assert household_a.head_name == "张伟"
    assert household_a.number.startswith("H" + testing.VILLAGE_A1)
    assert household_a.changes.count() == 1
    person = household_a.head
    assert person.id_masked.startswith("3201") and "*" in person.id_masked
    assert testing.make_id_number(birth="19700305", seq=1) not in person.id_enc


def test_each_write_leaves_change_log_rows(personas):
    before = ChangeLog.objects.count()
    household = household_create(actor=personas.alice, data=testing.household_input(seq=7), reason="r")
    rows = ChangeLog.objects.filter(pk__gt=0).count() - before
    assert rows == 5  # 2 persons, 2 memberships, 1 household
    before = ChangeLog.objects.count()
    household_update(actor=personas.alice, household=household, reason="搬家", changes={"address": "新址1号"})
    assert ChangeLog.objects.count() - before == 1
    assert household.changes.first().kind == "address"


def test_a_person_counted_elsewhere_is_a_clear_conflict(personas, household_a):
    data = testing.household_input(village=testing.VILLAGE_B1, head_name="张伟", seq=1)
    with pytest.raises(ConflictError) as info:
        household_create(actor=personas.bob, data=data, reason="r")
    message = str(info.value.message_dict)
    assert "已是另一个家庭的共同生活成员" in message
    assert household_a.number not in message  # Bob may not see township A's household
    with pytest.raises(ConflictError) as info:
        household_create(actor=personas.carol, data=testing.household_input(village=testing.VILLAGE_A2, seq=1), reason="r")
    assert household_a.number in str(info.value.message_dict)  # Carol may
    assert Household.objects.count() == 1


def test_a_caseworker_cannot_file_outside_their_township(personas):
    with pytest.raises(ValidationError) as info:
        household_create(actor=personas.alice, data=testing.household_input(village=testing.VILLAGE_B1), reason="r")
    assert "不在您的管辖范围" in str(info.value.message_dict)


def test_an_auditor_may_not_write(personas):
    with pytest.raises(PermissionDenied):
        household_create(actor=personas.dave, data=testing.household_input(), reason="r")


def test_out_of_scope_is_not_found(personas, household_a):
    with pytest.raises(Household.DoesNotExist):
        Household.objects.restrict(personas.bob, "view").get(pk=household_a.pk)
    assert Household.objects.restrict(personas.carol, "view").get(pk=household_a.pk)
    assert not issubclass(Household.DoesNotExist, Http404)


def test_bad_members_are_all_reported_at_the_field(personas):
    data = testing.household_input()
    data.members[0].person.id_number = "320111197003050011"  # wrong check digit (most likely)
    data.members[1].person.name = ""
    with pytest.raises(ValidationError) as info:
        household_create(actor=personas.alice, data=data, reason="r")
    errors = info.value.message_dict
    assert "members.1.name" in errors
    assert Person.objects.count() == 0


def test_member_joins_leaves_and_dies(personas, household_a):
    child = MemberInput(PersonInput(name="张小明", id_number=testing.make_id_number(birth="20150601", seq=55)), relation="child")
    membership = member_add(actor=personas.alice, household=household_a, member=child, reason="出生登记")
    household_a.refresh_from_db()
    assert household_a.size == 3
    member_leave(actor=personas.alice, membership=membership, reason="病故", died=True)
    household_a.refresh_from_db()
    assert household_a.size == 2
    assert Person.objects.get(pk=membership.person_id).death_date is not None
    kinds = list(household_a.changes.values_list("kind", flat=True))
    assert {"member_joined", "member_died", "created"} <= set(kinds)
    assert Membership.objects.filter(household=household_a, end_date__isnull=True).count() == 2


def test_full_identity_number_is_revealed_only_to_roles_that_need_it_and_logged(personas, household_a):
    number = sensitive_reveal(actor=personas.alice, obj=household_a.head, field_name="id_number", purpose="核对")
    assert number == testing.make_id_number(birth="19700305", seq=1)
    assert AccessLog.objects.filter(object_id=str(household_a.head_id), field="id_number").count() == 1
    with pytest.raises(PermissionDenied):
        sensitive_reveal(actor=personas.dave, obj=household_a.head, field_name="id_number")


def test_renaming_the_head_renames_the_household_in_lists(personas, household_a):
    from safetynet.registry.services import member_update

    head = household_a.head
    member_update(actor=personas.alice, person=head, reason="身份证姓名更正", changes={"name": "张卫"})
    household_a.refresh_from_db()
    assert household_a.head_name == "张卫"
    other = household_a.memberships.exclude(person=head).first().person
    member_update(actor=personas.alice, person=other, reason="更正", changes={"name": "张小卫"})
    household_a.refresh_from_db()
    assert household_a.head_name == "张卫"
