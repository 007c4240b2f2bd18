from safetynet.core import testing
from safetynet.core.models import AccessLog, ChangeLog
from safetynet.registry.models import ChangeReport

HEAD_ID = testing.make_id_number(birth="19700305", seq=1)  # household_a's head


def test_a_person_is_shown_masked_with_their_memberships(api_as, household_a):
    response = api_as("alice").get(f"/persons/{household_a.head_id}")
    assert response.status_code == 200
    person = response.json()
    assert person["name"] == "张伟" and person["birth_date"] == "1970-03-05" and person["sex"] == "M"
    assert person["id_masked"] == HEAD_ID[:4] + "*" * 10 + HEAD_ID[-4:]
    assert HEAD_ID not in response.content.decode()
    assert [m["household_number"] for m in person["memberships"]] == [household_a.number]


def test_a_person_patch_changes_facts_with_one_change_log_row(api_as, household_a):
    alice = api_as("alice")
    before = ChangeLog.objects.count()
    response = alice.patch(
        f"/persons/{household_a.head_id}",
        {
            "reason": "医院诊断证明",
            "serious_illness": True,
            "illness_name": "尿毒症",
            "disability_category": "physical",
            "disability_grade": 2,
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["serious_illness"] is True and response.json()["disability_grade"] == 2
    assert ChangeLog.objects.count() - before == 1
    assert ChangeReport.objects.filter(household=household_a, kind="member_edited").count() == 1


def test_person_errors_are_per_field(api_as, household_a):
    alice = api_as("alice")
    response = alice.patch(
        f"/persons/{household_a.head_id}", {"reason": "r", "disability_grade": 2, "work_capacity": "tired"}
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"work_capacity", "disability_grade"}
    assert "tired" in errors["work_capacity"][0] and "残疾类别" in errors["disability_grade"][0]
    sex = alice.patch(f"/persons/{household_a.head_id}", {"reason": "r", "sex": "F"})
    assert sex.status_code == 422 and "sex" in sex.json()["errors"]  # it follows the identity number
    missing_reason = alice.patch(f"/persons/{household_a.head_id}", {"illness_name": "x"})
    assert "reason" in missing_reason.json()["errors"]
    null_name = alice.patch(f"/persons/{household_a.head_id}", {"reason": "r", "name": None})
    assert null_name.status_code == 422 and "name" in null_name.json()["errors"]


def test_a_caseworker_reveals_a_full_number_and_it_is_logged(personas, api_as, household_a):
    response = api_as("alice").post(
        f"/persons/{household_a.head_id}/reveal", {"field": "id_number", "purpose": "核对户籍信息"}
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"field": "id_number", "value": HEAD_ID}
    row = AccessLog.objects.get()
    assert (row.actor_id, row.field, row.purpose, row.object_id) == (
        personas.alice.pk,
        "id_number",
        "核对户籍信息",
        str(household_a.head_id),
    )


def test_a_household_phone_and_account_can_be_revealed(api_as, household_a):
    alice = api_as("alice")
    phone = alice.post(f"/households/{household_a.pk}/reveal", {"field": "phone", "purpose": "联系"})
    account = alice.post(
        f"/households/{household_a.pk}/reveal", {"field": "account_number", "purpose": "发放核对"}
    )
    assert phone.json()["value"] == "13812345678" and account.json()["value"] == "6228480012345678901"
    assert AccessLog.objects.count() == 2


def test_reveals_are_refused_to_other_roles_and_outside_scope(api_as, household_a):
    body = {"field": "id_number", "purpose": "核对"}
    assert api_as("dave").post(f"/persons/{household_a.head_id}/reveal", body).status_code == 403
    assert api_as("victor").post(f"/persons/{household_a.head_id}/reveal", body).status_code == 403
    assert api_as("bob").post(f"/persons/{household_a.head_id}/reveal", body).status_code == 404
    assert AccessLog.objects.count() == 0


def test_a_reveal_needs_a_purpose_and_a_known_field(api_as, household_a):
    alice = api_as("alice")
    blank = alice.post(f"/persons/{household_a.head_id}/reveal", {"field": "id_number", "purpose": "  "})
    assert blank.status_code == 422 and blank.json()["errors"] == {"purpose": ["请填写查看目的"]}
    wrong = alice.post(f"/persons/{household_a.head_id}/reveal", {"field": "account_number", "purpose": "x"})
    assert wrong.status_code == 422 and "field" in wrong.json()["errors"]
    assert AccessLog.objects.count() == 0
