"""The home page, the error pages and the language switch."""

from django.urls import reverse

from safetynet.accounts.roles import Role
from safetynet.accounts.services import user_create
from safetynet.core import testing
from safetynet.registry.services import household_create, household_update

HOME = reverse("core:home")


def test_the_home_page_needs_a_signed_in_user(client, db):
    response = client.get(HOME)
    assert response.status_code == 302 and response.url == reverse("accounts:login") + "?next=/"


def test_the_home_page_shows_region_counts_in_scope_and_my_recent_changes(client, personas, household_a):
    household_create(
        actor=personas.bob, data=testing.household_input(village=testing.VILLAGE_B1, seq=9), reason="r"
    )
    household_update(
        actor=personas.alice, household=household_a, reason="门牌号更正", changes={"address": "柳树村3组14号"}
    )
    client.force_login(personas.alice)
    response = client.get(HOME)
    summary = response.context["summary"]
    assert (summary["households"], summary["persons"]) == (1, 2)  # Bob's household is not counted
    assert response.context["region_name"] == "示范省示范市示范县东河镇"
    page = response.content.decode()
    assert "门牌号更正" in page and household_a.number in page
    assert reverse("registry:household_create") in page

    client.force_login(personas.carol)
    summary = client.get(HOME).context["summary"]
    assert (summary["households"], summary["persons"]) == (2, 4)
    assert summary["recent"] == []  # only the changes Carol made herself


def test_the_auditor_home_page_offers_no_filing(client, personas):
    client.force_login(personas.dave)
    page = client.get(HOME).content.decode()
    assert reverse("registry:household_create") not in page


def test_a_role_without_registry_access_gets_a_plain_home_page(client, db):
    testing.build_regions()
    user = user_create(
        actor=None, username="charity", password=testing.PASSWORD, role=Role.CHARITY, organisation="慈善会"
    )
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200 and response.context["summary"] == {"registry": False}


def test_a_resident_home_page_counts_their_own_household(client, household_a):
    erin = user_create(
        actor=None,
        username="erin",
        password=testing.PASSWORD,
        role=Role.RESIDENT,
        household_id=household_a.pk,
    )
    client.force_login(erin)
    summary = client.get(HOME).context["summary"]
    assert (summary["households"], summary["persons"], summary["can_add"]) == (1, 2, False)


def test_an_unknown_page_gets_the_404_page(client, personas):
    client.force_login(personas.alice)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "没有找到该页面或记录" in response.content.decode()


def test_the_language_switch_turns_the_pages_into_english(client, personas):
    client.force_login(personas.alice)
    assert "家庭查询" in client.get(HOME).content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": HOME})
    assert response.status_code == 302
    page = client.get(HOME).content.decode()
    assert '<html lang="en">' in page
    assert "Household search" in page and "家庭查询" not in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": HOME})
    assert "家庭查询" in client.get(HOME).content.decode()
