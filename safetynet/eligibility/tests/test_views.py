from safetynet.core import testing
from safetynet.eligibility.tests.test_situations import declare, standards  # noqa: F401


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_household_page_loads_the_evaluation_panel(client, personas, household_a, standards):  # noqa: F811
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
