"""A signed-in resident applies for their own household through the web page and the API: one
application record (channel "群众自助申请"), one case per program, in the township's worklist like
a window application. Bad input stores nothing; staff cannot use the resident's channel."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safetynet.accounts.roles import Role
from safetynet.applications import choices as c
from safetynet.applications import selectors
from safetynet.applications import services as s
from safetynet.applications.models import Application
from safetynet.applications.tests.factories import TODAY
from safetynet.core import testing
from safetynet.registry.models import Membership

pytestmark = pytest.mark.usefixtures("calendar")


@pytest.fixture
def erin(personas, household_a):
    from safetynet.accounts.services import user_create

    head = Membership.objects.get(household=household_a, relation="self")
    user = user_create(
        actor=None,
        username="erin",
        password=testing.PASSWORD,
        role=Role.RESIDENT,
        household_id=household_a.pk,
        display_name="张伟",
        with_totp=False,
    )
    user.person_id = head.person_id
    user.save(update_fields=["person"])
    return user


def test_a_resident_applies_for_several_programs_and_it_lands_in_the_township_worklist(
    personas, erin, household_a
):
    with pytest.raises(ValidationError) as err:
        s.application_self_submit(actor=erin, programs=[], commitment_signed=False, today=TODAY)
    assert set(err.value.message_dict) == {"programs", "commitment_signed"}
    assert not Application.objects.exists()
    application = s.application_self_submit(
        actor=erin,
        programs=["dibao", "temporary_expenditure"],
        commitment_signed=True,
        note="丈夫重病",
        today=TODAY,
    )
    assert application.channel == c.Channel.SELF and application.household_id == household_a.pk
    assert application.commitment_signed and application.applicant.name == "张伟"
    assert sorted(application.cases.values_list("program", flat=True)) == ["dibao", "temporary_expenditure"]
    assert set(application.cases.values_list("state", flat=True)) == {c.State.SUBMITTED}
    tasks = selectors.worklist(user=personas.alice, filters=selectors.WorklistFilter(mine=True))
    assert set(application.cases.values_list("pk", flat=True)) <= set(tasks.values_list("pk", flat=True))
    # the same household cannot apply twice for a program in progress
    with pytest.raises(ValidationError) as err:
        s.application_self_submit(actor=erin, programs=["dibao"], commitment_signed=True, today=TODAY)
    assert "programs" in err.value.message_dict


def test_only_a_resident_linked_to_a_household_may_self_apply(personas, household_a):
    from safetynet.accounts.services import user_create

    with pytest.raises(PermissionDenied):
        s.application_self_submit(actor=personas.alice, programs=["dibao"], commitment_signed=True)
    loose = user_create(
        actor=None, username="frank", password=testing.PASSWORD, role=Role.RESIDENT, with_totp=False
    )
    with pytest.raises(PermissionDenied):
        s.application_self_submit(actor=loose, programs=["dibao"], commitment_signed=True)
    head = Membership.objects.get(household=household_a, relation="self")
    data = s.ApplicationInput(
        household_id=household_a.pk, applicant_id=head.person_id, programs=["dibao"], channel=c.Channel.SELF
    )
    with pytest.raises(ValidationError) as err:
        s.application_submit(actor=personas.alice, data=data)
    assert "channel" in err.value.message_dict


def test_the_page_and_the_api(client, erin, household_a):
    client.force_login(erin)
    page = client.get("/applications/apply/")
    assert page.status_code == 200 and "申请社会救助" in page.content.decode()
    response = client.post("/applications/apply/", {"programs": ["dibao"], "note": "无收入"})
    assert response.status_code == 200 and "请阅读并勾选承诺" in response.content.decode()
    assert not Application.objects.exists()
    response = client.post("/applications/apply/", {"programs": ["dibao"], "commitment_signed": "on"})
    assert response.status_code == 302
    page = client.get("/applications/apply/")
    assert "最低生活保障" in page.content.decode() and "已提交待受理" in page.content.decode()
    response = client.post(
        "/api/v1/applications/self",
        {"programs": ["tekun"], "commitment_signed": True},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value if "csrftoken" in client.cookies else "",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["channel"] == "self" and body["household_id"] == household_a.pk
    assert [case["program"] for case in body["cases"]] == ["tekun"]
    bad = client.post(
        "/api/v1/applications/self",
        {"programs": ["nope"], "commitment_signed": True},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "programs" in bad.json()["errors"]
