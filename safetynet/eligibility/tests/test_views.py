from safetynet.core import testing
from safetynet.eligibility.tests.test_situations import declare


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_household_page_loads_the_evaluation_panel(client, personas, household_a, standards):
    declare(personas.alice, household_a, "income", "wages", 6000, person=household_a.head)
    signed_in(client, personas.alice)
    page = client.get(f"/registry/households/{household_a.pk}/")
    assert page.status_code == 200
    assert f"/eligibility/households/{household_a.pk}/evaluation/" in page.content.decode()
    panel = client.get(
        f"/eligibility/households/{household_a.pk}/evaluation/", {"month": "2026-12"}
    ).content.decode()
    assert "最低生活保障" in panel and "符合" in panel and "800.00" in panel  # 650 × 2 − 500
    assert "审核确认办法" in panel and "月人均收入低于标准" in panel and "申报" in panel


def test_the_panel_says_which_standard_is_missing(client, personas, household_a):
    signed_in(client, personas.alice)
    panel = client.get(
        f"/eligibility/households/{household_a.pk}/evaluation/", {"month": "2026-12"}
    ).content.decode()
    assert "2026-12" in panel and "地方标准" in panel


def test_the_panel_is_404_out_of_scope(client, personas, household_a):
    signed_in(client, personas.bob)
    assert client.get(f"/eligibility/households/{household_a.pk}/evaluation/").status_code == 404
    assert testing.TOWNSHIP_B


def test_officers_propose_and_another_officer_approves_a_standard(client, personas):
    from safetynet.accounts.roles import Role
    from safetynet.accounts.services import user_create
    from safetynet.eligibility.models import RegionalStandard

    connie = user_create(
        actor=None,
        username="connie",
        password=testing.PASSWORD,
        role=Role.COUNTY_OFFICER,
        region_id=testing.COUNTY,
    )
    signed_in(client, personas.carol)
    page = client.get("/eligibility/standards/").content.decode()
    assert "城镇低保标准" in page and "必填" in page
    response = client.post(
        "/eligibility/standards/",
        {"key": "dibao_standard_rural", "value": "-1", "effective_from": "2027-01-01", "reference": "x"},
    )
    assert response.status_code == 200 and "数值不能为负数" in response.content.decode()
    response = client.post(
        "/eligibility/standards/",
        {
            "key": "dibao_standard_rural",
            "value": "700",
            "effective_from": "2027-01-01",
            "reference": "示民发〔2026〕9号",
        },
    )
    assert response.status_code == 302
    proposal = RegionalStandard.objects.get()
    client.post(f"/eligibility/standards/{proposal.pk}/decide/", {"decision": "approve"})
    assert RegionalStandard.objects.get().status == "proposed"  # the proposer cannot approve
    signed_in(client, connie)
    client.post(f"/eligibility/standards/{proposal.pk}/decide/", {"decision": "approve", "note": "同意"})
    assert RegionalStandard.objects.get().status == "approved"


def test_a_caseworker_sees_standards_but_cannot_propose(client, personas):
    signed_in(client, personas.alice)
    assert client.get("/eligibility/standards/").status_code == 200
    assert (
        client.post("/eligibility/standards/", {"key": "dibao_standard_rural", "value": "1"}).status_code
        == 403
    )
    assert client.get("/eligibility/scenarios/").status_code == 200
    assert client.post("/eligibility/scenarios/", {"name": "x"}).status_code == 403


def test_the_what_if_screen_shows_a_chart_and_the_households_that_change(
    client,
    personas,
    household_a,
    standards,
    django_capture_on_commit_callbacks,
):
    declare(personas.alice, household_a, "income", "wages", 6000, person=household_a.head)
    signed_in(client, personas.carol)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/eligibility/scenarios/",
            {
                "name": "农村标准提高50元",
                "month": "2026-12",
                "key_1": "dibao_standard_rural",
                "value_1": "700",
            },
        )
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "<svg" in page and "最低生活保障" in page and "1,200.00" in page  # 2 persons × 50 yuan × 12 months
    assert (
        f"/registry/households/{household_a.pk}/"
        in client.get(response.url + "?program=dibao").content.decode()
    )


def test_a_batch_run_from_the_screen_and_a_household_explained_from_its_inputs(
    client, personas, household_a, standards
):
    declare(personas.alice, household_a, "income", "wages", 6000, person=household_a.head)
    signed_in(client, personas.carol)
    response = client.post("/eligibility/runs/", {"month": "2026-12"})
    assert response.status_code == 302
    detail = client.get(response.url).content.decode()
    assert f"households/{household_a.pk}/" in detail
    explained = client.get(response.url + f"households/{household_a.pk}/").content.decode()
    assert "最低生活保障" in explained and "800.00" in explained
