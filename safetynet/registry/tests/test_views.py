"""Household pages through the Django test client: scope (404), roles (403), errors at the field,
writes through the services, masked values and the logged "show full value", query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safetynet.accounts.roles import Role
from safetynet.accounts.services import user_create
from safetynet.core import testing
from safetynet.core.models import AccessLog, ChangeLog
from safetynet.registry.models import (
    AssetItem,
    ChangeReport,
    Household,
    IncomeItem,
    LegalSupporter,
    Membership,
)
from safetynet.registry.services import household_create

HEAD_ID = testing.make_id_number(birth="19700305", seq=1)


def url(name, *args):
    return reverse(f"registry:{name}", args=args)


def member_row(i, name, id_number, relation, **extra):
    row = {
        "name": name,
        "id_kind": "resident",
        "id_number": id_number,
        "relation": relation,
        "work_capacity": "full",
        "schooling": "none",
        "employment": "farming",
        "counted": "on",
        "hukou_type": "rural",
    }
    row.update(extra)
    return {f"members-{i}-{k}": v for k, v in row.items()}


def create_post(**overrides):
    data = {
        "rows": "2",
        "village": testing.VILLAGE_A1,
        "address": "柳树村5组3号",
        "hukou_type": "rural",
        "phone": "13900001111",
        "bank_name": "农商银行",
        "account_holder": "王强",
        "account_number": "6217000011112222",
        "reason": "申请低保建档",
    }
    data.update(member_row(0, "王强", testing.make_id_number(birth="19650412", seq=31), "self"))
    data.update(member_row(1, "刘梅", testing.make_id_number(birth="19680921", seq=32, male=False), "spouse"))
    data.update(overrides)
    return data


@pytest.fixture
def alice_client(client, personas):
    client.force_login(personas.alice)
    return client


# --- scope and roles -----------------------------------------------------------------------


def test_a_caseworker_of_another_township_gets_404(client, personas, household_a):
    client.force_login(personas.bob)
    for name in ("household_detail", "household_edit", "member_add", "supporter_add"):
        assert client.get(url(name, household_a.pk)).status_code == 404, name
    membership = household_a.memberships.first()
    assert client.get(url("member_edit", membership.pk)).status_code == 404
    assert (
        client.post(url("member_leave", membership.pk), {"event": "left", "reason": "x"}).status_code == 404
    )
    assert client.post(url("reveal", "person", household_a.head_id, "id_number")).status_code == 404
    response = client.get(url("household_detail", household_a.pk))
    assert "不在您的管辖范围内" in response.content.decode()  # the 404 page, not a stack trace
    assert household_a.head_name not in response.content.decode()


def test_an_auditor_may_read_but_gets_403_on_writes(client, personas, household_a):
    client.force_login(personas.dave)
    assert client.get(url("household_detail", household_a.pk)).status_code == 200
    assert client.get(url("household_edit", household_a.pk)).status_code == 403
    assert client.get(url("household_create")).status_code == 403
    response = client.post(url("household_create"), create_post())
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()
    assert Household.objects.count() == 1


def test_a_role_without_registry_access_gets_403_on_search(client, db):
    testing.build_regions()
    user = user_create(
        actor=None, username="dept", password=testing.PASSWORD, role=Role.DEPARTMENT, department="公安"
    )
    client.force_login(user)
    assert client.get(url("household_list")).status_code == 403
    assert client.get(reverse("core:home")).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, household_a):
    response = client.get(url("household_detail", household_a.pk))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_a_resident_sees_only_their_own_household(client, personas, household_a):
    other = household_create(
        actor=personas.alice, data=testing.household_input(head_name="赵刚", seq=5), reason="r"
    )
    erin = user_create(
        actor=None,
        username="erin",
        password=testing.PASSWORD,
        role=Role.RESIDENT,
        household_id=household_a.pk,
    )
    client.force_login(erin)
    assert client.get(url("household_detail", household_a.pk)).status_code == 200
    assert client.get(url("household_detail", other.pk)).status_code == 404
    response = client.get(url("household_list"))
    assert list(response.context["page"].object_list) == [household_a]
    assert client.get(url("household_edit", household_a.pk)).status_code == 403


# --- filing and editing --------------------------------------------------------------------


def test_a_household_is_filed_through_the_form(alice_client, personas):
    response = alice_client.post(url("household_create"), create_post())
    household = Household.objects.get(head_name="王强")
    assert response.status_code == 302 and response.url == url("household_detail", household.pk)
    assert household.size == 2 and household.created_by == personas.alice
    page = alice_client.get(response.url).content.decode()
    assert "王强" in page and "刘梅" in page and "申请低保建档" in page
    assert household.changes.get().reason == "申请低保建档"


def test_member_errors_are_shown_at_the_field_of_their_row(alice_client):
    bad = testing.make_id_number(birth="19680921", seq=32, male=False)[:-1] + "0"
    if bad == testing.make_id_number(birth="19680921", seq=32, male=False):
        bad = bad[:-1] + "1"
    response = alice_client.post(
        url("household_create"), create_post(**{"members-1-id_number": bad, "members-0-name": ""})
    )
    assert response.status_code == 200
    members = response.context["members"]
    assert "校验位错误" in members[1].errors["id_number"][0]
    assert "姓名不能为空" in members[0].errors["name"][0]
    page = response.content.decode()
    assert 'id="id_members-1-id_number_error"' in page
    assert Household.objects.count() == 0


def test_blank_rows_are_ignored_and_the_error_lands_on_the_right_row(alice_client):
    data = create_post(rows="4")
    data.update(member_row(2, "", "", "child", counted=""))  # a blank row in the middle
    data.update(member_row(3, "王小明", "123", "child"))
    response = alice_client.post(url("household_create"), data)
    assert response.status_code == 200
    members = response.context["members"]
    assert not members[2].errors
    assert "18位" in members[3].errors["id_number"][0]


def test_household_level_errors_are_shown_at_the_form(alice_client):
    data = create_post(address="", **{"members-0-relation": "child"})
    response = alice_client.post(url("household_create"), data)
    form = response.context["form"]
    assert "居住地址不能为空" in form.errors["address"][0]
    assert any("户主" in e for e in form.non_field_errors())


def test_a_village_outside_the_township_is_not_offered(alice_client):
    response = alice_client.post(url("household_create"), create_post(village=testing.VILLAGE_B1))
    assert "village" in response.context["form"].errors
    assert Household.objects.count() == 0


def test_add_row_keeps_what_was_typed_and_shows_no_errors_yet(alice_client):
    response = alice_client.post(url("household_create"), create_post(address="", add_row="1"))
    assert response.status_code == 200
    assert response.context["rows"] == 3
    assert not response.context["form"].errors
    assert 'value="王强"' in response.content.decode()


def test_an_edit_needs_a_reason_given_at_the_field(alice_client, household_a):
    response = alice_client.post(
        url("household_edit", household_a.pk), {"address": "新址8号", "hukou_type": "rural", "reason": ""}
    )
    assert response.status_code == 200
    assert "请填写变更原因" in response.context["form"].errors["reason"][0]
    household_a.refresh_from_db()
    assert household_a.address != "新址8号"


def test_an_edit_is_saved_with_its_reason_and_one_change_log_row(alice_client, household_a):
    before = ChangeLog.objects.count()
    response = alice_client.post(
        url("household_edit", household_a.pk),
        {
            "address": "新址8号",
            "hukou_type": "rural",
            "bank_name": "农村信用社",
            "account_holder": "张伟",
            "reason": "搬迁",
        },
    )
    assert response.status_code == 302
    household_a.refresh_from_db()
    assert household_a.address == "新址8号"
    assert household_a.phone_masked == "138****5678"  # blank phone field leaves the phone unchanged
    assert ChangeLog.objects.count() - before == 1
    page = alice_client.get(url("household_detail", household_a.pk)).content.decode()
    assert "搬迁" in page and "新址8号" in page


def test_member_join_edit_and_death_go_through_the_services(alice_client, household_a):
    new_id = testing.make_id_number(birth="20150601", seq=41)
    data = {
        f"members-0-{k}": v
        for k, v in {
            "name": "张小华",
            "id_kind": "resident",
            "id_number": new_id,
            "relation": "child",
            "work_capacity": "none",
            "schooling": "primary",
            "employment": "na",
            "counted": "on",
            "full_time_student": "on",
        }.items()
    }
    data["members-0-reason"] = "随父母落户"
    data["members-0-start_date"] = "2025-06-01"
    response = alice_client.post(url("member_add", household_a.pk), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    household_a.refresh_from_db()
    assert household_a.size == 3

    membership = Membership.objects.get(household=household_a, person__name="张小华")
    response = alice_client.post(
        url("member_edit", membership.pk),
        {
            "name": "张小华",
            "disability_category": "physical",
            "disability_grade": "2",
            "work_capacity": "none",
            "schooling": "primary",
            "employment": "na",
            "full_time_student": "on",
            "reason": "办理残疾证",
        },
    )
    assert response.status_code == 302
    membership.person.refresh_from_db()
    assert membership.person.disability_grade == 2

    response = alice_client.post(
        url("member_leave", membership.pk), {"event": "died", "day": "2025-01-15", "reason": "病故"}
    )
    assert response.status_code == 200
    assert "早于加入日期" in response.context["form"].errors["day"][0]
    response = alice_client.post(
        url("member_leave", membership.pk), {"event": "died", "day": "2026-01-15", "reason": "病故"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.end_reason == "died"
    kinds = list(ChangeReport.objects.filter(household=household_a).values_list("kind", flat=True))
    assert {"member_joined", "member_edited", "member_died"} <= set(kinds)


def test_member_edit_errors_are_shown_at_the_field(alice_client, household_a):
    membership = household_a.memberships.first()
    response = alice_client.post(
        url("member_edit", membership.pk),
        {
            "name": membership.person.name,
            "disability_category": "physical",
            "work_capacity": "full",
            "schooling": "none",
            "employment": "farming",
            "reason": "更正",
        },
    )
    assert response.status_code == 200
    assert "残疾等级" in response.context["form"].errors["disability_grade"][0]


def test_the_head_cannot_leave_before_the_head_is_changed(alice_client, household_a):
    head = household_a.memberships.get(relation="self")
    response = alice_client.post(url("member_leave", head.pk), {"event": "left", "reason": "外出务工"})
    assert response.status_code == 200
    assert "户主离开前请先变更户主" in response.content.decode()


def test_supporters_and_declarations_are_recorded(alice_client, household_a):
    head = household_a.head
    response = alice_client.post(
        url("supporter_add", household_a.pk),
        {
            "name": "张强",
            "id_kind": "resident",
            "id_number": testing.make_id_number(birth="19950101", seq=51),
            "relation": "child",
            "duty": "shanyang",
            "supported": str(head.pk),
            "address": "南京市",
            "reason": "外出子女",
        },
    )
    assert response.status_code == 302
    assert LegalSupporter.objects.get(household=household_a).supported == head

    response = alice_client.post(
        url("declaration_add", household_a.pk, "income"),
        {
            "kind": "wages",
            "person": str(head.pk),
            "amount": "9600",
            "period_start": "2025-12-01",
            "period_end": "2026-11-30",
            "source": "declared",
            "reason": "申请时申报",
        },
    )
    assert response.status_code == 302
    assert IncomeItem.objects.get(household=household_a).amount == 9600

    response = alice_client.post(
        url("declaration_add", household_a.pk, "asset"),
        {
            "kind": "dwelling",
            "amount": "80000",
            "quantity": "1",
            "area": "96.5",
            "period_start": "2026-11-30",
            "period_end": "2026-11-30",
            "source": "declared",
            "reason": "申请时申报",
        },
    )
    assert response.status_code == 302
    assert AssetItem.objects.get(household=household_a).area == pytest.approx(96.5)

    response = alice_client.post(
        url("declaration_add", household_a.pk, "expense"),
        {
            "kind": "medical",
            "amount": "1",
            "period_start": "2026-11-30",
            "period_end": "2026-01-01",
            "source": "declared",
            "reason": "r",
        },
    )
    assert response.status_code == 200
    assert "期间止不能早于期间起" in response.context["form"].errors["period_end"][0]
    assert alice_client.get(url("declaration_add", household_a.pk, "bogus")).status_code == 404

    page = alice_client.get(url("household_detail", household_a.pk)).content.decode()
    assert "张强" in page and "9600" in page and "工资性收入" in page and "住房" in page


# --- masking and "show full value" ---------------------------------------------------------


def test_pages_show_masked_values_only(alice_client, household_a):
    page = alice_client.get(url("household_detail", household_a.pk)).content.decode()
    assert HEAD_ID not in page and "13812345678" not in page and "6228480012345678901" not in page
    assert household_a.head.id_masked in page and "138****5678" in page
    list_page = alice_client.get(url("household_list")).content.decode()
    assert "13812345678" not in list_page


def test_a_caseworker_may_reveal_a_full_value_and_it_is_logged(alice_client, personas, household_a):
    page = alice_client.get(url("household_detail", household_a.pk)).content.decode()
    reveal_url = url("reveal", "person", household_a.head_id, "id_number")
    assert reveal_url in page
    response = alice_client.post(reveal_url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert HEAD_ID in response.content.decode() and "<html" not in response.content.decode()
    log = AccessLog.objects.get()
    assert (log.actor, log.field, log.object_id) == (personas.alice, "id_number", str(household_a.head_id))
    assert alice_client.get(reveal_url).status_code == 405
    assert alice_client.post(url("reveal", "person", household_a.head_id, "password")).status_code == 404


def test_roles_without_full_values_see_no_reveal_action_and_get_403(client, personas, household_a):
    client.force_login(personas.dave)
    reveal_url = url("reveal", "person", household_a.head_id, "id_number")
    assert reveal_url not in client.get(url("household_detail", household_a.pk)).content.decode()
    assert client.post(reveal_url).status_code == 403
    assert AccessLog.objects.count() == 0


# --- search ----------------------------------------------------------------------------------


@pytest.fixture
def three_households(personas, household_a):
    b = household_create(
        actor=personas.alice,
        data=testing.household_input(village=testing.VILLAGE_A2, head_name="张伟国", seq=2),
        reason="r",
    )
    c = household_create(
        actor=personas.alice, data=testing.household_input(head_name="李强", seq=3), reason="r"
    )
    household_create(
        actor=personas.bob,
        data=testing.household_input(village=testing.VILLAGE_B1, head_name="张伟", seq=4),
        reason="r",
    )
    return household_a, b, c


def results(client, **params):
    response = client.get(url("household_list"), params)
    assert response.status_code == 200
    return [h.number for h in response.context["page"].object_list]


def test_search_by_full_identity_number_is_exact(alice_client, three_households):
    a, _b, _c = three_households
    assert results(alice_client, id_number=HEAD_ID) == [a.number]
    assert results(alice_client, id_number=HEAD_ID[:-1]) == []


def test_search_by_name_matches_whole_or_leading_characters(alice_client, three_households):
    a, b, c = three_households
    assert results(alice_client, name="张伟") == [a.number, b.number]  # not Bob's 张伟 in township B
    assert results(alice_client, name="张") == [a.number, b.number]
    assert results(alice_client, name="李强") == [c.number]
    assert results(alice_client, name="伟") == []


def test_search_by_village(alice_client, three_households):
    a, b, c = three_households
    assert results(alice_client, village=testing.VILLAGE_A2) == [b.number]
    assert results(alice_client, village=testing.VILLAGE_A1, name="张") == [a.number]


def test_the_search_page_is_paginated(alice_client, personas):
    for seq in range(100, 123):
        household_create(
            actor=personas.alice,
            data=testing.household_input(head_name="孙悦", seq=seq, members=1),
            reason="r",
        )
    first = alice_client.get(url("household_list"), {"name": "孙"})
    assert len(first.context["page"].object_list) == 20
    assert "page=2" in first.context["page"].next_link and "name=" in first.context["page"].next_link
    second = alice_client.get(url("household_list"), {"name": "孙", "page": 2})
    assert len(second.context["page"].object_list) == 3


def test_the_search_page_makes_the_same_number_of_queries_for_3_or_20_rows(alice_client, personas):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = alice_client.get(url("household_list"))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    for seq in range(200, 203):
        household_create(actor=personas.alice, data=testing.household_input(seq=seq, members=1), reason="r")
    few = count_queries()
    for seq in range(203, 220):
        household_create(actor=personas.alice, data=testing.household_input(seq=seq, members=1), reason="r")
    many = count_queries()
    assert many == few
    assert few <= 6  # session, user, villages, count, rows (+ a savepoint at most)


def test_the_household_page_makes_a_bounded_number_of_queries(alice_client, personas, household_a):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert alice_client.get(url("household_detail", household_a.pk)).status_code == 200
        return len(ctx.captured_queries)

    few = count_queries()
    for i in range(4):
        alice_client.post(
            url("household_edit", household_a.pk),
            {"address": f"新址{i}号", "hukou_type": "rural", "reason": "搬迁"},
        )
    assert count_queries() == few
