import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safetynet.api.tests.conftest import household_body, member_body
from safetynet.core import testing
from safetynet.core.models import ChangeLog
from safetynet.registry.models import ChangeReport, Household, IncomeItem, Membership, Person
from safetynet.registry.services import PersonInput, household_create, supporter_add

# Memberships start today (Asia/Shanghai); leaving and dying are recorded on the same day.
TODAY = timezone.localdate().isoformat()

HEAD_ID = testing.make_id_number(birth="19700305", seq=1)  # household_a's head


# ---- reading ---------------------------------------------------------------------------------


def test_the_list_shows_masked_values_only(api_as, household_a):
    response = api_as("alice").get("/households")
    assert response.status_code == 200
    item = response.json()["items"][0]
    assert item["number"] == household_a.number and item["region_name"] == "柳树村"
    assert item["phone_masked"] == "138****5678" and item["account_masked"].endswith("8901")
    body = response.content.decode()
    for secret in (HEAD_ID, "13812345678", "6228480012345678901"):
        assert secret not in body


def test_a_caseworker_of_township_b_gets_404_for_a_township_a_household(api_as, household_a):
    bob = api_as("bob")
    assert bob.get("/households").json() == {"items": [], "count": 0}
    assert bob.get("/households", id_number=HEAD_ID).json()["count"] == 0
    for path in (
        f"/households/{household_a.pk}",
        f"/households/{household_a.pk}/history",
        f"/persons/{household_a.head_id}",
    ):
        response = bob.get(path)
        assert response.status_code == 404, path
        assert "不在您的管辖范围内" in response.json()["detail"]
    assert api_as("carol").get(f"/households/{household_a.pk}").status_code == 200  # the county sees it


def test_the_list_filters_by_identity_number_name_and_region(personas, api_as, household_a):
    household_create(
        actor=personas.alice,
        reason="r",
        data=testing.household_input(village=testing.VILLAGE_A2, head_name="刘洋", seq=2),
    )
    alice = api_as("alice")
    by_number = alice.get("/households", id_number=HEAD_ID.lower()).json()
    assert [h["id"] for h in by_number["items"]] == [household_a.pk]
    assert alice.get("/households", name="刘").json()["items"][0]["head_name"] == "刘洋"
    assert alice.get("/households", name="李").json()["count"] == 2  # both spouses are 李芳
    assert alice.get("/households", region=testing.VILLAGE_A1).json()["count"] == 1
    assert alice.get("/households", region=testing.TOWNSHIP_A).json()["count"] == 2
    bad = alice.get("/households", region="3201")
    assert bad.status_code == 422
    assert "12位" in bad.json()["errors"]["region"][0]


@pytest.fixture
def seven_households(personas):
    for seq in range(1, 8):
        household_create(
            actor=personas.alice, reason="r", data=testing.household_input(seq=seq, head_name=f"户主{seq}")
        )


def test_lists_are_paginated_with_limit_and_offset(api_as, seven_households):
    alice = api_as("alice")
    first = alice.get("/households", limit=3).json()
    assert first["count"] == 7 and len(first["items"]) == 3
    rest = alice.get("/households", limit=3, offset=6).json()
    assert len(rest["items"]) == 1
    everything = alice.get("/households").json()["items"]  # default limit 50
    assert [h["id"] for h in everything[:3]] == [h["id"] for h in first["items"]]
    assert everything[6]["id"] == rest["items"][0]["id"]
    too_many = alice.get("/households", limit=201)
    assert too_many.status_code == 422 and "200" in too_many.json()["errors"]["limit"][0]
    assert alice.get("/households", limit=200).status_code == 200
    assert alice.get("/households", offset=-1).status_code == 422


def test_the_list_does_not_grow_in_queries_with_the_page_size(api_as, seven_households):
    alice = api_as("alice")

    def queries(**params) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = alice.get("/households", **params)
        assert response.status_code == 200
        assert len(response.json()["items"]) == params["limit"]
        return len(ctx.captured_queries)

    queries(limit=1)  # the first call records the token's last use
    assert queries(limit=1) == queries(limit=7) <= 3  # token, count, page
    assert queries(limit=7, name="户主") == queries(limit=1, name="户主")


def test_the_detail_has_members_supporters_and_declarations(personas, api_as, household_a):
    supporter_add(
        actor=personas.alice,
        household=household_a,
        relation="child",
        duty="shanyang",
        reason="r",
        person=PersonInput(name="张强", id_number=testing.make_id_number(birth="19950101", seq=5)),
    )
    response = api_as("alice").post(
        f"/households/{household_a.pk}/declarations",
        {
            "what": "income",
            "kind": "wages",
            "amount": "1200.50",
            "period_start": "2026-01-01",
            "period_end": "2026-10-31",
            "reason": "申报工资",
            "person_id": household_a.head_id,
        },
    )
    assert response.status_code == 201, response.content
    detail = api_as("alice").get(f"/households/{household_a.pk}").json()
    assert [m["person"]["name"] for m in detail["members"]] == ["张伟", "李芳"]
    assert detail["members"][0]["person"]["id_masked"].startswith("3201****")
    assert detail["supporters"][0]["person"]["name"] == "张强"
    assert detail["declarations"]["incomes"]["count"] == 1
    assert detail["declarations"]["incomes"]["recent"][0]["amount"] == "1200.50"
    assert detail["declarations"]["assets"] == {"count": 0, "recent": []}


# ---- writing ---------------------------------------------------------------------------------


def test_a_household_is_filed_with_its_members(personas, api_as):
    alice = api_as("alice")
    before = ChangeLog.objects.count()
    response = alice.post("/households", household_body(village=testing.VILLAGE_A1, seq=3))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["head_name"] == "王强" and body["size"] == 2 and len(body["members"]) == 2
    assert ChangeLog.objects.count() - before == 5  # two persons, two memberships, the household
    assert ChangeLog.objects.filter(actor=personas.alice, object_type="registry.household").count() == 1
    assert ChangeReport.objects.get(household_id=body["id"]).reason == "接口建档"


def test_service_errors_come_back_per_field_with_422(api_as):
    body = household_body(village=testing.VILLAGE_A1, seq=3)
    valid = body["members"][0]["id_number"]
    body["members"][0]["id_number"] = valid[:-1] + ("1" if valid[-1] == "0" else "0")  # wrong check digit
    body["members"][1]["name"] = ""
    body["hukou_type"] = "city"
    response = api_as("alice").post("/households", body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"members.0.id_number", "members.1.name", "hukou_type"}
    assert "校验位" in errors["members.0.id_number"][0]
    assert errors["members.1.name"] == ["姓名不能为空"]
    assert Household.objects.count() == 0 and Person.objects.count() == 0


def test_bodies_that_do_not_parse_are_422_at_the_field_too(api_as):
    body = household_body(village=testing.VILLAGE_A1, seq=3)
    body["members"][0]["birth_date"] = "2026-13-01"
    body["members"][1]["disability_grade"] = "二级"
    body["adress"] = body.pop("address")
    response = api_as("alice").post("/households", body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["members.0.birth_date"] == ["“2026-13-01”不是有效日期（应为 YYYY-MM-DD）"]
    assert errors["members.1.disability_grade"] == ["“二级”不是整数"]
    assert errors["address"] == ["缺少必填字段"]
    assert "adress" in errors
    assert Household.objects.count() == 0


def test_filing_outside_ones_township_is_refused_at_the_region_field(api_as):
    response = api_as("alice").post("/households", household_body(village=testing.VILLAGE_B1, seq=3))
    assert response.status_code == 422
    assert "不在您的管辖范围内" in response.json()["errors"]["region_code"][0]


def test_a_household_patch_writes_exactly_one_change_log_row(personas, api_as, household_a):
    alice = api_as("alice")
    before = ChangeLog.objects.count()
    response = alice.patch(
        f"/households/{household_a.pk}", {"reason": "搬迁", "address": "柳树村7组2号", "phone": "13700001111"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["address"] == "柳树村7组2号" and response.json()["phone_masked"] == "137****1111"
    assert ChangeLog.objects.count() - before == 1
    row = ChangeLog.objects.latest("pk")
    assert (row.action, row.object_id, row.reason, row.actor_id) == (
        "update",
        str(household_a.pk),
        "搬迁",
        personas.alice.pk,
    )
    assert "13700001111" not in str(row.after)


def test_a_household_patch_needs_a_reason_and_known_fields(api_as, household_a):
    alice = api_as("alice")
    missing = alice.patch(f"/households/{household_a.pk}", {"address": "x"})
    assert missing.status_code == 422 and "reason" in missing.json()["errors"]
    blank = alice.patch(f"/households/{household_a.pk}", {"reason": " ", "address": "x"})
    assert blank.json()["errors"] == {"reason": ["请填写变更原因"]}
    unknown = alice.patch(f"/households/{household_a.pk}", {"reason": "r", "size": 9})
    assert unknown.status_code == 422 and "size" in unknown.json()["errors"]
    bad = alice.patch(f"/households/{household_a.pk}", {"reason": "r", "account_number": "62-28"})
    assert bad.json()["errors"] == {"account_number": ["银行账号只能包含数字"]}
    household_a.refresh_from_db()
    assert household_a.address == "柳树村3组12号"


def test_a_member_joins_and_leaves(api_as, household_a):
    alice = api_as("alice")
    before = ChangeLog.objects.count()
    child = member_body(
        name="张小明",
        id_number=testing.make_id_number(birth="20150601", seq=40),
        relation="child",
        schooling="primary",
        full_time_student=True,
        employment="na",
    )
    joined = alice.post(f"/households/{household_a.pk}/members", {**child, "reason": "出生登记"})
    assert joined.status_code == 201, joined.content
    assert joined.json()["person"]["name"] == "张小明"
    assert ChangeLog.objects.count() - before == 2  # the person, the membership
    assert alice.get(f"/households/{household_a.pk}").json()["size"] == 3

    before = ChangeLog.objects.count()
    left = alice.post(f"/memberships/{joined.json()['id']}/leave", {"reason": "随母迁出", "date": TODAY})
    assert left.status_code == 200, left.content
    assert left.json()["end_date"] == TODAY and left.json()["end_reason"] == "left"
    assert ChangeLog.objects.count() - before == 1
    again = alice.post(f"/memberships/{joined.json()['id']}/leave", {"reason": "重复"})
    assert again.status_code == 422 and "已离开" in again.json()["errors"]["membership"][0]


def test_a_death_is_recorded_on_the_person_too(api_as, household_a):
    spouse = Membership.objects.get(household=household_a, relation="spouse")
    alice = api_as("alice")
    before = ChangeLog.objects.count()
    response = alice.post(f"/memberships/{spouse.pk}/leave", {"reason": "病故", "date": TODAY, "died": True})
    assert response.status_code == 200
    assert response.json()["person"]["death_date"] == TODAY
    assert ChangeLog.objects.count() - before == 2  # the membership, the person


def test_member_errors_name_the_fields_of_the_request(api_as, household_a):
    alice = api_as("alice")
    response = alice.post(
        f"/households/{household_a.pk}/members",
        {**member_body(name="", id_number="123", relation="child"), "reason": "r"},
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"name", "id_number"}
    head = member_body(name="张伟", id_number=HEAD_ID, relation="child")
    conflict = alice.post(f"/households/{household_a.pk}/members", {**head, "reason": "r"})
    assert conflict.status_code == 422
    assert "已在本家庭中" in conflict.json()["errors"]["id_number"][0]
    future = alice.post(
        f"/memberships/{Membership.objects.filter(relation='spouse').get().pk}/leave",
        {"reason": "r", "date": "2999-01-01"},
    )
    assert future.json()["errors"] == {"date": ["日期不能晚于今天"]}


def test_declarations_are_recorded_with_a_change_log_row(api_as, household_a):
    alice = api_as("alice")
    before = ChangeLog.objects.count()
    response = alice.post(
        f"/households/{household_a.pk}/declarations",
        {
            "what": "asset",
            "kind": "vehicle",
            "amount": 30000,
            "period_start": "2026-01-01",
            "period_end": "2026-01-01",
            "reason": "入户调查发现",
            "source": "home_visit",
            "quantity": 1,
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["what"] == "asset" and response.json()["amount"] == "30000.00"
    assert ChangeLog.objects.count() - before == 1


def test_declaration_errors_are_per_field(api_as, household_a, personas):
    stranger = household_create(actor=personas.alice, reason="r", data=testing.household_input(seq=9)).head_id
    response = api_as("alice").post(
        f"/households/{household_a.pk}/declarations",
        {
            "what": "income",
            "kind": "lottery",
            "amount": "十元",
            "period_start": "2026-05-01",
            "period_end": "2026-01-01",
            "reason": "r",
            "person_id": stranger,
        },
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"kind", "amount", "period_end", "person_id"}
    bad_what = api_as("alice").post(
        f"/households/{household_a.pk}/declarations",
        {
            "what": "gift",
            "kind": "x",
            "amount": 1,
            "period_start": "2026-01-01",
            "period_end": "2026-01-01",
            "reason": "r",
        },
    )
    assert "what" in bad_what.json()["errors"]
    assert IncomeItem.objects.count() == 0


def test_the_history_lists_change_reports_newest_first(api_as, household_a):
    alice = api_as("alice")
    alice.patch(f"/households/{household_a.pk}", {"reason": "搬迁", "address": "新址"})
    history = alice.get(f"/households/{household_a.pk}/history").json()
    assert history["count"] == 2
    assert [item["kind"] for item in history["items"]] == ["address", "created"]
    assert history["items"][0]["kind_label"] == "地址变更" and history["items"][0]["actor_name"] == "alice"
    assert alice.get(f"/households/{household_a.pk}/history", limit=1).json()["items"][0]["kind"] == "address"


# ---- the auditor reads, never writes ---------------------------------------------------------


def _writes(household, spouse_membership):
    head = household.head_id
    child = member_body(
        name="张小红",
        id_number=testing.make_id_number(birth="20160101", seq=41, male=False),
        relation="child",
        employment="na",
    )
    return [
        ("post", "/households", household_body(village=testing.VILLAGE_A1, seq=3)),
        ("patch", f"/households/{household.pk}", {"reason": "r", "address": "x"}),
        ("post", f"/households/{household.pk}/members", {**child, "reason": "r"}),
        ("post", f"/memberships/{spouse_membership}/leave", {"reason": "r"}),
        (
            "post",
            f"/households/{household.pk}/declarations",
            {
                "what": "income",
                "kind": "wages",
                "amount": 1,
                "period_start": "2026-01-01",
                "period_end": "2026-01-31",
                "reason": "r",
            },
        ),
        ("patch", f"/persons/{head}", {"reason": "r", "serious_illness": True}),
        ("post", f"/persons/{head}/reveal", {"field": "id_number", "purpose": "核对"}),
        ("post", f"/households/{household.pk}/reveal", {"field": "phone", "purpose": "核对"}),
    ]


def test_the_auditor_gets_403_on_every_write(api_as, household_a):
    dave = api_as("dave")
    assert dave.get(f"/households/{household_a.pk}").status_code == 200  # reading is the auditor's job
    spouse = Membership.objects.get(household=household_a, relation="spouse").pk
    before = ChangeLog.objects.count()
    for method, path, body in _writes(household_a, spouse):
        response = getattr(dave, method)(path, body)
        assert response.status_code == 403, (method, path, response.content)
        assert "纪检/审计人员" in response.json()["detail"]
    assert ChangeLog.objects.count() == before


def test_a_caseworker_of_township_b_gets_404_on_every_write_to_township_a(api_as, household_a):
    bob = api_as("bob")
    spouse = Membership.objects.get(household=household_a, relation="spouse").pk
    before = ChangeLog.objects.count()
    for method, path, body in _writes(household_a, spouse)[1:]:
        response = getattr(bob, method)(path, body)
        assert response.status_code == 404, (method, path, response.content)
    assert ChangeLog.objects.count() == before
